"""The work order's summary, composed from what the caller said: who, where, what, since when and
what they ask for, in one short Chinese paragraph with personal data masked.

Everything is regular expressions and word lists read clause by clause (no model), so a summary
costs a few milliseconds per thousand characters and the operator can see why each part is
there. Limits, on purpose: the matter is the first clause that names a problem, so a caller who
starts with a side story gets that story; a time or place is taken as said, never resolved
(上周 stays 上周, not a date); names are masked by `nlp.pii`, which only finds cued ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from nlp.flags import flags
from nlp.pii import mask
from nlp.place import ADDRESS_TOKEN, LEAD_IN

MAX_TEXT = 200  # characters of the composed paragraph: what fits the order form's summary line
MAX_WHAT = 60
MAX_ASKS = 50
MAX_WHERE = 40


@dataclass
class Summary:
    """The parts of the caller's request and the paragraph composed from them ("" when not said)."""

    who: str = ""  # 市民, 企业（华龙电子有限公司）, 绿城小区业主
    where: str = ""  # the place phrase as said: 华龙区中原路88号
    what: str = ""  # the matter in one or two short clauses
    since: str = ""  # since when, how long, how often: 2019年4月以来, 近一个月每天晚上, 三天了
    asks: str = ""  # 希望尽快处理, 要求退费
    text: str = ""  # 市民反映：华龙区绿城小区自上周起每晚施工噪音扰民，诉求：希望相关部门查处。
    caller_turns: int = 0  # turns labelled as the caller's; 0 for a message without labels


# --- Speakers -----------------------------------------------------------------------------------

OPERATOR_LABELS: tuple[str, ...] = (
    "坐席", "座席", "话务员", "接线员", "客服", "工作人员", "operator", "agent",
)  # fmt: skip
CALLER_LABELS: tuple[str, ...] = (
    "市民", "来电人", "来电者", "来电方", "群众", "用户", "客户", "诉求人", "caller", "customer",
)  # fmt: skip
# Labels that do not say who is who (a recorder's channels, an ASR's diarization).
NEUTRAL_LABELS = r"[A-D]|[甲乙]|说话人\s?\d|(?i:speaker|spk)\s?\d|角色\s?\d"
# What only the operator says when answering: it tells which neutral label is the operator's.
OPERATOR_GREETING = re.compile(r"12345|有什么(?:可以|能)?帮|为您服务|工号|热线")

_LABEL_NAMES = "|".join([f"(?i:{'|'.join(OPERATOR_LABELS + CALLER_LABELS)})", NEUTRAL_LABELS])
_TIMESTAMP = r"(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?[\])]?[ \t]*)?"
# A label opens a line or follows the end of a sentence or a space: 客户：… is a label, 联系客户：
# is not. Bracketed labels need no colon.
_SPEAKER = re.compile(
    rf"(?:^|(?<=[\s。！？!?；;]))[ \t]*{_TIMESTAMP}"
    rf"(?:[\[【〔][ \t]*(?P<bracketed>{_LABEL_NAMES})[ \t]*[\]】〕][ \t]*[:：]?"
    rf"|(?P<plain>{_LABEL_NAMES})[ \t]*[:：])",
    re.MULTILINE,
)
_SPACE = re.compile(r"\s")
_OPERATOR = frozenset(label.lower() for label in OPERATOR_LABELS)
_CALLER = frozenset(label.lower() for label in CALLER_LABELS)


def _turns(transcript: str) -> list[tuple[str, str]] | None:
    """(speaker, words) for each labelled turn, or None when the text has no labels."""
    labels = list(_SPEAKER.finditer(transcript))
    if not labels:
        return None
    turns = []
    for label, following in zip(labels, [*labels[1:], None], strict=True):
        end = following.start() if following else len(transcript)
        speaker = _SPACE.sub("", label["bracketed"] or label["plain"]).lower()
        turns.append((speaker, transcript[label.end() : end].strip()))
    return turns


def _operator_among_neutral(turns: list[tuple[str, str]]) -> str | None:
    # The operator answers the call, so greets first; without a greeting, whoever speaks first.
    # A single neutral speaker is taken for the caller (a message someone labelled).
    neutral = list(dict.fromkeys(s for s, _ in turns if s not in _OPERATOR | _CALLER))
    if len(neutral) < 2:
        return None
    for speaker, words in turns:
        if speaker in neutral and OPERATOR_GREETING.search(words):
            return speaker
    return neutral[0]


def _caller_turns(text: str) -> tuple[list[str], int]:
    turns = _turns(text)
    if turns is None:
        return [text], 0
    operator = _operator_among_neutral(turns)
    # Text before the first label is a header (a date, a call number), nobody's words.
    words = [w for s, w in turns if s not in _OPERATOR and s != operator and w]
    return words, len(words)


def caller_text(transcript: str) -> str:
    """Only what the caller said, one turn a line; the whole text when it has no speaker labels.

    Operator turns are dropped: 坐席/话务员/客服/工作人员/operator, and of neutral labels
    (A:/B:, 说话人1) the one who greets with 12345 or 有什么可以帮您 (else the first to speak).
    Never raises; anything that is not a string gives "".
    """
    if not isinstance(transcript, str):
        return ""
    return "\n".join(_caller_turns(transcript)[0])


# --- Cleaning -----------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[。！？!?；;\n]+|\.(?!\d)")
# A clause ends at a comma or colon (not 10:30), and at a space next to a Chinese character
# (speech recognisers separate phrases with spaces; English words keep theirs).
_CLAUSE_END = re.compile(
    r"[，,、：]+|(?<!\d):(?!\d)|(?<=[\u4e00-\u9fff])\s+|\s+(?=[\u4e00-\u9fff])"
)
# Sounds and words of spoken Chinese that carry nothing: removed wherever they stand.
_FILLER_ANYWHERE = re.compile(r"[嗯啊呃]+|就是说|对对对+|是是是+|好好好+")
# At the start of a clause. 喂 only before a greeting, since 喂养 and 喂猫 are words.
_FILLER_LEADING = re.compile(
    r"^(?:[哦噢喔唉哎诶欸]+|喂+(?=[你您]好)|[你您]好呀?|那个|就是|然后|是这样的|这样的"
    r"|我跟你说|跟你说|你听我说)+"
)
# A clause made only of these is dropped: acknowledgements, thanks, goodbyes.
_FILLER_CLAUSE = re.compile(
    r"^(?:对|是|好|行|嗯|哦|噢|喂|唉|哎|诶|对的|是的|好的|行的|可以|没错|明白|知道了|谢谢[你您]?们?"
    r"|麻烦[你您]?了|不好意思|好吧|那个|[你您]好|再见|拜拜|没有了|没了|就这些|就这样)+$"
)
_TRAILING_PARTICLES = re.compile(r"[呢吧呀嘛哈哦噢呐]+$")
_HAS_WORD = re.compile(r"[^\W\d_]")  # a letter of any script: Chinese characters count


def _clean_clause(clause: str) -> str:
    clause = _FILLER_ANYWHERE.sub("", clause).strip()
    clause = _FILLER_LEADING.sub("", clause).strip()
    if _FILLER_CLAUSE.match(clause):
        return ""
    clause = _TRAILING_PARTICLES.sub("", clause).strip()
    return clause if _HAS_WORD.search(clause) else ""


def _sentences(text: str) -> list[list[str]]:
    """The text as sentences of clauses, fillers removed, empty ones dropped."""
    sentences = []
    for sentence in _SENTENCE_END.split(text):
        clauses = [c for c in map(_clean_clause, _CLAUSE_END.split(sentence)) if c]
        if clauses:
            sentences.append(clauses)
    return sentences


def strip_fillers(text: str) -> str:
    """The text without the fillers of speech (嗯, 啊, 那个, 就是说, 对对对, 喂 before a greeting),
    clauses joined by "，" and sentences ended by "。"; "" when nothing else was said."""
    if not isinstance(text, str):
        return ""
    return "".join("，".join(clauses) + "。" for clauses in _sentences(text))


# --- The parts ----------------------------------------------------------------------------------

# 我要反映一下, 想咨询个事, 请问: the caller announcing what they will say, not saying it.
_LEAD_IN = re.compile(
    r"^(?:(?:我|我们|本人)(?:现在|今天|这边|就)?是?(?:想|要|来|打电话来?|打来|打这个电话)?"
    r"|(?:想|要|来))?(?:跟你们|向你们|给你们|和你们)?"
    r"(?P<verb>反映|反应|投诉|举报|咨询|求助|了解|请问|问一下|问下|问问|问)(?![题明的])"
    r"(?:一下子?|下)?(?:一个|个|件|点)?(?:事情?|问题|情况)?(?:就是)?"
)
_QUESTION_VERBS = frozenset({"咨询", "了解", "请问", "问一下", "问下", "问问", "问"})
# A clause about the caller, not the matter: 我是绿城小区的业主, 我姓张, 我家住在中原路.
_ABOUT_CALLER = re.compile(r"^(?:我|我们|本人)(?:家)?(?:是|叫|姓|住|在|的电话|电话|手机)")
# A clause that only gives a contact detail (already masked): 电话138****5678, 姓名张**.
_CONTACT = re.compile(
    r"^(?:我的?|本人)?(?:联系)?(?:电话|手机(?:号码?)?|联系方式|号码|身份证号?码?|姓名|名字)(?:是|为)?"
    r"(?:[\s\d*Xx+\-()（）]*|[\u4e00-\u9fff]{1,2}\*+)$"
)

# An ask: the clause from its cue to its end. 请 is not 请问/申请/邀请; 要求 made by someone else
# (物业要求我们交钱) is not the caller's ask, hence the allowed words before the cue.
_ASK_CUE = re.compile(
    r"希望|要求|请求|恳请|恳求|盼望|期望|期待|诉求是?|建议|能否|能不能|可不可以|麻烦|"
    r"(?<![申邀提聘宴报])请(?![问假客教])|让(?=相关|有关|政府|你们|领导)|帮(?=我|忙)|"
    r"^(?:赶紧|赶快|尽快|抓紧)"
)
_ASK_PREFIX = re.compile(
    r"(?:所以|因此|现在|特此|故|我们?的?|本人|我家|还是|只是|就|也|都|强烈|真诚|诚恳|迫切|非常|很|"
    r"十分|真心|最后)*"
)
_ASK_CONTINUES = re.compile(r"^(?:并且?|同时|还要?|以及|和|再|另外|顺便)")
_ASK_TAIL = re.compile(r"(?:好吗|行吗|可以吗|好不好|行不行|谢谢[你您]?们?)$")

_N = r"[\d零〇一二两三四五六七八九十百几半多]"
_UNIT = r"(?:年|个月|月|周|星期|礼拜|天|日|小时)"
# Inside 自…以来/从…开始 there must be a time, so 从楼上开始漏水 is no date.
_TIME_WORD = re.compile(rf"{_N}|[年月日号周天晚早夜季节春夏秋冬昨]|星期|礼拜|去年|今年|入住|搬")
_PERIODS = re.compile(
    "|".join(
        [
            r"(?:自从|自|从)(?P<inner>[^，,。！？；\s]{1,12}?)(?:以来|开始|起)",
            r"\d{2,4}年(?:\d{1,2}月)?(?:\d{1,2}[日号])?(?:以来|开始|起|至今|到现在)?",
            r"\d{1,2}月(?:\d{1,2}[日号])?(?:以来|开始|起|至今|到现在)",
            rf"(?:已经|已)有?{_N}+个?多?{_UNIT}多?了?",
            rf"{_N}+个?多?{_UNIT}多?了",
            rf"最近(?:{_N}+个?{_UNIT}|一段时间)?|(?<![附接靠将])近(?:{_N}+个?{_UNIT}|期|来|日)",
            r"(?:这|前)(?:几|两|些)?(?:天|个月|年|段时间|阵子)|上个?(?:周|星期|礼拜|月)(?:以来|开始|起)?"
            r"|(?:去年|前年|今年)(?:\d{1,2}月)?(?:以来|开始|起|底|初)?|昨天|昨晚|前天",
        ]
    )
)
_FREQUENCY = re.compile(
    r"每(?:天|日|晚|周|星期|礼拜|月|年|逢[^，,。]{1,4}?[节天日末假])"
    r"(?:晚上|早上|凌晨|夜里|中午|下午|半夜)?(?:\d{1,2}点)?|天天|夜夜|经常|时常|常常|长期"
    # 多次反映 and 反复打电话 count the caller's calls, not how often the problem happens.
    r"|(?:反复|多次|屡次)(?!反映|反应|投诉|举报|打|拨打|找|联系|来电|致电|向)"
)

# A clause that names a problem or a request; the matter is the first one that is not the ask.
_MATTER = re.compile(
    r"噪音|噪声|吵|扰民|施工|油烟|异味|臭|污水|排放|漏|渗|停水|停电|断水|断电|没水|没电|暖气|燃气|"
    r"电梯|垃圾|占道|乱|违|私搭|拖欠|欠薪|工资|退费|退款|收费|罚款|物业|开发商|房产证|路灯|井盖|坑|"
    r"积水|堵|坏|破|塌|裂|脏|非法|诈骗|传销|无证|无照|假|过期|态度|推诿|不作为|不|没|未|影响|问题|"
    r"困难|救助|补贴|社保|医保|公积金|户口|办理|申请|政策|怎么|如何|能否|是否|哪里|什么|多少|建议|增设|"
    r"流浪|宠物|犬|狗|猫|养|太|少|贵|难|慢|远|差|停"
)

# Roles a caller names themself by; a qualifier before the role is kept when it is a place.
_ROLE = re.compile(
    r"(?:我是|我们是|我们都是|本人是|作为)(?:一名|一个|一位)?(?P<qualifier>[^，,。！？\s]{0,12}?)的?"
    r"(?P<role>业主|租户|住户|居民|村民|商户|家长|学生|患者|病人|司机|骑手|快递员|农民工|工人|员工|"
    r"退休职工|退休人员|个体户|消费者|残疾人|退役军人)"
)
_PLACE_QUALIFIER = re.compile(
    r"(?:小区|村|社区|花园|家园|公寓|大厦|学校|小学|中学|镇|街道|公司|厂)$"
)
_DEMONSTRATIVE = re.compile(r"^(?:这个|那个|本|我们|咱们)")
_COMPANY = re.compile(
    r"(?:我们|我|本)(?:是|这边是|这里是)(?:一家|一个)?"  # 是: 本小区物业公司 is someone else
    r"(?P<name>[^\W\d_的了在是我你他她它们有和与跟及或就都也还又把被给到从去向往朝这那个说要想没不很请帮叫让]"
    r"{2,16}?(?:有限责任公司|股份有限公司|有限公司|公司|合作社|商行|工作室|厂))"
)
# Address words that are ordinary nouns, not a place: 这条路, 马路, 医院, 老小区.
_GENERIC_PLACE = re.compile(
    r"^[一二两三几这那每各整全老新小大条个座所片家马公走上下门前后外内边]*$"
)
_PLACE_SUFFIX = re.compile(
    r"(?:街道|大街|大道|胡同|小区|社区|家属院|家属楼|家园|花园|公寓|大厦|广场|新村|公园|市场|学校|小学|"
    r"中学|商场|超市|路|街|巷|院|镇|乡|村)$"
)


# A clause without any of these characters holds no place name: skip the costly scan.
_MAY_HOLD_PLACE = re.compile(r"[街道区县市镇乡村路巷院园寓厦场校学胡楼]")


def _where(clauses: Iterable[str]) -> str:
    """The longest run of address words that holds a named place, e.g. 华龙区中原路88号."""
    found = [_place_in(clause) for clause in clauses if _MAY_HOLD_PLACE.search(clause)]
    return max(found, key=len, default="")


def _place_in(text: str) -> str:
    runs: list[list] = []  # [start, end, holds a named place]
    for token in ADDRESS_TOKEN.finditer(text):
        start, end = token.span()
        if token.group("named"):
            lead = LEAD_IN.match(text, start, end)
            start = lead.end() if lead else start
            if end - start <= 2 or _GENERIC_PLACE.match(_PLACE_SUFFIX.sub("", text[start:end])):
                continue  # 马路, 医院, 这条路: words, not names
        is_named = token.group("named") is not None
        if runs and text[runs[-1][1] : start] in ("", "与", "和"):
            runs[-1][1:] = [end, runs[-1][2] or is_named]
        else:
            runs.append([start, end, is_named])
    named = [text[start:end] for start, end, is_named in runs if is_named]
    return max(named, key=len, default="")


def _since(text: str) -> str:
    """A period (自上周起, 近一个月, 三天了) and a frequency (每天晚上, 经常), as said."""
    period = next(
        (m for m in _PERIODS.finditer(text) if m["inner"] is None or _TIME_WORD.search(m["inner"])),
        None,
    )
    frequency = _FREQUENCY.search(text)
    if period is None:
        return frequency.group() if frequency else ""
    if frequency and not period.group().endswith("了") and frequency.start() >= period.end():
        return period.group() + frequency.group()
    return period.group()


def _asks(sentences: list[list[str]]) -> tuple[str, set[tuple[int, int]]]:
    """The caller's asks (at most two, with their continuations) and where they were found."""
    found: list[str] = []
    at: set[tuple[int, int]] = set()
    for i, clauses in enumerate(sentences):
        j = 0
        while j < len(clauses) and len(found) < 2:
            cue = _ASK_CUE.search(clauses[j])
            if cue is None or not _ASK_PREFIX.fullmatch(clauses[j][: cue.start()]):
                j += 1
                continue
            ask, at_ask = [clauses[j][cue.start() :]], {(i, j)}
            while j + 1 < len(clauses) and _ASK_CONTINUES.match(clauses[j + 1]):
                j += 1
                ask.append(clauses[j])
                at_ask.add((i, j))
            text = _ASK_TAIL.sub("", "，".join(ask))
            if len(text) > 2 and text not in found:
                found.append(text)
                at |= at_ask
            j += 1
    return _shorten("，".join(found), MAX_ASKS), at


def _who(said: str) -> str:
    # A role first: 我是华龙电子有限公司的员工 is an employee, not the company.
    role = _ROLE.search(said)
    if role:
        qualifier = _DEMONSTRATIVE.sub("", role["qualifier"])
        return qualifier + role["role"] if _PLACE_QUALIFIER.search(qualifier) else role["role"]
    company = _COMPANY.search(said)
    if company:
        return f"企业（{company['name']}）"
    return "企业" if flags(said).is_enterprise else "市民"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- Summary ------------------------------------------------------------------------------------


def summarize(text: str, place: str | None = None) -> Summary:
    """The summary of a call transcript or an online message, from the caller's words only.

    ``place`` is the address phrase another step found (``nlp.place``'s ``Place.address``); when
    given it is the summary's where. Personal data is masked in every field before anything is
    cut, so no number is left half visible. Never raises; anything that is not a string, or only
    noise, gives an empty Summary.
    """
    if not isinstance(text, str):
        return Summary()
    words, turns = _caller_turns(text)
    said = mask("\n".join(words))
    sentences = _sentences(said)
    if not sentences:
        return Summary(caller_turns=turns)

    is_question = False
    clauses: list[tuple[int, int, str]] = []  # (sentence, clause, text) without lead-ins
    for i, sentence in enumerate(sentences):
        for j, clause in enumerate(sentence):
            lead = _LEAD_IN.match(clause)
            if lead:
                is_question = is_question or lead["verb"] in _QUESTION_VERBS
                clause = clause[lead.end() :].lstrip("，：:")
            if _HAS_WORD.search(clause):
                clauses.append((i, j, clause))
    asks, ask_at = _asks(sentences)
    # The time of the matter, not of the ask: 希望这几天处理 says nothing about since when.
    since = _since("。".join(c for i, j, c in clauses if (i, j) not in ask_at))
    where = mask(place.strip()) if isinstance(place, str) and place.strip() else ""
    if not where:
        where = _where(clause for _, _, clause in clauses)
    where = _shorten(where, MAX_WHERE)
    what = _what(clauses, ask_at)
    who = _who(said)
    summary = Summary(who, where, what, since, asks, caller_turns=turns)
    summary.text = _compose(summary, "咨询" if is_question else "反映")
    return summary


def _what(clauses: list[tuple[int, int, str]], ask_at: set[tuple[int, int]]) -> str:
    """The first clause naming a problem that is not the ask, with the next one of its sentence."""
    candidates = [
        (i, j, clause)
        for i, j, clause in clauses
        if (i, j) not in ask_at and not _CONTACT.match(clause)
    ]
    if not candidates:
        return ""
    start = next(
        (
            k
            for k, (_, _, clause) in enumerate(candidates)
            if _MATTER.search(clause) and not _ABOUT_CALLER.match(clause)
        ),
        0,  # nothing names a problem: the first thing said
    )
    sentence, clause, what = candidates[start]
    if start > 0:
        # The topic said just before it: 开发区的公交车，班次太少了.
        before_sentence, before_clause, topic = candidates[start - 1]
        if (before_sentence, before_clause) == (sentence, clause - 1) and len(topic + what) < 40:
            if not _ABOUT_CALLER.match(topic):
                what = f"{topic}，{what}"
    if start + 1 < len(candidates) and what.count("，") == 0:
        next_sentence, _, following = candidates[start + 1]
        if next_sentence == sentence and len(what) + len(following) < 40:
            what = f"{what}，{following}"
    return _shorten(what, MAX_WHAT)


def _compose(summary: Summary, verb: str) -> str:
    """who + verb：since，where + what，诉求：asks。 with each part left out when not said or
    already inside the matter (the caller often says the place and the time in the same clause)."""
    if not (summary.what or summary.asks):
        return ""
    what, where, since = summary.what, summary.where, summary.since
    suffix = _PLACE_SUFFIX.search(where)
    if where in what:
        where = ""
    elif suffix and what.startswith(suffix.group()):
        what = what[len(suffix.group()) :]  # 绿城小区 + 小区门口的路坏了
    before = after = ""
    if since and since not in what:
        before, after = ("", f"，{since}") if since.endswith("了") else (f"{since}，", "")
    asks = f"，诉求：{summary.asks}" if summary.asks else ""
    head = f"{summary.who}{verb}："
    room = MAX_TEXT - 1 - len(head) - len(before) - len(where) - len(after) - len(asks)
    body = before + where + _shorten(what, max(room, 10)) + after
    text = f"{head}{body}{asks}".replace("：，", "：")
    return _shorten(text, MAX_TEXT - 1) + "。"

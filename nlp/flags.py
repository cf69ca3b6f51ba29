"""Flags on what a caller said: danger to life or property (and where to transfer the call),
abuse, strong emotion, a company asking, a request for confidentiality.

Everything is word lists (a `Lexicon`) matched with one regular expression per list, so a city
reads and extends them without touching code: `flags(text, DEFAULT_LEXICON.extended(...))`.

Limits, on purpose: the danger check suppresses a cue only when a negation, past or hypothetical
word stands in the same clause just before it (上次着火, 没有着火, 担心起火), when the same
sentence says it is over (着火了，已经扑灭了), or when the cue is followed by 过 (被打过). It
errs towards flagging: 已经着火了 is an emergency, and longer-range context (a whole story told in
the past tense) is not understood. Abuse is counted whoever it is aimed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

POLICE, FIRE, AMBULANCE = "110", "119", "120"


@dataclass(frozen=True)
class Danger:
    """A kind of emergency, the service that handles it, and the words that reveal it.

    A cue written with "…" matches both parts with up to ten characters of one sentence between
    them: "车祸…受伤" finds 车祸了，有人受伤.
    """

    situation: str
    service: str
    cues: tuple[str, ...]


DANGERS: tuple[Danger, ...] = (
    Danger("疑似燃气泄漏", FIRE, (
        "煤气泄漏", "燃气泄漏", "天然气泄漏", "液化气泄漏", "煤气泄露", "燃气泄露", "天然气泄露",
        "漏煤气", "漏燃气", "煤气漏了", "燃气漏了", "闻到煤气味", "煤气味", "燃气味", "天然气味",
        "液化气味",
    )),
    Danger("疑似火情", FIRE, (
        "着火", "起火", "失火", "火灾", "烧起来了", "冒烟", "浓烟", "火势",
    )),
    Danger("疑似有人轻生", POLICE, (
        "自杀", "跳楼", "跳河", "不想活了", "轻生", "寻死", "割腕", "喝农药", "上吊",
    )),
    Danger("疑似暴力伤害", POLICE, (
        "打人", "持刀", "拿刀", "砍人", "杀人", "家暴", "行凶", "被打伤", "抢劫", "绑架",
        "打架斗殴",
    )),
    Danger("疑似急病", AMBULANCE, (
        "晕倒", "昏倒", "昏迷", "心脏病发", "心脏病犯了", "大出血", "不省人事", "抽搐", "休克",
        "呼吸困难", "没有呼吸", "没气了",
    )),
    Danger("交通事故有人受伤", AMBULANCE, (
        "车祸…受伤", "车祸…流血", "车祸…伤了", "交通事故…受伤", "被车撞", "撞倒了人", "撞伤了",
        "撞人了",
    )),
    Danger("有人溺水", POLICE, (
        "溺水", "落水", "掉河里", "掉进河", "掉水里", "掉进水里",
    )),
    Danger("疑似儿童走失", POLICE, (
        "孩子丢了", "孩子走丢", "孩子不见了", "孩子找不到了", "孩子失踪", "小孩丢了", "小孩走丢",
        "小孩不见了", "儿子不见了", "女儿不见了",
    )),
)  # fmt: skip

# Words that contain a cue but mean something else; they are matched first and ignored. Only
# unambiguous ones: 打人民医院电话 stays a cue, since 打人民警察 is violence.
FALSE_FRIENDS: tuple[str, ...] = (
    "打人社", "打人力", "跳楼价", "火灾隐患", "起火隐患", "火灾演练", "火灾报警", "火灾自动报警",
    "火灾险", "防火灾", "着火点", "烧烤冒烟", "烟囱冒烟", "落水管",
)  # fmt: skip
# In the same clause just before a cue: it did not happen, happened before, or might happen.
NOT_NOW_BEFORE: tuple[str, ...] = (
    "没有", "不是", "并未", "并没", "之前", "上次", "以前", "曾经", "去年", "上个月", "前几天",
    "前段时间", "那次", "防止", "预防", "避免", "担心", "害怕", "万一", "如果", "容易", "会不会",
)  # fmt: skip
# In the same sentence after a cue: it is over.
OVER_AFTER: tuple[str, ...] = (
    "已经扑灭", "已扑灭", "已经灭了", "灭掉了", "已经处理", "已处理", "处理好了", "已经解决",
    "解决了", "没事了", "已经找到", "找到了",
)  # fmt: skip

# Severity 2: obscene or hateful; severity 1: rude. Latin abbreviations match as whole words in
# any case (sb, SB) and Chinese words with a filler between characters (傻*逼, 傻 逼). Left out
# because they are everyday words here: 垃圾, 废物 (固体废物), 我靠 (我靠打工), 二百五 (元), 尼玛
# (a Tibetan given name), 他妈 (他妈妈), wc (toilet).
ABUSE_SEVERE: tuple[str, ...] = (
    "傻逼", "傻B", "傻比", "煞笔", "沙比", "傻屄", "他妈的", "特么的", "操你妈", "草泥马",
    "你妈死了", "你妈逼", "妈逼", "狗日的", "贱人", "婊子", "王八蛋", "畜生", "畜牲", "杂种",
    "日你妈", "你去死", "去死吧", "死全家",
    "sb", "tmd", "nmsl", "cnm", "wcnm", "nmb", "mmp", "rnm", "qnmd",
)  # fmt: skip
ABUSE_MILD: tuple[str, ...] = (
    "窝囊废", "笨蛋", "白痴", "蠢货", "蠢猪", "滚蛋", "滚开", "给我滚", "神经病", "脑残", "弱智",
    "混蛋", "饭桶", "狗官", "人渣", "败类", "猪脑子", "傻子", "傻帽", "吃屎", "狗东西", "不要脸",
    "卧槽",
)  # fmt: skip

# Cue and weight; several cues combine as independent evidence (1 - product of 1 - weight).
EMOTION_CUES: tuple[tuple[str, float], ...] = (
    ("急死", 0.5), ("气死", 0.5), ("烦死", 0.4), ("太过分", 0.4), ("欺人太甚", 0.6),
    ("忍无可忍", 0.6), ("受不了", 0.3), ("崩溃", 0.4), ("要疯了", 0.4), ("憋屈", 0.3),
    ("投诉你们", 0.4), ("再不解决", 0.5), ("再不处理", 0.5), ("后果自负", 0.6),
    ("什么态度", 0.4), ("凭什么", 0.3), ("踢皮球", 0.3), ("不作为", 0.3), ("没人管", 0.2),
    ("打了好几次", 0.3), ("打了多少次", 0.4), ("曝光", 0.4), ("找媒体", 0.4), ("找记者", 0.4),
    ("上访", 0.4),
)  # fmt: skip
EXCLAMATION_WEIGHT = 0.1  # for each ! or ！, up to
EXCLAMATION_CAP = 0.4
ABUSE_WEIGHT = 0.3  # for each level of abuse severity

# The requester is a business. Bare 企业/厂/招商 are left out: residents complain about a nearby
# 企业 or 厂 and bank at 招商银行.
ENTERPRISE_CUES: tuple[str, ...] = (
    "我们公司", "我公司", "我司", "本公司", "我们企业", "本企业", "我企", "我们厂", "我厂", "本厂",
    "我们店", "个体工商户", "营业执照", "纳税", "招商引资", "招商政策", "企业开办", "营商环境",
    "涉企", "惠企", "企业主", "法定代表人", "法人代表", "社会信用代码", "税务登记",
)  # fmt: skip

CONFIDENTIAL_CUES: tuple[str, ...] = (
    "保密", "匿名", "不要透露", "别透露", "不要泄露", "别泄露", "不留名", "不要留我的",
    "不要公开我的", "别公开我的", "别告诉他们是我", "不要告诉他们是我", "别说是我",
    "不要说是我", "不想让他们知道是我", "不想让人知道是我",
)  # fmt: skip
# Just before a confidentiality cue: the caller says it is not needed (不用保密).
NOT_NEEDED_BEFORE: tuple[str, ...] = ("不用", "不需要", "无需", "不必", "没必要")


@dataclass(frozen=True)
class Lexicon:
    """The word lists `flags` reads; replace or extend them for a city."""

    dangers: tuple[Danger, ...] = DANGERS
    false_friends: tuple[str, ...] = FALSE_FRIENDS
    not_now_before: tuple[str, ...] = NOT_NOW_BEFORE
    over_after: tuple[str, ...] = OVER_AFTER
    abuse_severe: tuple[str, ...] = ABUSE_SEVERE
    abuse_mild: tuple[str, ...] = ABUSE_MILD
    emotion_cues: tuple[tuple[str, float], ...] = EMOTION_CUES
    enterprise_cues: tuple[str, ...] = ENTERPRISE_CUES
    confidential_cues: tuple[str, ...] = CONFIDENTIAL_CUES
    not_needed_before: tuple[str, ...] = NOT_NEEDED_BEFORE

    def extended(self, **extra: tuple) -> Lexicon:
        """A copy with each named list lengthened, e.g. `extended(abuse_mild=("瓜娃子",))`."""
        longer = {name: getattr(self, name) + tuple(words) for name, words in extra.items()}
        return replace(self, **longer)


DEFAULT_LEXICON = Lexicon()


@dataclass(frozen=True)
class Emergency:
    """Transfer the call now: to whom, on which words, and why (for the operator's screen)."""

    service: str  # "110" police, "119" fire, "120" ambulance
    cue: str
    reason: str  # 疑似燃气泄漏，请立即转 119


@dataclass(frozen=True)
class Flags:
    """What `flags` found; each cue is the caller's own words that raised the flag."""

    emergency: Emergency | None = None
    abuse: int = 0  # 0 none, 1 mild, 2 severe
    abuse_words: tuple[str, ...] = ()
    emotion: float = 0.0  # 0 calm to 1 very upset
    emotion_cues: tuple[str, ...] = ()
    is_enterprise: bool = False
    enterprise_cue: str = ""
    is_confidential: bool = False
    confidential_cue: str = ""


# --- Matching -----------------------------------------------------------------------------------

_WINDOW = 6  # characters looked at before a cue
_AFTER_WINDOW = 12  # characters looked at after a cue
_CLAUSE_END = re.compile(r"[，,。.！!？?；;：:\n]")
_SENTENCE_END = re.compile(r"[。.！!？?；;\n]")
_ABUSE_FILLER = r"[\s*·._\-]?"
_FILLERS = re.compile(r"[\s*·._\-]")
# Full-width digits, letters and ！ folded to ASCII (ｓｂ, １１０); Chinese punctuation stays, so a
# reported cue reads as the caller wrote it.
_FOLD = {
    code: code - 0xFEE0
    for code in (0xFF01, *range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
}


def _alternation(patterns: list[str]) -> str:
    # Longest first, so 太过分 wins over 过分; an empty list never matches (rather than everywhere).
    return "|".join(sorted(patterns, key=len, reverse=True)) or "(?!)"


def _cue_pattern(cue: str) -> str:
    return r"[^。.！!？?；;\n]{0,10}?".join(re.escape(part) for part in cue.split("…"))


@dataclass
class _Matchers:
    danger: re.Pattern[str]
    false_friends: frozenset[str]
    danger_by_cue: dict[str, Danger]
    danger_by_gapped_cue: dict[re.Pattern[str], Danger]
    abuse_chinese: re.Pattern[str]
    abuse_latin: re.Pattern[str]
    abuse_severity: dict[str, int]
    emotion: re.Pattern[str]
    emotion_weight: dict[str, float]
    enterprise: re.Pattern[str]
    confidential: re.Pattern[str]


@lru_cache(maxsize=32)
def _matchers(lexicon: Lexicon) -> _Matchers:
    danger_by_cue = {cue: danger for danger in lexicon.dangers for cue in danger.cues}
    # One alternation of plain words (no groups) lets the engine skip ahead to their first
    # characters. Longer words are tried first, so the false friend 打人社 wins over the cue 打人.
    words = sorted(
        [*lexicon.false_friends, *danger_by_cue],
        key=lambda word: len(word.replace("…", "")),
        reverse=True,
    )
    danger = re.compile("|".join(_cue_pattern(word) for word in words) or "(?!)")

    severity = {word.lower(): 2 for word in lexicon.abuse_severe}
    severity |= {word.lower(): 1 for word in lexicon.abuse_mild}
    latin = [word for word in severity if word.isascii() and word.isalnum()]
    chinese = [word for word in severity if word not in latin]
    return _Matchers(
        danger=danger,
        false_friends=frozenset(lexicon.false_friends),
        danger_by_cue=danger_by_cue,
        danger_by_gapped_cue={
            re.compile(_cue_pattern(cue)): danger
            for cue, danger in danger_by_cue.items()
            if "…" in cue
        },
        abuse_chinese=re.compile(
            _alternation([_ABUSE_FILLER.join(map(re.escape, word)) for word in chinese]),
            re.IGNORECASE,
        ),
        abuse_latin=re.compile(
            rf"(?<![a-z])(?:{_alternation(latin)})(?![a-z])", re.IGNORECASE | re.ASCII
        ),
        abuse_severity=severity,
        emotion=re.compile(_alternation([re.escape(cue) for cue, _ in lexicon.emotion_cues])),
        emotion_weight=dict(lexicon.emotion_cues),
        enterprise=re.compile(_alternation([re.escape(cue) for cue in lexicon.enterprise_cues])),
        confidential=re.compile(
            _alternation([re.escape(cue) for cue in lexicon.confidential_cues])
        ),
    )


def _clause_before(text: str, position: int) -> str:
    window = text[max(0, position - _WINDOW) : position]
    ends = list(_CLAUSE_END.finditer(window))
    return window[ends[-1].end() :] if ends else window


def _sentence_after(text: str, position: int) -> str:
    window = text[position : position + _AFTER_WINDOW]
    end = _SENTENCE_END.search(window)
    return window[: end.start()] if end else window


def _emergency(text: str, lexicon: Lexicon, matchers: _Matchers) -> Emergency | None:
    for m in matchers.danger.finditer(text):
        cue = m.group()
        if cue in matchers.false_friends:
            continue
        before = _clause_before(text, m.start())
        after = _sentence_after(text, m.end())
        if any(word in before for word in lexicon.not_now_before):
            continue
        happened_before = after.startswith("过") and not after.startswith("过程")  # 被打过
        if happened_before or any(word in after for word in lexicon.over_after):
            continue
        danger = matchers.danger_by_cue.get(cue) or next(
            danger
            for pattern, danger in matchers.danger_by_gapped_cue.items()
            if pattern.fullmatch(cue)
        )
        return Emergency(danger.service, cue, f"{danger.situation}，请立即转 {danger.service}")
    return None


def _abuse(text: str, matchers: _Matchers) -> tuple[int, tuple[str, ...]]:
    words = [m.group() for m in matchers.abuse_chinese.finditer(text)]
    words += [m.group() for m in matchers.abuse_latin.finditer(text)]
    if not words:
        return 0, ()
    level = max(matchers.abuse_severity[_FILLERS.sub("", word).lower()] for word in words)
    return level, tuple(dict.fromkeys(words))


def _emotion(text: str, abuse: int, matchers: _Matchers) -> tuple[float, tuple[str, ...]]:
    cues = tuple(dict.fromkeys(m.group() for m in matchers.emotion.finditer(text)))
    weights = [matchers.emotion_weight[cue] for cue in cues]
    exclamations = text.count("!")
    if exclamations:
        weights.append(min(EXCLAMATION_WEIGHT * exclamations, EXCLAMATION_CAP))
    if abuse:
        weights.append(ABUSE_WEIGHT * abuse)
    calm = 1.0
    for weight in weights:
        calm *= 1.0 - weight
    return round(1.0 - calm, 3), cues


def _confidential_cue(text: str, lexicon: Lexicon, matchers: _Matchers) -> str:
    for m in matchers.confidential.finditer(text):
        before = _clause_before(text, m.start())
        if not any(word in before for word in lexicon.not_needed_before):
            return m.group()
    return ""


def flags(text: str, lexicon: Lexicon = DEFAULT_LEXICON) -> Flags:
    """The flags raised by what the caller said (a transcript, a form, a message).

    The emergency reported is the first danger in the text that is not ruled out. Never raises
    on any text; an empty text raises no flag.
    """
    text = text.translate(_FOLD)
    matchers = _matchers(lexicon)
    abuse, abuse_words = _abuse(text, matchers)
    emotion, emotion_cues = _emotion(text, abuse, matchers)
    enterprise = matchers.enterprise.search(text)
    confidential_cue = _confidential_cue(text, lexicon, matchers)
    return Flags(
        emergency=_emergency(text, lexicon, matchers),
        abuse=abuse,
        abuse_words=abuse_words,
        emotion=emotion,
        emotion_cues=emotion_cues,
        is_enterprise=enterprise is not None,
        enterprise_cue=enterprise.group() if enterprise else "",
        is_confidential=bool(confidential_cue),
        confidential_cue=confidential_cue,
    )

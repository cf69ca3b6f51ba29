"""The request type of a call or message (咨询, 投诉, 求助, 建议, 举报), or why the hotline does not
take it (不予受理): the matter is already in court or arbitration, already with 信访, or an
emergency for 110/119/120.

Rules in three steps, each one readable as a word list:

1. Out of scope decides first. Emergencies come from `nlp.flags`. Litigation and petition need
   words saying the matter is *already* in that procedure (已经起诉, 法院判了, 信访局已受理);
   the bare words (起诉, 法院, 信访) do not count, and an intention, a question or a negation
   just before a cue cancels it (想咨询怎么起诉, 还没起诉, 要去上访). Having once been to 信访局
   (我去信访局反映过) is not enough: only a matter that 信访 has taken up or answered is theirs.
2. A trained model (`nlp.classify`), when given and confident, combined with the cues.
3. Cue words with weights, combined as independent evidence. A cue just after a negation
   (不是投诉) does not count. When nothing decides, the most likely type is returned with a low
   confidence and a reason that asks the operator to confirm: the doubt is shown, never hidden.

Only the caller's words are read (`nlp.summary.caller_text`): the operator's 请问有什么可以帮您
is no consultation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from nlp.classify import Classifier
from nlp.flags import flags
from nlp.summary import caller_text, strip_fillers

CONSULTATION, COMPLAINT, HELP = "consultation", "complaint", "help"
SUGGESTION, REPORT, OUT_OF_SCOPE = "suggestion", "report", "out_of_scope"
TYPES = (CONSULTATION, COMPLAINT, HELP, SUGGESTION, REPORT, OUT_OF_SCOPE)
LITIGATION, PETITION, EMERGENCY = "litigation", "petition", "emergency"

NAMES = {
    CONSULTATION: "咨询",
    COMPLAINT: "投诉",
    HELP: "求助",
    SUGGESTION: "建议",
    REPORT: "举报",
    OUT_OF_SCOPE: "不予受理",
}
OUT_OF_SCOPE_REASONS = {
    LITIGATION: "已进入诉讼、仲裁或执行程序的事项，不予受理，请引导通过司法途径解决",
    PETITION: "已进入信访程序的事项，不予受理，请引导向信访部门了解办理情况",
    EMERGENCY: "紧急警情，不予受理",
}
DOUBT = "未识别到明确诉求类型，请确认"
MODEL_REASON = "历史工单模型"

# --- Out of scope -------------------------------------------------------------------------------

# A cue written with "…" matches both parts with up to eight characters of one clause between them.
LITIGATION_CUES: tuple[str, ...] = (
    # filed, accepted, pending
    "已经起诉", "已起诉", "起诉了", "提起诉讼", "提起了诉讼", "告到法院", "告上法庭", "诉至法院",
    "在法院…起诉", "法院…立案", "法院…受理", "已立案", "已经立案", "正在诉讼", "诉讼中",
    "诉讼期间", "在打官司", "官司…在打", "打官司了", "开庭", "上诉",
    # decided
    "判决", "判了", "已判", "裁定书", "调解书", "判决书", "裁决书",
    # enforcement
    "执行庭", "执行局", "执行法官", "强制执行", "申请执行", "申请了执行",
    # arbitration (labour disputes mostly)
    "仲裁了", "已仲裁", "已经仲裁", "申请了仲裁", "申请了劳动仲裁", "仲裁…受理", "仲裁…裁决",
    "仲裁裁决", "仲裁结果", "仲裁庭",
)  # fmt: skip
# Count only beside a word of the courts: 执行不了 after a judgment, not a policy 执行不了.
ENFORCEMENT_CUES: tuple[str, ...] = (
    "执行不了", "执行不到", "拒不执行", "拒不履行", "不履行", "没有执行", "不执行",
)  # fmt: skip
COURT_WORDS = re.compile(r"法院|判|仲裁|裁决|调解书|案子")
PETITION_CUES: tuple[str, ...] = (
    "已信访", "已经信访", "信访了", "正在信访", "信访事项", "信访件", "信访案", "信访复查",
    "信访复核", "上访", "信访局…受理", "信访局…立案", "信访局…在处理", "信访局…正在",
    "信访局…还在", "信访办…受理", "信访办…在处理", "信访…答复",
)  # fmt: skip
# Contain a cue but mean something else: 以上诉求 is no appeal (上诉).
FALSE_FRIENDS: tuple[str, ...] = ("以上诉求", "上诉求", "向上诉说", "判断", "裁定为")
# Just before a cue, in its clause: the caller intends, asks, or says it has not happened.
NOT_YET_BEFORE = re.compile(
    r"(?:想|要|准备|打算|考虑|怎么|怎样|如何|能不能|能否|可不可以|可以|是否|需要|需不需要|应该|"
    r"咨询|请问|没有|没|未|还没|不想|不用|不愿|如果|万一|会不会|再不|否则|不然|的话|就去|只能去|只好去)"
    r"[^，,。！？!?；;]{0,6}$"
)

# --- Cue words ----------------------------------------------------------------------------------

# Weight of each cue as evidence of its type; several cues combine as 1 - product of (1 - w).
TYPE_CUES: dict[str, tuple[tuple[str, float], ...]] = {
    CONSULTATION: (
        ("请问", 0.5), ("咨询", 0.6), ("想问", 0.5), ("想问问", 0.55), ("问一下", 0.5),
        ("问问", 0.4), ("了解一下", 0.45), ("怎么办理", 0.6), ("如何办理", 0.6), ("怎么申请", 0.55),
        ("如何申请", 0.55), ("怎么办", 0.25), ("如何", 0.3), ("怎么", 0.2), ("怎样", 0.25),
        ("能否", 0.2), ("是否", 0.3), ("可以吗", 0.3), ("需要什么材料", 0.7),
        ("需要哪些材料", 0.7), ("要带什么", 0.5), ("需要带什么", 0.55), ("在哪里办", 0.7),
        ("在哪办", 0.7), ("哪里办理", 0.7), ("去哪里", 0.3), ("什么时候", 0.35), ("多久", 0.25),
        ("多少钱", 0.45), ("收费标准", 0.5), ("政策", 0.4), ("标准是", 0.5), ("流程", 0.45),
        ("手续", 0.4), ("条件", 0.3), ("办理", 0.25), ("查询", 0.4), ("有没有", 0.2),
    ),
    COMPLAINT: (
        ("投诉", 0.6), ("扰民", 0.55), ("不作为", 0.6), ("态度恶劣", 0.6), ("态度差", 0.5),
        ("态度很差", 0.5), ("态度不好", 0.45), ("乱收费", 0.55), ("多收费", 0.45), ("拖欠", 0.5),
        ("拖欠工资", 0.6), ("欠薪", 0.5), ("不发工资", 0.5), ("不接电话", 0.3), ("也不接", 0.3),
        ("噪音", 0.45), ("噪声", 0.45), ("一直没人管", 0.5), ("没人管", 0.4), ("无人管", 0.4),
        ("没人", 0.3), ("严重影响", 0.5), ("影响休息", 0.45), ("影响生活", 0.4), ("睡不着", 0.35),
        ("吵得", 0.35), ("太吵", 0.4), ("吵死", 0.45), ("油烟", 0.35), ("异味", 0.35), ("臭", 0.25),
        ("不给退", 0.45), ("拒绝退", 0.45), ("不退", 0.4), ("推诿", 0.5), ("踢皮球", 0.5),
        ("不处理", 0.45), ("不解决", 0.4), ("一直没解决", 0.45), ("不管", 0.3), ("占道", 0.4),
        ("乱停", 0.35), ("霸王条款", 0.5), ("不合理", 0.35), ("维权", 0.35), ("退费", 0.3),
        ("退款", 0.3), ("夜间施工", 0.45), ("太过分", 0.4), ("凭什么", 0.3), ("漏水", 0.3),
        ("质量问题", 0.4),
    ),
    HELP: (
        ("求助", 0.65), ("帮帮", 0.55), ("帮帮忙", 0.6), ("帮忙", 0.3), ("帮一下", 0.3),
        ("困难", 0.4), ("救助", 0.55), ("被困", 0.55), ("困在", 0.45), ("停水了", 0.5),
        ("停电了", 0.5), ("没水了", 0.45), ("没电了", 0.4), ("没有水", 0.4), ("没有暖气", 0.4),
        ("暖气不热", 0.4), ("抢修", 0.45), ("来修", 0.35), ("找不到", 0.4), ("走失", 0.45),
        ("迷路", 0.45), ("生活困难", 0.6), ("看不起病", 0.5), ("无家可归", 0.6), ("流浪", 0.45),
        ("急需", 0.45), ("下水道堵了", 0.4), ("堵了", 0.3), ("打不开", 0.3),
    ),
    SUGGESTION: (
        ("建议", 0.65), ("希望能", 0.3), ("能不能增设", 0.65), ("增设", 0.5), ("增加", 0.25),
        ("提议", 0.65), ("应该", 0.3), ("最好", 0.3), ("提个意见", 0.5), ("倡议", 0.5),
        ("呼吁", 0.45), ("可否", 0.3), ("加装", 0.45), ("开通", 0.35), ("延长", 0.3),
        ("优化", 0.45), ("改进", 0.45), ("完善", 0.4), ("增开", 0.5), ("多设", 0.45), ("改善", 0.3),
    ),
    REPORT: (
        ("举报", 0.7), ("违法", 0.5), ("违规", 0.45), ("偷排", 0.6), ("非法", 0.55),
        ("无证经营", 0.6), ("无照经营", 0.6), ("传销", 0.65), ("诈骗", 0.55), ("骗子", 0.4),
        ("私搭乱建", 0.5), ("违建", 0.55), ("违章建筑", 0.55), ("违法建设", 0.55),
        ("黑作坊", 0.6), ("假冒", 0.5), ("假货", 0.45), ("偷税", 0.6), ("漏税", 0.55),
        ("贿赂", 0.55), ("贪污", 0.6), ("受贿", 0.6), ("赌博", 0.55), ("吸毒", 0.55),
        ("卖淫", 0.55), ("私挖", 0.5), ("盗采", 0.55), ("非法集资", 0.7), ("过期食品", 0.45),
        ("地沟油", 0.55), ("偷倒", 0.5), ("排污", 0.45), ("直排", 0.45), ("超载", 0.4),
    ),
}  # fmt: skip
QUESTION_WEIGHT = 0.15  # a question mark or a sentence ending in 吗 is a little evidence of 咨询
# Just before a cue: the caller says it is not that (不是投诉，只是想问问).
NEGATION_BEFORE = re.compile(
    r"(?:不是|并非|并不是|不算|不想|不用|不需要|无需|没有|不要)(?:要|想|来|去|说)?$"
)
# When the scores tie, the type a 12345 centre sees most often wins.
PRIOR_ORDER = (COMPLAINT, CONSULTATION, HELP, REPORT, SUGGESTION)
MAX_CUE_CONFIDENCE = 0.85  # words alone never make a sure thing
DOUBT_CONFIDENCE = 0.35  # at most, when nothing decides
NO_CUE_CONFIDENCE = 0.2  # no cue at all: the prior alone
# Model labels a city may have trained with Chinese names.
_LABELS = {**{value: value for value in TYPES}, **{name: value for value, name in NAMES.items()}}


@dataclass(frozen=True)
class TypeGuess:
    """What `guess_type` decided, how sure it is, and the words that decided it."""

    value: str  # one of TYPES
    confidence: float  # 0..1
    reason: str  # 「“请问…怎么办理”：咨询」, or the out-of-scope explanation
    out_of_scope: str | None = None  # LITIGATION, PETITION, EMERGENCY, or None
    cues: tuple[str, ...] = ()
    is_confident: bool = field(init=False)  # False: show it as a guess to confirm

    def __post_init__(self) -> None:
        object.__setattr__(self, "is_confident", self.confidence >= 0.5)


# --- Matching -----------------------------------------------------------------------------------

_WINDOW = 8  # characters looked at before a cue
_CLAUSE_END = re.compile(r"[，,。！？!?；;：:\n]")


def _cue_pattern(cue: str) -> str:
    # The gap holds no negation: 信访局不受理 is not 信访局…受理.
    return r"[^，,。！？!?；;\n不没未]{0,8}?".join(re.escape(part) for part in cue.split("…"))


def _alternation(cues: list[str]) -> re.Pattern[str]:
    # Longer cues first, so 以上诉求 (a false friend) wins over 上诉 and 想问问 over 想问.
    ordered = sorted(cues, key=lambda cue: len(cue.replace("…", "")), reverse=True)
    return re.compile("|".join(_cue_pattern(cue) for cue in ordered))


_LITIGATION = _alternation([*FALSE_FRIENDS, *LITIGATION_CUES])
_ENFORCEMENT = _alternation([*FALSE_FRIENDS, *ENFORCEMENT_CUES])
_PETITION = _alternation([*FALSE_FRIENDS, *PETITION_CUES])
_TYPE_OF_CUE = {cue: (kind, weight) for kind, cues in TYPE_CUES.items() for cue, weight in cues}
_TYPE_CUE = _alternation(list(_TYPE_OF_CUE))
_QUESTION = re.compile(r"[?？]|吗(?=$|[，,。！!；;\n])")


def _clause_before(text: str, position: int) -> str:
    window = text[max(0, position - _WINDOW) : position]
    ends = list(_CLAUSE_END.finditer(window))
    return window[ends[-1].end() :] if ends else window


def _procedure_cue(text: str, pattern: re.Pattern[str]) -> str | None:
    """The first cue of `pattern` that is not a false friend and not cancelled before it."""
    for m in pattern.finditer(text):
        cue = m.group()
        if cue in FALSE_FRIENDS or NOT_YET_BEFORE.search(_clause_before(text, m.start())):
            continue
        return cue
    return None


def _out_of_scope(text: str) -> TypeGuess | None:
    emergency = flags(text).emergency
    if emergency:
        reason = f"{OUT_OF_SCOPE_REASONS[EMERGENCY]}：{emergency.reason}"
        return TypeGuess(OUT_OF_SCOPE, 0.9, reason, EMERGENCY, (emergency.cue,))
    cue = _procedure_cue(text, _LITIGATION)
    if cue is None and COURT_WORDS.search(text):
        cue = _procedure_cue(text, _ENFORCEMENT)
    if cue:
        reason = f"{OUT_OF_SCOPE_REASONS[LITIGATION]}（“{cue}”）"
        return TypeGuess(OUT_OF_SCOPE, 0.9, reason, LITIGATION, (cue,))
    cue = _procedure_cue(text, _PETITION)
    if cue:
        reason = f"{OUT_OF_SCOPE_REASONS[PETITION]}（“{cue}”）"
        return TypeGuess(OUT_OF_SCOPE, 0.85, reason, PETITION, (cue,))
    return None


def _cue_guess(text: str) -> TypeGuess:
    """The type the cue words point to; a low-confidence guess with DOUBT when they do not."""
    found: dict[str, dict[str, float]] = {kind: {} for kind in PRIOR_ORDER}
    for m in _TYPE_CUE.finditer(text):
        if NEGATION_BEFORE.search(_clause_before(text, m.start())):
            continue
        kind, weight = _TYPE_OF_CUE[m.group()]
        found[kind][m.group()] = weight
    if _QUESTION.search(text):
        found[CONSULTATION]["？"] = QUESTION_WEIGHT

    scores = {kind: _combined(cues.values()) for kind, cues in found.items()}
    ranked = sorted(PRIOR_ORDER, key=lambda kind: -scores[kind])  # stable: ties keep the prior
    best, runner_up = ranked[0], ranked[1]
    confidence = min(scores[best] - scores[runner_up] / 2, MAX_CUE_CONFIDENCE)
    cues = tuple(cue for cue in found[best] if cue != "？")
    if confidence < DOUBT_CONFIDENCE or not cues:
        return TypeGuess(best, round(max(confidence, NO_CUE_CONFIDENCE), 2), DOUBT, cues=cues)
    strongest = sorted(cues, key=lambda cue: -found[best][cue])[:3]
    shown = [cue for cue in cues if cue in strongest]  # in the caller's order
    reason = f"“{'…'.join(shown)}”：{NAMES[best]}"
    return TypeGuess(best, round(confidence, 2), reason, cues=cues)


def _combined(weights: Iterable[float]) -> float:
    # Independent pieces of evidence: the doubt left is the product of each one's doubt.
    doubt = 1.0
    for weight in weights:
        doubt *= 1.0 - weight
    return 1.0 - doubt


def _with_model(cue: TypeGuess, model: Classifier, text: str) -> TypeGuess:
    """The model's type when it is confident, the cues' otherwise; agreement raises confidence.

    Out of scope is never taken from the model: it knows no reason to tell the caller.
    """
    prediction = model.predict(text)
    if prediction is None:
        return cue
    label = _LABELS.get(prediction.label)
    p = float(prediction.confidence)
    if label is None or label == OUT_OF_SCOPE:
        return cue
    if not prediction.is_confident:
        # Without any cue, even a doubtful model knows more than the prior.
        return TypeGuess(label, round(p, 2), DOUBT) if cue.reason == DOUBT and not cue.cues else cue
    if cue.reason == DOUBT:
        return TypeGuess(label, round(p, 2), MODEL_REASON)
    if label == cue.value:
        confidence = min(_combined([p, cue.confidence]), 0.95)
        reason = f"{MODEL_REASON}；{cue.reason}"
        return TypeGuess(label, round(confidence, 2), reason, cues=cue.cues)
    # They disagree: the model wins when fairly sure; the winner loses a quarter of the loser's
    # confidence, so the doubt shows.
    if p >= 0.6:
        reason = f"{MODEL_REASON}（关键词{cue.reason}）"
        return TypeGuess(label, round(p - cue.confidence / 4, 2), reason, cues=cue.cues)
    reason = f"{cue.reason}（{MODEL_REASON}倾向{NAMES[label]}）"
    return TypeGuess(cue.value, round(cue.confidence - p / 4, 2), reason, cues=cue.cues)


def guess_type(text: str, model: Classifier | None = None) -> TypeGuess | None:
    """The request type of what the caller said, or out of scope with the reason.

    ``text`` may be a transcript with speaker labels (only the caller's turns are read) or a
    message. ``model`` is a trained ``nlp.classify`` classifier whose labels are the type values
    or their Chinese names; it is asked only when no out-of-scope rule applies, and an error it
    raises is its own (not hidden). Returns None for anything that is not a string, or says
    nothing but fillers, punctuation or emoji. Never raises on any text.
    """
    if not isinstance(text, str):
        return None
    said = unicodedata.normalize("NFKC", caller_text(text))
    if not strip_fillers(said):
        return None
    decided = _out_of_scope(said)
    if decided:
        return decided
    guess = _cue_guess(said)
    if model is not None:
        guess = _with_model(guess, model, said)
    if guess.reason == DOUBT:
        # Unknown or weak: keep the most likely type, but never let it look sure.
        confidence = min(guess.confidence, DOUBT_CONFIDENCE)
        return TypeGuess(guess.value, confidence, DOUBT, cues=guess.cues)
    return guess

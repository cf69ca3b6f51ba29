"""Personal data in free text: find mobile and landline numbers, ID card and bank card numbers
and names, and mask them in every text that leaves the handling chain (exports, reports, Open311).

One scan finds runs of digits (ASCII or full-width, folded one for one so offsets stay those of
the original); anchored patterns without nested quantifiers then read each run, so there is no
catastrophic backtracking. ID and bank card candidates count only when their checksum holds;
order numbers, dates, amounts and house numbers fail these rules and are left alone. Names come
from a pluggable `NameFinder`; the built-in one only trusts obvious hotline cues.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from operator import mul
from typing import Literal, Protocol

Kind = Literal["mobile", "landline", "id_card", "bank_card", "name"]
ALL_KINDS: frozenset[str] = frozenset({"mobile", "landline", "id_card", "bank_card", "name"})


@dataclass(frozen=True)
class Span:
    """One piece of personal data: `text == source[start:end]`."""

    start: int
    end: int
    kind: Kind
    text: str


class NameFinder(Protocol):
    """Anything that finds person names in a text, e.g. a statistical tagger."""

    def find(self, text: str) -> list[Span]: ...


# --- Full-width folding -------------------------------------------------------------------------

# One character for one, so offsets in a folded run are those of the original.
_FOLD: dict[int, int | str] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # ０-９ ＋ （
_FOLD[0x3000] = " "  # ideographic space
_FOLD |= dict.fromkeys((0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2212), "-")  # dashes, minus


def _fold(text: str) -> str:
    return text if text.isascii() else text.translate(_FOLD)


# --- Checksums ----------------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
# First two digits of a resident ID: provinces, plus 71/81/82/83 (Taiwan, Hong Kong, Macao).
_ID_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82 83".split()
)


def id_card_check_char(first17: str) -> str:
    """The 18th character of a resident ID (GB 11643-1999, ISO 7064 MOD 11-2)."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("an ID card check character needs the first 17 digits")
    return _ID_CHECK_CHARS[sum(map(mul, map(int, first17), _ID_WEIGHTS)) % 11]


def is_valid_id_card(number: str) -> bool:
    """True for an 18-character resident ID whose province, birth date and check character hold.

    The birth date must be a real calendar date between 1900 and 2099 (not compared with today,
    so the answer never changes with the clock).
    """
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789Xx":
        return False
    if number[:2] not in _ID_PROVINCES:
        return False
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if not 1900 <= year <= 2099:
        return False
    try:
        date(year, month, day)
    except ValueError:
        return False
    return id_card_check_char(number[:17]) == number[17].upper()


_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # a digit doubled, less 9 when over 9


def passes_luhn(digits: str) -> bool:
    """The Luhn (ISO/IEC 7812) check of bank cards: every second digit from the right doubled."""
    from_right = [int(char) for char in reversed(digits)]
    return (sum(from_right[0::2]) + sum(_DOUBLED[n] for n in from_right[1::2])) % 10 == 0


def _is_card_issuer(digits: str) -> bool:
    # Issuer prefixes of cards used in China: UnionPay 62, Visa 4, Mastercard 51-55 and 2221-2720,
    # JCB 35, old domestic 9xxx. Excludes date-like order numbers such as 2026112700000017.
    return digits[0] in "34569" or 2221 <= int(digits[:4]) <= 2720


# --- Number patterns ----------------------------------------------------------------------------

# One pass over the whole text finds runs of digits (ASCII or full-width) and separators; it starts
# with a plain character class so the scan skips ahead quickly. Only runs long enough to hold a
# phone number are folded and looked at closely.
_DIGIT = "0-9\uff10-\uff19"
_RUN_SEPARATOR = "\\- ()\u3000\uff08\uff09\uff0d\u2010-\u2014\u2212"  # dashes, spaces, brackets
_NUMBER_RUN = re.compile(f"[+\uff0b(\uff08{_DIGIT}][{_DIGIT}Xx\uff38\uff58{_RUN_SEPARATOR}]*")
_SHORTEST_NUMBER = 10  # a landline: three-digit area code and seven digits

# Run on a folded run, so ASCII classes suffice. At most one kind fits a whole number starting at
# a digit (a mobile has 11 digits, a landline starts with 0, a card has 16-19), so one pass does.
# Area codes: 010 and 02x have three digits, all others (03xx-09xx) four; local numbers 7-8 digits.
_AREA = r"0(?:10|2[0-9]|[3-9][0-9]{2})"
_NUMBER = re.compile(
    r"(?<![0-9])(?:"
    r"(?P<mobile>(?:(?:\+|00)86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2})"
    rf"|(?P<landline>(?:\({_AREA}\) ?|{_AREA}[- ]?)[2-9][0-9]{{6,7}})"
    # ID cards: 18 characters in one run. Bank cards: 16-19 digits in one run, or in groups of
    # four with single spaces or dashes.
    r"|(?P<card>[0-9]{17}[Xx]|[0-9]{16,19}|[0-9]{4}(?:[- ][0-9]{4}){3}(?:[- ][0-9]{1,3})?)"
    r")(?![0-9])"
)
_NOT_DIGIT = re.compile(r"[^0-9Xx]")
_DIGIT_CHARS = frozenset("0123456789Xx")

# When two candidates overlap, the earlier, then the longer, then the surer kind wins.
_PRIORITY = {"id_card": 0, "bank_card": 1, "mobile": 2, "landline": 3, "name": 4}


def _number_spans(text: str) -> list[Span]:
    spans = []
    for run in _NUMBER_RUN.finditer(text):
        if run.end() - run.start() < _SHORTEST_NUMBER:
            continue
        for m in _NUMBER.finditer(_fold(run.group())):
            kind = m.lastgroup
            if kind == "card":
                kind = _card_kind(m.group())
                if kind is None:
                    continue
            start, end = run.start() + m.start(), run.start() + m.end()
            spans.append(Span(start, end, kind, text[start:end]))
    return spans


def _card_kind(number: str) -> Kind | None:
    if len(number) == 18 and is_valid_id_card(number):
        return "id_card"
    digits = _NOT_DIGIT.sub("", number)
    if digits.isdigit() and _is_card_issuer(digits) and passes_luhn(digits):
        return "bank_card"
    return None


# --- Names --------------------------------------------------------------------------------------

# The hundred most common family names, then compound ones (tried first).
SURNAMES: tuple[str, ...] = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND_SURNAMES: tuple[str, ...] = (
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒", "夏侯",
)  # fmt: skip
# Words that introduce the caller's or a contact's full name.
NAME_CUES: tuple[str, ...] = (
    "我叫", "我是", "名叫", "姓名", "联系人", "来电人", "来电者", "反映人", "投诉人", "举报人",
    "申请人", "当事人",
)  # fmt: skip
# A title after a family name makes a polite form (张先生), not a full name.
TITLES: tuple[str, ...] = (
    "先生", "女士", "小姐", "老师", "师傅", "阿姨", "大爷", "大妈", "大姐", "大哥", "经理", "主任",
    "书记", "医生", "大夫", "律师", "同志", "老板", "局长", "科长", "队长", "警官", "叔叔", "奶奶",
    "爷爷", "某",
)  # fmt: skip
# What may follow a full name: not a Chinese character, a title, or a word that starts the
# next part of the call. Anything else (我是张家村的) is left alone: precision over recall.
_NAME_FOLLOWERS = TITLES + (
    "反映", "来电", "住在", "家住", "电话", "手机", "联系", "身份证", "投诉", "咨询", "举报",
    "求助", "打电话", "今年", "想问", "想咨询", "想反映", "要反映", "要投诉",
)  # fmt: skip


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_HAN = "\u4e00-\u9fff"
# The given name is matched lazily, so 我叫张三住在 gives 张三, not 张三住.
_FULL_NAME = rf"(?:{_alternation(COMPOUND_SURNAMES)}|[{''.join(SURNAMES)}])[{_HAN}]{{1,2}}?"


class CueNameFinder:
    """Full names that a hotline call introduces plainly: 我叫张三丰, 联系人：李秀英, 王建国先生.

    A family name with a title alone (张先生, 刘师傅) is a polite form and is not returned.
    Names without a cue (找了王建国) are missed; plug in a tagger through `NameFinder` for those.
    """

    _after_cue = re.compile(
        rf"(?:{_alternation(NAME_CUES)})[ \t]*[:：]?[ \t]*(?P<name>{_FULL_NAME})"
        rf"(?=[^{_HAN}]|$|{_alternation(_NAME_FOLLOWERS)})"
    )
    # Starts with the name itself, so the scan can skip to family-name characters quickly. The
    # name must not follow another Chinese character (checked in `find`): ，王建国先生 counts,
    # 了王建国先生 does not.
    _before_title = re.compile(rf"(?P<name>{_FULL_NAME})(?=[ \t]?(?:{_alternation(TITLES)}))")
    _han = re.compile(f"[{_HAN}]")

    def find(self, text: str) -> list[Span]:
        spans = {}
        for m in self._after_cue.finditer(text):
            spans[m.start("name")] = m
        for m in self._before_title.finditer(text):
            if m.start() == 0 or not self._han.match(text, m.start() - 1):
                spans[m.start("name")] = m
        return [
            Span(m.start("name"), m.end("name"), "name", m["name"])
            for _, m in sorted(spans.items())
            if _is_full_name(m["name"])
        ]


CUE_NAME_FINDER = CueNameFinder()


def _surname_length(name: str) -> int:
    return 2 if name[:2] in COMPOUND_SURNAMES else 1


def _is_full_name(name: str) -> bool:
    given = name[_surname_length(name) :]
    return bool(given) and given not in TITLES and not given.startswith("某")


# --- Public API ---------------------------------------------------------------------------------


def find(
    text: str,
    kinds: Iterable[str] = ALL_KINDS,
    name_finder: NameFinder | None = CUE_NAME_FINDER,
) -> list[Span]:
    """The personal data in `text`, in order and never overlapping.

    Refuses (ValueError) a kind it does not know. Names are looked for only when `name_finder`
    is given; pass None to mask numbers only.
    """
    kinds = frozenset(kinds)
    unknown = kinds - ALL_KINDS
    if unknown:
        raise ValueError(f"unknown kinds of personal data: {sorted(unknown)}")
    candidates = _number_spans(text) if kinds - {"name"} else []
    if "name" in kinds and name_finder is not None:
        candidates += name_finder.find(text)
    candidates.sort(key=lambda span: (span.start, span.start - span.end, _PRIORITY[span.kind]))
    spans: list[Span] = []
    covered_to = 0
    for span in candidates:
        # Overlaps are settled among all kinds first: a bank card is never half masked as a phone.
        if span.start >= covered_to:
            spans.append(span)
            covered_to = span.end
    return [span for span in spans if span.kind in kinds]


def mask(
    text: str,
    kinds: Iterable[str] = ALL_KINDS,
    name_finder: NameFinder | None = CUE_NAME_FINDER,
) -> str:
    """`text` with each piece of personal data masked, keeping what tells records apart.

    138****5678, 0393-****567 (area code and last three), 410902********123X (first six, last
    four), 6222 **** **** 1234 (first four, last four; separators as written), 张**. Every
    character hidden becomes one `*`, so the length never changes.
    """
    pieces = []
    position = 0
    for span in find(text, kinds, name_finder):
        pieces += [text[position : span.start], masked(span)]
        position = span.end
    pieces.append(text[position:])
    return "".join(pieces)


def masked(span: Span) -> str:
    """The masked form of one span (see `mask`)."""
    if span.kind == "name":
        keep = _surname_length(span.text)
        return span.text[:keep] + "*" * (len(span.text) - keep)
    folded = _fold(span.text)
    positions = [i for i, char in enumerate(folded) if char in _DIGIT_CHARS]
    if span.kind == "mobile":
        head, tail = len(positions) - 8, 4  # keeps a +86 prefix and the first three
    elif span.kind == "landline":
        head, tail = (3 if folded.lstrip("(").startswith(("010", "02")) else 4), 3
    elif span.kind == "id_card":
        head, tail = 6, 4
    else:
        head, tail = 4, 4
    hidden = positions[head : len(positions) - tail]
    if len(hidden) == hidden[-1] - hidden[0] + 1:  # one stretch without separators: the usual case
        return span.text[: hidden[0]] + "*" * len(hidden) + span.text[hidden[-1] + 1 :]
    chars = list(span.text)
    for i in hidden:
        chars[i] = "*"
    return "".join(chars)

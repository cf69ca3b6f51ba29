"""A work-order draft from what the caller said: request type, category, place, summary,
the recommended units with their reasons, and the flags; each guess with its confidence
and the words or history that support it.

Everything here runs in the web process: the city's gazetteer, the rules and the trained
models (``hotline train``) are loaded once per process and reloaded when they change. The
text understanding itself lives in ``nlp/``; this module joins it to the city's data.
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db.models import Count, Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nlp.classify import document
from nlp.flags import flags
from nlp.pii import mask
from nlp.place import Gazetteer, PlaceFinder
from nlp.request_type import guess_type
from nlp.summary import summarize

from . import versions

MAX_TEXT = 20_000
TITLE_CHARS = 40
# How operators start a transcript: "市民来电反映：" says nothing about the matter.
LEAD_IN = re.compile(
    r"^((喂|你好|您好)[，,！!]?)*((市民|来电人|群众)?(来电)?|我(要|想)?)"
    r"(反映|反应|咨询|投诉|举报|求助)(一下)?[:：，,]?"
)

_cache: dict[str, tuple] = {}

# What the operator tells a caller whose request 12345 does not take (the answer is
# recorded on the order, resolved directly).
OUT_OF_SCOPE_ANSWERS = {
    "litigation": gettext_lazy(
        "The matter is already in legal proceedings, which 12345 does not take up; please "
        "pursue it through the court or your lawyer."
    ),
    "petition": gettext_lazy(
        "The matter is already being handled as a petition (信访); please follow it up "
        "with the petition office that accepted it."
    ),
    "emergency": gettext_lazy("Transferred to the emergency service."),
}


@dataclass
class CategoryHint:
    code: str
    name: str
    reason: str
    score: int = 0
    confidence: float | None = None  # the model's calibrated probability; None: words only
    is_confident: bool = False
    path_name: str = ""


@dataclass
class UnitHint:
    code: str
    name: str
    reason: str
    co_units: list[dict] = field(default_factory=list)
    confidence: float | None = None


@dataclass
class Draft:
    title: str = ""
    summary: dict = field(default_factory=dict)
    request_type: dict | None = None
    area_code: str | None = None
    area_name: str | None = None
    address: str | None = None
    lat: float | None = None
    lng: float | None = None
    is_outside_home: bool = False
    place_confidence: float = 0.0
    categories: list[CategoryHint] = field(default_factory=list)
    units: list[UnitHint] = field(default_factory=list)
    urgency: str = "normal"
    emergency: dict | None = None
    is_enterprise: bool = False
    is_confidential: bool = False
    abuse: int = 0
    emotion: float = 0.0
    suggested_answer: str = ""  # what to tell a caller whose request is out of scope
    model_version: int | None = None
    notes: list[str] = field(default_factory=list)  # what could not be determined, and flags
    elapsed_ms: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def place_finder() -> PlaceFinder:
    """The finder over the city's areas and named places, rebuilt when they change (or a
    minute later at most, for an edit that changes no count)."""
    from hotline.orgs.models import Area, Place

    stamp = (
        *Area.objects.aggregate(n=Count("id"), last=Max("id")).values(),
        *Place.objects.filter(is_active=True).aggregate(n=Count("id"), last=Max("id")).values(),
        int(time.monotonic() // 60),
    )
    cached = _cache.get("places")
    if cached and cached[0] == stamp:
        return cached[1]
    rows = Area.objects.values("code", "name", "level", "parent__code", "lat", "lng")
    areas = [{**row, "parent": row.pop("parent__code")} for row in rows]
    places = [
        {**row, "area": row.pop("area__code"), "aliases": row["aliases"].split()}
        for row in Place.objects.filter(is_active=True).values(
            "name", "kind", "area__code", "lat", "lng", "aliases"
        )
    ]
    finder = PlaceFinder(Gazetteer.from_records(areas, places), settings.HOTLINE_CITY_CODE)
    _cache["places"] = (stamp, finder)
    return finder


def rule_keywords() -> list[tuple[int, str, str, tuple[str, ...]]]:
    """(rule number, category code, category name, keywords) of the active rules."""
    from hotline.orgs.models import ResponsibilityRule

    rules = ResponsibilityRule.objects.filter(is_active=True).exclude(category=None)
    stamp = tuple(rules.aggregate(n=Count("id"), last=Max("id")).values())
    cached = _cache.get("rules")
    if cached and cached[0] == stamp:
        return cached[1]
    found = [
        (rule.number, rule.category.code, rule.category.name, tuple(rule.keywords.split()))
        for rule in rules.select_related("category")
        if rule.keywords.strip()
    ]
    _cache["rules"] = (stamp, found)
    return found


def suggest_categories(text: str, limit: int = 3) -> list[CategoryHint]:
    """Categories whose rules' keywords the caller used, the most words first."""
    best: dict[str, CategoryHint] = {}
    for number, code, name, keywords in rule_keywords():
        used = [word for word in keywords if word in text]
        if not used:
            continue
        hint = best.get(code)
        if hint is None or len(used) > hint.score:
            reason = _("words %(words)s (responsibility list item %(number)s)") % {
                "words": "、".join(used),
                "number": number,
            }
            best[code] = CategoryHint(code, name, reason, len(used))
    return sorted(best.values(), key=lambda hint: -hint.score)[:limit]


def title_of(text: str) -> str:
    """The first sentence of what was said, personal data masked, cut to a title's length
    at a comma where one is near the end."""
    first = re.split(r"[。！？!?\n]", text.strip(), maxsplit=1)[0].strip()
    first = mask(LEAD_IN.sub("", first))
    if len(first) <= TITLE_CHARS:
        return first
    cut = max(first.rfind(mark, 0, TITLE_CHARS) for mark in "，,；;")
    return first[:cut] if cut >= TITLE_CHARS // 2 else first[:TITLE_CHARS]


def warm_up() -> None:
    """Load the gazetteer and the models before the first call needs them (a second or
    two, once per process), and draft one sentence so every import is done."""
    from django.db import connection

    try:
        draft("华龙区中原路街道有人反映路灯不亮")
    finally:
        connection.close()


def draft(text: str) -> Draft:
    """Everything the intake form can be filled with from ``text``; never raises on text."""
    started = time.perf_counter()
    text = (text or "")[:MAX_TEXT]
    result = Draft()
    if not text.strip():
        result.notes.append(_("Nothing was said yet."))
        return result
    number, models = versions.live()
    result.model_version = number
    summary = summarize(text)
    result.summary = asdict(summary)
    said = summary_source(text)
    result.title = title_of(summary.what or said)
    area = fill_place(result, said)
    found = flags(said)  # an operator's "如有危险请拨打110" is no emergency
    if found.emergency:
        result.emergency = {
            "service": found.emergency.service,
            "cue": found.emergency.cue,
            "reason": found.emergency.reason,
        }
        result.urgency = "critical"
    result.is_enterprise = found.is_enterprise
    result.is_confidential = found.is_confidential
    result.abuse, result.emotion = found.abuse, found.emotion
    note_flags(result, found)
    fill_request_type(result, said, models.get("request_type"))
    category = fill_categories(result, said, models.get("category"))
    fill_units(result, said, category, area, models.get("unit"))
    result.elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    return result


UPSET = 0.6  # emotion from which the operator is reminded to calm the caller


def note_flags(result: Draft, found) -> None:
    """The flags an operator must act on, in words, with the caller's own cue."""
    if found.abuse:
        result.notes.append(
            _("Abusive words (%(words)s): warn the caller; record the call if it goes on.")
            % {"words": "、".join(found.abuse_words)}
        )
    if found.emotion >= UPSET:
        result.notes.append(
            _("The caller is upset (%(cues)s): calm them, and mark the order urgent if needed.")
            % {"cues": "、".join(found.emotion_cues)}
        )
    if found.is_enterprise:
        result.notes.append(
            _("An enterprise's request (%(cue)s): it goes to the enterprise desk.")
            % {"cue": found.enterprise_cue}
        )
    if found.is_confidential:
        result.notes.append(
            _("The caller asks for confidentiality (%(cue)s).") % {"cue": found.confidential_cue}
        )


def summary_source(text: str) -> str:
    """What the caller said: a transcript's operator turns teach nothing about the matter."""
    from nlp.summary import caller_text

    return caller_text(text) or text


def fill_place(result: Draft, text: str):
    from hotline.orgs.models import Area

    place = place_finder().find(text)
    result.address = place.address
    result.is_outside_home = place.is_outside_home
    result.place_confidence = place.confidence
    if place.area_code and not place.is_outside_home:
        area = Area.objects.filter(code=place.area_code).first()
        if area:
            result.area_code, result.area_name = area.code, area.name
            result.lat, result.lng = place.lat, place.lng
            return area
    if place.is_outside_home:
        result.notes.append(_("The place is outside this city."))
    else:
        result.notes.append(_("No place could be determined."))
    return None


def fill_request_type(result: Draft, text: str, model) -> None:
    from hotline.orgs.models import RequestType

    guess = guess_type(text, model)
    if guess is None:
        result.notes.append(_("No request type could be determined; choose one."))
        return
    if result.emergency and guess.out_of_scope is None:
        guess_value, out_of_scope = RequestType.OUT_OF_SCOPE, "emergency"
        reason, confidence = result.emergency["reason"], 0.9
    else:
        guess_value, out_of_scope = guess.value, guess.out_of_scope
        reason, confidence = guess.reason, guess.confidence
    result.request_type = {
        "value": guess_value,
        "label": str(RequestType(guess_value).label),
        "confidence": round(confidence, 2),
        "is_confident": confidence >= 0.5,
        "reason": reason,
        "out_of_scope": out_of_scope,
    }
    if out_of_scope:
        result.notes.append(_("Out of scope: %(reason)s") % {"reason": reason})
        result.suggested_answer = str(OUT_OF_SCOPE_ANSWERS.get(out_of_scope, ""))


def fill_categories(result: Draft, text: str, model):
    """The model's most likely categories, with the rule keywords that agree; without a
    model, the keywords alone. Returns the best category (or None)."""
    from hotline.orgs.models import Category

    by_words = {hint.code: hint for hint in suggest_categories(text)}
    hints: list[CategoryHint] = []
    prediction = model.predict(text) if model else None
    if prediction:
        for code, probability in prediction.ranked[:3]:
            if probability < 0.05 and hints:
                break
            reason = _("similar to %(share)s of the history (model)") % {
                "share": f"{probability:.0%}"
            }
            words = by_words.pop(code, None)
            if words:
                reason = f"{reason}; {words.reason}"
            hints.append(
                CategoryHint(
                    code,
                    "",
                    reason,
                    confidence=round(probability, 2),
                    is_confident=probability >= model.min_confidence,
                )
            )
    hints.extend(by_words.values())
    nodes = {
        c.code: c for c in Category.objects.filter(code__in=[h.code for h in hints], is_active=True)
    }
    names = dict(
        Category.objects.filter(
            code__in={code for c in nodes.values() for code in c.path.split("/")}
        ).values_list("code", "name")
    )
    result.categories = []
    for hint in hints:
        node = nodes.get(hint.code)
        if node is None:  # a category retired since the model was trained
            continue
        hint.name = node.name
        hint.path_name = " › ".join(names.get(code, code) for code in node.path.split("/"))
        result.categories.append(hint)
    result.categories = result.categories[:4]
    if not result.categories:
        result.notes.append(_("No category could be determined; choose one."))
        return None
    if result.categories[0].confidence is not None and not result.categories[0].is_confident:
        result.notes.append(_("The category is a guess of low confidence; check it."))
    return nodes[result.categories[0].code]


def learned_unit(text: str, model=None) -> tuple[str, str, float] | None:
    """(unit code, reason, confidence) of the lead unit the model learnt for texts like
    this one, when it is confident; None otherwise (or before the first training)."""
    if model is None:
        model = versions.live()[1].get("unit")
    prediction = model.predict(text) if model else None
    if not prediction or not prediction.is_confident:
        return None
    reason = _("similar past orders were mostly handled by this unit (%(share)s)") % {
        "share": f"{prediction.confidence:.0%}"
    }
    return prediction.label, reason, prediction.confidence


def with_learned_unit(order, recommendations: list) -> list:
    """The dispatcher's recommendations for ``order`` (rules and recent history) plus what
    the lead-unit model learnt from similar past orders."""
    return add_learned(recommendations, learned_unit(document(order.title, order.content)))


def add_learned(recommendations: list, learned: tuple[str, str, float] | None) -> list:
    """A reason more for the unit the model learnt when it is already recommended, else
    that unit as one more recommendation."""
    from hotline.orders.routing import Recommendation
    from hotline.orgs.models import Unit

    if not learned:
        return recommendations
    code, reason, _confidence = learned
    for recommendation in recommendations:
        if recommendation.lead_unit.code == code:
            recommendation.reasons.append(reason)
            return recommendations
    unit = Unit.objects.filter(code=code, is_active=True).first()
    if unit:
        recommendations.append(Recommendation(lead_unit=unit, reasons=[reason]))
    return recommendations


def fill_units(result: Draft, text: str, category, area, model) -> None:
    """The responsibility list and recent history for the best category and place, then
    what the lead-unit model learnt from similar past orders."""
    from hotline.orders.routing import recommend_for

    learned = learned_unit(text, model)
    recommendations = add_learned(recommend_for(category, area) if category else [], learned)
    result.units = [
        UnitHint(
            r.lead_unit.code,
            r.lead_unit.name,
            r.reason,
            co_units=[{"code": u.code, "name": u.name} for u in r.co_units],
            confidence=learned[2] if learned and learned[0] == r.lead_unit.code else None,
        )
        for r in recommendations[:4]
    ]
    if not result.units:
        result.notes.append(_("No unit could be recommended; the dispatcher will choose."))

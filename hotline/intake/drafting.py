"""A work-order draft from what the caller said: the place, the flags, a title, and the
categories the responsibility list's keywords point to, with the words that point there.

Everything here runs in the web process in a few milliseconds; the city's gazetteer and the
rules are read once and reloaded when they change. The trained classifier joins this draft
when ``hotline train`` exists (next step of the intelligent-intake issue).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from nlp.flags import flags
from nlp.pii import mask
from nlp.place import Gazetteer, PlaceFinder

MAX_TEXT = 20_000
TITLE_CHARS = 40
# How operators start a transcript: "市民来电反映：" says nothing about the matter.
LEAD_IN = re.compile(r"^(市民|来电人|群众)?(来电)?(反映|反应|咨询|投诉|举报|求助)[:：，,]?")

_cache: dict[str, tuple] = {}


@dataclass
class CategoryHint:
    code: str
    name: str
    reason: str
    score: int


@dataclass
class Draft:
    title: str = ""
    area_code: str | None = None
    area_name: str | None = None
    address: str | None = None
    lat: float | None = None
    lng: float | None = None
    is_outside_home: bool = False
    place_confidence: float = 0.0
    categories: list[CategoryHint] = field(default_factory=list)
    urgency: str = "normal"
    emergency: dict | None = None
    is_enterprise: bool = False
    is_confidential: bool = False
    abuse: int = 0
    emotion: float = 0.0
    notes: list[str] = field(default_factory=list)  # what could not be determined, and flags

    def as_dict(self) -> dict:
        return asdict(self)


def place_finder() -> PlaceFinder:
    """The finder over the city's areas, rebuilt when the areas change."""
    from hotline.orgs.models import Area

    stamp = tuple(Area.objects.aggregate(n=Count("id"), last=Max("id")).values())
    cached = _cache.get("places")
    if cached and cached[0] == stamp:
        return cached[1]
    rows = Area.objects.values("code", "name", "level", "parent__code", "lat", "lng")
    areas = [{**row, "parent": row.pop("parent__code")} for row in rows]
    finder = PlaceFinder(Gazetteer.from_records(areas), settings.HOTLINE_CITY_CODE)
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
    """The first sentence of what was said, personal data masked, cut to a title's length."""
    first = re.split(r"[。！？!?\n]", text.strip(), maxsplit=1)[0].strip()
    first = LEAD_IN.sub("", first)
    return mask(first)[:TITLE_CHARS]


def draft(text: str) -> Draft:
    """Everything the intake form can be filled with from ``text``; never raises on text."""
    text = (text or "")[:MAX_TEXT]
    result = Draft()
    if not text.strip():
        result.notes.append(_("Nothing was said yet."))
        return result
    result.title = title_of(text)
    place = place_finder().find(text)
    result.address = place.address
    result.is_outside_home = place.is_outside_home
    result.place_confidence = place.confidence
    if place.area_code and not place.is_outside_home:
        from hotline.orgs.models import Area

        area = Area.objects.filter(code=place.area_code).only("name").first()
        result.area_code, result.area_name = place.area_code, area.name if area else None
        result.lat, result.lng = place.lat, place.lng
    elif place.is_outside_home:
        result.notes.append(_("The place is outside this city."))
    else:
        result.notes.append(_("No place could be determined."))
    result.categories = suggest_categories(text)
    if not result.categories:
        result.notes.append(_("No category could be determined; choose one."))
    found = flags(text)
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
    return result

"""Which unit should handle an order: the responsibility list, the place, and history.

Each recommendation carries its reason in words, so the dispatcher can judge it. The
intelligent intake will add what the text says; this module answers from the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.orgs.models import Area, Category, ResponsibilityRule, Unit

from .lifecycle import Status
from .models import WorkOrder

HISTORY_DAYS = 30


@dataclass
class Recommendation:
    lead_unit: Unit
    co_units: list[Unit] = field(default_factory=list)
    rule: ResponsibilityRule | None = None
    reasons: list[str] = field(default_factory=list)
    closed_recently: int = 0

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def rule_matches(rule: ResponsibilityRule, area_codes: set[str]) -> bool:
    """A rule applies city-wide (no areas) or where one of its areas contains the place;
    when the place is unknown, every rule of the category is a candidate."""
    rule_areas = {a.code for a in rule.areas.all()}
    return not rule_areas or not area_codes or bool(rule_areas & area_codes)


def recommend(
    order: WorkOrder, now: datetime | None = None, limit: int = 3
) -> list[Recommendation]:
    """The units best placed to lead ``order``, best first (at most ``limit``)."""
    return recommend_for(order.category, order.area, now, limit, exclude_pk=order.pk)


def recommend_for(
    category: Category | None,
    area: Area | None,
    now: datetime | None = None,
    limit: int = 3,
    exclude_pk: int | None = None,
) -> list[Recommendation]:
    """The units best placed to lead an order of ``category`` at ``area`` (a draft has
    no order yet), best first.

    The most specific category rule that applies to the place comes first (a rule for
    the district beats a city-wide one); then the units that closed most orders of the
    same category in the last 30 days, with how many of those callers were satisfied.
    """
    now = now or timezone.now()
    recommendations: dict[int, Recommendation] = {}
    area_codes = set(area.path.split("/")) if area else set()
    if category:
        category_codes = [code for code in category.path.split("/") if code]
        rules = (
            ResponsibilityRule.objects.filter(is_active=True, category__code__in=category_codes)
            .select_related("lead_unit", "category")
            .prefetch_related("areas", "co_units")
        )
        depth = {code: i for i, code in enumerate(category_codes)}
        ranked = sorted(
            (r for r in rules if rule_matches(r, area_codes) and r.lead_unit.is_active),
            key=lambda r: (-depth[r.category.code], not r.areas.all(), r.number),
        )
        for rule in ranked:
            if rule.lead_unit_id in recommendations:
                continue
            reasons = [
                _("Responsibility list item %(number)s: %(matter)s → %(unit)s")
                % {"number": rule.number, "matter": rule.matter, "unit": rule.lead_unit.name}
            ]
            rule_areas = "、".join(area.name for area in rule.areas.all())
            if rule_areas and area:
                reasons.append(_("the place is in %(area)s") % {"area": area.name})
            elif rule_areas:
                reasons.append(
                    _("the place is not known yet; this rule applies in %(areas)s")
                    % {"areas": rule_areas}
                )
            recommendations[rule.lead_unit_id] = Recommendation(
                lead_unit=rule.lead_unit,
                co_units=[u for u in rule.co_units.all() if u.is_active],
                rule=rule,
                reasons=reasons,
            )
        history = WorkOrder.objects.filter(
            category_id=category.pk,
            status=Status.CLOSED,
            closed_at__gte=now - timedelta(days=HISTORY_DAYS),
            lead_unit__isnull=False,
        )
        if exclude_pk:
            history = history.exclude(pk=exclude_pk)
        if area:
            # Same district: units differ between districts more than within one.
            district = "/".join(area.path.split("/")[:2])
            history = history.filter(
                Q(area__path=district) | Q(area__path__startswith=f"{district}/")
            )
        history = (
            history.values("lead_unit")
            .annotate(n=Count("id"), satisfied=Count("id", filter=Q(is_satisfied=True)))
            .order_by("-n")[:limit]
        )
        for row in history:
            text = _(
                "%(n)s orders of this category closed by this unit in the last %(days)s days"
            ) % {
                "n": row["n"],
                "days": HISTORY_DAYS,
            }
            if row["satisfied"]:
                text += _(", %(satisfied)s of those callers satisfied") % {
                    "satisfied": row["satisfied"]
                }
            found = recommendations.get(row["lead_unit"])
            if found is None:
                unit = Unit.objects.filter(pk=row["lead_unit"], is_active=True).first()
                if unit is None:
                    continue
                found = recommendations[unit.pk] = Recommendation(lead_unit=unit)
            found.closed_recently = row["n"]
            found.reasons.append(text)
    return list(recommendations.values())[:limit]

"""The hotline's indicators (三率 and more), each formula defined once, here.

Every indicator is a ratio of two counts of orders, written as filters on the moments that
``transition()`` derives from the history. The same definitions feed the API, the console
and the reports, and their formulas are shown to users next to the numbers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from hotline.orgs.models import Area, Category, Unit

from .lifecycle import Status
from .models import Closure

# Merged and transferred orders are not the centre's own work: they count nowhere.
COUNTED = ~Q(status__in=[Status.MERGED, Status.TRANSFERRED])


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Any
    formula: Any
    numerator: Q
    denominator: Q


def definitions(now: datetime) -> list[Indicator]:
    sign_clock_decided = Q(accepted_at__isnull=False) | Q(sign_due_at__lt=now)
    every = [
        Indicator(
            "response_rate",
            _("Response rate"),  # 响应率
            _(
                "orders signed for within the sign-for limit ÷ dispatched orders whose "
                "sign-for limit has passed or that were signed for"
            ),
            Q(is_accepted_on_time=True),
            Q(dispatched_at__isnull=False) & sign_clock_decided,
        ),
        Indicator(
            "on_time_rate",
            _("On-time rate"),  # 按时办结率
            _("replies within the handling limit (after extensions) ÷ replied orders"),
            Q(is_replied_on_time=True),
            Q(replied_at__isnull=False),
        ),
        Indicator(
            "resolution_rate",
            _("Resolution rate"),  # 解决率
            _(
                "callbacks where the caller says the problem is resolved ÷ callbacks that "
                "reached the caller"
            ),
            Q(is_resolved=True),
            Q(is_resolved__isnull=False),
        ),
        Indicator(
            "satisfaction_rate",
            _("Satisfaction rate"),  # 满意率
            _("callbacks where the caller is satisfied ÷ callbacks that reached the caller"),
            Q(is_satisfied=True),
            Q(is_satisfied__isnull=False),
        ),
        Indicator(
            "closure_rate",
            _("Closure rate"),  # 办结率
            _("closed orders ÷ registered orders (merged and transferred not counted)"),
            Q(status=Status.CLOSED),
            Q(),
        ),
        Indicator(
            "direct_resolution_rate",
            _("Direct resolution rate"),  # 直办率
            _("orders resolved directly at intake ÷ registered orders"),
            Q(closure=Closure.DIRECT),
            Q(),
        ),
        Indicator(
            "overdue_rate",
            _("Overdue rate"),  # 超期率
            _("orders now overdue or replied late ÷ dispatched orders"),
            Q(is_overdue=True) | Q(is_replied_on_time=False),
            Q(dispatched_at__isnull=False),
        ),
    ]
    chosen = settings.HOTLINE_INDICATORS
    return [i for i in every if not chosen or i.code in chosen]


class Value(Schema):
    numerator: int
    denominator: int
    rate: float | None


class Group(Schema):
    key: str
    name: str
    total: int
    values: dict[str, Value]


class Definition(Schema):
    code: str
    label: str
    formula: str


class IndicatorReport(Schema):
    start: date | None
    end: date
    group_by: str
    definitions: list[Definition]
    groups: list[Group]


def period_start(day: date, period: str) -> date:
    """The first day of the ``period`` (day, week from Monday, month, year) holding ``day``."""
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "year":
        return day.replace(month=1, day=1)
    return day


def rollup(group_by: str, period: str, keys: set[Any]) -> tuple[dict[Any, str], dict[str, str]]:
    """Map each raw key to the key it counts under, and those keys to display names.

    Areas roll up to their district, categories to their first level, days to the period.
    """
    if group_by == "unit":
        names = dict(Unit.objects.filter(pk__in=keys).values_list("pk", "name"))
        return {k: str(k) for k in keys}, {str(k): names.get(k, "—") for k in keys}
    if group_by in ("area", "category"):
        model = Area if group_by == "area" else Category
        depth = 1 if group_by == "category" else 2
        paths = dict(model.objects.filter(pk__in=keys).values_list("pk", "path"))
        top = {k: paths[k].split("/")[:depth][-1] for k in keys if k in paths}
        names = dict(model.objects.filter(code__in=set(top.values())).values_list("code", "name"))
        return top, names
    if group_by == "period":
        starts = {k: period_start(k, period).isoformat() for k in keys}
        return starts, {v: v for v in starts.values()}
    return {k: k for k in keys}, {k: str(_("All")) for k in keys}


GROUP_FIELDS = {
    "unit": "lead_unit_id",
    "area": "area_id",
    "category": "category_id",
    "period": "registered_on",
    "none": None,
}


def report(
    orders: QuerySet,
    *,
    group_by: str = "none",
    period: str = "month",
    start: date | None = None,
    end: date | None = None,
    now: datetime | None = None,
) -> dict:
    """Every indicator over ``orders`` registered between ``start`` and ``end`` (local dates)."""
    now = now or timezone.now()
    end = end or timezone.localdate()
    items = definitions(now)
    orders = orders.filter(COUNTED, registered_on__lte=end)
    if start:
        orders = orders.filter(registered_on__gte=start)
    counts = {"total": Count("id")}
    for item in items:
        counts[f"{item.code}__num"] = Count("id", filter=item.denominator & item.numerator)
        counts[f"{item.code}__den"] = Count("id", filter=item.denominator)
    group_field = GROUP_FIELDS[group_by]
    if group_field:
        rows = list(orders.order_by().values(group_field).annotate(**counts))
    else:
        rows = [{**orders.aggregate(**counts), "key": "all"}]
        group_field = "key"

    key_of, names = rollup(group_by, period, {r[group_field] for r in rows} - {None})
    merged: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        key = key_of.get(row[group_field], "—")
        for name, value in row.items():
            if name != group_field:
                merged[key][name] += value or 0

    groups = []
    for key in sorted(merged):
        row = merged[key]
        values = {}
        for item in items:
            numerator, denominator = row[f"{item.code}__num"], row[f"{item.code}__den"]
            values[item.code] = {
                "numerator": numerator,
                "denominator": denominator,
                "rate": round(numerator / denominator, 4) if denominator else None,
            }
        groups.append(
            {
                "key": str(key),
                "name": names.get(key, str(_("No value"))),
                "total": row["total"],
                "values": values,
            }
        )
    return {
        "start": start,
        "end": end,
        "group_by": group_by,
        "definitions": [
            {"code": i.code, "label": str(i.label), "formula": str(i.formula)} for i in items
        ],
        "groups": groups,
    }

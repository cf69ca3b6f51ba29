"""API of deadlines: what a deadline would be, and the working calendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from hotline.errors import HotlineError
from hotline.orgs.api import by_code
from hotline.orgs.models import Area, Category

from .calendar import LOCAL, calendar_warnings, is_workday, is_year_known
from .policies import Subject, deadlines_for

router = Router(tags=["deadlines"])


class PreviewOut(Schema):
    start: datetime
    sign_due_at: datetime
    sign_policy: str
    handle_due_at: datetime
    handle_policy: str
    warnings: list[str]


def path_of(node) -> str:
    return node.path if node else ""


@router.get("/preview", response=PreviewOut)
def preview(
    request,
    request_type: str,
    urgency: str = "normal",
    category: str | None = None,
    area: str | None = None,
    start: datetime | None = None,
):
    """What the deadlines of a request dispatched at ``start`` (default: now) would be."""
    start = start or timezone.now()
    if start.tzinfo is None:
        start = start.replace(tzinfo=LOCAL)
    subject = Subject(
        request_type=request_type,
        urgency=urgency,
        category_path=path_of(by_code(Category, category, "category")),
        area_path=path_of(by_code(Area, area, "area")),
    )
    limits = deadlines_for(subject, start)
    return {
        "start": start,
        "sign_due_at": limits.sign_due_at,
        "sign_policy": limits.sign_policy.name,
        "handle_due_at": limits.handle_due_at,
        "handle_policy": limits.handle_policy.name,
        "warnings": calendar_warnings(start, limits.handle_due_at),
    }


class CalendarOut(Schema):
    year: int
    is_known: bool
    non_working_weekdays: list[date]
    working_weekend_days: list[date]


@router.get("/calendar/{year}", response=CalendarOut)
def calendar_year(request, year: int):
    """The year's holidays on weekdays and make-up working days on weekends."""
    if not 2000 <= year <= 2100:
        raise HotlineError("invalid_year", _("Give a year between 2000 and 2100."))
    day, holidays, makeup = date(year, 1, 1), [], []
    while day.year == year:
        working = is_workday(day)
        if day.weekday() < 5 and not working:
            holidays.append(day)
        elif day.weekday() >= 5 and working:
            makeup.append(day)
        day += timedelta(days=1)
    return {
        "year": year,
        "is_known": is_year_known(year),
        "non_working_weekdays": holidays,
        "working_weekend_days": makeup,
    }

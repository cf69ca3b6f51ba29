"""The Chinese working calendar and working-time arithmetic.

Public holidays and make-up working days (调休) come from the maintained
``chinesecalendar`` package; the administrator's ``CalendarDay`` overrides win over it.
A year that neither knows is counted Monday to Friday, with a warning, until the
administrator enters it.
"""

from __future__ import annotations

import logging
import time as monotonic_clock
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from .models import CalendarDay, LimitUnit

log = logging.getLogger("hotline.deadlines")
LOCAL = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)
OVERRIDE_CACHE_SECONDS = 60


@dataclass
class Overrides:
    days: dict[date, bool]
    years: frozenset[int]
    loaded_at: float
    # Answers already worked out, forgotten with the overrides they depend on.
    known: dict[date, bool] = field(default_factory=dict)


_overrides: Overrides | None = None
_warned_years: set[int] = set()


def overrides() -> Overrides:
    """The administrator's calendar days, cached briefly in the process."""
    global _overrides
    now = monotonic_clock.monotonic()
    if _overrides is None or now - _overrides.loaded_at > OVERRIDE_CACHE_SECONDS:
        days = dict(CalendarDay.objects.values_list("date", "is_workday"))
        _overrides = Overrides(days, frozenset(d.year for d in days), now)
    return _overrides


@receiver([post_save, post_delete], sender=CalendarDay)
def forget_overrides(**kwargs) -> None:
    global _overrides
    _overrides = None


def package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_year_known(year: int) -> bool:
    return year in overrides().years or package_knows(year)


def unknown_years(first: date, last: date) -> list[int]:
    """Years in the range whose holidays nobody has told us (counted Monday to Friday)."""
    return [y for y in range(first.year, last.year + 1) if not is_year_known(y)]


def calendar_warnings(start: datetime, end: datetime) -> list[str]:
    """Messages for the years from ``start`` to ``end`` that are counted Monday to Friday."""
    return [
        str(
            _(
                "No holiday schedule for %(year)s yet: Monday to Friday are counted as working "
                "days until the administrator enters it."
            )
            % {"year": year}
        )
        for year in unknown_years(local(start).date(), local(end).date())
    ]


def is_workday(day: date) -> bool:
    entered = overrides()
    answer = entered.known.get(day)
    if answer is None:
        answer = entered.known[day] = workday_by_rules(day, entered)
    return answer


def workday_by_rules(day: date, entered: Overrides) -> bool:
    """An entered day wins; then the State Council's calendar; then Monday to Friday.

    A local holiday entered for a year the package knows keeps that year's national
    holidays; a year it does not know is counted Monday to Friday except the days entered.
    """
    if day in entered.days:
        return entered.days[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years and day.year not in entered.years:
            _warned_years.add(day.year)
            log.warning(
                "No holiday schedule for %s: counting Monday to Friday as working days. "
                "Enter the year's holidays and make-up days in the calendar overrides.",
                day.year,
            )
        return day.weekday() < 5


def local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL)


def add_working_days(start: datetime, days: int) -> datetime:
    """The end of the ``days``-th working day after the day of ``start``."""
    day = local(start).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_workday(day):
            counted += 1
    return datetime.combine(day, END_OF_DAY, tzinfo=LOCAL)


def working_windows() -> list[tuple[time, time]]:
    return [
        (time.fromisoformat(begin), time.fromisoformat(end))
        for begin, end in settings.HOTLINE_WORKING_HOURS
    ]


def add_working_hours(start: datetime, hours: int) -> datetime:
    """The moment when ``hours`` of working time (within working hours) have passed."""
    remaining = timedelta(hours=hours)
    cursor = local(start)
    windows = working_windows()
    while True:
        if is_workday(cursor.date()):
            for begin, end in windows:
                window_start = datetime.combine(cursor.date(), begin, tzinfo=LOCAL)
                window_end = datetime.combine(cursor.date(), end, tzinfo=LOCAL)
                if cursor >= window_end:
                    continue
                from_moment = max(cursor, window_start)
                available = window_end - from_moment
                if available >= remaining:
                    return from_moment + remaining
                remaining -= available
                cursor = window_end
        cursor = datetime.combine(cursor.date() + timedelta(days=1), time(0), tzinfo=LOCAL)


def add_limit(start: datetime, amount: int, unit: str) -> datetime:
    """The deadline ``amount`` ``unit`` after ``start``, on the working calendar."""
    if unit == LimitUnit.WORKING_DAYS:
        return add_working_days(start, amount)
    if unit == LimitUnit.WORKING_HOURS:
        return add_working_hours(start, amount)
    if unit == LimitUnit.NATURAL_DAYS:
        return start + timedelta(days=amount)
    if unit == LimitUnit.NATURAL_HOURS:
        return start + timedelta(hours=amount)
    raise ValueError(f"unknown time-limit unit {unit!r}")

"""Working-time arithmetic on the Chinese calendar, across holidays and 调休 weekends."""

from datetime import date

import pytest

from hotline.deadlines.calendar import (
    add_limit,
    add_working_days,
    add_working_hours,
    calendar_warnings,
    is_workday,
    is_year_known,
)
from hotline.deadlines.models import CalendarDay, LimitUnit
from tests.factories import at

pytestmark = pytest.mark.django_db


def test_spring_festival_2026_is_not_working_time():
    assert not is_workday(date(2026, 2, 16))  # 除夕 eve week
    assert not is_workday(date(2026, 2, 23))  # last day of the 9-day break


def test_make_up_saturdays_of_spring_festival_2026_are_working_days():
    assert is_workday(date(2026, 2, 14))
    assert is_workday(date(2026, 2, 28))


def test_three_working_days_from_friday_before_spring_festival_count_the_make_up_saturday():
    # Fri 13 Feb: Sat 14 (调休) is day 1, then the break 15-23 Feb, Tue 24 day 2, Wed 25 day 3.
    due = add_working_days(at("2026-02-13 10:00"), 3)
    assert due == at("2026-02-25 23:59:59")


def test_working_days_across_national_day_2026():
    # Tue 29 Sep: Wed 30 Sep day 1; 1-7 Oct holiday; Thu 8, Fri 9 are days 2-3;
    # Sat 10 Oct is a make-up working day (day 4).
    assert is_workday(date(2026, 10, 10))
    assert not is_workday(date(2026, 10, 5))
    assert add_working_days(at("2026-09-29 16:00"), 4) == at("2026-10-10 23:59:59")


def test_working_hours_skip_lunch_nights_and_holidays():
    # 16:30 on the last working day before National Day: 1 hour today, the rest after the break.
    due = add_working_hours(at("2026-09-30 16:30"), 3)
    assert due == at("2026-10-08 10:30")


def test_working_hours_skip_the_lunch_break():
    assert add_working_hours(at("2026-11-25 11:00"), 2) == at("2026-11-25 14:30")


def test_natural_hours_ignore_the_calendar():
    assert add_limit(at("2026-10-01 10:00"), 24, LimitUnit.NATURAL_HOURS) == at("2026-10-02 10:00")


def test_year_the_package_does_not_know_counts_monday_to_friday_and_warns(caplog):
    assert not is_year_known(2027)
    assert is_workday(date(2027, 1, 4))  # a Monday
    assert not is_workday(date(2027, 1, 2))  # a Saturday
    warnings = calendar_warnings(at("2026-12-30 09:00"), at("2027-01-10 09:00"))
    assert len(warnings) == 1 and "2027" in warnings[0]


def test_administrator_overrides_make_a_new_year_known_and_win():
    CalendarDay.objects.create(date=date(2027, 1, 1), is_workday=False, name="元旦")
    CalendarDay.objects.create(date=date(2027, 2, 6), is_workday=True, name="春节调休")
    assert is_year_known(2027)
    assert not is_workday(date(2027, 1, 1))  # a Friday made a holiday
    assert is_workday(date(2027, 2, 6))  # a Saturday made a working day
    assert is_workday(date(2027, 1, 4))
    assert calendar_warnings(at("2027-01-01 09:00"), at("2027-03-01 09:00")) == []


def test_override_wins_over_the_package_in_a_known_year():
    CalendarDay.objects.create(date=date(2026, 11, 27), is_workday=False, name="本地假日")
    assert not is_workday(date(2026, 11, 27))


def test_a_local_holiday_keeps_the_national_holidays_of_its_year():
    CalendarDay.objects.create(date=date(2026, 11, 27), is_workday=False, name="本地假日")
    assert not is_workday(date(2026, 10, 1))  # 国庆节 still a holiday
    assert is_workday(date(2026, 2, 14))  # and the make-up Saturday still a working day

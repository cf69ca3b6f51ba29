"""Properties of working-time arithmetic over any start and any length (hypothesis)."""

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.deadlines.calendar import LOCAL, add_working_days, add_working_hours, is_workday

pytestmark = pytest.mark.django_db

starts = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 11, 30)).map(
    lambda moment: moment.replace(tzinfo=LOCAL)
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(start=starts, days=st.integers(min_value=1, max_value=40))
def test_working_days_land_on_a_working_day_after_exactly_n_of_them(start, days):
    due = add_working_days(start, days)
    assert is_workday(due.date())
    counted = sum(
        is_workday(start.date() + timedelta(days=offset))
        for offset in range(1, (due.date() - start.date()).days + 1)
    )
    assert counted == days
    assert add_working_days(start, days + 1) > due


@settings(max_examples=200, deadline=None, derandomize=True)
@given(start=starts, hours=st.integers(min_value=1, max_value=60))
def test_working_hours_end_inside_working_time_and_grow_with_the_limit(start, hours):
    due = add_working_hours(start, hours)
    assert due > start and is_workday(due.date())
    assert due.timetz().replace(tzinfo=None) <= datetime.strptime("17:30", "%H:%M").time()
    assert add_working_hours(start, hours + 1) > due

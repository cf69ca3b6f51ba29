"""Indicators computed from the orders' recorded life, each formula defined once."""

import pytest

from hotline.orders import indicators, service
from hotline.orders.models import WorkOrder
from tests.factories import at, order_in, register
from tests.orders.test_api import Api

pytestmark = pytest.mark.django_db


def rates(report, group=0):
    return {code: v["rate"] for code, v in report["groups"][group]["values"].items()}


def test_rates_over_a_small_known_set(city):
    now = at("2026-11-23 09:00")
    order_in(city, "closed", now=now)  # on time, resolved, satisfied
    unhappy = order_in(city, "pending_callback", now=now)
    service.transition(
        unhappy, "callback", city.callback, is_resolved=False, is_satisfied=False, now=now
    )
    late = order_in(city, "dispatched", now=now)
    service.transition(late, "accept", city.handler_cgj, now=at("2026-11-26 09:00"))
    direct = register(city, now=now, request_type="consultation")
    service.transition(direct, "resolve_directly", city.operator, note="已答复", now=now)
    merged = register(city, now=now)
    service.transition(merged, "merge", city.dispatcher, into=direct.number, now=now)

    report = indicators.report(
        WorkOrder.objects.all(),
        start=at("2026-11-01 00:00").date(),
        end=at("2026-11-30 00:00").date(),
        now=at("2026-11-27 09:00"),
    )
    got = rates(report)
    assert report["groups"][0]["total"] == 4  # the merged order counts nowhere
    assert got["response_rate"] == round(2 / 3, 4)
    assert got["resolution_rate"] == 0.5 and got["satisfaction_rate"] == 0.5
    assert got["closure_rate"] == 0.5  # the closed one and the direct one, of 4
    assert got["direct_resolution_rate"] == 0.25
    assert got["on_time_rate"] == 1.0
    assert all(d["formula"] for d in report["definitions"])


def test_grouping_by_unit_area_category_and_period(city):
    now = at("2026-11-23 09:00")
    order_in(city, "dispatched", now=now)
    order_in(city, "dispatched", now=at("2026-10-12 09:00"))
    zjj = register(city, now=now, area=city.other_district)
    service.transition(zjj, "dispatch", city.dispatcher, lead_unit="zjj", now=now)
    kwargs = dict(start=at("2026-10-01 00:00").date(), end=at("2026-11-30 00:00").date())
    by_unit = indicators.report(WorkOrder.objects.all(), group_by="unit", **kwargs)
    assert {g["name"]: g["total"] for g in by_unit["groups"]} == {
        "濮阳市城市管理局": 2,
        "濮阳市住房和城乡建设局": 1,
    }
    by_area = indicators.report(WorkOrder.objects.all(), group_by="area", **kwargs)
    assert {g["name"]: g["total"] for g in by_area["groups"]} == {"华龙区": 2, "清丰县": 1}
    by_category = indicators.report(WorkOrder.objects.all(), group_by="category", **kwargs)
    assert {g["name"]: g["total"] for g in by_category["groups"]} == {"城乡建设": 3}
    by_month = indicators.report(
        WorkOrder.objects.all(), group_by="period", period="month", **kwargs
    )
    assert {g["key"]: g["total"] for g in by_month["groups"]} == {"2026-10-01": 1, "2026-11-01": 2}


def test_indicators_api_respects_visibility(city):
    order_in(city, "dispatched")
    other = register(city)
    service.transition(other, "dispatch", city.dispatcher, lead_unit="zjj")
    body = Api(city.handler_zjj).get("/indicators", group_by="unit").json()
    assert [g["total"] for g in body["groups"]] == [1]
    assert Api(city.analyst).get("/indicators").json()["groups"][0]["total"] == 2


def test_periods_start_on_monday_the_first_of_the_month_and_new_year():
    from datetime import date

    from hotline.orders.indicators import period_start

    day = date(2026, 11, 27)  # a Friday
    assert period_start(day, "day") == day
    assert period_start(day, "week") == date(2026, 11, 23)
    assert period_start(day, "month") == date(2026, 11, 1)
    assert period_start(day, "year") == date(2026, 1, 1)

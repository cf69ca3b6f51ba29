"""Routing recommendations: the responsibility list first, then what history says."""

import pytest

from hotline.orders.routing import recommend
from hotline.orgs.models import ResponsibilityRule
from tests.factories import order_in, register

pytestmark = pytest.mark.django_db


def test_rule_for_the_category_and_place_comes_with_its_reason(city):
    best = recommend(register(city))[0]
    assert best.lead_unit == city.cgj
    assert "权责清单第 1 项" in best.reason and "地点在中原路街道" in best.reason
    assert best.rule.number == 1


def test_a_rule_for_another_district_does_not_apply(city):
    order = register(city, area=city.other_district)
    assert [r.lead_unit for r in recommend(order)] == []


def test_without_a_place_district_rules_are_candidates_saying_so(city):
    best = recommend(register(city, area=None))[0]
    assert best.lead_unit == city.cgj
    assert "地点未确定" in best.reason and "华龙区" in best.reason


def test_district_rule_beats_a_city_wide_rule_of_the_same_category(city):
    city_wide = ResponsibilityRule.objects.create(
        number=2, matter="噪音(全市)", category=city.noise, lead_unit=city.zjj
    )
    units = [r.lead_unit for r in recommend(register(city))]
    assert units == [city.cgj, city.zjj]
    city_wide.delete()


def test_a_parent_category_rule_applies_to_its_children(city):
    ResponsibilityRule.objects.create(
        number=3, matter="停水", category=city.water.parent, lead_unit=city.water_company
    )
    order = register(city, category=city.water)
    assert recommend(order)[0].lead_unit == city.water_company


def test_units_that_closed_similar_orders_recently_are_suggested_with_the_count(city):
    for _ in range(2):
        order_in(city, "closed")
    order = register(city)
    best = recommend(order)[0]
    assert best.lead_unit == city.cgj and best.closed_recently == 2
    assert "近 30 天 2 件同类工单由该单位办结" in best.reason


def test_no_category_no_recommendation(city):
    assert recommend(register(city, category=None)) == []

"""Which time-limit policy applies: the most specific one, or a clear refusal."""

import pytest
from django.utils import translation

from hotline.deadlines.models import LimitUnit, TimeLimitPolicy
from hotline.deadlines.policies import Subject, deadlines_for, load_policies
from hotline.errors import HotlineError
from tests.factories import at

pytestmark = pytest.mark.django_db


def subject(c, **kwargs):
    values = dict(
        request_type="complaint",
        urgency="normal",
        category_path=c.noise.path,
        area_path=c.street.path,
    )
    values.update(kwargs)
    return Subject(**values)


def test_request_type_policy_wins_over_the_default(city):
    limits = deadlines_for(subject(city, request_type="consultation"), at("2026-11-23 09:00"))
    assert limits.handle_policy.amount == 2
    assert limits.handle_due_at == at("2026-11-25 23:59:59")
    assert limits.sign_due_at == at("2026-11-24 23:59:59")


def test_category_policy_applies_to_its_subtree(city):
    limits = deadlines_for(
        subject(city, request_type="help", category_path=city.water.path), at("2026-11-23 09:00")
    )
    assert limits.handle_due_at == at("2026-11-24 09:00")


def test_priority_beats_specificity(city):
    limits = deadlines_for(
        subject(city, urgency="critical", category_path=city.water.path), at("2026-11-23 09:00")
    )
    assert limits.handle_due_at == at("2026-11-23 11:00")
    assert limits.sign_due_at == at("2026-11-23 10:00")


def test_area_policy_applies_only_inside_its_area(city):
    TimeLimitPolicy.objects.create(
        name="清丰县投诉",
        clock="handle",
        request_type="complaint",
        area=city.other_district,
        amount=5,
        unit=LimitUnit.WORKING_DAYS,
    )
    inside = deadlines_for(
        subject(city, area_path=city.other_district.path), at("2026-11-23 09:00")
    )
    outside = deadlines_for(subject(city), at("2026-11-23 09:00"))
    assert inside.handle_policy.name == "清丰县投诉"
    assert outside.handle_policy.amount == 15


def test_no_matching_policy_is_refused_with_a_stable_code(db):
    with pytest.raises(HotlineError) as refused:
        deadlines_for(Subject("complaint", "normal"), at("2026-11-23 09:00"), policies=[])
    assert refused.value.code == "no_time_limit_policy"
    with translation.override("zh-hans"):
        assert (
            refused.value.render()
            == "没有适用于该诉求的时限规则（签收时限），请联系系统管理员添加。"
        )
    with translation.override("en"):
        assert "(sign-for clock)" in refused.value.render()


def test_inactive_policies_are_ignored(city):
    TimeLimitPolicy.objects.update(is_active=False)
    assert load_policies() == []

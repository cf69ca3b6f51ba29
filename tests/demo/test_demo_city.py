"""The demo city loads, is realistic enough, and the generator walks real lifecycles."""

import pytest
from django.db import transaction

from hotline.demo.city import load_city
from hotline.demo.generate import generate
from hotline.orders.lifecycle import TRANSITIONS
from hotline.orders.models import WorkOrder
from hotline.orgs.models import Area, ResponsibilityRule, Role, RoleGrant, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    return load_city()


def test_demo_city_is_puyang_with_its_districts_and_a_full_responsibility_list(demo):
    assert Area.objects.get(level="city").name == "濮阳市"
    districts = set(Area.objects.filter(level="district").values_list("name", flat=True))
    assert {"华龙区", "濮阳县", "清丰县", "南乐县", "范县", "台前县"} <= districts
    assert ResponsibilityRule.objects.count() >= 150
    assert Unit.objects.filter(kind="utility").exists()


def test_demo_has_users_for_every_role(demo):
    assert set(RoleGrant.objects.values_list("role", flat=True)) == set(Role.values)
    for grant in RoleGrant.objects.filter(role=Role.HANDLER).select_related("user"):
        assert grant.user.unit_id is not None


def test_generator_writes_orders_whose_histories_follow_the_table(demo):
    assert generate(300, days=60, seed=7) == 300
    assert WorkOrder.objects.count() == 300
    assert WorkOrder.objects.values("number").distinct().count() == 300
    statuses = set(WorkOrder.objects.values_list("status", flat=True))
    assert {"closed", "accepted"} <= statuses
    for order in WorkOrder.objects.all()[:100]:
        events = list(order.events.order_by("at", "id"))
        assert events[0].action == "register"
        state = "registered"
        for event in events[1:]:
            row = TRANSITIONS[event.action]
            assert state in row.sources, (order.number, event.action, state)
            assert event.from_status == state
            state = event.to_status
        assert state == order.status


def test_generator_is_repeatable_for_a_seed(demo):
    def titles():
        return list(WorkOrder.objects.order_by("number").values_list("title", flat=True))

    with transaction.atomic():
        generate(50, days=30, seed=3)
        first = titles()
        transaction.set_rollback(True)  # history rows are never deleted, so roll back
    generate(50, days=30, seed=3)
    assert first == titles()


def test_generated_orders_come_through_merged_hotlines_and_transfers(demo):
    generate(400, days=30, seed=11)
    assert WorkOrder.objects.filter(hotline__isnull=False).exclude(hotline__code="12345").exists()
    transfers = WorkOrder.objects.filter(channel="transfer")
    assert transfers.exists() and not transfers.filter(source_ref="").exists()


def test_demo_offers_its_categories_online_with_questions_and_a_batch_service(demo):
    from hotline.intake.open311 import services

    offered = {service.code: service for service in services.offered()}
    assert len(offered) >= 100  # every leaf of the category tree
    assert offered["050101"].is_batch
    assert [q.code for q in offered["010102"].questions] == ["request_type", "danger"]
    assert offered["010102"].questions[1].is_required
    assert "路灯" in offered["010103"].keywords

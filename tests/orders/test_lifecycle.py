"""Every transition of the lifecycle table, and every refusal."""

import pytest
from django.test import override_settings

from hotline.errors import Conflict, Forbidden, HotlineError
from hotline.orders import service
from hotline.orders.lifecycle import TRANSITIONS, Status
from hotline.orders.models import CallbackAttempt, ExtensionRequest, OrderEvent, WorkOrder
from tests.factories import at, order_in, register

pytestmark = pytest.mark.django_db


def test_register_gives_a_daily_number_and_a_history_row(city):
    first = register(city, now=at("2026-11-22 09:00"))
    second = register(city, now=at("2026-11-22 09:05"))
    next_day = register(city, now=at("2026-11-23 00:01"))
    assert (first.number, second.number) == ("20261122-000001", "20261122-000002")
    assert next_day.number == "20261123-000001"
    event = first.events.get()
    assert (event.action, event.to_status, event.actor) == ("register", "registered", city.operator)


def test_the_main_path_walks_to_closed_and_records_every_step(city):
    order = order_in(city, "closed")
    assert order.status == Status.CLOSED and order.closure == "callback"
    actions = list(order.events.values_list("action", flat=True))
    assert actions == [
        "register",
        "dispatch",
        "accept",
        "reply",
        "approve_reply",
        "callback",
        "close",
    ]
    dispatch = order.events.get(action="dispatch")
    assert dispatch.actor == city.dispatcher
    assert dispatch.changes["status"] == ["registered", "dispatched"]
    assert dispatch.changes["lead_unit_id"] == [None, city.cgj.pk]


def test_resolve_directly_closes_at_intake(city):
    order = register(city, request_type="consultation")
    order = service.transition(order, "resolve_directly", city.operator, note="已告知办理地点")
    assert (order.status, order.closure, order.reply) == ("closed", "direct", "已告知办理地点")


def test_return_with_reason_then_redispatch_to_another_unit(city):
    order = order_in(city, "dispatched")
    order = service.transition(order, "return_order", city.handler_cgj, note="不属于本单位职责")
    assert order.status == Status.RETURNED and order.due_at is None and order.return_count == 1
    order = service.transition(order, "redispatch", city.dispatcher, lead_unit="zjj")
    assert order.status == Status.DISPATCHED and order.lead_unit == city.zjj


def test_co_units_are_recorded_on_dispatch(city):
    order = register(city)
    order = service.transition(
        order, "dispatch", city.dispatcher, lead_unit="cgj", co_units=["zjj"]
    )
    assert list(order.co_units.all()) == [city.zjj]


def test_lead_unit_cannot_also_be_a_co_unit(city):
    order = register(city)
    with pytest.raises(HotlineError) as refused:
        service.transition(order, "dispatch", city.dispatcher, lead_unit="cgj", co_units=["cgj"])
    assert refused.value.code == "invalid_co_units"


def test_dispatch_to_an_unknown_unit_is_refused_and_changes_nothing(city):
    order = register(city)
    with pytest.raises(HotlineError) as refused:
        service.transition(order, "dispatch", city.dispatcher, lead_unit="nope")
    assert refused.value.code == "unknown_unit"
    fresh = WorkOrder.objects.get(pk=order.pk)
    assert fresh.status == Status.REGISTERED and fresh.version == 1
    assert fresh.events.count() == 1


def test_extension_request_approval_and_refusal(city):
    order = order_in(city, "accepted")
    order = service.transition(order, "request_extension", city.handler_cgj, note="需协调", days=5)
    assert ExtensionRequest.objects.get(order=order).state == "pending"
    with pytest.raises(HotlineError) as twice:
        service.transition(order, "request_extension", city.handler_cgj, note="再次", days=5)
    assert twice.value.code == "extension_pending"
    order = service.transition(order, "approve_extension", city.supervisor, note="同意")
    assert order.extension_days == 5
    assert ExtensionRequest.objects.get(order=order).state == "approved"
    order = service.transition(order, "request_extension", city.handler_cgj, note="还需", days=3)
    order = service.transition(order, "refuse_extension", city.dispatcher, note="不予延期")
    assert order.extension_days == 5 and order.status == Status.ACCEPTED


def test_extension_days_must_be_sensible(city):
    order = order_in(city, "accepted")
    for days in (0, 31, None, "3"):
        with pytest.raises(HotlineError) as refused:
            service.transition(order, "request_extension", city.handler_cgj, note="x", days=days)
        assert refused.value.code == "invalid_extension"


def test_approving_without_a_pending_request_is_refused(city):
    order = order_in(city, "accepted")
    with pytest.raises(HotlineError) as refused:
        service.transition(order, "approve_extension", city.supervisor)
    assert refused.value.code == "no_extension_pending"


def test_review_can_send_back_for_rework(city):
    order = order_in(city, "replied")
    order = service.transition(order, "send_back", city.reviewer, note="答复未说明处理结果")
    assert order.status == Status.ACCEPTED and order.due_at == order.handle_due_at


def test_callback_records_resolved_and_satisfied(city):
    order = order_in(city, "pending_callback")
    order = service.transition(
        order, "callback", city.callback, is_resolved=True, is_satisfied=False
    )
    assert (order.is_resolved, order.is_satisfied, order.callback_attempts) == (True, False, 1)
    assert CallbackAttempt.objects.get(order=order).is_reached


def test_callback_needs_both_answers(city):
    order = order_in(city, "pending_callback")
    with pytest.raises(HotlineError) as refused:
        service.transition(order, "callback", city.callback, is_resolved=True)
    assert refused.value.code == "callback_outcome_required"


@override_settings(HOTLINE_CALLBACK_MAX_ATTEMPTS=3)
def test_unreachable_caller_closes_only_after_the_last_attempt(city):
    order = order_in(city, "pending_callback")
    for _attempt in range(2):
        order = service.transition(order, "callback_failed", city.callback, note="无人接听")
    with pytest.raises(HotlineError) as refused:
        service.transition(order, "close", city.callback)
    assert refused.value.code == "callback_not_done"
    order = service.transition(order, "callback_failed", city.callback, note="关机")
    order = service.transition(order, "close", city.callback)
    assert order.status == Status.CLOSED and order.closure == "unreachable"
    assert CallbackAttempt.objects.filter(order=order, is_reached=False).count() == 3


def test_reopen_sends_the_order_back_to_its_unit_with_fresh_clocks(city):
    order = order_in(city, "closed", now=at("2026-11-23 09:00"))
    order = service.transition(
        order, "reopen", city.supervisor, note="群众反映仍在夜间施工", now=at("2026-11-30 09:00")
    )
    assert order.status == Status.DISPATCHED and order.reopen_count == 1
    assert order.lead_unit == city.cgj and order.closed_at is None
    assert order.clock_started_at == at("2026-11-30 09:00")
    assert order.is_satisfied is None


def test_merge_keeps_the_duplicate_and_links_it(city):
    keep = register(city)
    duplicate = register(city)
    duplicate = service.transition(duplicate, "merge", city.dispatcher, into=keep.number)
    assert duplicate.status == Status.MERGED and duplicate.merged_into == keep
    assert keep in duplicate.related.all()
    assert WorkOrder.objects.filter(pk=duplicate.pk).exists()


def test_merge_into_itself_or_a_merged_order_is_refused(city):
    a, b, c = register(city), register(city), register(city)
    with pytest.raises(HotlineError):
        service.transition(a, "merge", city.dispatcher, into=a.number)
    service.transition(b, "merge", city.dispatcher, into=a.number)
    with pytest.raises(HotlineError) as refused:
        service.transition(c, "merge", city.dispatcher, into=b.number)
    assert refused.value.code == "invalid_merge"


def test_emergency_transfer_is_tracked(city):
    order = register(city, title="闻到煤气味", content="楼道里有很浓的煤气味")
    order = service.transition(
        order, "transfer_emergency", city.operator, service="119", reference="JQ20261122-88"
    )
    assert order.status == Status.TRANSFERRED
    assert (order.transferred_to, order.transfer_reference) == ("119", "JQ20261122-88")


def test_transfer_to_an_unknown_service_is_refused(city):
    with pytest.raises(HotlineError) as refused:
        service.transition(register(city), "transfer_emergency", city.operator, service="999")
    assert refused.value.code == "invalid_emergency_service"


ALL_STATES = [
    "registered",
    "dispatched",
    "accepted",
    "replied",
    "pending_callback",
    "called_back",
    "closed",
]


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_every_action_is_refused_from_states_it_does_not_start_from(city, action):
    row = TRANSITIONS[action]
    for state in ALL_STATES:
        if state in row.sources:
            continue
        order = order_in(city, state)
        with pytest.raises(HotlineError) as refused:
            service.transition(order, action, city.supervisor, note="x")
        assert refused.value.code == "illegal_transition", (action, state)
        assert refused.value.status == 409


def test_actions_that_need_a_reason_refuse_an_empty_one(city):
    order = order_in(city, "dispatched")
    with pytest.raises(HotlineError) as refused:
        service.transition(order, "return_order", city.handler_cgj, note="   ")
    assert refused.value.code == "reason_required"


def test_unknown_action_is_refused(city):
    with pytest.raises(HotlineError) as refused:
        service.transition(register(city), "teleport", city.supervisor)
    assert refused.value.code == "unknown_action"


def test_system_only_actions_need_no_person_and_people_actions_need_one(city):
    order = order_in(city, "dispatched")
    with pytest.raises(Forbidden):
        service.transition(order, "remind", city.supervisor)
    with pytest.raises(Forbidden):
        service.transition(order, "accept", None)


def test_stale_version_loses_with_a_conflict(city):
    order = register(city)
    stale = WorkOrder.objects.get(pk=order.pk)
    service.transition(order, "dispatch", city.dispatcher, lead_unit="cgj")
    with pytest.raises(Conflict):
        service.transition(stale, "merge", city.dispatcher, into=register(city).number)
    assert WorkOrder.objects.get(pk=order.pk).status == Status.DISPATCHED


def test_history_is_append_only(city):
    event = register(city).events.get()
    event.note = "changed"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert OrderEvent.objects.get(pk=event.pk).note == ""


def test_same_source_message_makes_one_order(city):
    first = register(city, channel="wechat", source_ref="msg-1")
    again = register(city, channel="wechat", source_ref="msg-1")
    assert first.pk == again.pk and WorkOrder.objects.count() == 1


def test_too_long_fields_are_refused_before_the_database_sees_them(city):
    with pytest.raises(HotlineError) as refused:
        register(city, address="路" * 300)
    assert refused.value.code == "field_too_long"
    assert WorkOrder.objects.count() == 0


def test_related_orders_are_linked_both_ways_and_recorded(city):
    first, second = order_in(city, "accepted"), register(city)
    service.transition(first, "relate", city.dispatcher, other=second.number, note="同一工地")
    assert list(second.related.all()) == [first]
    event = first.events.get(action="relate")
    assert (event.from_status, event.to_status, event.note) == ("accepted", "accepted", "同一工地")
    with pytest.raises(HotlineError) as refused:
        service.transition(first, "relate", city.dispatcher, other=first.number)
    assert refused.value.code == "invalid_relation"


def test_a_refused_action_leaves_the_callers_object_as_the_order_is(city):
    order = order_in(city, "accepted")
    with pytest.raises(HotlineError):
        service.transition(order, "request_extension", city.handler_cgj, note="x", days=99)
    with pytest.raises(HotlineError):
        service.transition(order, "merge", city.supervisor, into="nope")
    assert order.status == Status.ACCEPTED and order.version == 3


def test_the_database_itself_refuses_to_rewrite_history(city):
    from django.db import DatabaseError, connection
    from django.db import transaction as db_transaction

    event = register(city).events.get()
    with pytest.raises(DatabaseError), db_transaction.atomic():
        OrderEvent.objects.filter(pk=event.pk).update(note="rewritten")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), db_transaction.atomic():
            OrderEvent.objects.filter(pk=event.pk)._raw_delete(connection.alias)
    assert OrderEvent.objects.get(pk=event.pk).note == ""

"""The sign-for and handling clocks of an order, and the sweeper that escalates."""

import pytest

from hotline.deadlines.models import TimeLimitPolicy
from hotline.errors import HotlineError
from hotline.orders import service
from hotline.orders.lifecycle import Escalation, Status
from hotline.orders.models import Notice, WorkOrder
from tests.factories import at, order_in, register

pytestmark = pytest.mark.django_db


def test_dispatch_starts_both_clocks_from_the_policies(city):
    order = order_in(city, "dispatched", now=at("2026-11-23 10:00"))  # a Monday, complaint
    assert order.sign_due_at == at("2026-11-24 23:59:59")
    assert order.handle_due_at == at("2026-12-14 23:59:59")  # 15 working days
    assert order.due_at == order.sign_due_at
    assert order.next_timer_at is not None


def test_accept_switches_to_the_handling_clock_and_records_timeliness(city):
    order = order_in(city, "dispatched", now=at("2026-11-23 10:00"))
    order = service.transition(order, "accept", city.handler_cgj, now=at("2026-11-25 09:00"))
    assert order.due_at == order.handle_due_at
    assert order.is_accepted_on_time is False


def test_approved_extension_pauses_the_clock_by_the_granted_working_days(city):
    order = order_in(city, "accepted", now=at("2026-11-23 10:00"))
    before = order.handle_due_at
    order = service.transition(order, "request_extension", city.handler_cgj, note="需协调", days=3)
    assert order.handle_due_at == before  # asking alone does not stop the clock
    order = service.transition(order, "approve_extension", city.dispatcher)
    assert order.handle_due_at == at("2026-12-17 23:59:59") and order.due_at == order.handle_due_at


def test_redispatch_restarts_the_clocks_for_the_new_unit(city):
    order = order_in(city, "dispatched", now=at("2026-11-23 10:00"))
    order = service.transition(
        order, "return_order", city.handler_cgj, note="非本单位", now=at("2026-11-24 10:00")
    )
    order = service.transition(
        order, "redispatch", city.dispatcher, lead_unit="zjj", now=at("2026-11-26 15:00")
    )
    assert order.clock_started_at == at("2026-11-26 15:00")
    assert order.sign_due_at == at("2026-11-27 23:59:59")


def test_reply_stops_the_clock_and_records_whether_it_was_on_time(city):
    order = order_in(city, "accepted", now=at("2026-11-23 10:00"))
    order = service.transition(
        order, "reply", city.handler_cgj, note="已处理", now=at("2026-11-30 10:00")
    )
    assert order.due_at is None and order.next_timer_at is None and order.is_replied_on_time


def test_dispatch_without_an_applicable_policy_is_refused_and_writes_nothing(city):
    TimeLimitPolicy.objects.filter(clock="handle").delete()
    order = register(city)
    with pytest.raises(HotlineError) as refused:
        service.transition(order, "dispatch", city.dispatcher, lead_unit="cgj")
    assert refused.value.code == "no_time_limit_policy"
    fresh = WorkOrder.objects.get(pk=order.pk)
    assert fresh.status == Status.REGISTERED and fresh.events.count() == 1


def test_sweeper_reminds_then_urges_then_supervises(city, settings):
    settings.HOTLINE_REMIND_AT_FRACTION = 0.75
    settings.HOTLINE_SUPERVISE_AFTER_WORKING_DAYS = 2
    order = order_in(
        city, "accepted", now=at("2026-11-23 10:00"), request_type="consultation"
    )  # handling due Wed 25 Nov 23:59:59
    assert service.sweep(now=at("2026-11-24 09:00")) == 0
    assert service.sweep(now=at("2026-11-25 15:00")) == 1
    order.refresh_from_db()
    assert order.escalation == Escalation.REMINDED and not order.is_overdue
    assert service.sweep(now=at("2026-11-26 09:00")) == 1
    order.refresh_from_db()
    assert order.escalation == Escalation.URGED and order.is_overdue
    assert service.sweep(now=at("2026-11-27 09:00")) == 0
    assert service.sweep(now=at("2026-11-30 09:00")) == 1  # 2 working days after the miss
    order.refresh_from_db()
    assert order.escalation == Escalation.SUPERVISED and order.next_timer_at is None
    levels = list(Notice.objects.filter(order=order).values_list("level", flat=True))
    assert levels == [1, 2, 3]
    assert all(n.unit == city.cgj for n in Notice.objects.filter(order=order))
    actions = list(order.events.filter(actor=None).values_list("action", flat=True))
    assert actions == ["remind", "urge", "supervise"]


def test_sweeper_catches_up_on_grades_missed_while_it_was_down(city):
    order_in(city, "accepted", now=at("2026-11-23 10:00"), request_type="consultation")
    assert service.sweep(now=at("2026-12-10 09:00")) == 3


def test_sweeper_leaves_orders_without_a_running_clock_alone(city):
    order_in(city, "replied", now=at("2026-11-23 10:00"))
    assert service.sweep(now=at("2027-06-01 09:00")) == 0


def test_sweep_task_runs_through_the_task_api(city):
    from hotline.orders.tasks import sweep_deadlines

    order_in(city, "accepted", now=at("2026-11-01 10:00"), request_type="consultation")
    result = sweep_deadlines.enqueue()
    assert result.return_value == 3

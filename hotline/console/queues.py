"""The queues of the workbenches: which orders each role works on, in which order.

Every queue starts from ``orders_visible_to``; a queue only narrows what its user may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotline.orders.lifecycle import CLOCKED_STATUSES, Status
from hotline.orders.models import ExtensionRequest, WorkOrder
from hotline.orders.selectors import orders_visible_to
from hotline.orgs.models import Urgency

DUE_SOON = timedelta(hours=24)

# Most urgent first, then the oldest.
URGENCY_RANK = Case(
    When(urgency=Urgency.CRITICAL, then=Value(0)),
    When(urgency=Urgency.URGENT, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def with_related(orders: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    return orders.select_related("category", "area", "lead_unit")


def dispatch_queue(user) -> QuerySet[WorkOrder]:
    """New and returned orders waiting for a dispatcher (派单)."""
    return with_related(
        orders_visible_to(user)
        .filter(status__in=[Status.REGISTERED, Status.RETURNED])
        .annotate(rank=URGENCY_RANK)
        .order_by("rank", "registered_at", "id")
    )


def inbox_queue(user) -> QuerySet[WorkOrder]:
    """The unit's open orders as lead unit, the nearest deadline first (承办)."""
    if not user.unit_id:
        return WorkOrder.objects.none()
    return with_related(
        orders_visible_to(user)
        .filter(lead_unit_id=user.unit_id, status__in=CLOCKED_STATUSES)
        .order_by("due_at", "id")
    )


def co_unit_queue(user) -> QuerySet[WorkOrder]:
    """Open orders where the unit helps another (协办): read-only in the inbox."""
    if not user.unit_id:
        return WorkOrder.objects.none()
    return with_related(
        WorkOrder.objects.filter(co_units=user.unit_id, status__in=CLOCKED_STATUSES).order_by(
            "due_at", "id"
        )
    )


def review_queue(user) -> QuerySet[WorkOrder]:
    """Replies waiting for review (审核), oldest reply first."""
    return with_related(
        orders_visible_to(user).filter(status=Status.REPLIED).order_by("replied_at", "id")
    )


def callback_queue(user) -> QuerySet[WorkOrder]:
    """Orders whose citizen must be called back (回访), then those to close."""
    return with_related(
        orders_visible_to(user)
        .filter(status__in=[Status.PENDING_CALLBACK, Status.CALLED_BACK])
        .order_by("status", "replied_at", "id")
    )


def overdue_board(user) -> QuerySet[WorkOrder]:
    """Clocked orders past their deadline, the longest overdue first (督办)."""
    return with_related(
        orders_visible_to(user)
        .filter(status__in=CLOCKED_STATUSES, is_overdue=True)
        .order_by("due_at", "id")
    )


def due_soon_board(user, now: datetime | None = None) -> QuerySet[WorkOrder]:
    """Clocked orders whose deadline comes within a day."""
    now = now or timezone.now()
    return with_related(
        orders_visible_to(user)
        .filter(status__in=CLOCKED_STATUSES, is_overdue=False, due_at__lte=now + DUE_SOON)
        .order_by("due_at", "id")
    )


def pending_extensions(user) -> QuerySet[ExtensionRequest]:
    visible = orders_visible_to(user).filter(pk=OuterRef("order_id"))
    return (
        ExtensionRequest.objects.filter(
            Exists(visible), state=ExtensionRequest.State.PENDING, order__status=Status.ACCEPTED
        )
        .select_related("order", "unit", "requested_by")
        .order_by("requested_at")
    )


@dataclass(frozen=True)
class Light:
    colour: str  # red, amber, green, none
    label: str


def light(order: WorkOrder, now: datetime) -> Light:
    """The traffic light of an order's deadline: overdue, due within a day, in time."""
    if not order.due_at or order.status not in CLOCKED_STATUSES:
        return Light("none", _("No deadline running"))
    if order.is_overdue or order.due_at <= now:
        return Light("red", _("Overdue"))
    if order.due_at - now <= DUE_SOON:
        return Light("amber", _("Due within a day"))
    return Light("green", _("In time"))


QUEUES = {
    "dispatch": dispatch_queue,
    "inbox": inbox_queue,
    "review": review_queue,
    "callback": callback_queue,
    "supervise": overdue_board,
}


def stamp(queue: str, user) -> str:
    """Changes whenever an order enters, leaves or changes in the queue (any transition
    bumps an order's version); the live stream compares it between polls."""
    orders = QUEUES[queue](user).order_by()
    facts = orders.aggregate(n=Count("id"), v=Sum("version"), last=Max("id"))
    return f"{facts['n']}:{facts['v']}:{facts['last']}"

"""What the public may see of an order: which orders are published, their status in the
words of Open311 (``open``/``closed``) and of FixMyStreet's extended statuses, and the
progress updates a citizen reads. Internal notes (return reasons, urging, extension
requests) are never among them, and every published text has its personal data masked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from hotline.orgs.models import RequestType, Unit
from nlp.pii import mask

from .lifecycle import OPEN_STATUSES, REGISTER, Status
from .models import OrderEvent, WorkOrder

# Citizen actions recorded in the history beside the lifecycle's transitions.
SUPPLEMENT = "supplement"  # 市民补充: the citizen adds to an open request
RATING = "rating"  # 市民评价: the citizen rates the result online

# FixMyStreet's extended statuses (its Open311 ``servicerequestupdates`` extension).
OPEN, INVESTIGATING, IN_PROGRESS = "open", "investigating", "in_progress"
FIXED, CLOSED, DUPLICATE = "fixed", "closed", "duplicate"
NOT_RESPONSIBLE, NO_FURTHER_ACTION = "not_councils_responsibility", "no_further_action"

# What the citizen reads as the state of their request.
EXTENDED_LABELS = {
    OPEN: _("Registered"),
    INVESTIGATING: _("Sent to the responsible unit"),
    IN_PROGRESS: _("Being handled"),
    FIXED: _("Done"),
    NO_FURTHER_ACTION: _("Closed"),
    CLOSED: _("Closed"),
    DUPLICATE: _("Handled together with the same request"),
    NOT_RESPONSIBLE: _("Transferred to the emergency services"),
}

STATUS_EXTENDED = {
    Status.REGISTERED: OPEN,
    Status.DISPATCHED: INVESTIGATING,
    Status.RETURNED: INVESTIGATING,
    Status.ACCEPTED: IN_PROGRESS,
    Status.REPLIED: IN_PROGRESS,
    Status.PENDING_CALLBACK: IN_PROGRESS,
    Status.CALLED_BACK: IN_PROGRESS,
    Status.CLOSED: FIXED,
    Status.MERGED: DUPLICATE,
    Status.TRANSFERRED: NOT_RESPONSIBLE,
}

# The history rows the public reads, with what they are told. ``%(unit)s`` is the unit
# the order went to, ``%(text)s`` the answer given (masked).
# fmt: off
PUBLIC_EVENTS = {
    REGISTER:           _("Your request was registered."),
    "resolve_directly": _("Answered: %(text)s"),
    "dispatch":         _("Sent to %(unit)s to handle."),
    "redispatch":       _("Sent to %(unit)s to handle."),
    "accept":           _("%(unit)s has taken it up and is handling it."),
    "approve_extension": _("The time to handle it was extended."),
    "approve_reply":    _("%(unit)s answered: %(text)s"),
    "callback":         _("We called you back about the result."),
    "close":            _("The request is closed."),
    "reopen":           _("The request was reopened and is handled again."),
    "merge":            _("The same problem was reported before; both are handled together."),
    "transfer_emergency": _("Transferred to the emergency services."),
    SUPPLEMENT:         _("You added: %(text)s"),
    RATING:             _("You rated the result: %(text)s"),
}
# fmt: on


def public_channels() -> set[str] | None:
    """The channels whose orders are published (None: every channel)."""
    channels = settings.HOTLINE_PUBLIC_CHANNELS
    return None if "*" in channels else set(channels)


def published_orders() -> QuerySet[WorkOrder]:
    """Orders the public may see: from a published channel, not confidential, and not a
    report of wrongdoing (举报: the reporter is protected)."""
    return WorkOrder.objects.filter(is_published_query())


def is_published_query(prefix: str = "") -> Q:
    """The condition of ``published_orders`` on the order reached by ``prefix`` (e.g.
    ``order__`` from its history): a join the database walks in the history's order."""
    query = Q(**{f"{prefix}is_confidential": False}) & ~Q(
        **{f"{prefix}request_type": RequestType.REPORT}
    )
    channels = public_channels()
    if channels is not None:
        query &= Q(**{f"{prefix}channel__in": sorted(channels)})
    return query


def is_published(order: WorkOrder) -> bool:
    return published_orders().filter(pk=order.pk).exists()


def open_or_closed(status: str) -> str:
    return "open" if status in OPEN_STATUSES else "closed"


def status_query(wanted: Iterable[str]) -> Q:
    """Orders whose Open311 status (``open``/``closed``) is one of ``wanted``."""
    wanted = set(wanted)
    if wanted >= {"open", "closed"}:
        return Q()
    if "open" in wanted:
        return Q(status__in=OPEN_STATUSES)
    return ~Q(status__in=OPEN_STATUSES)


def extended_status(status: str, is_resolved: bool | None) -> str:
    """An order's FixMyStreet status: a closed order is ``fixed`` unless the citizen said
    the problem was not solved."""
    if status == Status.CLOSED and is_resolved is False:
        return NO_FURTHER_ACTION
    return STATUS_EXTENDED.get(status, OPEN)


def published_text(text: str) -> str:
    """A text fit to publish: personal data masked."""
    return mask(text or "")


@dataclass
class Update:
    """One step of an order's progress, as the public reads it."""

    id: int
    order_id: int
    number: str
    action: str
    at: datetime
    status: str  # open / closed
    extended_status: str
    description: str


def public_events(orders: Iterable[int] | None = None) -> QuerySet[OrderEvent]:
    """History rows the public reads, oldest first (of ``orders`` if given)."""
    events = OrderEvent.objects.filter(action__in=PUBLIC_EVENTS).select_related(
        "order", "order__lead_unit"
    )
    if orders is not None:
        events = events.filter(order_id__in=list(orders))
    return events.order_by("at", "id")


def updates_of(events: Iterable[OrderEvent]) -> list[Update]:
    """Each event told as the public reads it. The unit names and the answers approved
    are looked up once for all events."""
    events = list(events)
    unit_ids = {unit_after(event) for event in events} - {None}
    units = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    replies = replies_before([event for event in events if event.action == "approve_reply"])
    updates = []
    for event in events:
        unit = units.get(unit_after(event)) or (
            event.order.lead_unit.name if event.order.lead_unit_id else ""
        )
        text = event.note if event.action != "approve_reply" else replies.get(event.pk, "")
        details = {"unit": unit, "text": published_text(text)}
        updates.append(
            Update(
                id=event.pk,
                order_id=event.order_id,
                number=event.order.number,
                action=event.action,
                at=event.at,
                status=open_or_closed(event.to_status),
                extended_status=event_status(event),
                description=str(PUBLIC_EVENTS[event.action]) % details,
            )
        )
    return updates


def unit_after(event: OrderEvent) -> int | None:
    change = (event.changes or {}).get("lead_unit_id")
    return change[1] if change else None


def event_status(event: OrderEvent) -> str:
    return extended_status(event.to_status, event.order.is_resolved)


def replies_before(approvals: list[OrderEvent]) -> dict[int, str]:
    """For each approval of a reply, the reply it approved (the unit's last before it)."""
    if not approvals:
        return {}
    replies = OrderEvent.objects.filter(
        order_id__in={event.order_id for event in approvals}, action="reply"
    ).order_by("at", "id")
    found: dict[int, str] = {}
    for approval in approvals:
        for reply in replies:
            if reply.order_id == approval.order_id and reply.at <= approval.at:
                found[approval.pk] = reply.note
    return found

"""Reads of work orders, always scoped to the person asking.

``orders_visible_to`` is the one place that decides which orders a user may see;
``contact_visible_to`` whether they may see the caller's name and phone unmasked.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from hotline.errors import Forbidden
from hotline.orgs.models import Area, Category, Role, Unit, User, in_subtree

from . import search
from .lifecycle import TRANSITIONS, allowed_actions
from .models import Notice, OrderEvent, WorkOrder

# Roles that see every order of the city, confidential ones included (the handling chain
# at the centre).
CHAIN_ROLES = {Role.DISPATCHER, Role.REVIEWER, Role.CALLBACK, Role.SUPERVISOR, Role.ADMINISTRATOR}
# Roles that see every order that is not confidential.
READER_ROLES = {Role.OPERATOR, Role.INSPECTOR, Role.ANALYST, Role.KNOWLEDGE_EDITOR}
# Roles that must be able to call the citizen.
CONTACT_ROLES = {Role.OPERATOR, Role.DISPATCHER, Role.CALLBACK, Role.SUPERVISOR}


def orders_visible_to(user: User) -> QuerySet[WorkOrder]:
    """The orders ``user`` may see.

    Centre staff in the handling chain see all; readers see all but confidential orders
    (except those they registered themselves); a department handler sees only the orders
    of its own unit, as lead or co-unit.
    """
    orders = WorkOrder.objects.all()
    if not user.is_active:
        return orders.none()
    if user.has_role(*CHAIN_ROLES):
        return orders
    visible = Q(pk__in=[])
    if user.has_role(*READER_ROLES):
        visible |= Q(is_confidential=False) | Q(created_by=user)
    if user.has_role(Role.HANDLER) and user.unit_id:
        visible |= Q(lead_unit_id=user.unit_id) | Q(
            pk__in=WorkOrder.co_units.through.objects.filter(unit_id=user.unit_id).values(
                "workorder_id"
            )
        )
    return orders.filter(visible)


def contact_visible_to(user: User, order: WorkOrder) -> bool:
    """Whether ``user`` may read the caller's name and phone in clear.

    The lead unit needs them to contact the citizen, unless the caller asked for
    confidentiality (保密): then only the centre knows who called.
    """
    if user.has_role(*CONTACT_ROLES):
        return True
    return (
        user.has_role(Role.HANDLER)
        and user.unit_id is not None
        and user.unit_id == order.lead_unit_id
        and not order.is_confidential
    )


def contact_for(user: User, order: WorkOrder) -> tuple[str, str]:
    """The caller's name and phone as ``user`` may read them: in clear or masked."""
    if contact_visible_to(user, order):
        return order.caller_name, order.caller_phone
    return mask_name(order.caller_name), mask_phone(order.caller_phone)


def find_visible(user: User, number: str) -> WorkOrder | None:
    """The order ``number`` if ``user`` may see it, with what its pages show beside it."""
    return (
        orders_visible_to(user)
        .select_related("category", "area", "lead_unit", "hotline", "merged_into", "created_by")
        .filter(number=number)
        .first()
    )


def actions_for(user: User, order: WorkOrder) -> list[str]:
    """The lifecycle actions ``user`` may take on ``order`` now (own-unit ones only for the
    lead unit's handlers)."""
    return [
        name
        for name in allowed_actions(order.status, user.roles)
        if not TRANSITIONS[name].own_unit or user.unit_id == order.lead_unit_id
    ]


def mask_phone(phone: str) -> str:
    """138****5678: keep what tells the line apart, hide what identifies the person."""
    digits = phone.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) <= 7:
        return digits[:2] + "*" * (len(digits) - 4) + digits[-2:]
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(name: str) -> str:
    """张** : the family name only."""
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


def history_of(order: WorkOrder) -> QuerySet[OrderEvent]:
    return order.events.select_related("actor", "actor_unit").order_by("at", "id")


def notices_visible_to(user: User) -> QuerySet[Notice]:
    """A handler sees its unit's notices; the centre's chain sees all."""
    if user.has_role(*CHAIN_ROLES):
        return Notice.objects.all()
    if user.has_role(Role.HANDLER) and user.unit_id:
        return Notice.objects.filter(unit_id=user.unit_id)
    return Notice.objects.none()


@dataclass
class OrderQuery:
    """A search of the order list: every field optional, all given ones must match."""

    status: list[str] | None = None
    request_type: str | None = None
    urgency: str | None = None
    channel: str | None = None
    category: Category | None = None  # and its subtree
    area: Area | None = None  # and its subtree
    lead_unit: Unit | None = None
    caller_phone: str | None = None
    is_overdue: bool | None = None
    is_confidential: bool | None = None
    registered_from: date | None = None
    registered_to: date | None = None
    q: str | None = None  # words in the number, title, content, address, company or reply

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) in (None, "", []) for f in fields(self))


EQUAL_FIELDS = (
    "request_type",
    "urgency",
    "channel",
    "caller_phone",
    "is_overdue",
    "is_confidential",
)


def search_orders(user: User, query: OrderQuery) -> QuerySet[WorkOrder]:
    """The orders visible to ``user`` that match ``query``, newest first.

    Refuses a search by phone number to roles that see numbers masked: the search would
    reveal them.
    """
    orders = orders_visible_to(user)
    if query.caller_phone and not user.has_role(*CONTACT_ROLES):
        raise Forbidden("forbidden_filter", _("Your role may not search by phone number."))
    if query.status:
        orders = orders.filter(status__in=query.status)
    for name in EQUAL_FIELDS:
        value = getattr(query, name)
        if value not in (None, ""):
            orders = orders.filter(**{name: value})
    if query.category:
        orders = orders.filter(in_subtree("category__path", query.category))
    if query.area:
        orders = orders.filter(in_subtree("area__path", query.area))
    if query.lead_unit:
        orders = orders.filter(lead_unit=query.lead_unit)
    if query.registered_from:
        orders = orders.filter(registered_on__gte=query.registered_from)
    if query.registered_to:
        orders = orders.filter(registered_on__lte=query.registered_to)
    if query.q and query.q.strip():
        orders = orders.filter(search.matching(query.q))
    return orders.order_by("-registered_at", "-id")

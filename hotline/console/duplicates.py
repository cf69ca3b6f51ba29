"""Possible duplicates of an order, for the dispatcher to merge (并单) or relate."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet

from hotline.orders.lifecycle import Status
from hotline.orders.models import WorkOrder
from hotline.orders.selectors import orders_visible_to

WINDOW = timedelta(days=7)


def possible_duplicates(order: WorkOrder, user, limit: int = 5) -> QuerySet[WorkOrder]:
    """Open or recent orders of the last seven days from the same phone, or about the same
    category at the same address or community."""
    same = Q(pk__in=[])
    if order.caller_phone:
        same |= Q(caller_phone=order.caller_phone)
    if order.category_id and order.area_id:
        same |= Q(category_id=order.category_id, area_id=order.area_id)
    if order.address:
        same |= Q(address=order.address)
    return (
        orders_visible_to(user)
        .filter(same, registered_at__gte=order.registered_at - WINDOW)
        .exclude(pk=order.pk)
        .exclude(status__in=[Status.MERGED, Status.TRANSFERRED])
        .select_related("category", "area", "lead_unit")
        .order_by("-registered_at")[:limit]
    )

"""API of work orders: register, list, read, act, history, indicators.

Thin: it translates HTTP to service calls and back. Visibility comes from the selectors,
masking from ``contact_visible_to``, permission to act from the lifecycle table.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from hotline.deadlines.calendar import calendar_warnings
from hotline.errors import NotFound
from hotline.orgs.api import by_code
from hotline.orgs.models import Area, Category, Hotline, Unit

from . import indicators, service
from .lifecycle import LABELS, TRANSITIONS
from .lifecycle import Status as OrderStatus
from .models import Attachment, Channel, Notice, WorkOrder
from .selectors import (
    OrderQuery,
    actions_for,
    contact_for,
    find_visible,
    history_of,
    notices_visible_to,
    orders_visible_to,
    search_orders,
)

router = Router(tags=["work orders"])
lifecycle_router = Router(tags=["work orders"])
indicators_router = Router(tags=["indicators"])

ActionName = Literal[tuple(TRANSITIONS)]  # type: ignore[valid-type]


class OrderIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    content: str = Field(..., min_length=1, max_length=20000)
    request_type: str
    channel: str = Channel.PHONE
    hotline: str | None = Field(None, description="Code of a merged hotline, e.g. 12315")
    urgency: str = "normal"
    category: str | None = Field(None, description="Category code")
    area: str | None = Field(None, description="Area code")
    address: str = Field("", max_length=255)
    lat: float | None = None
    lng: float | None = None
    caller_name: str = Field("", max_length=50)
    caller_phone: str = Field("", max_length=30)
    caller_kind: Literal["person", "company"] = "person"
    company_name: str = Field("", max_length=100)
    is_confidential: bool = False
    source_ref: str = Field("", max_length=100)


class OrderOut(Schema):
    number: str
    status: str
    status_label: str
    version: int
    channel: str
    hotline: str | None
    request_type: str
    category: str | None
    category_name: str | None
    title: str
    content: str
    address: str
    area: str | None
    area_name: str | None
    lat: float | None
    lng: float | None
    urgency: str
    caller_name: str
    caller_phone: str
    caller_kind: str
    company_name: str
    is_confidential: bool
    lead_unit: str | None
    co_units: list[str]
    registered_at: datetime
    dispatched_at: datetime | None
    accepted_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None
    closure: str
    sign_due_at: datetime | None
    handle_due_at: datetime | None
    due_at: datetime | None
    deadline_basis: str
    extension_days: int
    escalation: int
    is_overdue: bool
    reply: str
    callback_attempts: int
    is_resolved: bool | None
    is_satisfied: bool | None
    reopen_count: int
    return_count: int
    merged_into: str | None
    related: list[str]
    transferred_to: str
    allowed_actions: list[str]
    calendar_warnings: list[str]


# Fields of OrderOut read from the order as they are.
PLAIN_FIELDS = [
    "number",
    "status",
    "version",
    "channel",
    "request_type",
    "title",
    "content",
    "address",
    "lat",
    "lng",
    "urgency",
    "caller_kind",
    "company_name",
    "is_confidential",
    "registered_at",
    "dispatched_at",
    "accepted_at",
    "replied_at",
    "closed_at",
    "closure",
    "sign_due_at",
    "handle_due_at",
    "due_at",
    "deadline_basis",
    "extension_days",
    "escalation",
    "is_overdue",
    "reply",
    "callback_attempts",
    "is_resolved",
    "is_satisfied",
    "reopen_count",
    "return_count",
    "transferred_to",
]


def order_out(order: WorkOrder, user) -> dict:
    """The order as ``user`` may read it: contact masked unless the role needs it."""
    caller_name, caller_phone = contact_for(user, order)
    warnings = []
    if order.due_at:
        warnings = calendar_warnings(order.clock_started_at, order.due_at)
    out = {name: getattr(order, name) for name in PLAIN_FIELDS}
    out.update(
        status_label=str(OrderStatus(order.status).label),
        hotline=order.hotline.code if order.hotline_id else None,
        category=order.category.code if order.category_id else None,
        category_name=order.category.name if order.category_id else None,
        area=order.area.code if order.area_id else None,
        area_name=order.area.name if order.area_id else None,
        caller_name=caller_name,
        caller_phone=caller_phone,
        lead_unit=order.lead_unit.code if order.lead_unit_id else None,
        co_units=[unit.code for unit in order.co_units.all()],
        merged_into=order.merged_into.number if order.merged_into_id else None,
        related=[other.number for other in order.related.all()],
        allowed_actions=actions_for(user, order),
        calendar_warnings=warnings,
    )
    return out


def visible_order(request, number: str) -> WorkOrder:
    order = find_visible(request.user, number)
    if order is None:
        raise NotFound("order_not_found", _("Order %(number)s does not exist."), number=number)
    return order


@router.post("", response={201: OrderOut})
def create_order(request, payload: OrderIn):
    """Register a new order (受理)."""
    hotline = by_code(Hotline, payload.hotline, "hotline")
    intake = service.Intake(
        title=payload.title,
        content=payload.content,
        request_type=payload.request_type,
        channel=payload.channel,
        urgency=payload.urgency,
        category=by_code(Category, payload.category, "category"),
        area=by_code(Area, payload.area, "area"),
        address=payload.address,
        lat=payload.lat,
        lng=payload.lng,
        caller_name=payload.caller_name,
        caller_phone=payload.caller_phone,
        caller_kind=payload.caller_kind,
        company_name=payload.company_name,
        is_confidential=payload.is_confidential,
        hotline_id=hotline.pk if hotline else None,
        source_ref=payload.source_ref,
    )
    order = service.register(intake, request.user)
    return Status(201, order_out(visible_order(request, order.number), request.user))


class OrderFilter(Schema):
    status: list[str] | None = None
    request_type: str | None = None
    urgency: str | None = None
    category: str | None = Field(None, description="Category code; includes its subtree")
    area: str | None = Field(None, description="Area code; includes its subtree")
    lead_unit: str | None = None
    caller_phone: str | None = None
    is_overdue: bool | None = None
    registered_from: date | None = None
    registered_to: date | None = None
    q: str | None = Field(None, description="Words in the title, content or address")


class OrderPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[OrderOut]


@router.get("", response=OrderPage)
def list_orders(
    request,
    filters: Query[OrderFilter],
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
):
    """Orders visible to the caller, newest first."""
    orders = search_orders(
        request.user,
        OrderQuery(
            status=filters.status,
            request_type=filters.request_type,
            urgency=filters.urgency,
            caller_phone=filters.caller_phone,
            is_overdue=filters.is_overdue,
            category=by_code(Category, filters.category, "category"),
            area=by_code(Area, filters.area, "area"),
            lead_unit=by_code(Unit, filters.lead_unit, "lead_unit"),
            registered_from=filters.registered_from,
            registered_to=filters.registered_to,
            q=filters.q,
        ),
    )
    orders = orders.select_related(
        "category", "area", "lead_unit", "hotline", "merged_into"
    ).prefetch_related("co_units", "related")
    start = (page - 1) * page_size
    return {
        "count": orders.count(),
        "page": page,
        "page_size": page_size,
        "results": [order_out(o, request.user) for o in orders[start : start + page_size]],
    }


@router.get("/{number}", response=OrderOut)
def get_order(request, number: str):
    return order_out(visible_order(request, number), request.user)


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor: str | None
    actor_unit: str | None
    at: datetime
    note: str
    changes: dict


@router.get("/{number}/history", response=list[EventOut])
def get_history(request, number: str):
    """Every step of the order's life: who, when, why, what changed."""
    order = visible_order(request, number)
    return [
        {
            "action": e.action,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "actor": str(e.actor) if e.actor else None,
            "actor_unit": e.actor_unit.code if e.actor_unit else None,
            "at": e.at,
            "note": e.note,
            "changes": e.changes,
        }
        for e in history_of(order)
    ]


class ActionIn(Schema):
    note: str = Field("", max_length=5000, description="Reason or reply text")
    expected_version: int | None = Field(
        None, description="The version you read; a newer one on the server gives 409"
    )
    lead_unit: str | None = Field(None, description="dispatch/redispatch: lead unit code")
    co_units: list[str] = Field(default_factory=list, description="dispatch: co-unit codes")
    days: int | None = Field(None, description="request/approve_extension: working days")
    is_resolved: bool | None = Field(None, description="callback: problem resolved?")
    is_satisfied: bool | None = Field(None, description="callback: caller satisfied?")
    into: str | None = Field(None, description="merge: number of the order that remains")
    other: str | None = Field(None, description="relate: number of the related order")
    service: str | None = Field(None, description="transfer_emergency: 110, 119 or 120")
    reference: str | None = Field(None, description="transfer_emergency: their reference")


@router.post("/{number}/actions/{action}", response=OrderOut)
def act(request, number: str, action: ActionName, payload: ActionIn):
    """Take one action of the lifecycle on an order (see ``/api/lifecycle``)."""
    order = visible_order(request, number)
    params = payload.dict(exclude={"note", "expected_version"}, exclude_none=True)
    service.transition(
        order,
        action,
        request.user,
        note=payload.note,
        expected_version=payload.expected_version,
        **params,
    )
    return order_out(visible_order(request, number), request.user)


class StepOut(Schema):
    action: str
    label: str
    sources: list[str]
    target: str | None
    roles: list[str]
    own_unit: bool
    needs_reason: bool
    clock: str


@lifecycle_router.get("", response=list[StepOut], auth=None)
def lifecycle_table(request):
    """The lifecycle as a table: every action, from which states, to which, by whom."""
    return [
        {
            "action": name,
            "label": str(LABELS[name]),
            "sources": sorted(row.sources),
            "target": row.target,
            "roles": sorted(row.roles),
            "own_unit": row.own_unit,
            "needs_reason": row.needs_reason,
            "clock": str(row.clock),
        }
        for name, row in TRANSITIONS.items()
    ]


@indicators_router.get("", response=indicators.IndicatorReport)
def get_indicators(
    request,
    group_by: Literal["unit", "area", "category", "period", "none"] = "none",
    period: Literal["day", "week", "month", "year"] = "month",
    start: date | None = None,
    end: date | None = None,
):
    """The 三率 and more, each with its formula, over orders registered in [start, end]."""
    return indicators.report(
        orders_visible_to(request.user),
        group_by=group_by,
        period=period,
        start=start,
        end=end or timezone.localdate(),
    )


# --- attachments ---------------------------------------------------------------------------


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_by: str | None
    uploaded_at: datetime
    url: str


def attachment_out(attachment: Attachment) -> dict:
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "uploaded_by": str(attachment.uploaded_by) if attachment.uploaded_by else None,
        "uploaded_at": attachment.uploaded_at,
        "url": f"/api/orders/{attachment.order.number}/attachments/{attachment.pk}",
    }


@router.post("/{number}/attachments", response={201: AttachmentOut})
def upload_attachment(request, number: str, file: File[UploadedFile]):
    """Attach a photo, document or recording to an order (size- and type-checked)."""
    order = visible_order(request, number)
    attachment = service.attach(order, file, request.user)
    return Status(201, attachment_out(attachment))


@router.get("/{number}/attachments", response=list[AttachmentOut])
def list_attachments(request, number: str):
    order = visible_order(request, number)
    return [attachment_out(a) for a in order.attachments.select_related("order", "uploaded_by")]


@router.get("/{number}/attachments/{attachment_id}")
def download_attachment(request, number: str, attachment_id: int):
    """The file itself, only for those who may see the order."""
    order = visible_order(request, number)
    attachment = order.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("attachment_not_found", _("This attachment does not exist."))
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


# --- notices -------------------------------------------------------------------------------

notices_router = Router(tags=["notices"])


class NoticeOut(Schema):
    id: int
    order: str
    unit: str
    level: int
    message: str
    created_at: datetime
    read_at: datetime | None


def notice_out(notice: Notice) -> dict:
    return {
        "id": notice.pk,
        "order": notice.order.number,
        "unit": notice.unit.code,
        "level": notice.level,
        "message": notice.message,
        "created_at": notice.created_at,
        "read_at": notice.read_at,
    }


@notices_router.get("", response=list[NoticeOut])
def list_notices(request, unread: bool = False):
    """Reminders, urging and supervision notices: a handler sees its own unit's."""
    notices = notices_visible_to(request.user).select_related("order", "unit")
    if unread:
        notices = notices.filter(read_at__isnull=True)
    return [notice_out(n) for n in notices.order_by("-created_at")[:200]]


@notices_router.post("/{notice_id}/read", response=NoticeOut)
def read_notice(request, notice_id: int):
    notice = (
        notices_visible_to(request.user)
        .select_related("order", "unit")
        .filter(pk=notice_id)
        .first()
    )
    if notice is None:
        raise NotFound("notice_not_found", _("This notice does not exist."))
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice_out(notice)

"""The domain verbs of the work order. Every change of state goes through here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotline.deadlines.calendar import add_working_days, local
from hotline.deadlines.policies import PolicyRow, Subject, deadlines_for
from hotline.errors import Conflict, Forbidden, HotlineError
from hotline.orgs.models import Area, Category, RequestType, Role, Unit, Urgency, User

from . import search
from .lifecycle import (
    ESCALATION_ACTIONS,
    LABELS,
    OPEN_STATUSES,
    REGISTER,
    SYSTEM,
    TRANSITIONS,
    ClockEffect,
    Escalation,
    Status,
)
from .models import (
    Attachment,
    CallbackAttempt,
    Channel,
    Closure,
    EmergencyService,
    ExtensionRequest,
    Notice,
    OrderEvent,
    OrderNumberSequence,
    Satisfaction,
    WorkOrder,
)

MAX_EXTENSION_DAYS = 30


class OrderError(HotlineError):
    """A refused action on a work order."""


# --- numbering -----------------------------------------------------------------------------


def next_numbers(day: date, count: int = 1) -> list[str]:
    """Reserve ``count`` consecutive numbers of ``day`` (``YYYYMMDD-NNNNNN``).

    Runs inside the caller's transaction: the sequence row stays locked until it commits,
    so two registrations never get the same number.
    """
    with transaction.atomic():
        if not OrderNumberSequence.objects.filter(day=day).update(last=F("last") + count):
            try:
                with transaction.atomic():
                    OrderNumberSequence.objects.create(day=day, last=count)
            except IntegrityError:
                OrderNumberSequence.objects.filter(day=day).update(last=F("last") + count)
        last = OrderNumberSequence.objects.get(day=day).last
    return [f"{day:%Y%m%d}-{n:06d}" for n in range(last - count + 1, last + 1)]


# --- registration --------------------------------------------------------------------------


@dataclass
class Intake:
    """What an operator or a channel knows about a new request."""

    title: str
    content: str
    request_type: str
    channel: str = Channel.PHONE
    urgency: str = Urgency.NORMAL
    category: Category | None = None
    area: Area | None = None
    address: str = ""
    lat: float | None = None
    lng: float | None = None
    caller_name: str = ""
    caller_phone: str = ""
    caller_kind: str = "person"
    company_name: str = ""
    is_confidential: bool = False
    hotline_id: int | None = None
    source_ref: str = ""


def register(intake: Intake, by: User | None, *, now: datetime | None = None) -> WorkOrder:
    """Register a new order (受理). Refuses users who are not operators or dispatchers.

    A channel message already registered (same channel and ``source_ref``) returns the
    order it made instead of a second one.
    """
    now = now or timezone.now()
    if by is not None and not by.has_role(Role.OPERATOR, Role.DISPATCHER):
        raise Forbidden("forbidden_action", _("You may not register orders."))
    validate_intake(intake)
    if intake.source_ref:
        existing = same_message(intake)
        if existing:
            return existing
    try:
        return create_order(intake, by, now)
    except IntegrityError:
        # The same channel message arrived twice at the same moment: one order wins.
        existing = same_message(intake) if intake.source_ref else None
        if existing is None:
            raise
        return existing


def same_message(intake: Intake) -> WorkOrder | None:
    return WorkOrder.objects.filter(channel=intake.channel, source_ref=intake.source_ref).first()


def create_order(intake: Intake, by: User | None, now: datetime) -> WorkOrder:
    with transaction.atomic():
        (number,) = next_numbers(local(now).date())
        order = WorkOrder.objects.create(
            number=number,
            channel=intake.channel,
            hotline_id=intake.hotline_id,
            source_ref=intake.source_ref,
            caller_name=intake.caller_name,
            caller_phone=intake.caller_phone,
            caller_kind=intake.caller_kind,
            company_name=intake.company_name,
            is_confidential=intake.is_confidential,
            request_type=intake.request_type,
            category=intake.category,
            title=intake.title,
            content=intake.content,
            address=intake.address,
            area=intake.area,
            lat=intake.lat,
            lng=intake.lng,
            urgency=intake.urgency,
            status=Status.REGISTERED,
            registered_at=now,
            registered_on=local(now).date(),
            created_by=by,
        )
        search.reindex(order)
        OrderEvent.objects.create(
            order=order,
            action=REGISTER,
            from_status="",
            to_status=Status.REGISTERED,
            actor=by,
            actor_unit=by.unit if by else None,
            at=now,
        )
    return order


FIELD_LIMITS = {
    "title": 200,
    "content": 20000,
    "address": 255,
    "caller_name": 50,
    "caller_phone": 30,
    "company_name": 100,
    "source_ref": 100,
}


def validate_intake(intake: Intake) -> None:
    if not intake.title.strip():
        raise OrderError("missing_field", _("The title is required."), field="title")
    if not intake.content.strip():
        raise OrderError("missing_field", _("The content is required."), field="content")
    for name, limit in FIELD_LIMITS.items():
        if len(getattr(intake, name) or "") > limit:
            raise OrderError(
                "field_too_long",
                _("%(field)s is longer than %(limit)s characters."),
                field=name,
                limit=limit,
            )
    if intake.request_type not in RequestType.values:
        raise OrderError("invalid_request_type", _("Unknown request type."))
    if intake.urgency not in Urgency.values:
        raise OrderError("invalid_urgency", _("Unknown urgency."))
    if intake.channel not in Channel.values:
        raise OrderError("invalid_channel", _("Unknown channel."))
    if (intake.lat is None) != (intake.lng is None):
        raise OrderError("invalid_coordinates", _("Give both latitude and longitude, or neither."))
    if intake.lat is not None and not (-90 <= intake.lat <= 90 and -180 <= intake.lng <= 180):
        raise OrderError("invalid_coordinates", _("The coordinates are out of range."))


# --- transitions ---------------------------------------------------------------------------


def check_allowed(order: WorkOrder, action: str, actor: User | None) -> None:
    """Refuse an action that the table does not allow for this order, state and actor."""
    row = TRANSITIONS.get(action)
    if row is None:
        raise OrderError("unknown_action", _("Unknown action %(action)s."), action=action)
    if order.status not in row.sources:
        raise OrderError(
            "illegal_transition",
            _("An order that is “%(state)s” cannot be given the action “%(action)s”."),
            state=Status(order.status).label,
            action=LABELS[action],
            status=409,
        )
    if actor is None:
        if SYSTEM not in row.roles:
            raise Forbidden("forbidden_action", _("This action needs a person."))
        return
    if not actor.roles.intersection(row.roles):
        raise Forbidden(
            "forbidden_action",
            _("Your role may not take the action “%(action)s”."),
            action=LABELS[action],
        )
    if row.own_unit and (actor.unit_id is None or actor.unit_id != order.lead_unit_id):
        raise Forbidden(
            "not_your_unit", _("Only the lead unit of this order may take this action.")
        )


def reason_of(note: str, action: str) -> str:
    if TRANSITIONS[action].needs_reason and not note.strip():
        raise OrderError("reason_required", _("Give a reason."), field="note")
    return note.strip()


def unit_by_code(code: str | None, field_name: str) -> Unit:
    unit = Unit.objects.filter(code=code, is_active=True).first() if code else None
    if unit is None:
        raise OrderError(
            "unknown_unit",
            _("Unknown or inactive unit “%(code)s”."),
            code=code or "",
            field=field_name,
        )
    return unit


def subject_of(order: WorkOrder) -> Subject:
    return Subject(
        request_type=order.request_type,
        urgency=order.urgency,
        category_path=order.category.path if order.category_id else "",
        area_path=order.area.path if order.area_id else "",
    )


def next_timer(order: WorkOrder) -> datetime | None:
    """When the sweeper must next look at the order: the next grade of escalation."""
    if order.status not in (Status.DISPATCHED, Status.ACCEPTED) or order.due_at is None:
        return None
    if order.escalation == Escalation.NONE:
        span = order.due_at - order.clock_started_at
        return order.clock_started_at + span * settings.HOTLINE_REMIND_AT_FRACTION
    if order.escalation == Escalation.REMINDED:
        return order.due_at
    if order.escalation == Escalation.URGED:
        return add_working_days(order.due_at, settings.HOTLINE_SUPERVISE_AFTER_WORKING_DAYS)
    return None


def start_clocks(order: WorkOrder, now: datetime, policies: list[PolicyRow] | None) -> None:
    limits = deadlines_for(subject_of(order), now, policies)
    order.clock_started_at = now
    order.sign_due_at = limits.sign_due_at
    order.handle_due_at = limits.handle_due_at
    order.due_at = limits.sign_due_at
    order.extension_days = 0
    order.escalation = Escalation.NONE
    order.is_overdue = False
    order.deadline_basis = f"{limits.sign_policy.name} / {limits.handle_policy.name}"


def apply_clock(order: WorkOrder, effect: ClockEffect, now: datetime, **kwargs) -> None:
    if effect == ClockEffect.START:
        start_clocks(order, now, kwargs.get("policies"))
    elif effect == ClockEffect.HANDLE:
        order.due_at = order.handle_due_at
        order.escalation = Escalation.NONE
        order.is_overdue = now > order.due_at
    elif effect == ClockEffect.EXTEND:
        order.handle_due_at = add_working_days(order.handle_due_at, kwargs["days"])
        order.extension_days += kwargs["days"]
        order.due_at = order.handle_due_at
        order.escalation = Escalation.NONE
        order.is_overdue = now > order.due_at
    elif effect == ClockEffect.STOP:
        order.due_at = None
    order.next_timer_at = next_timer(order)


# Fields a transition may change; their before/after values go into the history row.
TRACKED_FIELDS = [
    "status",
    "lead_unit_id",
    "clock_started_at",
    "sign_due_at",
    "handle_due_at",
    "due_at",
    "next_timer_at",
    "deadline_basis",
    "extension_days",
    "escalation",
    "is_overdue",
    "dispatched_at",
    "accepted_at",
    "is_accepted_on_time",
    "replied_at",
    "is_replied_on_time",
    "closed_at",
    "closure",
    "reply",
    "callback_attempts",
    "is_resolved",
    "is_satisfied",
    "return_count",
    "reopen_count",
    "merged_into_id",
    "transferred_to",
    "transfer_reference",
]


def snapshot(order: WorkOrder) -> dict[str, Any]:
    return {name: getattr(order, name) for name in TRACKED_FIELDS}


def jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def transition(
    order: WorkOrder,
    action: str,
    actor: User | None,
    *,
    note: str = "",
    now: datetime | None = None,
    expected_version: int | None = None,
    **params: Any,
) -> WorkOrder:
    """Apply one row of the lifecycle table to ``order``, as ``actor`` (``None``: the system).

    In one transaction: the checks of the table and of the action, a conditional UPDATE on
    the version the caller read (``expected_version``, by default the one of ``order``; a
    concurrent change makes this one fail with a conflict), the records the action
    creates, and the history row with what changed.
    """
    now = now or timezone.now()
    check_allowed(order, action, actor)
    note = reason_of(note, action)
    row = TRANSITIONS[action]
    before = snapshot(order)
    read_version = order.version if expected_version is None else expected_version
    params["action"] = action
    try:
        with transaction.atomic():
            after_save = ACTIONS[action](order, actor, note, now, params)
            if row.target is not None:
                order.status = row.target
            apply_clock(order, row.clock, now, **params)
            after = snapshot(order)
            changed = {k: (before[k], after[k]) for k in TRACKED_FIELDS if before[k] != after[k]}
            updated = WorkOrder.objects.filter(pk=order.pk, version=read_version).update(
                version=read_version + 1, **{k: after[k] for k in changed}
            )
            if not updated:
                raise Conflict(
                    "concurrent_change",
                    _("Somebody else changed this order a moment ago. Reload it and try again."),
                )
            order.version = read_version + 1
            if after_save:
                after_save()
            if any(name in changed for name in search.SEARCHED_FIELDS):
                search.reindex(order)
            OrderEvent.objects.create(
                order=order,
                action=action,
                from_status=before["status"],
                to_status=order.status,
                actor=actor,
                actor_unit=actor.unit if actor else None,
                at=now,
                note=note,
                changes={k: [jsonable(a), jsonable(b)] for k, (a, b) in changed.items()},
            )
    except Exception:
        # Nothing was written; let the caller's object show the order as it now is.
        order.refresh_from_db()
        raise
    return order


# Each action's own effect: it checks its parameters, changes the order's fields and may
# return a callable that writes the records the action creates once the order row is won.


def dispatch_to(order, actor, note, now, params):
    lead = unit_by_code(params.get("lead_unit"), "lead_unit")
    co_units = [unit_by_code(code, "co_units") for code in params.get("co_units") or []]
    if lead in co_units:
        raise OrderError("invalid_co_units", _("The lead unit cannot also be a co-unit."))
    order.lead_unit = lead
    order.dispatched_at = now
    order.accepted_at = order.is_accepted_on_time = None
    order.replied_at = order.is_replied_on_time = None
    return lambda: order.co_units.set(co_units)


def on_accept(order, actor, note, now, params):
    order.accepted_at = now
    order.is_accepted_on_time = now <= order.sign_due_at


def on_return(order, actor, note, now, params):
    order.return_count += 1


def on_request_extension(order, actor, note, now, params):
    days = params.get("days")
    if not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise OrderError(
            "invalid_extension",
            _("Ask for 1 to %(max)s working days."),
            max=MAX_EXTENSION_DAYS,
            field="days",
        )
    if order.extension_requests.filter(state=ExtensionRequest.State.PENDING).exists():
        raise OrderError("extension_pending", _("An extension request is already waiting."))
    return lambda: ExtensionRequest.objects.create(
        order=order,
        unit=order.lead_unit,
        days=days,
        reason=note,
        requested_by=actor,
        requested_at=now,
    )


def pending_extension(order: WorkOrder) -> ExtensionRequest:
    request = order.extension_requests.filter(state=ExtensionRequest.State.PENDING).first()
    if request is None:
        raise OrderError("no_extension_pending", _("No extension request is waiting."))
    return request


def on_approve_extension(order, actor, note, now, params):
    request = pending_extension(order)
    days = params.get("days") or request.days
    if not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise OrderError(
            "invalid_extension",
            _("Grant 1 to %(max)s working days."),
            max=MAX_EXTENSION_DAYS,
            field="days",
        )
    params["days"] = days

    def decide():
        ExtensionRequest.objects.filter(pk=request.pk).update(
            state=ExtensionRequest.State.APPROVED,
            decided_by=actor,
            decided_at=now,
            days_granted=days,
            decision_note=note,
        )

    return decide


def on_refuse_extension(order, actor, note, now, params):
    request = pending_extension(order)
    return lambda: ExtensionRequest.objects.filter(pk=request.pk).update(
        state=ExtensionRequest.State.REFUSED,
        decided_by=actor,
        decided_at=now,
        decision_note=note,
    )


def on_reply(order, actor, note, now, params):
    order.reply = note
    order.replied_at = now
    order.is_replied_on_time = now <= order.handle_due_at


def on_callback(order, actor, note, now, params):
    resolved, satisfied = params.get("is_resolved"), params.get("is_satisfied")
    if not isinstance(resolved, bool) or not isinstance(satisfied, bool):
        raise OrderError(
            "callback_outcome_required",
            _("Record whether the problem was resolved and whether the caller is satisfied."),
        )
    order.callback_attempts += 1
    order.is_resolved, order.is_satisfied = resolved, satisfied
    return lambda: CallbackAttempt.objects.create(
        order=order,
        by=actor,
        at=now,
        is_reached=True,
        is_resolved=resolved,
        is_satisfied=satisfied,
        note=note,
    )


def on_callback_failed(order, actor, note, now, params):
    order.callback_attempts += 1
    return lambda: CallbackAttempt.objects.create(
        order=order, by=actor, at=now, is_reached=False, note=note
    )


def on_close(order, actor, note, now, params):
    if order.status == Status.PENDING_CALLBACK:
        if order.callback_attempts < settings.HOTLINE_CALLBACK_MAX_ATTEMPTS:
            raise OrderError(
                "callback_not_done",
                _("Call the citizen back first (%(tries)s unreachable attempts close it)."),
                tries=settings.HOTLINE_CALLBACK_MAX_ATTEMPTS,
            )
        order.closure = Closure.UNREACHABLE
    else:
        order.closure = Closure.CALLBACK
    order.closed_at = now


def on_resolve_directly(order, actor, note, now, params):
    order.reply = note
    order.closure = Closure.DIRECT
    order.closed_at = now


def on_reopen(order, actor, note, now, params):
    if order.lead_unit_id is None:
        raise OrderError("no_lead_unit", _("This order was never dispatched; register a new one."))
    order.reopen_count += 1
    order.closed_at = None
    order.closure = ""
    order.callback_attempts = 0
    order.is_resolved = order.is_satisfied = None
    order.dispatched_at = now
    order.accepted_at = order.is_accepted_on_time = None
    order.replied_at = order.is_replied_on_time = None


def on_merge(order, actor, note, now, params):
    target = WorkOrder.objects.filter(number=params.get("into") or "").first()
    if target is None:
        raise OrderError(
            "unknown_order", _("The order to merge into does not exist."), field="into"
        )
    if target.pk == order.pk:
        raise OrderError("invalid_merge", _("An order cannot be merged into itself."))
    if target.status in (Status.MERGED, Status.TRANSFERRED):
        raise OrderError("invalid_merge", _("Merge into the order that remains open."))
    order.merged_into = target
    return lambda: order.related.add(target)


def on_relate(order, actor, note, now, params):
    other = WorkOrder.objects.filter(number=params.get("other") or "").first()
    if other is None:
        raise OrderError("unknown_order", _("The related order does not exist."), field="other")
    if other.pk == order.pk:
        raise OrderError("invalid_relation", _("An order cannot be related to itself."))
    return lambda: order.related.add(other)


def on_transfer(order, actor, note, now, params):
    service = params.get("service")
    if service not in EmergencyService.values:
        raise OrderError(
            "invalid_emergency_service", _("Transfer to 110, 119 or 120."), field="service"
        )
    order.transferred_to = service
    order.transfer_reference = (params.get("reference") or "")[:50]
    order.closed_at = now


def on_escalate(order, actor, note, now, params):
    """Reminder, urging, supervision: raise the grade, tell the lead unit."""
    level = ESCALATION_ACTIONS[params["action"]]
    order.escalation = max(order.escalation, level)
    if order.due_at and now > order.due_at:
        order.is_overdue = True
    message = str(Escalation(level).label)
    return lambda: Notice.objects.create(
        order=order,
        unit=order.lead_unit,
        level=level,
        created_at=now,
        message=f"{message}: {order.number} {order.title}"[:255],
    )


ACTIONS = {
    "resolve_directly": on_resolve_directly,
    "dispatch": dispatch_to,
    "accept": on_accept,
    "return_order": on_return,
    "redispatch": dispatch_to,
    "request_extension": on_request_extension,
    "approve_extension": on_approve_extension,
    "refuse_extension": on_refuse_extension,
    "reply": on_reply,
    "approve_reply": lambda *args: None,
    "send_back": lambda *args: None,
    "callback": on_callback,
    "callback_failed": on_callback_failed,
    "close": on_close,
    "reopen": on_reopen,
    "merge": on_merge,
    "transfer_emergency": on_transfer,
    "relate": on_relate,
    "remind": on_escalate,
    "urge": on_escalate,
    "supervise": on_escalate,
}


# --- attachments ---------------------------------------------------------------------------

ALLOWED_ATTACHMENTS = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".amr": "audio/amr",
    ".mp4": "video/mp4",
}
# What the first bytes of a file must be for the types a browser would render.
MAGIC = {
    ".jpg": [b"\xff\xd8\xff"],
    ".jpeg": [b"\xff\xd8\xff"],
    ".png": [b"\x89PNG"],
    ".gif": [b"GIF8"],
    ".pdf": [b"%PDF"],
    ".webp": [b"RIFF"],
}


def attach(order: WorkOrder, upload, by: User | None, *, now: datetime | None = None) -> Attachment:
    """Store a file on an order (``by`` None: the citizen, through a channel). Refuses
    orders merged or transferred, unknown types and oversized files."""
    if order.status in (Status.MERGED, Status.TRANSFERRED):
        raise OrderError("order_not_open", _("This order no longer takes attachments."))
    name, content_type = check_upload(upload)
    attachment = Attachment(
        order=order,
        name=name,
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
        uploaded_at=now or timezone.now(),
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment


def check_upload(upload, allowed: dict[str, str] = ALLOWED_ATTACHMENTS) -> tuple[str, str]:
    """The file's name and content type, if it may be stored: a type in ``allowed``,
    whose first bytes match it, not larger than the limit. Reads nothing else."""
    name = Path(upload.name or "file").name[-200:]
    suffix = Path(name).suffix.lower()
    if suffix not in allowed:
        raise OrderError(
            "attachment_type",
            _("Files of type “%(suffix)s” are not accepted."),
            suffix=suffix or "?",
        )
    if upload.size > settings.HOTLINE_ATTACHMENT_MAX_BYTES:
        raise OrderError(
            "attachment_too_large",
            _("A file may be at most %(mb)s MB."),
            mb=settings.HOTLINE_ATTACHMENT_MAX_BYTES // (1024 * 1024),
            status=413,
        )
    head = upload.read(8)
    upload.seek(0)
    if suffix in MAGIC and not any(head.startswith(m) for m in MAGIC[suffix]):
        raise OrderError(
            "attachment_type",
            _("The file's content does not match its type “%(suffix)s”."),
            suffix=suffix,
        )
    return name, allowed[suffix]


# --- what the citizen adds --------------------------------------------------------------


def add_supplement(order: WorkOrder, text: str, *, now: datetime | None = None) -> OrderEvent:
    """Record what the citizen added to their request (市民补充) through a channel: a
    history row for the unit, with no change of state. Refuses an empty text and orders
    that are closed, merged or transferred (the citizen files a new request then)."""
    from .public import SUPPLEMENT

    text = (text or "").strip()
    if not text:
        raise OrderError("missing_field", _("The description is required."), field="description")
    if len(text) > FIELD_LIMITS["content"]:
        raise OrderError(
            "field_too_long",
            _("%(field)s is longer than %(limit)s characters."),
            field="description",
            limit=FIELD_LIMITS["content"],
        )
    if order.status not in OPEN_STATUSES:
        raise OrderError(
            "order_not_open", _("This request is closed; please submit a new one."), status=409
        )
    return OrderEvent.objects.create(
        order=order,
        action=SUPPLEMENT,
        from_status=order.status,
        to_status=order.status,
        at=now or timezone.now(),
        note=text,
    )


# The states in which the unit's answer has been approved and may be rated.
RATABLE_STATUSES = frozenset({Status.PENDING_CALLBACK, Status.CALLED_BACK, Status.CLOSED})


def rate(
    order: WorkOrder,
    is_resolved: bool,
    satisfaction: str,
    comment: str = "",
    *,
    now: datetime | None = None,
) -> OrderEvent:
    """Record the citizen's own rating of the result (网上评价), once per order, after the
    unit's answer was approved. It is a history row the callback staff read; it changes
    no state. Refuses a second rating and an order not answered yet."""
    from .public import RATING

    if order.status not in RATABLE_STATUSES:
        raise OrderError(
            "not_ratable", _("The result can be rated once the unit has answered."), status=409
        )
    if satisfaction not in Satisfaction.values:
        raise OrderError("invalid_satisfaction", _("Choose how satisfied you are."))
    comment = (comment or "").strip()[:500]
    with transaction.atomic():
        # The order row is locked: two ratings at once give one.
        WorkOrder.objects.select_for_update().filter(pk=order.pk).first()
        if OrderEvent.objects.filter(order=order, action=RATING).exists():
            raise OrderError("already_rated", _("This result was rated already."), status=409)
        words = [
            str(_("resolved") if is_resolved else _("not resolved")),
            str(Satisfaction(satisfaction).label),
        ]
        note = "，".join(words) + (f"。{comment}" if comment else "")
        return OrderEvent.objects.create(
            order=order,
            action=RATING,
            from_status=order.status,
            to_status=order.status,
            at=now or timezone.now(),
            note=note,
            changes={"is_resolved": is_resolved, "satisfaction": satisfaction},
        )


# --- deadlines sweeper ---------------------------------------------------------------------


def escalation_action(order: WorkOrder) -> str:
    return {
        Escalation.NONE: "remind",
        Escalation.REMINDED: "urge",
        Escalation.URGED: "supervise",
    }[Escalation(order.escalation)]


def sweep(now: datetime | None = None, batch: int = 50, rounds: int = 10_000) -> int:
    """Act on every order whose next deadline moment has come; returns how many actions.

    Claims a few rows at a time with ``select_for_update(skip_locked=True)``, so several
    sweepers can run and no transaction holds the database for long. An order whose
    sweeper was down for a while gets its missed grades one after the other.
    """
    now = now or timezone.now()
    done = 0
    for _round in range(rounds):
        with transaction.atomic():
            claimed = list(
                WorkOrder.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(next_timer_at__lte=now, status__in=[Status.DISPATCHED, Status.ACCEPTED])
                .select_related("category", "area", "lead_unit")
                .order_by("next_timer_at")[:batch]
            )
            for order in claimed:
                try:
                    transition(order, escalation_action(order), None, now=now)
                except Conflict:
                    continue  # changed by a person meanwhile; the next sweep looks again
                done += 1
        if not claimed:
            break
    return done

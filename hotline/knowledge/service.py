"""The knowledge base's domain verbs: write, revise, submit for review, approve or send
back, withdraw, expire. Every change of state happens here, in one transaction, and a
stale action loses to the first one."""

from __future__ import annotations

import difflib
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotline.errors import Conflict, Forbidden, HotlineError
from hotline.orgs.models import Role

from .indexing import search_words
from .models import KIND_FIELDS, CollaborationRequest, Kind, KnowledgeItem, KnowledgeVersion

EDITOR_ROLES = (Role.KNOWLEDGE_EDITOR, Role.ADMINISTRATOR)
REMIND_DAYS = 30  # an owner unit is reminded this long before its item expires

State = KnowledgeVersion.State
Status = KnowledgeItem.Status


class KnowledgeError(HotlineError):
    pass


def may_write(user, item: KnowledgeItem | None = None, unit=None) -> bool:
    """Editors write every item; a unit's handlers write their own unit's items (an
    existing ``item``, or a new one for ``unit``)."""
    if user.has_role(*EDITOR_ROLES):
        return True
    owner_id = item.owner_unit_id if item is not None else getattr(unit, "pk", None)
    return bool(owner_id and user.has_role(Role.HANDLER) and user.unit_id == owner_id)


def clean_fields(kind: str, fields: dict | None) -> dict:
    """The kind's own details, as text; anything else is refused, not silently dropped."""
    fields = {key: value for key, value in (fields or {}).items() if value not in (None, "")}
    unknown = sorted(set(fields) - set(KIND_FIELDS[Kind(kind)]))
    if unknown:
        raise KnowledgeError(
            "unknown_field",
            _("A %(kind)s has no field %(fields)s."),
            kind=str(Kind(kind).label),
            fields="、".join(unknown),
            field="fields",
        )
    return {key: str(value)[:2000] for key, value in fields.items()}


def check_text(title: str, text: str) -> tuple[str, str]:
    title, text = (title or "").strip(), (text or "").strip()
    if not title:
        raise KnowledgeError("title_required", _("Give the item a title."), field="title")
    if not text:
        raise KnowledgeError("text_required", _("Write what the item says."), field="text")
    return title[:200], text


@transaction.atomic
def create(
    kind: str,
    title: str,
    text: str,
    owner_unit,
    by,
    *,
    fields: dict | None = None,
    areas=(),
    tags: str = "",
    valid_until: date | None = None,
    now: datetime | None = None,
) -> KnowledgeItem:
    """A new item with its first version, a draft (nothing is searchable before review)."""
    if kind not in Kind.values:
        raise KnowledgeError("unknown_kind", _("Unknown kind of knowledge."), field="kind")
    if not may_write(by, unit=owner_unit):
        raise Forbidden("forbidden", _("Your role may not write knowledge items."))
    title, text = check_text(title, text)
    now = now or timezone.now()
    item = KnowledgeItem.objects.create(
        kind=kind,
        owner_unit=owner_unit,
        tags=" ".join((tags or "").split())[:255],
        valid_until=valid_until,
        created_at=now,
        updated_at=now,
    )
    item.areas.set(areas)
    KnowledgeVersion.objects.create(
        item=item,
        number=1,
        title=title,
        text=text,
        fields=clean_fields(kind, fields),
        written_by=by,
        written_at=now,
    )
    return item


@transaction.atomic
def revise(
    item: KnowledgeItem,
    by,
    title: str,
    text: str,
    *,
    fields: dict | None = None,
    note: str = "",
    now: datetime | None = None,
) -> KnowledgeVersion:
    """Write the next text of ``item``: the open draft is rewritten, else a new draft
    version starts from here. Refused while a version is in review."""
    if not may_write(by, item):
        raise Forbidden("forbidden", _("Your role may not write this item."))
    title, text = check_text(title, text)
    now = now or timezone.now()
    item = KnowledgeItem.objects.select_for_update().get(pk=item.pk)
    open_version = item.versions.filter(state__in=[State.DRAFT, State.REVIEW]).first()
    if open_version and open_version.state == State.REVIEW:
        raise Conflict("in_review", _("A version of this item is in review; wait for it."))
    values = {
        "title": title,
        "text": text,
        "fields": clean_fields(item.kind, fields),
        "note": (note or "")[:255],
        "written_by": by,
        "written_at": now,
    }
    if open_version:
        for name, value in values.items():
            setattr(open_version, name, value)
        open_version.save()
        version = open_version
    else:
        last = item.versions.order_by("-number").values_list("number", flat=True).first() or 0
        version = KnowledgeVersion.objects.create(item=item, number=last + 1, **values)
    KnowledgeItem.objects.filter(pk=item.pk).update(updated_at=now)
    return version


@transaction.atomic
def set_details(
    item: KnowledgeItem,
    by,
    *,
    areas=None,
    tags: str | None = None,
    valid_until: date | None = None,
    now: datetime | None = None,
) -> KnowledgeItem:
    """Change where an item applies, its tags and its validity (no review: the text is
    unchanged). A new validity is reminded again before it ends; an expired item whose
    validity is extended is searchable again."""
    if not may_write(by, item):
        raise Forbidden("forbidden", _("Your role may not write this item."))
    now = now or timezone.now()
    item = KnowledgeItem.objects.select_for_update().get(pk=item.pk)
    if tags is not None:
        item.tags = tags.strip()[:255]
    if valid_until != item.valid_until:
        item.valid_until = valid_until
        item.expiry_reminded_at = None
        still_valid = valid_until is None or valid_until >= timezone.localdate(now)
        if item.status == Status.EXPIRED and still_valid and item.published_id:
            item.status = Status.PUBLISHED
    item.updated_at = now
    item.save()
    if areas is not None:
        item.areas.set(areas)
    return item


def move(version: KnowledgeVersion, expected: str, to: str, **values) -> None:
    """A conditional update on the expected state: of two people at once, one wins."""
    changed = KnowledgeVersion.objects.filter(pk=version.pk, state=expected).update(
        state=to, **values
    )
    if not changed:
        raise Conflict("stale_version", _("Someone changed this version just now; reload it."))
    version.refresh_from_db()


@transaction.atomic
def submit(version: KnowledgeVersion, by, now: datetime | None = None) -> KnowledgeVersion:
    """Send a draft for review (提交审核)."""
    if not may_write(by, version.item):
        raise Forbidden("forbidden", _("Your role may not write this item."))
    move(version, State.DRAFT, State.REVIEW, written_at=now or timezone.now())
    return version


@transaction.atomic
def approve(version: KnowledgeVersion, by, now: datetime | None = None) -> KnowledgeVersion:
    """Publish a version in review: it becomes the item's text, searchable at once. Its
    writer may not approve it (four eyes)."""
    if not by.has_role(*EDITOR_ROLES):
        raise Forbidden("forbidden", _("Only knowledge editors publish items."))
    if version.written_by_id == by.pk:
        raise Forbidden("own_version", _("Another editor must review what you wrote."))
    now = now or timezone.now()
    item = KnowledgeItem.objects.select_for_update().get(pk=version.item_id)
    move(version, State.REVIEW, State.PUBLISHED, reviewed_by=by, reviewed_at=now)
    put_in_force(item, version, now)
    close_answered(version, now)
    return version


def put_in_force(item: KnowledgeItem, version: KnowledgeVersion, now: datetime) -> None:
    """``version`` (just published) becomes the item's text: the previous one is
    superseded, and the item is searchable unless its validity has passed."""
    item.versions.filter(state=State.PUBLISHED).exclude(pk=version.pk).update(
        state=State.SUPERSEDED
    )
    # The words PostgreSQL's full-text index reads (the "postgres" search backend).
    KnowledgeVersion.objects.filter(pk=version.pk).update(
        **search_words(version.title, version.text)
    )
    status = Status.PUBLISHED
    if item.valid_until and item.valid_until < timezone.localdate(now):
        status = Status.EXPIRED
    KnowledgeItem.objects.filter(pk=item.pk).update(
        published=version, status=status, updated_at=now, expiry_reminded_at=None
    )


@transaction.atomic
def send_back(
    version: KnowledgeVersion, by, note: str, now: datetime | None = None
) -> KnowledgeVersion:
    """Return a version in review to its writer with what must change (退回修改)."""
    if not by.has_role(*EDITOR_ROLES):
        raise Forbidden("forbidden", _("Only knowledge editors review items."))
    if not (note or "").strip():
        raise KnowledgeError("note_required", _("Say what must change."), field="note")
    now = now or timezone.now()
    move(version, State.REVIEW, State.DRAFT, reviewed_by=by, reviewed_at=now, review_note=note)
    return version


@transaction.atomic
def withdraw(item: KnowledgeItem, by, now: datetime | None = None) -> KnowledgeItem:
    """Take an item out of search (撤回): its versions stay for the record."""
    if not by.has_role(*EDITOR_ROLES):
        raise Forbidden("forbidden", _("Only knowledge editors withdraw items."))
    KnowledgeItem.objects.filter(pk=item.pk).update(
        status=Status.WITHDRAWN, updated_at=now or timezone.now()
    )
    item.refresh_from_db()
    return item


def expire_due(now: datetime | None = None) -> int:
    """Published items past their validity become expired (out of search); returns how
    many. Run by the worker's sweep."""
    now = now or timezone.now()
    return KnowledgeItem.objects.filter(
        status=Status.PUBLISHED, valid_until__lt=timezone.localdate(now)
    ).update(status=Status.EXPIRED, updated_at=now)


def expiring(now: datetime | None = None, days: int = REMIND_DAYS):
    """Published items that expire within ``days`` and whose owner was not reminded yet."""
    today = timezone.localdate(now or timezone.now())
    return KnowledgeItem.objects.filter(
        status=Status.PUBLISHED,
        valid_until__gte=today,
        valid_until__lte=today + timedelta(days=days),
        expiry_reminded_at__isnull=True,
    ).select_related("owner_unit", "published")


@transaction.atomic
def remind_expiring(now: datetime | None = None, days: int = REMIND_DAYS) -> int:
    """Ask each owner unit, with a collaboration request due on the expiry date, to renew
    or retire its items that expire within ``days``; each item is reminded once per
    validity. Returns how many were reminded."""
    now = now or timezone.now()
    reminded = 0
    for item in expiring(now, days).select_for_update(of=("self",)):
        CollaborationRequest.objects.create(
            unit=item.owner_unit,
            item=item,
            subject=_("Knowledge expiring: %(title)s") % {"title": item.published.title},
            text=_(
                "This item stops being searchable after %(date)s. Revise it (and its "
                "validity) or tell the knowledge editors to let it expire."
            )
            % {"date": item.valid_until.isoformat()},
            due_at=timezone.make_aware(datetime.combine(item.valid_until, time.max)),
            asked_by=None,
            asked_at=now,
        )
        KnowledgeItem.objects.filter(pk=item.pk).update(expiry_reminded_at=now)
        reminded += 1
    return reminded


def diff(old: KnowledgeVersion | None, new: KnowledgeVersion) -> list[str]:
    """What changed between two versions, line by line (unified diff of title, details
    and text)."""

    def lines(version: KnowledgeVersion | None) -> list[str]:
        if version is None:
            return []
        details = [f"{key}: {value}" for key, value in sorted(version.fields.items())]
        return [version.title, *details, *version.text.splitlines()]

    return list(
        difflib.unified_diff(
            lines(old),
            lines(new),
            f"v{old.number}" if old else "",
            f"v{new.number}",
            lineterm="",
        )
    )


# --- collaboration requests (知识库协作函) -------------------------------------------------


@transaction.atomic
def ask(
    unit, subject: str, text: str, due_at: datetime, by, item=None, now: datetime | None = None
) -> CollaborationRequest:
    """Ask ``unit`` to write an item (or correct ``item``) by ``due_at``."""
    if not by.has_role(*EDITOR_ROLES):
        raise Forbidden("forbidden", _("Only knowledge editors send collaboration requests."))
    now = now or timezone.now()
    if due_at <= now:
        raise KnowledgeError(
            "due_in_past", _("The deadline must be in the future."), field="due_at"
        )
    subject, text = check_text(subject, text)
    return CollaborationRequest.objects.create(
        unit=unit, item=item, subject=subject, text=text, due_at=due_at, asked_by=by, asked_at=now
    )


@transaction.atomic
def answer(
    request: CollaborationRequest, version: KnowledgeVersion, by, now: datetime | None = None
) -> CollaborationRequest:
    """The unit answers with a version it wrote, sent for review with the answer."""
    if not (by.has_role(*EDITOR_ROLES) or by.unit_id == request.unit_id):
        raise Forbidden("forbidden", _("Only the asked unit answers this request."))
    if version.state == State.DRAFT:
        submit(version, by, now)
    now = now or timezone.now()
    changed = CollaborationRequest.objects.filter(
        pk=request.pk, state=CollaborationRequest.State.OPEN
    ).update(state=CollaborationRequest.State.ANSWERED, answer=version, answered_at=now)
    if not changed:
        raise Conflict("stale_request", _("This request was answered or closed already."))
    request.refresh_from_db()
    return request


def close_answered(version: KnowledgeVersion, now: datetime | None = None) -> int:
    """Close the requests a published version answered; returns how many."""
    return CollaborationRequest.objects.filter(
        answer=version, state=CollaborationRequest.State.ANSWERED
    ).update(state=CollaborationRequest.State.CLOSED, closed_at=now or timezone.now())


def overdue_requests(now: datetime | None = None):
    """Open requests past their deadline, the most overdue first."""
    return CollaborationRequest.objects.filter(
        state=CollaborationRequest.State.OPEN, due_at__lt=now or timezone.now()
    ).select_related("unit")

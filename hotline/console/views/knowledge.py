"""The knowledge workbench (知识库): items with their versions and review, the requests to
units, the usage report; and the knowledge panel of the intake screen, which suggests
answers while the caller speaks."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.errors import HotlineError
from hotline.knowledge import search as knowledge_search
from hotline.knowledge import service, usage
from hotline.knowledge.models import (
    FIELD_LABELS,
    CollaborationRequest,
    KnowledgeImport,
    KnowledgeItem,
    KnowledgeVersion,
)
from hotline.knowledge.tasks import import_knowledge
from hotline.orders.lifecycle import Status as OrderStatus
from hotline.orders.models import WorkOrder
from hotline.orders.selectors import OrderQuery, search_orders
from hotline.orgs.models import Area, RequestType, Role
from nlp.pii import mask
from nlp.summary import caller_text

from ..forms.knowledge import (
    AskForm,
    FeedbackForm,
    ImportForm,
    ItemForm,
    KnowledgeFilter,
    ReviewForm,
)
from .access import refused, role_required

PAGE_SIZE = 50
PANEL_SIZE = 5
PANEL_QUERY = 300  # characters of the form and of the caller's latest words searched
PROMPT_DAYS = 30  # consultations answered this recently are offered for the base
WRITERS = (Role.KNOWLEDGE_EDITOR, Role.ADMINISTRATOR, Role.HANDLER)
ANALYSTS = (Role.KNOWLEDGE_EDITOR, Role.ADMINISTRATOR, Role.SUPERVISOR, Role.ANALYST)
PANEL_ROLES = (Role.OPERATOR, Role.DISPATCHER, Role.HANDLER, Role.KNOWLEDGE_EDITOR)
State = KnowledgeVersion.State
anyone = role_required()


def is_editor(user) -> bool:
    return user.has_role(*service.EDITOR_ROLES)


def bench(request) -> dict:
    """What every page of the workbench needs for its navigation."""
    user = request.user
    return {
        "bench": "knowledge",
        "may_write": user.has_role(*WRITERS),
        "may_analyse": user.has_role(*ANALYSTS),
    }


def visible_items(user):
    """Editors see every item; a unit's handlers also their unit's unpublished ones;
    everybody else what is published."""
    rows = KnowledgeItem.objects.select_related("published", "owner_unit")
    if is_editor(user):
        return rows
    published = Q(status=KnowledgeItem.Status.PUBLISHED)
    if user.has_role(Role.HANDLER) and user.unit_id:
        return rows.filter(published | Q(owner_unit_id=user.unit_id))
    return rows.filter(published)


def item_of(user, pk: int) -> KnowledgeItem:
    return get_object_or_404(visible_items(user), pk=pk)


# --- the list, an item, writing and review ---------------------------------------------


@anyone
def items(request):
    """Every item the user may see, searchable by words, kind and state."""
    form = KnowledgeFilter(request.GET or None)
    rows = visible_items(request.user)
    in_review = KnowledgeVersion.objects.filter(item=OuterRef("pk"), state=State.REVIEW)
    rows = rows.annotate(in_review=Exists(in_review))
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            rows = rows.filter(
                Q(versions__title__icontains=data["q"]) | Q(tags__icontains=data["q"])
            )
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        if data["status"] == "review":
            rows = rows.filter(in_review=True)
        elif data["status"]:
            rows = rows.filter(status=data["status"])
    page = Paginator(rows.distinct().order_by("-updated_at"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "console/knowledge/items.html",
        {
            **bench(request),
            "filter": form or KnowledgeFilter(),
            "page": page,
            "query": query.urlencode(),
            "to_keep": consultations_to_keep(request.user)[:10],
            "reviews": KnowledgeVersion.objects.filter(state=State.REVIEW).count()
            if is_editor(request.user)
            else 0,
        },
    )


def consultations_to_keep(user):
    """Consultations the user's unit answered lately whose answer is not in the base yet:
    after a unit answers a question, it is offered to keep the answer for the next caller."""
    if not (user.has_role(Role.HANDLER) and user.unit_id):
        return WorkOrder.objects.none()
    kept = KnowledgeItem.objects.filter(source_order=OuterRef("pk"))
    return (
        WorkOrder.objects.filter(
            lead_unit_id=user.unit_id,
            request_type=RequestType.CONSULTATION,
            status__in=[OrderStatus.REPLIED, OrderStatus.PENDING_CALLBACK, OrderStatus.CLOSED],
            replied_at__gte=timezone.now() - timedelta(days=PROMPT_DAYS),
        )
        .exclude(reply="")
        .exclude(Exists(kept))
        .order_by("-replied_at")
    )


@role_required(*WRITERS)
def item_new(request):
    """A new item (a draft), or the answer to a collaboration request, or what a unit
    answered to a consultation (``?order=``)."""
    user = request.user
    unit = None if is_editor(user) else user.unit
    asked = open_request(request)
    source = None
    initial = {"owner_unit": unit or (asked.unit if asked else None)}
    if number := request.GET.get("order") or request.POST.get("order"):
        source = get_object_or_404(consultations_to_keep(user), number=number)
        initial.update(kind="faq", title=source.title, text=mask(source.reply))
    elif asked:
        initial.update(title=asked.subject)
    form = ItemForm(request.POST or None, unit=unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = service.create(
                data["kind"],
                data["title"],
                data["text"],
                data["owner_unit"],
                user,
                fields=form.kind_fields(),
                areas=data["areas"],
                tags=data["tags"],
                valid_until=data["valid_until"],
            )
            if source:
                KnowledgeItem.objects.filter(pk=item.pk).update(source_order=source)
            if asked:
                service.answer(asked, item.versions.get(), user)
        except HotlineError as error:
            add_error(form, error)
        else:
            messages.success(request, _("Draft saved. Send it for review when it is ready."))
            return redirect("console:knowledge-item", pk=item.pk)
    return render(
        request,
        "console/knowledge/edit.html",
        {**bench(request), "form": form, "asked": asked, "source": source},
    )


def open_request(request) -> CollaborationRequest | None:
    pk = request.GET.get("request") or request.POST.get("request")
    if not pk or not str(pk).isdigit():
        return None
    rows = CollaborationRequest.objects.filter(state=CollaborationRequest.State.OPEN)
    if not is_editor(request.user):
        rows = rows.filter(unit_id=request.user.unit_id)
    return get_object_or_404(rows, pk=pk)


def add_error(form, error: HotlineError) -> None:
    field = error.details.get("field")
    form.add_error(field if field in form.fields else None, error.render())


@anyone
def item_page(request, pk: int):
    """An item: what is published, the version being written or reviewed with its
    differences, the history, feedback and use."""
    item = item_of(request.user, pk)
    versions = list(item.versions.select_related("written_by", "reviewed_by"))
    open_version = next((v for v in versions if v.state in (State.DRAFT, State.REVIEW)), None)
    shown = open_version or item.published or versions[0]
    old = compared_version(request, versions, shown, item)
    may_write = service.may_write(request.user, item)
    return render(
        request,
        "console/knowledge/item.html",
        {
            **bench(request),
            "item": item,
            "versions": versions,
            "open_version": open_version,
            "shown": shown,
            "details": [(FIELD_LABELS.get(k, k), v) for k, v in shown.fields.items()],
            "compared": old,
            "diff": service.diff(old, shown) if old and old.pk != shown.pk else [],
            "may_write": may_write,
            "may_review": is_editor(request.user)
            and open_version is not None
            and open_version.state == State.REVIEW
            and open_version.written_by_id != request.user.pk,
            "is_editor": is_editor(request.user),
            "review_form": ReviewForm(),
            "feedback": item.feedback.select_related("by")[:20],
            "uses": item.uses.count(),
            "requests": item.requests.all()[:10],
            "areas": item.areas.all(),
        },
    )


def compared_version(request, versions, shown, item):
    """The version the shown one is compared with: ``?against=N``, else the published."""
    against = request.GET.get("against", "")
    if against.isdigit():
        return next((v for v in versions if v.number == int(against)), None)
    return item.published


@role_required(*WRITERS)
def item_edit(request, pk: int):
    """Write the next text of an item (its draft), or change where it applies."""
    item = item_of(request.user, pk)
    if not service.may_write(request.user, item):
        return refused(request, _("Your role may not write this item."), status=403)
    base = item.versions.filter(state=State.DRAFT).first() or item.published
    if base is None:
        base = item.versions.first()
    initial = {
        "kind": item.kind,
        "owner_unit": item.owner_unit,
        "title": base.title,
        "text": base.text,
        "areas": list(item.areas.all()),
        "tags": item.tags,
        "valid_until": item.valid_until,
        "note": "" if base.state != State.DRAFT else base.note,
        **{f"field_{name}": value for name, value in base.fields.items()},
    }
    form = ItemForm(request.POST or None, item=item, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            service.set_details(
                item,
                request.user,
                areas=data["areas"],
                tags=data["tags"],
                valid_until=data["valid_until"],
            )
            if (data["title"], data["text"], form.kind_fields()) != (
                base.title,
                base.text,
                base.fields,
            ) or base.state == State.DRAFT:
                service.revise(
                    item,
                    request.user,
                    data["title"],
                    data["text"],
                    fields=form.kind_fields(),
                    note=data["note"],
                )
        except HotlineError as error:
            add_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("console:knowledge-item", pk=item.pk)
    return render(
        request, "console/knowledge/edit.html", {**bench(request), "form": form, "item": item}
    )


ACTIONS = {"submit", "approve", "send_back", "withdraw"}


@require_POST
@role_required(*WRITERS)
def item_act(request, pk: int, action: str):
    """Send for review, publish, send back or withdraw; a stale click loses."""
    if action not in ACTIONS:
        raise Http404
    item = item_of(request.user, pk)
    version = None
    if action != "withdraw":
        version = get_object_or_404(item.versions, pk=request.POST.get("version"))
    try:
        if action == "submit":
            service.submit(version, request.user)
            messages.success(request, _("Sent for review."))
        elif action == "approve":
            service.approve(version, request.user)
            messages.success(request, _("Published: operators find it now."))
        elif action == "send_back":
            service.send_back(version, request.user, request.POST.get("note", ""))
            messages.success(request, _("Sent back to the writer."))
        else:
            service.withdraw(item, request.user)
            messages.success(request, _("Withdrawn: it is no longer found."))
    except HotlineError as error:
        messages.error(request, error.render())
    return redirect("console:knowledge-item", pk=item.pk)


@role_required(*WRITERS)
def import_new(request):
    """Upload a file of existing knowledge; it is imported in the background."""
    user = request.user
    unit = None if is_editor(user) else user.unit
    form = ImportForm(
        request.POST or None, request.FILES or None, unit=unit, may_publish=is_editor(user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = KnowledgeImport.objects.create(
            file=data["file"],
            name=data["file"].name[:255],
            owner_unit=data["owner_unit"],
            kind=data["kind"],
            publish=data.get("publish", False),
            by=user,
        )
        import_knowledge.enqueue(job.pk, get_language())
        return redirect("console:knowledge-import", pk=job.pk)
    return render(
        request,
        "console/knowledge/import.html",
        {
            **bench(request),
            "form": form,
            "jobs": KnowledgeImport.objects.filter(by=user)[:10],
        },
    )


@role_required(*WRITERS)
def import_status(request, pk: int):
    """The import's progress, then its report; the page polls until it is done."""
    job = get_object_or_404(KnowledgeImport, pk=pk, by=request.user)
    template = (
        "console/knowledge/import_status.html"
        if request.headers.get("HX-Request")
        else "console/knowledge/import_page.html"
    )
    return render(request, template, {**bench(request), "job": job})


# --- collaboration requests and usage -----------------------------------------------------


@role_required(*WRITERS)
def requests_page(request):
    """The requests to units (知识库协作函): editors ask; a unit sees and answers its own."""
    user = request.user
    rows = CollaborationRequest.objects.select_related("unit", "item", "asked_by")
    if not is_editor(user):
        rows = rows.filter(unit_id=user.unit_id)
    form = AskForm(request.POST or None) if is_editor(user) else None
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            service.ask(data["unit"], data["subject"], data["text"], data["due_at"], user)
        except HotlineError as error:
            add_error(form, error)
        else:
            messages.success(request, _("Request sent to %(unit)s.") % {"unit": data["unit"]})
            return redirect("console:knowledge-requests")
    page = Paginator(rows.order_by("state", "due_at"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "console/knowledge/requests.html",
        {**bench(request), "page": page, "form": form, "now": timezone.now(), "query": ""},
    )


@role_required(*ANALYSTS)
def usage_page(request):
    """Most used, never used and stale items, the questions nothing answers, wrong answers."""
    days = request.GET.get("days", "30")
    days = int(days) if days.isdigit() and 0 < int(days) <= 365 else 30
    return render(
        request,
        "console/knowledge/usage.html",
        {**bench(request), "report": usage.report(days=days), "days": days},
    )


# --- the intake screen's panel --------------------------------------------------------------


def panel_query(request) -> tuple[str, bool]:
    """What the panel searches for, and whether the operator typed it: the search box if
    used, else the order's title and content and the caller's latest words."""
    typed = request.GET.get("knowledge_q", "").strip()
    if typed:
        return typed, True
    said = caller_text(request.GET.get("transcript", ""))[-PANEL_QUERY:]
    parts = [request.GET.get("title", ""), request.GET.get("content", "")[:PANEL_QUERY], said]
    return " ".join(part.strip() for part in parts if part.strip()), False


@role_required(*PANEL_ROLES)
def suggest(request):
    """The items that best answer what is on the intake screen, updated as it grows."""
    query, typed = panel_query(request)
    area = Area.objects.filter(code=request.GET.get("area", "")).first()
    found = knowledge_search.search(query, area=area, limit=PANEL_SIZE) if query else []
    if typed:
        usage.log_search(query, found, request.user, "console")
    earlier = []
    if typed and not found:  # nothing in the base: what was answered before
        earlier = (
            search_orders(request.user, OrderQuery(status=[OrderStatus.CLOSED], q=query[:100]))
            .exclude(reply="")
            .only("number", "title", "reply", "closed_at")[:PANEL_SIZE]
        )
    return render(
        request,
        "console/partials/knowledge.html",
        {
            "found": [
                {
                    "rank": rank,
                    "item": f.item,
                    "version": f.item.published,
                    "title": highlight(f.item.published.title, f.matched),
                    "details": [
                        (FIELD_LABELS.get(k, k), v) for k, v in f.item.published.fields.items()
                    ],
                }
                for rank, f in enumerate(found, start=1)
            ],
            "earlier": earlier,
            "query": query,
            "typed": typed,
        },
    )


def highlight(title: str, matched) -> list[tuple[str, bool]]:
    """The title cut into pieces, each marked whether it is one of the query's words."""
    from nlp.search import fold

    if not matched:
        return [(title, False)]
    folded = fold(title)
    marks = [False] * len(title)
    if len(folded) == len(title):  # folding kept the positions (it nearly always does)
        for word in matched:
            start = folded.find(word)
            while start >= 0:
                marks[start : start + len(word)] = [True] * len(word)
                start = folded.find(word, start + len(word))
    pieces: list[tuple[str, bool]] = []
    for char, mark in zip(title, marks, strict=True):
        if pieces and pieces[-1][1] == mark:
            pieces[-1] = (pieces[-1][0] + char, mark)
        else:
            pieces.append((char, mark))
    return pieces


@require_POST
@role_required(*PANEL_ROLES)
def feedback(request, pk: int):
    """ "Helped" or "wrong, because…" on an item's answer, from the panel or the item page."""
    item = item_of(request.user, pk)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return refused(request, _("Say whether the answer helped."))
    try:
        usage.record_feedback(
            item, request.user, form.cleaned_data["is_helpful"], form.cleaned_data["comment"]
        )
    except HotlineError as error:
        return refused(request, error.render())
    return render(request, "console/partials/feedback_done.html", {"item": item})

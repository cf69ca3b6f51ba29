"""The operator's new-call screen (受理): caller history, transcript, form, answers, map."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.errors import HotlineError
from hotline.intake import drafting
from hotline.intake import service as intake_service
from hotline.intake.models import Correction, NuisanceCall
from hotline.knowledge import usage as knowledge_usage
from hotline.knowledge.models import KnowledgeVersion
from hotline.orders import service
from hotline.orders.models import Channel, WorkOrder
from hotline.orders.selectors import orders_visible_to
from hotline.orgs.models import Area, Category, RequestType, ResponsibilityRule, Role

from ..forms import IntakeForm
from .access import role_required

INTAKE_ROLES = (Role.OPERATOR, Role.DISPATCHER)
REPEAT_WINDOW = timedelta(days=30)
REPEAT_CALLS = 3  # this many orders from one number in 30 days flags a repeat caller


@role_required(*INTAKE_ROLES)
def intake(request):
    """Show the empty form, or register what was typed: submitted for dispatch, resolved
    directly, or transferred to an emergency service."""
    form = IntakeForm(request.POST or None)
    decision = request.POST.get("decision", "submit")
    if decision not in DONE_MESSAGES:
        decision = "submit"
    if request.method == "POST" and form.is_valid() and decision_is_complete(form, decision):
        try:
            order, is_new = register(form.cleaned_data, request.user, decision)
        except HotlineError as error:
            field = error.details.get("field")
            form.add_error(field if field in form.fields else None, error.render())
        else:
            text = DONE_MESSAGES[decision] if is_new else ALREADY_SENT
            messages.success(request, text % {"number": order.number})
            request.session["cleared_draft"] = True
            return redirect("console:intake")
    cleared = request.session.pop("cleared_draft", False)
    return render(
        request,
        "console/intake.html",
        {"form": form, "cleared_draft": cleared, "areas": area_points(), "bench": "intake"},
    )


DONE_MESSAGES = {
    "submit": gettext_lazy("Order %(number)s registered and sent to dispatch."),
    "resolve": gettext_lazy("Order %(number)s resolved directly."),
    "transfer": gettext_lazy("Order %(number)s recorded as transferred to the emergency service."),
}
ALREADY_SENT = gettext_lazy("This form was already sent: order %(number)s.")


def decision_is_complete(form: IntakeForm, decision: str) -> bool:
    """What each way of finishing a call needs besides the fields themselves."""
    data = form.cleaned_data
    if decision == "resolve" and not data["answer"].strip():
        form.add_error("answer", _("Write the answer given to resolve directly."))
    elif decision == "transfer" and not data["transfer_to"]:
        form.add_error("transfer_to", _("Choose 110, 119 or 120."))
    elif decision == "submit" and data["request_type"] == RequestType.OUT_OF_SCOPE:
        form.add_error(
            "request_type",
            _("A request out of scope is not dispatched: answer it directly or transfer it."),
        )
    return not form.errors


def register(data: dict, user, decision: str) -> tuple[WorkOrder, bool]:
    """Register the order of one intake form once, however often the form is sent, and
    record what the operator changed of the draft's suggestions."""
    intake = service.Intake(
        title=data["title"],
        content=data["content"],
        request_type=data["request_type"],
        channel=Channel.PHONE,
        urgency=data["urgency"],
        category=data["category"],
        area=data["area"],
        address=data["address"],
        lat=data["lat"],
        lng=data["lng"],
        caller_name=data["caller_name"],
        caller_phone=data["caller_phone"],
        caller_kind=data["caller_kind"],
        company_name=data["company_name"],
        is_confidential=data["is_confidential"],
        hotline_id=data["hotline"].pk if data["hotline"] else None,
        source_ref=f"console:{data['token']}",
    )
    existing = service.same_message(intake)
    if existing:
        return existing, False
    with transaction.atomic():
        order = service.register(intake, user)
        if decision == "resolve":
            service.transition(order, "resolve_directly", user, note=data["answer"])
        elif decision == "transfer":
            service.transition(
                order,
                "transfer_emergency",
                user,
                note=data["answer"],
                service=data["transfer_to"],
                reference=data["transfer_reference"],
            )
        suggested = {
            name: data[f"draft_{name}"] or "" for name in ("request_type", "category", "area")
        }
        intake_service.record_corrections(
            order, suggested, user, Correction.Stage.INTAKE, data["draft_version"]
        )
        record_knowledge_use(order, data, user)
    return order, True


def record_knowledge_use(order: WorkOrder, data: dict, user) -> None:
    """The knowledge item whose answer the operator inserted (and kept) answered this call."""
    if not data["knowledge_version"] or not data["answer"].strip():
        return
    version = KnowledgeVersion.objects.filter(
        pk=data["knowledge_version"], state=KnowledgeVersion.State.PUBLISHED
    ).first()
    if version is not None:
        knowledge_usage.record_use(version, user, order=order, rank=data["knowledge_rank"])


def area_points() -> dict:
    """Districts and streets with their coordinates, for the map picker."""
    rows = Area.objects.filter(
        level__in=[Area.Level.DISTRICT, Area.Level.STREET], lat__isnull=False
    ).values_list("code", "name", "lat", "lng", "parent__code")
    return {code: [name, lat, lng, parent] for code, name, lat, lng, parent in rows}


@role_required(*INTAKE_ROLES)
def caller(request):
    """The caller's earlier orders and flags, as the number is typed."""
    return caller_panel(request, request.GET.get("caller_phone", "").strip())


def caller_panel(request, phone: str, error: str = ""):
    orders, recent = [], 0
    if len(phone) >= 5:
        mine = orders_visible_to(request.user).filter(caller_phone=phone)
        recent = mine.filter(registered_at__gte=timezone.now() - REPEAT_WINDOW).count()
        orders = mine.select_related("category", "lead_unit").order_by("-registered_at")[:8]
    nuisance = intake_service.nuisance_counts(phone) if len(phone) >= 5 else {}
    return render(
        request,
        "console/partials/caller.html",
        {
            "phone": phone,
            "orders": orders,
            "recent": recent,
            "is_repeat": recent >= REPEAT_CALLS,
            "window_days": REPEAT_WINDOW.days,
            "nuisance": nuisance,
            "is_nuisance": sum(nuisance.values()) >= intake_service.NUISANCE_REPEATS,
            "nuisance_kinds": NuisanceCall.Kind.choices,
            "error": error,
        },
    )


@role_required(*INTAKE_ROLES)
def nuisance(request):
    """Count a silent or abusive call from the number typed; answers with the caller panel."""
    if request.method != "POST":
        return JsonResponse({"error": _("Send the call with POST.")}, status=405)
    phone = request.POST.get("caller_phone", "").strip()
    try:
        intake_service.record_nuisance(
            phone, request.POST.get("kind", ""), request.user, request.POST.get("note", "")
        )
    except ValueError:
        return caller_panel(request, phone, _("Type the caller's number first."))
    return caller_panel(request, phone)


@role_required(*INTAKE_ROLES)
def categories(request):
    """Categories whose name contains the words typed, or whose responsibility-list rules
    name them as keywords (a caller says 噪音 where the tree says 噪声); deepest first."""
    words = request.GET.get("category_search", "").split()[:5]
    found = Category.objects.filter(is_active=True)
    for word in words:
        by_rule = ResponsibilityRule.objects.filter(
            Q(keywords__icontains=word) | Q(matter__icontains=word), is_active=True
        ).values("category_id")
        found = found.filter(Q(name__icontains=word) | Q(code=word) | Q(pk__in=by_rule))
    rows = list(found.order_by("-level", "path")[:20]) if words else []
    names = dict(Category.objects.values_list("code", "name"))
    choices = [
        (c.code, " › ".join(names.get(code, code) for code in c.path.split("/"))) for c in rows
    ]
    return render(request, "console/partials/category_choices.html", {"choices": choices})


@role_required(*INTAKE_ROLES)
def draft(request):
    """The draft of what the caller said (transcript and content), as JSON for the form."""
    if request.method != "POST":
        return JsonResponse({"error": _("Send the text with POST.")}, status=405)
    text = "\n".join(request.POST.get(name, "") for name in ("transcript", "content"))
    return JsonResponse(drafting.draft(text).as_dict())

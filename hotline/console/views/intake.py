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

from hotline.errors import HotlineError
from hotline.intake import drafting
from hotline.orders import service
from hotline.orders.lifecycle import Status
from hotline.orders.models import Channel, WorkOrder
from hotline.orders.selectors import OrderQuery, orders_visible_to, search_orders
from hotline.orgs.models import Area, Category, ResponsibilityRule, Role

from ..forms import IntakeForm
from .access import role_required

INTAKE_ROLES = (Role.OPERATOR, Role.DISPATCHER)
REPEAT_WINDOW = timedelta(days=30)
REPEAT_CALLS = 3  # this many orders from one number in 30 days flags a repeat caller


@role_required(*INTAKE_ROLES)
def intake(request):
    """Show the empty form, or register what was typed (submit or resolve directly)."""
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        resolve = request.POST.get("decision") == "resolve"
        if resolve and not form.cleaned_data["answer"].strip():
            form.add_error("answer", _("Write the answer given to resolve directly."))
        else:
            try:
                order, is_new = register(form.cleaned_data, request.user, resolve)
            except HotlineError as error:
                field = error.details.get("field")
                form.add_error(field if field in form.fields else None, error.render())
            else:
                if is_new:
                    text = (
                        _("Order %(number)s resolved directly.")
                        if resolve
                        else _("Order %(number)s registered and sent to dispatch.")
                    )
                else:
                    text = _("This form was already sent: order %(number)s.")
                messages.success(request, text % {"number": order.number})
                request.session["cleared_draft"] = True
                return redirect("console:intake")
    cleared = request.session.pop("cleared_draft", False)
    return render(
        request,
        "console/intake.html",
        {"form": form, "cleared_draft": cleared, "areas": area_points(), "bench": "intake"},
    )


def register(data: dict, user, resolve: bool) -> tuple[WorkOrder, bool]:
    """Register the order of one intake form once, however often the form is sent."""
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
        if resolve:
            service.transition(order, "resolve_directly", user, note=data["answer"])
    return order, True


def area_points() -> dict:
    """Districts and streets with their coordinates, for the map picker."""
    rows = Area.objects.filter(
        level__in=[Area.Level.DISTRICT, Area.Level.STREET], lat__isnull=False
    ).values_list("code", "name", "lat", "lng", "parent__code")
    return {code: [name, lat, lng, parent] for code, name, lat, lng, parent in rows}


@role_required(*INTAKE_ROLES)
def caller(request):
    """The caller's earlier orders and flags, as the number is typed."""
    phone = request.GET.get("caller_phone", "").strip()
    orders, recent = [], 0
    if len(phone) >= 5:
        mine = orders_visible_to(request.user).filter(caller_phone=phone)
        recent = mine.filter(registered_at__gte=timezone.now() - REPEAT_WINDOW).count()
        orders = mine.select_related("category", "lead_unit").order_by("-registered_at")[:8]
    return render(
        request,
        "console/partials/caller.html",
        {
            "phone": phone,
            "orders": orders,
            "recent": recent,
            "is_repeat": recent >= REPEAT_CALLS,
            "window_days": REPEAT_WINDOW.days,
        },
    )


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
def answers(request):
    """Replies of closed orders about the same words: what was answered before.

    Stands in for the knowledge base until it exists.
    """
    words = request.GET.get("knowledge_q", "").strip()[:100]
    found = []
    if words:
        found = (
            search_orders(request.user, OrderQuery(status=[Status.CLOSED], q=words))
            .exclude(reply="")
            .only("number", "title", "reply", "closed_at")[:5]
        )
    return render(request, "console/partials/answers.html", {"answers": found, "words": words})


@role_required(*INTAKE_ROLES)
def draft(request):
    """The draft of what the caller said (transcript and content), as JSON for the form."""
    if request.method != "POST":
        return JsonResponse({"error": _("Send the text with POST.")}, status=405)
    text = "\n".join(request.POST.get(name, "") for name in ("transcript", "content"))
    return JsonResponse(drafting.draft(text).as_dict())

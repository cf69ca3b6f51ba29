"""The order page, the order panel of the workbenches, and the actions taken on an order."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from hotline.errors import HotlineError
from hotline.intake.drafting import with_learned_unit
from hotline.intake.models import Correction
from hotline.intake.service import record_corrections
from hotline.orders import public, service
from hotline.orders.lifecycle import LABELS, TRANSITIONS
from hotline.orders.models import WorkOrder
from hotline.orders.routing import recommend
from hotline.orders.selectors import (
    actions_for,
    contact_for,
    find_visible,
    history_of,
    orders_visible_to,
)
from hotline.orgs.models import RequestType

from .. import queues
from ..duplicates import possible_duplicates
from ..forms import ActionForm, unit_choices
from .access import refused

# What each workbench offers first on the panel; other allowed actions follow.
BENCH_ACTIONS = {
    "dispatch": ["dispatch", "redispatch", "merge", "relate", "transfer_emergency"],
    "inbox": ["accept", "reply", "request_extension", "return_order"],
    "review": ["approve_reply", "send_back"],
    "callback": ["callback", "callback_failed", "close", "reopen"],
    "supervise": ["urge", "supervise", "approve_extension", "refuse_extension"],
}


def visible_order(user, number: str) -> WorkOrder:
    order = find_visible(user, number)
    if order is None:
        raise Http404(_("Order %(number)s does not exist.") % {"number": number})
    return order


def bench_actions(user, order: WorkOrder, bench: str = "") -> list[str]:
    """The actions the user may take on the order now, the workbench's own first."""
    names = actions_for(user, order)
    first = [name for name in BENCH_ACTIONS.get(bench, []) if name in names]
    return first + [name for name in names if name not in first]


def contact_of(user, order: WorkOrder) -> dict:
    name, phone = contact_for(user, order)
    return {"name": name, "phone": phone}


def order_context(request, order: WorkOrder, bench: str = "", forms=None) -> dict:
    forms = forms or {}
    actions = bench_actions(request.user, order, bench)
    routing = {"dispatch", "redispatch", "merge"} & set(actions)
    recommendations = with_learned_unit(order, recommend(order)) if routing else None
    pending = order.extension_requests.filter(state="pending").first()
    units = unit_choices()  # one query for every unit select of the page
    action_forms = [
        forms.get(name)
        or ActionForm(
            name,
            initial={
                "expected_version": order.version,
                **initial_of(name, recommendations, pending),
            },
            units=units,
        )
        for name in actions
    ]
    context = {
        "order": order,
        "bench": bench,
        "contact": contact_of(request.user, order),
        "light": queues.light(order, timezone.now()),
        "action_forms": action_forms,
        "action_names": actions,
        "co_units": list(order.co_units.all()),
        "pending_extension": pending,
    }
    if bench == "callback":
        # The citizen may have rated the result online already (网上评价).
        context["citizen_rating"] = (
            order.events.filter(action=public.RATING).order_by("-at").first()
        )
    if routing:
        context["recommendations"] = recommendations
        context["duplicates"] = possible_duplicates(order, request.user)
        context["dispatch_action"] = next(
            (name for name in ("dispatch", "redispatch") if name in actions), ""
        )
    return context


def initial_of(action: str, recommendations, pending) -> dict:
    """What an action's form starts with: the best recommendation, the days asked."""
    if action in ("dispatch", "redispatch") and recommendations:
        best = recommendations[0]
        return {"lead_unit": best.lead_unit.code, "co_units": [u.code for u in best.co_units]}
    if action == "approve_extension" and pending:
        return {"days": pending.days}
    return {}


@login_required
def panel(request, number: str):
    """The order as a workbench shows it beside its queue."""
    order = visible_order(request.user, number)
    bench = request.GET.get("bench", "")
    return render(
        request, "console/partials/order_panel.html", order_context(request, order, bench)
    )


@login_required
def order_page(request, number: str):
    """The whole order: facts, timeline, related orders, map, attachments, actions."""
    order = visible_order(request.user, number)
    context = order_context(request, order)
    context.update(order_details(request.user, order))
    return render(request, "console/order.html", context)


def order_details(user, order: WorkOrder) -> dict:
    visible = orders_visible_to(user)
    return {
        "events": history_of(order),
        "related": visible.filter(pk__in=order.related.values("pk")).select_related("lead_unit"),
        # Unordered: SQLite would otherwise walk the whole registered_at index to sort.
        "merged": visible.filter(merged_into=order).select_related("lead_unit").order_by(),
        "attachments": order.attachments.select_related("uploaded_by"),
        "callbacks": order.callback_records.select_related("by").order_by("at"),
        "extensions": order.extension_requests.select_related("requested_by", "decided_by"),
    }


@login_required
def print_view(request, number: str):
    order = visible_order(request.user, number)
    context = {
        "order": order,
        "contact": contact_of(request.user, order),
        "printed_at": timezone.now(),
    }
    context.update(order_details(request.user, order))
    return render(request, "console/order_print.html", context)


@login_required
def act(request, number: str, action: str):
    """Take one action from a form; errors come back next to the fields, nothing is lost."""
    if request.method != "POST":
        return redirect("console:order", number=number)
    if action not in TRANSITIONS:
        raise Http404
    order = visible_order(request.user, number)
    bench = request.POST.get("bench", "")
    data = request.POST.copy()
    if "outcome" in data:  # the callback's one-key outcomes: "yes-no" = resolved, unsatisfied
        data["is_resolved"], _sep, data["is_satisfied"] = data["outcome"].partition("-")
    form = ActionForm(action, data, request.FILES)
    if form.is_valid():
        suggested = suggested_unit(order) if action in ("dispatch", "redispatch") else None
        try:
            with transaction.atomic():  # the reply and its files, or neither
                service.transition(
                    order,
                    action,
                    request.user,
                    note=form.cleaned_data["note"],
                    expected_version=form.cleaned_data["expected_version"],
                    **form.params(),
                )
                for upload in form.cleaned_data.get("files") or []:
                    service.attach(order, upload, request.user)
                if suggested:
                    record_corrections(
                        order, {"lead_unit": suggested}, request.user, Correction.Stage.DISPATCH
                    )
        except HotlineError as error:
            order.refresh_from_db()
            field = error.details.get("field")
            form.add_error(field if field in form.fields else None, error.render())
        else:
            return after_action(request, order, action, bench)
    context = order_context(request, order, bench, forms={action: form})
    context["open_action"] = action
    if request.headers.get("HX-Request"):
        return render(request, "console/partials/order_panel.html", context)
    context.update(order_details(request.user, order))
    return render(request, "console/order.html", context)


def suggested_unit(order: WorkOrder) -> str:
    """The code of the unit the console recommended first, to learn whether it was kept."""
    best = recommend(order, limit=1)
    return best[0].lead_unit.code if best else ""


def after_action(request, order: WorkOrder, action: str, bench: str):
    done = _("%(action)s: order %(number)s done.") % {
        "action": LABELS[action],
        "number": order.number,
    }
    # A unit that just answered a question is offered to keep the answer (知识沉淀).
    keep_answer = action == "reply" and order.request_type == RequestType.CONSULTATION
    if request.headers.get("HX-Request"):
        response = render(
            request,
            "console/partials/done.html",
            {"message": done, "order": order, "bench": bench, "keep_answer": keep_answer},
        )
        response["HX-Trigger"] = "queue-changed"
        return response
    messages.success(request, done)
    if keep_answer:
        messages.info(
            request,
            format_html(
                '{} <a href="{}?order={}">{}</a>',
                _("This consultation's answer may help the next caller."),
                reverse("console:knowledge-new"),
                order.number,
                _("Add it to the knowledge base"),
            ),
        )
    return redirect("console:order", number=order.number)


@login_required
def upload(request, number: str):
    """Attach a file to the order (size- and type-checked by the service)."""
    order = visible_order(request.user, number)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            return refused(request, _("Choose a file to attach."))
        try:
            service.attach(order, upload, request.user)
        except HotlineError as error:
            return refused(request, error.render(), status=error.status)
    return redirect("console:order", number=order.number)

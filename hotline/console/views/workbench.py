"""The workbenches: a queue on the left, the chosen order on the right, live updates."""

from __future__ import annotations

import asyncio
import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.errors import HotlineError
from hotline.intake.models import Correction
from hotline.intake.service import record_corrections
from hotline.orders import service
from hotline.orders.lifecycle import Status
from hotline.orders.routing import recommend
from hotline.orders.selectors import orders_visible_to
from hotline.orgs.models import Role

from .. import queues
from ..forms import unit_choices
from ..navigation import workbenches_of
from .access import role_required

PAGE_SIZE = 50


@login_required
def home(request):
    """The first workbench of the user's roles."""
    benches = workbenches_of(request.user)
    return redirect(f"console:{benches[0].name}" if benches else "console:orders")


def queue_page(request, name: str, orders, template: str, **extra):
    """Render a queue (a page of it), with traffic lights; htmx asks for the list alone."""
    now = timezone.now()
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(order, queues.light(order, now)) for order in page.object_list]
    context = {
        "bench": name,
        "page": page,
        "rows": rows,
        "count": page.paginator.count,
        "selected": request.GET.get("order", ""),
        # A live refresh keeps the dispatcher's ticked orders ticked.
        "checked": set(request.GET.getlist("numbers")),
        "live_url": f"/console/live/{name}",
        **extra,
    }
    if request.headers.get("HX-Target") == "queue":
        return render(request, "console/partials/queue.html", context)
    return render(request, template, context)


@role_required(Role.DISPATCHER)
def dispatch(request):
    return queue_page(
        request,
        "dispatch",
        queues.dispatch_queue(request.user),
        "console/dispatch.html",
        unit_choices=unit_choices(),
    )


@role_required(Role.DISPATCHER)
def dispatch_bulk(request):
    """Dispatch the selected orders, each to the chosen unit or to its recommended one."""
    if request.method != "POST":
        return redirect("console:dispatch")
    unit_code = request.POST.get("lead_unit", "")
    done, refused = [], []
    for number in request.POST.getlist("numbers")[:PAGE_SIZE]:
        order = orders_visible_to(request.user).filter(number=number).first()
        if order is None:
            continue
        action = "dispatch" if order.status == Status.REGISTERED else "redispatch"
        params = {"lead_unit": unit_code}
        best = recommend(order, limit=1)
        if not unit_code:
            if not best:
                refused.append(_("%(number)s: no recommended unit") % {"number": number})
                continue
            params = {
                "lead_unit": best[0].lead_unit.code,
                "co_units": [unit.code for unit in best[0].co_units],
            }
        try:
            with transaction.atomic():
                service.transition(order, action, request.user, **params)
                if best:
                    record_corrections(
                        order,
                        {"lead_unit": best[0].lead_unit.code},
                        request.user,
                        Correction.Stage.DISPATCH,
                    )
        except HotlineError as error:
            refused.append(f"{number}: {error.render()}")
        else:
            done.append(number)
    if done:
        messages.success(
            request,
            _("Dispatched %(count)s orders: %(numbers)s")
            % {"count": len(done), "numbers": "、".join(done)},
        )
    for text in refused:
        messages.error(request, text)
    if not done and not refused:
        messages.error(request, _("Select at least one order."))
    return redirect("console:dispatch")


@role_required(Role.HANDLER)
def inbox(request):
    return queue_page(
        request,
        "inbox",
        queues.inbox_queue(request.user),
        "console/inbox.html",
        co_orders=queues.co_unit_queue(request.user)[:PAGE_SIZE],
    )


@role_required(Role.REVIEWER)
def review(request):
    return queue_page(request, "review", queues.review_queue(request.user), "console/review.html")


@role_required(Role.CALLBACK)
def callback(request):
    return queue_page(
        request, "callback", queues.callback_queue(request.user), "console/callback.html"
    )


@role_required(Role.SUPERVISOR)
def supervise(request):
    now = timezone.now()
    due_soon = [
        (o, queues.light(o, now)) for o in queues.due_soon_board(request.user, now)[:PAGE_SIZE]
    ]
    return queue_page(
        request,
        "supervise",
        queues.overdue_board(request.user),
        "console/supervise.html",
        due_soon=due_soon,
        extensions=queues.pending_extensions(request.user)[:PAGE_SIZE],
    )


# --- live updates (server-sent events) ------------------------------------------------------


@login_required
def live(request, name: str):
    """A stream that says ``queue`` whenever the queue ``name`` changes for this user.

    Under ASGI (the platform's own server) the stream is asynchronous and holds no thread;
    under WSGI it holds one thread, so it ends after a while and the browser reconnects.
    """
    if name not in queues.QUEUES:
        raise Http404
    user = request.user
    poll = settings.HOTLINE_LIVE_POLL_SECONDS
    lifetime = settings.HOTLINE_LIVE_STREAM_SECONDS

    def event(last: str | None, now: str) -> str | None:
        if last is not None and now != last:
            return "event: queue\ndata: changed\n\n"
        return None

    async def async_stream():
        yield f"retry: {int(poll * 1000)}\n\n"
        last = None
        ends = time.monotonic() + lifetime
        while time.monotonic() < ends:
            now = await sync_to_async(queues.stamp)(name, user)
            message = event(last, now)
            if message:
                yield message
            else:
                yield ": waiting\n\n"
            last = now
            await asyncio.sleep(poll)

    def sync_stream():
        yield f"retry: {int(poll * 1000)}\n\n"
        last = None
        ends = time.monotonic() + min(lifetime, 20)
        while time.monotonic() < ends:
            now = queues.stamp(name, user)
            yield event(last, now) or ": waiting\n\n"
            last = now
            time.sleep(poll)

    stream = async_stream() if isinstance(request, ASGIRequest) else sync_stream()
    response = StreamingHttpResponse(stream, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response

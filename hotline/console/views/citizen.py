"""The citizen's pages (/citizen/), open to everyone: submit a request with a place, a photo
and a contact, get its number, follow it by number and phone, and rate the result.

The request takes the same path as every online channel (``intake.channels``). The follow
page shows the public progress only (``orders.public``): no internal notes, nobody else's
data. Every refusal says why, in words a citizen understands.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hotline.errors import HotlineError
from hotline.intake import channels, clients
from hotline.intake.open311 import services
from hotline.orders import public
from hotline.orders import service as orders
from hotline.orders.models import Channel, WorkOrder

from ..forms.citizen import RatingForm, ReportForm, TrackForm, new_challenge

HOUR, DAY = 3600, 86400
NUMBER_SALT = "citizen-number"
TRACKED = "citizen_tracked"  # the orders this browser proved it may follow


def address_of(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def service_choices() -> list:
    """The services grouped as the category tree groups them."""
    groups: dict[str, list] = {}
    for service in services.offered():
        groups.setdefault(service.group, []).append((service.code, service.name))
    return list(groups.items())


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """Submit a request (我要反映)."""
    form = ReportForm(request.POST or None, request.FILES or None, services=service_choices())
    refusal = ""
    if request.method == "POST" and form.is_valid():
        refusal = over_limit(request, form.cleaned_data["phone"])
        if not refusal:
            try:
                message = submit(form.cleaned_data)
            except HotlineError as error:
                refusal = error.render()
            else:
                signed = signing.dumps(message.order.number, salt=NUMBER_SALT)
                return redirect(f"{reverse('citizen:done')}?n={signed}")
    question, token = new_challenge()
    return render(
        request,
        "console/citizen/report.html",
        {"form": form, "refusal": refusal, "question": question, "challenge": token},
        status=400 if request.method == "POST" else 200,
    )


def over_limit(request: HttpRequest, phone: str) -> str:
    """Why this submission is refused as too many, or ''."""
    if not clients.allow(
        f"citizen:ip:{address_of(request)}",
        settings.HOTLINE_CITIZEN_REPORTS_PER_ADDRESS,
        per=HOUR,
    ):
        return _(
            "Too many requests were sent from this network in the last hour. "
            "Try again later or call 12345."
        )
    if not clients.allow(
        f"citizen:phone:{phone}", settings.HOTLINE_CITIZEN_REPORTS_PER_PHONE, per=DAY
    ):
        return _(
            "This phone number has sent many requests today. Please call 12345 to add to them."
        )
    return ""


def submit(data: dict):
    submission = channels.Submission(
        channel=Channel.WEB,
        content=data["description"],
        category_code=data["service"] or "",
        request_type=data["request_type"],
        address=data["address"],
        lat=data["lat"],
        lng=data["lng"],
        caller_name=data["name"],
        caller_phone=data["phone"],
        is_confidential=data["is_confidential"],
    )
    message, _new = channels.receive(submission, media=data.get("photo"))
    return message


def done(request: HttpRequest) -> HttpResponse:
    """The number of the request just sent, and what happens next."""
    try:
        number = signing.loads(request.GET.get("n", ""), salt=NUMBER_SALT, max_age=DAY)
    except signing.BadSignature:
        return redirect("citizen:report")
    order = WorkOrder.objects.filter(number=number).select_related("channel_message").first()
    if order is None:
        return redirect("citizen:report")
    message = getattr(order, "channel_message", None)
    return render(
        request,
        "console/citizen/done.html",
        {"order": order, "notice": channels.notice(message) if message else ""},
    )


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Find an order by its number and the phone number given with it (查询进度)."""
    form = TrackForm(request.POST or None, initial={"number": request.GET.get("number", "")})
    refusal = ""
    if request.method == "POST" and form.is_valid():
        if not clients.allow(
            f"citizen:lookup:{address_of(request)}",
            settings.HOTLINE_CITIZEN_LOOKUPS_PER_ADDRESS,
            per=HOUR,
        ):
            refusal = _("Too many look-ups from this network in the last hour. Try again later.")
        else:
            order = find(form.cleaned_data["number"], form.cleaned_data["phone"])
            if order is None:
                refusal = _("No order has this number with this phone number. Check both.")
            else:
                tracked = set(request.session.get(TRACKED, []))
                request.session[TRACKED] = sorted(tracked | {order.number})[-20:]
                return redirect("citizen:order", number=order.number)
    return render(
        request,
        "console/citizen/track.html",
        {"form": form, "refusal": refusal},
        status=400 if request.method == "POST" else 200,
    )


def find(number: str, phone: str) -> WorkOrder | None:
    """The order of ``number``, if ``phone`` is the number given with it."""
    order = WorkOrder.objects.filter(number=number).only("number", "caller_phone").first()
    if order is None or not order.caller_phone:
        return None
    return order if plain(order.caller_phone) == plain(phone) else None


def plain(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit())


@require_http_methods(["GET", "POST"])
def order_page(request: HttpRequest, number: str) -> HttpResponse:
    """The progress of one order and, after the unit's answer, its rating."""
    if number not in request.session.get(TRACKED, []):
        return redirect(f"{reverse('citizen:track')}?number={number}")
    order = (
        WorkOrder.objects.filter(number=number)
        .select_related("category", "lead_unit", "channel_message__expected_unit")
        .first()
    )
    if order is None:
        return redirect("citizen:track")
    rating_form = RatingForm(request.POST or None)
    refusal = ""
    if request.method == "POST" and rating_form.is_valid():
        try:
            orders.rate(
                order,
                rating_form.cleaned_data["is_resolved"],
                rating_form.cleaned_data["satisfaction"],
                rating_form.cleaned_data["comment"],
            )
        except HotlineError as error:
            refusal = error.render()
        else:
            return redirect("citizen:order", number=number)
    updates = public.updates_of(public.public_events([order.pk]))
    is_rated = any(update.action == public.RATING for update in updates)
    message = getattr(order, "channel_message", None)
    return render(
        request,
        "console/citizen/order.html",
        {
            "order": order,
            "state": public.EXTENDED_LABELS[
                public.extended_status(order.status, order.is_resolved)
            ],
            "content": public.published_text(order.content),
            "updates": reversed(updates),
            "unit": order.lead_unit or (message.expected_unit if message else None),
            "due": order.handle_due_at or (message.expected_at if message else None),
            "may_rate": order.status in orders.RATABLE_STATUSES and not is_rated,
            "rating_form": rating_form,
            "refusal": refusal,
        },
        status=400 if request.method == "POST" else 200,
    )

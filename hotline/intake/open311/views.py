"""The routes of Open311 GeoReport v2, in both formats, with the spec's error list.

Every route takes ``.json`` or ``.xml``. An empty parameter counts as absent (the spec's
"optional arguments"). Reading needs no key; posting needs a client's ``api_key``, from the
query string or the body. Calls are counted per key, or per address without one.
"""

from __future__ import annotations

import functools
import logging
import math
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from hotline.errors import HotlineError
from hotline.orders import public
from hotline.orders import service as orders
from hotline.orders.models import Attachment, Channel, OrderEvent
from hotline.orgs.models import RequestType

from .. import channels, clients
from ..models import ChannelMessage
from . import services
from .formats import errors, respond, w3c

log = logging.getLogger(__name__)

SPEC = "http://wiki.open311.org/GeoReport_v2"
WINDOW = timedelta(days=90)
MAX_DESCRIPTION = 4000


class Refused(HotlineError):
    """A call the spec answers with its error list."""


def endpoint(*methods: str):
    """An Open311 route: the format, the methods, the jurisdiction, the rate limit, and
    every refusal as the spec's error list in the format asked for."""

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
            if fmt not in ("json", "xml"):
                return errors(404, _("Unknown format; use .json or .xml."), "xml")
            try:
                if request.method not in methods:
                    raise Refused("method", _("This method is not allowed here."), status=405)
                check_jurisdiction(request)
                check_rate(request)
                return view(request, fmt, **kwargs)
            except HotlineError as error:
                return errors(error.status, error.render(), fmt)
            except RequestDataTooBig:
                return errors(413, _("The request is too large."), fmt)
            except (MultiPartParserError, TooManyFilesSent, UnicodeDecodeError):
                return errors(400, _("The request body could not be read."), fmt)

        return wrapper

    return decorate


def param(request: HttpRequest, name: str) -> str:
    """A parameter from the body, else the query string; empty counts as absent."""
    value = ""
    if request.method == "POST":
        value = request.POST.get(name, "")
    return (value or request.GET.get(name, "")).strip()


def check_jurisdiction(request: HttpRequest) -> None:
    jurisdiction = param(request, "jurisdiction_id")
    if jurisdiction and jurisdiction != settings.HOTLINE_OPEN311_JURISDICTION:
        raise Refused(
            "jurisdiction",
            _("jurisdiction_id “%(id)s” was not found."),
            id=jurisdiction,
            status=404,
        )


def check_rate(request: HttpRequest) -> None:
    client = request_client(request)
    if client is not None:
        scope, limit = f"client:{client.pk}", client.rate_per_minute
    else:
        scope = f"ip:{request.META.get('REMOTE_ADDR', '')}"
        limit = settings.HOTLINE_OPEN311_RATE_PER_ADDRESS
    if not clients.allow(scope, limit):
        raise Refused("rate", _("Too many requests; wait a minute and try again."), status=429)


def request_client(request: HttpRequest):
    """The client whose key came with the call (None without one)."""
    if not hasattr(request, "open311_client"):
        key = param(request, "api_key")
        request.open311_client = clients.authenticate(key) if key else None
        if key and request.open311_client is None:
            raise Refused("api_key", _("Invalid api_key received."), status=403)
    return request.open311_client


def require_client(request: HttpRequest):
    client = request_client(request)
    if client is None:
        raise Refused("api_key", _("An api_key is required to post."), status=403)
    return client


# --- discovery and services ------------------------------------------------------------------


@endpoint("GET")
def discovery(request, fmt):
    changeset = settings.HOTLINE_OPEN311_CHANGESET
    url = request.build_absolute_uri(reverse("open311:root"))
    document = {
        "changeset": changeset,
        "contact": settings.HOTLINE_OPEN311_CONTACT,
        "key_service": _("Ask the hotline centre's administrator for an API key."),
        "endpoints": [
            {
                "specification": SPEC,
                "url": url.rstrip("/"),
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(document, "discovery", fmt)


@endpoint("GET")
def service_list(request, fmt):
    return respond([service.as_open311() for service in services.offered()], "services", fmt)


@endpoint("GET")
def service_definition(request, fmt, code):
    service = services.find(code)
    if service is None:
        raise Refused(
            "service_code", _("service_code “%(code)s” was not found."), code=code, status=404
        )
    document = {"service_code": service.code, "attributes": service.attributes_open311()}
    return respond(document, "service_definition", fmt)


# --- requests ----------------------------------------------------------------------------------


@endpoint("GET", "POST")
def requests(request, fmt):
    if request.method == "POST":
        return post_request(request, fmt)
    return respond(request_list(request), "service_requests", fmt)


def post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    kind = request.content_type or ""
    if kind not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise Refused(
            "content_type",
            _("Send the request as application/x-www-form-urlencoded or multipart/form-data."),
        )
    client = require_client(request)
    code = param(request, "service_code")
    if not code:
        raise Refused("service_code", _("service_code was not provided."))
    service = services.find(code)
    if service is None:
        raise Refused(
            "service_code", _("service_code “%(code)s” was not found."), code=code, status=404
        )
    submission = submission_of(request, service)
    media = request.FILES.get("media")
    media_url = checked_url(param(request, "media_url"))
    message, _new = channels.receive(
        submission, client=client, media=media, media_url=media_url, batch=service.is_batch
    )
    notice = str(channels.notice(message))
    account = param(request, "account_id") or None
    if service.is_batch:
        row = {"token": message.token, "service_notice": notice, "account_id": account}
    else:
        row = {
            "service_request_id": message.order.number,
            "service_notice": notice,
            "account_id": account,
        }
    return respond([row], "service_requests", fmt)


def submission_of(request: HttpRequest, service: services.Service) -> channels.Submission:
    lat, lng = coordinates(param(request, "lat"), param(request, "long"))
    address = param(request, "address_string")
    address_id = param(request, "address_id")
    if lat is None and not address and not address_id:
        raise Refused("location", _("Give a location: lat and long, address_string or address_id."))
    description = checked_description(param(request, "description"))
    email = param(request, "email")
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise Refused("email", _("The e-mail address is not valid.")) from None
    answers, request_type = service.read_attributes(attribute_values(request))
    return channels.Submission(
        channel=Channel.OPEN311,
        content=description or service.name,
        category_code=service.code,
        request_type=request_type,
        address=address,
        lat=lat,
        lng=lng,
        caller_name=person_name(param(request, "first_name"), param(request, "last_name"))[:50],
        caller_phone=param(request, "phone")[:30],
        email=email[:254],
        answers=answers,
        extra={
            key: param(request, key)[:100]
            for key in ("address_id", "device_id", "account_id")
            if param(request, key)
        },
    )


def checked_description(description: str) -> str:
    if len(description) > MAX_DESCRIPTION:
        raise Refused(
            "description",
            _("The description may be at most %(limit)s characters (it has %(length)s)."),
            limit=MAX_DESCRIPTION,
            length=len(description),
        )
    return description


def coordinates(lat: str, lng: str) -> tuple[float | None, float | None]:
    if not lat and not lng:
        return None, None
    if not lat or not lng:
        raise Refused("coordinates", _("Give both lat and long, or neither."))
    try:
        values = float(lat), float(lng)
    except ValueError:
        raise Refused("coordinates", _("lat and long must be numbers.")) from None
    if not all(math.isfinite(v) for v in values) or not (
        -90 <= values[0] <= 90 and -180 <= values[1] <= 180
    ):
        raise Refused("coordinates", _("lat and long are out of range."))
    return values


def attribute_values(request: HttpRequest) -> dict[str, list[str]]:
    """``attribute[code]=v`` and ``attribute[code][]=v1&…`` as code → values."""
    found: dict[str, list[str]] = {}
    for key in request.POST:
        if not key.startswith("attribute[") or "]" not in key:
            continue
        code = key[len("attribute[") : key.index("]")]
        values = [v.strip() for v in request.POST.getlist(key) if v.strip()]
        found.setdefault(code, []).extend(values)
    return found


def person_name(first: str, last: str) -> str:
    """Chinese names read family name first, without a space."""
    if any("\u4e00" <= c <= "\u9fff" for c in first + last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


def checked_url(url: str) -> str:
    if not url:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise Refused("media_url", _("media_url is not a valid http(s) address.")) from None
    if len(url) > 500:
        raise Refused("media_url", _("media_url is longer than 500 characters."))
    return url


# --- reading requests --------------------------------------------------------------------------


def request_list(request: HttpRequest) -> list[dict]:
    rows = published()
    ids = split(param(request, "service_request_id"))
    if len(ids) > settings.HOTLINE_OPEN311_MAX_RESULTS:
        raise Refused(
            "service_request_id",
            _("Ask for at most %(limit)s requests at once."),
            limit=settings.HOTLINE_OPEN311_MAX_RESULTS,
        )
    if ids:  # overrides every other argument
        rows = rows.filter(number__in=ids)
    else:
        codes = split(param(request, "service_code"))
        if codes:
            unknown = set(codes) - services.known_codes()
            if unknown:
                raise Refused(
                    "service_code",
                    _("Unknown service_code: %(codes)s."),
                    codes=", ".join(sorted(unknown)),
                )
            rows = rows.filter(category__code__in=codes)
        statuses = split(param(request, "status").lower())
        if statuses:
            if set(statuses) - {"open", "closed"}:
                raise Refused("status", _("status must be open, closed or both."))
            rows = rows.filter(public.status_query(statuses))
        start, end = window(request)
        rows = rows.filter(registered_at__gte=start, registered_at__lte=end)
    rows = page_of(request, rows.order_by("-registered_at", "-id"))
    return describe(request, rows, extended=param(request, "extensions").lower() == "true")


@endpoint("GET")
def request_detail(request, fmt, number):
    rows = published().filter(number=number)
    found = describe(request, rows, extended=True)
    if not found:
        raise Refused(
            "service_request_id", _("Request %(id)s was not found."), id=number, status=404
        )
    return respond(found, "service_requests", fmt)


@endpoint("GET")
def token(request, fmt, token):
    message = ChannelMessage.objects.filter(token=token).select_related("order").first()
    if message is None:
        raise Refused("token", _("Token %(token)s was not found."), token=token, status=404)
    if message.state == ChannelMessage.State.FAILED:
        raise Refused(
            "token",
            _("The request of this token could not be registered: %(error)s"),
            error=message.error,
            status=404,
        )
    row = {"token": message.token}
    if message.order is not None:
        row["service_request_id"] = message.order.number
    return respond([row], "service_requests", fmt)


def published():
    latest = OrderEvent.objects.filter(order=OuterRef("pk")).order_by("-at", "-id").values("at")
    return public.published_orders().annotate(updated_at=Subquery(latest[:1]))


def split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def window(request: HttpRequest) -> tuple[datetime, datetime]:
    """``start_date``/``end_date``: at most 90 days apart; the last 90 days by default."""
    start = moment(param(request, "start_date"), "start_date")
    end = moment(param(request, "end_date"), "end_date")
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - WINDOW
    elif end is None:
        end = start + WINDOW
    if end < start:
        raise Refused("dates", _("end_date is before start_date."))
    if end - start > WINDOW:
        raise Refused("dates", _("start_date and end_date may be at most 90 days apart."))
    return start, end


def moment(text: str, name: str) -> datetime | None:
    """A w3 datetime (``2010-01-01T00:00:00Z``, with an offset, or a bare date in local
    time)."""
    if not text:
        return None
    try:
        value = parse_datetime(text.replace(" ", "+"))  # a "+08:00" sent unencoded
        if value is None:
            day = parse_date(text)
            value = datetime(day.year, day.month, day.day) if day else None
    except ValueError:
        value = None
    if value is None:
        raise Refused(
            "dates", _("%(name)s is not a w3 datetime, e.g. 2010-01-01T00:00:00Z."), name=name
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def page_of(request: HttpRequest, rows):
    limit = settings.HOTLINE_OPEN311_MAX_RESULTS
    size = whole(param(request, "page_size"), "page_size", limit)
    page = whole(param(request, "page"), "page", 1)
    if size > limit:
        raise Refused("page_size", _("page_size may be at most %(limit)s."), limit=limit)
    return rows[(page - 1) * size : page * size]


def whole(text: str, name: str, default: int) -> int:
    if not text:
        return default
    if not text.isdigit() or int(text) < 1 or len(text) > 9:
        raise Refused("paging", _("%(name)s must be a positive whole number."), name=name)
    return int(text)


# The columns a request is described with: read as values, not as wide order objects.
COLUMNS = {
    "pk": "pk",
    "number": "number",
    "status": "status",
    "reply": "reply",
    "content": "content",
    "service_name": "category__name",
    "service_code": "category__code",
    "unit": "lead_unit__name",
    "expected_unit": "channel_message__expected_unit__name",
    "registered_at": "registered_at",
    "updated_at": "updated_at",
    "handle_due_at": "handle_due_at",
    "expected_at": "channel_message__expected_at",
    "address": "address",
    "lat": "lat",
    "lng": "lng",
    "media_url": "channel_message__media_url",
    "message_data": "channel_message__data",
    "channel": "channel",
    "request_type": "request_type",
    "area": "area__name",
    "is_resolved": "is_resolved",
}


def describe(request: HttpRequest, rows, extended: bool = False) -> list[dict]:
    """The requests as Open311 shows them, with personal data masked."""
    rows = [
        {name: row[column] for name, column in COLUMNS.items()}
        for row in rows.values(*COLUMNS.values())
    ]
    photos = photo_urls(request.build_absolute_uri("/"), [row["pk"] for row in rows])
    notes = notes_of([row["pk"] for row in rows]) if extended else {}
    types = dict(RequestType.choices)
    found = []
    for order in rows:
        extra = (order["message_data"] or {}).get("extra") or {}
        found.append(
            {
                "service_request_id": order["number"],
                "status": public.open_or_closed(order["status"]),
                "status_notes": public.published_text(order["reply"]) or None,
                "service_name": order["service_name"],
                "service_code": order["service_code"] or "",
                "description": public.published_text(order["content"])[:MAX_DESCRIPTION],
                "agency_responsible": order["unit"] or order["expected_unit"],
                "service_notice": None,
                "requested_datetime": w3c(order["registered_at"]),
                "updated_datetime": w3c(order["updated_at"] or order["registered_at"]),
                "expected_datetime": w3c(order["handle_due_at"] or order["expected_at"]),
                "address": order["address"] or None,
                "address_id": extra.get("address_id"),
                "zipcode": None,
                "lat": order["lat"],
                "long": order["lng"],
                "media_url": photos.get(order["pk"]) or order["media_url"] or None,
            }
        )
        if extended:
            found[-1]["extended_attributes"] = {
                "status": public.extended_status(order["status"], order["is_resolved"]),
                "channel": order["channel"],
                "request_type": str(types.get(order["request_type"], order["request_type"])),
                "area": order["area"],
            }
            found[-1]["notes"] = notes.get(order["pk"], [])
    return found


def photo_urls(base: str, order_ids: list[int]) -> dict[int, str]:
    """The first photo the citizen sent with each order, as a public address."""
    found: dict[int, str] = {}
    photos = Attachment.objects.filter(
        order_id__in=order_ids, uploaded_by__isnull=True, content_type__startswith="image/"
    ).order_by("id")
    for photo in photos.values("pk", "order_id"):
        found.setdefault(photo["order_id"], media_address(base, photo["pk"]))
    return found


def media_address(base: str, attachment_id: int) -> str:
    return base.rstrip("/") + reverse("open311:media", args=[attachment_id])


def notes_of(order_ids: list[int]) -> dict[int, list[dict]]:
    """Each order's public progress (the ``notes`` extension)."""
    found: dict[int, list[dict]] = {}
    for update in public.updates_of(public.public_events(order_ids)):
        found.setdefault(update.order_id, []).append(
            {
                "datetime": w3c(update.at),
                "summary": update.description,
                "type": note_type(update),
            }
        )
    return found


def note_type(update: public.Update) -> str:
    if update.action == "register":
        return "opened"
    if update.status == "closed":
        return "closed"
    return "activity"


def media_file(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """A photo a citizen sent with a published request."""
    photo = (
        Attachment.objects.filter(
            pk=attachment_id, uploaded_by__isnull=True, content_type__startswith="image/"
        )
        .select_related("order")
        .first()
    )
    if photo is None or not public.is_published(photo.order):
        return errors(404, _("Not found."), "json")
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError:
        return errors(404, _("Not found."), "json")
    return FileResponse(handle, content_type=photo.content_type)


# --- FixMyStreet's request updates ---------------------------------------------------------


@endpoint("GET", "POST")
def request_updates(request, fmt):
    if request.method == "POST":
        return post_update(request, fmt)
    start, end = window(request)
    events = public.public_events().filter(
        public.is_published_query("order__"), at__gte=start, at__lte=end
    )
    number = param(request, "service_request_id")
    if number:
        events = events.filter(order__number=number)
    updates = public.updates_of(page_of(request, events))
    rows = [
        {
            "update_id": str(update.id),
            "service_request_id": update.number,
            "status": update.extended_status,
            "updated_datetime": w3c(update.at),
            "description": update.description,
            "media_url": "",
        }
        for update in updates
    ]
    return respond(rows, "service_request_updates", fmt)


def post_update(request: HttpRequest, fmt: str) -> HttpResponse:
    require_client(request)
    number = param(request, "service_request_id")
    if not number:
        raise Refused("service_request_id", _("service_request_id was not provided."))
    order = published().filter(number=number).first()
    if order is None:
        raise Refused(
            "service_request_id", _("Request %(id)s was not found."), id=number, status=404
        )
    description = checked_description(param(request, "description"))
    event = orders.add_supplement(order, description)
    return respond([{"update_id": str(event.pk)}], "service_request_updates", fmt)


def api_root(request: HttpRequest) -> HttpResponse:
    """The API's root answers with the discovery document."""
    return discovery(request, "json")


def openapi(request: HttpRequest) -> HttpResponse:
    """This server's routes as an OpenAPI document (for tools and for the fuzz tests)."""
    from django.http import JsonResponse

    from .openapi import document

    return JsonResponse(document(), json_dumps_params={"ensure_ascii": False})


def not_found(request: HttpRequest) -> HttpResponse:
    """Any other address under /open311/: the spec's error list, in XML (its default)."""
    return errors(404, _("Not found."), "json" if request.path.endswith(".json") else "xml")

"""API of intake: the draft of a text, for channels and tools beside the console, and the
webhooks through which other channels (WeChat, e-mail, 12315 and 110 transfers) send
requests in with a channel client's key."""

from __future__ import annotations

import pydantic
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status
from ninja.errors import ValidationError
from ninja.security import APIKeyHeader

from hotline.errors import HotlineError
from hotline.orgs.models import Role

from . import clients, drafting, hooks
from .models import ChannelClient

router = Router(tags=["intake"])

DRAFT_ROLES = (Role.OPERATOR, Role.DISPATCHER)


class DraftIn(Schema):
    text: str = Field(..., max_length=drafting.MAX_TEXT, description="a transcript or message")


class RequestTypeOut(Schema):
    value: str
    label: str
    confidence: float
    is_confident: bool
    reason: str
    out_of_scope: str | None


class CategoryOut(Schema):
    code: str
    name: str
    path_name: str
    reason: str
    confidence: float | None
    is_confident: bool


class UnitOut(Schema):
    code: str
    name: str
    reason: str
    co_units: list[dict]
    confidence: float | None


class DraftOut(Schema):
    title: str
    summary: dict
    request_type: RequestTypeOut | None
    categories: list[CategoryOut]
    units: list[UnitOut]
    area_code: str | None
    area_name: str | None
    address: str | None
    lat: float | None
    lng: float | None
    is_outside_home: bool
    place_confidence: float
    urgency: str
    emergency: dict | None
    is_enterprise: bool
    is_confidential: bool
    abuse: int
    emotion: float
    suggested_answer: str
    model_version: int | None
    notes: list[str]
    elapsed_ms: float


@router.post("/draft", response=DraftOut)
def draft(request, payload: DraftIn):
    """Draft an order from what the caller said: type, category, place, summary, units with
    reasons and flags, each guess with its confidence. Never fails on the text itself."""
    if not request.user.has_role(*DRAFT_ROLES):
        raise HotlineError("forbidden", _("Your role may not draft orders."), status=403)
    return drafting.draft(payload.text).as_dict()


# --- webhooks of other channels (see docs/webhooks.md) -----------------------------------------


class ChannelKey(APIKeyHeader):
    """``X-Api-Key: ck_...``: a channel client's key (``hotline apikey create``), each call
    counted against the client's rate per minute. A body above ``max_bytes`` is refused
    here, before it is read: ninja reads a JSON body before the route runs, and Django
    refuses one above ``DATA_UPLOAD_MAX_MEMORY_SIZE`` with an error that would be a 500."""

    param_name = "X-Api-Key"

    def __init__(self, max_bytes: int = hooks.MAX_JSON_BYTES):
        self.max_bytes = max_bytes
        super().__init__()

    def authenticate(self, request: HttpRequest, key: str | None) -> ChannelClient | None:
        client = clients.authenticate(key or "")
        if client is None:
            return None
        if not clients.allow(f"client:{client.pk}", client.rate_per_minute):
            raise HotlineError(
                "too_many_requests",
                _("Too many requests; wait a minute and try again."),
                status=429,
            )
        if content_length(request) > self.max_bytes:
            raise HotlineError("too_large", _("The request is too large."), status=413)
        return client


def content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class HookOut(Schema):
    order_number: str | None = Field(..., description="the order's number (工单编号)")
    status: str = Field(..., description="the order's status, e.g. registered")
    is_new: bool = Field(..., description="false: the message was received before")
    token: str = Field(..., description="the message's token")


HOOK_ANSWERS = {200: HookOut, 201: HookOut}


def answered(message, is_new: bool) -> Status:
    """201 with the new order; 200 with the first one for a message received before."""
    return Status(201 if is_new else 200, hooks.answer(message, is_new))


class WeChatIn(Schema):
    """A message to the official account, as its platform sends it (XML fields as JSON)."""

    to_user: str = Field("", alias="ToUserName", max_length=100)
    from_user: str = Field(..., alias="FromUserName", min_length=1, max_length=100)
    create_time: int = Field(0, alias="CreateTime", ge=0, le=2**40)
    msg_type: str = Field(..., alias="MsgType", min_length=1, max_length=20)
    content: str = Field("", alias="Content", max_length=hooks.LIMITS["content"])
    msg_id: str | None = Field(
        None, alias="MsgId", max_length=64, coerce_numbers_to_str=True, description="→ source_ref"
    )
    pic_url: str = Field("", alias="PicUrl", max_length=500)
    media_id: str = Field("", alias="MediaId", max_length=128)
    location_x: float | None = Field(
        None, alias="Location_X", ge=-90, le=90, allow_inf_nan=False, description="latitude"
    )
    location_y: float | None = Field(
        None, alias="Location_Y", ge=-180, le=180, allow_inf_nan=False, description="longitude"
    )
    label: str = Field("", alias="Label", max_length=hooks.LIMITS["address"])
    phone: str = Field("", alias="Phone", max_length=hooks.LIMITS["caller_phone"])
    name: str = Field("", alias="Name", max_length=hooks.LIMITS["caller_name"])


@router.post("/hooks/wechat", auth=ChannelKey(), response=HOOK_ANSWERS)
def wechat_hook(request, payload: WeChatIn):
    """A citizen's message to the centre's WeChat official account (微信公众号), passed on
    by the gateway: text, image or location. 201 with the new order; the same MsgId again
    answers 200 with the first one."""
    submission, media_url = hooks.wechat_submission(payload)
    return answered(*hooks.deliver(submission, client=request.auth, media_url=media_url))


class EmailIn(Schema):
    """An e-mail an importer has already taken apart."""

    message_id: str = Field(..., min_length=1, max_length=998)
    sender: str = Field("", alias="from", max_length=500, description="王小明 <wang@example.cn>")
    subject: str = Field("", max_length=hooks.LIMITS["title"])
    body: str = Field("", max_length=hooks.LIMITS["content"])


EMAIL_BODY = {
    "required": True,
    "content": {
        "message/rfc822": {"schema": {"type": "string", "format": "binary"}},
        "application/json": {"schema": EmailIn.model_json_schema(by_alias=True)},
    },
}


@router.post(
    "/hooks/email",
    auth=ChannelKey(max_bytes=hooks.MAX_EMAIL_BYTES),
    response=HOOK_ANSWERS,
    openapi_extra={"requestBody": EMAIL_BODY},
)
def email_hook(request):
    """An e-mail to the centre's mailbox (电子邮件): the raw message as ``message/rfc822``
    (at most 10 MB; its first photo is attached), or taken apart as JSON. 201 with the new
    order; the same Message-ID again answers 200 with the first one."""
    kind = request.content_type
    if kind not in ("message/rfc822", "application/json"):
        raise HotlineError(
            "unsupported_media_type",
            _("Send the e-mail as message/rfc822, or taken apart as JSON."),
            status=415,
        )
    raw = request.read(hooks.MAX_EMAIL_BYTES + 1)
    if len(raw) > hooks.MAX_EMAIL_BYTES:
        raise HotlineError("too_large", _("The request is too large."), status=413)
    if kind == "message/rfc822":
        submission, photo = hooks.email_submission(raw)
    else:
        mail = parsed(EmailIn, raw)
        photo = None
        submission = hooks.mail_submission(
            message_id=mail.message_id, sender=mail.sender, subject=mail.subject, body=mail.body
        )
    return answered(*hooks.deliver(submission, client=request.auth, media=photo))


def parsed(schema: type[Schema], raw: bytes):
    """``raw`` JSON read into ``schema``; a refusal is the API's usual invalid_input."""
    try:
        return schema.model_validate_json(raw)
    except pydantic.ValidationError as error:
        raise ValidationError(
            [
                {"loc": ("body", "payload", *problem["loc"]), "msg": problem["msg"]}
                for problem in error.errors(include_url=False)
            ]
        ) from None


class TransferIn(Schema):
    """A case another platform hands over (转办)."""

    source: str = Field(..., max_length=20, description="12315 or 110")
    reference: str = Field(..., min_length=1, max_length=80, description="their case number")
    title: str = Field("", max_length=hooks.LIMITS["title"])
    content: str = Field(..., min_length=1, max_length=hooks.LIMITS["content"])
    caller_name: str = Field("", max_length=hooks.LIMITS["caller_name"])
    caller_phone: str = Field("", max_length=hooks.LIMITS["caller_phone"])
    address: str = Field("", max_length=hooks.LIMITS["address"])
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lng: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    category_code: str = Field("", max_length=20, description="one of the centre's categories")


@router.post("/hooks/transfer", auth=ChannelKey(), response=HOOK_ANSWERS)
def transfer_hook(request, payload: TransferIn):
    """A case handed over by the 12315 or 110 platform (转办), with their case number. 201
    with the new order; the same source and number again answers 200 with the first one."""
    submission = hooks.transfer_submission(payload)
    return answered(*hooks.deliver(submission, client=request.auth))

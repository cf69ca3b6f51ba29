"""API of intake: the draft of a text, for channels and tools beside the console."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema

from hotline.errors import HotlineError
from hotline.orgs.models import Role

from . import drafting

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

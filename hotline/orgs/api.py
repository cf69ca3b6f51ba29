"""API of the organisation: areas, units, categories, the responsibility list, tokens."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from ninja.throttling import AnonRateThrottle

from hotline.errors import HotlineError

from .models import ApiToken, Area, Category, Hotline, ResponsibilityRule, Unit, in_subtree

router = Router(tags=["organisation"])


def by_code(model, code: str | None, field: str):
    """The row of ``model`` with ``code`` (None for no code); refuses an unknown code."""
    if not code:
        return None
    found = model.objects.filter(code=code).first()
    if found is None:
        raise HotlineError(
            f"unknown_{field}", _("Unknown code “%(code)s”."), code=code, field=field
        )
    return found


class TokenIn(Schema):
    username: str
    password: str
    name: str = "api"


class TokenOut(Schema):
    token: str
    username: str
    roles: list[str]
    unit: str | None


@router.post("/auth/token", auth=None, response=TokenOut, throttle=[AnonRateThrottle("20/m")])
def issue_token(request, payload: TokenIn):
    """Exchange a username and password for a personal API token (shown once)."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        raise HotlineError("invalid_credentials", _("Wrong username or password."), status=401)
    _token, key = ApiToken.issue(user, payload.name[:100])
    return {
        "token": key,
        "username": user.username,
        "roles": sorted(user.roles),
        "unit": user.unit.code if user.unit else None,
    }


class MeOut(Schema):
    username: str
    full_name: str
    roles: list[str]
    unit: str | None


@router.get("/me", response=MeOut)
def me(request):
    user = request.user
    return {
        "username": user.username,
        "full_name": user.full_name,
        "roles": sorted(user.roles),
        "unit": user.unit.code if user.unit else None,
    }


class AreaOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None
    lat: float | None
    lng: float | None


@router.get("/areas", response=list[AreaOut])
def list_areas(request, parent: str | None = None, level: str | None = None):
    """Areas of the city; filter by the parent's code or by level."""
    areas = Area.objects.select_related("parent")
    if parent:
        areas = areas.filter(parent__code=parent)
    if level:
        areas = areas.filter(level=level)
    return [
        {
            "code": a.code,
            "name": a.name,
            "level": a.level,
            "parent": a.parent.code if a.parent else None,
            "lat": a.lat,
            "lng": a.lng,
        }
        for a in areas
    ]


class UnitOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    parent: str | None
    phone: str


@router.get("/units", response=list[UnitOut])
def list_units(request, kind: str | None = None, q: str | None = None):
    units = Unit.objects.filter(is_active=True).select_related("parent")
    if kind:
        units = units.filter(kind=kind)
    if q:
        units = units.filter(Q(name__icontains=q) | Q(short_name__icontains=q))
    return [
        {
            "code": u.code,
            "name": u.name,
            "short_name": u.short_name,
            "kind": u.kind,
            "parent": u.parent.code if u.parent else None,
            "phone": u.phone,
        }
        for u in units
    ]


class CategoryOut(Schema):
    code: str
    name: str
    level: int
    parent: str | None


@router.get("/categories", response=list[CategoryOut])
def list_categories(request, parent: str | None = None, level: int | None = None):
    categories = Category.objects.filter(is_active=True).select_related("parent")
    if parent:
        categories = categories.filter(parent__code=parent)
    if level:
        categories = categories.filter(level=level)
    return [
        {
            "code": c.code,
            "name": c.name,
            "level": c.level,
            "parent": c.parent.code if c.parent else None,
        }
        for c in categories
    ]


class RuleOut(Schema):
    number: int
    matter: str
    category: str | None
    lead_unit: str
    co_units: list[str]
    areas: list[str]
    legal_basis: str
    keywords: str


@router.get("/rules", response=list[RuleOut])
def list_rules(request, category: str | None = None, area: str | None = None, q: str | None = None):
    """The responsibility list (权责清单); ``area`` keeps rows that apply there."""
    rules = (
        ResponsibilityRule.objects.filter(is_active=True)
        .select_related("category", "lead_unit")
        .prefetch_related("co_units", "areas")
    )
    if category:
        rules = rules.filter(in_subtree("category__path", by_code(Category, category, "category")))
    if q:
        rules = rules.filter(Q(matter__icontains=q) | Q(keywords__icontains=q))
    if area:
        codes = by_code(Area, area, "area").ancestor_codes()
        rules = rules.filter(Q(areas__isnull=True) | Q(areas__code__in=codes))
    return [
        {
            "number": r.number,
            "matter": r.matter,
            "category": r.category.code if r.category else None,
            "lead_unit": r.lead_unit.code,
            "co_units": [u.code for u in r.co_units.all()],
            "areas": [a.code for a in r.areas.all()],
            "legal_basis": r.legal_basis,
            "keywords": r.keywords,
        }
        for r in rules.distinct()
    ]


class HotlineOut(Schema):
    code: str
    name: str


@router.get("/hotlines", response=list[HotlineOut])
def list_hotlines(request):
    """The hotlines merged into 12345 (intake sources)."""
    return list(Hotline.objects.filter(is_active=True).values("code", "name"))

"""The intake's domain verbs: remembering what people corrected in a draft, and counting
nuisance calls per number."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from .models import Correction, ModelVersion, NuisanceCall

NUISANCE_WINDOW = timedelta(days=30)
NUISANCE_REPEATS = 3  # this many nuisance calls in the window mark the number as repeated


def chosen_values(order) -> dict[str, str]:
    """The order's values of the fields a draft suggests, as codes."""
    return {
        "category": order.category.code if order.category_id else "",
        "request_type": order.request_type or "",
        "area": order.area.code if order.area_id else "",
        "lead_unit": order.lead_unit.code if order.lead_unit_id else "",
    }


def record_corrections(
    order,
    suggested: dict[str, str],
    by,
    stage: str,
    version_number: int | None = None,
    now: datetime | None = None,
) -> list[Correction]:
    """Compare what the draft (or the recommendation) suggested with what the person
    chose, one row per suggested field, kept or changed. Fields without a suggestion are
    skipped: nothing was there to correct."""
    now = now or timezone.now()
    chosen = chosen_values(order)
    version = (
        ModelVersion.objects.filter(number=version_number).only("pk").first()
        if version_number
        else None
    )
    rows = [
        Correction(
            order=order,
            field=name,
            stage=stage,
            suggested=value[:50],
            chosen=chosen[name][:50],
            is_accepted=value == chosen[name],
            model_version=version,
            by=by,
            at=now,
        )
        for name, value in suggested.items()
        if value and name in chosen
    ]
    return Correction.objects.bulk_create(rows)


def record_nuisance(phone: str, kind: str, by, note: str = "", now: datetime | None = None):
    """Count one silent or abusive call from ``phone`` (refuses an empty number)."""
    phone = (phone or "").strip()
    if not phone:
        raise ValueError("a nuisance call needs the caller's number")
    if kind not in NuisanceCall.Kind.values:
        raise ValueError(f"unknown kind of nuisance call: {kind}")
    return NuisanceCall.objects.create(
        phone=phone[:30], kind=kind, by=by, note=note[:200], at=now or timezone.now()
    )


def nuisance_counts(phone: str, now: datetime | None = None) -> dict[str, int]:
    """Silent and abusive calls from ``phone`` in the last 30 days."""
    now = now or timezone.now()
    rows = (
        NuisanceCall.objects.filter(phone=phone, at__gte=now - NUISANCE_WINDOW)
        .values("kind")
        .annotate(n=Count("id"))
    )
    counts = {kind: 0 for kind in NuisanceCall.Kind.values}
    counts.update({row["kind"]: row["n"] for row in rows})
    return counts


def acceptance(since: datetime | None = None) -> dict[str, dict]:
    """Per field, how often the draft's suggestion was kept: the models' hit rate in use."""
    rows = Correction.objects.all()
    if since:
        rows = rows.filter(at__gte=since)
    found: dict[str, dict] = {}
    for row in rows.values("field", "is_accepted").annotate(n=Count("id")):
        entry = found.setdefault(row["field"], {"kept": 0, "changed": 0})
        entry["kept" if row["is_accepted"] else "changed"] += row["n"]
    for entry in found.values():
        total = entry["kept"] + entry["changed"]
        entry["rate"] = round(entry["kept"] / total, 3) if total else None
    return found

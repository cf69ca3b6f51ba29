"""Versions of the trained intake models: stored in the database (so every web process and
worker of the city reads the same one), one of them in use, any earlier one restorable."""

from __future__ import annotations

import pickle
import threading
import time
from datetime import datetime

from django.db import transaction
from django.db.models import Max

from .models import ModelVersion

KEEP = 10  # versions kept; older ones are deleted when a new one is saved
CHECK_SECONDS = 10  # how often a process asks whether another version went live

_lock = threading.Lock()
_loaded: dict[str, object] = {"number": None, "models": {}, "checked": 0.0}


def save(
    models: dict,
    report: dict,
    *,
    examples: int,
    held_back: int,
    corrections: int,
    by: str,
    now: datetime,
    activate: bool = True,
) -> ModelVersion:
    """Store a training run's models as the next version, in use unless ``activate`` is
    False; keeps the last ``KEEP`` versions and the one in use."""
    data = pickle.dumps(models, protocol=pickle.HIGHEST_PROTOCOL)
    with transaction.atomic():
        last = ModelVersion.objects.select_for_update().aggregate(n=Max("number"))["n"] or 0
        version = ModelVersion.objects.create(
            number=last + 1,
            trained_at=now,
            trained_by=by,
            examples=examples,
            held_back=held_back,
            corrections=corrections,
            report=report,
            data=data,
            size=len(data),
        )
        if activate:
            use(version.number)
        old = ModelVersion.objects.filter(is_current=False).order_by("-number")[KEEP:]
        ModelVersion.objects.filter(pk__in=[v.pk for v in old]).delete()
    return ModelVersion.objects.get(pk=version.pk)


def use(number: int) -> ModelVersion:
    """Put version ``number`` in use (every process picks it up within seconds)."""
    with transaction.atomic():
        version = ModelVersion.objects.select_for_update().filter(number=number).first()
        if version is None:
            raise LookupError(f"there is no model version {number}")
        ModelVersion.objects.filter(is_current=True).exclude(pk=version.pk).update(is_current=False)
        ModelVersion.objects.filter(pk=version.pk).update(is_current=True)
    _loaded["checked"] = 0.0
    return version


def rollback() -> ModelVersion:
    """Go back to the newest version older than the one in use."""
    current = ModelVersion.objects.filter(is_current=True).first()
    older = ModelVersion.objects.all()
    if current:
        older = older.filter(number__lt=current.number)
    previous = older.order_by("-number").only("number").first()
    if previous is None:
        raise LookupError("there is no earlier model version to go back to")
    return use(previous.number)


def live() -> tuple[int | None, dict]:
    """(version number, {target: classifier}) of the version in use; ``(None, {})`` before
    the first ``hotline train``. Loaded once per process, re-checked every few seconds."""
    now = time.monotonic()
    if now - _loaded["checked"] < CHECK_SECONDS:
        return _loaded["number"], _loaded["models"]
    with _lock:
        current = (
            ModelVersion.objects.filter(is_current=True).values_list("number", flat=True).first()
        )
        if current != _loaded["number"]:
            models = {}
            if current is not None:
                data = ModelVersion.objects.values_list("data", flat=True).get(number=current)
                models = pickle.loads(bytes(data))  # noqa: S301 - written by save() above
            _loaded.update(number=current, models=models)
        _loaded["checked"] = now
    return _loaded["number"], _loaded["models"]


def forget() -> None:
    """Drop the loaded models (tests, and after a rollback in this process)."""
    _loaded.update(number=None, models={}, checked=0.0)

"""Search of the published knowledge, as operators use it: the words index of
``nlp.search`` over the items in force, filtered by kind and area.

The index is built once per process and rebuilt when an item is published, revised,
withdrawn or expired (the item count and the latest change are its stamp)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.db.models import Count, Max, Q
from django.utils import timezone

from hotline.orgs.models import Area
from nlp.search import Document, LexicalIndex

from .models import KnowledgeItem

_lock = threading.Lock()
_cache: dict[str, object] = {"stamp": None, "index": None}


@dataclass
class Found:
    item: KnowledgeItem
    score: float
    matched: tuple[str, ...]


def searchable():
    return KnowledgeItem.objects.filter(status=KnowledgeItem.Status.PUBLISHED).exclude(
        published=None
    )


def index() -> LexicalIndex:
    """The index of the items in force, rebuilt when one of them changed."""
    stamp = tuple(searchable().aggregate(n=Count("id"), last=Max("updated_at")).values())
    with _lock:
        if _cache["stamp"] != stamp:
            rows = searchable().select_related("published")
            _cache["index"] = LexicalIndex(
                Document(
                    str(item.pk),
                    item.published.title,
                    item.published.text,
                    # Answers of one policy document find each other.
                    item.published.fields.get("document_number", ""),
                )
                for item in rows
            )
            _cache["stamp"] = stamp
        return _cache["index"]


def forget() -> None:
    _cache.update(stamp=None, index=None)


def search(
    query: str, *, kind: str | None = None, area: Area | None = None, limit: int = 10
) -> list[Found]:
    """The published items that best answer ``query``, best first; of ``kind`` only, and
    for an ``area`` only the items that apply there (or city-wide)."""
    allowed = None
    if kind or area:
        rows = searchable()
        if kind:
            rows = rows.filter(kind=kind)
        if area:
            ancestors = area.path.split("/")
            rows = rows.filter(areas__isnull=True) | rows.filter(areas__code__in=ancestors)
        allowed = {str(pk) for pk in rows.values_list("pk", flat=True)}
    hits = index().search(query, k=limit, keep=None if allowed is None else allowed.__contains__)
    in_force = Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate())
    items = (
        searchable()
        .filter(in_force)  # an item past its validity is not read out, even before the sweep
        .select_related("published", "owner_unit")
        .in_bulk([int(hit.id) for hit in hits])
    )
    return [
        Found(items[int(hit.id)], hit.score, hit.matched) for hit in hits if int(hit.id) in items
    ]

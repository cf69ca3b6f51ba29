"""API of the knowledge base: search of the published items."""

from __future__ import annotations

from datetime import date

from ninja import Query, Router, Schema
from pydantic import Field

from hotline.orgs.api import by_code
from hotline.orgs.models import Area

from . import search as knowledge_search
from . import usage
from .models import Kind

router = Router(tags=["knowledge"])


class SearchIn(Schema):
    q: str = Field("", max_length=10_000, description="the question, as typed or said")
    kind: Kind | None = None
    area: str | None = Field(None, description="an area code: items that apply there")
    limit: int = Field(10, ge=1, le=50)


class FoundOut(Schema):
    id: int
    kind: str
    title: str
    text: str
    fields: dict
    owner_unit: str
    valid_until: date | None
    version: int
    score: float
    matched: list[str]


@router.get("/search", response=list[FoundOut])
def search(request, params: Query[SearchIn]):
    """The published items that best answer ``q``, best first, with the query's words
    found in each title (for highlighting). An empty or wordless query finds nothing."""
    area = by_code(Area, params.area, "area")
    found = knowledge_search.search(params.q, kind=params.kind, area=area, limit=params.limit)
    usage.log_search(params.q, found, getattr(request, "user", None), "api")
    return [
        {
            "id": f.item.pk,
            "kind": f.item.kind,
            "title": f.item.published.title,
            "text": f.item.published.text,
            "fields": f.item.published.fields,
            "owner_unit": f.item.owner_unit.name,
            "valid_until": f.item.valid_until,
            "version": f.item.published.number,
            "score": f.score,
            "matched": list(f.matched),
        }
        for f in found
    ]

"""Knowledge search on PostgreSQL's full-text index, for a city whose knowledge base or
number of web processes outgrows one index per process (``HOTLINE_KNOWLEDGE_BACKEND =
"postgres"``).

The database finds the candidates: each published version's words (cut by jieba when it
is published, ``search_title`` and ``search_text``) are indexed with the "simple"
configuration and a GIN index (migration 0003), and ranked with the title's words weighing
most. Python re-ranks the best 200 with meaning, as the in-process index does: the words
rank scaled so that the best scores 1, plus up to ``MEANING_WEIGHT`` from the stored
vectors. Every process reads the same index, and a published version is found at once.
An item that shares no word with the question is not found here (there is no vector index
in PostgreSQL without an extension).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.utils import timezone

from nlp.embed import default_embedder
from nlp.search import MAX_QUERY, MEANING_FLOOR, MEANING_WEIGHT, fold, words

from .indexing import SAVE_EVERY, search_words, vectors_of
from .models import KnowledgeItem, KnowledgeVersion

CANDIDATES = 200
VECTOR = "v.search_vector"  # generated from the words, indexed (migration 0003)
WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"  # D, C, B (the text), A (the title)
AREA_FILTER = (  # for the area, its district or the city, or for the whole city
    " AND (NOT EXISTS (SELECT 1 FROM knowledge_knowledgeitem_areas a"
    " WHERE a.knowledgeitem_id = i.id) OR EXISTS (SELECT 1 FROM knowledge_knowledgeitem_areas a"
    " JOIN orgs_area ar ON ar.id = a.area_id WHERE a.knowledgeitem_id = i.id"
    " AND ar.code = ANY(%s)))"
)


def lexeme(word: str) -> str:
    """A word as a quoted term of ``to_tsquery``."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def search(query: str, kind, area, synonyms, limit: int) -> list:
    """The published items in force (of ``kind``; for ``area``, those that apply there or
    city-wide) that best answer ``query``, best first, as ``Found``."""
    from .search import Found

    query = (query or "")[:MAX_QUERY]
    terms = words(query)
    asked = selective(dict.fromkeys(terms + words(" ".join(synonyms.in_text(fold(query))))))
    if not asked:
        return []
    filters, params = "", []
    if kind:
        filters += " AND i.kind = %s"
        params.append(kind)
    if area is not None:
        filters += AREA_FILTER
        params.append(area.path.split("/"))
    # Ranked on the stored vector alone, then only the best 200 rows are read in full.
    sql = (
        "WITH ranked AS ("
        f" SELECT i.id AS item_id, v.id AS version_id, ts_rank(%s, {VECTOR}, q) AS rank"
        " FROM knowledge_knowledgeversion v"
        " JOIN knowledge_knowledgeitem i ON i.published_id = v.id,"
        " to_tsquery('simple', %s) q"
        f" WHERE {VECTOR} @@ q AND i.status = 'published'"
        " AND (i.valid_until IS NULL OR i.valid_until >= %s)"
        f"{filters} ORDER BY rank DESC, i.id LIMIT %s)"
        " SELECT r.item_id, r.rank, v.id, v.title, v.search_title, v.vector, v.vector_model"
        " FROM ranked r JOIN knowledge_knowledgeversion v ON v.id = r.version_id"
        " ORDER BY r.rank DESC, r.item_id"
    )
    tsquery = " | ".join(lexeme(w) for w in asked)
    with connection.cursor() as cursor:
        cursor.execute(sql, [WEIGHTS, tsquery, timezone.localdate(), *params, CANDIDATES])
        candidates = [Candidate(*row) for row in cursor.fetchall()]
    if not candidates:
        return []
    scores = np.array([c.rank for c in candidates], dtype=np.float32)
    scores /= max(float(scores.max()), 1e-9)
    scores += meaning(query, candidates)
    best = [candidates[row] for row in np.argsort(-scores, kind="stable")[:limit]]
    score_of = {c.item_id: float(score) for c, score in zip(candidates, scores, strict=True)}
    items = KnowledgeItem.objects.select_related("published", "owner_unit").in_bulk(
        [c.item_id for c in best]
    )
    found = []
    for candidate in best:
        title_words = set(candidate.search_title.split())
        matched = tuple(t for t in dict.fromkeys(terms) if t in title_words)
        item = items[candidate.item_id]
        found.append(Found(item, round(score_of[candidate.item_id], 4), matched))
    return found


COMMON = 0.01  # a word in more published items than this share tells little: not asked
ALWAYS_ASKED = 50  # ...unless it is in this few (a small base keeps every word)
STATS_SECONDS = 3600
_stats: dict = {"at": -STATS_SECONDS, "items": 0, "df": {}}


def selective(asked) -> list[str]:
    """The question's words that tell items apart: those in at most 1% of the published
    items (all of them, if none is), the rarest first. Asking PostgreSQL for every word of
    a question would rank every item that has 疫情 or 办理; BM25 would weigh those words
    nearly nothing anyway. A word it does not know yet (a new item's) is kept."""
    stats = statistics()
    limit = max(ALWAYS_ASKED, COMMON * stats["items"])
    counted = sorted(asked, key=lambda word: stats["df"].get(word, 0))
    rare = [word for word in counted if stats["df"].get(word, 0) <= limit]
    return rare or counted[:2]


def statistics() -> dict:
    """How many published items hold each word (PostgreSQL's ``ts_stat``), read once an
    hour per process: about a second at 100,000 items."""
    if time.monotonic() - _stats["at"] < STATS_SECONDS:
        return _stats
    published = "SELECT search_vector FROM knowledge_knowledgeversion WHERE state = 'published'"
    with connection.cursor() as cursor:
        cursor.execute("SELECT word, ndoc FROM ts_stat(%s)", [published])
        df = dict(cursor.fetchall())
        cursor.execute("SELECT count(*) FROM knowledge_knowledgeversion WHERE state = 'published'")
        items = cursor.fetchone()[0]
    _stats.update(at=time.monotonic(), items=items, df=df)
    return _stats


def forget() -> None:
    _stats["at"] = -STATS_SECONDS


@dataclass
class Candidate:
    item_id: int
    rank: float
    version_id: int
    title: str
    search_title: str
    vector: bytes | None
    vector_model: str


def meaning(query: str, candidates: list[Candidate]) -> np.ndarray:
    """What meaning adds to each candidate's score; a candidate's vector is computed (and
    stored) the first time it is a candidate."""
    added = np.zeros(len(candidates), dtype=np.float32)
    embedder = default_embedder()
    if embedder is None:
        return added
    vector = embedder.query(query)
    if not vector.any():
        return added
    versions = [
        KnowledgeVersion(
            pk=c.version_id, title=c.title, vector=c.vector, vector_model=c.vector_model
        )
        for c in candidates
    ]
    stored = vectors_of(versions, embedder)  # computed once, the first time it is a candidate
    closeness = np.einsum("ij,j->i", stored, vector)
    return MEANING_WEIGHT * np.clip((closeness - MEANING_FLOOR) / (1 - MEANING_FLOOR), 0, None)


def fill_missing() -> int:
    """Cut the words, and compute the vector, of the published versions that have none yet
    (those published before this backend was chosen); returns how many words were cut.
    The worker runs it hourly."""
    filled = 0
    missing = KnowledgeVersion.objects.filter(
        state=KnowledgeVersion.State.PUBLISHED, search_title=""
    )
    for version in missing.iterator(chunk_size=SAVE_EVERY):
        for name, value in search_words(version.title, version.text).items():
            setattr(version, name, value)
        version.save(update_fields=["search_title", "search_text"])
        filled += 1
    embedder = default_embedder()
    if embedder is not None:
        published = KnowledgeVersion.objects.filter(state=KnowledgeVersion.State.PUBLISHED)
        stale = published.exclude(vector_model=embedder.name).only("pk", "title")
        batch = list(stale[:SAVE_EVERY])
        while batch:
            vectors_of(batch, embedder)
            batch = list(stale[:SAVE_EVERY])
    return filled

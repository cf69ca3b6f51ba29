"""Search of the published knowledge, as operators use it: words and meaning
(``nlp.search.HybridIndex``) over the items in force, filtered by kind, area and validity.

A process keeps one index of the published items. When an item changes (published,
revised, withdrawn, expired), the change is searchable at the next search: the changed
items are hidden in the index and scored anew as ``Additions``, with the index's own
statistics, while a new index is built in a background thread (minutes at 100,000
items) and then takes over. Each version's vector of meaning is computed once and kept
in the database; the words the model has met are kept in a file beside the database, so
that a restarted process does not meet them again one by one at its first searches.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Q
from django.utils import timezone

from hotline.orgs.models import Area
from nlp.embed import default_embedder
from nlp.search import Additions, Document, HybridIndex
from nlp.synonyms import DEFAULT as BUILT_IN_SYNONYMS
from nlp.synonyms import Synonyms

from . import pgsearch
from .indexing import vectors_of
from .models import KnowledgeItem, SynonymGroup

log = logging.getLogger(__name__)

CLOCK_MARGIN = timedelta(seconds=5)
# A new index is built at most this often (seconds) while the changes since the last are
# fewer than MAX_PENDING: meanwhile the changes answer, at a little cost per search.
REBUILD_AFTER = 300
MAX_PENDING = 500
WORDS_FILE = "knowledge-words.npz"


@dataclass
class Found:
    item: KnowledgeItem
    score: float
    matched: tuple[str, ...]


@dataclass
class Snapshot:
    """An index of the items published at ``taken_at``."""

    index: HybridIndex
    taken_at: datetime
    stamp: tuple


@dataclass
class Live:
    """The process's index, the changes since it was built, and the build under way."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    snapshot: Snapshot | None = None
    building: threading.Thread | None = None
    checked_at: float = 0.0  # monotonic
    build_started: float = -REBUILD_AFTER  # monotonic
    changes: tuple | None = None  # (stamp, Additions, hidden ids) since the snapshot
    synonyms: tuple | None = None  # (checked at, stamp, Synonyms)


_live = Live()


def searchable():
    return KnowledgeItem.objects.filter(status=KnowledgeItem.Status.PUBLISHED).exclude(
        published=None
    )


def document_of(item: KnowledgeItem) -> Document:
    version = item.published
    # Answers of one policy document find each other through its number.
    return Document(
        str(item.pk), version.title, version.text, version.fields.get("document_number", "")
    )


def current_stamp() -> tuple:
    """What changes whenever an item is published, revised, withdrawn or expired."""
    found = searchable().aggregate(n=Count("id"), last=Max("updated_at"))
    return (found["n"], found["last"])


def build(now: datetime | None = None) -> Snapshot:
    """An index of the items published now, with their stored vectors; the vectors that are
    missing (new versions, or another model) are computed here and stored."""
    taken_at = now or timezone.now()
    stamp = current_stamp()
    rows = list(searchable().select_related("published").order_by("pk"))
    documents = [document_of(item) for item in rows]
    embedder = default_embedder()
    vectors = None
    if embedder is not None:
        load_words(embedder)
        vectors = vectors_of([item.published for item in rows], embedder)
        save_words(embedder)
    index = HybridIndex(documents, vectors=vectors, embedder=embedder)
    return Snapshot(index, taken_at, stamp)


def words_path() -> Path:
    return Path(settings.VAR_DIR) / WORDS_FILE


def load_words(embedder) -> None:
    if hasattr(embedder, "load") and words_path().exists():
        embedder.load(words_path())


def save_words(embedder) -> None:
    if hasattr(embedder, "save"):
        try:
            words_path().parent.mkdir(parents=True, exist_ok=True)
            embedder.save(words_path())
        except OSError as error:  # a read-only disk costs speed after a restart, no more
            log.warning("The words of the knowledge index were not saved: %s", error)


def rebuild_mode() -> str:
    """``background`` (a new index is built beside the one answering), ``inline`` (built
    in the search that notices the change: tests, small bases) or ``off``."""
    return getattr(settings, "HOTLINE_KNOWLEDGE_REBUILD", "background")


def refresh(pending: int) -> None:
    """Start building a new index unless one is being built, or one was started lately and
    the ``pending`` changes are still few; it takes over when done."""
    mode = rebuild_mode()
    if mode == "inline":
        take_over(build())
        return
    if mode != "background":
        return
    with _live.lock:
        if _live.building is not None and _live.building.is_alive():
            return
        lately = time.monotonic() - _live.build_started < REBUILD_AFTER
        if lately and pending < MAX_PENDING:
            return
        _live.build_started = time.monotonic()

        def run() -> None:
            try:
                take_over(build())
            except Exception:
                log.exception("Building the knowledge index failed; the previous one answers")
            finally:
                connection.close()  # this thread's own connection, not left open

        _live.building = threading.Thread(target=run, daemon=True, name="knowledge-index")
        _live.building.start()


def take_over(snapshot: Snapshot) -> None:
    with _live.lock:
        _live.snapshot, _live.changes = snapshot, None


def changes_since(snapshot: Snapshot) -> tuple[Additions, frozenset[str]]:
    """The items changed since the snapshot: hidden in its index, and those published given
    anew with their vectors (computed and stored here for a new version)."""
    # A margin for the clocks of other processes: an item given anew that had not changed
    # scores as it did in the index.
    changed = KnowledgeItem.objects.filter(updated_at__gte=snapshot.taken_at - CLOCK_MARGIN)
    hidden = frozenset(str(pk) for pk in changed.values_list("pk", flat=True))
    rows = list(searchable().filter(pk__in=changed).select_related("published").order_by("pk"))
    embedder = snapshot.index.embedder
    vectors = vectors_of([item.published for item in rows], embedder) if embedder else None
    return Additions([document_of(item) for item in rows], vectors), hidden


def current() -> tuple[Snapshot, Additions | None, frozenset[str]]:
    """The index to search, and what changed since it was built (looked at once a second,
    ``HOTLINE_KNOWLEDGE_CHECK_SECONDS``)."""
    with _building_first:  # the first search of a process builds it (warm_up does earlier)
        if _live.snapshot is None:
            take_over(build())
    with _live.lock:
        snapshot, known = _live.snapshot, _live.changes
        now = time.monotonic()
        if now - _live.checked_at < getattr(settings, "HOTLINE_KNOWLEDGE_CHECK_SECONDS", 1.0):
            return (snapshot, *known[1:]) if known else (snapshot, None, frozenset())
        _live.checked_at = now
    stamp = current_stamp()
    if stamp == snapshot.stamp:
        return snapshot, None, frozenset()
    if known is None or known[0] != stamp:
        known = (stamp, *changes_since(snapshot))
        with _live.lock:
            if _live.snapshot is snapshot:
                _live.changes = known
    refresh(len(known[2]))
    with _live.lock:
        if _live.snapshot is not snapshot:  # rebuilt inline: it has every change
            return _live.snapshot, None, frozenset()
    return snapshot, known[1], known[2]


_building_first = threading.Lock()


def forget() -> None:
    """Drop the index (tests; a changed model): the next search builds a new one."""
    with _live.lock:
        _live.snapshot = _live.changes = _live.synonyms = None
        _live.checked_at, _live.build_started = 0.0, -REBUILD_AFTER
    pgsearch.forget()


def wait_for_build(timeout: float = 120.0) -> None:
    """Wait until the background build under way, if any, has taken over."""
    building = _live.building
    if building is not None:
        building.join(timeout)


def warm_up() -> None:
    """Build the index before the first search needs it (``hotline serve`` does this)."""
    try:
        current()
    finally:
        connection.close()


def synonyms() -> Synonyms:
    """The built-in synonym groups plus the city's own (admin → 同义词组), looked at as
    often as the items."""
    cached = _live.synonyms
    every = getattr(settings, "HOTLINE_KNOWLEDGE_CHECK_SECONDS", 1.0)
    if cached is not None and time.monotonic() - cached[0] < every:
        return cached[2]
    active = SynonymGroup.objects.filter(is_active=True)
    stamp = tuple(active.aggregate(n=Count("id"), last=Max("updated_at")).values())
    if cached is not None and cached[1] == stamp:
        found = cached[2]
    else:
        found = BUILT_IN_SYNONYMS.extended(active.values_list("words", flat=True))
    _live.synonyms = (time.monotonic(), stamp, found)
    return found


def backend() -> str:
    """``memory`` (an index in each process, the default) or ``postgres`` (the database's
    full-text index, shared by every process; needs PostgreSQL)."""
    chosen = getattr(settings, "HOTLINE_KNOWLEDGE_BACKEND", "memory")
    return "postgres" if chosen == "postgres" and connection.vendor == "postgresql" else "memory"


def in_force() -> Q:
    return Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate())


def search(
    query: str, *, kind: str | None = None, area: Area | None = None, limit: int = 10
) -> list[Found]:
    """The published items in force that best answer ``query``, best first; of ``kind``
    only, and for an ``area`` only the items that apply there (or city-wide)."""
    if backend() == "postgres":
        return pgsearch.search(query, kind, area, synonyms(), limit)
    keep = None
    if kind or area:
        # What the filters leave out, kept small: the items of another kind are asked for
        # only with a kind, and for an area only the items bound to other areas (most
        # items apply city-wide), so that the intake panel's area costs little per search.
        left_out: set[str] = set()
        if kind:
            other = searchable().exclude(kind=kind).values_list("pk", flat=True)
            left_out.update(str(pk) for pk in other)
        if area:
            elsewhere = (
                searchable()
                .filter(areas__isnull=False)
                .exclude(areas__code__in=area.path.split("/"))
                .values_list("pk", flat=True)
                .distinct()
            )
            left_out.update(str(pk) for pk in elsewhere)

        def keep(item_id: str, left_out=left_out) -> bool:
            return item_id not in left_out

    snapshot, additions, hidden = current()
    hits = snapshot.index.search(
        query,
        k=limit,
        keep=keep,
        synonyms=synonyms(),
        additions=additions,
        hidden=hidden,
    )
    items = (
        searchable()
        .filter(in_force())  # an item past its validity is not read out, even before the sweep
        .select_related("published", "owner_unit")
        .in_bulk([int(hit.id) for hit in hits])
    )
    return [
        Found(items[int(hit.id)], hit.score, hit.matched) for hit in hits if int(hit.id) in items
    ]

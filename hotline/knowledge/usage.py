"""How the knowledge base is used: which item answered which call, what operators say of
an answer, what they searched for, and the report that follows (most used, never used,
stale, the gaps no item fills, the hit rate of the suggestions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotline.errors import HotlineError
from nlp.pii import mask
from nlp.search import fold, words

from .models import KnowledgeFeedback, KnowledgeItem, KnowledgeSearch, KnowledgeUse

GOOD_COVERAGE = 0.5  # a result whose title holds half the question's words answers it
STALE_AFTER = timedelta(days=365)  # an item nobody revised for a year is checked again
SEARCHABLE = KnowledgeItem.Status.PUBLISHED


def record_use(version, by, *, order=None, rank: int | None = None, now=None) -> KnowledgeUse:
    """``version`` answered a caller (its text went into the reply of ``order``)."""
    return KnowledgeUse.objects.create(
        item_id=version.item_id,
        version=version,
        order=order,
        by=by,
        at=now or timezone.now(),
        rank=rank if rank and rank > 0 else None,
    )


def record_feedback(item, by, is_helpful: bool, comment: str = "", now=None) -> KnowledgeFeedback:
    """An operator's "this helped" or "this is wrong" on the item's published text."""
    if item.published_id is None:
        raise HotlineError("not_published", _("Only published knowledge takes feedback."))
    comment = (comment or "").strip()[:255]
    if not is_helpful and not comment:
        raise HotlineError(
            "comment_required", _("Say what is wrong, for the owner to fix."), field="comment"
        )
    return KnowledgeFeedback.objects.create(
        item=item,
        version_id=item.published_id,
        by=by,
        at=now or timezone.now(),
        is_helpful=is_helpful,
        comment=comment,
    )


def coverage(query: str, matched) -> float:
    """Share of the query's words that the best title contains (1.0 for all of them)."""
    asked = set(words(query))
    return round(len(asked & set(matched)) / len(asked), 3) if asked else 0.0


def log_search(query: str, found, by, source: str, now=None) -> KnowledgeSearch | None:
    """Keep a typed search and how well it was answered; personal data is masked first."""
    query = " ".join((query or "").replace("\x00", " ").split())  # PostgreSQL refuses NUL
    if not query:
        return None
    text = mask(query)[:200]
    return KnowledgeSearch.objects.create(
        query=text,
        key=fold(text)[:200],
        by=by if by is not None and by.is_authenticated else None,
        at=now or timezone.now(),
        source=source,
        results=min(len(found), 32767),
        coverage=coverage(query, found[0].matched) if found else 0.0,
    )


@dataclass
class UsageReport:
    since: datetime
    most_used: list = field(default_factory=list)  # items with .uses, .last_used
    never_used: list = field(default_factory=list)
    stale: list = field(default_factory=list)  # expired, expiring or not revised for a year
    gaps: list = field(default_factory=list)  # {"key", "query", "times", "results"}
    wrong: list = field(default_factory=list)  # items with .wrong, .helpful counts
    uses: int = 0
    first_hits: int = 0  # uses of the first suggestion
    top5_hits: int = 0
    direct: int = 0  # orders resolved directly in the period
    direct_with_knowledge: int = 0


def report(now: datetime | None = None, days: int = 30, limit: int = 20) -> UsageReport:
    """The usage of the last ``days``, for the knowledge editors (知识库运营)."""
    from hotline.orders.models import Closure, WorkOrder

    now = now or timezone.now()
    since = now - timedelta(days=days)
    result = UsageReport(since=since)
    recent = Q(uses__at__gte=since)
    published = KnowledgeItem.objects.filter(status=SEARCHABLE).select_related(
        "published", "owner_unit"
    )
    result.most_used = list(
        published.annotate(times=Count("uses", filter=recent), last_used=Max("uses__at"))
        .filter(times__gt=0)
        .order_by("-times")[:limit]
    )
    result.never_used = list(
        published.filter(created_at__lt=since)
        .annotate(times=Count("uses"))
        .filter(times=0)
        .order_by("created_at")[:limit]
    )
    today = timezone.localdate(now)
    result.stale = list(
        KnowledgeItem.objects.filter(
            Q(status=KnowledgeItem.Status.EXPIRED)
            | Q(status=SEARCHABLE, valid_until__lte=today + timedelta(days=30))
            | Q(status=SEARCHABLE, updated_at__lt=now - STALE_AFTER)
        )
        .select_related("published", "owner_unit")
        .order_by("valid_until", "updated_at")[:limit]
    )
    searches = KnowledgeSearch.objects.filter(at__gte=since)
    result.gaps = list(
        searches.filter(coverage__lt=GOOD_COVERAGE)
        .values("key")
        .annotate(times=Count("id"), query=Max("query"), results=Max("results"))
        .order_by("-times", "key")[:limit]
    )
    result.wrong = list(
        KnowledgeItem.objects.annotate(
            wrong=Count("feedback", filter=Q(feedback__at__gte=since, feedback__is_helpful=False)),
            helpful=Count("feedback", filter=Q(feedback__at__gte=since, feedback__is_helpful=True)),
        )
        .filter(wrong__gt=0)
        .select_related("published", "owner_unit")
        .order_by("-wrong")[:limit]
    )
    uses = KnowledgeUse.objects.filter(at__gte=since)
    counts = uses.aggregate(
        n=Count("id"), first=Count("id", filter=Q(rank=1)), top5=Count("id", filter=Q(rank__lte=5))
    )
    result.uses, result.first_hits, result.top5_hits = counts["n"], counts["first"], counts["top5"]
    direct = WorkOrder.objects.filter(closure=Closure.DIRECT, registered_at__gte=since)
    result.direct = direct.count()
    result.direct_with_knowledge = uses.filter(order__in=direct).values("order").distinct().count()
    return result

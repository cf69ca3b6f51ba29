"""Background jobs of the knowledge base."""

from __future__ import annotations

from django_tasks import task


@task()
def expire_items() -> int:
    """Take published items past their validity out of search; returns how many."""
    from .service import expire_due

    return expire_due()

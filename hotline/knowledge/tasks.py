"""Background jobs of the knowledge base."""

from __future__ import annotations

from django_tasks import task


@task()
def expire_items() -> int:
    """Take published items past their validity out of search, and remind the owners of
    those about to expire; returns how many expired."""
    from .service import expire_due, remind_expiring

    remind_expiring()
    return expire_due()

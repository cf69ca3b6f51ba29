"""Background jobs of intake: training the classifiers without holding a web request, and
registering the orders of batch channel messages."""

from __future__ import annotations

import logging

from django_tasks import task

log = logging.getLogger(__name__)


@task()
def train_models(by: str = "worker") -> int | None:
    """``hotline train`` in the worker; returns the new version, or None when the history is
    still too small (logged, not an error: a new city has no closed orders yet)."""
    from .training import train_from_history

    try:
        version = train_from_history(show_progress=False, by=by)
    except ValueError as error:
        log.info("intake models not trained: %s", error)
        return None
    return version.number


@task()
def register_message(message_id: int) -> str | None:
    """Register the order of a batch channel message (an Open311 batch service); returns
    the order number, or None when it was registered before or refused (kept on it)."""
    from .channels import register_pending

    order = register_pending(message_id)
    return order.number if order else None

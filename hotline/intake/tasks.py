"""Background jobs of intake: training the classifiers without holding a web request."""

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

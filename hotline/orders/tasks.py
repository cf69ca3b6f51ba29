"""Background jobs that act on orders, through Django's task API.

The deadline sweep is enqueued every ``HOTLINE_SWEEP_INTERVAL`` seconds by the worker
(``hotline worker``); in the embedded default the queue is the database, so no broker is
needed, and production can move it to Celery or RQ by changing ``TASKS_BACKEND``.
"""

from __future__ import annotations

import logging

from django_tasks import task

from . import service

log = logging.getLogger("hotline.orders")


@task()
def sweep_deadlines() -> int:
    """Send due-soon reminders, mark overdue orders and escalate (提醒 → 催办 → 督办)."""
    try:
        done = service.sweep()
    except Exception:
        log.exception("the deadline sweep failed")
        raise
    if done:
        log.info("deadline sweep: %s reminders, urgings and supervisions", done)
    return done

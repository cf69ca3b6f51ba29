"""Background jobs that act on orders, through Django's task API.

The deadline sweep is enqueued every ``HOTLINE_SWEEP_INTERVAL`` seconds by the worker
(``hotline worker``); in the embedded default the queue is the database, so no broker is
needed, and production can move it to Celery or RQ by changing ``TASKS_BACKEND``.
"""

from __future__ import annotations

from django_tasks import task

from . import service


@task()
def sweep_deadlines() -> int:
    """Send due-soon reminders, mark overdue orders and escalate (提醒 → 催办 → 督办)."""
    return service.sweep()

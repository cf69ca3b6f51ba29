"""The embedded task queue: the sweep is enqueued in the database and run by the worker."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from hotline.orders.lifecycle import Escalation
from hotline.orders.tasks import sweep_deadlines
from tests.factories import at, order_in

pytestmark = pytest.mark.django_db(transaction=True)  # the worker closes connections


def test_sweep_goes_through_the_database_queue_and_the_worker(city, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    order = order_in(city, "accepted", now=at("2026-11-02 10:00"), request_type="consultation")
    result = sweep_deadlines.enqueue()
    assert DBTaskResult.objects.filter(id=result.id, status="READY").exists()
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    order.refresh_from_db()
    assert order.escalation == Escalation.SUPERVISED
    assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"

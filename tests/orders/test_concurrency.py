"""Two dispatchers act on one order at the same moment: one wins, the other gets a conflict."""

import threading

import pytest
from django.db import connection

from hotline.errors import Conflict
from hotline.orders import service
from hotline.orders.models import OrderEvent, WorkOrder
from tests.factories import make_city, register

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip(
            "concurrency is tested on PostgreSQL (set DATABASE_URL); SQLite serialises writes"
        )


def test_two_dispatchers_at_once_give_one_winner():
    c = make_city()
    number = register(c).number
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def dispatch(user, unit):
        from django.db import connections

        try:
            order = WorkOrder.objects.get(number=number)  # both read version 1
            barrier.wait(timeout=10)
            service.transition(order, "dispatch", user, lead_unit=unit)
            outcomes.append("won")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    from tests.factories import make_user

    second = make_user("dispatcher2", "dispatcher")
    threads = [
        threading.Thread(target=dispatch, args=(c.dispatcher, "cgj")),
        threading.Thread(target=dispatch, args=(second, "zjj")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "won"]
    order = WorkOrder.objects.get(number=number)
    assert order.version == 2
    assert OrderEvent.objects.filter(order=order, action="dispatch").count() == 1


def test_numbers_stay_unique_under_concurrent_registration():
    c = make_city()
    numbers: list[str] = []

    def register_many():
        from django.db import connections

        try:
            for _ in range(10):
                numbers.append(register(c).number)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(numbers) == 40 and len(set(numbers)) == 40

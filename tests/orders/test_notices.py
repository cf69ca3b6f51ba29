"""Escalation notices reach the lead unit, and only it."""

import pytest

from hotline.orders import service
from tests.factories import at, order_in
from tests.orders.test_api import Api

pytestmark = pytest.mark.django_db


def test_unit_reads_its_notices_and_marks_them_read(city):
    order_in(city, "accepted", now=at("2026-11-02 10:00"), request_type="consultation")
    service.sweep(now=at("2026-11-20 09:00"))
    mine = Api(city.handler_cgj).get("/notices", unread=True).json()
    assert [n["level"] for n in sorted(mine, key=lambda n: n["level"])] == [1, 2, 3]
    assert Api(city.handler_zjj).get("/notices").json() == []
    read = Api(city.handler_cgj).post(f"/notices/{mine[0]['id']}/read").json()
    assert read["read_at"] is not None
    assert len(Api(city.handler_cgj).get("/notices", unread=True).json()) == 2
    assert Api(city.handler_zjj).post(f"/notices/{mine[0]['id']}/read").status_code == 404
    assert len(Api(city.supervisor).get("/notices").json()) == 3

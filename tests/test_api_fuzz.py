"""Property-based bad input against the whole JSON API (schemathesis): never a 5xx.

Every operation of /api/openapi.json gets generated requests, valid and invalid, as an
authenticated dispatcher; each answer must be below 500 and, if an error, the structured
error body.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from hotline.orgs.models import ApiToken
from hotline.wsgi import application
from tests.factories import make_city, order_in

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Like Django's test client: requests must not close the test's open transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db):
    city = make_city()
    order_in(city, "accepted")
    _token, key = ApiToken.issue(city.supervisor, "fuzz")
    return key


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_never_answers_with_a_server_error(case, token):
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
    if response.status_code >= 400 and "json" in response.headers.get("Content-Type", ""):
        assert "error" in response.json(), response.text[:300]

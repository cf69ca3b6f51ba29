"""Property-based bad input against the whole JSON API (schemathesis): never a 5xx.

Every operation of /api/openapi.json gets generated requests, valid and invalid, as an
authenticated dispatcher; each answer must be below 500 and, if an error, the structured
error body.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from hotline.orgs.models import ApiToken
from hotline.wsgi import application
from tests.factories import make_city, order_in
from tests.fuzzing import content_type_of, keep_the_test_connection  # noqa: F401

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


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
    content_type = content_type_of(response)
    if response.status_code >= 400 and "json" in content_type:
        assert "error" in response.json(), response.text[:300]

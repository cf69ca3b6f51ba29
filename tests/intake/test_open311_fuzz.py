"""Property-based bad input against every Open311 route (schemathesis, from the server's
own /open311/v2/openapi.json): never a 5xx, and every refusal is the spec's error list."""

import json
from xml.etree import ElementTree

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from hotline.intake import clients
from hotline.intake.models import OnlineService, ServiceAttribute
from hotline.wsgi import application
from tests.factories import make_city, order_in
from tests.fuzzing import content_type_of, keep_the_test_connection  # noqa: F401

schema = schemathesis.openapi.from_wsgi("/open311/v2/openapi.json", application)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture
def key(db, settings):
    settings.HOTLINE_OPEN311_RATE_PER_ADDRESS = 0
    city = make_city()
    order_in(city, "closed", channel="open311")
    service = OnlineService.objects.create(category=city.noise)
    ServiceAttribute.objects.create(
        service=service, code="floors", datatype="number", description="楼层"
    )
    _client, key = clients.issue("fuzz", rate_per_minute=0)
    return key


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_open311_never_answers_with_a_server_error(case, key):
    if isinstance(case.body, dict) and case.body.get("api_key") is not None:
        case.body["api_key"] = key  # a valid key reaches the checks behind it
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
    if response.status_code >= 400:
        if "json" in content_type_of(response):
            errors = json.loads(response.text)
            assert errors[0]["code"] == response.status_code, response.text[:300]
        else:
            root = ElementTree.fromstring(response.content)
            assert root.tag == "errors", response.text[:300]

"""What the schemathesis tests share: the test's database connection kept across requests,
and the content type of an answer."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Like Django's test client: requests must not close the test's open transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def content_type_of(response) -> str:
    """schemathesis gives headers as lists under lower-case names."""
    headers = {name.lower(): value for name, value in response.headers.items()}
    value = headers.get("content-type", "")
    return " ".join(value) if isinstance(value, list) else value

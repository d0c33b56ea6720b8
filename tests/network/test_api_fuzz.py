"""Generated requests against the OpenAPI document: never a 500, always the documented shape."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from teranga.network.services import network_load

app = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def loaded(db):
    network_load()
    # As Django's test client does: the WSGI handler would otherwise close the connection
    # (and with it the test's transaction) after each request.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_answers_generated_requests_as_documented(case, loaded):
    # The WSGI transport does not decompress; gzip is covered by the page tests and the bench.
    case.call_and_validate(headers={"Accept-Encoding": "identity"})

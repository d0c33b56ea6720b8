"""Generated requests against the OpenAPI document: never a 500, always the documented shape."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from teranga.network.services import network_load

app = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def loaded(db):
    network_load()


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_answers_generated_requests_as_documented(case, loaded):
    # The WSGI transport does not decompress; gzip is covered by the page tests and the bench.
    case.call_and_validate(headers={"Accept-Encoding": "identity"})

"""Property-based tests against the published OpenAPI schema: for generated
requests to every operation, no server error and no response that breaks the
schema (status codes, content types, bodies, headers)."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from registry.wsgi import application
from tests.api.conftest import make_user

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 25
# "Schema-valid data must be accepted" is left out: a string that names no
# department is valid by the schema yet rightly answered 400 with a message.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# Routes owned by the comparison engineer are tested in their own suite.
OTHER_AREAS = ("/api/v1/compare/", "/api/v1/insights/")


@pytest.fixture
def keep_test_connection():
    """Django's own test client stops each request from closing the database
    connection (the test's transaction lives on it); schemathesis calls the WSGI
    app directly, so do the same here."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def api_schema(db, keep_test_connection):
    return schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@pytest.fixture
def auth_header(db):
    user = make_user("schemathesis")
    return {"Authorization": f"Token {Token.objects.create(user=user).key}"}


def operations(schema):
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(OTHER_AREAS):
            yield operation


@pytest.mark.parametrize("authenticated", [False, True])
def test_api_conforms_to_its_schema(api_schema, auth_header, authenticated):
    headers = auth_header if authenticated else {}
    checked = []
    for operation in operations(api_schema):

        @settings(
            max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call(headers=headers)
            case.validate_response(response, headers=headers, checks=CHECKS)

        run()
        checked.append(operation.label)
    assert len(checked) >= 15, checked

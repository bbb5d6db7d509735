import functools
import json
import os

from django.core.cache import cache
from django.test import Client, override_settings

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from openapi_core.exceptions import OpenAPIError
from openapi_core.templating.paths.exceptions import OperationNotFound
from rest_framework.test import APIClient

from ideabox.views import api_not_found
from tests import factories
from tests.factories import UserFactory, employee

# The fault tests start real worker processes and Redis servers, the browser
# tests a web server, a worker, the scheduler and Chromium: each runs on its
# own, under its own settings (`make faults`, `make e2e`), not in `make test`.
collect_ignore = [
    folder
    for folder, settings_module in (("faults", "ideabox.settings.faults"), ("e2e", "ideabox.settings.e2e"))
    if os.environ.get("DJANGO_SETTINGS_MODULE") != settings_module
]


@pytest.fixture(autouse=True)
def _empty_cache():
    # Rate limits (allauth's, the API's) count in the cache: each test starts afresh.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def participant(db):
    return UserFactory()


@pytest.fixture
def an_employee(db):
    return employee()


@pytest.fixture
def company_employee(db):
    """An employee by a recent company sign-in, not by address."""
    return factories.company_employee()


@pytest.fixture
def company_leaver(db):
    """Signed in through the company longer ago than SSO_EMPLOYEE_MAX_AGE_DAYS."""
    return factories.company_leaver()


@pytest.fixture
def moderator(db):
    return UserFactory(groups=["moderators"])


@pytest.fixture
def manager(db):
    return UserFactory(groups=["campaign managers"])


@pytest.fixture
def administrator(db):
    return UserFactory(is_superuser=True, is_staff=True)


# --- every API response the tests receive is what /api/schema/ says ----------------
# The schema is generated once per run, from /api/schema/ as it is served, and
# every answer a test client gets under /api/v1/ is checked against it: its
# status is documented for its operation, and its content type and body are the
# documented ones. So what the API sends cannot drift from what it documents.

API_PREFIX = "/api/v1/"

# Answers known to differ from the schema while their owners convert their
# endpoints to output serializers: (method, path as in the schema, status) ->
# why. Remove an entry once its endpoint sends what it documents.
KNOWN_DRIFT: dict[tuple[str, str, int], str] = {}


class _OpenAPIRequest(DjangoOpenAPIRequest):
    # A response is found in the schema by its address and method; the
    # request's body is not needed, and may have been read already (an upload).
    @property
    def body(self) -> bytes:
        return b""


def _nullable_refs(node):
    """drf-spectacular writes "this component or null" as
    `{"allOf": [{"$ref": ...}], "nullable": true}`. OpenAPI 3.0.3 clarifies
    that `nullable` cannot relax what `allOf` requires, and
    openapi-schema-validator reads it so (python-openapi/openapi-schema-validator
    issue 220), refusing every null. The same meaning, in the form the
    validator reads: `{"anyOf": [{"$ref": ...}, null]}`."""
    if isinstance(node, list):
        return [_nullable_refs(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable_refs(value) for key, value in node.items()}
    if node.get("nullable") and len(node.get("allOf", ())) == 1:
        node["anyOf"] = [*node.pop("allOf"), {"nullable": True, "enum": [None]}]
        del node["nullable"]
    return node


@functools.cache
def _openapi() -> OpenAPI:
    with override_settings(ROOT_URLCONF="ideabox.urls"):
        served = Client().get("/api/schema/", {"format": "json"})
    assert served.status_code == 200, served
    # Its validity as OpenAPI is tests/ideabox/test_schema.py's to check, once:
    # checked here too, it would cost every test run about a second.
    return OpenAPI.from_dict(_nullable_refs(json.loads(served.content)), config=Config(spec_validator_cls=None))


def _why(error: BaseException) -> str:
    """The error's first line, then each place in the body that differs."""
    schema_errors = getattr(error.__cause__, "schema_errors", None) or ()
    places = [f"{e.json_path}: {e.message[:200]}" for e in schema_errors]
    return "; ".join([str(error).splitlines()[0][:200], *places])


def _schema_problem(response) -> str | None:
    """What in `response` its operation's schema does not say, or None."""
    request = response.wsgi_request
    if not request.path.startswith(API_PREFIX) or request.method in ("HEAD", "OPTIONS"):
        return None  # not the API; or no body, and not listed by drf-spectacular
    if request.resolver_match is None or request.resolver_match.func is api_not_found:
        return None  # no endpoint at this address: the catch-all JSON 404
    openapi_request = _OpenAPIRequest(request)
    # drf-spectacular names a `pk` parameter `id` (SCHEMA_COERCE_PATH_PK).
    path = openapi_request.path_pattern.replace("{pk}", "{id}")
    if (request.method, path, response.status_code) in KNOWN_DRIFT:
        return None
    try:
        _openapi().validate_response(openapi_request, DjangoOpenAPIResponse(response))
    except OperationNotFound:
        if 400 <= response.status_code < 500:
            return None  # a method the endpoint does not take (405, or CSRF's 403 before it)
        return "the schema has no such operation"
    except OpenAPIError as error:
        return _why(error)
    return None


@pytest.fixture(autouse=True, scope="session")
def _responses_match_the_schema():
    # Every test client (Django's Client, DRF's APIClient) sends through Client.request.
    original = Client.request

    def request(self, **kwargs):
        response = original(self, **kwargs)
        problem = _schema_problem(response)
        if problem:
            sent = f"{response.wsgi_request.method} {response.wsgi_request.get_full_path()} -> {response.status_code}"
            pytest.fail(f"{sent} is not what /api/schema/ says: {problem}", pytrace=False)
        return response

    Client.request = request
    yield
    Client.request = original


def pytest_collection_modifyitems(items):
    # A transactional test empties the database when it ends, taking with it
    # what the migrations made (the role groups, the idea box). Serialized
    # rollback puts that back before each of them, whatever ran before.
    for item in items:
        marker = item.get_closest_marker("django_db")
        wanted = "django_db_serialized_rollback"
        if marker and marker.kwargs.get("transaction") and wanted not in item.fixturenames:
            item.fixturenames.append(wanted)

"""The API's schema is what it sends: the check every API test goes through
(tests/conftest.py) catches a body or a status the schema does not document,
and the schema covers every API address, each refusal in the error format."""

import json
import re

from django.test import Client
from django.urls import URLPattern, URLResolver

import pytest
from openapi_spec_validator import validate

from ideabox.api import refusals
from ideabox.exceptions import STATUS_BY_CODE
from ideabox.urls import api_v1
from tests.conftest import _schema_problem
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def served() -> dict:
    return json.loads(Client().get("/api/schema/", {"format": "json"}).content)


def _campaign_response(api_client):
    campaign = CampaignFactory(slug="checked")
    response = api_client.get(f"/api/v1/campaigns/{campaign.slug}/")
    assert response.status_code == 200
    assert _schema_problem(response) is None
    return response


def test_a_body_that_differs_from_its_schema_is_caught(api_client):
    response = _campaign_response(api_client)
    body = response.json()
    body["phase"] = 3
    response.content = json.dumps(body).encode()
    assert "$.phase" in _schema_problem(response)


def test_a_field_missing_from_a_body_is_caught(api_client):
    response = _campaign_response(api_client)
    body = response.json()
    del body["actual_dates"]
    response.content = json.dumps(body).encode()
    assert "actual_dates" in _schema_problem(response)


def test_a_status_the_schema_does_not_document_is_caught(api_client):
    response = _campaign_response(api_client)
    response.status_code = 409
    assert "409" in _schema_problem(response)


def test_a_refusal_not_in_the_error_format_is_caught(api_client):
    response = api_client.get("/api/v1/campaigns/nothing-here/")
    assert response.status_code == 404
    response.content = json.dumps({"error": "not found"}).encode()
    assert _schema_problem(response)


def test_the_served_schema_is_valid_openapi_3_0_3(served):
    assert served["openapi"] == "3.0.3"
    validate(served)


def _routes(patterns, prefix: str = "") -> list[str]:
    routes = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            routes += _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and str(pattern.pattern):
            routes.append(prefix + str(pattern.pattern))
    return routes


def test_every_api_address_is_in_the_schema(served):
    documented = set(served["paths"])
    # drf-spectacular names a `pk` parameter `id` (SCHEMA_COERCE_PATH_PK).
    routes = {
        "/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route).replace("{pk}", "{id}") for route in _routes(api_v1)
    }
    assert routes, "no API route found"
    assert routes - documented == set()


def test_every_documented_refusal_has_the_error_body(served):
    error = {"$ref": "#/components/schemas/Error"}
    for path, operations in served["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == error, (method, path, status)


def test_every_documented_refusal_is_generated_from_the_error_code_table(served):
    for path, operations in served["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if not status.startswith(("4", "5")):
                    continue
                codes = re.findall(r"`(\w+)`: ", response["description"])
                assert codes, (method, path, status, "no code named")
                assert {STATUS_BY_CODE[code] for code in codes} == {int(status)}, (method, path, status)
                assert response["description"] == str(refusals(*codes)[int(status)].description), (method, path)


def test_refusals_are_grouped_by_status_each_code_with_its_meaning():
    documented = refusals("not_found", "invalid", "rules_locked", "invalid_transition", "not_found")
    assert sorted(documented) == [400, 404, 409]
    assert str(documented[404].description) == "`not_found`: no such thing, or not visible to the caller."
    conflicts = str(documented[409].description)
    assert conflicts.startswith("`rules_locked`: ") and "`invalid_transition`: " in conflicts

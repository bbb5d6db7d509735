"""Every refusal in one format, whatever raised it."""

from django.urls import path

import pytest
from rest_framework.response import Response
from rest_framework.views import APIView

from ideabox.exceptions import STATUS_BY_CODE, DomainError
from ideabox.urls import urlpatterns as site_urls

pytestmark = pytest.mark.django_db


class Refuses(APIView):
    authentication_classes = []
    permission_classes = []

    def get(self, request, code):
        raise DomainError(code)


class Crashes(APIView):
    authentication_classes = []
    permission_classes = []

    def get(self, request):
        raise RuntimeError("a bug")


class Accepts(APIView):
    authentication_classes = []
    permission_classes = []

    def get(self, request):
        return Response({"ok": True})


def crashing_page(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("test/crash/", crashing_page),
    path("api/test/refuse/<str:code>/", Refuses.as_view()),
    path("api/test/crash/", Crashes.as_view()),
    path("api/test/ok/", Accepts.as_view()),
    *site_urls,
]
handler404 = "ideabox.views.page_not_found"
handler500 = "ideabox.views.server_error"


@pytest.fixture(autouse=True)
def _urls(settings):
    settings.ROOT_URLCONF = __name__


# Each code's status as the API conventions promise it (PRODUCT.md's core
# codes, the README's error-code table for the rest), written out here rather
# than read from ideabox.exceptions: a change of status there must fail here.
PROMISED_STATUS = {
    "invalid": 400,
    "not_authenticated": 401,
    "authentication_failed": 401,
    "permission_denied": 403,
    "not_allowed": 403,
    "own_idea": 403,
    "company_sign_in_required": 403,
    "email_unverified": 403,
    "not_found": 404,
    "not_voted": 404,
    "method_not_allowed": 405,
    "not_acceptable": 406,
    "already_voted": 409,
    "vote_limit_reached": 409,
    "voting_closed": 409,
    "submission_closed": 409,
    "invalid_transition": 409,
    "results_not_published": 409,
    "rules_locked": 409,
    "coauthors_locked": 409,
    "jury_locked": 409,
    "jury_closed": 409,
    "conflict_declared": 409,
    "already_awarded": 409,
    "awards_undecided": 409,
    "awards_closed": 409,
    "already_moved": 409,
    "entity_in_use": 409,
    "invalid_csv": 400,
    "conflict": 409,
    "unsupported_media_type": 415,
    "throttled": 429,
    "server_error": 500,
}


def test_every_code_has_its_promised_status_here():
    assert set(STATUS_BY_CODE) == set(PROMISED_STATUS)


@pytest.mark.parametrize("code", sorted(PROMISED_STATUS))
def test_a_domain_error_becomes_its_status_and_code(client, code):
    response = client.get(f"/api/test/refuse/{code}/")
    assert response.status_code == PROMISED_STATUS[code]
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]


def test_a_domain_error_with_fields_keeps_them():
    error = DomainError("invalid", "Bad.", fields={"title": ["Too long."]})
    from ideabox.api import exception_handler

    response = exception_handler(error, {})
    assert response.status_code == 400
    assert response.data == {"code": "invalid", "detail": "Bad.", "fields": {"title": ["Too long."]}}


def test_an_unknown_code_is_a_programming_error():
    with pytest.raises(ValueError):
        DomainError("no_such_code")


def test_an_unknown_api_address_is_a_json_404(client):
    response = client.get("/api/v1/does-not-exist/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_a_bug_under_the_api_is_a_json_500_without_details(client):
    client.raise_request_exception = False
    response = client.get("/api/test/crash/")
    assert response.status_code == 500
    assert response.json() == {"code": "server_error", "detail": "Something went wrong on our side."}


def test_a_bug_on_a_page_is_an_html_500(client):
    client.raise_request_exception = False
    response = client.get("/test/crash/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert "Something went wrong" in response.content.decode()

"""The entities API (/api/v1/entities/): who reads, who writes, what it
answers, the import, and a list whose queries do not grow with the tree."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
from rest_framework.test import APIClient

from accounts import entities
from accounts.models import AuditAction, AuditEvent, Entity
from tests.factories import ROLES_WITH_COMPANY, UserFactory, answers_as, user_with_role

pytestmark = pytest.mark.django_db

LIST = "/api/v1/entities/"
IMPORT = "/api/v1/entities/import/"
ROLES = (*ROLES_WITH_COMPANY, "administrator")
READERS = {"employee", "moderator", "manager", "administrator"}


def detail(entity) -> str:
    return f"/api/v1/entities/{entity.pk}/"


def client_as(role: str) -> APIClient:
    client = APIClient()
    user = UserFactory(is_superuser=True, is_staff=True) if role == "administrator" else user_with_role(role)
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def tree():
    company = entities.create_entity(actor=None, name="Acme", code="acme", kind="company", headcount=1000)
    sales = entities.create_entity(actor=None, name="Sales", code="sales", kind="division", parent=company)
    retail = entities.create_entity(
        actor=None, name="Retail", code="sales-retail", kind="department", parent=sales, headcount=40
    )
    return company, sales, retail


def expected_refusal(role: str) -> int:
    return 401 if role == "visitor" else 403


@pytest.mark.parametrize("role", ROLES)
def test_employees_and_staff_read_the_entities_and_nobody_else(tree, role):
    _company, _sales, retail = tree
    client = client_as(role)
    listing = client.get(LIST)
    one = client.get(detail(retail))
    if answers_as(role) in READERS:
        assert listing.status_code == 200
        assert [entry["code"] for entry in listing.json()["results"]] == ["acme", "sales-retail", "sales"]
        assert one.json() == {
            "id": retail.pk,
            "code": "sales-retail",
            "name": "Retail",
            "kind": "department",
            "parent": retail.parent_id,
            "headcount": 40,
            "path": ["Acme", "Sales", "Retail"],
        }
    else:
        assert (listing.status_code, one.status_code) == (expected_refusal(role),) * 2
        assert listing.json()["code"] in {"not_authenticated", "permission_denied"}


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_change_the_entities(tree, role):
    company, sales, retail = tree
    client = client_as(role)
    created = client.post(LIST, {"name": "Legal", "code": "legal", "kind": "department", "parent": company.pk})
    changed = client.patch(detail(retail), {"headcount": 41}, format="json")
    unused = Entity.objects.create(name="Old", code="old", kind="department")
    deleted = client.delete(detail(unused))
    imported = client.post(IMPORT, "code,name,kind\nhq,HQ,company\n", content_type="text/csv")
    if role == "administrator":
        assert (created.status_code, changed.status_code, deleted.status_code, imported.status_code) == (
            201,
            200,
            204,
            200,
        )
        assert created.json()["path"] == ["Acme", "Legal"]
        assert changed.json()["headcount"] == 41
        assert imported.json() == {"created": 1, "updated": 0, "unchanged": 0}
    else:
        refused = expected_refusal(role)
        assert [r.status_code for r in (created, changed, deleted, imported)] == [refused] * 4
        assert not Entity.objects.filter(code__in=["legal", "hq"]).exists()
        assert Entity.objects.get(pk=retail.pk).headcount == 40
        assert Entity.objects.filter(pk=unused.pk).exists()


@pytest.fixture
def admin_client():
    return client_as("administrator")


def test_the_list_filters_by_kind_parent_and_search(tree, admin_client):
    company, sales, _retail = tree
    codes = lambda **query: [e["code"] for e in admin_client.get(LIST, query).json()["results"]]  # noqa: E731
    assert codes(kind="division") == ["sales"]
    assert codes(parent=sales.pk) == ["sales-retail"]
    assert codes(parent=company.pk) == ["sales"]
    assert codes(search="retail") == ["sales-retail"]
    response = admin_client.get(LIST, {"kind": "team"})
    assert (response.status_code, response.json()["code"]) == (400, "invalid")


def test_the_list_costs_the_same_queries_however_large_the_tree(tree, admin_client):
    company, sales, _retail = tree

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(LIST, {"page_size": 100}).status_code == 200
        return len(captured)

    queries()  # the caller's roles, read once per request object's user
    small = queries()
    for n in range(30):
        division = Entity.objects.create(name=f"Division {n}", code=f"d{n}", kind="division", parent=company)
        Entity.objects.create(name=f"Department {n}", code=f"d{n}-a", kind="department", parent=division)
    assert queries() == small


def test_a_bad_entity_is_refused_by_field(tree, admin_client):
    _company, sales, retail = tree
    response = admin_client.post(LIST, {"name": "Division", "code": "x y", "kind": "division", "parent": sales.pk})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == {"code", "parent"}
    response = admin_client.patch(detail(sales), {"parent": retail.pk}, format="json")
    assert (response.status_code, response.json()["fields"]) == (400, {"parent": ["An entity cannot be below itself."]})
    response = admin_client.patch(detail(sales), {"parent": 999999}, format="json")
    assert (response.status_code, list(response.json()["fields"])) == (400, ["parent"])
    response = admin_client.post(LIST, {"name": "Acme 2", "code": "acme", "kind": "company"})
    assert response.json()["fields"] == {"code": ["Another entity has this code."]}


def test_an_entity_in_use_is_not_deleted(tree, admin_client):
    _company, sales, retail = tree
    UserFactory(entity=retail)
    for entity in (sales, retail):
        response = admin_client.delete(detail(entity))
        assert (response.status_code, response.json()["code"]) == (409, "entity_in_use")
    assert admin_client.get("/api/v1/entities/999999/").status_code == 404


def test_writes_through_the_api_are_audited_with_the_caller(tree, admin_client):
    _company, _sales, retail = tree
    admin_client.patch(detail(retail), {"name": "Retail stores"}, format="json")
    event = AuditEvent.objects.get(action=AuditAction.ENTITY_UPDATE)
    assert event.detail == {"changed": ["name"]}
    assert event.actor_id is not None


# --- the import -------------------------------------------------------------------------

CSV = "code;name;kind;parent_code;headcount\nrd;R&D;division;acme;12\nrd-lab;Lab;department;rd;5\n"


def test_a_csv_body_is_imported(tree, admin_client):
    response = admin_client.post(IMPORT, CSV.encode(), content_type="text/csv; charset=utf-8")
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0}
    again = admin_client.post(IMPORT, CSV.encode(), content_type="text/csv")
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 2}


def test_a_csv_file_is_imported_from_a_form(tree, admin_client):
    upload = SimpleUploadedFile("entities.csv", ("\ufeff" + CSV).encode(), content_type="text/csv")
    response = admin_client.post(IMPORT, {"file": upload}, format="multipart")
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0}


def test_a_bad_csv_lists_its_lines(tree, admin_client):
    response = admin_client.post(
        IMPORT, "code,name,kind,parent_code\nok,OK,department,acme\nbad,Bad,division,nowhere\n", content_type="text/csv"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_csv"
    assert body["errors"] == [{"line": 3, "detail": "The parent nowhere is neither in the file nor known."}]
    assert not Entity.objects.filter(code="ok").exists()


def test_a_csv_that_is_not_utf8_is_refused_on_line_1(tree, admin_client):
    response = admin_client.post(
        IMPORT, "code,name,kind\nx,Société,company\n".encode("latin-1"), content_type="text/csv"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["line"] == 1


def test_an_import_without_a_file_or_in_json_is_refused(tree, admin_client):
    response = admin_client.post(IMPORT, {}, format="multipart")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    response = admin_client.post(IMPORT, {"file": "x"}, format="json")
    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")


def test_an_import_too_large_is_refused(tree, admin_client, monkeypatch):
    from accounts import entities_api

    monkeypatch.setattr(entities_api, "IMPORT_MAX_BYTES", 10)
    upload = SimpleUploadedFile("entities.csv", CSV.encode(), content_type="text/csv")
    response = admin_client.post(IMPORT, {"file": upload}, format="multipart")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    response = admin_client.post(IMPORT, CSV.encode(), content_type="text/csv")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert not Entity.objects.filter(code="rd").exists()


# --- a person's own entity --------------------------------------------------------------


def test_me_names_my_entity_with_its_path(tree):
    _company, _sales, retail = tree
    client = APIClient()
    client.force_authenticate(UserFactory(entity=retail))
    body = client.get("/api/v1/me/").json()
    assert body["entity"] == {
        "id": retail.pk,
        "code": "sales-retail",
        "name": "Retail",
        "path": ["Acme", "Sales", "Retail"],
    }

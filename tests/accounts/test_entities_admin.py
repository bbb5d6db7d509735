"""The entities in the Django admin: the list, the unplaced filter, edits
through the services (audited), the CSV import page, and a person's entity."""

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from accounts import entities
from accounts.models import AuditAction, AuditEvent, Entity, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/accounts/entity/"
IMPORT = "/admin/accounts/entity/import/"


@pytest.fixture
def tree():
    company = entities.create_entity(actor=None, name="Acme", code="acme", kind="company")
    sales = entities.create_entity(actor=None, name="Sales", code="sales", kind="division", parent=company)
    retail = entities.create_entity(actor=None, name="Retail", code="sales-retail", kind="department", parent=sales)
    return company, sales, retail


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def test_the_list_counts_members_in_a_flat_number_of_queries(admin_client, tree, django_assert_max_num_queries):
    _company, sales, retail = tree
    for _ in range(3):
        UserFactory(entity=retail)
    admin_client.get(LIST)  # warm
    with django_assert_max_num_queries(12) as captured:
        page = admin_client.get(LIST)
    small = len(captured)
    assert page.status_code == 200
    assert page.context["cl"].result_list.get(pk=retail.pk).member_count == 3
    for n in range(20):
        Entity.objects.create(name=f"Department {n}", code=f"dep-{n}", kind="department", parent=sales)
    with django_assert_max_num_queries(small):
        admin_client.get(LIST)


def test_the_unplaced_filter_lists_what_sign_in_created(admin_client, tree):
    entities.place_from_claim(UserFactory(), "Brand new team")
    page = admin_client.get(LIST, {"unplaced": "yes"})
    assert [entity.name for entity in page.context["cl"].result_list] == ["Brand new team"]


def test_creating_and_changing_an_entity_goes_through_the_services(admin_client, administrator, tree):
    _company, sales, _retail = tree
    response = admin_client.post(
        f"{LIST}add/", {"name": "Online", "code": "sales-online", "kind": "department", "parent": sales.pk}
    )
    assert response.status_code == 302
    online = Entity.objects.get(code="sales-online")
    assert AuditEvent.objects.get(action=AuditAction.ENTITY_CREATE, object_id=online.pk).actor_id == administrator.pk
    response = admin_client.post(
        f"{LIST}{online.pk}/change/",
        {"name": "Online shop", "code": "sales-online", "kind": "department", "parent": sales.pk, "headcount": 9},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.ENTITY_UPDATE, object_id=online.pk)
    assert (event.actor_id, event.detail) == (administrator.pk, {"changed": ["name", "headcount"]})


def test_a_refused_change_shows_on_the_form(admin_client, tree):
    _company, sales, retail = tree
    response = admin_client.post(
        f"{LIST}{sales.pk}/change/", {"name": "Sales", "code": "sales", "kind": "division", "parent": retail.pk}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"] == ["An entity cannot be below itself."]
    assert Entity.objects.get(pk=sales.pk).parent_id != retail.pk


def test_deleting_from_the_list_goes_through_the_service(admin_client, tree):
    _company, sales, _retail = tree
    unused = Entity.objects.create(name="Old", code="old", kind="department")
    response = admin_client.post(
        LIST, {"action": "delete_selected", "_selected_action": [unused.pk], "post": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert not Entity.objects.filter(pk=unused.pk).exists()
    assert AuditEvent.objects.filter(action=AuditAction.ENTITY_DELETE, object_id=unused.pk).exists()


def test_the_import_page_imports_and_says_how_many(admin_client, administrator, tree):
    assert admin_client.get(LIST).content.decode().count(IMPORT) == 1
    assert admin_client.get(IMPORT).status_code == 200
    upload = SimpleUploadedFile(
        "e.csv", b"code,name,kind,parent_code\nrd,R&D,division,acme\nsales,Sales,division,acme\n"
    )
    response = admin_client.post(IMPORT, {"file": upload}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Imported: 1 created, 0 updated, 1 unchanged."]
    assert AuditEvent.objects.get(action=AuditAction.ENTITY_IMPORT).actor_id == administrator.pk


def test_the_import_page_lists_the_bad_lines(admin_client, tree):
    upload = SimpleUploadedFile("e.csv", b"code,name,kind\nrd,R&D,team\n")
    response = admin_client.post(IMPORT, {"file": upload})
    assert response.status_code == 200
    assert response.context["line_errors"] == [
        {"line": 2, "detail": "The kind is company, division or department, not team."}
    ]
    assert "not team" in response.content.decode()
    upload = SimpleUploadedFile("e.csv", "code,name,kind\nx,Société,company\n".encode("latin-1"))
    response = admin_client.post(IMPORT, {"file": upload})
    assert response.context["form"].errors["file"]
    assert not Entity.objects.filter(code__in=["rd", "x"]).exists()


def test_the_import_page_is_for_administrators(client, tree):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(IMPORT).status_code == 403


def test_setting_a_persons_entity_in_the_admin_is_audited(admin_client, administrator, tree):
    _company, _sales, retail = tree
    person = UserFactory()
    form = {
        "username": person.username,
        "email": person.email,
        "is_active": "on",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "10:00:00",
        "initial-date_joined_0": "2025-01-01",
        "initial-date_joined_1": "10:00:00",
        "language": "",
        "display_name": "",
        "entity": retail.pk,
    }
    response = admin_client.post(f"/admin/accounts/user/{person.pk}/change/", form)
    assert response.status_code == 302
    assert User.objects.get(pk=person.pk).entity == retail
    event = AuditEvent.objects.get(action=AuditAction.PERSON_ENTITY)
    assert (event.actor_id, event.object_id, event.detail) == (
        administrator.pk,
        person.pk,
        {"entity": retail.pk, "previous": None},
    )
    admin_client.post(f"/admin/accounts/user/{person.pk}/change/", form)  # unchanged: nothing more
    assert AuditEvent.objects.filter(action=AuditAction.PERSON_ENTITY).count() == 1


def test_a_company_with_a_parent_is_refused_once_on_the_form(admin_client, tree):
    company, _sales, _retail = tree
    response = admin_client.post(f"{LIST}add/", {"name": "Sub", "code": "sub", "kind": "company", "parent": company.pk})
    form = response.context["adminform"].form
    assert form.errors == {"parent": ["A company is at the top: it has no parent."]}

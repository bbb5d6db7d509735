"""The entities' services (accounts.entities): what administrators do, each
refusal, and the CSV import."""

import pytest

from accounts import entities
from accounts.models import AuditAction, AuditEvent, Entity, User
from ideabox.exceptions import DomainError
from tests.factories import IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def tree(admin):
    company = entities.create_entity(actor=admin, name="Acme", code="acme", kind="company")
    sales = entities.create_entity(actor=admin, name="Sales", code="sales", kind="division", parent=company)
    retail = entities.create_entity(
        actor=admin, name="Retail", code="sales-retail", kind="department", parent=sales, headcount=120
    )
    return company, sales, retail


def refused_fields(call) -> dict:
    with pytest.raises(DomainError) as refusal:
        call()
    assert refusal.value.code == "invalid"
    return refusal.value.fields


# --- create, update -------------------------------------------------------------------


def test_creating_an_entity_is_audited(admin, tree):
    _company, _sales, retail = tree
    event = AuditEvent.objects.get(action=AuditAction.ENTITY_CREATE, object_id=retail.pk)
    assert event.actor_id == admin.pk
    assert retail.headcount == 120


@pytest.mark.parametrize(
    ("fields", "refused"),
    [
        ({"code": ""}, "code"),
        ({"code": "has space"}, "code"),
        ({"code": "-starts-with-dash"}, "code"),
        ({"code": "x" * 65}, "code"),
        ({"code": "sales"}, "code"),  # taken
        ({"name": "   "}, "name"),
        ({"kind": "team"}, "kind"),
        ({"headcount": -1}, "headcount"),
    ],
)
def test_a_bad_field_is_refused_by_name(admin, tree, fields, refused):
    arguments = {"name": "New", "code": "new", "kind": "department", **fields}
    assert refused in refused_fields(lambda: entities.create_entity(actor=admin, **arguments))
    assert not Entity.objects.filter(name="New").exists()


def test_codes_take_what_hr_systems_use(admin):
    entity = entities.create_entity(actor=admin, name="Lab", code="FR/RD_01.b-2", kind="department")
    assert entity.code == "FR/RD_01.b-2"


@pytest.mark.parametrize(
    ("kind", "parent_code", "allowed"),
    [
        ("company", "acme", False),
        ("company", "sales", False),
        ("division", "acme", True),
        ("division", "sales", False),
        ("division", "sales-retail", False),
        ("department", "acme", True),
        ("department", "sales", True),
        ("department", "sales-retail", False),
    ],
)
def test_kinds_go_down_the_tree(admin, tree, kind, parent_code, allowed):
    parent = Entity.objects.get(code=parent_code)

    def create():
        return entities.create_entity(actor=admin, name="New", code="new", kind=kind, parent=parent)

    if allowed:
        assert create().parent == parent
    else:
        assert "parent" in refused_fields(create)


def test_an_update_changes_what_is_given_and_says_which(admin, tree):
    company, sales, retail = tree
    entities.update_entity(actor=admin, entity=retail, name=" Retail  stores ", headcount=130, parent=company)
    retail.refresh_from_db()
    assert (retail.name, retail.headcount, retail.parent, retail.code) == (
        "Retail stores",
        130,
        company,
        "sales-retail",
    )
    event = AuditEvent.objects.filter(action=AuditAction.ENTITY_UPDATE).get()
    assert (event.actor_id, event.object_id) == (admin.pk, retail.pk)
    assert event.detail == {"changed": ["name", "parent", "headcount"], "parent": company.pk}


def test_an_update_that_changes_nothing_records_nothing(admin, tree):
    _company, sales, retail = tree
    entities.update_entity(actor=admin, entity=retail, name="Retail", parent=sales)
    assert not AuditEvent.objects.filter(action=AuditAction.ENTITY_UPDATE).exists()


def test_an_entity_cannot_go_below_itself(admin, tree):
    company, sales, retail = tree
    assert refused_fields(lambda: entities.update_entity(actor=admin, entity=sales, parent=sales)) == {
        "parent": ["An entity cannot be below itself."]
    }
    # Below its own child: a cycle, whatever the kinds would say.
    assert "parent" in refused_fields(lambda: entities.update_entity(actor=admin, entity=sales, parent=retail))
    assert Entity.objects.get(pk=sales.pk).parent == company


def test_a_kind_its_children_cannot_have_is_refused(admin, tree):
    _company, sales, _retail = tree
    fields = refused_fields(lambda: entities.update_entity(actor=admin, entity=sales, kind="department"))
    assert "kind" in fields or "parent" in fields
    assert Entity.objects.get(pk=sales.pk).kind == "division"


def test_a_company_with_a_parent_is_refused_by_the_service(admin, tree):
    company, sales, _retail = tree
    fields = refused_fields(lambda: entities.update_entity(actor=admin, entity=sales, kind="company"))
    assert fields == {"parent": ["A company is at the top: it has no parent."]}


def test_a_division_may_become_a_company_when_it_leaves_its_parent(admin, tree):
    _company, sales, retail = tree
    entities.update_entity(actor=admin, entity=sales, kind="company", parent=None)
    assert Entity.objects.get(pk=sales.pk).kind == "company"
    assert Entity.objects.get(pk=retail.pk).parent == sales


# --- delete ---------------------------------------------------------------------------


def in_use(call) -> str:
    with pytest.raises(DomainError) as refusal:
        call()
    return refusal.value.code


def test_an_entity_with_entities_below_is_not_deleted(admin, tree):
    _company, sales, _retail = tree
    assert in_use(lambda: entities.delete_entity(actor=admin, entity=sales)) == "entity_in_use"
    assert Entity.objects.filter(pk=sales.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.ENTITY_DELETE).exists()


def test_an_entity_with_members_is_not_deleted(admin, tree):
    _company, _sales, retail = tree
    UserFactory(entity=retail)
    assert in_use(lambda: entities.delete_entity(actor=admin, entity=retail)) == "entity_in_use"


def test_an_entity_ideas_came_from_is_not_deleted(admin, tree):
    _company, _sales, retail = tree
    IdeaFactory(entity=retail)
    assert in_use(lambda: entities.delete_entity(actor=admin, entity=retail)) == "entity_in_use"
    assert Entity.objects.filter(pk=retail.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.ENTITY_DELETE).exists()


def test_an_unused_entity_is_deleted_and_audited(admin, tree):
    _company, _sales, retail = tree
    pk = retail.pk
    entities.delete_entity(actor=admin, entity=retail)
    assert not Entity.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(action=AuditAction.ENTITY_DELETE)
    assert (event.actor_id, event.object_id, event.detail) == (admin.pk, pk, {"code": "sales-retail"})


# --- a person's entity ----------------------------------------------------------------


def test_an_administrator_sets_a_persons_entity(admin, tree):
    _company, sales, retail = tree
    person = UserFactory()
    entities.set_person_entity(actor=admin, user=person, entity=retail)
    entities.set_person_entity(actor=admin, user=person, entity=retail)  # again: nothing
    entities.set_person_entity(actor=admin, user=person, entity=None)
    assert User.objects.get(pk=person.pk).entity is None
    details = list(
        AuditEvent.objects.filter(action=AuditAction.PERSON_ENTITY).order_by("pk").values_list("actor_id", "detail")
    )
    assert details == [
        (admin.pk, {"entity": retail.pk, "previous": None}),
        (admin.pk, {"entity": None, "previous": retail.pk}),
    ]


# --- reads ----------------------------------------------------------------------------


def test_the_tree_lists_parents_first_in_one_query(admin, tree, django_assert_num_queries):
    company, sales, retail = tree
    alpha = entities.create_entity(actor=admin, name="Alpha", code="alpha", kind="division", parent=company)
    loose = entities.create_entity(actor=admin, name="Loose", code="loose", kind="department")
    with django_assert_num_queries(1):
        listed = entities.tree()
        paths = [[node.name for node in entity.path] for entity in listed]
    assert listed == [company, alpha, sales, retail, loose]
    assert paths[3] == ["Acme", "Sales", "Retail"]


def test_descendants_are_the_entity_and_everything_below(admin, tree):
    company, sales, retail = tree
    other = entities.create_entity(actor=admin, name="Other", code="other", kind="company")
    assert sorted(entities.descendant_ids(company)) == sorted([company.pk, sales.pk, retail.pk])
    assert sorted(entities.descendant_ids(sales)) == sorted([sales.pk, retail.pk])
    assert entities.descendant_ids(retail) == [retail.pk]
    assert entities.descendant_ids(other) == [other.pk]
    assert entities.division_of(retail) == sales
    assert entities.division_of(None) is None

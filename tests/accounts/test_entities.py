"""The company's entities: the model, and the placing of people by the company
sign-in's claim."""

from django.db import IntegrityError, connection, transaction

import pytest

from accounts import entities
from accounts.models import AuditAction, AuditEvent, Entity, User
from tests.concurrency import at_once
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def make(code: str, kind: str = "department", parent: Entity | None = None, **kwargs) -> Entity:
    return Entity.objects.create(code=code, name=kwargs.pop("name", code.title()), kind=kind, parent=parent, **kwargs)


@pytest.fixture
def tree():
    company = make("acme", "company", name="Acme")
    sales = make("sales", "division", company, name="Sales")
    retail = make("sales-retail", "department", sales, name="Retail")
    return company, sales, retail


# --- the model -------------------------------------------------------------------------


def test_a_company_cannot_have_a_parent(tree):
    company, _sales, _retail = tree
    with pytest.raises(IntegrityError), transaction.atomic():
        make("other", "company", company)


def test_two_entities_cannot_share_a_code(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        make("sales", "department")


def test_an_unknown_kind_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make("odd", "team")


def test_the_path_runs_from_the_top_down(tree):
    company, sales, retail = tree
    retail = Entity.objects.select_related("parent__parent").get(pk=retail.pk)
    assert retail.path == [company, sales, retail]
    assert company.path == [company]
    assert str(retail) == "Retail"


def test_the_division_of_an_entity(tree):
    company, sales, retail = tree
    assert retail.division == sales
    assert sales.division == sales
    assert company.division is None
    assert make("hq-legal", "department", company).division is None


def test_a_person_has_at_most_one_entity_and_it_cannot_vanish_under_them(tree):
    _company, _sales, retail = tree
    person = UserFactory()
    person.entity = retail
    person.save()
    assert list(retail.members.all()) == [person]
    with pytest.raises(IntegrityError), transaction.atomic():
        Entity.objects.filter(pk=retail.pk).delete()


# --- sign-in's claim -------------------------------------------------------------------


def entity_of(user) -> Entity | None:
    return User.objects.get(pk=user.pk).entity


def test_the_claim_names_an_entity_by_its_code(tree):
    person = UserFactory()
    entities.place_from_claim(person, "sales-retail")
    assert entity_of(person).code == "sales-retail"
    assert AuditEvent.objects.filter(action=AuditAction.PERSON_ENTITY, object_id=person.pk).count() == 1


def test_the_claim_names_an_entity_by_its_name_whatever_the_case(tree):
    person = UserFactory()
    entities.place_from_claim(person, "  RETAIL ")
    assert entity_of(person).code == "sales-retail"


def test_an_unknown_claim_makes_an_unplaced_department(tree):
    person = UserFactory()
    entities.place_from_claim(person, "Research & Development")
    created = entity_of(person)
    assert (created.name, created.kind, created.parent, created.code) == (
        "Research & Development",
        "department",
        None,
        "research-development",
    )
    event = AuditEvent.objects.get(action=AuditAction.ENTITY_CREATE)
    assert (event.actor_id, event.object_id, event.detail) == (None, created.pk, {"source": "sign-in"})
    # The next person with that claim joins it.
    other = UserFactory()
    entities.place_from_claim(other, "research & development")
    assert entity_of(other) == created
    assert Entity.objects.count() == 4


def test_a_new_department_gets_a_free_code(tree):
    make("retail-2", "department", name="Something else")
    person = UserFactory()
    entities.place_from_claim(person, "Retail!")  # slug "retail": free, as the code of Retail is sales-retail
    assert entity_of(person).code == "retail"
    make("finance", "department", name="Money")
    entities.place_from_claim(person, "finance")
    assert entity_of(person).name == "Money"  # by its code
    entities.place_from_claim(person, "Finance")  # no such code, no such name
    assert (entity_of(person).name, entity_of(person).code) == ("Finance", "finance-2")


def test_a_blank_claim_changes_nothing(tree):
    _company, _sales, retail = tree
    person = UserFactory(entity=retail)
    entities.place_from_claim(person, "   ")
    assert entity_of(person) == retail
    assert not AuditEvent.objects.exists()


def test_the_same_claim_again_writes_nothing(tree, django_assert_num_queries):
    person = UserFactory()
    entities.place_from_claim(person, "sales-retail")
    with django_assert_num_queries(1):
        entities.place_from_claim(person, "sales-retail")


def test_a_name_shared_by_two_entities_leaves_the_person_where_they_were(tree):
    _company, sales, retail = tree
    make("retail-b", "department", sales, name="retail")
    person = UserFactory(entity=retail)
    entities.place_from_claim(person, "Retail")
    assert entity_of(person) == retail
    assert Entity.objects.count() == 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_first_sign_ins_at_once_make_one_department():
    people = [UserFactory() for _ in range(4)]

    def sign_in(person):
        return lambda: entities.place_from_claim(person, "Brand new team")

    assert at_once(*[sign_in(person) for person in people], ok="ok") == ["ok"] * 4
    assert Entity.objects.filter(name="Brand new team").count() == 1
    created = Entity.objects.get(name="Brand new team")
    assert {entity_of(person) for person in people} == {created}
    assert AuditEvent.objects.filter(action=AuditAction.ENTITY_CREATE).count() == 1


# --- the profile page -------------------------------------------------------------------


def test_the_profile_shows_the_persons_entity_read_only(client, tree):
    from tests.factories import employee

    _company, _sales, retail = tree
    person = employee(entity=retail)
    client.force_login(person)
    page = client.get("/accounts/profile/").content.decode()
    assert "Acme › Sales › Retail" in page
    assert "Set by company sign-in or by an administrator." in page


def test_the_profile_of_a_member_of_the_public_names_no_entity(client):
    client.force_login(UserFactory())
    assert "Set by company sign-in" not in client.get("/accounts/profile/").content.decode()

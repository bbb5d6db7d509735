"""The demo's company (issue 12): a company, three divisions, eight
departments with their headcounts, the demo employees placed in them, and
the demo ideas counted where their authors work."""

from django.core.management import call_command

import pytest

from accounts import entities
from accounts.models import Entity, EntityKind, User
from campaigns.models import Audience, Kind
from ideabox import demo
from ideas.models import Idea

pytestmark = pytest.mark.django_db


def seed():
    call_command("seed_demo", verbosity=0, extra_ideas=0)


def test_the_demo_has_a_company_of_three_divisions_and_eight_departments_with_their_headcounts():
    seed()
    kinds = {kind: Entity.objects.filter(kind=kind) for kind in EntityKind.values}
    company = kinds[EntityKind.COMPANY].get()
    assert kinds[EntityKind.DIVISION].count() == 3
    assert set(kinds[EntityKind.DIVISION].values_list("parent", flat=True)) == {company.pk}
    departments = list(kinds[EntityKind.DEPARTMENT].select_related("parent"))
    assert len(departments) == 8
    assert {d.parent.kind for d in departments} == {EntityKind.DIVISION}
    assert all(d.headcount and d.headcount > 0 for d in departments)
    assert sum(d.headcount for d in departments) == 1200
    assert len(entities.descendant_ids(company)) == 12


def test_the_demo_employees_work_in_departments_and_the_public_in_none():
    seed()
    staff = User.objects.filter(email__endswith=f"@{demo.EMPLOYEE_DOMAIN}").select_related("entity")
    assert {user.username for user in staff} == set(demo.PLACES)
    assert {user.entity.kind for user in staff} == {EntityKind.DEPARTMENT}
    assert not User.objects.filter(email__endswith=f"@{demo.PUBLIC_DOMAIN}", entity__isnull=False).exists()


def test_the_demo_ideas_come_from_their_authors_entities():
    seed()
    internal = Idea.objects.filter(campaign__audience=Audience.INTERNAL).select_related("author")
    assert internal.filter(campaign__kind=Kind.BOX).count() == len(demo.BOX_IDEAS)
    assert all(idea.entity_id is not None and idea.entity_id == idea.author.entity_id for idea in internal)
    # The public campaigns' authors are the public: no entity.
    assert not Idea.objects.filter(campaign__audience=Audience.PUBLIC, entity__isnull=False).exists()


def test_seeding_twice_adds_no_entity_and_keeps_where_people_were_moved():
    seed()
    before = sorted(Entity.objects.values_list("code", "name", "kind", "parent__code", "headcount"))
    moved = User.objects.get(username="employee1")
    finance = Entity.objects.get(code="CORP-FIN")
    entities.set_person_entity(actor=None, user=moved, entity=finance)
    ideas = dict(Idea.objects.values_list("pk", "entity_id"))

    assert demo.ensure_entities() == 0
    seed()

    assert sorted(Entity.objects.values_list("code", "name", "kind", "parent__code", "headcount")) == before
    assert User.objects.get(username="employee1").entity == finance
    # Their ideas stay counted where they were written.
    assert dict(Idea.objects.values_list("pk", "entity_id")) == ideas

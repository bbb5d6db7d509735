"""The idea lists filtered by entity (`?entity=<id>`, the box page's select and
the API): the ideas from an entity and from every entity below it, each
idea found by the entity its reader is shown (Idea.entity_shown_to), so that
the filter never tells more about an anonymous idea than its page does."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
from rest_framework.test import APIClient

from accounts import entities
from accounts.models import Entity, EntityKind
from ideas.models import Idea
from tests.factories import IdeaFactory, UserFactory, employee, the_box
from tests.ideas.test_entity import make_tree, placed

pytestmark = pytest.mark.django_db

IDEA_LINK = re.compile(r'<h3><a href="/ideas/(\d+)/">')


def box_ideas(tree) -> dict[str, Idea]:
    """A named and an anonymous box idea from each entity of the tree, by
    "<entity> named|anonymous"; each written by an employee placed there."""
    box = the_box()
    ideas = {}
    for name, entity in tree.items():
        for anonymous in (False, True):
            author = placed(employee(), entity)
            idea = IdeaFactory(campaign=box, author=author, entity=entity, anonymous=anonymous)
            ideas[f"{name} {'anonymous' if anonymous else 'named'}"] = idea
    return ideas


def api_found(user, entity) -> set[int]:
    api = APIClient()
    api.force_authenticate(user)
    response = api.get(f"/api/v1/campaigns/{the_box().slug}/ideas/", {"entity": entity.pk})
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def page_found(client, user, entity) -> set[int]:
    client.force_login(user)
    response = client.get("/box/", {"entity": entity.pk})
    assert response.status_code == 200
    return {int(pk) for pk in IDEA_LINK.findall(response.content.decode())}


def names(ideas: dict[str, Idea], found: set[int]) -> set[str]:
    return {name for name, idea in ideas.items() if idea.pk in found}


def test_an_employee_finds_the_ideas_of_a_division_and_of_its_departments(client):
    tree = make_tree()
    ideas = box_ideas(tree)
    reader = employee()
    expected = {"division named", "division anonymous", "department named", "department anonymous"}
    assert names(ideas, api_found(reader, tree["division"])) == expected
    assert names(ideas, page_found(client, reader, tree["division"])) == expected


def test_asking_for_a_department_finds_none_of_its_anonymous_ideas_for_whoever_sees_only_the_division(client):
    tree = make_tree()
    ideas = box_ideas(tree)
    reader = employee()
    assert names(ideas, api_found(reader, tree["department"])) == {"department named"}
    assert names(ideas, page_found(client, reader, tree["department"])) == {"department named"}
    # The company: everything placed under it; the unplaced department's
    # anonymous idea shows no entity at all, so no entity finds it.
    assert names(ideas, api_found(reader, tree["company"])) == set(ideas) - {
        "unplaced named",
        "unplaced anonymous",
    }
    assert names(ideas, api_found(reader, tree["unplaced"])) == {"unplaced named"}


@pytest.mark.parametrize("role", ["moderator", "author"])
def test_a_moderator_and_the_author_find_an_anonymous_idea_by_its_department(client, role):
    tree = make_tree()
    ideas = box_ideas(tree)
    reader = UserFactory(groups=["moderators"]) if role == "moderator" else ideas["department anonymous"].author
    expected = {"department named", "department anonymous"}
    assert names(ideas, api_found(reader, tree["department"])) == expected
    assert names(ideas, page_found(client, reader, tree["department"])) == expected


def test_a_co_author_finds_an_anonymous_idea_by_its_department():
    tree = make_tree()
    ideas = box_ideas(tree)
    coauthor = employee()
    ideas["department anonymous"].coauthors.add(coauthor)
    assert names(ideas, api_found(coauthor, tree["department"])) == {"department named", "department anonymous"}


@pytest.mark.parametrize("role", ["employee", "author", "moderator"])
def test_the_filter_finds_exactly_the_ideas_whose_shown_entity_is_in_the_subtree(role):
    """The queryset (IdeaQuerySet.from_entities) and the idea's own rule
    (Idea.entity_shown_to) agree, for every idea and every entity asked."""
    tree = make_tree()
    ideas = box_ideas(tree)
    reader = {
        "employee": employee,
        "author": lambda: ideas["department anonymous"].author,
        "moderator": lambda: UserFactory(groups=["moderators"]),
    }[role]()
    loaded = list(Idea.objects.select_related("entity__parent__parent").prefetch_related("coauthors"))
    for entity in tree.values():
        below = set(entities.descendant_ids(entity))
        shown = {idea.pk: idea.entity_shown_to(reader) for idea in loaded}
        expected = {pk for pk, seen in shown.items() if seen is not None and seen.pk in below}
        found = set(Idea.objects.from_entities(below, reader).values_list("pk", flat=True))
        assert found == expected, entity.name


def test_the_box_page_offers_every_entity_by_its_path(client):
    tree = make_tree()
    client.force_login(employee())
    html = client.get("/box/").content.decode()
    assert '<label for="idea-entity">Entity</label>' in html
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', html.split('id="idea-entity"')[1])
    assert options == [
        (str(tree["company"].pk), "Acme"),
        (str(tree["direct"].pk), "Fleet"),
        (str(tree["division"].pk), "Operations"),
        (str(tree["department"].pk), "Operations › Logistics"),
        (str(tree["unplaced"].pk), "Night shift"),
    ]
    chosen = client.get("/box/", {"entity": tree["department"].pk}).content.decode()
    assert f'<option value="{tree["department"].pk}" selected>' in chosen


def test_a_campaign_page_offers_no_entity_select(client):
    make_tree()
    idea = IdeaFactory()
    assert 'id="idea-entity"' not in client.get(idea.campaign.get_absolute_url()).content.decode()


@pytest.mark.parametrize("value", ["0", "99999999", "abc", "-1", "1.5"])
def test_an_unknown_entity_is_refused_with_a_400(client, value):
    reader = employee()
    api = APIClient()
    api.force_authenticate(reader)
    response = api.get(f"/api/v1/campaigns/{the_box().slug}/ideas/", {"entity": value})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    client.force_login(reader)
    assert client.get("/box/", {"entity": value}).status_code == 400


def count(get) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert get().status_code == 200
    return len(captured)


def ideas_of(division, number):
    """Ideas from as many new departments of `division`, half of them anonymous."""
    for n in range(number):
        k = Entity.objects.count()
        department = Entity.objects.create(code=f"t{k}", name=f"Team {k}", kind=EntityKind.DEPARTMENT, parent=division)
        IdeaFactory(campaign=the_box(), author=employee(), entity=department, anonymous=n % 2 == 0)


@pytest.mark.parametrize("role", ["employee", "moderator"])
def test_the_filtered_box_page_and_api_query_counts_stay_flat(client, role):
    tree = make_tree()
    reader = employee() if role == "employee" else UserFactory(groups=["moderators"])
    client.force_login(reader)
    api = APIClient()
    api.force_authenticate(reader)
    query = {"entity": tree["division"].pk}
    url = f"/api/v1/campaigns/{the_box().slug}/ideas/"
    ideas_of(tree["division"], 3)
    client.get("/box/", query)  # the session and its random seed exist from here on
    api.get(url, query)  # the forced user's role caches fill here
    few = (count(lambda: client.get("/box/", query)), count(lambda: api.get(url, query)))
    ideas_of(tree["division"], 17)
    assert Idea.objects.from_entities(entities.descendant_ids(tree["division"]), reader).count() == 20
    assert (count(lambda: client.get("/box/", query)), count(lambda: api.get(url, query))) == few

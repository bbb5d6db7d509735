"""Ideas remember their author's entity (issue 12): set by every service that
makes an idea, kept when the author moves, and shown to each viewer as
Idea.entity_shown_to says (anonymous ideas: only the division, but to
moderators and the idea's authors), on the idea page and in the API."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Entity, EntityKind
from campaigns.models import Audience
from ideas import services
from ideas.models import Idea
from results import services as publication
from tests.factories import CampaignFactory, IdeaFactory, UserFactory, employee, the_box
from tests.results.test_move_to_box import published

pytestmark = pytest.mark.django_db


def make_tree() -> dict[str, Entity]:
    """Acme > Operations > Logistics, Acme > Fleet (a department right under
    the company), and a department nobody placed yet."""
    company = Entity.objects.create(code="acme", name="Acme", kind=EntityKind.COMPANY)
    division = Entity.objects.create(code="ops", name="Operations", kind=EntityKind.DIVISION, parent=company)
    department = Entity.objects.create(code="log", name="Logistics", kind=EntityKind.DEPARTMENT, parent=division)
    direct = Entity.objects.create(code="fleet", name="Fleet", kind=EntityKind.DEPARTMENT, parent=company)
    unplaced = Entity.objects.create(code="night", name="Night shift", kind=EntityKind.DEPARTMENT)
    return {
        "company": company,
        "division": division,
        "department": department,
        "direct": direct,
        "unplaced": unplaced,
    }


def a_department() -> Entity:
    """A department of a division of a company, all three new: ideas from
    such departments make a list's query count grow if a page or the API
    read an entity's parents one by one."""
    n = Entity.objects.count()
    company = Entity.objects.create(code=f"c{n}", name=f"Company {n}", kind=EntityKind.COMPANY)
    division = Entity.objects.create(code=f"v{n}", name=f"Division {n}", kind=EntityKind.DIVISION, parent=company)
    return Entity.objects.create(code=f"d{n}", name=f"Department {n}", kind=EntityKind.DEPARTMENT, parent=division)


def placed(user, entity: Entity | None):
    user.entity = entity
    user.save(update_fields=["entity"])
    return user


# --- every way an idea is made sets it, and it stays ----------------------------------


def test_an_idea_submitted_in_a_campaign_remembers_its_authors_entity():
    tree = make_tree()
    author = placed(UserFactory(), tree["department"])
    idea = services.submit_idea(campaign=CampaignFactory(), author=author, title="Solar roofs", summary="On depots.")
    assert Idea.objects.get(pk=idea.pk).entity == tree["department"]


def test_an_idea_dropped_in_the_box_remembers_its_authors_entity():
    tree = make_tree()
    author = placed(employee(), tree["division"])
    idea = services.submit_idea(campaign=the_box(), author=author, title="Quiet room", summary="On every floor.")
    assert Idea.objects.get(pk=idea.pk).entity == tree["division"]


def test_an_idea_submitted_through_the_api_remembers_its_authors_entity():
    tree = make_tree()
    author = placed(UserFactory(), tree["department"])
    api = APIClient()
    api.force_authenticate(author)
    campaign = CampaignFactory()
    response = api.post(f"/api/v1/campaigns/{campaign.slug}/ideas/", {"title": "A", "summary": "B"}, format="json")
    assert response.status_code == 201
    assert Idea.objects.get(pk=response.json()["id"]).entity == tree["department"]
    assert response.json()["entity"] == {"id": tree["department"].pk, "name": "Logistics", "path": PATH}


def test_an_author_without_an_entity_submits_an_idea_without_one():
    idea = services.submit_idea(campaign=CampaignFactory(), author=UserFactory(), title="A", summary="B")
    assert Idea.objects.get(pk=idea.pk).entity is None


def test_the_entity_stays_when_the_author_moves_or_edits():
    tree = make_tree()
    author = placed(employee(), tree["department"])
    idea = services.submit_idea(campaign=the_box(), author=author, title="Quiet room", summary="On every floor.")
    placed(author, tree["unplaced"])
    services.edit_idea(idea=Idea.objects.get(pk=idea.pk), by=author, title="Quiet rooms")
    assert Idea.objects.get(pk=idea.pk).entity == tree["department"]
    # Another idea of theirs comes from where they are now.
    later = services.submit_idea(campaign=the_box(), author=author, title="Plants", summary="Better air.")
    assert Idea.objects.get(pk=later.pk).entity == tree["unplaced"]


def test_an_idea_moved_to_the_box_keeps_the_entity_it_was_submitted_from(manager):
    tree = make_tree()
    _campaign, (winner, *_rest) = published()
    Idea.objects.filter(pk=winner.pk).update(entity=tree["department"])
    # The author has moved since: the box's copy is still counted where the idea was born.
    placed(winner.author, tree["unplaced"])
    copy = publication.move_to_box(idea=Idea.objects.get(pk=winner.pk), by=manager).box_idea
    assert Idea.objects.get(pk=copy.pk).entity == tree["department"]


# --- who sees how much of it ------------------------------------------------------------

PATH = ["Acme", "Operations", "Logistics"]

# (the author's entity, anonymous, viewer): what the viewer is shown, by name
# (None: nothing). Named ideas show the whole entity to whoever sees the idea;
# anonymous ones show it whole to moderators (administrators are) and to the
# idea's authors, and to everybody else down to the division only: a
# department shows what it belongs to (the company for "direct"), an unplaced
# one nothing.
MATRIX = [
    ("company", False, "visitor", "Acme"),
    ("company", False, "participant", "Acme"),
    ("company", False, "employee", "Acme"),
    ("company", False, "manager", "Acme"),
    ("company", False, "author", "Acme"),
    ("company", False, "coauthor", "Acme"),
    ("company", False, "moderator", "Acme"),
    ("company", False, "administrator", "Acme"),
    ("company", True, "visitor", "Acme"),
    ("company", True, "participant", "Acme"),
    ("company", True, "employee", "Acme"),
    ("company", True, "manager", "Acme"),
    ("company", True, "author", "Acme"),
    ("company", True, "coauthor", "Acme"),
    ("company", True, "moderator", "Acme"),
    ("company", True, "administrator", "Acme"),
    ("division", False, "visitor", "Operations"),
    ("division", False, "participant", "Operations"),
    ("division", False, "employee", "Operations"),
    ("division", False, "manager", "Operations"),
    ("division", False, "author", "Operations"),
    ("division", False, "coauthor", "Operations"),
    ("division", False, "moderator", "Operations"),
    ("division", False, "administrator", "Operations"),
    ("division", True, "visitor", "Operations"),
    ("division", True, "participant", "Operations"),
    ("division", True, "employee", "Operations"),
    ("division", True, "manager", "Operations"),
    ("division", True, "author", "Operations"),
    ("division", True, "coauthor", "Operations"),
    ("division", True, "moderator", "Operations"),
    ("division", True, "administrator", "Operations"),
    ("department", False, "visitor", "Logistics"),
    ("department", False, "participant", "Logistics"),
    ("department", False, "employee", "Logistics"),
    ("department", False, "manager", "Logistics"),
    ("department", False, "author", "Logistics"),
    ("department", False, "coauthor", "Logistics"),
    ("department", False, "moderator", "Logistics"),
    ("department", False, "administrator", "Logistics"),
    ("department", True, "visitor", "Operations"),
    ("department", True, "participant", "Operations"),
    ("department", True, "employee", "Operations"),
    ("department", True, "manager", "Operations"),
    ("department", True, "author", "Logistics"),
    ("department", True, "coauthor", "Logistics"),
    ("department", True, "moderator", "Logistics"),
    ("department", True, "administrator", "Logistics"),
    ("direct", False, "visitor", "Fleet"),
    ("direct", False, "participant", "Fleet"),
    ("direct", False, "employee", "Fleet"),
    ("direct", False, "manager", "Fleet"),
    ("direct", False, "author", "Fleet"),
    ("direct", False, "coauthor", "Fleet"),
    ("direct", False, "moderator", "Fleet"),
    ("direct", False, "administrator", "Fleet"),
    ("direct", True, "visitor", "Acme"),
    ("direct", True, "participant", "Acme"),
    ("direct", True, "employee", "Acme"),
    ("direct", True, "manager", "Acme"),
    ("direct", True, "author", "Fleet"),
    ("direct", True, "coauthor", "Fleet"),
    ("direct", True, "moderator", "Fleet"),
    ("direct", True, "administrator", "Fleet"),
    ("unplaced", False, "visitor", "Night shift"),
    ("unplaced", False, "participant", "Night shift"),
    ("unplaced", False, "employee", "Night shift"),
    ("unplaced", False, "manager", "Night shift"),
    ("unplaced", False, "author", "Night shift"),
    ("unplaced", False, "coauthor", "Night shift"),
    ("unplaced", False, "moderator", "Night shift"),
    ("unplaced", False, "administrator", "Night shift"),
    ("unplaced", True, "visitor", None),
    ("unplaced", True, "participant", None),
    ("unplaced", True, "employee", None),
    ("unplaced", True, "manager", None),
    ("unplaced", True, "author", "Night shift"),
    ("unplaced", True, "coauthor", "Night shift"),
    ("unplaced", True, "moderator", "Night shift"),
    ("unplaced", True, "administrator", "Night shift"),
]

# What the page's "From" reads and the API's path holds for each name.
PAGE_TEXT = {
    "Acme": "Acme",
    "Operations": "Operations",
    "Logistics": "Operations › Logistics",
    "Fleet": "Fleet",
    "Night shift": "Night shift",
}
API_PATH = {
    "Acme": ["Acme"],
    "Operations": ["Acme", "Operations"],
    "Logistics": PATH,
    "Fleet": ["Acme", "Fleet"],
    "Night shift": ["Night shift"],
}


def viewer(role: str, idea: Idea):
    if role == "visitor":
        return None
    if role == "author":
        return idea.author
    if role == "coauthor":
        return idea.coauthors.get()
    return {
        "participant": UserFactory,
        "employee": employee,
        "manager": lambda: UserFactory(groups=["campaign managers"]),
        "moderator": lambda: UserFactory(groups=["moderators"]),
        "administrator": lambda: UserFactory(is_superuser=True),
    }[role]()


def idea_from(entity: Entity, *, anonymous: bool) -> Idea:
    campaign = CampaignFactory(allow_anonymous=True, audience=Audience.PUBLIC)
    idea = IdeaFactory(campaign=campaign, author=placed(UserFactory(), entity), anonymous=anonymous, entity=entity)
    idea.coauthors.add(UserFactory())
    return idea


def page_from(client, idea: Idea, user) -> str | None:
    """The page's "From" line, or None when the page has none."""
    if user is not None:
        client.force_login(user)
    html = client.get(idea.get_absolute_url()).content.decode()
    if "<dt>From</dt>" not in html:
        return None
    return html.split('<dd class="entity">', 1)[1].split("</dd>", 1)[0].replace("&rsaquo;", "›")


def api_entity(idea: Idea, user) -> dict | None:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    response = api.get(f"/api/v1/ideas/{idea.pk}/")
    assert response.status_code == 200
    return response.json()["entity"]


@pytest.mark.parametrize(("kind", "anonymous", "role", "shown"), MATRIX)
def test_who_sees_which_entity_an_idea_came_from(client, kind, anonymous, role, shown):
    tree = make_tree()
    idea = idea_from(tree[kind], anonymous=anonymous)
    user = viewer(role, idea)
    loaded = Idea.objects.select_related("entity__parent__parent").prefetch_related("coauthors").get(pk=idea.pk)

    entity = loaded.entity_shown_to(user)

    assert (entity.name if entity else None) == shown
    assert page_from(client, idea, user) == (PAGE_TEXT[shown] if shown else None)
    expected = {"id": entity.pk, "name": shown, "path": API_PATH[shown]} if shown else None
    assert api_entity(idea, user) == expected


def test_the_matrix_covers_every_kind_anonymity_and_viewer():
    cells = {(kind, anonymous, role) for kind, anonymous, role, _shown in MATRIX}
    assert len(cells) == len(MATRIX) == 5 * 2 * 8


def test_an_idea_without_an_entity_shows_none(client, moderator):
    idea = IdeaFactory(entity=None)
    assert idea.entity_shown_to(moderator) is None
    assert page_from(client, idea, moderator) is None
    assert api_entity(idea, moderator) is None


def test_the_page_shows_where_an_idea_came_from_when_the_author_has_moved(client):
    tree = make_tree()
    author = placed(UserFactory(), tree["department"])
    idea = services.submit_idea(campaign=CampaignFactory(), author=author, title="A", summary="B")
    placed(author, tree["unplaced"])
    assert page_from(client, idea, None) == "Operations › Logistics"
    assert api_entity(idea, None)["path"] == PATH


def test_the_api_list_shows_each_idea_its_entity_as_the_caller_may_know_it():
    tree = make_tree()
    campaign = CampaignFactory(allow_anonymous=True)
    named = IdeaFactory(campaign=campaign, entity=tree["department"])
    anonymous = IdeaFactory(campaign=campaign, entity=tree["department"], anonymous=True)
    nowhere = IdeaFactory(campaign=campaign)
    body = APIClient().get(f"/api/v1/campaigns/{campaign.slug}/ideas/").json()
    shown = {row["id"]: row["entity"] and row["entity"]["name"] for row in body["results"]}
    assert shown == {named.pk: "Logistics", anonymous.pk: "Operations", nowhere.pk: None}


def test_the_admin_shows_the_entity_and_never_changes_it(client):
    tree = make_tree()
    idea = IdeaFactory(entity=tree["department"])
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    url = f"/admin/ideas/idea/{idea.pk}/change/"
    html = client.get(url).content.decode()
    assert "Logistics" in html
    assert 'name="entity"' not in html
    fields = {"title": "Renamed", "summary": idea.summary, "body": idea.body, "author": idea.author_id}
    fields |= {
        f"{prefix}-{key}": "0"
        for prefix in ("coauthorships", "attachments")
        for key in ("TOTAL_FORMS", "INITIAL_FORMS")
    }
    response = client.post(url, {**fields, "entity": tree["unplaced"].pk})
    assert response.status_code == 302
    assert Idea.objects.values_list("title", "entity").get(pk=idea.pk) == ("Renamed", tree["department"].pk)

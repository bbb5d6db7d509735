"""Browsing a campaign's ideas and the idea box: search, filters, sorts, paging, figures."""

import datetime as dt
import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from campaigns.models import Audience, Moderation, Phase
from ideas import selectors, services
from ideas.models import Idea, Status, Tag
from tests.factories import (
    ROLES_WITH_COMPANY,
    CampaignFactory,
    CategoryFactory,
    IdeaFactory,
    UserFactory,
    answers_as,
    the_box,
    user_with_role,
)
from tests.ideas.test_entity import a_department

pytestmark = pytest.mark.django_db

IDEA_LINK = re.compile(r'<h3><a href="/ideas/(\d+)/">')


def ids_on(response) -> list[int]:
    assert response.status_code == 200, response.status_code
    return [int(pk) for pk in IDEA_LINK.findall(response.content.decode())]


def page(client, campaign, **params):
    return client.get(f"/campaigns/{campaign.slug}/", params)


@pytest.fixture
def campaign():
    return CampaignFactory()


def ideas_with(campaign, **kwargs):
    return IdeaFactory(campaign=campaign, **kwargs)


# --- sorts -------------------------------------------------------------------------


def test_newest_first(client, campaign):
    now = timezone.now()
    old = ideas_with(campaign, created_at=now - dt.timedelta(days=2))
    new = ideas_with(campaign, created_at=now)
    mid = ideas_with(campaign, created_at=now - dt.timedelta(days=1))
    assert ids_on(page(client, campaign, ordering="newest")) == [new.pk, mid.pk, old.pk]


def test_most_supported_then_earliest(client, campaign):
    now = timezone.now()
    a = ideas_with(campaign, vote_count=3, created_at=now)
    b = ideas_with(campaign, vote_count=7, created_at=now)
    c = ideas_with(campaign, vote_count=3, created_at=now - dt.timedelta(hours=1))
    assert ids_on(page(client, campaign, ordering="most_supported")) == [b.pk, c.pk, a.pk]


def test_most_discussed(client, campaign):
    a = ideas_with(campaign, comment_count=1)
    b = ideas_with(campaign, comment_count=9)
    c = ideas_with(campaign, comment_count=4)
    assert ids_on(page(client, campaign, ordering="most_discussed")) == [b.pk, c.pk, a.pk]


def test_random_order_is_stable_for_a_visitor_and_differs_between_visitors(campaign):
    IdeaFactory.create_batch(30, campaign=campaign)
    first = Client()
    one = ids_on(page(first, campaign, ordering="random"))
    assert one == ids_on(page(first, campaign, ordering="random"))
    others = [ids_on(page(Client(), campaign, ordering="random")) for _ in range(3)]
    assert any(other != one for other in others)
    newest = ids_on(page(first, campaign, ordering="newest"))
    assert one != newest


def test_the_page_and_the_api_show_a_visitor_the_same_random_order(campaign):
    IdeaFactory.create_batch(12, campaign=campaign)
    client = Client()
    on_page = ids_on(page(client, campaign, ordering="random"))
    answer = client.get(f"/api/v1/campaigns/{campaign.slug}/ideas/", {"ordering": "random"})
    assert [idea["id"] for idea in answer.json()["results"]] == on_page
    assert client.session[selectors.SEED_SESSION_KEY] > 0


def test_random_pages_cover_every_idea_once(campaign):
    ideas = IdeaFactory.create_batch(30, campaign=campaign)
    client = Client()
    first = ids_on(page(client, campaign, ordering="random"))
    second = ids_on(page(client, campaign, ordering="random", page=2))
    assert len(first) == 20
    assert len(second) == 10
    assert sorted(first + second) == sorted(i.pk for i in ideas)


def test_the_random_key_depends_on_the_seed(campaign):
    IdeaFactory.create_batch(20, campaign=campaign)
    qs = Idea.objects.filter(campaign=campaign)
    one = list(selectors.order_ideas(qs, selectors.RANDOM, seed=1).values_list("pk", flat=True))
    same = list(selectors.order_ideas(qs, selectors.RANDOM, seed=1).values_list("pk", flat=True))
    other = list(selectors.order_ideas(qs, selectors.RANDOM, seed=2).values_list("pk", flat=True))
    assert one == same
    assert one != other
    assert sorted(one) == sorted(other)


def test_a_campaign_page_is_random_by_default_and_the_box_newest(client, an_employee):
    campaign = CampaignFactory()
    IdeaFactory.create_batch(3, campaign=campaign)
    html = page(client, campaign).content.decode()
    assert '<option value="random" selected>' in html
    client.force_login(an_employee)
    assert '<option value="newest" selected>' in client.get("/box/").content.decode()


def test_hidden_counts_while_voting_hide_votes_and_the_most_supported_sort(client):
    campaign = CampaignFactory(phase=Phase.VOTING, hide_counts_while_voting=True)
    IdeaFactory.create_batch(5, campaign=campaign, vote_count=4)
    response = page(client, campaign, ordering="most_supported")
    html = response.content.decode()
    assert "4 votes" not in html
    assert 'value="most_supported"' not in html
    assert '<option value="random" selected>' in html
    assert selectors.effective_ordering(campaign, "most_supported") == selectors.RANDOM
    shown = CampaignFactory(phase=Phase.VOTING)
    IdeaFactory(campaign=shown, vote_count=4)
    assert "4 votes" in page(client, shown).content.decode()


# --- filters and search ----------------------------------------------------------------


def test_filter_by_category(client, campaign):
    energy = CategoryFactory(campaign=campaign, slug="energy", name="Energy")
    a = ideas_with(campaign, category=energy)
    ideas_with(campaign)
    assert ids_on(page(client, campaign, category="energy")) == [a.pk]
    assert ids_on(page(client, campaign, category="nothing")) == []


def test_filter_by_tag(client, campaign):
    a = ideas_with(campaign)
    a.tags.add(Tag.objects.create(name="solar"))
    ideas_with(campaign).tags.add(Tag.objects.create(name="bikes"))
    assert ids_on(page(client, campaign, tag="Solar")) == [a.pk]


def test_filter_by_status(client):
    campaign = CampaignFactory(phase=Phase.DELIBERATION)
    a = ideas_with(campaign, status=Status.SHORTLISTED)
    ideas_with(campaign, status=Status.NOT_SELECTED)
    assert ids_on(page(client, campaign, status="shortlisted")) == [a.pk]


def test_search_title_and_summary(client, campaign):
    a = ideas_with(campaign, title="Solar roofs on depots", summary="Panels.")
    b = ideas_with(campaign, title="Cheaper tickets", summary="Make solar-powered ticket machines.")
    ideas_with(campaign, title="Bike lanes", summary="Safer cycling.")
    assert sorted(ids_on(page(client, campaign, search="solar"))) == sorted([a.pk, b.pk])
    assert ids_on(page(client, campaign, search="solar roofs")) == [a.pk]
    assert ids_on(page(client, campaign, search="nothing-like-this")) == []


def test_a_bad_filter_is_a_400_with_the_error_not_a_500(client, campaign):
    ideas_with(campaign)
    response = page(client, campaign, status="exploded", ordering="sideways")
    assert response.status_code == 400
    assert "Some filters are not valid" in response.content.decode()
    assert page(client, campaign, page="abc").status_code == 200
    assert page(client, campaign, page="99999").status_code == 200
    assert page(client, campaign, search="x" * 5000).status_code == 400


def test_lists_leave_out_hidden_unapproved_merged_and_other_campaigns(client, campaign):
    shown = ideas_with(campaign)
    ideas_with(campaign, hidden=True, hidden_reason="spam")
    ideas_with(campaign, approved=False)
    ideas_with(campaign, status=Status.MERGED, merged_into=shown)
    IdeaFactory()
    assert ids_on(page(client, campaign)) == [shown.pk]


def test_an_anonymous_idea_shows_no_name_in_the_list(client, campaign):
    author = UserFactory(display_name="Secret Person")
    IdeaFactory(campaign=campaign, author=author, anonymous=True)
    html = page(client, campaign).content.decode()
    assert "Secret Person" not in html
    assert "Anonymous" in html
    client.force_login(UserFactory(groups=["moderators"]))
    assert "Secret Person" in page(client, campaign).content.decode()


# --- paging and query counts ---------------------------------------------------------


def queries_for(client, url) -> CaptureQueriesContext:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return captured


def tagged_ideas(campaign, count):
    category = CategoryFactory(campaign=campaign)
    tags = [Tag.objects.get_or_create(name=f"tag{i}")[0] for i in range(3)]
    for n in range(count):
        # Each from its own department, half of them anonymous (shown up to the division).
        entity = a_department()
        idea = IdeaFactory(campaign=campaign, category=category, author=UserFactory(), entity=entity, anonymous=n % 2)
        idea.tags.set(tags)


@pytest.mark.parametrize("ordering", ["newest", "most_supported", "most_discussed", "random"])
def test_the_campaign_page_query_count_stays_flat(client, ordering):
    campaign = CampaignFactory()
    client.force_login(UserFactory())
    url = f"/campaigns/{campaign.slug}/?ordering={ordering}"
    tagged_ideas(campaign, 3)
    client.get(url)  # the session and its random seed exist from here on
    with_three = len(queries_for(client, url))
    tagged_ideas(campaign, 27)
    captured = queries_for(client, url)
    assert len(captured) == with_three
    assert any("LIMIT 20" in q["sql"] for q in captured), "paging happens in the database"


def test_the_box_page_query_count_stays_flat(client, an_employee):
    box = the_box()
    client.force_login(an_employee)
    tagged_ideas(box, 3)
    client.get("/box/")
    with_three = len(queries_for(client, "/box/"))
    tagged_ideas(box, 27)
    assert len(queries_for(client, "/box/")) == with_three


def test_htmx_gets_only_the_list(client, campaign):
    ideas_with(campaign)
    response = client.get(f"/campaigns/{campaign.slug}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="idea-list")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'class="idea-list"' in html


def test_the_page_works_without_javascript(client, campaign):
    IdeaFactory.create_batch(25, campaign=campaign)
    html = page(client, campaign, ordering="newest").content.decode()
    assert 'method="get"' in html
    assert 'hx-push-url="true"' in html
    assert 'href="?ordering=newest&amp;page=2"' in html
    assert 'aria-live="polite"' in html


# --- the box page ----------------------------------------------------------------------


def test_box_statistics():
    box = the_box()
    now = timezone.now()
    ideas = [
        IdeaFactory(campaign=box, status=Status.IMPLEMENTED, first_answer_at=None),
        IdeaFactory(campaign=box, status=Status.ACCEPTED),
        IdeaFactory(campaign=box, status=Status.REJECTED, rejection_reason="No budget."),
        IdeaFactory(campaign=box, status=Status.UNDER_REVIEW),
    ]
    for idea, days in zip(ideas[:3], (2, 4, 10), strict=True):
        Idea.objects.filter(pk=idea.pk).update(
            created_at=now - dt.timedelta(days=20), first_answer_at=now - dt.timedelta(days=20 - days)
        )
    IdeaFactory(campaign=box, status=Status.MERGED, merged_into=ideas[1])
    IdeaFactory(campaign=box, hidden=True, hidden_reason="spam")
    stats = selectors.box_statistics(box)
    assert stats["total"] == 4
    assert stats["implemented"] == 1
    assert stats["implemented_share"] == 0.25
    assert stats["median_first_answer"] == dt.timedelta(days=4)
    assert dict(stats["by_status"])[Status.MERGED] == 1


def test_the_box_page_shows_its_figures(client, an_employee):
    box = the_box()
    now = timezone.now()
    done = IdeaFactory(campaign=box, status=Status.IMPLEMENTED)
    IdeaFactory(campaign=box)
    Idea.objects.filter(pk=done.pk).update(
        created_at=now - dt.timedelta(days=6), first_answer_at=now - dt.timedelta(days=3)
    )
    client.force_login(an_employee)
    html = client.get("/box/").content.decode()
    assert "50.0% (1 of 2)" in html
    assert "3 days" in html
    assert "Submit an idea" in html


def test_an_empty_box_has_no_figures_to_divide(client, an_employee):
    client.force_login(an_employee)
    html = client.get("/box/").content.decode()
    assert "No idea yet" in html


BOX_MATRIX = [
    ("visitor", 404),
    ("unverified", 404),
    ("unverified employee", 404),
    ("participant", 404),
    ("employee", 200),
    ("moderator", 200),
    ("manager", 200),
    ("company employee", 200),
    ("company leaver", 404),
]


def make_user(who):
    return user_with_role(who)


@pytest.mark.parametrize(("who", "expected"), BOX_MATRIX)
def test_the_box_page_is_for_employees_moderators_and_managers(client, who, expected):
    user = make_user(who)
    if user:
        client.force_login(user)
    assert client.get("/box/").status_code == expected
    assert client.get("/campaigns/box/").status_code == (302 if expected == 200 else 404)


PHASES = [Phase.DRAFT, Phase.SUBMISSION, Phase.VOTING, Phase.RESULTS, Phase.ARCHIVED]


def sees(who, audience, phase) -> bool:
    who = answers_as(who)
    if phase == Phase.DRAFT:
        return who == "manager"
    if audience == Audience.INTERNAL:
        return who in {"employee", "moderator", "manager"}
    return True


def may_submit(who, audience, phase) -> bool:
    who = answers_as(who)
    if phase != Phase.SUBMISSION:
        return False
    if audience == Audience.INTERNAL:
        return who == "employee"
    return who in {"participant", "employee", "moderator", "manager"}


@pytest.mark.parametrize("who", ROLES_WITH_COMPANY)
@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
@pytest.mark.parametrize("phase", PHASES)
def test_campaign_page_permissions(client, who, audience, phase):
    campaign = CampaignFactory(audience=audience, phase=phase)
    IdeaFactory(campaign=campaign, title="A visible idea")
    user = make_user(who)
    if user:
        client.force_login(user)
    response = page(client, campaign)
    if not sees(who, audience, phase):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert "A visible idea" in html
    assert (f"/campaigns/{campaign.slug}/ideas/new/" in html) == may_submit(who, audience, phase)


def test_an_unknown_campaign_is_a_404(client):
    assert client.get("/campaigns/no-such-thing/").status_code == 404
    assert client.post(f"/campaigns/{CampaignFactory().slug}/").status_code == 405


# --- similar ideas ---------------------------------------------------------------------


@pytest.fixture
def similar_set():
    campaign = CampaignFactory()
    roofs = IdeaFactory(campaign=campaign, title="Solar panels on the depot roofs", summary="Free power.")
    pools = IdeaFactory(campaign=campaign, title="Solar heating for the pools", summary="Warm water.")
    IdeaFactory(campaign=campaign, title="Bike lanes downtown", summary="Safer cycling.")
    IdeaFactory(campaign=campaign, title="Solar roofs hidden", hidden=True, hidden_reason="spam")
    IdeaFactory(title="Solar roofs elsewhere")  # another campaign
    return campaign, roofs, pools


def test_similar_ideas_rank_by_overlap(similar_set, participant):
    campaign, roofs, pools = similar_set
    found = services.similar_ideas(campaign=campaign, text="Solar roof", user=participant)
    assert [i.pk for i in found] == [roofs.pk, pools.pk]
    assert services.similar_ideas(campaign=campaign, text="an", user=participant) == []
    assert services.similar_ideas(campaign=campaign, text="", user=participant) == []
    assert services.similar_ideas(campaign=campaign, text="Solar roof", user=participant, exclude_id=roofs.pk) == [
        pools
    ]
    assert len(services.similar_ideas(campaign=campaign, text="solar", user=participant, limit=1)) == 1


def test_similar_ideas_survive_odd_input(similar_set, participant):
    campaign, roofs, pools = similar_set

    def similar(text):
        return {idea.pk for idea in services.similar_ideas(campaign=campaign, text=text, user=participant)}

    assert similar("'; DROP TABLE ideas; --") == set()
    assert Idea.objects.count() == 5
    # Only letters and digits make words: the search syntax around "solar" is ignored.
    assert similar("solar & | ! :* ()") == {roofs.pk, pools.pk}
    assert similar("x" * 10_000) == set()
    assert similar("énergie solaire") == set()  # "solaire" is not a prefix of "solar"
    assert similar("___") == set()


def test_similar_ideas_only_among_what_the_user_sees(participant, an_employee):
    campaign = CampaignFactory(moderation=Moderation.PRE)
    IdeaFactory(campaign=campaign, title="Solar roofs awaiting approval", approved=False)
    assert services.similar_ideas(campaign=campaign, text="solar roofs", user=participant) == []


def test_the_similar_endpoint_returns_a_small_list(client, similar_set):
    campaign, roofs, _pools = similar_set
    response = client.get(f"/campaigns/{campaign.slug}/ideas/similar/", {"q": "solar roofs"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Similar ideas already submitted" in html
    assert f'href="/ideas/{roofs.pk}/"' in html
    assert "Bike lanes" not in html
    assert client.get(f"/campaigns/{campaign.slug}/ideas/similar/", {"title": "solar"}).status_code == 200
    empty = client.get(f"/campaigns/{campaign.slug}/ideas/similar/", {"q": "zzzzzz"}).content.decode()
    assert "No similar idea found." in empty


def test_the_similar_endpoint_of_an_internal_campaign_is_a_404_for_the_public(client):
    campaign = CampaignFactory(audience=Audience.INTERNAL)
    assert client.get(f"/campaigns/{campaign.slug}/ideas/similar/", {"q": "x"}).status_code == 404


def test_a_visitor_is_invited_to_log_in_to_submit(client):
    html = page(client, CampaignFactory()).content.decode()
    assert "Log in to submit an idea" in html
    assert "Log in to submit an idea" not in page(client, CampaignFactory(phase=Phase.VOTING)).content.decode()


def test_random_pages_show_every_idea_once_with_a_flat_query_count(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    url = f"/campaigns/{campaign.slug}/?ordering=random"

    def queries(page: int) -> tuple[int, list[int]]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"{url}&page={page}")
        assert response.status_code == 200
        return len(ctx.captured_queries), [idea.pk for idea in response.context["ideas"]]

    IdeaFactory.create_batch(5, campaign=campaign)
    client.get(url)  # the visitor's seed is kept in the session from here on
    few, _ = queries(1)
    ideas = IdeaFactory.create_batch(40, campaign=campaign)
    many, first = queries(1)
    assert few == many
    seen = first + queries(2)[1] + queries(3)[1]
    assert len(seen) == 45 == len(set(seen))
    assert set(seen) >= {idea.pk for idea in ideas}
    assert queries(1)[1] == first  # the same order on the way back

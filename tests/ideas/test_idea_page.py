"""The idea page: what it shows, to whom, and at a flat query count."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from campaigns.models import Audience, Phase
from ideas.models import Status, Tag
from tests.factories import (
    ROLES_WITH_COMPANY,
    CampaignFactory,
    CategoryFactory,
    CommentFactory,
    IdeaFactory,
    UserFactory,
    answers_as,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def make_user(who):
    return user_with_role(who)


def test_the_page_shows_the_idea(client):
    campaign = CampaignFactory()
    author = UserFactory(display_name="Camille Martin")
    coauthor = UserFactory(display_name="Dominique Roy")
    idea = IdeaFactory(
        campaign=campaign,
        author=author,
        title="Night buses",
        summary="Buses after midnight.",
        body="## Why\n\nBecause *people* work late.",
        category=CategoryFactory(campaign=campaign, name="Transport"),
        vote_count=12,
    )
    idea.coauthors.add(coauthor)
    idea.tags.add(Tag.objects.create(name="night"))
    html = client.get(f"/ideas/{idea.pk}/").content.decode()
    for text in ["Night buses", "Buses after midnight.", "<h2>Why</h2>", "<em>people</em>", "Camille Martin",
                 "Dominique Roy", "Transport", "night", "Published", "12 votes"]:  # fmt: skip
        assert text in html, text
    assert html.count("12 votes") == 1  # once, in the vote button that htmx keeps current
    assert f'href="{campaign.get_absolute_url()}"' in html
    assert 'id="moderation-' in html  # engineer C's partial is included


def test_the_vote_count_is_hidden_while_the_campaign_hides_it(client):
    campaign = CampaignFactory(phase=Phase.VOTING, hide_counts_while_voting=True)
    idea = IdeaFactory(campaign=campaign, vote_count=12)
    html = client.get(f"/ideas/{idea.pk}/").content.decode()
    assert ">Votes<" not in html
    assert ">12<" not in html


@pytest.mark.parametrize(
    ("viewer", "sees_name"),
    [("visitor", False), ("participant", False), ("author", True), ("coauthor", True), ("moderator", True)],
)
def test_an_anonymous_idea_names_its_author_only_to_moderators_and_authors(client, viewer, sees_name):
    author = UserFactory(display_name="Secret Author")
    coauthor = UserFactory(display_name="Secret Coauthor")
    idea = IdeaFactory(campaign=CampaignFactory(allow_anonymous=True), author=author, anonymous=True)
    idea.coauthors.add(coauthor)
    user = {"author": author, "coauthor": coauthor}.get(viewer) or make_user(viewer)
    if user:
        client.force_login(user)
    html = client.get(f"/ideas/{idea.pk}/").content.decode()
    assert ("Secret Author" in html) is sees_name
    assert ("Secret Coauthor" in html) is sees_name
    assert ("Anonymous" in html) is not sees_name


def test_a_merged_idea_says_so_and_links_to_its_target(client):
    target = IdeaFactory(title="The original")
    merged = IdeaFactory(campaign=target.campaign, status=Status.MERGED, merged_into=target)
    html = client.get(f"/ideas/{merged.pk}/").content.decode()
    assert "This idea was merged into another one" in html
    assert f'<a href="/ideas/{target.pk}/">The original</a>' in html
    assert "This idea takes no comments." in html


def test_the_edit_link_is_for_authors_while_allowed(client, participant):
    idea = IdeaFactory(campaign=CampaignFactory(), author=participant)
    edit = f'href="/ideas/{idea.pk}/edit/"'
    assert edit not in client.get(f"/ideas/{idea.pk}/").content.decode()
    client.force_login(participant)
    assert edit in client.get(f"/ideas/{idea.pk}/").content.decode()
    closed = IdeaFactory(campaign=CampaignFactory(phase=Phase.VOTING), author=participant)
    assert f'href="/ideas/{closed.pk}/edit/"' not in client.get(f"/ideas/{closed.pk}/").content.decode()


def test_comments_show_one_level_of_replies(client):
    idea = IdeaFactory()
    top = CommentFactory(idea=idea, body="Top comment")
    CommentFactory(idea=idea, parent=top, body="A reply")
    CommentFactory(idea=idea, body="Hidden words", hidden=True, hidden_reason="rude")
    html = client.get(f"/ideas/{idea.pk}/").content.decode()
    assert "Top comment" in html
    assert 'class="comment-replies"' in html
    assert "A reply" in html
    assert "Hidden words" not in html
    assert "This comment was hidden by a moderator." in html
    client.force_login(UserFactory(groups=["moderators"]))
    assert "Hidden words" in client.get(f"/ideas/{idea.pk}/").content.decode()


def test_a_visitor_is_invited_to_log_in_to_comment(client):
    idea = IdeaFactory()
    html = client.get(f"/ideas/{idea.pk}/").content.decode()
    assert "Log in to comment." in html
    assert 'name="body"' not in html


def test_bad_ids_are_404s(client):
    assert client.get("/ideas/0/").status_code == 404
    assert client.get("/ideas/99999999/").status_code == 404
    assert client.get("/ideas/abc/").status_code == 404
    assert client.post(f"/ideas/{IdeaFactory().pk}/").status_code == 405


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["visitor", "participant", "moderator"])
def test_the_idea_page_query_count_stays_flat_as_comments_grow(client, who):
    idea = IdeaFactory()
    idea.tags.set([Tag.objects.create(name=f"t{i}") for i in range(3)])
    idea.coauthors.set([UserFactory(), UserFactory()])

    def thread(count):
        for _ in range(count):
            top = CommentFactory(idea=idea, author=UserFactory())
            CommentFactory(idea=idea, parent=top, author=UserFactory())

    user = make_user(who)
    if user:
        client.force_login(user)
    url = f"/ideas/{idea.pk}/"
    thread(3)
    client.get(url)
    with_three = queries_for(client, url)
    thread(27)
    assert queries_for(client, url) == with_three


def sees_campaign(who, audience, phase) -> bool:
    who = answers_as(who)
    if phase == Phase.DRAFT:
        return who == "manager"
    if audience == Audience.INTERNAL:
        return who in {"employee", "moderator", "manager"}
    return True


@pytest.mark.parametrize("who", ROLES_WITH_COMPANY)
@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
@pytest.mark.parametrize("phase", [Phase.DRAFT, Phase.SUBMISSION, Phase.VOTING, Phase.ARCHIVED])
def test_idea_page_permissions(client, who, audience, phase):
    idea = IdeaFactory(campaign=CampaignFactory(audience=audience, phase=phase))
    user = make_user(who)
    if user:
        client.force_login(user)
    expected = 200 if sees_campaign(who, audience, phase) else 404
    assert client.get(f"/ideas/{idea.pk}/").status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("visitor", 404), ("participant", 404), ("author", 200), ("moderator", 200), ("manager", 404)],
)
@pytest.mark.parametrize("state", ["hidden", "unapproved"])
def test_hidden_and_unapproved_ideas_are_for_moderators_and_their_author(client, who, expected, state):
    author = UserFactory()
    extra = {"hidden": True, "hidden_reason": "spam"} if state == "hidden" else {"approved": False}
    idea = IdeaFactory(campaign=CampaignFactory(), author=author, **extra)
    user = author if who == "author" else make_user(who)
    if user:
        client.force_login(user)
    assert client.get(f"/ideas/{idea.pk}/").status_code == expected

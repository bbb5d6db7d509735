"""Who learns who wrote an anonymous idea (PRODUCT.md, "Ideas"): its
authors, moderators and administrators, and nobody else: not a juror
(employee or member of the public), not a manager, not another participant,
not a visitor. One rule, Idea.author_visible_to, asked by the idea pages,
lists, API, comments, e-mails, moderation pages and the move into the box.
The jury's and the results' surfaces are in tests/jury/test_anonymous_authors.py."""

import datetime

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest
from rest_framework.test import APIClient

from accounts.notifications import update_notification_settings
from campaigns.models import Audience, Phase
from ideas import notifications, services
from ideas.models import Coauthorship, Idea, IdeaFollower, Status
from jury.models import Juror
from tests.factories import CampaignFactory, CommentFactory, IdeaFactory, UserFactory, employee, the_box

pytestmark = pytest.mark.django_db

AUTHOR = ("qzorglub", "Quentin Zorglub")
COAUTHOR = ("ybrumaire", "Ysolde Brumaire")
SECRETS = (*AUTHOR, *COAUTHOR)

# Everyone who may see the idea but not its author, and everyone who may.
HIDDEN_FROM = ["visitor", "participant", "employee", "employee juror", "public juror", "manager"]
SHOWN_TO = ["author", "coauthor", "moderator", "administrator"]


def make_coauthor(idea: Idea, user) -> None:
    """An accepted co-author of the idea."""
    idea.coauthors.add(user)


def secret_idea(campaign=None, **fields) -> Idea:
    """An anonymous idea by AUTHOR, with COAUTHOR as co-author."""
    campaign = campaign or CampaignFactory(allow_anonymous=True)
    author = UserFactory(username=AUTHOR[0], display_name=AUTHOR[1])
    idea = IdeaFactory(campaign=campaign, author=author, anonymous=True, **fields)
    make_coauthor(idea, UserFactory(username=COAUTHOR[0], display_name=COAUTHOR[1]))
    return idea


def person(role: str, idea: Idea):
    """A user with this role towards the idea; None for a visitor."""
    if role == "visitor":
        return None
    if role in ("author", "coauthor"):
        return idea.author if role == "author" else idea.coauthors.get()
    if role in ("employee juror", "public juror"):
        user = employee() if role == "employee juror" else UserFactory()
        Juror.objects.create(campaign=idea.campaign, user=user)
        return user
    return {
        "participant": UserFactory,
        "employee": employee,
        "manager": lambda: UserFactory(groups=["campaign managers"]),
        "moderator": lambda: UserFactory(groups=["moderators"]),
        "administrator": lambda: UserFactory(is_superuser=True, is_staff=True),
    }[role]()


def page_as(client, user, url: str) -> str:
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def api_as(user) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


# --- the rule itself ------------------------------------------------------------------------


# The rule, stated literally: who may learn who wrote an idea, anonymous or not.
WHO_LEARNS_AN_ANONYMOUS_AUTHOR = [
    ("visitor", False),
    ("participant", False),
    ("employee", False),
    ("employee juror", False),
    ("public juror", False),
    ("manager", False),
    ("invitee", False),  # invited to co-author, not (yet) accepted
    ("author", True),
    ("coauthor", True),
    ("moderator", True),
    ("administrator", True),
]


@pytest.mark.parametrize("anonymous", [True, False], ids=["anonymous", "named"])
@pytest.mark.parametrize("role, learns_an_anonymous_author", WHO_LEARNS_AN_ANONYMOUS_AUTHOR)
def test_the_rule_matrix_anonymity_by_viewer(role, learns_an_anonymous_author, anonymous):
    idea = secret_idea()
    if not anonymous:
        Idea.objects.filter(pk=idea.pk).update(anonymous=False)
        idea.refresh_from_db()
    if role == "invitee":
        viewer = UserFactory()
        Coauthorship.objects.create(idea=idea, user=viewer, invited_by=idea.author)
    else:
        viewer = person(role, idea)
    assert idea.author_visible_to(viewer) is (learns_an_anonymous_author or not anonymous)


def test_no_viewer_means_anyone_and_anyone_sees_no_anonymous_author():
    assert secret_idea().author_visible_to(None) is False


# --- the idea page, the lists, the API -------------------------------------------------------


@pytest.mark.parametrize("role", HIDDEN_FROM)
def test_the_idea_page_names_nobody_to_whoever_may_not_know(client, role):
    idea = secret_idea()
    html = page_as(client, person(role, idea), idea.get_absolute_url())
    assert_no_secret(html)
    assert "Anonymous" in html


@pytest.mark.parametrize("role", SHOWN_TO)
def test_the_idea_page_names_the_authors_to_those_who_may_know(client, role):
    idea = secret_idea()
    html = page_as(client, person(role, idea), idea.get_absolute_url())
    assert AUTHOR[1] in html and COAUTHOR[1] in html
    assert "only its authors and the moderators see this name" in html


@pytest.mark.parametrize("role", HIDDEN_FROM)
def test_the_campaign_list_names_nobody_to_whoever_may_not_know(client, role):
    idea = secret_idea()
    html = page_as(client, person(role, idea), idea.campaign.get_absolute_url())
    assert idea.title in html
    assert_no_secret(html)


@pytest.mark.parametrize("role", ["coauthor", "moderator", "administrator"])
def test_the_campaign_list_names_the_author_to_those_who_may_know(client, role):
    idea = secret_idea()
    assert AUTHOR[1] in page_as(client, person(role, idea), idea.campaign.get_absolute_url())


def test_the_list_query_count_stays_flat_with_anonymous_ideas_for_a_co_author(client):
    campaign = CampaignFactory(allow_anonymous=True)
    idea = secret_idea(campaign)
    coauthor = idea.coauthors.get()
    client.force_login(coauthor)
    url = campaign.get_absolute_url()
    client.get(url)  # the session and its random seed exist from here on

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = count()
    for _ in range(12):
        other = IdeaFactory(campaign=campaign, anonymous=True)
        make_coauthor(other, UserFactory())
    assert count() == few


@pytest.mark.parametrize("role", HIDDEN_FROM)
def test_the_api_gives_no_author_to_whoever_may_not_know(role):
    idea = secret_idea()
    api = api_as(person(role, idea))
    one = api.get(f"/api/v1/ideas/{idea.pk}/")
    listed = api.get(f"/api/v1/campaigns/{idea.campaign.slug}/ideas/")
    assert one.status_code == listed.status_code == 200
    assert (one.json()["author"], one.json()["co_authors"]) == (None, [])
    assert_no_secret(one.content.decode() + listed.content.decode())


@pytest.mark.parametrize("role", SHOWN_TO)
def test_the_api_gives_the_authors_to_those_who_may_know(role):
    idea = secret_idea()
    body = api_as(person(role, idea)).get(f"/api/v1/ideas/{idea.pk}/").json()
    assert body["author"] == {"username": AUTHOR[0], "display_name": AUTHOR[1]}
    assert body["co_authors"] == [{"username": COAUTHOR[0], "display_name": COAUTHOR[1]}]


# --- comments: an author commenting on their own anonymous idea ---------------------------------


@pytest.mark.parametrize("role", HIDDEN_FROM)
def test_an_authors_comment_on_their_anonymous_idea_names_nobody(client, role):
    idea = secret_idea()
    CommentFactory(idea=idea, author=idea.author, body="Thanks for the support.")
    CommentFactory(idea=idea, author=idea.coauthors.get(), body="And we will pilot it.")
    viewer = person(role, idea)
    html = page_as(client, viewer, idea.get_absolute_url())
    assert "Thanks for the support." in html
    assert "The idea&#x27;s author" in html or "The idea's author" in html
    assert_no_secret(html)
    comments = api_as(viewer).get(f"/api/v1/ideas/{idea.pk}/comments/")
    assert [c["author"] for c in comments.json()["results"]] == [None, None]
    assert_no_secret(comments.content.decode())


def test_the_authors_comments_name_them_to_a_moderator_and_others_keep_their_names(client, moderator):
    idea = secret_idea()
    CommentFactory(idea=idea, author=idea.author, body="Thanks.")
    CommentFactory(idea=idea, author=UserFactory(display_name="Open Commenter"), body="Nice.")
    assert AUTHOR[1] in page_as(client, moderator, idea.get_absolute_url())
    client.logout()
    html = page_as(client, None, idea.get_absolute_url())
    assert "Open Commenter" in html
    assert_no_secret(html)
    body = api_as(moderator).get(f"/api/v1/ideas/{idea.pk}/comments/").json()
    assert [c["author"]["display_name"] for c in body["results"]] == [AUTHOR[1], "Open Commenter"]


# --- e-mails -----------------------------------------------------------------------------------


def run(callbacks, task, *args) -> list:
    with callbacks(execute=True):
        task(*args)
    return list(mail.outbox)


def test_a_comment_email_names_the_commenting_author_only_to_those_who_may_know(django_capture_on_commit_callbacks):
    idea = secret_idea()
    manager = person("manager", idea)
    moderator = person("moderator", idea)
    juror = person("public juror", idea)
    for follower in (manager, moderator, juror):
        IdeaFollower.objects.create(idea=idea, user=follower)
    comment = CommentFactory(idea=idea, author=idea.author, body="An update from me.")
    sent = run(django_capture_on_commit_callbacks, notifications.idea_commented, comment.pk)
    by_recipient = {message.to[0]: message for message in sent}
    for user in (manager, juror):
        message = by_recipient[user.email]
        assert_no_secret(message.body + message.alternatives[0][0] + message.subject)
    assert AUTHOR[1] in by_recipient[moderator.email].body


def test_the_weekly_digest_names_no_anonymous_author(django_capture_on_commit_callbacks):
    idea = secret_idea(campaign=CampaignFactory(allow_anonymous=True, phase=Phase.SUBMISSION))
    readers = [person(role, idea) for role in ("participant", "manager", "moderator")]
    for reader in readers:
        update_notification_settings(user=reader, weekly_digest=True)
    sent = run(django_capture_on_commit_callbacks, notifications.weekly_digest)
    assert {message.to[0] for message in sent} >= {reader.email for reader in readers}
    for message in sent:
        assert idea.title in message.body
        assert_no_secret(message.body + message.alternatives[0][0])


# --- moderation and the idea box --------------------------------------------------------------


def test_moderators_see_who_wrote_an_anonymous_idea_awaiting_approval(client, moderator):
    idea = secret_idea(campaign=CampaignFactory(allow_anonymous=True), approved=False)
    html = page_as(client, moderator, "/moderation/")
    assert idea.title in html and AUTHOR[1] in html


def test_a_manager_learns_no_name_from_an_anonymous_idea_moved_into_the_box(client):
    from jury.models import Jury
    from results import services as publication

    campaign = CampaignFactory(allow_anonymous=True, audience=Audience.INTERNAL, phase=Phase.RESULTS)
    Jury.objects.create(campaign=campaign, published_at=timezone.now() - datetime.timedelta(days=1))
    idea = secret_idea(campaign, status=Status.AWARDED)
    manager = employee(groups=["campaign managers"])
    transfer = publication.move_to_box(idea=idea, by=manager)
    copy = transfer.box_idea
    assert copy.campaign == the_box() and copy.anonymous
    html = page_as(client, manager, copy.get_absolute_url())
    assert copy.title in html
    assert_no_secret(html)
    body = api_as(manager).get(f"/api/v1/ideas/{copy.pk}/")
    assert body.json()["author"] is None
    assert_no_secret(body.content.decode())
    assert services.is_author(idea.author, Idea.objects.get(pk=copy.pk))


def test_the_comments_api_query_count_stays_flat_on_an_anonymous_idea():
    idea = secret_idea()
    api = api_as(UserFactory())
    url = f"/api/v1/ideas/{idea.pk}/comments/"

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(url).status_code == 200
        return len(captured)

    CommentFactory(idea=idea, author=idea.author)
    count()  # the forced user keeps its permission cache from here on
    few = count()
    for _ in range(6):
        CommentFactory(idea=idea, author=idea.author)
        CommentFactory(idea=idea, author=idea.coauthors.get())
    assert count() == few


def test_the_reviewers_page_names_the_author_of_an_anonymous_box_idea_to_moderators(client, moderator):
    idea = secret_idea(campaign=the_box())
    html = page_as(client, moderator, "/moderation/box/")
    assert idea.title in html and AUTHOR[1] in html


def test_a_managers_campaign_pages_name_no_anonymous_author(client):
    idea = secret_idea()
    manager = person("manager", idea)
    slug = idea.campaign.slug
    for url in (f"/campaigns/{slug}/manage/", f"/campaigns/{slug}/edit/", f"/campaigns/{slug}/", "/campaigns/"):
        assert_no_secret(page_as(client, manager, url))
    assert_no_secret(api_as(manager).get(f"/api/v1/campaigns/{slug}/").content.decode())


def test_the_api_list_query_count_stays_flat_with_anonymous_ideas():
    campaign = CampaignFactory(allow_anonymous=True)
    idea = secret_idea(campaign)
    api = api_as(idea.coauthors.get())
    url = f"/api/v1/campaigns/{campaign.slug}/ideas/"

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(url).status_code == 200
        return len(captured)

    count()  # the forced user keeps its permission cache from here on
    few = count()
    for _ in range(12):
        make_coauthor(IdeaFactory(campaign=campaign, anonymous=True), UserFactory())
    assert count() == few

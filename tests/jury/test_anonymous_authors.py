"""The jury's surfaces never name the author of an anonymous idea to whoever
may not know it (PRODUCT.md, "Ideas"): jurors (employees or members of the
public) and managers see no name on the scoring page and API (blind review
off or on), the progress page and API, the awards page and API, nor in the
jurors' e-mails. The published results (page, API, CSV) and their e-mails
are for everyone: they never name an anonymous author, whoever reads them;
nothing published stores a name. The rule itself is tested in
tests/ideas/test_anonymous_authors.py."""

import csv
import io

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest
from rest_framework.test import APIClient

from campaigns.models import Campaign, CampaignFollower, Phase
from ideas.models import Idea, Status
from jury import award_services, selectors, services
from jury.models import Award, Juror, ResultRow
from results import services as publication
from tests.factories import IdeaFactory, UserFactory, employee
from tests.ideas.test_anonymous_authors import AUTHOR, COAUTHOR, SECRETS, assert_no_secret, make_coauthor
from tests.jury.test_ranking import award
from tests.jury.test_scoring import full_scores, jury_campaign
from tests.results.test_publication import to_results, voted_campaign
from tests.results.test_results_page import published

pytestmark = pytest.mark.django_db

JURORS_AND_MANAGERS = ["public juror", "employee juror", "chair", "manager"]


def make_secret(idea: Idea) -> Idea:
    """Make this idea anonymous, by AUTHOR with COAUTHOR."""
    author = idea.author
    author.username, author.display_name = AUTHOR
    author.save(update_fields=["username", "display_name"])
    Idea.objects.filter(pk=idea.pk).update(anonymous=True)
    make_coauthor(idea, UserFactory(username=COAUTHOR[0], display_name=COAUTHOR[1]))
    idea.refresh_from_db()
    return idea


def secret_jury(**jury):
    """A deliberating campaign whose shortlist holds an anonymous idea; its
    first juror (a member of the public) chairs, a second is an employee."""
    campaign, ideas, jurors, criteria = jury_campaign(ideas=3, jurors=2, **jury)
    Juror.objects.filter(pk=jurors[1].pk).update(user=employee())
    make_secret(ideas[0])
    Award.objects.create(campaign=campaign, name="Grand prize")
    return campaign, ideas


def someone(role: str, campaign: Campaign):
    chair = Juror.objects.get(campaign=campaign, is_chair=True).user
    if role == "chair":
        return chair
    if role == "public juror":
        user = UserFactory()
        Juror.objects.create(campaign=campaign, user=user)
        return user
    if role == "employee juror":
        return Juror.objects.get(campaign=campaign, is_chair=False).user
    return {
        "visitor": lambda: None,
        "participant": UserFactory,
        "manager": lambda: UserFactory(groups=["campaign managers"]),
        "moderator": lambda: UserFactory(groups=["moderators"]),
        "administrator": lambda: UserFactory(is_superuser=True, is_staff=True),
        "author": lambda: Idea.objects.get(campaign=campaign, anonymous=True).author,
        "coauthor": lambda: UserFactory._meta.model.objects.get(username=COAUTHOR[0]),
    }[role]()


def get(client, user, url: str) -> str:
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def api_get(user, url: str):
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    response = api.get(url)
    assert response.status_code == 200, url
    return response


# --- scoring: page, htmx card and API ------------------------------------------------------------


@pytest.mark.parametrize("blind", [False, True])
@pytest.mark.parametrize("role", JURORS_AND_MANAGERS)
def test_the_scoring_page_and_api_name_no_anonymous_author(client, role, blind):
    campaign, ideas = secret_jury(blind_review=blind)
    user = someone(role, campaign)
    html = get(client, user, reverse("jury:score", args=[campaign.slug]))
    assert ideas[0].title in html
    assert_no_secret(html)
    if not blind or role == "manager":
        assert ideas[1].author.public_name in html  # other ideas keep their authors
    response = api_get(user, f"/api/v1/campaigns/{campaign.slug}/jury/ideas/")
    found = {item["id"]: item["author"] for item in response.json()["results"]}
    assert found[ideas[0].pk] is None
    assert_no_secret(response.content.decode())
    if not blind or role == "manager":
        assert found[ideas[1].pk]["username"] == ideas[1].author.username


def test_a_saved_card_names_no_anonymous_author(client):
    campaign, ideas = secret_jury()
    juror = someone("employee juror", campaign)
    client.force_login(juror)
    response = client.post(
        reverse("jury:save", args=[campaign.slug, ideas[0].pk]),
        {f"idea{ideas[0].pk}-c{pk}": 3 for pk in full_scores(selectors.criteria_of(campaign))},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Saved." in response.content.decode()
    assert_no_secret(response.content.decode())


@pytest.mark.parametrize("role", ["administrator", "moderator juror"])
def test_the_scoring_page_and_api_name_the_author_to_an_administrator_or_a_moderator(client, role):
    campaign, ideas = secret_jury()
    if role == "moderator juror":
        user = UserFactory(groups=["moderators"])
        Juror.objects.create(campaign=campaign, user=user)
    else:
        user = someone(role, campaign)
    assert AUTHOR[1] in get(client, user, reverse("jury:score", args=[campaign.slug]))
    found = api_get(user, f"/api/v1/campaigns/{campaign.slug}/jury/ideas/").json()["results"]
    assert {"username": AUTHOR[0], "display_name": AUTHOR[1]} in [item["author"] for item in found]


# --- progress and awards -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["chair", "manager"])
def test_progress_and_awards_name_no_anonymous_author(client, role):
    campaign, ideas = secret_jury()
    user = someone(role, campaign)
    pages = [reverse("jury:progress", args=[campaign.slug]), reverse("jury:awards", args=[campaign.slug])]
    api = [f"/api/v1/campaigns/{campaign.slug}/jury/progress/", f"/api/v1/campaigns/{campaign.slug}/jury/awards/"]
    for url in pages:
        html = get(client, user, url)
        assert ideas[0].title in html
        assert_no_secret(html)
    for url in api:
        assert_no_secret(api_get(user, url).content.decode())


# --- e-mails to jurors ---------------------------------------------------------------------------


def test_the_jurors_reminder_names_no_anonymous_author(django_capture_on_commit_callbacks):
    campaign, _ideas = secret_jury()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_jurors(campaign=campaign, by=someone("manager", campaign)) == 2
    for message in mail.outbox:
        assert_no_secret(message.body + message.alternatives[0][0])


# --- the published results: for everyone, never a name ----------------------------------------------

EVERYONE = [
    "visitor", "participant", "public juror", "employee juror", "chair", "manager",
    "moderator", "administrator", "author", "coauthor",
]  # fmt: skip


def published_secret() -> tuple[Campaign, Idea]:
    campaign = published(anonymous={0})
    Juror.objects.create(campaign=campaign, user=UserFactory(), is_chair=True)
    Juror.objects.create(campaign=campaign, user=employee())
    winner = make_secret(ResultRow.objects.get(campaign=campaign, rank=1).idea)
    return campaign, winner


@pytest.mark.parametrize("role", EVERYONE)
def test_the_results_page_and_api_name_no_anonymous_author_whoever_reads(client, role):
    campaign, winner = published_secret()
    user = someone(role, campaign)
    html = get(client, user, f"/campaigns/{campaign.slug}/results/")
    assert winner.title in html and "Anonymous" in html
    # The reader's own name is in the menu: look at the page's content.
    main = html.split("<main", 1)[1]
    assert_no_secret(main)
    body = api_get(user, f"/api/v1/campaigns/{campaign.slug}/results/")
    assert body.json()["ranking"][0]["idea"]["author"] is None
    assert body.json()["ranking"][1]["idea"]["author"] is not None
    assert_no_secret(body.content.decode())


@pytest.mark.parametrize("role", ["manager", "administrator"])
def test_the_results_csv_names_no_anonymous_author(client, role):
    campaign, winner = published_secret()
    second = ResultRow.objects.get(campaign=campaign, rank=2).idea
    content = get(client, someone(role, campaign), f"/campaigns/{campaign.slug}/results.csv")
    assert_no_secret(content)
    table = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
    assert table[1][2] == winner.title and table[1][3] == "Anonymous"
    assert table[2][3] == second.author.public_name


def test_nothing_published_stores_an_authors_name():
    stored = {field.name for field in ResultRow._meta.get_fields()}
    assert not stored & {"author", "authors", "author_name", "byline"}


def test_the_results_emails_name_no_anonymous_author(django_capture_on_commit_callbacks):
    campaign, ideas = voted_campaign()
    award_services.decide_award(award=award(campaign), by=UserFactory(groups=["campaign managers"]), winner=ideas[0])
    to_results(campaign)
    make_secret(ideas[0])
    followers = [UserFactory(), UserFactory(groups=["campaign managers"]), UserFactory(groups=["moderators"])]
    CampaignFollower.objects.bulk_create([CampaignFollower(campaign=campaign, user=user) for user in followers])
    with django_capture_on_commit_callbacks(execute=True):
        publication.publish_results(campaign_id=campaign.pk)
    told = {message.to[0]: message for message in mail.outbox}
    assert {user.email for user in followers} <= set(told)
    for message in mail.outbox:
        text = message.body + message.alternatives[0][0] + message.subject
        assert not {secret for secret in SECRETS if secret in text}
    assert Campaign.objects.get(pk=campaign.pk).phase == Phase.RESULTS


def test_the_scoring_page_and_api_query_counts_stay_flat_with_anonymous_ideas(client):
    campaign, _ideas = secret_jury()
    juror = someone("employee juror", campaign)
    client.force_login(juror)
    api = APIClient()
    api.force_authenticate(juror)
    urls = [reverse("jury:score", args=[campaign.slug]), f"/api/v1/campaigns/{campaign.slug}/jury/ideas/"]

    def count() -> list[int]:
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                response = (client if url == urls[0] else api).get(url)
            assert response.status_code == 200
            counts.append(len(captured))
        return counts

    count()  # the session exists from here on
    few = count()
    for _ in range(8):
        idea = IdeaFactory(campaign=campaign, status=Status.SHORTLISTED, anonymous=True)
        make_coauthor(idea, UserFactory())
    assert count() == few

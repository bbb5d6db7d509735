"""Submitting and editing ideas: who, when, and what the fields may hold."""

import datetime as dt
from html.parser import HTMLParser

from django.urls import reverse
from django.utils import timezone

import pytest
from freezegun import freeze_time

from campaigns.models import Audience, Moderation, Phase
from ideabox.exceptions import DomainError
from ideas import services
from ideas.models import Idea, IdeaFollower, Status, Tag
from tests import factories
from tests.factories import (
    CampaignFactory,
    CategoryFactory,
    IdeaFactory,
    UserFactory,
    employee,
    the_box,
    user_with_role,
)
from votes import coauthorship

pytestmark = pytest.mark.django_db


def submit(campaign, author, **kwargs):
    kwargs.setdefault("title", "Solar roofs for the depots")
    kwargs.setdefault("summary", "Cover the bus depots with solar panels.")
    return services.submit_idea(campaign=campaign, author=author, **kwargs)


def refusal(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


# --- who may submit --------------------------------------------------------------


def test_a_participant_submits_an_idea_published_at_once_and_follows_it(participant):
    campaign = CampaignFactory()
    idea = submit(campaign, participant, body="With *numbers*.")
    idea.refresh_from_db()
    assert idea.status == Status.PUBLISHED
    assert idea.approved is True
    assert idea.author == participant
    assert idea.answer_due is None
    assert IdeaFollower.objects.filter(idea=idea, user=participant).exists()
    assert idea.follower_count == 1


def test_pre_moderation_keeps_the_idea_unapproved(participant):
    campaign = CampaignFactory(moderation=Moderation.PRE)
    idea = submit(campaign, participant)
    assert idea.approved is False
    assert idea.status == Status.PUBLISHED


def test_a_box_idea_starts_under_review_with_an_answer_due(an_employee):
    box = the_box()
    now = timezone.now()
    idea = submit(box, an_employee, now=now)
    assert idea.status == Status.UNDER_REVIEW
    assert idea.answer_due == now + dt.timedelta(days=box.review_days)


def test_an_unverified_user_is_not_allowed():
    error = refusal(lambda: submit(CampaignFactory(), UserFactory(verified=False)))
    assert error.code == "not_allowed"
    assert not Idea.objects.exists()


def test_a_visitor_is_not_allowed():
    from django.contrib.auth.models import AnonymousUser

    assert refusal(lambda: submit(CampaignFactory(), AnonymousUser())).code == "not_allowed"


def test_an_internal_campaign_needs_an_employee(participant, an_employee, moderator, company_employee, company_leaver):
    campaign = CampaignFactory(audience=Audience.INTERNAL)
    # The public does not even see it, nor does a leaver of the company.
    assert refusal(lambda: submit(campaign, participant)).code == "not_found"
    assert refusal(lambda: submit(campaign, company_leaver)).code == "not_found"
    # A moderator sees it but is no employee.
    assert refusal(lambda: submit(campaign, moderator)).code == "not_allowed"
    assert submit(campaign, an_employee).pk
    assert submit(campaign, company_employee).pk


def test_the_box_needs_an_employee(participant, an_employee, company_employee, company_leaver):
    assert refusal(lambda: submit(the_box(), participant)).code == "not_found"
    assert refusal(lambda: submit(the_box(), company_leaver)).code == "not_found"
    assert submit(the_box(), an_employee).pk
    assert submit(the_box(), company_employee).pk


@pytest.mark.parametrize("phase", [Phase.DRAFT, Phase.VOTING, Phase.DELIBERATION, Phase.RESULTS, Phase.ARCHIVED])
def test_a_campaign_out_of_submission_refuses_ideas(participant, manager, phase):
    campaign = CampaignFactory(phase=phase)
    # Only managers see drafts.
    user = manager if phase == Phase.DRAFT else participant
    error = refusal(lambda: submit(campaign, user))
    assert error.code == "submission_closed"


def test_after_the_deadline_an_idea_is_refused_even_before_the_scheduler_moves_the_campaign(participant):
    campaign = CampaignFactory()
    assert campaign.phase == Phase.SUBMISSION
    with freeze_time(campaign.submission_closes + dt.timedelta(seconds=1)):
        assert refusal(lambda: submit(campaign, participant)).code == "submission_closed"
    with freeze_time(campaign.submission_closes - dt.timedelta(seconds=1)):
        assert submit(campaign, participant).pk
    assert Idea.objects.count() == 1


# --- fields ------------------------------------------------------------------------


def test_title_and_summary_are_required(participant):
    error = refusal(lambda: submit(CampaignFactory(), participant, title="  ", summary=""))
    assert error.code == "invalid"
    assert set(error.fields) == {"title", "summary"}


def test_the_category_must_belong_to_the_campaign(participant):
    campaign = CampaignFactory()
    other = CategoryFactory()
    error = refusal(lambda: submit(campaign, participant, category=other))
    assert error.code == "invalid"
    assert "category" in error.fields
    assert refusal(lambda: submit(campaign, participant, category="no-such-slug")).fields.keys() == {"category"}
    mine = CategoryFactory(campaign=campaign, slug="energy")
    assert submit(campaign, participant, category="energy").category == mine


def test_tags_are_normalised(participant):
    idea = submit(CampaignFactory(), participant, tags=["  Energy ", "energy", "Solar   Power", ""])
    assert sorted(t.name for t in idea.tags.all()) == ["energy", "solar power"]
    assert Tag.objects.count() == 2


def test_at_most_ten_tags_of_forty_characters(participant):
    campaign = CampaignFactory()
    assert refusal(lambda: submit(campaign, participant, tags=[f"t{i}" for i in range(11)])).fields.keys() == {"tags"}
    assert refusal(lambda: submit(campaign, participant, tags=["x" * 41])).fields.keys() == {"tags"}
    assert submit(campaign, participant, tags=[f"t{i}" for i in range(10)]).tags.count() == 10


def test_anonymity_only_where_the_campaign_allows_it(participant):
    error = refusal(lambda: submit(CampaignFactory(), participant, anonymous=True))
    assert error.code == "invalid"
    assert "anonymous" in error.fields
    assert submit(CampaignFactory(allow_anonymous=True), participant, anonymous=True).anonymous is True


def test_coauthors_must_be_participants_of_the_audience(participant, company_employee):
    campaign = CampaignFactory(audience=Audience.INTERNAL)
    author, colleague = employee(), employee()
    outsider = UserFactory(username="outsider")
    factories.company_leaver(username="leaver")
    error = refusal(lambda: submit(campaign, author, coauthors=["outsider", "nobody", "leaver"]))
    assert error.code == "invalid"
    assert "outsider" in error.fields["coauthors"][0]
    assert "nobody" in error.fields["coauthors"][0]
    assert "leaver" in error.fields["coauthors"][0]
    idea = submit(campaign, author, coauthors=[colleague.username, company_employee.username, author.username])
    # Named people are invited (ideas/coauthorship.py): co-authors once they accept.
    assert {row.user for row in idea.coauthorships.all()} == {colleague, company_employee}
    assert list(idea.coauthors.all()) == []
    assert not outsider.coauthorships.exists()


# --- edit --------------------------------------------------------------------------


def test_the_author_edits_while_submission_is_open(participant):
    idea = submit(CampaignFactory(), participant)
    services.edit_idea(idea=idea, by=participant, title="A better title", tags=["New"])
    idea.refresh_from_db()
    assert idea.title == "A better title"
    assert idea.summary == "Cover the bus depots with solar panels."
    assert [t.name for t in idea.tags.all()] == ["new"]


def test_a_coauthor_may_edit(participant):
    colleague = UserFactory()
    idea = submit(CampaignFactory(), participant, coauthors=[colleague.username])
    assert refusal(lambda: services.edit_idea(idea=idea, by=colleague, summary="No.")).code == "permission_denied"
    coauthorship.accept(idea=idea, user=colleague)
    services.edit_idea(idea=idea, by=colleague, summary="Shorter.")
    idea.refresh_from_db()
    assert idea.summary == "Shorter."
    assert idea.author == participant


def test_someone_else_may_not_edit(participant, moderator):
    idea = submit(CampaignFactory(), participant)
    for other in (UserFactory(), moderator):
        assert refusal(lambda o=other: services.edit_idea(idea=idea, by=o, title="Mine")).code == "permission_denied"
    idea.refresh_from_db()
    assert idea.title == "Solar roofs for the depots"


def test_no_edit_after_submission_closes_even_before_the_scheduler(participant):
    campaign = CampaignFactory()
    idea = submit(campaign, participant)
    with freeze_time(campaign.submission_closes):
        error = refusal(lambda: services.edit_idea(idea=idea, by=participant, title="Late"))
    assert error.code == "submission_closed"
    voting = IdeaFactory(campaign=CampaignFactory(phase=Phase.VOTING), author=participant)
    assert refusal(lambda: services.edit_idea(idea=voting, by=participant, title="Late")).code == "submission_closed"


def test_a_box_idea_is_editable_only_while_under_review(an_employee):
    idea = submit(the_box(), an_employee)
    services.edit_idea(idea=idea, by=an_employee, title="Clearer")
    Idea.objects.filter(pk=idea.pk).update(status=Status.ACCEPTED)
    idea.refresh_from_db()
    assert refusal(lambda: services.edit_idea(idea=idea, by=an_employee, title="Again")).code == "submission_closed"


def test_an_edit_checks_fields_like_a_submission(participant):
    campaign = CampaignFactory()
    idea = submit(campaign, participant)
    error = refusal(lambda: services.edit_idea(idea=idea, by=participant, title="", anonymous=True))
    assert set(error.fields) == {"title", "anonymous"}


def test_editing_can_clear_the_category(participant):
    campaign = CampaignFactory()
    CategoryFactory(campaign=campaign, slug="energy")
    idea = submit(campaign, participant, category="energy")
    services.edit_idea(idea=idea, by=participant, category=None)
    idea.refresh_from_db()
    assert idea.category is None


# --- the pages ---------------------------------------------------------------------


def form_data(**kwargs):
    data = {"title": "Bike racks at every station", "summary": "Secure racks.", "body": "", "tags": "bike, Station"}
    data.update(kwargs)
    return data


def test_the_submit_page_offers_similar_ideas_while_typing(client, participant):
    campaign = CampaignFactory()
    client.force_login(participant)
    response = client.get(reverse("ideas:submit", args=[campaign.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'hx-get="/campaigns/{campaign.slug}/ideas/similar/"' in html
    assert 'hx-trigger="keyup changed delay:400ms"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'id="similar-ideas"' in html


class _Elements(HTMLParser):
    """The start tags of a page, in order, as (tag, attributes)."""

    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def _element_after_the_title(html: str):
    parser = _Elements()
    parser.feed(html)
    tags = parser.elements
    title = next(i for i, (tag, attrs) in enumerate(tags) if tag == "input" and attrs.get("name") == "title")
    return tags[title][1], tags[title + 1]


@pytest.mark.parametrize("page", ["submit", "edit"])
def test_the_similar_ideas_hint_comes_right_after_the_title_and_is_announced(client, participant, page):
    campaign = CampaignFactory()
    client.force_login(participant)
    if page == "submit":
        url = reverse("ideas:submit", args=[campaign.slug])
    else:
        url = reverse("ideas:edit", args=[IdeaFactory(campaign=campaign, author=participant).pk])
    html = client.get(url).content.decode()
    title, (tag, attrs) = _element_after_the_title(html)
    assert (tag, attrs.get("id"), attrs.get("aria-live")) == ("div", "similar-ideas", "polite")
    assert title["aria-describedby"] == "similar-ideas"
    assert html.count('id="similar-ideas"') == 1


def test_submitting_the_form_creates_the_idea_and_shows_it(client, participant):
    campaign = CampaignFactory()
    client.force_login(participant)
    response = client.post(reverse("ideas:submit", args=[campaign.slug]), form_data())
    idea = Idea.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/ideas/{idea.pk}/"
    assert sorted(t.name for t in idea.tags.all()) == ["bike", "station"]


def test_a_refused_form_is_shown_again_with_its_errors_and_a_400(client, participant):
    campaign = CampaignFactory()
    client.force_login(participant)
    response = client.post(reverse("ideas:submit", args=[campaign.slug]), form_data(title="", coauthors="ghost"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html
    assert not Idea.objects.exists()
    response = client.post(reverse("ideas:submit", args=[campaign.slug]), form_data(coauthors="ghost"))
    assert response.status_code == 400
    assert "ghost" in response.content.decode()


def test_a_late_form_is_refused_with_a_message(client, participant):
    campaign = CampaignFactory()
    client.force_login(participant)
    with freeze_time(campaign.submission_closes + dt.timedelta(minutes=1)):
        response = client.post(reverse("ideas:submit", args=[campaign.slug]), form_data())
    assert response.status_code == 302
    assert not Idea.objects.exists()


def test_the_box_submit_page_is_for_employees(client, participant, an_employee):
    client.force_login(participant)
    assert client.get(reverse("ideas:box_submit")).status_code == 404
    client.force_login(an_employee)
    assert client.get(reverse("ideas:box_submit")).status_code == 200
    response = client.post(reverse("ideas:box_submit"), form_data())
    assert response.status_code == 302
    assert Idea.objects.get().status == Status.UNDER_REVIEW


def test_the_anonymous_checkbox_appears_only_where_allowed(client, participant):
    client.force_login(participant)
    plain = client.get(reverse("ideas:submit", args=[CampaignFactory().slug])).content.decode()
    assert 'name="anonymous"' not in plain
    allowing = CampaignFactory(allow_anonymous=True)
    assert 'name="anonymous"' in client.get(reverse("ideas:submit", args=[allowing.slug])).content.decode()


SUBMIT_MATRIX = [
    # (who, audience, phase, expected status of GET /campaigns/<slug>/ideas/new/)
    ("visitor", Audience.PUBLIC, Phase.SUBMISSION, 302),
    ("unverified", Audience.PUBLIC, Phase.SUBMISSION, 302),
    ("participant", Audience.PUBLIC, Phase.SUBMISSION, 200),
    ("participant", Audience.PUBLIC, Phase.VOTING, 302),
    ("participant", Audience.INTERNAL, Phase.SUBMISSION, 404),
    ("employee", Audience.INTERNAL, Phase.SUBMISSION, 200),
    ("employee", Audience.INTERNAL, Phase.VOTING, 302),
    ("moderator", Audience.INTERNAL, Phase.SUBMISSION, 302),
    ("manager", Audience.PUBLIC, Phase.DRAFT, 302),
    ("participant", Audience.PUBLIC, Phase.DRAFT, 404),
]


def make_user(who):
    return user_with_role(who)


@pytest.mark.parametrize(("who", "audience", "phase", "expected"), SUBMIT_MATRIX)
def test_submit_page_permissions(client, who, audience, phase, expected):
    campaign = CampaignFactory(audience=audience, phase=phase)
    user = make_user(who)
    if user:
        client.force_login(user)
    response = client.get(reverse("ideas:submit", args=[campaign.slug]))
    assert response.status_code == expected
    if who == "visitor":
        assert "/accounts/login/" in response["Location"]


def test_the_edit_page_for_the_author_only(client, participant):
    idea = IdeaFactory(campaign=CampaignFactory(), author=participant)
    client.force_login(UserFactory())
    assert client.get(reverse("ideas:edit", args=[idea.pk])).status_code == 302
    client.force_login(participant)
    response = client.get(reverse("ideas:edit", args=[idea.pk]))
    assert response.status_code == 200
    assert idea.title in response.content.decode()
    response = client.post(reverse("ideas:edit", args=[idea.pk]), form_data(title="Renamed"))
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.title == "Renamed"


def test_someone_elses_edit_post_changes_nothing(client, participant):
    idea = IdeaFactory(campaign=CampaignFactory(), author=participant, title="Original")
    client.force_login(UserFactory())
    response = client.post(reverse("ideas:edit", args=[idea.pk]), form_data(title="Hijacked"))
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.title == "Original"


def test_the_edit_page_of_an_invisible_idea_is_a_404(client, an_employee):
    idea = IdeaFactory(campaign=CampaignFactory(audience=Audience.INTERNAL), author=an_employee)
    client.force_login(UserFactory())
    assert client.get(reverse("ideas:edit", args=[idea.pk])).status_code == 404
    assert client.get("/ideas/999999/edit/").status_code == 404

"""The jury pages: setup, scoring (htmx and without JavaScript), progress,
and the public panel on the campaign page."""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest
from freezegun import freeze_time

from campaigns.models import Audience, Phase
from ideas.models import Idea, Status
from jury import services
from jury.models import Award, AwardBasis, Conflict, Criterion, Evaluation, Juror, Jury, Score, Wildcard
from tests.factories import (
    COMPANY_ROLES,
    CampaignFactory,
    IdeaFactory,
    UserFactory,
    company_leaver,
    the_box,
    user_with_role,
)
from tests.jury.test_scoring import full_scores, jury_campaign, manager_user

pytestmark = pytest.mark.django_db

OTHERS = ["visitor", "unverified", "participant", "employee", "moderator", *COMPANY_ROLES]


def logged_in(client, user):
    if user is not None:
        client.force_login(user)
    return client


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# --- setup page ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*OTHERS, "juror", "chair"])
@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
def test_the_setup_page_is_for_managers_only(client, role, audience):
    campaign, _ideas, jurors, _criteria = jury_campaign(phase=Phase.SUBMISSION, audience=audience)
    user = {"juror": jurors[1].user, "chair": jurors[0].user}.get(role) or user_with_role(role)
    url = reverse("jury:setup", args=[campaign.slug])
    assert logged_in(client, user).get(url).status_code == 404
    assert client.post(url, {"action": "add_criterion", "name": "X", "weight": 1}).status_code == 404
    assert not Criterion.objects.filter(name="X").exists()


@pytest.mark.parametrize("phase", [Phase.DRAFT, Phase.SUBMISSION, Phase.VOTING, Phase.DELIBERATION, Phase.RESULTS])
def test_a_manager_opens_the_setup_page_in_every_phase(client, phase):
    campaign = CampaignFactory(phase=phase)
    client.force_login(manager_user())
    response = client.get(reverse("jury:setup", args=[campaign.slug]))
    assert response.status_code == 200
    assert not Jury.objects.exists()  # reading the page writes nothing
    content = response.content.decode()
    add_criterion = reverse("jury:setup-add-criterion", args=[campaign.slug])
    assert (f'action="{add_criterion}"' in content) == (phase in (Phase.DRAFT, Phase.SUBMISSION))
    assert f'action="{reverse("jury:setup-add-juror", args=[campaign.slug])}"' in content


def test_the_manage_page_links_to_the_setup_page(client):
    campaign = CampaignFactory(phase=Phase.DRAFT)
    client.force_login(manager_user())
    response = client.get(reverse("campaigns:manage", args=[campaign.slug]))
    assert reverse("jury:setup", args=[campaign.slug]) in response.content.decode()


def test_the_idea_box_has_no_setup_page(client):
    client.force_login(manager_user())
    assert client.get(reverse("jury:setup", args=[the_box().slug])).status_code == 404


def test_a_manager_sets_up_the_jury_with_the_forms(client):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    client.force_login(manager_user())
    url = reverse("jury:setup", args=[campaign.slug])
    UserFactory(username="alice")
    posts = [
        {
            "action": "settings",
            "public_weight": "0.25",
            "shortlist_size": "4",
            "disagreement_threshold": "1",
            "blind_review": "on",
        },
        {"action": "add_juror", "who": "alice", "chair": "on"},
        {"action": "add_criterion", "name": "Impact", "description": "", "weight": "2"},
        {"action": "add_criterion", "name": "Cost", "description": "", "weight": "1"},
        {"action": "add_award", "name": "Grand prize", "prize": "A trip", "basis": "jury"},
    ]
    for data in posts:
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
    jury = Jury.objects.get(campaign=campaign)
    assert jury.blind_review
    assert str(jury.public_weight) == "0.25"
    campaign.refresh_from_db()
    assert campaign.shortlist_size == 4
    assert Juror.objects.get(campaign=campaign).is_chair
    impact, cost = Criterion.objects.filter(campaign=campaign)
    response = client.post(url, {"action": "move_criterion", "id": cost.pk, "direction": "up"})
    assert response.status_code == 302
    assert list(Criterion.objects.filter(campaign=campaign).values_list("name", flat=True)) == ["Cost", "Impact"]
    response = client.post(
        url,
        {
            "action": "update_criterion",
            "id": impact.pk,
            f"crit{impact.pk}-name": "Reach",
            f"crit{impact.pk}-weight": "7",
        },
    )
    assert response.status_code == 302
    assert Criterion.objects.get(pk=impact.pk).weight == 7
    award = Award.objects.get()
    assert client.post(url, {"action": "delete_award", "id": award.pk}).status_code == 302
    assert not Award.objects.exists()


def test_each_setup_form_posts_to_its_own_action(client):
    campaign, _ideas, jurors, _criteria = jury_campaign(phase=Phase.SUBMISSION)
    Award.objects.create(campaign=campaign, name="A", position=0)
    Award.objects.create(campaign=campaign, name="B", position=1)
    client.force_login(manager_user())
    content = client.get(reverse("jury:setup", args=[campaign.slug])).content.decode()
    setup = reverse("jury:setup", args=[campaign.slug])
    posted_to = {url for url in re.findall(r'<form method="post" action="([^"]+)"', content) if url.startswith(setup)}
    assert 'name="action"' not in content
    assert posted_to == {reverse(f"jury:setup-{name}", args=[campaign.slug]) for name in SETUP_ACTION_NAMES}


SETUP_ACTION_NAMES = [
    "settings",
    "add-juror",
    "remove-juror",
    "set-chair",
    "add-criterion",
    "update-criterion",
    "delete-criterion",
    "move-criterion",
    "add-award",
    "update-award",
    "delete-award",
    "move-award",
]


def test_a_manager_sets_up_the_jury_through_each_actions_address(client):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    client.force_login(manager_user())
    UserFactory(username="bob")

    def post(name, data):
        response = client.post(reverse(f"jury:setup-{name}", args=[campaign.slug]), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"] == reverse("jury:setup", args=[campaign.slug])

    post("settings", {"public_weight": "0.3", "shortlist_size": "5", "disagreement_threshold": "1"})
    post("add-juror", {"who": "bob"})
    juror = Juror.objects.get(campaign=campaign)
    post("set-chair", {"juror": juror.pk})
    post("add-criterion", {"name": "Impact", "weight": "2"})
    post("add-criterion", {"name": "Cost", "weight": "1"})
    impact, cost = Criterion.objects.filter(campaign=campaign)
    post("move-criterion", {"id": cost.pk, "direction": "up"})
    post("update-criterion", {"id": impact.pk, f"crit{impact.pk}-name": "Reach", f"crit{impact.pk}-weight": "3"})
    post("delete-criterion", {"id": cost.pk})
    post("add-award", {"name": "Grand prize", "basis": "jury"})
    award = Award.objects.get(campaign=campaign)
    post("update-award", {"id": award.pk, f"award{award.pk}-name": "Big prize", f"award{award.pk}-basis": "jury"})
    post("move-award", {"id": award.pk, "direction": "down"})
    post("delete-award", {"id": award.pk})
    post("remove-juror", {"id": juror.pk})
    assert str(Jury.objects.get(campaign=campaign).public_weight) == "0.30"
    assert list(Criterion.objects.filter(campaign=campaign).values_list("name", "weight")) == [("Reach", 3)]
    assert not Award.objects.exists() and not Juror.objects.exists()


@pytest.mark.parametrize("name", SETUP_ACTION_NAMES)
@pytest.mark.parametrize("role", [*OTHERS, "juror", "chair", "manager"])
def test_a_setup_action_is_for_managers_only(client, name, role):
    campaign, _ideas, jurors, _criteria = jury_campaign(phase=Phase.SUBMISSION, ideas=0, criteria=0)
    user = {"juror": jurors[1].user, "chair": jurors[0].user, "manager": manager_user()}.get(role)
    logged_in(client, user or user_with_role(role))
    url = reverse(f"jury:setup-{name}", args=[campaign.slug])
    response = client.post(url, {})
    if role != "manager":
        assert response.status_code == 404
        return
    # An empty form: refused and shown again, but "no chair" is a choice.
    assert response.status_code == (302 if name == "set-chair" else 400)
    assert client.get(url).status_code == 405


@pytest.mark.parametrize(
    "data",
    [
        {"action": "add_juror", "who": "nobody"},
        {"action": "add_criterion", "name": "", "weight": "1"},
        {"action": "add_criterion", "name": "Impact", "weight": "500"},
        {"action": "settings", "public_weight": "2", "shortlist_size": "3", "disagreement_threshold": "1"},
        {"action": "add_award", "name": "X", "basis": "nobody"},
        {"action": "delete_criterion", "id": "999999"},
        {"action": "delete_criterion", "id": "abc"},
        {"action": "set_chair", "juror": "999999"},
        {"action": "dance"},
        {},
    ],
)
def test_a_refused_setup_form_is_shown_again_with_status_400(client, data):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    client.force_login(manager_user())
    response = client.post(reverse("jury:setup", args=[campaign.slug]), data)
    assert response.status_code == 400
    assert b'role="alert"' in response.content or b"field-errors" in response.content


def test_the_locked_setup_refuses_with_a_message(client):
    campaign = CampaignFactory(phase=Phase.VOTING)
    criterion = Criterion.objects.create(campaign=campaign, name="Impact")
    client.force_login(manager_user())
    url = reverse("jury:setup", args=[campaign.slug])
    response = client.post(url, {"action": "delete_criterion", "id": criterion.pk})
    assert response.status_code == 400
    assert "fixed once voting opens" in response.content.decode()
    response = client.post(url, {"action": "add_criterion", "name": "New", "weight": "1"})
    assert response.status_code == 400
    assert Criterion.objects.count() == 1


def test_the_setup_page_queries_stay_flat(client):
    def count(n):
        campaign, _ideas, _jurors, _criteria = jury_campaign(phase=Phase.SUBMISSION, ideas=0, jurors=n, criteria=n)
        for i in range(n):
            Award.objects.create(campaign=campaign, name=f"A{i}", position=i)
        return queries(client, reverse("jury:setup", args=[campaign.slug]))

    client.force_login(manager_user())
    assert count(3) == count(30)


# --- scoring page ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", OTHERS)
@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
def test_the_jury_page_is_hidden_from_everyone_else(client, role, audience):
    campaign, ideas, _jurors, criteria = jury_campaign(audience=audience)
    logged_in(client, user_with_role(role))
    assert client.get(reverse("jury:score", args=[campaign.slug])).status_code == 404
    save = reverse("jury:save", args=[campaign.slug, ideas[0].pk])
    assert client.post(save, {f"idea{ideas[0].pk}-c{criteria[0].pk}": "3"}).status_code == 404
    assert client.post(reverse("jury:conflict", args=[campaign.slug, ideas[0].pk]), {}).status_code == 404
    assert not Score.objects.exists() and not Conflict.objects.exists()


@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
@pytest.mark.parametrize("phase", [Phase.SUBMISSION, Phase.VOTING, Phase.DELIBERATION, Phase.RESULTS])
def test_jurors_and_managers_open_the_jury_page(client, audience, phase):
    """A juror from outside the company sees an internal campaign's jury page,
    and so does one whose company sign-in is too old to make an employee."""
    campaign, _ideas, jurors, _criteria = jury_campaign(audience=audience, phase=phase)
    leaver = Juror.objects.create(campaign=campaign, user=company_leaver())
    for user in (jurors[1].user, jurors[0].user, leaver.user, manager_user()):
        client.force_login(user)
        assert client.get(reverse("jury:score", args=[campaign.slug])).status_code == 200


def test_the_jury_page_shows_the_grid_progress_and_labels(client):
    campaign, ideas, jurors, criteria = jury_campaign(ideas=4, jurors=3, disagreement_threshold=1)
    me = jurors[1]
    ideas[0].coauthors.add(me.user)
    services.declare_conflict(campaign=campaign, user=me.user, idea=ideas[1])
    services.save_evaluation(campaign=campaign, user=me.user, idea=ideas[2], scores={criteria[0].pk: 4}, comment="")
    services.save_evaluation(
        campaign=campaign, user=jurors[0].user, idea=ideas[3], scores=full_scores(criteria, 0), comment=""
    )
    services.save_evaluation(
        campaign=campaign, user=jurors[2].user, idea=ideas[3], scores=full_scores(criteria, 5), comment=""
    )
    client.force_login(me.user)
    content = client.get(reverse("jury:score", args=[campaign.slug])).content.decode()
    assert "1 of 4 scores given" in content
    assert "Your idea — you cannot score it." in content
    assert "Conflict of interest declared" in content
    assert "Disputed: the jurors disagree" in content
    assert f'name="idea{ideas[2].pk}-c{criteria[0].pk}" value="4"' in content
    assert 'type="radio"' in content and "<legend>" in content
    assert f'hx-post="{reverse("jury:save", args=[campaign.slug, ideas[2].pk])}"' in content
    assert "Declare a conflict of interest" in content
    assert ideas[2].author.public_name in content


def test_blind_review_hides_authors_and_votes_from_jurors(client):
    campaign, ideas, jurors, _criteria = jury_campaign(blind_review=True)
    ideas[0].author.display_name = "Visible Author"
    ideas[0].author.save()
    client.force_login(jurors[0].user)
    content = client.get(reverse("jury:score", args=[campaign.slug])).content.decode()
    assert "Visible Author" not in content
    assert 'class="jury-votes"' not in content
    client.force_login(manager_user())
    content = client.get(reverse("jury:score", args=[campaign.slug])).content.decode()
    assert "Visible Author" in content and 'class="jury-votes"' in content


def test_a_juror_saves_scores_with_htmx(client):
    campaign, ideas, jurors, criteria = jury_campaign()
    client.force_login(jurors[0].user)
    idea = ideas[0]
    response = client.post(
        reverse("jury:save", args=[campaign.slug, idea.pk]),
        {f"idea{idea.pk}-c{criteria[0].pk}": "5", f"idea{idea.pk}-comment": "Strong"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert content.strip().startswith("<article")
    assert 'aria-live="polite"' in content and "Saved." in content
    assert 'id="jury-progress" hx-swap-oob="true">1 of 6 scores given' in content
    checked = re.search(rf'name="idea{idea.pk}-c{criteria[0].pk}" value="(\d)"[^>]*checked', content)
    assert checked and checked.group(1) == "5"
    evaluation = Evaluation.objects.get()
    assert evaluation.comment == "Strong"
    assert {s.criterion_id: s.value for s in evaluation.scores.all()} == {criteria[0].pk: 5}


def card_of(html: str, idea) -> str:
    """An idea's card on the jury page."""
    found = re.search(rf'<article class="card jury-card" id="idea-{idea.pk}".*?</article>', html, re.S)
    assert found, f"no card for idea {idea.pk}"
    return found.group(0)


def top_messages(html: str) -> str:
    """The page's messages above its content (base.html)."""
    found = re.search(r'<ul class="messages">.*?</ul>', html, re.S)
    return found.group(0) if found else ""


def test_a_juror_saves_scores_without_javascript(client):
    campaign, ideas, jurors, criteria = jury_campaign()
    client.force_login(jurors[0].user)
    idea = ideas[0]
    data = {f"idea{idea.pk}-c{c.pk}": "2" for c in criteria}
    response = client.post(reverse("jury:save", args=[campaign.slug, idea.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("jury:score", args=[campaign.slug]) + f"#idea-{idea.pk}"
    assert Score.objects.count() == len(criteria)
    # The anchor lands on the card (which takes the focus): the message is
    # inside it, not at the top of the page that the anchor scrolls past.
    html = client.get(response["Location"]).content.decode()
    card = card_of(html, idea)
    assert 'tabindex="-1"' in card.split(">", 1)[0]
    assert '<p class="message success" role="status">Your scores were saved.</p>' in card
    assert "Your scores were saved." not in card_of(html, ideas[1])
    assert "Your scores were saved." not in top_messages(html)
    assert html.count("Your scores were saved.") == 1
    # Shown once: the next visit has no message.
    assert "Your scores were saved." not in client.get(response["Location"]).content.decode()
    # an emptied choice clears the score
    client.post(reverse("jury:save", args=[campaign.slug, idea.pk]), {f"idea{idea.pk}-c{criteria[0].pk}": ""})
    assert Score.objects.count() == len(criteria) - 1


def test_refused_saves_answer_without_a_500(client):
    campaign, ideas, jurors, criteria = jury_campaign()
    own = IdeaFactory(campaign=campaign, status=Status.SHORTLISTED, author=jurors[0].user)
    client.force_login(jurors[0].user)
    htmx = {"HX-Request": "true"}
    url = reverse("jury:save", args=[campaign.slug, own.pk])
    response = client.post(url, {f"idea{own.pk}-c{criteria[0].pk}": "3"}, headers=htmx)
    assert response.status_code == 403
    assert "cannot score" in response.content.decode()
    url = reverse("jury:save", args=[campaign.slug, ideas[0].pk])
    response = client.post(url, {f"idea{ideas[0].pk}-c{criteria[0].pk}": "9"}, headers=htmx)
    assert response.status_code == 400
    response = client.post(url, {f"idea{ideas[0].pk}-c{criteria[0].pk}": "9"})
    assert response.status_code == 302
    published = IdeaFactory(campaign=campaign)
    assert client.post(reverse("jury:save", args=[campaign.slug, published.pk]), {}).status_code == 404
    assert client.post(reverse("jury:save", args=[campaign.slug, 999999]), {}).status_code == 404
    assert client.get(url).status_code == 405
    assert not Score.objects.exists()


def test_a_refused_save_without_javascript_is_said_in_the_card(client):
    campaign, ideas, jurors, criteria = jury_campaign()
    client.force_login(jurors[0].user)
    idea = ideas[1]
    response = client.post(
        reverse("jury:save", args=[campaign.slug, idea.pk]), {f"idea{idea.pk}-c{criteria[0].pk}": "9"}, follow=True
    )
    assert response.redirect_chain == [(reverse("jury:score", args=[campaign.slug]) + f"#idea-{idea.pk}", 302)]
    html = response.content.decode()
    assert '<p class="message error" role="alert">Some scores are not valid.</p>' in card_of(html, idea)
    assert "Some scores are not valid." not in top_messages(html)


def test_messages_about_no_card_stay_at_the_top_of_the_jury_page(client):
    campaign, ideas, jurors, _criteria = jury_campaign()
    client.force_login(jurors[0].user)
    client.post(reverse("jury:conflict", args=[campaign.slug, ideas[0].pk]), {})
    # the idea left the shortlist meanwhile: its card is gone, its message stays visible
    Idea.objects.filter(pk=ideas[0].pk).update(status=Status.PUBLISHED)
    html = client.get(reverse("jury:score", args=[campaign.slug])).content.decode()
    assert "Conflict of interest declared: you will not score this idea." in top_messages(html)


def test_scores_are_saved_as_the_juror_goes_with_htmx(client):
    campaign, ideas, jurors, _criteria = jury_campaign()
    client.force_login(jurors[0].user)
    html = client.get(reverse("jury:score", args=[campaign.slug])).content.decode()
    assert "{#" not in html and "#}" not in html  # no template comment shown as text
    card = card_of(html, ideas[0])
    form = re.search(r'<form method="post" action="[^"]*/scores/"[^>]*>', card).group(0)
    assert 'hx-trigger="change, submit"' in form and 'hx-sync="this:replace"' in form
    # the swapped form listens at once: a choice made just after a swap is saved too
    assert 'hx-swap="outerHTML settle:0ms"' in form
    # a comment being typed while a choice is saved is kept through the swap
    assert re.search(r'<textarea name="idea\d+-comment"[^>]* hx-preserve="true"', card)
    # the focus comes back to the button after the swap: it has an id, as the choices do
    assert f'<button type="submit" id="idea-{ideas[0].pk}-save">Save my scores</button>' in card


def test_a_juror_declares_a_conflict_from_the_page(client):
    campaign, ideas, jurors, _criteria = jury_campaign()
    client.force_login(jurors[0].user)
    response = client.post(
        reverse("jury:conflict", args=[campaign.slug, ideas[0].pk]),
        {"reason": "Friend"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Conflict of interest declared" in response.content.decode()
    assert Conflict.objects.get().reason == "Friend"
    response = client.post(reverse("jury:conflict", args=[campaign.slug, ideas[0].pk]), {})
    assert response.status_code == 302  # refused (already declared), told by a message


def test_the_page_is_read_only_once_scoring_closes(client):
    campaign, ideas, jurors, criteria = jury_campaign()
    services.save_evaluation(
        campaign=campaign, user=jurors[0].user, idea=ideas[0], scores=full_scores(criteria, 4), comment="Fine"
    )
    client.force_login(jurors[0].user)
    with freeze_time(campaign.deliberation_ends + datetime.timedelta(hours=1)):
        content = client.get(reverse("jury:score", args=[campaign.slug])).content.decode()
        response = client.post(
            reverse("jury:save", args=[campaign.slug, ideas[0].pk]), {f"idea{ideas[0].pk}-c{criteria[0].pk}": "1"}
        )
    assert "Scoring is closed" in content
    assert 'type="radio"' not in content and "hx-post" not in content
    assert "Fine" in content and "<dd>4</dd>" in content
    assert response.status_code == 302
    assert set(Score.objects.values_list("value", flat=True)) == {4}


def test_the_jury_page_queries_stay_flat(client):
    def count(n):
        campaign, ideas, jurors, criteria = jury_campaign(ideas=n, jurors=3, criteria=3)
        for idea in ideas:
            services.save_evaluation(
                campaign=campaign, user=jurors[0].user, idea=idea, scores=full_scores(criteria), comment="c"
            )
            idea.coauthors.add(UserFactory())
        services.declare_conflict(campaign=campaign, user=jurors[0].user, idea=ideas[-1])
        client.force_login(jurors[0].user)
        return queries(client, reverse("jury:score", args=[campaign.slug]))

    assert count(3) == count(30)


# --- progress page -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*OTHERS, "juror"])
@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
def test_the_progress_page_is_hidden_from_everyone_else(client, role, audience):
    campaign, _ideas, jurors, _criteria = jury_campaign(audience=audience)
    user = jurors[1].user if role == "juror" else user_with_role(role)
    logged_in(client, user)
    assert client.get(reverse("jury:progress", args=[campaign.slug])).status_code == 404
    assert client.post(reverse("jury:remind", args=[campaign.slug])).status_code == 404


@pytest.mark.parametrize("role", [*OTHERS, "juror", "chair", "manager"])
@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
def test_the_wildcard_buttons_are_for_managers_only(client, role, audience):
    campaign, _ideas, jurors, _criteria = jury_campaign(audience=audience)
    published = IdeaFactory(campaign=campaign, status=Status.PUBLISHED)
    wildcard = services.add_wildcard(campaign=campaign, by=manager_user(), idea=IdeaFactory(campaign=campaign).pk)
    user = {"juror": jurors[1].user, "chair": jurors[0].user, "manager": manager_user()}.get(role)
    logged_in(client, user or user_with_role(role))
    added = client.post(reverse("jury:wildcard-add", args=[campaign.slug]), {"idea": published.pk})
    removed = client.post(reverse("jury:wildcard-remove", args=[campaign.slug, wildcard.pk]))
    if role == "manager":
        assert (added.status_code, removed.status_code) == (302, 302)
        assert list(Wildcard.objects.values_list("idea", flat=True)) == [published.pk]
        return
    assert (added.status_code, removed.status_code) == (404, 404)
    assert list(Wildcard.objects.values_list("pk", flat=True)) == [wildcard.pk]
    assert Idea.objects.get(pk=published.pk).status == Status.PUBLISHED


def test_the_chair_sees_the_progress_without_the_buttons(client):
    campaign, _ideas, jurors, _criteria = jury_campaign(audience=Audience.INTERNAL)
    IdeaFactory(campaign=campaign)
    client.force_login(jurors[0].user)
    response = client.get(reverse("jury:progress", args=[campaign.slug]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "0 of" in content
    assert reverse("jury:remind", args=[campaign.slug]) not in content
    assert reverse("jury:wildcard-add", args=[campaign.slug]) not in content
    assert client.post(reverse("jury:wildcard-add", args=[campaign.slug]), {"idea": 1}).status_code == 404


def test_a_manager_sees_progress_and_reminds(client, mailoutbox, django_capture_on_commit_callbacks):
    campaign, ideas, jurors, criteria = jury_campaign(disagreement_threshold=1)
    services.save_evaluation(
        campaign=campaign, user=jurors[0].user, idea=ideas[0], scores=full_scores(criteria, 0), comment=""
    )
    services.save_evaluation(
        campaign=campaign, user=jurors[1].user, idea=ideas[0], scores=full_scores(criteria, 5), comment=""
    )
    client.force_login(manager_user())
    content = client.get(reverse("jury:progress", args=[campaign.slug])).content.decode()
    assert "2 of 6" in content and "Not finished" in content
    assert ">Disputed<" in content
    assert "Remind the jurors who have not finished" in content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("jury:remind", args=[campaign.slug]))
    assert response.status_code == 302
    assert len(mailoutbox) == 2


def test_a_manager_adds_and_removes_a_wildcard_from_the_page(client):
    campaign, _ideas, _jurors, _criteria = jury_campaign()
    idea = IdeaFactory(campaign=campaign, title="Dark horse")
    client.force_login(manager_user())
    content = client.get(reverse("jury:progress", args=[campaign.slug]) + "?q=dark").content.decode()
    assert f'<option value="{idea.pk}">' in content
    response = client.post(reverse("jury:wildcard-add", args=[campaign.slug]), {"idea": idea.pk, "reason": "Bold"})
    assert response.status_code == 302
    wildcard = Wildcard.objects.get()
    response = client.post(reverse("jury:wildcard-remove", args=[campaign.slug, wildcard.pk]))
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.status == Status.PUBLISHED


@pytest.mark.parametrize("value", ["", "abc", "999999"])
def test_a_refused_wildcard_is_shown_with_status_400(client, value):
    campaign, _ideas, _jurors, _criteria = jury_campaign()
    client.force_login(manager_user())
    response = client.post(reverse("jury:wildcard-add", args=[campaign.slug]), {"idea": value})
    assert response.status_code == 400
    assert not Wildcard.objects.exists()


def test_the_progress_page_queries_stay_flat(client):
    def count(n):
        campaign, ideas, jurors, criteria = jury_campaign(ideas=n, jurors=n)
        for idea in ideas:
            services.save_evaluation(
                campaign=campaign, user=jurors[0].user, idea=idea, scores=full_scores(criteria), comment=""
            )
        for _ in range(n):
            IdeaFactory(campaign=campaign)
        return queries(client, reverse("jury:progress", args=[campaign.slug]))

    client.force_login(manager_user())
    assert count(3) == count(30)


# --- the public panel on the campaign page ---------------------------------------------------


def test_the_campaign_page_shows_the_jury_before_voting(client):
    campaign, _ideas, jurors, criteria = jury_campaign(phase=Phase.SUBMISSION, ideas=0)
    jurors[0].user.display_name = "Chair Person"
    jurors[0].user.save()
    Award.objects.create(campaign=campaign, name="Public's choice", prize="A mug", basis=AwardBasis.PUBLIC)
    content = client.get(campaign.get_absolute_url()).content.decode()
    assert "Jury and awards" in content
    assert "Chair Person (chair)" in content
    assert criteria[1].name in content and "weight 2" in content
    assert "Public&#x27;s choice" in content and "A mug" in content and "Decided by the votes" in content
    assert "public vote × 0.50 + jury score × 0.50" in content
    assert "The 10 most supported ideas" in content


@pytest.mark.parametrize("phase", [Phase.SUBMISSION, Phase.VOTING, Phase.DELIBERATION, Phase.RESULTS])
@pytest.mark.parametrize("role", [*OTHERS, "manager", "juror", "chair"])
def test_the_panel_shows_jurors_the_way_to_their_page_and_the_chair_to_the_awards(client, role, phase):
    campaign, _ideas, jurors, _criteria = jury_campaign(phase=phase, ideas=0)
    user = {"juror": jurors[1].user, "chair": jurors[0].user}.get(role) or user_with_role(role)
    content = logged_in(client, user).get(campaign.get_absolute_url()).content.decode()
    score_link = f'href="{reverse("jury:score", args=[campaign.slug])}"'
    awards_link = f'href="{reverse("jury:awards", args=[campaign.slug])}"'
    assert (score_link in content) == (role in ("juror", "chair"))
    assert ("Score the shortlisted ideas" in content) == (role in ("juror", "chair") and phase == Phase.DELIBERATION)
    assert (awards_link in content) == (role == "chair" and phase == Phase.DELIBERATION)


def test_the_jury_page_links_to_the_awards(client):
    campaign, _ideas, jurors, _criteria = jury_campaign()
    awards_link = f'<a href="{reverse("jury:awards", args=[campaign.slug])}">'
    client.force_login(jurors[0].user)
    assert (
        awards_link + "Decide the awards</a>"
        in client.get(reverse("jury:score", args=[campaign.slug])).content.decode()
    )
    client.force_login(jurors[1].user)
    assert awards_link + "The awards</a>" in client.get(reverse("jury:score", args=[campaign.slug])).content.decode()


def test_the_campaign_page_shows_no_panel_without_a_jury(client):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    assert "Jury and awards" not in client.get(campaign.get_absolute_url()).content.decode()
    Jury.objects.create(campaign=campaign)
    assert "Jury and awards" not in client.get(campaign.get_absolute_url()).content.decode()


def test_the_panel_keeps_the_campaign_page_queries_flat(client):
    def count(n):
        campaign, _ideas, _jurors, _criteria = jury_campaign(phase=Phase.SUBMISSION, ideas=0, jurors=n, criteria=n)
        for i in range(n):
            Award.objects.create(campaign=campaign, name=f"A{i}", position=i)
        return queries(client, campaign.get_absolute_url())

    count(3)  # the first page of the test fills caches (e.g. the idea box, content types)
    assert count(3) == count(30)


def test_the_panel_finds_a_jurors_seat_without_a_query_more(client):
    def count(n, seated):
        campaign, _ideas, jurors, _criteria = jury_campaign(phase=Phase.DELIBERATION, ideas=0, jurors=n)
        client.force_login(jurors[-1].user if seated else UserFactory())
        return queries(client, campaign.get_absolute_url())

    count(3, True)
    assert count(3, True) == count(30, True) == count(3, False)


def test_blind_review_hides_the_votes_from_the_chair_on_the_progress_page(client):
    campaign, _ideas, jurors, _criteria = jury_campaign(blind_review=True)
    client.force_login(jurors[0].user)
    assert 'class="jury-votes"' not in client.get(reverse("jury:progress", args=[campaign.slug])).content.decode()
    client.force_login(manager_user())
    assert 'class="jury-votes"' in client.get(reverse("jury:progress", args=[campaign.slug])).content.decode()

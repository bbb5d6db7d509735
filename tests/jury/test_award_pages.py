"""The award page, /campaigns/<slug>/jury/awards/: who sees it and who
decides (role × audience × phase), the forms and their refusals, the
undecide button, public awards shown as decided by the votes, blind review,
and flat query counts."""

from django.db import connection

import pytest

from campaigns.models import Audience, Phase
from jury import award_services
from jury.models import Award, AwardBasis, Jury
from tests.factories import ROLES, user_with_role
from tests.jury.test_awards import tallied
from tests.jury.test_ranking import award, criterion, juror, ranked_campaign, score

pytestmark = pytest.mark.django_db

ALL_ROLES = (*ROLES, "juror", "chair")
SEES = {"manager", "juror", "chair"}
DECIDES = {"manager", "chair"}


def page(campaign) -> str:
    return f"/campaigns/{campaign.slug}/jury/awards/"


def login_as(client, campaign, role):
    if role in ("juror", "chair"):
        user = juror(campaign, chair=role == "chair").user
    else:
        user = user_with_role(role)
    if user is not None:
        client.force_login(user)
    return user


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.DELIBERATION, Phase.RESULTS])
def test_who_sees_the_award_page_and_who_gets_the_forms(client, role, audience, phase):
    campaign, _ideas = ranked_campaign(audience=audience, phase=phase)
    grand = award(campaign, "Grand prize")
    login_as(client, campaign, role)

    response = client.get(page(campaign))

    if role not in SEES:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    content = response.content.decode()
    assert "Grand prize" in content
    has_form = f"/jury/awards/{grand.pk}/decide/" in content
    assert has_form == (role in DECIDES and phase == Phase.DELIBERATION)
    if role == "juror" and phase == Phase.DELIBERATION:
        assert "you see them read-only" in content


def test_the_page_shows_the_ranking_flags_the_decision_and_the_way_out(client, manager):
    campaign, (first, second, third) = ranked_campaign(threshold="1.00")
    innovation = criterion(campaign)
    score(juror(campaign), second, {innovation: 0})
    score(juror(campaign), second, {innovation: 5})
    grand = award(campaign, "Grand prize", prize="A trip to Lisbon")
    award(campaign, "Public's choice", basis=AwardBasis.PUBLIC)
    tallied(campaign)
    client.force_login(manager)

    content = client.get(page(campaign)).content.decode()

    assert "A trip to Lisbon" in content and "Decided by the votes" in content
    assert "The most voted idea" not in content
    assert "Unscored" in content and "Disputed" in content
    assert "cannot leave deliberation" in content
    assert f"/campaigns/{campaign.slug}/manage/" in content
    # the top-ranked idea won the public award: the next one is offered by default
    assert f'<option value="{second.pk}" selected>' in content
    assert "Decide the public awards" not in content

    award_services.decide_award(award=grand, by=manager, winner=second)
    content = client.get(page(campaign)).content.decode()
    assert "may leave deliberation" in content
    assert f"Decided by {manager.public_name}" in content
    assert f"/jury/awards/{grand.pk}/undecide/" in content
    assert third.title in content


def test_the_chair_decides_from_the_page(client):
    campaign, (first, *_rest) = ranked_campaign()
    grand = award(campaign)
    chair = login_as(client, campaign, "chair")

    response = client.post(f"{page(campaign)}{grand.pk}/decide/", {f"award-{grand.pk}-winner": first.pk})

    assert response.status_code == 302
    stored = Award.objects.get(pk=grand.pk)
    assert (stored.winner_id, stored.decided_by_id) == (first.pk, chair.pk)


def test_departing_without_a_justification_redisplays_the_form_with_its_error(client, manager):
    campaign, (_first, second, _third) = ranked_campaign()
    grand = award(campaign)
    client.force_login(manager)
    url = f"{page(campaign)}{grand.pk}/decide/"

    response = client.post(url, {f"award-{grand.pk}-winner": second.pk})

    assert response.status_code == 400
    assert "explain the choice" in response.content.decode()
    assert Award.objects.get(pk=grand.pk).winner_id is None

    response = client.post(url, {f"award-{grand.pk}-winner": second.pk, f"award-{grand.pk}-justification": "Sound."})
    assert response.status_code == 302
    assert Award.objects.get(pk=grand.pk).justification == "Sound."


def test_an_idea_that_already_won_is_refused_with_a_409_on_the_form(client, manager):
    campaign, (first, *_rest) = ranked_campaign()
    grand, special = award(campaign, "Grand prize"), award(campaign, "Special mention")
    award_services.decide_award(award=grand, by=manager, winner=first)
    client.force_login(manager)

    response = client.post(
        f"{page(campaign)}{special.pk}/decide/",
        {f"award-{special.pk}-winner": first.pk, f"award-{special.pk}-justification": "Again."},
    )

    assert response.status_code == 409
    assert "already won another award" in response.content.decode()


@pytest.mark.parametrize("winner", ["abc", "", "999999", "-1"])
def test_a_bad_winner_is_a_400_not_a_500(client, manager, winner):
    campaign, _ideas = ranked_campaign()
    grand = award(campaign)
    client.force_login(manager)

    response = client.post(f"{page(campaign)}{grand.pk}/decide/", {f"award-{grand.pk}-winner": winner})

    assert response.status_code == 400


def test_a_juror_who_is_not_the_chair_is_refused_on_the_form(client):
    campaign, (first, *_rest) = ranked_campaign()
    grand = award(campaign)
    login_as(client, campaign, "juror")

    response = client.post(f"{page(campaign)}{grand.pk}/decide/", {f"award-{grand.pk}-winner": first.pk})

    assert response.status_code == 403
    assert "Only the chair" in response.content.decode()
    assert Award.objects.get(pk=grand.pk).winner_id is None


@pytest.mark.parametrize("role", ["visitor", "participant", "employee", "moderator"])
def test_the_buttons_are_404_for_everyone_off_the_jury(client, role):
    campaign, (first, *_rest) = ranked_campaign()
    grand = award(campaign)
    login_as(client, campaign, role)

    for url, data in (
        (f"{page(campaign)}{grand.pk}/decide/", {f"award-{grand.pk}-winner": first.pk}),
        (f"{page(campaign)}{grand.pk}/undecide/", {}),
    ):
        assert client.post(url, data).status_code == 404, url
    assert Award.objects.get(pk=grand.pk).winner_id is None


def test_an_award_of_another_campaign_or_an_unknown_one_is_404(client, manager):
    campaign, (first, *_rest) = ranked_campaign()
    other, _ideas = ranked_campaign()
    elsewhere = award(other)
    client.force_login(manager)

    assert client.post(f"{page(campaign)}{elsewhere.pk}/decide/", {}).status_code == 404
    assert client.post(f"{page(campaign)}999999/undecide/").status_code == 404
    assert client.get("/campaigns/no-such-campaign/jury/awards/").status_code == 404


def test_the_buttons_take_only_post(client, manager):
    campaign, _ideas = ranked_campaign()
    grand = award(campaign)
    client.force_login(manager)

    assert client.get(f"{page(campaign)}{grand.pk}/decide/").status_code == 405
    assert client.post(page(campaign)).status_code == 405


def test_undecide_from_the_page(client, manager):
    campaign, (first, _second, _third) = ranked_campaign()
    grand = award(campaign)
    award_services.decide_award(award=grand, by=manager, winner=first)
    client.force_login(manager)

    response = client.post(f"{page(campaign)}{grand.pk}/undecide/", follow=True)
    assert "was taken back" in response.content.decode()
    assert Award.objects.get(pk=grand.pk).winner_id is None


def test_a_refusal_after_deliberation_becomes_a_message(client, manager):
    campaign, (first, *_rest) = ranked_campaign(phase=Phase.RESULTS)
    grand = award(campaign)
    client.force_login(manager)

    response = client.post(f"{page(campaign)}{grand.pk}/undecide/", follow=True)

    assert response.status_code == 200
    assert "Awards are decided while the campaign deliberates" in response.content.decode()


@pytest.mark.parametrize(("role", "sees_votes"), [("manager", True), ("chair", False), ("juror", False)])
def test_blind_review_hides_the_votes_from_jurors(client, role, sees_votes):
    campaign, _ideas = ranked_campaign()
    Jury.objects.filter(campaign=campaign).update(blind_review=True)
    login_as(client, campaign, role)

    content = client.get(page(campaign)).content.decode()

    assert ('<th scope="col">Votes</th>' in content) == sees_votes


# --- query counts ------------------------------------------------------------------------------


def build(n: int):
    campaign, ideas = ranked_campaign(n=n)
    innovation = criterion(campaign)
    seats = [juror(campaign) for _ in range(3)]
    for i, idea in enumerate(ideas):
        for seat in seats:
            score(seat, idea, {innovation: i % 6})
    grand = award(campaign, "Grand prize")
    award(campaign, "Special mention")
    award(campaign, "Public's choice", basis=AwardBasis.PUBLIC)
    tallied(campaign)
    award_services.decide_public_awards_from_tally(campaign_id=campaign.pk)  # to the first idea
    return campaign, ideas, grand


def queries_of(call) -> int:
    """How many queries `call` runs (counted as they run: CaptureQueriesContext
    miscounts once a request has reset the connection's query log)."""
    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        call()
    return count


@pytest.mark.parametrize("role", ["manager", "chair", "juror"])
def test_the_award_page_takes_as_many_queries_for_3_as_for_30_ideas(client, django_assert_num_queries, role):
    small, small_ideas, small_award = build(3)
    login_as(client, small, role)
    award_services.decide_award(award=small_award, by=user_with_role("manager"), winner=small_ideas[1])
    client.get(page(small))  # the session and the permission caches warm up
    expected = queries_of(lambda: client.get(page(small)))
    assert expected > 5

    large, large_ideas, large_award = build(30)
    login_as(client, large, role)
    award_services.decide_award(award=large_award, by=user_with_role("manager"), winner=large_ideas[1])
    client.get(page(large))

    with django_assert_num_queries(expected):
        assert client.get(page(large)).status_code == 200


def test_a_chair_from_outside_the_company_decides_on_an_internal_campaign(client):
    campaign, (first, *_rest) = ranked_campaign(audience=Audience.INTERNAL)
    grand = award(campaign)
    outsider = user_with_role("participant")
    juror(campaign, chair=True, user=outsider)
    client.force_login(outsider)

    assert client.get(page(campaign)).status_code == 200
    response = client.post(f"{page(campaign)}{grand.pk}/decide/", {f"award-{grand.pk}-winner": first.pk})

    assert response.status_code == 302
    assert Award.objects.get(pk=grand.pk).winner_id == first.pk

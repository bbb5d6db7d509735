"""Public awards follow the votes alone (PRODUCT.md, "Jury and awards"):
decided from the tally when voting closes, before any jury decision
(jury.tasks.tally_and_decide_public_awards, queued by leaving voting), the
jury then sees the idea as taken; a winner hidden before publication means
the award is decided again from the tally, recorded; the hand-operated
"decide the public awards" action is gone; the "top-ranked idea that may
win" hint never contradicts a recorded decision."""

import datetime
import threading
from unittest import mock

from django.db import OperationalError, connection, connections, transaction
from django.urls import NoReverseMatch, reverse

import pytest
from rest_framework.test import APIClient

from campaigns import lifecycle
from campaigns import services as campaign_services
from campaigns.models import Campaign, Phase
from ideabox.celery import app as celery_app
from ideabox.exceptions import DomainError
from ideas.models import Idea
from jury import award_services, tasks
from jury.models import Award, AwardBasis, Jury, PublicAwardDecision
from results import services as publication
from tests.concurrency import at_once
from tests.factories import CampaignFactory, IdeaFactory, UserFactory, user_with_role
from tests.jury.test_ranking import T0, award, juror
from tests.votes.test_tally import cast_many, voters
from votes import tally
from votes.models import Tally

pytestmark = pytest.mark.django_db

REPORTED = (8, 7, 5, 2)  # the tester's campaign: Public's choice went to the 5-vote idea


def voting_campaign(votes=REPORTED, *, allow_multiple=False, public_awards=("Public's choice",), **kwargs):
    """A campaign at the end of its vote, not tallied yet: ideas with these
    votes (submitted in this order), a Grand prize and a Special mention
    decided by the jury and the given public awards (public weight 0.5)."""
    kwargs.setdefault("phase", Phase.VOTING)
    kwargs.setdefault("shortlist_size", len(votes))
    campaign = CampaignFactory(**kwargs)
    Jury.objects.create(campaign=campaign, public_weight="0.50", allow_multiple_awards=allow_multiple)
    ideas = []
    for i, n in enumerate(votes):
        idea = IdeaFactory(campaign=campaign, created_at=T0 + datetime.timedelta(minutes=i))
        cast_many(idea, voters(n))
        ideas.append(idea)
    award(campaign, "Grand prize")
    award(campaign, "Special mention")
    for name in public_awards:
        award(campaign, name, basis=AwardBasis.PUBLIC)
    return campaign, ideas


def closed(campaign) -> Campaign:
    Campaign.objects.filter(pk=campaign.pk).update(phase=Phase.DELIBERATION)
    campaign.phase = Phase.DELIBERATION
    return campaign


def the(campaign, name: str) -> Award:
    return Award.objects.get(campaign=campaign, name=name)


def winner_of(campaign, name: str = "Public's choice") -> int | None:
    return the(campaign, name).winner_id


def hide(idea) -> None:
    Idea.objects.filter(pk=idea.pk).update(hidden=True, hidden_reason="Off-topic.")


# --- decided when voting closes, before any jury decision -------------------------------------


def test_leaving_voting_queues_the_task_that_tallies_and_decides_the_public_awards(
    manager, django_capture_on_commit_callbacks
):
    campaign, (eight, *_rest) = voting_campaign()

    with django_capture_on_commit_callbacks(execute=True):
        campaign_services.transition_campaign(campaign=campaign, to=Phase.DELIBERATION, by=manager)

    assert tasks.tally_and_decide_public_awards.name == lifecycle.AFTER_VOTING_TASK
    assert lifecycle.AFTER_VOTING_TASK in celery_app.tasks
    assert Tally.objects.filter(campaign=campaign).exists()
    public = the(campaign, "Public's choice")
    assert (public.winner_id, public.decided_by_id, public.justification) == (eight.pk, None, "")
    assert public.decided_at is not None


def test_the_reported_case_public_choice_goes_to_the_8_vote_idea_whatever_the_jury_does(manager):
    campaign, (eight, seven, five, _two) = voting_campaign()
    closed(campaign)
    tasks.tally_and_decide_public_awards(campaign.pk)
    chair = juror(campaign, chair=True).user

    # The jury tries to give its prizes to the 8- and 7-vote ideas first:
    # the 8-vote idea is taken (Public's choice took it when voting closed).
    with pytest.raises(DomainError) as caught:
        award_services.decide_award(
            award=the(campaign, "Grand prize"), by=chair, winner=eight, justification="Popular."
        )
    assert (caught.value.code, caught.value.status) == ("already_awarded", 409)
    award_services.decide_award(award=the(campaign, "Grand prize"), by=chair, winner=seven)
    award_services.decide_award(award=the(campaign, "Special mention"), by=chair, winner=five)

    campaign_services.transition_campaign(campaign=campaign, to=Phase.RESULTS, by=manager)
    publication.publish_results(campaign_id=campaign.pk)

    assert winner_of(campaign) == eight.pk
    assert PublicAwardDecision.objects.filter(award__campaign=campaign).count() == 1


def test_the_public_award_is_decided_before_the_jury_may_decide_anything(manager):
    campaign, (eight, seven, *_rest) = voting_campaign()
    closed(campaign)

    # the votes are not counted yet: no jury decision may come first
    with pytest.raises(DomainError) as caught:
        award_services.decide_award(
            award=the(campaign, "Grand prize"), by=manager, winner=seven, justification="Early."
        )
    assert caught.value.code == "awards_closed"
    assert not Award.objects.filter(campaign=campaign, decided_at__isnull=False).exists()

    tasks.tally_and_decide_public_awards(campaign.pk)
    assert winner_of(campaign) == eight.pk
    assert (
        award_services.decide_award(award=the(campaign, "Grand prize"), by=manager, winner=seven).winner_id == seven.pk
    )


def test_the_task_run_twice_changes_nothing():
    campaign, (eight, *_rest) = voting_campaign()
    closed(campaign)
    tasks.tally_and_decide_public_awards(campaign.pk)
    first = Award.objects.filter(campaign=campaign).values_list("pk", "winner_id", "decided_at").order_by("pk")
    first = list(first)
    computed = Tally.objects.get(campaign=campaign).computed_at

    tasks.tally_and_decide_public_awards(campaign.pk)

    assert (
        list(Award.objects.filter(campaign=campaign).values_list("pk", "winner_id", "decided_at").order_by("pk"))
        == first
    )
    assert Tally.objects.get(campaign=campaign).computed_at == computed
    assert PublicAwardDecision.objects.filter(award__campaign=campaign).count() == 1
    assert winner_of(campaign) == eight.pk


def test_a_worker_killed_between_the_tally_and_the_decision_leaves_no_tally_behind():
    campaign, (eight, *_rest) = voting_campaign()
    closed(campaign)

    killed = mock.patch.object(
        award_services, "decide_public_awards_from_tally", side_effect=OperationalError("killed")
    )
    with killed, pytest.raises(OperationalError):
        award_services.tally_and_decide_public_awards(campaign_id=campaign.pk)

    # one transaction: no tally without its public awards, so the sweep
    # (which re-queues the task for a campaign past voting without a tally) repairs it
    assert not Tally.objects.filter(campaign=campaign).exists()
    assert winner_of(campaign) is None
    tasks.tally_and_decide_public_awards(campaign.pk)
    assert winner_of(campaign) == eight.pk


def test_the_task_retries_transient_errors_only():
    assert OperationalError in tasks.tally_and_decide_public_awards.autoretry_for
    assert tally.VotesChanged in tasks.tally_and_decide_public_awards.autoretry_for
    assert DomainError not in tasks.tally_and_decide_public_awards.autoretry_for
    assert tasks.tally_and_decide_public_awards.max_retries


def test_the_task_returns_for_a_missing_campaign_or_one_still_voting():
    campaign, _ideas = voting_campaign()
    assert tasks.tally_and_decide_public_awards(987654) is None
    assert tasks.tally_and_decide_public_awards(campaign.pk) is None
    assert winner_of(campaign) is None and not Tally.objects.exists()


# --- ties, several public awards, several awards per idea, no votes ---------------------------


def test_ties_break_as_the_ranking_does_earlier_submission_then_lower_id():
    campaign, (first, second, third) = voting_campaign((5, 5, 5), public_awards=("One", "Two", "Three"))
    # the first two were submitted at the same moment: the lower id wins
    Idea.objects.filter(pk__in=[first.pk, second.pk]).update(created_at=T0 + datetime.timedelta(hours=1))
    Idea.objects.filter(pk=third.pk).update(created_at=T0)
    closed(campaign)

    tasks.tally_and_decide_public_awards(campaign.pk)

    assert [winner_of(campaign, name) for name in ("One", "Two", "Three")] == [third.pk, first.pk, second.pk]


def test_an_idea_may_win_every_public_award_when_the_campaign_allows_several():
    campaign, (eight, *_rest) = voting_campaign(allow_multiple=True, public_awards=("Public's choice", "Fan prize"))
    closed(campaign)

    tasks.tally_and_decide_public_awards(campaign.pk)

    assert winner_of(campaign, "Public's choice") == winner_of(campaign, "Fan prize") == eight.pk
    # and the jury may give it a prize too
    grand = award_services.decide_award(award=the(campaign, "Grand prize"), by=user_with_role("manager"), winner=eight)
    assert grand.winner_id == eight.pk


def test_without_a_single_vote_the_public_award_is_decided_with_no_winner_and_blocks_nothing(manager):
    campaign, ideas = voting_campaign((0, 0))
    closed(campaign)

    tasks.tally_and_decide_public_awards(campaign.pk)

    public = the(campaign, "Public's choice")
    assert public.winner_id is None and public.decided_at is not None
    history = PublicAwardDecision.objects.get(award=public)
    assert (history.winner_id, history.reason) == (None, PublicAwardDecision.Reason.TALLY)
    for name, idea in zip(("Grand prize", "Special mention"), ideas, strict=True):
        award_services.decide_award(award=the(campaign, name), by=manager, winner=idea, justification="Our pick.")
    assert award_services.overview(campaign).may_leave_deliberation
    assert campaign_services.transition_campaign(campaign=campaign, to=Phase.RESULTS, by=manager)


def test_an_idea_hidden_before_the_tally_cannot_win():
    campaign, (eight, seven, *_rest) = voting_campaign()
    hide(eight)
    closed(campaign)

    tasks.tally_and_decide_public_awards(campaign.pk)

    assert winner_of(campaign) == seven.pk


# --- a winner hidden before publication -------------------------------------------------------


def test_a_hidden_winner_means_the_award_is_decided_again_from_the_tally_recorded(manager):
    campaign, (eight, seven, five, _two) = voting_campaign()
    closed(campaign)
    tasks.tally_and_decide_public_awards(campaign.pk)
    award_services.decide_award(award=the(campaign, "Grand prize"), by=manager, winner=seven)

    hide(eight)
    award_services.overview(campaign)  # the award page, as the chair opens it

    # the 7-vote idea holds the Grand prize: the next most voted idea
    assert winner_of(campaign) == five.pk
    last = PublicAwardDecision.objects.filter(award__campaign=campaign).latest("pk")
    assert (last.reason, last.previous_winner_id, last.winner_id, last.votes) == (
        PublicAwardDecision.Reason.WINNER_HIDDEN,
        eight.pk,
        five.pk,
        5,
    )
    # the jury award is kept as it was
    assert winner_of(campaign, "Grand prize") == seven.pk


def test_publication_decides_again_when_the_winner_was_hidden_after_leaving_deliberation(manager):
    campaign, (eight, seven, five, two) = voting_campaign()
    closed(campaign)
    tasks.tally_and_decide_public_awards(campaign.pk)
    award_services.decide_award(award=the(campaign, "Grand prize"), by=manager, winner=seven)
    award_services.decide_award(award=the(campaign, "Special mention"), by=manager, winner=five, justification="Bold.")
    campaign_services.transition_campaign(campaign=campaign, to=Phase.RESULTS, by=manager)

    hide(eight)  # before the publication task runs
    publication.publish_results(campaign_id=campaign.pk)

    assert winner_of(campaign) == two.pk
    assert PublicAwardDecision.objects.filter(award__campaign=campaign).latest("pk").previous_winner_id == eight.pk


def test_a_jury_decision_sees_the_award_decided_again_first(manager):
    campaign, (eight, seven, *_rest) = voting_campaign()
    closed(campaign)
    tasks.tally_and_decide_public_awards(campaign.pk)
    hide(eight)

    # nobody opened the page: deciding the Grand prize still finds the 7-vote idea taken
    with pytest.raises(DomainError) as caught:
        award_services.decide_award(
            award=the(campaign, "Grand prize"), by=manager, winner=seven, justification="Popular."
        )
    assert caught.value.code == "already_awarded"
    # the refused request changed nothing; the next read decides the award again
    assert winner_of(campaign) == eight.pk
    award_services.overview(campaign)
    assert winner_of(campaign) == seven.pk


def test_after_publication_nothing_is_decided_again(manager):
    campaign, (eight, seven, five, _two) = voting_campaign()
    closed(campaign)
    tasks.tally_and_decide_public_awards(campaign.pk)
    award_services.decide_award(award=the(campaign, "Grand prize"), by=manager, winner=seven)
    award_services.decide_award(award=the(campaign, "Special mention"), by=manager, winner=five)
    campaign_services.transition_campaign(campaign=campaign, to=Phase.RESULTS, by=manager)
    publication.publish_results(campaign_id=campaign.pk)

    hide(eight)
    award_services.overview(campaign)
    publication.publish_results(campaign_id=campaign.pk)

    assert winner_of(campaign) == eight.pk


def test_a_jury_award_whose_winner_is_hidden_is_kept_and_flagged(manager, client):
    campaign, (eight, seven, *_rest) = voting_campaign()
    closed(campaign)
    tasks.tally_and_decide_public_awards(campaign.pk)
    award_services.decide_award(award=the(campaign, "Grand prize"), by=manager, winner=seven)

    hide(seven)
    view = award_services.overview(campaign)

    assert winner_of(campaign, "Grand prize") == seven.pk
    assert [a.name for a in view.hidden_winners] == ["Grand prize"]
    client.force_login(manager)
    content = client.get(reverse("jury:awards", args=[campaign.slug])).content.decode()
    assert "hidden by moderation" in content


# --- the hand-operated action is gone; what a decider may still do ----------------------------


def test_the_decide_public_awards_page_and_endpoint_are_gone(manager):
    campaign, _ideas = voting_campaign()
    closed(campaign)
    with pytest.raises(NoReverseMatch):
        reverse("jury:awards-decide_public", args=[campaign.slug])
    api = APIClient()
    api.force_authenticate(manager)
    assert api.post(f"/api/v1/campaigns/{campaign.slug}/jury/awards/decide-public/").status_code == 404
    assert not hasattr(award_services, "decide_public_awards")


def test_a_public_award_is_neither_decided_nor_taken_back_by_hand(manager):
    campaign, (eight, seven, *_rest) = voting_campaign()
    closed(campaign)
    tasks.tally_and_decide_public_awards(campaign.pk)
    public = the(campaign, "Public's choice")

    for call in (
        lambda: award_services.decide_award(award=public, by=manager, winner=seven, justification="Mine."),
        lambda: award_services.undecide_award(award=public, by=manager),
    ):
        with pytest.raises(DomainError) as caught:
            call()
        assert caught.value.code == "invalid"
    assert winner_of(campaign) == eight.pk


def test_the_api_refuses_a_jury_award_for_the_publicly_awarded_idea_with_409(manager):
    campaign, (eight, *_rest) = voting_campaign()
    closed(campaign)
    tasks.tally_and_decide_public_awards(campaign.pk)
    api = APIClient()
    api.force_authenticate(manager)

    response = api.put(
        f"/api/v1/campaigns/{campaign.slug}/jury/awards/{the(campaign, 'Grand prize').pk}/",
        {"winner": eight.pk, "justification": "The crowd loved it."},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "already_awarded"


# --- the hint and what the page and API say ---------------------------------------------------


def test_the_hint_never_points_to_an_idea_that_already_won(manager):
    campaign, (eight, seven, five, _two) = voting_campaign()
    closed(campaign)
    tasks.tally_and_decide_public_awards(campaign.pk)
    grand, special = the(campaign, "Grand prize"), the(campaign, "Special mention")

    view = award_services.overview(campaign)
    # the 8-vote idea is the top of the ranking (no jury scores), but it is taken
    assert view.standings[0].idea.pk == eight.pk
    assert view.suggestions[grand.pk] == seven.pk
    assert view.suggestions[the(campaign, "Public's choice").pk] == eight.pk  # its decided winner

    award_services.decide_award(award=grand, by=manager, winner=five, justification="Ready to build.")
    view = award_services.overview(campaign)
    assert view.suggestions[special.pk] == seven.pk
    assert view.suggestions[grand.pk] == seven.pk


def test_the_page_shows_the_public_award_as_decided_by_the_votes_with_its_count(client, manager):
    campaign, (eight, *_rest) = voting_campaign()
    closed(campaign)
    tasks.tally_and_decide_public_awards(campaign.pk)
    client.force_login(manager)

    content = client.get(reverse("jury:awards", args=[campaign.slug])).content.decode()

    assert "Decided by the votes" in content
    assert "The most voted idea" not in content
    assert "Decide the public awards" not in content
    assert "8 votes" in content
    public = the(campaign, "Public's choice")
    assert f"/jury/awards/{public.pk}/undecide/" not in content
    assert f"/jury/awards/{public.pk}/decide/" not in content


def test_the_page_shows_the_history_of_a_public_award_decided_again(client, manager):
    campaign, (eight, seven, *_rest) = voting_campaign()
    closed(campaign)
    tasks.tally_and_decide_public_awards(campaign.pk)
    hide(eight)
    client.force_login(manager)

    content = client.get(reverse("jury:awards", args=[campaign.slug])).content.decode()

    assert "Decided again from the tally: the winner was hidden" in content
    assert f"#{eight.pk}" in content


def test_the_api_gives_the_public_winners_votes_and_history(manager):
    campaign, (eight, seven, *_rest) = voting_campaign()
    closed(campaign)
    tasks.tally_and_decide_public_awards(campaign.pk)
    hide(eight)
    api = APIClient()
    api.force_authenticate(manager)

    body = api.get(f"/api/v1/campaigns/{campaign.slug}/jury/awards/").json()

    public = next(a for a in body["awards"] if a["basis"] == "public")
    assert public["winner"] == {"id": seven.pk, "title": seven.title}
    assert public["votes"] == 7
    assert [(h["reason"], h["previous_winner"], h["winner"]) for h in public["history"]] == [
        ("tally", None, eight.pk),
        ("winner_hidden", eight.pk, seven.pk),
    ]
    grand = next(a for a in body["awards"] if a["name"] == "Grand prize")
    assert grand["votes"] is None and grand["history"] == []


def test_a_juror_sees_the_previous_winners_number_and_a_manager_its_title(client, manager):
    campaign, (eight, *_rest) = voting_campaign()
    closed(campaign)
    tasks.tally_and_decide_public_awards(campaign.pk)
    Idea.objects.filter(pk=eight.pk).update(title="A title moderation hid")
    hide(eight)
    member = juror(campaign).user

    client.force_login(member)
    as_juror = client.get(reverse("jury:awards", args=[campaign.slug])).content.decode()
    client.force_login(manager)
    as_manager = client.get(reverse("jury:awards", args=[campaign.slug])).content.decode()

    assert f"previous winner #{eight.pk}" in as_juror and "A title moderation hid" not in as_juror
    assert "A title moderation hid" in as_manager


# --- campaigns tallied before this rule, and the admin ----------------------------------------


def legacy_campaign(manager):
    """Tallied by the tally alone (before public awards came with it): its
    public award undecided, as when this rule was deployed."""
    campaign, ideas = voting_campaign()
    closed(campaign)
    tally.tally_campaign(campaign_id=campaign.pk)
    return campaign, ideas


def test_a_campaign_tallied_before_gets_its_public_award_on_leaving_deliberation(manager):
    campaign, (eight, seven, five, _two) = legacy_campaign(manager)
    Award.objects.filter(campaign=campaign, basis=AwardBasis.JURY, name="Grand prize").update(
        winner=seven, decided_at=T0
    )
    Award.objects.filter(campaign=campaign, name="Special mention").update(winner=five, decided_at=T0)

    campaign_services.transition_campaign(campaign=campaign, to=Phase.RESULTS, by=manager)

    assert winner_of(campaign) == eight.pk
    assert PublicAwardDecision.objects.get(award__campaign=campaign).reason == PublicAwardDecision.Reason.TALLY


def test_a_campaign_tallied_before_gets_its_public_award_before_a_jury_decision(manager):
    campaign, (eight, *_rest) = legacy_campaign(manager)

    with pytest.raises(DomainError) as caught:
        award_services.decide_award(
            award=the(campaign, "Grand prize"), by=manager, winner=eight, justification="Popular."
        )

    assert caught.value.code == "already_awarded"
    award_services.overview(campaign)  # the refusal changed nothing: the page decides it
    assert winner_of(campaign) == eight.pk


def test_the_admin_shows_award_decisions_without_letting_anyone_change_them(client):
    campaign, (eight, seven, *_rest) = voting_campaign()
    closed(campaign)
    tasks.tally_and_decide_public_awards(campaign.pk)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    public = the(campaign, "Public's choice")

    client.post(
        f"/admin/jury/award/{public.pk}/change/",
        {
            "campaign": campaign.pk,
            "name": public.name,
            "position": public.position,
            "prize": "",
            "basis": "public",
            "winner": seven.pk,
            "decided_at_0": "2026-01-01",
            "decided_at_1": "00:00",
        },
    )
    decision = PublicAwardDecision.objects.get(award=public)
    history = client.post(f"/admin/jury/publicawarddecision/{decision.pk}/change/", {"reason": "winner_hidden"})

    assert winner_of(campaign) == eight.pk
    assert history.status_code == 403 or PublicAwardDecision.objects.get(pk=decision.pk).reason == "tally"
    assert client.get("/admin/jury/publicawarddecision/").status_code == 200


# --- two runs at once (PostgreSQL) ------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_tally_once_and_decide_once():
    campaign, (eight, *_rest) = voting_campaign()
    closed(campaign)

    results = at_once(
        lambda: tasks.tally_and_decide_public_awards(campaign.pk),
        lambda: tasks.tally_and_decide_public_awards(campaign.pk),
    )

    assert results == [22, 22]
    assert winner_of(campaign) == eight.pk
    assert PublicAwardDecision.objects.filter(award__campaign=campaign).count() == 1
    assert Tally.objects.filter(campaign=campaign).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_reading_the_awards_does_not_wait_for_a_tally_that_holds_the_campaign():
    campaign, _ideas = voting_campaign()
    closed(campaign)
    held, done = threading.Event(), threading.Event()

    def tally_running():
        try:
            with transaction.atomic():
                Campaign.objects.select_for_update().get(pk=campaign.pk)
                held.set()
                done.wait(10)
        finally:
            connections.close_all()

    worker = threading.Thread(target=tally_running)
    worker.start()
    try:
        assert held.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '1s'")
        view = award_services.overview(campaign)  # a lock wait would fail here after 1 s
        assert [a.name for a in view.blocking] == ["Grand prize", "Special mention", "Public's choice"]
    finally:
        done.set()
        worker.join()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")


def as_json_schema(node):
    """OpenAPI 3.0's `nullable` in JSON Schema terms, for jsonschema."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: as_json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def test_the_schema_describes_the_awards_answer_and_no_decide_public_endpoint(manager):
    import jsonschema

    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    assert not [path for path in schema["paths"] if "decide-public" in path]
    operation = schema["paths"]["/api/v1/campaigns/{slug}/jury/awards/"]["get"]
    reference = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][reference.rsplit("/", 1)[1]]
    campaign, (eight, *_rest) = voting_campaign()
    closed(campaign)
    tasks.tally_and_decide_public_awards(campaign.pk)
    hide(eight)
    api = APIClient()
    api.force_authenticate(manager)

    body = api.get(f"/api/v1/campaigns/{campaign.slug}/jury/awards/").json()

    jsonschema.validate(
        body,
        as_json_schema({**component, "components": schema["components"]}),
        cls=jsonschema.Draft202012Validator,
    )
    award_schema = schema["components"]["schemas"]["AwardDecision"]
    assert {"votes", "history"} <= set(award_schema["required"])

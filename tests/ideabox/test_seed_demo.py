from pathlib import Path

from django.core.management import call_command

import pytest

from accounts import roles
from accounts.models import User
from campaigns.models import Audience, Campaign, Kind, Moderation, Phase
from ideas.models import Comment, Idea, Report, Status

pytestmark = pytest.mark.django_db


def seed(**options):
    call_command("seed_demo", verbosity=0, **options)


def test_seed_demo_creates_every_demo_account_with_its_role():
    seed(extra_ideas=0)
    users = {u.username: u for u in User.objects.all()}
    expected = (
        ["admin", "manager", "moderator", "jury1", "jury2", "jury3"]
        + [f"employee{n}" for n in range(1, 6)]
        + [f"voter{n}" for n in range(1, 21)]
    )
    assert sorted(users) == sorted(expected)
    assert "administrator" in roles.roles_of(users["admin"])
    assert roles.roles_of(users["manager"]) == ["participant", "employee", "manager"]
    assert roles.roles_of(users["moderator"]) == ["participant", "employee", "moderator"]
    assert roles.roles_of(users["jury1"]) == ["participant", "employee"]
    assert roles.roles_of(users["employee3"]) == ["participant", "employee"]
    assert roles.roles_of(users["voter7"]) == ["participant"]
    assert users["voter7"].email == "voter7@example.org"
    assert all(u.check_password("ideabox-demo") for u in users.values())


def test_seed_demo_makes_a_public_campaign_in_each_phase_an_internal_one_and_the_box():
    seed(extra_ideas=12)
    public = Campaign.objects.filter(kind=Kind.CHALLENGE, audience=Audience.PUBLIC)
    assert set(public.values_list("phase", flat=True)) == {
        Phase.DRAFT,
        Phase.SUBMISSION,
        Phase.VOTING,
        Phase.DELIBERATION,
        Phase.RESULTS,
        Phase.ARCHIVED,
    }
    internal = Campaign.objects.get(audience=Audience.INTERNAL, kind=Kind.CHALLENGE)
    assert internal.moderation == Moderation.PRE
    assert internal.ideas.filter(approved=False).exists()
    # Every phase was entered through the phase machine, and recorded.
    voting = public.get(phase=Phase.VOTING)
    assert list(voting.transitions.values_list("to_phase", flat=True)) == [Phase.SUBMISSION, Phase.VOTING]
    assert Idea.objects.filter(campaign__slug="connected-home").count() == 12 + 12
    box = Campaign.objects.get(kind=Kind.BOX)
    box_statuses = set(box.ideas.values_list("status", flat=True))
    assert box_statuses == {Status.UNDER_REVIEW, Status.ACCEPTED, Status.IMPLEMENTED, Status.REJECTED}
    assert box.ideas.filter(status=Status.REJECTED).exclude(rejection_reason="").exists()
    assert Comment.objects.count() > 50
    assert Report.objects.filter(resolved_at__isnull=True).count() == 1
    # Votes were cast while each campaign was voting; those past voting are tallied.
    from votes.models import Tally, Vote

    assert Vote.objects.filter(campaign=voting).exists()
    assert Vote.objects.filter(campaign=box).exists()
    assert set(Tally.objects.values_list("campaign__phase", flat=True)) == {
        Phase.DELIBERATION,
        Phase.RESULTS,
        Phase.ARCHIVED,
    }
    for idea in Idea.objects.all():
        assert idea.vote_count == idea.votes.count()
    assert Comment.objects.filter(hidden=True).count() == 1


def test_seed_demo_twice_changes_nothing():
    seed(extra_ideas=0)
    counts = (User.objects.count(), Campaign.objects.count(), Idea.objects.count(), Comment.objects.count())
    passwords = list(User.objects.order_by("pk").values_list("password", flat=True))
    seed(extra_ideas=0)
    assert (User.objects.count(), Campaign.objects.count(), Idea.objects.count(), Comment.objects.count()) == counts
    assert list(User.objects.order_by("pk").values_list("password", flat=True)) == passwords


@pytest.mark.parametrize("login", ["voter3", "voter3@example.org"])
def test_a_demo_account_logs_in_by_username_or_email(client, login):
    from ideabox.demo import ensure_accounts

    ensure_accounts()
    response = client.post("/accounts/login/", {"login": login, "password": "ideabox-demo"})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_seed_demo_refuses_production(settings):
    from django.core.management.base import CommandError

    settings.IDEABOX_PRODUCTION = True
    with pytest.raises(CommandError):
        seed()
    assert not User.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_seed_demo_sends_no_notification(mailoutbox):
    # A real commit: the seed's own transaction ends inside the command,
    # where its notifications are muted.
    seed(extra_ideas=0)
    assert Comment.objects.exists()
    assert [m.subject for m in mailoutbox] == []


# --- the jury ------------------------------------------------------------------------


def test_seed_demo_sets_up_juries_with_criteria_awards_weights_and_the_demo_jurors():
    from decimal import Decimal

    from jury.models import Award, AwardBasis, Criterion, Juror, Jury

    seed(extra_ideas=0)
    judged = Campaign.objects.filter(jury__isnull=False).order_by("slug")
    assert set(judged.values_list("slug", flat=True)) >= {
        "connected-home",
        "green-office",
        "future-of-mobility",
        "customer-experience",
    }
    for campaign in judged:
        assert Jury.objects.get(campaign=campaign).public_weight == Decimal("0.40")
        seats = list(Juror.objects.filter(campaign=campaign).order_by("user__username"))
        assert [(j.user.username, j.is_chair) for j in seats] == [("jury1", True), ("jury2", False), ("jury3", False)]
        criteria = list(Criterion.objects.filter(campaign=campaign).order_by("position"))
        assert [(c.name, c.weight) for c in criteria] == [("Innovation", 2), ("Feasibility", 1), ("Customer value", 2)]
        assert all(c.description for c in criteria)
        awards = list(Award.objects.filter(campaign=campaign).order_by("position"))
        assert [(a.name, a.basis) for a in awards] == [
            ("Grand prize", AwardBasis.JURY),
            ("Public's choice", AwardBasis.PUBLIC),
            ("Special mention", AwardBasis.JURY),
        ]
        assert awards[0].prize


def test_seed_demo_leaves_the_deliberating_jury_part_way_through_scoring():
    from jury import ranking
    from jury.models import Award, Conflict, Evaluation, Jury

    seed(extra_ideas=0)
    campaign = Campaign.objects.get(slug="future-of-mobility", phase=Phase.DELIBERATION)
    shortlist = ranking.shortlist(campaign).count()
    assert shortlist >= 4
    scored = {
        name: Evaluation.objects.filter(juror__campaign=campaign, juror__user__username=name, scores__isnull=False)
        .distinct()
        .count()
        for name in ("jury1", "jury2", "jury3")
    }
    assert scored["jury1"] == shortlist
    assert 0 < scored["jury2"] < shortlist
    assert scored["jury3"] == 0
    assert Conflict.objects.filter(juror__campaign=campaign).count() == 1
    assert Jury.objects.get(campaign=campaign).published_at is None
    # only the Public's choice is decided: by the votes, from the tally, when voting closed
    standings = ranking.standings(campaign)
    most_voted = min(standings, key=lambda s: (-s.votes, s.idea.created_at, s.idea.pk)).idea
    decided = Award.objects.filter(campaign=campaign, winner__isnull=False)
    assert list(decided.values_list("name", "winner_id")) == [("Public's choice", most_voted.pk)]
    assert any(s.unscored for s in standings) or any(s.marks == 1 for s in standings)
    assert any(s.disputed for s in standings)


def test_seed_demo_publishes_the_results_of_the_campaign_in_results():
    from jury.models import Award, AwardBasis, Jury, ResultRow

    seed(extra_ideas=0)
    campaign = Campaign.objects.get(slug="customer-experience", phase=Phase.RESULTS)
    assert Jury.objects.get(campaign=campaign).published_at is not None
    rows = list(ResultRow.objects.filter(campaign=campaign).order_by("rank"))
    assert len(rows) == campaign.ideas.filter(status__in=[Status.AWARDED, Status.NOT_SELECTED]).count() >= 4
    assert all(row.jury_average is not None for row in rows)
    awards = list(Award.objects.filter(campaign=campaign).order_by("position"))
    assert all(award.winner_id and award.decided_at for award in awards)
    # the Public's choice went to the most voted idea, the Grand prize to the
    # top-ranked idea among the others
    public = next(award for award in awards if award.basis == AwardBasis.PUBLIC)
    assert public.winner_id == min(rows, key=lambda row: (-row.votes, row.idea.created_at, row.idea_id)).idea_id
    assert awards[0].winner_id == next(row.idea_id for row in rows if row.idea_id != public.winner_id)
    departed = [award for award in awards if award.justification]
    assert len(departed) == 1
    assert departed[0].winner_id != rows[1].idea_id
    awarded = set(campaign.ideas.filter(status=Status.AWARDED).values_list("pk", flat=True))
    assert awarded == {award.winner_id for award in awards}
    assert campaign.ideas.filter(status=Status.NOT_SELECTED).exists()


def test_seed_demo_results_page_and_api_show_the_published_results(client):
    seed(extra_ideas=0)
    page = client.get("/campaigns/customer-experience/results/")
    assert page.status_code == 200
    assert b"Grand prize" in page.content
    assert b"<svg" in page.content
    api = client.get("/api/v1/campaigns/customer-experience/results/")
    assert api.status_code == 200
    assert len(api.json()["awards"]) == 3
    assert client.get("/api/v1/campaigns/future-of-mobility/results/").status_code == 409


def test_seed_demo_twice_keeps_the_jury_data():
    from jury.models import Award, Conflict, Criterion, Evaluation, Juror, ResultRow, Score

    seed(extra_ideas=0)

    def counts():
        return [
            model.objects.count() for model in (Juror, Criterion, Award, Evaluation, Score, Conflict, ResultRow)
        ] + [list(Award.objects.order_by("pk").values_list("winner_id", "decided_at"))]

    before = counts()
    seed(extra_ideas=0)
    assert counts() == before


def test_seed_demo_dates_each_past_campaign_as_it_happened_even_once_the_queued_work_has_run(
    django_capture_on_commit_callbacks,
):
    """Issue 10, item 8: 'Published Oct. 18', 'Counted Dec. 7'. The tally is
    dated when voting closed and the results when deliberation ended, also
    after the worker has run what the moves queued (as at `make run`'s start)."""
    from campaigns import lifecycle
    from campaigns.models import PhaseTransition
    from jury.models import Award, AwardBasis, Jury
    from votes.models import Tally

    seed(extra_ideas=0)
    # What the scheduler does first at `make run`'s start: nothing of the
    # demo's history is lost or due again, so nothing is counted again.
    with django_capture_on_commit_callbacks(execute=True):
        report = lifecycle.sweep()
    assert report.requeued == {work: [] for work in lifecycle.Work.values}

    past = Campaign.objects.filter(phase__in=[Phase.DELIBERATION, Phase.RESULTS, Phase.ARCHIVED])
    assert past.count() == 3
    for campaign in past:
        moved = dict(PhaseTransition.objects.filter(campaign=campaign).values_list("to_phase", "at"))
        tally = Tally.objects.get(campaign=campaign)
        assert tally.computed_at == campaign.voting_closes == moved[Phase.DELIBERATION], campaign.slug
        public = Award.objects.get(campaign=campaign, basis=AwardBasis.PUBLIC)
        assert public.decided_at == tally.computed_at, campaign.slug
        if campaign.phase == Phase.DELIBERATION:
            assert Jury.objects.get(campaign=campaign).published_at is None
            continue
        published = Jury.objects.get(campaign=campaign).published_at
        assert published == campaign.deliberation_ends == moved[Phase.RESULTS], campaign.slug
        decided = Award.objects.filter(campaign=campaign).exclude(basis=AwardBasis.PUBLIC)
        assert all(tally.computed_at < award.decided_at < published for award in decided), campaign.slug


def test_the_demo_voters_are_the_authors_and_receipt_holders_the_readme_names():
    """Issue 10, item 11: the README's table of whom to log in as."""
    from votes.models import Vote

    seed(extra_ideas=0)
    tallied = Campaign.objects.filter(phase__in=[Phase.DELIBERATION, Phase.RESULTS, Phase.ARCHIVED])

    def voters(*numbers):
        return [User.objects.get(username=f"voter{n}") for n in numbers]

    for voter in voters(*range(1, 9)):
        assert Idea.objects.filter(author=voter).exists(), voter
        assert not Vote.objects.filter(voter=voter).exists(), voter
    for voter in voters(*range(9, 13)):
        assert Idea.objects.filter(author=voter).exists(), voter
        assert (
            Vote.objects.filter(voter=voter, idea__campaign__in=tallied).values("idea__campaign").distinct().count()
            == 3
        )
        assert Vote.objects.filter(voter=voter, idea__campaign__slug="green-office").exists(), voter
    for voter in voters(*range(13, 21)):
        assert not Idea.objects.filter(author=voter).exists(), voter
        assert (
            Vote.objects.filter(voter=voter, idea__campaign__in=tallied).values("idea__campaign").distinct().count()
            == 3
        )
        assert Vote.objects.filter(voter=voter, idea__campaign__slug="green-office").exists(), voter
    for voter in voters(1, 2, 3):
        public = Campaign.objects.filter(audience=Audience.PUBLIC).exclude(phase=Phase.DRAFT)
        assert set(public.values_list("slug", flat=True)) == set(
            Idea.objects.filter(author=voter).values_list("campaign__slug", flat=True)
        ), voter
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for group in ("`voter1` … `voter8`", "`voter9` … `voter12`", "`voter13` … `voter20`"):
        assert f"| {group} |" in readme

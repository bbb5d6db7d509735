"""Jurors' scores and conflicts (jury.services.save_evaluation, declare_conflict),
progress numbers and the disputed flag, and wildcards."""

import datetime
from decimal import Decimal

from django.db import connection
from django.utils import timezone

import pytest
from freezegun import freeze_time

from accounts.models import AuditEvent
from campaigns.models import Audience, Phase
from ideabox.exceptions import DomainError
from ideas.models import Idea, Status, StatusChange
from jury import selectors, services
from jury.models import Conflict, Criterion, Evaluation, Juror, Jury, Score, Wildcard
from tests.concurrency import at_once
from tests.factories import CampaignFactory, IdeaFactory, UserFactory, employee

# --- helpers shared by the jury test files (imported from here) ---------------------------


def jury_campaign(*, phase=Phase.DELIBERATION, ideas=3, jurors=2, criteria=2, audience=Audience.PUBLIC, **jury):
    """A challenge with a shortlist, jurors (the first is the chair) and criteria."""
    campaign = CampaignFactory(phase=phase, audience=audience)
    Jury.objects.create(campaign=campaign, **jury)
    shortlisted = [IdeaFactory(campaign=campaign, status=Status.SHORTLISTED) for _ in range(ideas)]
    seated = [Juror.objects.create(campaign=campaign, user=UserFactory(), is_chair=(i == 0)) for i in range(jurors)]
    crits = [
        Criterion.objects.create(campaign=campaign, name=f"Criterion {i}", weight=i + 1, position=i)
        for i in range(criteria)
    ]
    return campaign, shortlisted, seated, crits


def manager_user():
    return UserFactory(groups=["campaign managers"])


def full_scores(criteria, value=3):
    return {c.pk: value for c in criteria}


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.django_db
class TestWhoMayScore:
    def test_a_juror_scores_a_shortlisted_idea(self):
        campaign, ideas, jurors, criteria = jury_campaign()
        evaluation = services.save_evaluation(
            campaign=campaign, user=jurors[1].user, idea=ideas[0], scores=full_scores(criteria, 4), comment="Good"
        )
        assert {s.criterion_id: s.value for s in evaluation.scores.all()} == full_scores(criteria, 4)
        assert evaluation.comment == "Good"

    @pytest.mark.parametrize("who", ["participant", "employee", "manager"])
    def test_someone_not_on_the_jury_is_told_not_found(self, who):
        campaign, ideas, _jurors, criteria = jury_campaign()
        user = {"participant": UserFactory, "employee": employee, "manager": manager_user}[who]()
        with pytest.raises(DomainError) as error:
            services.save_evaluation(
                campaign=campaign, user=user, idea=ideas[0], scores=full_scores(criteria), comment=""
            )
        assert error.value.code == "not_found"

    def test_a_juror_of_another_campaign_is_told_not_found(self):
        campaign, ideas, _jurors, criteria = jury_campaign()
        _other, _ideas, other_jurors, _c = jury_campaign()
        with pytest.raises(DomainError) as error:
            services.save_evaluation(campaign=campaign, user=other_jurors[0].user, idea=ideas[0], scores={}, comment="")
        assert error.value.code == "not_found"

    @pytest.mark.parametrize("status", [Status.PUBLISHED, Status.MERGED])
    def test_an_idea_off_the_shortlist_is_not_found(self, status):
        campaign, ideas, jurors, criteria = jury_campaign()
        idea = IdeaFactory(campaign=campaign, status=Status.PUBLISHED)
        if status == Status.MERGED:
            Idea.objects.filter(pk=idea.pk).update(status=Status.MERGED, merged_into=ideas[0])
        with pytest.raises(DomainError) as error:
            services.save_evaluation(campaign=campaign, user=jurors[0].user, idea=idea, scores={}, comment="")
        assert error.value.code == "not_found"

    def test_a_hidden_shortlisted_idea_is_not_found(self):
        campaign, ideas, jurors, _criteria = jury_campaign()
        Idea.objects.filter(pk=ideas[0].pk).update(hidden=True, hidden_reason="spam")
        with pytest.raises(DomainError) as error:
            services.save_evaluation(campaign=campaign, user=jurors[0].user, idea=ideas[0].pk, scores={}, comment="")
        assert error.value.code == "not_found"

    def test_an_idea_of_another_campaign_is_not_found(self):
        campaign, _ideas, jurors, _criteria = jury_campaign()
        _other, other_ideas, _j, _c = jury_campaign()
        with pytest.raises(DomainError) as error:
            services.save_evaluation(campaign=campaign, user=jurors[0].user, idea=other_ideas[0], scores={}, comment="")
        assert error.value.code == "not_found"

    def test_a_juror_never_scores_their_own_idea(self):
        campaign, _ideas, jurors, criteria = jury_campaign()
        own = IdeaFactory(campaign=campaign, status=Status.SHORTLISTED, author=jurors[0].user)
        with pytest.raises(DomainError) as error:
            services.save_evaluation(
                campaign=campaign, user=jurors[0].user, idea=own, scores=full_scores(criteria), comment=""
            )
        assert error.value.code == "own_idea"
        assert error.value.status == 403

    def test_a_juror_never_scores_an_idea_they_co_wrote(self):
        campaign, ideas, jurors, criteria = jury_campaign()
        ideas[0].coauthors.add(jurors[1].user)
        with pytest.raises(DomainError) as error:
            services.save_evaluation(
                campaign=campaign, user=jurors[1].user, idea=ideas[0], scores=full_scores(criteria), comment=""
            )
        assert error.value.code == "own_idea"

    @pytest.mark.parametrize("phase", [Phase.SUBMISSION, Phase.VOTING, Phase.RESULTS])
    def test_scoring_is_closed_outside_deliberation(self, phase):
        campaign, ideas, jurors, criteria = jury_campaign(phase=phase)
        with pytest.raises(DomainError) as error:
            services.save_evaluation(
                campaign=campaign, user=jurors[0].user, idea=ideas[0], scores=full_scores(criteria), comment=""
            )
        assert error.value.code == "jury_closed"
        assert error.value.status == 409

    def test_scoring_closes_when_deliberation_ends_even_if_the_phase_has_not_moved(self):
        campaign, ideas, jurors, criteria = jury_campaign()
        after = campaign.deliberation_ends + datetime.timedelta(seconds=1)
        with pytest.raises(DomainError) as error:
            services.save_evaluation(
                campaign=campaign,
                user=jurors[0].user,
                idea=ideas[0],
                scores=full_scores(criteria),
                comment="",
                now=after,
            )
        assert error.value.code == "jury_closed"
        with freeze_time(after):
            assert not selectors.scoring_open(campaign)

    def test_scores_are_kept_when_scoring_closes(self):
        campaign, ideas, jurors, criteria = jury_campaign()
        services.save_evaluation(
            campaign=campaign, user=jurors[0].user, idea=ideas[0], scores=full_scores(criteria), comment=""
        )
        with pytest.raises(DomainError):
            services.save_evaluation(
                campaign=campaign,
                user=jurors[0].user,
                idea=ideas[0],
                scores=full_scores(criteria, 0),
                comment="",
                now=campaign.deliberation_ends,
            )
        assert set(Score.objects.values_list("value", flat=True)) == {3}


@pytest.mark.django_db
class TestScoreValues:
    @pytest.mark.parametrize("value", [6, -1, 2.5, "3.0", "x", True, [1]])
    def test_a_value_outside_the_scale_is_invalid(self, value):
        campaign, ideas, jurors, criteria = jury_campaign()
        with pytest.raises(DomainError) as error:
            services.save_evaluation(
                campaign=campaign, user=jurors[0].user, idea=ideas[0], scores={criteria[0].pk: value}, comment=""
            )
        assert error.value.code == "invalid"
        assert str(criteria[0].pk) in error.value.fields
        assert not Evaluation.objects.exists()

    @pytest.mark.parametrize("key", ["nope", 0, 999999])
    def test_an_unknown_criterion_is_invalid(self, key):
        campaign, ideas, jurors, _criteria = jury_campaign()
        with pytest.raises(DomainError) as error:
            services.save_evaluation(campaign=campaign, user=jurors[0].user, idea=ideas[0], scores={key: 3}, comment="")
        assert error.value.code == "invalid"
        assert str(key) in error.value.fields

    def test_a_criterion_of_another_campaign_is_invalid(self):
        campaign, ideas, jurors, _criteria = jury_campaign()
        _other, _i, _j, other_criteria = jury_campaign()
        with pytest.raises(DomainError) as error:
            services.save_evaluation(
                campaign=campaign, user=jurors[0].user, idea=ideas[0], scores={other_criteria[0].pk: 3}, comment=""
            )
        assert error.value.code == "invalid"

    def test_the_edges_of_the_scale_are_accepted(self):
        campaign, ideas, jurors, criteria = jury_campaign()
        services.save_evaluation(
            campaign=campaign,
            user=jurors[0].user,
            idea=ideas[0],
            scores={criteria[0].pk: 0, str(criteria[1].pk): "5"},
            comment=None,
        )
        assert sorted(Score.objects.values_list("value", flat=True)) == [0, 5]


@pytest.mark.django_db
class TestPartialSaving:
    def test_scores_are_saved_one_criterion_at_a_time(self):
        campaign, ideas, jurors, criteria = jury_campaign()
        user = jurors[0].user
        services.save_evaluation(campaign=campaign, user=user, idea=ideas[0], scores={criteria[0].pk: 2}, comment=None)
        services.save_evaluation(campaign=campaign, user=user, idea=ideas[0], scores={criteria[1].pk: 4}, comment=None)
        evaluation = Evaluation.objects.get()
        assert {s.criterion_id: s.value for s in evaluation.scores.all()} == {criteria[0].pk: 2, criteria[1].pk: 4}

    def test_a_score_is_changed_and_cleared(self):
        campaign, ideas, jurors, criteria = jury_campaign()
        user = jurors[0].user
        services.save_evaluation(
            campaign=campaign, user=user, idea=ideas[0], scores=full_scores(criteria, 2), comment="a"
        )
        services.save_evaluation(
            campaign=campaign, user=user, idea=ideas[0], scores={criteria[0].pk: 5, criteria[1].pk: None}, comment=None
        )
        evaluation = Evaluation.objects.get()
        assert {s.criterion_id: s.value for s in evaluation.scores.all()} == {criteria[0].pk: 5}
        assert evaluation.comment == "a"  # None keeps it

    def test_the_comment_alone_is_saved_and_emptied(self):
        campaign, ideas, jurors, _criteria = jury_campaign()
        user = jurors[0].user
        services.save_evaluation(campaign=campaign, user=user, idea=ideas[0], scores={}, comment="  First look  ")
        assert Evaluation.objects.get().comment == "First look"
        services.save_evaluation(campaign=campaign, user=user, idea=ideas[0], scores={}, comment="")
        assert Evaluation.objects.get().comment == ""
        assert Evaluation.objects.count() == 1


@pytest.mark.django_db
class TestConflicts:
    def test_declaring_a_conflict_removes_the_evaluation_and_stops_scoring(self):
        campaign, ideas, jurors, criteria = jury_campaign()
        user = jurors[0].user
        services.save_evaluation(campaign=campaign, user=user, idea=ideas[0], scores=full_scores(criteria), comment="x")
        conflict = services.declare_conflict(campaign=campaign, user=user, idea=ideas[0], reason="My cousin")
        assert conflict.reason == "My cousin"
        assert not Evaluation.objects.filter(juror=jurors[0], idea=ideas[0]).exists()
        with pytest.raises(DomainError) as error:
            services.save_evaluation(
                campaign=campaign, user=user, idea=ideas[0], scores=full_scores(criteria), comment=""
            )
        assert error.value.code == "conflict_declared"
        assert error.value.status == 409

    def test_a_conflict_is_declared_once(self):
        campaign, ideas, jurors, _criteria = jury_campaign()
        services.declare_conflict(campaign=campaign, user=jurors[0].user, idea=ideas[0])
        with pytest.raises(DomainError) as error:
            services.declare_conflict(campaign=campaign, user=jurors[0].user, idea=ideas[0])
        assert error.value.code == "conflict_declared"
        assert Conflict.objects.count() == 1

    def test_a_conflict_only_concerns_its_juror(self):
        campaign, ideas, jurors, criteria = jury_campaign()
        services.declare_conflict(campaign=campaign, user=jurors[0].user, idea=ideas[0])
        services.save_evaluation(
            campaign=campaign, user=jurors[1].user, idea=ideas[0], scores=full_scores(criteria), comment=""
        )
        assert Evaluation.objects.filter(juror=jurors[1]).count() == 1

    def test_no_conflict_is_declared_once_scoring_is_closed(self):
        campaign, ideas, jurors, _criteria = jury_campaign(phase=Phase.RESULTS)
        with pytest.raises(DomainError) as error:
            services.declare_conflict(campaign=campaign, user=jurors[0].user, idea=ideas[0])
        assert error.value.code == "jury_closed"

    def test_a_non_juror_cannot_declare_a_conflict(self):
        campaign, ideas, _jurors, _criteria = jury_campaign()
        with pytest.raises(DomainError) as error:
            services.declare_conflict(campaign=campaign, user=UserFactory(), idea=ideas[0])
        assert error.value.code == "not_found"


# --- progress and disagreement -------------------------------------------------------------


@pytest.mark.django_db
class TestProgress:
    def test_expected_counts_the_ideas_each_juror_may_score(self):
        campaign, ideas, jurors, criteria = jury_campaign(ideas=3, jurors=3, criteria=2)
        ideas[0].author = jurors[0].user
        ideas[0].save()
        ideas[1].coauthors.add(jurors[0].user)
        services.declare_conflict(campaign=campaign, user=jurors[1].user, idea=ideas[2])
        services.save_evaluation(
            campaign=campaign, user=jurors[1].user, idea=ideas[0], scores=full_scores(criteria), comment=""
        )
        services.save_evaluation(
            campaign=campaign, user=jurors[1].user, idea=ideas[1], scores={criteria[0].pk: 1}, comment=""
        )
        found = selectors.progress(campaign)
        rows = {row.juror.pk: row for row in found.jurors}
        assert (rows[jurors[0].pk].given, rows[jurors[0].pk].expected) == (0, 2)
        assert (rows[jurors[1].pk].given, rows[jurors[1].pk].expected) == (3, 4)
        assert (rows[jurors[2].pk].given, rows[jurors[2].pk].expected) == (0, 6)
        assert not any(row.finished for row in found.jurors)
        ideas_rows = {row.idea.pk: row for row in found.ideas}
        assert (ideas_rows[ideas[0].pk].finished, ideas_rows[ideas[0].pk].eligible) == (1, 2)
        assert (ideas_rows[ideas[1].pk].finished, ideas_rows[ideas[1].pk].eligible) == (0, 2)
        assert (ideas_rows[ideas[2].pk].finished, ideas_rows[ideas[2].pk].eligible) == (0, 2)
        assert (found.given, found.expected) == (3, 12)

    def test_a_juror_who_scored_everything_has_finished(self):
        campaign, ideas, jurors, criteria = jury_campaign(ideas=2, jurors=2)
        for idea in ideas:
            services.save_evaluation(
                campaign=campaign, user=jurors[0].user, idea=idea, scores=full_scores(criteria), comment=""
            )
        found = selectors.progress(campaign)
        assert [row.finished for row in found.jurors] == [True, False]
        assert [p.juror.pk for p in found.unfinished] == [jurors[1].pk]

    def test_an_idea_is_disputed_when_the_marks_spread_more_than_the_threshold(self):
        campaign, ideas, jurors, criteria = jury_campaign(ideas=2, jurors=2, disagreement_threshold=Decimal("1.50"))
        services.save_evaluation(
            campaign=campaign, user=jurors[0].user, idea=ideas[0], scores=full_scores(criteria, 1), comment=""
        )
        services.save_evaluation(
            campaign=campaign, user=jurors[1].user, idea=ideas[0], scores=full_scores(criteria, 5), comment=""
        )
        services.save_evaluation(
            campaign=campaign, user=jurors[0].user, idea=ideas[1], scores=full_scores(criteria, 3), comment=""
        )
        services.save_evaluation(
            campaign=campaign, user=jurors[1].user, idea=ideas[1], scores=full_scores(criteria, 4), comment=""
        )
        rows = {row.idea.pk: row for row in selectors.progress(campaign).ideas}
        assert rows[ideas[0].pk].disputed and rows[ideas[0].pk].spread == Decimal("4.000")
        assert not rows[ideas[1].pk].disputed and rows[ideas[1].pk].spread == Decimal("1.000")

    def test_progress_queries_stay_flat(self, django_assert_num_queries):
        def count(n):
            campaign, ideas, jurors, criteria = jury_campaign(ideas=n, jurors=n)
            for idea in ideas:
                services.save_evaluation(
                    campaign=campaign, user=jurors[0].user, idea=idea, scores=full_scores(criteria), comment=""
                )
            ideas[0].coauthors.add(jurors[1].user)
            from django.db import connection as conn
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(conn) as ctx:
                selectors.progress(campaign)
            return len(ctx.captured_queries)

        assert count(3) == count(30)


# --- wildcards -------------------------------------------------------------------------------


@pytest.mark.django_db
class TestWildcards:
    def test_a_manager_adds_a_published_idea_to_the_shortlist(self, django_capture_on_commit_callbacks, mailoutbox):
        campaign, _ideas, _jurors, _criteria = jury_campaign()
        idea = IdeaFactory(campaign=campaign)
        manager = manager_user()
        with django_capture_on_commit_callbacks(execute=True):
            wildcard = services.add_wildcard(campaign=campaign, by=manager, idea=idea, reason="Bold")
        idea.refresh_from_db()
        assert idea.status == Status.SHORTLISTED
        assert wildcard.reason == "Bold" and wildcard.by == manager
        change = StatusChange.objects.get(idea=idea)
        assert (change.from_status, change.to_status, change.by) == (Status.PUBLISHED, Status.SHORTLISTED, manager)
        assert [m.to for m in mailoutbox] == [[idea.author.email]]  # the author hears of it, after commit
        assert services.ranking.shortlist(campaign).filter(pk=idea.pk).exists()

    @pytest.mark.parametrize("phase", [Phase.SUBMISSION, Phase.VOTING, Phase.RESULTS])
    def test_wildcards_are_for_deliberation_only(self, phase):
        campaign, _ideas, _jurors, _criteria = jury_campaign(phase=phase)
        idea = IdeaFactory(campaign=campaign)
        with pytest.raises(DomainError) as error:
            services.add_wildcard(campaign=campaign, by=manager_user(), idea=idea)
        assert error.value.code == "invalid_transition"

    def test_only_managers_add_wildcards(self):
        campaign, _ideas, jurors, _criteria = jury_campaign()
        idea = IdeaFactory(campaign=campaign)
        with pytest.raises(DomainError) as error:
            services.add_wildcard(campaign=campaign, by=jurors[0].user, idea=idea)
        assert error.value.code == "permission_denied"

    def test_a_shortlisted_hidden_or_foreign_idea_is_refused(self):
        campaign, ideas, _jurors, _criteria = jury_campaign()
        manager = manager_user()
        hidden = IdeaFactory(campaign=campaign, hidden=True, hidden_reason="spam")
        foreign = IdeaFactory()
        with pytest.raises(DomainError) as error:
            services.add_wildcard(campaign=campaign, by=manager, idea=ideas[0])
        assert error.value.code == "invalid_transition"
        for idea in (hidden, foreign):
            with pytest.raises(DomainError) as error:
                services.add_wildcard(campaign=campaign, by=manager, idea=idea)
            assert error.value.code == "invalid"
        assert not Wildcard.objects.exists()

    def test_an_unscored_wildcard_is_removed(self):
        campaign, _ideas, jurors, _criteria = jury_campaign()
        idea = IdeaFactory(campaign=campaign)
        manager = manager_user()
        wildcard = services.add_wildcard(campaign=campaign, by=manager, idea=idea)
        services.save_evaluation(campaign=campaign, user=jurors[0].user, idea=idea, scores={}, comment="Hmm")
        services.remove_wildcard(wildcard=wildcard, by=manager)
        idea.refresh_from_db()
        assert idea.status == Status.PUBLISHED
        assert not Wildcard.objects.exists()
        assert list(StatusChange.objects.filter(idea=idea).values_list("to_status", flat=True)) == [
            Status.SHORTLISTED,
            Status.PUBLISHED,
        ]

    def test_taking_a_wildcard_back_tells_the_author_and_is_audited(
        self, django_capture_on_commit_callbacks, mailoutbox
    ):
        # The one status service moves it (ideas.services.move_status): history, audit, e-mail.
        campaign, _ideas, _jurors, _criteria = jury_campaign()
        idea = IdeaFactory(campaign=campaign)
        manager = manager_user()
        wildcard = services.add_wildcard(campaign=campaign, by=manager, idea=idea)
        with django_capture_on_commit_callbacks(execute=True):
            services.remove_wildcard(wildcard=wildcard, by=manager)
        assert [m.to for m in mailoutbox] == [[idea.author.email]]
        moves = AuditEvent.objects.filter(action="idea.status", object_id=idea.pk).order_by("pk")
        assert [(e.actor_id, e.detail["to"]) for e in moves] == [
            (manager.pk, Status.SHORTLISTED),
            (manager.pk, Status.PUBLISHED),
        ]

    def test_a_scored_wildcard_stays(self):
        campaign, _ideas, jurors, criteria = jury_campaign()
        idea = IdeaFactory(campaign=campaign)
        manager = manager_user()
        wildcard = services.add_wildcard(campaign=campaign, by=manager, idea=idea)
        services.save_evaluation(
            campaign=campaign, user=jurors[0].user, idea=idea, scores={criteria[0].pk: 1}, comment=""
        )
        with pytest.raises(DomainError) as error:
            services.remove_wildcard(wildcard=wildcard, by=manager)
        assert error.value.code == "invalid_transition"
        idea.refresh_from_db()
        assert idea.status == Status.SHORTLISTED


# --- concurrency ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real parallel transactions need PostgreSQL")
def test_parallel_saves_of_one_grid_make_one_evaluation():
    campaign, ideas, jurors, criteria = jury_campaign(criteria=3)
    user = jurors[0].user
    calls = [
        lambda v=v: services.save_evaluation(
            campaign=campaign, user=user, idea=ideas[0].pk, scores=full_scores(criteria, v), comment=f"v{v}"
        )
        for v in range(5)
    ] * 2
    results = at_once(*calls, ok="ok")
    assert results == ["ok"] * len(calls), results
    evaluation = Evaluation.objects.get()
    values = set(evaluation.scores.values_list("value", flat=True))
    assert len(values) == 1 and evaluation.comment == f"v{values.pop()}"
    assert Score.objects.count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real parallel transactions need PostgreSQL")
def test_a_conflict_declared_during_a_save_leaves_no_scores():
    campaign, ideas, jurors, criteria = jury_campaign()
    user = jurors[0].user
    results = at_once(
        lambda: services.save_evaluation(
            campaign=campaign, user=user, idea=ideas[0].pk, scores=full_scores(criteria), comment=""
        ),
        lambda: services.declare_conflict(campaign=campaign, user=user, idea=ideas[0].pk),
        ok="ok",
    )
    assert results[1] == "ok"
    assert results[0] in ("ok", "conflict_declared")
    assert not Evaluation.objects.filter(juror=jurors[0]).exists()
    assert timezone.now()

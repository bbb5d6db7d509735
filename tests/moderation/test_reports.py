"""Reporting ideas and comments: participants who can see them, once while open."""

from django.db import connection

import pytest

from campaigns.models import Audience, Phase
from ideabox.exceptions import DomainError
from ideas.models import Report
from moderation import services as moderation
from tests.concurrency import at_once
from tests.factories import CampaignFactory, CommentFactory, IdeaFactory, UserFactory, employee, the_box

pytestmark = pytest.mark.django_db


def test_a_participant_reports_an_idea(participant):
    idea = IdeaFactory()
    report = moderation.report_idea(reporter=participant, target=idea, reason="  It is an advert.  ")
    assert (report.reporter, report.idea, report.comment, report.reason) == (
        participant,
        idea,
        None,
        "It is an advert.",
    )
    assert report.resolved_at is None


def test_a_participant_reports_a_comment(participant):
    comment = CommentFactory()
    report = moderation.report_comment(reporter=participant, target=comment, reason="Insult")
    assert (report.comment, report.idea) == (comment, None)


def test_a_second_open_report_of_the_same_idea_is_a_clear_conflict(participant):
    idea = IdeaFactory()
    moderation.report_idea(reporter=participant, target=idea, reason="Spam")
    with pytest.raises(DomainError) as error:
        moderation.report_idea(reporter=participant, target=idea, reason="Still spam")
    assert error.value.code == "conflict"
    assert error.value.detail == "You already reported this."
    assert Report.objects.count() == 1


def test_a_second_open_report_of_the_same_comment_is_a_conflict(participant):
    comment = CommentFactory()
    moderation.report_comment(reporter=participant, target=comment, reason="Spam")
    with pytest.raises(DomainError) as error:
        moderation.report_comment(reporter=participant, target=comment, reason="Spam")
    assert error.value.code == "conflict"


def test_once_handled_the_same_person_may_report_again(participant, moderator):
    idea = IdeaFactory()
    first = moderation.report_idea(reporter=participant, target=idea, reason="Spam")
    moderation.dismiss_report(report=first, by=moderator)
    moderation.report_idea(reporter=participant, target=idea, reason="It is back")
    assert Report.objects.filter(idea=idea).count() == 2


def test_two_people_may_report_the_same_idea(participant):
    idea = IdeaFactory()
    moderation.report_idea(reporter=participant, target=idea, reason="Spam")
    moderation.report_idea(reporter=UserFactory(), target=idea, reason="Spam")
    assert Report.objects.filter(idea=idea).count() == 2


@pytest.mark.parametrize("reason", ["", "  ", "x" * 2001])
def test_a_report_needs_a_reason_of_at_most_2000_characters(participant, reason):
    with pytest.raises(DomainError) as error:
        moderation.report_idea(reporter=participant, target=IdeaFactory(), reason=reason)
    assert error.value.code == "invalid"
    assert not Report.objects.exists()


def test_a_reason_of_2000_characters_is_enough(participant):
    moderation.report_idea(reporter=participant, target=IdeaFactory(), reason="x" * 2000)
    assert Report.objects.count() == 1


def test_an_unverified_user_cannot_report():
    with pytest.raises(DomainError) as error:
        moderation.report_idea(reporter=UserFactory(verified=False), target=IdeaFactory(), reason="Spam")
    assert error.value.code == "not_allowed"


def test_a_visitor_cannot_report():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(DomainError) as error:
        moderation.report_idea(reporter=AnonymousUser(), target=IdeaFactory(), reason="Spam")
    assert error.value.code == "not_allowed"


def test_nobody_reports_their_own_idea_or_comment(participant):
    with pytest.raises(DomainError) as error:
        moderation.report_idea(reporter=participant, target=IdeaFactory(author=participant), reason="Spam")
    assert error.value.code == "invalid"
    with pytest.raises(DomainError) as error:
        moderation.report_comment(reporter=participant, target=CommentFactory(author=participant), reason="Spam")
    assert error.value.code == "invalid"


@pytest.mark.parametrize(
    "make",
    [
        lambda: IdeaFactory(campaign=CampaignFactory(audience=Audience.INTERNAL)),
        lambda: IdeaFactory(campaign=the_box()),
        lambda: IdeaFactory(campaign=CampaignFactory(phase=Phase.DRAFT)),
        lambda: IdeaFactory(hidden=True, hidden_reason="x"),
        lambda: IdeaFactory(approved=False),
    ],
    ids=["internal", "box", "draft", "hidden", "awaiting_approval"],
)
def test_a_participant_cannot_report_what_they_cannot_see(participant, make):
    with pytest.raises(DomainError) as error:
        moderation.report_idea(reporter=participant, target=make(), reason="Spam")
    assert error.value.code == "not_found"


def test_a_hidden_comment_is_not_reportable_by_participants(participant):
    comment = CommentFactory(hidden=True, hidden_reason="x")
    with pytest.raises(DomainError) as error:
        moderation.report_comment(reporter=participant, target=comment, reason="Spam")
    assert error.value.code == "not_found"


def test_an_employee_reports_an_idea_of_the_box():
    idea = IdeaFactory(campaign=the_box())
    report = moderation.report_idea(reporter=employee(), target=idea, reason="Duplicate")
    assert report.idea == idea


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_reports_by_one_person_give_one_report_and_one_clean_conflict():
    reporter = UserFactory()
    idea = IdeaFactory()

    def report():
        moderation.report_idea(reporter=reporter, target=idea, reason="Spam")

    outcomes = at_once(report, report, ok="created")
    assert sorted(outcomes) == ["conflict", "created"]
    assert Report.objects.filter(idea=idea, reporter=reporter).count() == 1

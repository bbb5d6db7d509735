"""Publishing the results (results/services.py and its tasks): the stored
ranking, the statuses, idempotence and a rerun after a crash, the e-mails
to winners, authors and followers (once each). The daily reminder of
undecided awards is the jury's: tests/jury/test_undecided_awards_reminder.py."""

import datetime
import importlib
from decimal import Decimal
from unittest import mock

from django.apps import apps as django_apps
from django.core import mail
from django.utils import timezone

import pytest

from accounts import notifications as account_notifications
from accounts.models import Notification
from campaigns import lifecycle
from campaigns.models import Audience, Campaign, CampaignFollower, Phase
from ideabox.celery import app as celery_app
from ideabox.exceptions import DomainError
from ideabox.models import OutboxMessage
from ideas import notifications as idea_notifications
from ideas import services as idea_services
from ideas.models import Idea, Status, StatusChange
from jury import award_services
from jury.models import Award, AwardBasis, Jury, ResultRow
from results import services as publication
from results import tasks
from tests.factories import CampaignFactory, IdeaFactory, UserFactory, employee, user_with_role
from tests.jury.test_ranking import T0, award, criterion, juror, score
from tests.votes.test_tally import cast_many, voters
from votes import tally
from votes.models import Tally

pytestmark = pytest.mark.django_db


def voted_campaign(votes=(3, 2, 1), **kwargs):
    """A deliberating campaign whose ideas got these votes, tallied and
    shortlisted; returns the campaign and its ideas, most voted first."""
    kwargs.setdefault("phase", Phase.DELIBERATION)
    campaign = CampaignFactory(**kwargs)
    Jury.objects.create(campaign=campaign, public_weight="1")
    ideas = []
    for i, n in enumerate(votes):
        idea = IdeaFactory(campaign=campaign, created_at=T0 + datetime.timedelta(minutes=i))
        cast_many(idea, voters(n))
        ideas.append(idea)
    tally.tally_campaign(campaign_id=campaign.pk)
    return campaign, ideas


def to_results(campaign) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(phase=Phase.RESULTS)
    campaign.phase = Phase.RESULTS


def decided_campaign(**kwargs):
    """Voted, the public award to the most voted (first) idea when the vote
    closed, the jury award to the second, then moved to results."""
    campaign, ideas = voted_campaign(**kwargs)
    grand = award(campaign, "Grand prize", prize="A trip to Lisbon")
    award(campaign, "Public's choice", basis=AwardBasis.PUBLIC, prize="A dinner")
    award_services.decide_public_awards_from_tally(campaign_id=campaign.pk)  # as when the vote closed
    award_services.decide_award(award=grand, by=user_with_role("manager"), winner=ideas[1])
    to_results(campaign)
    return campaign, ideas


def statuses(ideas) -> list[str]:
    return [Idea.objects.get(pk=idea.pk).status for idea in ideas]


def stored_rows(campaign) -> list[tuple]:
    return list(
        ResultRow.objects.filter(campaign=campaign)
        .order_by("rank")
        .values_list("pk", "idea_id", "rank", "votes", "jury_average", "final_score")
    )


# --- what is stored --------------------------------------------------------------------------


def test_publication_stores_the_ranking_sets_the_statuses_and_the_date():
    campaign, (first, second, third) = decided_campaign()
    now = timezone.now()

    result = publication.publish_results(campaign_id=campaign.pk, now=now)

    assert result.published_now
    rows = stored_rows(campaign)
    assert [(idea, rank, votes) for _pk, idea, rank, votes, _avg, _final in rows] == [
        (first.pk, 1, 3),
        (second.pk, 2, 2),
        (third.pk, 3, 1),
    ]
    assert [final for *_rest, final in rows] == [Decimal("1.0000"), Decimal("0.6667"), Decimal("0.3333")]
    # the public award went to the most voted idea, the jury's to the second
    assert Award.objects.get(campaign=campaign, basis=AwardBasis.PUBLIC).winner_id == first.pk
    assert Award.objects.get(campaign=campaign, basis=AwardBasis.JURY).winner_id == second.pk
    assert statuses([first, second, third]) == [Status.AWARDED, Status.AWARDED, Status.NOT_SELECTED]
    changes = StatusChange.objects.filter(idea__campaign=campaign, from_status=Status.SHORTLISTED)
    assert sorted(changes.values_list("idea_id", "to_status", "by")) == sorted(
        [(first.pk, Status.AWARDED, None), (second.pk, Status.AWARDED, None), (third.pk, Status.NOT_SELECTED, None)]
    )
    assert Jury.objects.get(campaign=campaign).published_at == now


def test_the_jury_average_is_stored_and_empty_for_an_unscored_idea():
    campaign, (first, second, _third) = voted_campaign()
    score(juror(campaign), first, {criterion(campaign): 4})
    to_results(campaign)

    publication.publish_results(campaign_id=campaign.pk)

    averages = dict(ResultRow.objects.filter(campaign=campaign).values_list("idea_id", "jury_average"))
    assert averages[first.pk] == 4
    assert averages[second.pk] is None


def test_the_jury_settings_are_created_if_missing():
    campaign = CampaignFactory(phase=Phase.DELIBERATION)
    IdeaFactory(campaign=campaign)
    tally.tally_campaign(campaign_id=campaign.pk)
    to_results(campaign)

    publication.publish_results(campaign_id=campaign.pk)

    assert Jury.objects.get(campaign=campaign).published_at is not None
    assert ResultRow.objects.filter(campaign=campaign).count() == 1


def test_the_tally_is_run_first_when_it_has_not_been_stored_yet():
    campaign = CampaignFactory(phase=Phase.DELIBERATION)
    idea = IdeaFactory(campaign=campaign)
    cast_many(idea, voters(2))
    to_results(campaign)

    publication.publish_results(campaign_id=campaign.pk)

    assert Tally.objects.get(campaign=campaign).total_votes == 2
    assert list(ResultRow.objects.filter(campaign=campaign).values_list("idea_id", "votes")) == [(idea.pk, 2)]


@pytest.mark.parametrize("phase", [Phase.SUBMISSION, Phase.VOTING, Phase.DELIBERATION])
def test_results_are_published_only_once_the_campaign_left_deliberation(phase):
    campaign, _ideas = voted_campaign()
    Campaign.objects.filter(pk=campaign.pk).update(phase=phase)

    with pytest.raises(DomainError) as caught:
        publication.publish_results(campaign_id=campaign.pk)

    assert caught.value.code == "invalid_transition"
    assert not ResultRow.objects.filter(campaign=campaign).exists()
    assert Jury.objects.get(campaign=campaign).published_at is None


def test_a_missing_campaign_is_not_found():
    with pytest.raises(DomainError) as caught:
        publication.publish_results(campaign_id=987654)
    assert caught.value.code == "not_found"


# --- idempotence and crashes -------------------------------------------------------------------


def test_publishing_twice_changes_nothing_the_second_time(django_capture_on_commit_callbacks):
    campaign, ideas = decided_campaign()
    with django_capture_on_commit_callbacks(execute=True):
        publication.publish_results(campaign_id=campaign.pk)
    before = (stored_rows(campaign), statuses(ideas), StatusChange.objects.count(), len(mail.outbox))
    published = Jury.objects.get(campaign=campaign).published_at

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = publication.publish_results(campaign_id=campaign.pk, now=timezone.now() + datetime.timedelta(hours=1))

    assert not again.published_now
    assert callbacks == []
    assert (stored_rows(campaign), statuses(ideas), StatusChange.objects.count(), len(mail.outbox)) == before
    assert Jury.objects.get(campaign=campaign).published_at == published


def test_a_crash_half_way_stores_nothing_and_a_rerun_publishes_everything():
    campaign, (first, second, third) = decided_campaign()
    real = idea_services.move_statuses
    calls = []

    def crash_on_the_second_call(**kwargs):
        calls.append(kwargs["to"])
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    with mock.patch.object(idea_services, "move_statuses", crash_on_the_second_call), pytest.raises(RuntimeError):
        publication.publish_results(campaign_id=campaign.pk)

    # the awarded statuses of the first call were rolled back with the rest
    assert statuses([first, second, third]) == [Status.SHORTLISTED] * 3
    assert not ResultRow.objects.filter(campaign=campaign).exists()
    assert Jury.objects.get(campaign=campaign).published_at is None
    assert Award.objects.get(campaign=campaign, basis=AwardBasis.PUBLIC).winner_id == first.pk

    publication.publish_results(campaign_id=campaign.pk)

    assert statuses([first, second, third]) == [Status.AWARDED, Status.AWARDED, Status.NOT_SELECTED]
    assert [idea for _pk, idea, *_rest in stored_rows(campaign)] == [first.pk, second.pk, third.pk]


def test_the_task_publishes_and_is_safe_to_run_twice():
    campaign, ideas = decided_campaign()

    assert tasks.publish_results(campaign.pk) == 3
    rows = stored_rows(campaign)
    assert tasks.publish_results(campaign.pk) == 3
    assert stored_rows(campaign) == rows


def test_the_task_returns_for_a_missing_campaign_or_one_still_deliberating():
    campaign, _ideas = voted_campaign()

    assert tasks.publish_results(987654) is None
    assert tasks.publish_results(campaign.pk) is None
    assert Jury.objects.get(campaign=campaign).published_at is None


def test_the_task_is_registered_under_its_name():
    assert "results.tasks.publish_results" in celery_app.tasks
    assert "results.tasks.announce_results" in celery_app.tasks
    # what leaving deliberation queues, by name, is this task
    assert tasks.publish_results.name == lifecycle.AFTER_DELIBERATION_TASK


def test_messages_waiting_under_the_tasks_old_names_are_sent_under_the_new_ones():
    migration = importlib.import_module("results.migrations.0001_rename_publication_tasks")
    waiting = [
        OutboxMessage.objects.create(task="jury.tasks.publish_results", args=[1]),
        OutboxMessage.objects.create(task="jury.publication.announce_results", args=[1]),
        OutboxMessage.objects.create(task="jury.tasks.remind_undecided_awards", args=[]),
    ]

    (operation,) = migration.Migration.operations
    operation.code(django_apps, None)

    renamed = [OutboxMessage.objects.get(pk=message.pk).task for message in waiting]
    assert renamed == [
        "results.tasks.publish_results",
        "results.tasks.announce_results",
        "jury.tasks.remind_undecided_awards",
    ]
    assert all(name in celery_app.tasks for name in renamed)


# --- e-mails ---------------------------------------------------------------------------------------


def published_with_mail(django_capture_on_commit_callbacks, campaign):
    with django_capture_on_commit_callbacks(execute=True):
        publication.publish_results(campaign_id=campaign.pk)


def sent_to(user) -> list:
    return [message for message in mail.outbox if message.to == [user.email]]


def test_winners_authors_and_followers_each_get_one_email(django_capture_on_commit_callbacks):
    campaign, (first, second, third) = decided_campaign()
    coauthor = UserFactory()
    first.coauthors.add(coauthor)
    follower = UserFactory()
    CampaignFollower.objects.create(campaign=campaign, user=follower)
    CampaignFollower.objects.create(campaign=campaign, user=third.author)  # an author who follows too

    published_with_mail(django_capture_on_commit_callbacks, campaign)

    (winner_mail,) = sent_to(second.author)
    assert "won an award" in winner_mail.subject
    assert "Grand prize" in winner_mail.body and "A trip to Lisbon" in winner_mail.body
    assert f"/campaigns/{campaign.slug}/results/" in winner_mail.body
    (coauthor_mail,) = sent_to(coauthor)
    assert "Public's choice" in coauthor_mail.body
    (public_mail,) = sent_to(first.author)
    assert "Public's choice" in public_mail.body and "A dinner" in public_mail.body
    (other_mail,) = sent_to(third.author)
    assert "won no award" in other_mail.body
    (follower_mail,) = sent_to(follower)
    assert "which you follow" in follower_mail.body
    assert f"/campaigns/{campaign.slug}/results/" in follower_mail.body
    assert "Grand prize" in follower_mail.body
    assert follower_mail.extra_headers["List-Unsubscribe"]
    assert len(mail.outbox) == 5


def test_announcing_again_sends_nothing_twice(django_capture_on_commit_callbacks):
    campaign, _ideas = decided_campaign()
    published_with_mail(django_capture_on_commit_callbacks, campaign)
    sent = len(mail.outbox)

    with django_capture_on_commit_callbacks(execute=True):
        assert publication.announce_results(campaign_id=campaign.pk) == 0

    assert len(mail.outbox) == sent
    assert Notification.objects.filter(key=publication.results_key(campaign)).count() == sent


def test_nothing_is_announced_before_publication():
    campaign, _ideas = voted_campaign()
    assert publication.announce_results(campaign_id=campaign.pk) == 0
    assert publication.announce_results(campaign_id=987654) == 0


def test_people_who_turned_the_kind_off_are_not_emailed(django_capture_on_commit_callbacks):
    campaign, (first, *_rest) = decided_campaign()
    account_notifications.update_notification_settings(user=first.author, idea_status_changed=False)
    follower = UserFactory()
    CampaignFollower.objects.create(campaign=campaign, user=follower)
    account_notifications.update_notification_settings(user=follower, followed_campaign_phase=False)

    published_with_mail(django_capture_on_commit_callbacks, campaign)

    assert sent_to(first.author) == [] and sent_to(follower) == []


def test_only_employees_hear_of_an_internal_campaign(django_capture_on_commit_callbacks):
    campaign, (first, *_rest) = decided_campaign(audience=Audience.INTERNAL)
    insider, outsider = employee(), UserFactory()
    for person in (insider, outsider):
        CampaignFollower.objects.create(campaign=campaign, user=person)

    published_with_mail(django_capture_on_commit_callbacks, campaign)

    assert len(sent_to(insider)) == 1
    assert sent_to(outsider) == []
    assert sent_to(first.author) == []  # the factory's author is not an employee


def test_demo_data_publishes_in_silence(django_capture_on_commit_callbacks):
    campaign, _ideas = decided_campaign()
    CampaignFollower.objects.create(campaign=campaign, user=UserFactory())

    with idea_notifications.muted():
        published_with_mail(django_capture_on_commit_callbacks, campaign)

    assert mail.outbox == []
    assert Jury.objects.get(campaign=campaign).published_at is not None

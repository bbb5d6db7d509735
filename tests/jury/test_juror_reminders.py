"""Reminders to jurors who have not finished scoring: at most one e-mail a
day each, in their language, safe to run twice."""

import datetime

import pytest
from freezegun import freeze_time

from accounts.models import Notification, NotificationSettings
from campaigns.models import Phase
from ideabox.exceptions import DomainError
from jury import services, tasks
from jury.models import Juror
from tests.jury.test_scoring import full_scores, jury_campaign, manager_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a call as if its transaction committed (the e-mails leave on commit)."""

    def run(call, *args):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args)

    return run


def scored_by_first_juror(**kwargs):
    campaign, ideas, jurors, criteria = jury_campaign(jurors=3, **kwargs)
    for idea in ideas:
        services.save_evaluation(
            campaign=campaign, user=jurors[0].user, idea=idea, scores=full_scores(criteria), comment=""
        )
    return campaign, ideas, jurors, criteria


def test_a_manager_reminds_the_unfinished_jurors_once_a_day(mailoutbox, django_capture_on_commit_callbacks):
    campaign, _ideas, jurors, _criteria = scored_by_first_juror()
    manager = manager_user()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_jurors(campaign=campaign, by=manager) == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([jurors[1].user.email, jurors[2].user.email])
    message = mailoutbox[0]
    assert campaign.title in message.subject
    assert f"/campaigns/{campaign.slug}/jury/" in message.body
    assert "0 of 6 scores given" in message.body
    assert message.extra_headers["List-Unsubscribe"]
    assert Juror.objects.filter(reminded_at__isnull=False).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        services.remind_jurors(campaign=campaign, by=manager)
    assert len(mailoutbox) == 2  # the same day: nothing again
    assert Notification.objects.filter(key__startswith=f"jury-reminder:{campaign.pk}:").count() == 2


def test_the_task_run_twice_sends_nothing_twice_and_again_the_next_day(mailoutbox, commit):
    campaign, _ideas, _jurors, _criteria = scored_by_first_juror()
    assert commit(tasks.remind_unfinished_jurors, campaign.pk) == 2
    assert commit(tasks.remind_unfinished_jurors, campaign.pk) == 0
    assert len(mailoutbox) == 2
    with freeze_time(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)):
        assert commit(tasks.remind_unfinished_jurors, campaign.pk) == 2
    assert len(mailoutbox) == 4


def test_only_the_named_unfinished_jurors_are_reminded(mailoutbox, commit):
    campaign, _ideas, jurors, _criteria = scored_by_first_juror()
    assert commit(tasks.remind_unfinished_jurors, campaign.pk, [jurors[0].pk, jurors[2].pk]) == 1
    assert [m.to for m in mailoutbox] == [[jurors[2].user.email]]


def test_the_reminder_is_in_the_jurors_language(mailoutbox, commit):
    campaign, _ideas, jurors, _criteria = scored_by_first_juror()
    for juror in jurors:
        juror.user.language = "fr"
        juror.user.save()
    commit(tasks.remind_unfinished_jurors, campaign.pk, [jurors[1].pk])
    html = mailoutbox[0].alternatives[0][0]
    assert '<html lang="fr">' in html


def test_a_juror_who_turned_off_jury_reminders_is_not_emailed(mailoutbox, commit):
    campaign, _ideas, jurors, _criteria = scored_by_first_juror()
    NotificationSettings.objects.create(user=jurors[1].user, jury_reminders=False)
    assert commit(tasks.remind_unfinished_jurors, campaign.pk) == 1
    assert [m.to for m in mailoutbox] == [[jurors[2].user.email]]


@pytest.mark.parametrize("phase", [Phase.VOTING, Phase.RESULTS])
def test_nothing_is_sent_when_scoring_is_not_open(phase, mailoutbox):
    campaign, _ideas, _jurors, _criteria = jury_campaign(phase=phase)
    assert tasks.remind_unfinished_jurors(campaign.pk) == 0
    with pytest.raises(DomainError) as error:
        services.remind_jurors(campaign=campaign, by=manager_user())
    assert error.value.code == "jury_closed"
    assert mailoutbox == []


def test_nothing_is_sent_after_deliberation_ends(mailoutbox):
    campaign, _ideas, _jurors, _criteria = jury_campaign()
    with freeze_time(campaign.deliberation_ends + datetime.timedelta(minutes=1)):
        assert tasks.remind_unfinished_jurors(campaign.pk) == 0
    assert mailoutbox == []


def test_a_missing_campaign_is_ignored():
    assert tasks.remind_unfinished_jurors(999999) == 0


def test_only_managers_send_reminders():
    campaign, _ideas, jurors, _criteria = jury_campaign()
    with pytest.raises(DomainError) as error:
        services.remind_jurors(campaign=campaign, by=jurors[0].user)
    assert error.value.code == "permission_denied"


def test_the_daily_task_reminds_in_every_campaign_being_scored(mailoutbox, commit):
    scored_by_first_juror()
    scored_by_first_juror()
    jury_campaign(phase=Phase.VOTING)
    commit(tasks.remind_all_unfinished_jurors)
    assert len(mailoutbox) == 4

"""The e-mail notification tasks: who hears of what, once, in their language."""

import datetime

from django.core import mail
from django.db import connection
from django.utils import timezone

import pytest
from freezegun import freeze_time

from accounts import notifications as settings_service
from accounts.models import Notification
from campaigns.models import Audience, CampaignFollower, Phase, PhaseTransition
from ideas import notifications, tasks
from ideas.models import IdeaFollower, Status, StatusChange
from tests.concurrency import at_once
from tests.factories import (
    CampaignFactory,
    CommentFactory,
    IdeaFactory,
    UserFactory,
    company_employee,
    company_leaver,
    employee,
    the_box,
)

pytestmark = pytest.mark.django_db

SITE = "https://ideas.example.com"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a task as a worker would: its e-mails leave when its transactions commit."""

    def runner(task, *args):
        with django_capture_on_commit_callbacks(execute=True):
            task(*args)
        return list(mail.outbox)

    return runner


def follow_idea(idea, *users):
    for user in users:
        IdeaFollower.objects.create(idea=idea, user=user)


def follow_campaign(campaign, *users):
    for user in users:
        CampaignFollower.objects.create(campaign=campaign, user=user)


def recipients_of(messages):
    return sorted(address for message in messages for address in message.to)


def emails(*users):
    return sorted(user.email for user in users)


# --- comments -----------------------------------------------------------------


def test_a_comment_reaches_authors_and_followers_but_never_the_commenter(run):
    author, coauthor, follower, commenter = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    idea = IdeaFactory(author=author, title="Solar roofs")
    idea.coauthors.add(coauthor)
    follow_idea(idea, follower, commenter)
    comment = CommentFactory(idea=idea, author=commenter, body="What about hail?")

    sent = run(notifications.idea_commented, comment.pk)

    assert recipients_of(sent) == emails(author, coauthor, follower)
    assert all(len(message.to) == 1 for message in sent)
    by_address = {message.to[0]: message for message in sent}
    assert by_address[author.email].subject == "[Ideabox] New comment on “Solar roofs”"
    assert "commented on your idea “Solar roofs”" in by_address[author.email].body
    assert "an idea you follow" in by_address[follower.email].body
    assert "What about hail?" in by_address[follower.email].body
    assert f"{SITE}/ideas/{idea.pk}/" in by_address[follower.email].body


def test_a_hidden_comment_sends_nothing(run):
    idea = IdeaFactory()
    comment = CommentFactory(idea=idea, hidden=True, hidden_reason="spam")
    assert run(notifications.idea_commented, comment.pk) == []
    assert not Notification.objects.exists()


@pytest.mark.parametrize("moderation", [{"hidden": True, "hidden_reason": "abuse"}, {"approved": False}])
def test_a_comment_on_a_hidden_or_unapproved_idea_sends_nothing(run, moderation):
    idea = IdeaFactory(**moderation)
    follow_idea(idea, UserFactory())
    comment = CommentFactory(idea=idea)
    assert run(notifications.idea_commented, comment.pk) == []


def test_someone_who_turned_comments_off_gets_none(run):
    author, follower = UserFactory(), UserFactory()
    settings_service.update_notification_settings(user=author, idea_commented=False)
    idea = IdeaFactory(author=author)
    follow_idea(idea, follower)
    sent = run(notifications.idea_commented, CommentFactory(idea=idea).pk)
    assert recipients_of(sent) == [follower.email]


def test_an_unverified_or_inactive_person_gets_nothing(run):
    unverified, inactive = UserFactory(verified=False), UserFactory(is_active=False)
    idea = IdeaFactory(author=unverified)
    follow_idea(idea, inactive)
    assert run(notifications.idea_commented, CommentFactory(idea=idea).pk) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_same_task_at_once_send_one_email():
    followers = [UserFactory() for _ in range(5)]
    idea = IdeaFactory()
    follow_idea(idea, *followers)
    comment = CommentFactory(idea=idea)

    def worker():
        notifications.idea_commented(comment.pk)

    # A crashed worker fails the test.
    failures = [outcome for outcome in at_once(worker, worker, ok="ok") if outcome != "ok"]

    assert failures == []
    assert recipients_of(mail.outbox) == emails(idea.author, *followers)
    assert Notification.objects.filter(key=f"comment:{comment.pk}").count() == 6


def test_a_comment_is_announced_once_even_if_the_task_runs_twice(run):
    idea = IdeaFactory()
    comment = CommentFactory(idea=idea)
    run(notifications.idea_commented, comment.pk)
    sent = run(notifications.idea_commented, comment.pk)
    assert recipients_of(sent) == [idea.author.email]
    assert Notification.objects.filter(user=idea.author, key=f"comment:{comment.pk}").count() == 1


@pytest.mark.parametrize("make_campaign", [lambda: CampaignFactory(audience=Audience.INTERNAL), the_box])
def test_only_employees_hear_of_an_internal_campaign_or_the_box(run, make_campaign):
    """Employees by address or by a recent company sign-in; not a leaver."""
    insider, outsider = employee(), UserFactory()
    signed_in, leaver = company_employee(), company_leaver()
    idea = IdeaFactory(campaign=make_campaign(), author=employee())
    follow_idea(idea, insider, outsider, signed_in, leaver)
    sent = run(notifications.idea_commented, CommentFactory(idea=idea).pk)
    assert recipients_of(sent) == emails(idea.author, insider, signed_in)


def test_an_author_who_is_no_longer_an_employee_hears_nothing_of_the_box(run):
    former = UserFactory()  # once at the employee domain, now only at example.org
    idea = IdeaFactory(campaign=the_box(), author=former)
    assert run(notifications.idea_commented, CommentFactory(idea=idea).pk) == []


def test_followers_never_learn_an_anonymous_authors_name(run):
    author = UserFactory(username="secretauthor", display_name="Hidden Person")
    follower = UserFactory()
    idea = IdeaFactory(campaign=CampaignFactory(allow_anonymous=True), author=author, anonymous=True)
    follow_idea(idea, follower)
    comment = CommentFactory(idea=idea)
    own_comment = CommentFactory(idea=idea, author=author, body="Thanks!")
    change = StatusChange.objects.create(idea=idea, from_status=Status.PUBLISHED, to_status=Status.SHORTLISTED)

    run(notifications.idea_commented, comment.pk)
    run(notifications.idea_commented, own_comment.pk)
    run(notifications.idea_status_changed, change.pk)

    to_follower = [m for m in mail.outbox if m.to == [follower.email]]
    assert len(to_follower) == 3
    assert "The idea's author commented on" in to_follower[1].body
    for message in to_follower:
        content = message.subject + message.body + message.alternatives[0][0]
        assert "secretauthor" not in content
        assert "Hidden Person" not in content


# --- status changes -------------------------------------------------------------


def box_idea(**kwargs):
    return IdeaFactory(campaign=the_box(), author=kwargs.pop("author", None) or employee(), **kwargs)


def test_the_first_answer_to_a_box_idea_tells_the_author_it_was_answered(run):
    reviewer, follower = employee(groups=["moderators"]), employee()
    idea = box_idea(title="Bike racks")
    follow_idea(idea, follower, reviewer)
    change = StatusChange.objects.create(
        idea=idea, from_status=Status.UNDER_REVIEW, to_status=Status.ACCEPTED, by=reviewer
    )

    sent = run(notifications.idea_status_changed, change.pk)

    assert recipients_of(sent) == emails(idea.author, follower)
    by_address = {message.to[0]: message for message in sent}
    assert by_address[idea.author.email].subject == "[Ideabox] Your idea was answered: “Bike racks”"
    assert "New status: Accepted" in by_address[idea.author.email].body
    assert by_address[follower.email].subject == "[Ideabox] An idea you follow changed status: “Bike racks”"


def test_a_later_change_says_the_status_changed_and_a_rejection_gives_its_reason(run):
    idea = box_idea(title="Nap room")
    StatusChange.objects.create(idea=idea, from_status=Status.UNDER_REVIEW, to_status=Status.ACCEPTED)
    idea.status, idea.rejection_reason = Status.REJECTED, "No room left on the floor."
    idea.save()
    change = StatusChange.objects.create(
        idea=idea, from_status=Status.ACCEPTED, to_status=Status.REJECTED, reason="No room left on the floor."
    )

    [message] = run(notifications.idea_status_changed, change.pk)

    assert message.subject == "[Ideabox] Your idea's status changed: “Nap room”"
    assert "No room left on the floor." in message.body
    assert "No room left on the floor." in message.alternatives[0][0]


def test_authors_and_followers_each_have_their_own_switch(run):
    author, follower = UserFactory(), UserFactory()
    idea = IdeaFactory(author=author)
    follow_idea(idea, follower, author)  # an author who follows is told as an author
    change = StatusChange.objects.create(idea=idea, from_status=Status.PUBLISHED, to_status=Status.SHORTLISTED)

    settings_service.update_notification_settings(user=follower, followed_idea_changed=False)
    assert recipients_of(run(notifications.idea_status_changed, change.pk)) == [author.email]

    mail.outbox.clear()
    Notification.objects.all().delete()
    settings_service.update_notification_settings(user=author, idea_status_changed=False)
    settings_service.update_notification_settings(user=follower, followed_idea_changed=True)
    assert recipients_of(run(notifications.idea_status_changed, change.pk)) == [follower.email]


def test_the_reviewer_who_changed_the_status_is_not_told(run):
    reviewer = employee()
    idea = box_idea(author=reviewer)
    change = StatusChange.objects.create(
        idea=idea, from_status=Status.UNDER_REVIEW, to_status=Status.ACCEPTED, by=reviewer
    )
    assert run(notifications.idea_status_changed, change.pk) == []


def test_a_status_change_of_a_hidden_idea_sends_nothing(run):
    idea = IdeaFactory(hidden=True, hidden_reason="duplicate")
    change = StatusChange.objects.create(idea=idea, from_status=Status.PUBLISHED, to_status=Status.SHORTLISTED)
    assert run(notifications.idea_status_changed, change.pk) == []


def test_a_status_change_is_announced_once(run):
    idea = IdeaFactory()
    change = StatusChange.objects.create(idea=idea, from_status=Status.PUBLISHED, to_status=Status.SHORTLISTED)
    run(notifications.idea_status_changed, change.pk)
    assert len(run(notifications.idea_status_changed, change.pk)) == 1


# --- campaigns: voting opens ------------------------------------------------------


def test_followers_hear_that_voting_opened(run):
    campaign = CampaignFactory(phase=Phase.VOTING, title="Greener offices")
    manager = UserFactory(groups=["campaign managers"])
    follower, quiet = UserFactory(), UserFactory()
    follow_campaign(campaign, follower, quiet, manager)
    settings_service.update_notification_settings(user=quiet, followed_campaign_phase=False)
    PhaseTransition.objects.create(campaign=campaign, from_phase=Phase.SUBMISSION, to_phase=Phase.VOTING, by=manager)

    sent = run(notifications.campaign_phase_changed, campaign.pk, Phase.VOTING)
    run(notifications.campaign_phase_changed, campaign.pk, Phase.VOTING)

    assert recipients_of(sent) == [follower.email]
    assert sent[0].subject == "[Ideabox] Voting is open: “Greener offices”"
    assert f"{SITE}/campaigns/{campaign.slug}/" in sent[0].body


def test_other_phase_changes_and_a_vote_already_closed_send_nothing(run):
    follower = UserFactory()
    deliberating = CampaignFactory(phase=Phase.DELIBERATION)
    submission = CampaignFactory(phase=Phase.SUBMISSION)
    follow_campaign(deliberating, follower)
    follow_campaign(submission, follower)
    assert run(notifications.campaign_phase_changed, submission.pk, Phase.SUBMISSION) == []
    # The scheduler caught up after downtime: voting opened and closed already.
    assert run(notifications.campaign_phase_changed, deliberating.pk, Phase.VOTING) == []


def test_a_non_employee_follower_of_an_internal_campaign_gets_nothing(run):
    campaign = CampaignFactory(phase=Phase.VOTING, audience=Audience.INTERNAL)
    insider, outsider = employee(), UserFactory()
    signed_in, leaver = company_employee(), company_leaver()
    follow_campaign(campaign, insider, outsider, signed_in, leaver)
    sent = run(notifications.campaign_phase_changed, campaign.pk, Phase.VOTING)
    assert recipients_of(sent) == emails(insider, signed_in)


# --- campaigns: closing tomorrow ----------------------------------------------------

NOW = datetime.datetime(2030, 6, 10, 8, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


@freeze_time(NOW)
def test_followers_are_told_the_day_before_a_deadline(run):
    closing_ideas = CampaignFactory(phase=Phase.SUBMISSION, title="Ideas close", submission_closes=NOW + 20 * HOUR)
    closing_votes = CampaignFactory(phase=Phase.VOTING, title="Votes close", voting_closes=NOW + 23 * HOUR)
    later = CampaignFactory(phase=Phase.SUBMISSION, submission_closes=NOW + 30 * HOUR)
    passed = CampaignFactory(phase=Phase.SUBMISSION, submission_closes=NOW - HOUR)
    follower, quiet = UserFactory(), UserFactory()
    settings_service.update_notification_settings(user=quiet, campaign_closing=False)
    for campaign in (closing_ideas, closing_votes, later, passed):
        follow_campaign(campaign, follower, quiet)

    sent = run(notifications.campaigns_closing_tomorrow)

    assert sorted(message.subject for message in sent) == [
        "[Ideabox] Last call for ideas: “Ideas close” closes on June 11",
        "[Ideabox] Last call to vote: “Votes close” closes on June 11",
    ]
    assert recipients_of(sent) == [follower.email, follower.email]


@freeze_time(NOW)
def test_running_the_daily_task_twice_sends_nothing_twice(run):
    campaign = CampaignFactory(phase=Phase.SUBMISSION, submission_closes=NOW + 20 * HOUR)
    follow_campaign(campaign, UserFactory())
    run(notifications.campaigns_closing_tomorrow)
    with freeze_time(NOW + 2 * HOUR):
        sent = run(notifications.campaigns_closing_tomorrow)
    assert len(sent) == 1
    assert Notification.objects.get().key == f"closing:campaign:{campaign.pk}:submission"


@freeze_time(NOW)
def test_a_french_recipient_gets_the_email_in_french(run):
    campaign = CampaignFactory(phase=Phase.VOTING, title="Bureaux verts", voting_closes=NOW + 20 * HOUR)
    francoise, john = UserFactory(language="fr"), UserFactory(language="en")
    follow_campaign(campaign, francoise, john)

    sent = {message.to[0]: message for message in run(notifications.campaigns_closing_tomorrow)}

    french, english = sent[francoise.email], sent[john.email]
    assert "11 juin" in french.subject
    assert "juin 2030" in french.body
    assert '<html lang="fr">' in french.alternatives[0][0]
    assert "June 11" in english.subject
    assert '<html lang="en">' in english.alternatives[0][0]


@freeze_time(NOW)
def test_an_internal_campaign_closing_is_told_to_employees_only(run):
    campaign = CampaignFactory(phase=Phase.SUBMISSION, audience=Audience.INTERNAL, submission_closes=NOW + 20 * HOUR)
    insider, outsider = employee(), UserFactory()
    signed_in, leaver = company_employee(), company_leaver()
    follow_campaign(campaign, insider, outsider, signed_in, leaver)
    assert recipients_of(run(notifications.campaigns_closing_tomorrow)) == emails(insider, signed_in)


# --- every e-mail ------------------------------------------------------------------


def test_every_email_has_an_html_part_footer_links_and_the_list_unsubscribe_headers(run):
    idea = IdeaFactory()
    [message] = run(notifications.idea_commented, CommentFactory(idea=idea).pk)

    header = message.extra_headers["List-Unsubscribe"]
    prefix = f"<{SITE}/accounts/unsubscribe/"
    assert header.startswith(prefix) and header.endswith("/>")
    unsubscribe = header[1:-1]
    token = header[len(prefix) : -2]
    assert settings_service.read_unsubscribe_token(token) == (idea.author, "idea_commented")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    for part in (message.body, html):
        assert unsubscribe in part
        assert f"{SITE}/accounts/notifications/" in part
    assert message.subject.startswith("[Ideabox] ")


def test_markup_in_what_people_write_is_escaped_in_html_and_left_alone_in_text(run):
    idea = IdeaFactory(title="Tom & Jerry <b>")
    comment = CommentFactory(idea=idea, body="<script>alert(1)</script>")
    [message] = run(notifications.idea_commented, comment.pk)
    assert message.subject == "[Ideabox] New comment on “Tom & Jerry <b>”"
    assert "<script>alert(1)</script>" in message.body
    html = message.alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Tom &amp; Jerry &lt;b&gt;" in html


@pytest.mark.parametrize(
    ("task", "args"),
    [
        (notifications.idea_commented, (987654,)),
        (notifications.idea_status_changed, (987654,)),
        (notifications.campaign_phase_changed, (987654, "voting")),
    ],
)
def test_a_missing_object_makes_the_task_return_quietly(run, task, args):
    assert run(task, *args) == []


def test_a_task_sent_through_the_queue_runs_with_ids(run, django_capture_on_commit_callbacks):
    # What services do: .delay(id) after commit (eager in tests).
    idea = IdeaFactory()
    comment = CommentFactory(idea=idea)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.idea_commented.delay(comment.pk)
    assert recipients_of(mail.outbox) == [idea.author.email]


# --- weekly digest -------------------------------------------------------------------


def opt_in(*users):
    for user in users:
        settings_service.update_notification_settings(user=user, weekly_digest=True)


@freeze_time(NOW)
def test_the_digest_lists_the_weeks_new_ideas_and_followed_ideas_news(run):
    reader = UserFactory()
    opt_in(reader)
    open_campaign = CampaignFactory(phase=Phase.SUBMISSION, title="Open campaign")
    followed = CampaignFactory(phase=Phase.DELIBERATION, title="Followed campaign")
    not_followed = CampaignFactory(phase=Phase.DELIBERATION, title="Quiet campaign")
    internal = CampaignFactory(phase=Phase.SUBMISSION, audience=Audience.INTERNAL, title="Staff only")
    follow_campaign(followed, reader)
    IdeaFactory(campaign=open_campaign, title="Fresh idea", created_at=NOW - 2 * 24 * HOUR)
    IdeaFactory(campaign=open_campaign, title="Old idea", created_at=NOW - 9 * 24 * HOUR)
    IdeaFactory(campaign=open_campaign, title="Hidden idea", hidden=True, hidden_reason="spam")
    IdeaFactory(campaign=open_campaign, title="Waiting idea", approved=False)
    IdeaFactory(campaign=followed, title="Followed idea")
    IdeaFactory(campaign=not_followed, title="Unseen idea")
    IdeaFactory(campaign=internal, title="Internal idea")
    IdeaFactory(
        campaign=CampaignFactory(phase=Phase.SUBMISSION, allow_anonymous=True),
        title="Masked idea",
        anonymous=True,
        author=UserFactory(username="maskedauthor"),
    )
    tracked = IdeaFactory(campaign=not_followed, title="Tracked idea", created_at=NOW - 30 * 24 * HOUR)
    follow_idea(tracked, reader)
    StatusChange.objects.create(idea=tracked, from_status=Status.PUBLISHED, to_status=Status.SHORTLISTED)

    [message] = run(notifications.weekly_digest)

    assert message.to == [reader.email]
    assert message.subject == "[Ideabox] Your week on Ideabox"
    assert "Your week on Ideabox" in message.alternatives[0][0]
    html = message.alternatives[0][0]
    for part in (message.body, html):
        for shown in ("Fresh idea", "Followed idea", "Masked idea", "Tracked idea", "Shortlisted"):
            assert shown in part
        for hidden in ("Old idea", "Hidden idea", "Waiting idea", "Unseen idea", "Internal idea", "maskedauthor"):
            assert hidden not in part
        assert "an anonymous author" in part


@freeze_time(NOW)
@pytest.mark.parametrize(
    ("make_reader", "included"), [(employee, True), (company_employee, True), (company_leaver, False)]
)
def test_an_employee_digest_includes_internal_campaigns(run, make_reader, included):
    reader = make_reader()
    opt_in(reader)
    IdeaFactory(campaign=CampaignFactory(phase=Phase.SUBMISSION, audience=Audience.INTERNAL), title="Internal idea")
    IdeaFactory(campaign=CampaignFactory(phase=Phase.SUBMISSION), title="Public idea")
    [message] = run(notifications.weekly_digest)
    assert "Public idea" in message.body
    assert ("Internal idea" in message.body) is included


@freeze_time(NOW)
def test_the_digest_shows_at_most_ten_ideas_per_campaign(run):
    opt_in(UserFactory())
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    for number in range(12):
        IdeaFactory(campaign=campaign, title=f"Idea #{number:02d}", created_at=NOW - (number + 1) * HOUR)
    [message] = run(notifications.weekly_digest)
    assert [f"Idea #{n:02d}" in message.body for n in range(12)] == [True] * 10 + [False] * 2


@freeze_time(NOW)
def test_people_with_nothing_new_or_without_the_opt_in_get_no_digest(run):
    opted_in, _not_opted_in = UserFactory(), UserFactory()
    opt_in(opted_in)
    assert run(notifications.weekly_digest) == []
    IdeaFactory(campaign=CampaignFactory(phase=Phase.SUBMISSION))
    assert recipients_of(run(notifications.weekly_digest)) == [opted_in.email]


@freeze_time(NOW)
def test_the_digest_goes_once_a_week(run):
    opt_in(UserFactory())
    IdeaFactory(campaign=CampaignFactory(phase=Phase.VOTING))
    run(notifications.weekly_digest)
    with freeze_time(NOW + 3 * HOUR):
        run(notifications.weekly_digest)
    assert len(mail.outbox) == 1
    assert Notification.objects.get().key == "digest:2030-W24"
    with freeze_time(NOW + 7 * 24 * HOUR):
        IdeaFactory(campaign=CampaignFactory(phase=Phase.VOTING))
        run(notifications.weekly_digest)
    assert len(mail.outbox) == 2


@freeze_time(NOW)
@pytest.mark.parametrize("ideas", [3, 30])
def test_the_digest_query_count_does_not_grow_with_the_ideas(run, django_assert_num_queries, ideas):
    reader = UserFactory()
    opt_in(reader)
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    follow_campaign(campaign, reader)
    for _ in range(ideas):
        idea = IdeaFactory(campaign=campaign, created_at=timezone.now() - HOUR)
        follow_idea(idea, reader)
        StatusChange.objects.create(idea=idea, from_status=Status.PUBLISHED, to_status=Status.SHORTLISTED)
    # The readers, who is an employee (by address, by a recent company
    # sign-in), followed campaigns, the new ideas, their campaigns, followed
    # ideas' changes; then per reader: the log check, savepoint, log row,
    # outbox row, release, and the outbox row deleted once the broker took
    # the e-mail.
    with django_assert_num_queries(13):
        run(notifications.weekly_digest)
    assert len(mail.outbox) == 1


# --- wired to the services -----------------------------------------------------------


def test_commenting_through_the_service_emails_the_author_after_commit(django_capture_on_commit_callbacks):
    from ideas import services

    idea = IdeaFactory(title="Shared bikes")
    with django_capture_on_commit_callbacks(execute=True):
        services.add_comment(idea=idea, author=UserFactory(), body="Count me in.")
    assert recipients_of(mail.outbox) == [idea.author.email]
    assert "Count me in." in mail.outbox[0].body


def test_a_reviewers_answer_through_the_service_tells_the_author(django_capture_on_commit_callbacks):
    from ideas import review

    idea = box_idea(title="Standing desks")
    with django_capture_on_commit_callbacks(execute=True):
        review.change_status(idea=idea, to=Status.REJECTED, by=employee(groups=["moderators"]), reason="No budget.")
    [message] = mail.outbox
    assert message.subject == "[Ideabox] Your idea was answered: “Standing desks”"
    assert "No budget." in message.body


def test_nothing_is_queued_while_notifications_are_muted(django_capture_on_commit_callbacks):
    from unittest import mock

    from ideabox import outbox
    from ideabox.models import OutboxMessage
    from ideas import notifications

    with mock.patch("celery.app.task.Task.apply_async") as sent:
        with notifications.muted(), django_capture_on_commit_callbacks(execute=True):
            outbox.enqueue("ideas.tasks.idea_commented", 1)
        assert not sent.called
        assert not OutboxMessage.objects.exists()  # nothing left for the sweep either
        with django_capture_on_commit_callbacks(execute=True):
            outbox.enqueue("ideas.tasks.idea_commented", 1)
        assert sent.called


@freeze_time(NOW)
def test_the_digest_names_the_configured_site(run, settings):
    settings.SITE_NAME = "Acme ideas"
    reader = UserFactory()
    opt_in(reader)
    IdeaFactory(campaign=CampaignFactory(phase=Phase.SUBMISSION), title="Fresh idea", created_at=NOW - 2 * 24 * HOUR)

    [message] = run(notifications.weekly_digest)

    assert message.subject.endswith("Your week on Acme ideas")
    html = message.alternatives[0][0]
    assert "Your week on Acme ideas" in html
    assert "Ideabox" not in html

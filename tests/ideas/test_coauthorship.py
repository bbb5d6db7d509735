"""Co-authorship by invitation (ideas/coauthorship.py): nobody is made a
co-author without accepting, and an invitation counts for no rule."""

import datetime as dt
import importlib

from django.apps import apps
from django.core import mail
from django.db import IntegrityError, transaction

import pytest
from freezegun import freeze_time

from accounts import notifications as settings_service
from campaigns import services as campaign_services
from campaigns.models import Audience, Phase
from ideas import coauthorship, notifications, services
from ideas.models import Coauthorship, Idea
from jury import selectors as jury_selectors
from jury.models import Juror
from tests.factories import CampaignFactory, IdeaFactory, UserFactory, employee, the_box, user_with_role
from tests.ideas.test_submit import refusal, submit
from votes import services as vote_services
from votes.coauthorship import accept
from votes.models import Ballot, Vote

pytestmark = pytest.mark.django_db

State = Coauthorship.State


def invited(campaign=None, *, invitee=None, author=None, **kwargs):
    """An idea whose author named `invitee` as a co-author: an invitation."""
    campaign = campaign or CampaignFactory()
    author = author or (employee() if campaign.is_internal else UserFactory())
    invitee = invitee or (employee() if campaign.is_internal else UserFactory())
    idea = submit(campaign, author, coauthors=[invitee.username], **kwargs)
    return idea, author, invitee


def row(idea, user) -> Coauthorship:
    return Coauthorship.objects.get(idea=idea, user=user)


# --- an invitation is not co-authorship -------------------------------------------------


def test_a_named_person_is_invited_and_no_author_until_they_accept():
    idea, author, invitee = invited()
    invitation = row(idea, invitee)
    assert (invitation.state, invitation.invited_by, invitation.answered_at) == (State.INVITED, author, None)
    idea = Idea.objects.get(pk=idea.pk)
    assert list(idea.coauthors.all()) == []
    assert not idea.has_author(invitee)
    assert idea.author_ids() == {author.pk}
    assert not services.may_edit(invitee, idea)


def test_accepting_makes_a_co_author_and_is_idempotent():
    idea, author, invitee = invited()
    accepted, changed = accept(idea=idea, user=invitee)
    assert changed and accepted.state == State.ACCEPTED and accepted.answered_at is not None
    idea = Idea.objects.get(pk=idea.pk)
    assert list(idea.coauthors.all()) == [invitee]
    assert idea.has_author(invitee) and idea.author_ids() == {author.pk, invitee.pk}
    assert services.may_edit(invitee, idea)
    again, changed = accept(idea=idea, user=invitee)
    assert not changed and again.state == State.ACCEPTED
    assert Coauthorship.objects.count() == 1


def test_declining_leaves_no_co_author_and_the_person_is_not_invited_again():
    idea, author, invitee = invited()
    declined = coauthorship.decline_or_leave(idea=idea, user=invitee)
    assert declined.state == State.DECLINED and declined.answered_at is not None
    assert list(Idea.objects.get(pk=idea.pk).coauthors.all()) == []
    error = refusal(lambda: services.edit_idea(idea=idea, by=author, coauthors=[invitee.username]))
    assert error.code == "invalid" and invitee.username in error.fields["coauthors"][0]
    assert row(idea, invitee).state == State.DECLINED
    assert refusal(lambda: accept(idea=idea, user=invitee)).code == "not_found"


def test_a_co_author_leaves_while_submission_is_open():
    idea, author, invitee = invited()
    accept(idea=idea, user=invitee)
    left = coauthorship.decline_or_leave(idea=idea, user=invitee)
    assert left.state == State.LEFT and left.left_at is not None
    idea = Idea.objects.get(pk=idea.pk)
    assert list(idea.coauthors.all()) == [] and not idea.has_author(invitee)
    assert refusal(lambda: coauthorship.decline_or_leave(idea=idea, user=invitee)).code == "not_found"


def test_someone_neither_invited_nor_co_author_can_neither_accept_nor_decline():
    idea, author, invitee = invited()
    for person in (author, UserFactory(), user_with_role("moderator")):
        assert refusal(lambda p=person: accept(idea=idea, user=p)).code == "not_found"
        assert refusal(lambda p=person: coauthorship.decline_or_leave(idea=idea, user=p)).code == "not_found"
    assert row(idea, invitee).state == State.INVITED


def test_an_invitation_on_an_idea_the_invitee_may_not_see_is_not_found():
    idea, author, invitee = invited()
    Idea.objects.filter(pk=idea.pk).update(hidden=True, hidden_reason="Spam")
    assert refusal(lambda: accept(idea=idea, user=invitee)).code == "not_found"
    assert row(idea, invitee).state == State.INVITED


def test_the_author_cannot_invite_themselves_and_nobody_is_invited_twice():
    campaign = CampaignFactory()
    author, colleague = UserFactory(), UserFactory()
    idea = submit(campaign, author, coauthors=[author.username, colleague.username, colleague.username])
    assert [r.user for r in Coauthorship.objects.filter(idea=idea)] == [colleague]
    services.edit_idea(idea=idea, by=author, coauthors=[colleague.username])
    assert Coauthorship.objects.filter(idea=idea).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Coauthorship.objects.create(idea=idea, user=colleague)


def test_taking_a_name_out_withdraws_the_invitation_or_removes_the_co_author():
    campaign = CampaignFactory()
    author, first, second = UserFactory(), UserFactory(), UserFactory()
    idea = submit(campaign, author, coauthors=[first.username, second.username])
    accept(idea=idea, user=first)
    services.edit_idea(idea=idea, by=author, coauthors="")
    assert not Coauthorship.objects.filter(idea=idea).exists()
    assert list(Idea.objects.get(pk=idea.pk).coauthors.all()) == []
    assert refusal(lambda: accept(idea=idea, user=second)).code == "not_found"


def test_the_edit_form_holds_the_co_authors_and_those_invited():
    from ideas.forms import IdeaForm

    campaign = CampaignFactory()
    author, first = UserFactory(), UserFactory(username="ann")
    UserFactory(username="bob")
    idea = submit(campaign, author, coauthors=["bob", "ann"])
    accept(idea=idea, user=first)
    # The co-authors first, then those invited.
    assert IdeaForm.initial_for(Idea.objects.get(pk=idea.pk))["coauthors"] == "ann, bob"


# --- the invitee is told: an e-mail, once ------------------------------------------------


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run `call` as a request would: its tasks and e-mails leave when it commits."""

    def runner(call):
        with django_capture_on_commit_callbacks(execute=True):
            result = call()
        return result

    return runner


def test_the_invitee_gets_one_e_mail_however_often_the_idea_is_edited(committed, settings):
    settings.SITE_URL = "https://ideas.example.com"
    campaign = CampaignFactory()
    author, invitee = UserFactory(display_name="Camille Author"), UserFactory()
    idea = committed(lambda: submit(campaign, author, coauthors=[invitee.username]))
    (message,) = mail.outbox
    assert message.to == [invitee.email]
    assert idea.title in message.subject
    assert "Camille Author" in message.body
    assert "https://ideas.example.com/ideas/invitations/" in message.body
    committed(lambda: services.edit_idea(idea=idea, by=author, title="A new title", coauthors=[invitee.username]))
    assert len(mail.outbox) == 1


def test_the_e_mail_follows_the_answers_to_my_ideas_setting(committed):
    invitee = UserFactory()
    settings_service.update_notification_settings(user=invitee, idea_status_changed=False)
    idea, author, _ = committed(lambda: invited(invitee=invitee))
    assert mail.outbox == []
    assert row(idea, invitee).state == State.INVITED  # still invited: the site shows it


def test_an_anonymous_ideas_invitation_does_not_name_its_author(committed):
    campaign = CampaignFactory(allow_anonymous=True)
    author = UserFactory(display_name="Secret Writer")
    committed(lambda: invited(campaign, author=author, anonymous=True))
    (message,) = mail.outbox
    assert "Secret Writer" not in message.body
    assert "Secret Writer" not in message.alternatives[0][0]


def test_an_idea_awaiting_approval_tells_its_invitees_once_approved(committed):
    campaign = CampaignFactory(moderation="pre")
    idea, author, invitee = committed(lambda: invited(campaign))
    assert mail.outbox == []
    from moderation import services as moderation

    committed(lambda: moderation.approve_idea(idea=idea, by=user_with_role("moderator")))
    assert [m.to for m in mail.outbox] == [[invitee.email]]


def test_a_pending_invitee_is_not_told_of_comments_as_an_author(committed):
    idea, author, invitee = invited()
    assert notifications._author_ids(Idea.objects.get(pk=idea.pk)) == {author.pk}


# --- invitations lapse when voting opens --------------------------------------------------


def test_entering_voting_lapses_the_campaigns_pending_invitations(manager):
    campaign = CampaignFactory()
    idea, author, invitee = invited(campaign)
    other_idea, _, accepted = invited(campaign)
    accept(idea=other_idea, user=accepted)
    elsewhere, _, untouched = invited(CampaignFactory())
    campaign_services.transition_campaign(campaign=campaign, to=Phase.VOTING, by=manager)
    assert row(idea, invitee).state == State.LAPSED
    assert row(other_idea, accepted).state == State.ACCEPTED
    assert row(elsewhere, untouched).state == State.INVITED
    error = refusal(lambda: accept(idea=idea, user=invitee))
    assert error.code == "coauthors_locked" and error.status == 409
    assert list(Idea.objects.get(pk=idea.pk).coauthors.all()) == []


def test_lapsing_twice_changes_nothing_the_second_time():
    campaign = CampaignFactory()
    invited(campaign)
    assert coauthorship.lapse_invitations(campaign=campaign) == 1
    assert coauthorship.lapse_invitations(campaign=campaign) == 0


def test_accepting_checks_the_clock_before_the_scheduler_moves_the_campaign():
    campaign = CampaignFactory()
    idea, author, invitee = invited(campaign)
    with freeze_time(campaign.voting_opens):
        assert refusal(lambda: accept(idea=idea, user=invitee)).code == "coauthors_locked"
    assert row(idea, invitee).state == State.INVITED
    with freeze_time(campaign.voting_opens - dt.timedelta(seconds=1)):
        accept(idea=idea, user=invitee)
    assert row(idea, invitee).state == State.ACCEPTED


def test_a_co_author_cannot_leave_once_voting_has_opened():
    campaign = CampaignFactory()
    idea, author, invitee = invited(campaign)
    accept(idea=idea, user=invitee)
    with freeze_time(campaign.voting_opens):
        assert refusal(lambda: coauthorship.decline_or_leave(idea=idea, user=invitee)).code == "coauthors_locked"
    assert Idea.objects.get(pk=idea.pk).has_author(invitee)


def test_the_idea_boxs_invitations_never_lapse():
    box = the_box()
    idea, author, invitee = invited(box)
    assert coauthorship.lapse_invitations(campaign=box) == 0
    assert coauthorship.invitations_open(box, box.created_at + dt.timedelta(days=3650))
    accept(idea=idea, user=invitee)
    assert row(idea, invitee).state == State.ACCEPTED


# --- jurors -------------------------------------------------------------------------------


def test_a_juror_can_neither_be_invited_nor_accept_once_voting_has_opened(manager):
    campaign = CampaignFactory()
    juror = UserFactory()
    Juror.objects.create(campaign=campaign, user=juror)
    idea, author, _ = invited(campaign, invitee=juror)
    late = UserFactory()
    Juror.objects.create(campaign=campaign, user=late)
    campaign_services.transition_campaign(campaign=campaign, to=Phase.VOTING, by=manager)
    idea = Idea.objects.get(pk=idea.pk)
    assert refusal(lambda: accept(idea=idea, user=juror)).code == "coauthors_locked"
    # Inviting means editing the idea, which closed with submission.
    error = refusal(lambda: services.edit_idea(idea=idea, by=author, coauthors=[juror.username, late.username]))
    assert error.code == "submission_closed"
    assert not Coauthorship.objects.filter(user=late).exists()
    assert not jury_selectors.is_own(Idea.objects.get(pk=idea.pk), juror)


def test_the_jurys_own_idea_rule_counts_accepted_co_authors_only():
    campaign = CampaignFactory()
    idea, author, juror = invited(campaign)
    assert not jury_selectors.is_own(Idea.objects.get(pk=idea.pk), juror)
    accept(idea=idea, user=juror)
    assert jury_selectors.is_own(Idea.objects.get(pk=idea.pk), juror)


# --- the vote ------------------------------------------------------------------------------


def test_a_pending_invitee_may_vote_for_the_idea_and_an_accepted_co_author_may_not():
    campaign = CampaignFactory(phase=Phase.VOTING)
    idea = IdeaFactory(campaign=campaign)
    pending, accepted = UserFactory(), UserFactory()
    Coauthorship.objects.create(idea=idea, user=pending, invited_by=idea.author)
    Coauthorship.objects.create(
        idea=idea, user=accepted, invited_by=idea.author, state=State.ACCEPTED, answered_at=campaign.created_at
    )
    idea.coauthors.add(accepted)
    vote, count, _left = vote_services.cast_vote(voter=pending, idea=idea)
    assert count == 1
    assert refusal(lambda: vote_services.cast_vote(voter=accepted, idea=idea)).code == "own_idea"
    states = vote_services.vote_states(user=accepted, ideas=[Idea.objects.get(pk=idea.pk)])
    assert states[idea.pk].own and not states[idea.pk].can_vote
    states = vote_services.vote_states(user=UserFactory(), ideas=[Idea.objects.get(pk=idea.pk)])
    assert not states[idea.pk].own


def test_accepting_withdraws_the_invitees_support_and_gives_it_back():
    box = the_box()
    box.votes_per_voter = 3
    box.save()
    author, invitee = employee(), employee()
    idea = submit(box, author, coauthors=[invitee.username])
    other = submit(box, employee(), title="Another idea")
    vote_services.cast_vote(voter=invitee, idea=idea)
    vote_services.cast_vote(voter=invitee, idea=other)
    assert Ballot.objects.get(campaign=box, voter=invitee).used == 2
    accepted, _changed = accept(idea=idea, user=invitee)
    assert accepted.vote_withdrawn is True
    assert not Vote.objects.filter(voter=invitee, idea=idea).exists()
    assert Vote.objects.filter(voter=invitee, idea=other).exists()
    assert Ballot.objects.get(campaign=box, voter=invitee).used == 1
    assert Idea.objects.get(pk=idea.pk).vote_count == 0
    assert vote_services.votes_left(voter=invitee, campaign=box) == 2


def test_accepting_without_a_vote_records_none_withdrawn():
    idea, author, invitee = invited()
    accepted, _changed = accept(idea=idea, user=invitee)
    assert accepted.vote_withdrawn is False


def test_a_vote_withdrawn_for_someone_accepted_meanwhile_is_given_back(monkeypatch):
    box = the_box()
    author, invitee = employee(), employee()
    idea = submit(box, author, coauthors=[invitee.username])
    vote_services.cast_vote(voter=invitee, idea=idea)
    row = Coauthorship.objects.get(idea=idea, user=invitee)
    # The ideas accept finds them a co-author already (another answer won the row).
    monkeypatch.setattr(coauthorship, "accept", lambda **kwargs: (row, False))
    assert accept(idea=idea, user=invitee) == (row, False)
    assert Vote.objects.filter(voter=invitee, idea=idea).exists()
    assert Ballot.objects.get(campaign=box, voter=invitee).used == 1
    assert Idea.objects.get(pk=idea.pk).vote_count == 1


# --- today's co-authors become accepted ones (the data migration) --------------------------


def test_the_migration_makes_every_existing_co_author_an_accepted_one():
    migration = importlib.import_module("ideas.migrations.0003_coauthorship_invitations")
    idea = IdeaFactory()
    first, second = UserFactory(), UserFactory()
    idea.coauthors.add(first, second)
    Coauthorship.objects.all().delete()
    with _no_mail():
        migration.accept_existing_coauthors(apps, None)
    rows = {r.user_id: r for r in Coauthorship.objects.filter(idea=idea)}
    assert set(rows) == {first.pk, second.pk}
    for found in rows.values():
        assert found.state == State.ACCEPTED
        assert found.invited_by_id == idea.author_id
        assert found.invited_at == idea.created_at == found.answered_at
    migration.accept_existing_coauthors(apps, None)  # run twice: nothing doubled
    assert Coauthorship.objects.filter(idea=idea).count() == 2


class _no_mail:
    def __enter__(self):
        self.before = len(mail.outbox)

    def __exit__(self, *exc):
        assert len(mail.outbox) == self.before
        return False


# --- who sees pending invitations -------------------------------------------------------


def test_pending_invitations_are_listed_for_the_invitee_only_on_ideas_they_may_see():
    campaign = CampaignFactory(audience=Audience.INTERNAL)
    idea, author, invitee = invited(campaign)
    hidden, _, _ = invited(campaign, invitee=invitee)
    Idea.objects.filter(pk=hidden.pk).update(hidden=True, hidden_reason="Spam")
    assert [r.idea_id for r in coauthorship.pending_invitations(invitee)] == [idea.pk]
    assert coauthorship.pending_count(invitee) == 1
    assert coauthorship.pending_count(author) == 0
    accept(idea=idea, user=invitee)
    assert coauthorship.pending_count(invitee) == 0


# --- the demo data ----------------------------------------------------------------------------


def test_the_demo_has_accepted_co_authors_and_an_invitation_for_employee2():
    from django.core.management import call_command

    with _no_mail():
        call_command("seed_demo", verbosity=0, extra_ideas=0)
    accepted = Coauthorship.objects.filter(state=State.ACCEPTED)
    assert accepted.exists()
    assert all(row.idea.has_author(row.user) for row in accepted)
    pending = Coauthorship.objects.pending().get(user__username="employee2", idea__campaign__kind="box")
    assert not pending.idea.has_author(pending.user)
    assert coauthorship.pending_count(pending.user) >= 1


def test_a_co_author_without_an_invitation_row_may_still_leave():
    # The copy of an awarded idea moved into the box keeps its co-authors (results.services).
    idea = IdeaFactory(campaign=the_box())
    copied = employee()
    idea.coauthors.add(copied)
    again, changed = accept(idea=idea, user=copied)
    assert not changed and again.state == State.ACCEPTED
    assert coauthorship.decline_or_leave(idea=idea, user=copied).state == State.LEFT
    assert not Idea.objects.get(pk=idea.pk).has_author(copied)

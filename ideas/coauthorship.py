"""Co-authorship by invitation: the one writer of Coauthorship.state and of
Idea.coauthors (the accepted co-authors).

The authors of an idea name people in its co-author field (on submit and
edit): each is invited (an e-mail and a notice on the site) and becomes a
co-author only by accepting. Until then the invitation shows nowhere public
and counts for no rule: the vote, the jury's `own_idea`, the pages and the
API read Idea.coauthors, which holds accepted co-authors only.

- name_coauthors: the field's names become the invited or accepted set
  (new names invited, names taken out withdrawn or removed);
- accept: the invitee joins; their own vote on the idea is withdrawn and
  given back to their ballot, recorded on the row (`vote_withdrawn`). The
  votes rank above ideas (STYLE.md), so the withdrawal and this accept run
  in one transaction in votes/coauthorship.py, which every entry point
  calls; this accept records what it is told;
- decline_or_leave: an invitee declines, a co-author leaves; neither is
  invited again to that idea;
- lapse_invitations: when a campaign's voting opens, its pending
  invitations lapse (campaigns/lifecycle.py calls it on entering voting).

Co-authors are fixed once voting has opened (`coauthors_locked`): accept
and leave check the clock as well as the phase, so a scheduler that has
not run yet changes nothing. This also covers the jurors of the campaign,
who can neither be invited (nobody can: editing closed with submission)
nor accept once voting has opened. The idea box has no vote: there,
invitations never lapse.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, Phase
from ideabox import outbox
from ideabox.exceptions import DomainError

from .models import Coauthorship, Idea

State = Coauthorship.State


def invitations_open(campaign: Campaign, now) -> bool:
    """Whether people may still join or leave an idea of this campaign as
    co-authors: until voting opens (by the phase or by the clock); always in
    the idea box."""
    if campaign.is_box:
        return True
    if campaign.phase not in (Phase.DRAFT, Phase.SUBMISSION):
        return False
    return campaign.voting_opens is None or now < campaign.voting_opens


def unwelcome_names(*, idea: Idea | None, users) -> list[str]:
    """The usernames among `users` who declined, left or saw their
    invitation lapse on this idea: they are not invited again."""
    if idea is None or not users:
        return []
    closed = Coauthorship.objects.filter(idea=idea, user__in=users).exclude(state__in=[State.INVITED, State.ACCEPTED])
    ids = set(closed.values_list("user_id", flat=True))
    return [user.get_username() for user in users if user.pk in ids]


def name_coauthors(*, idea: Idea, by, users, now) -> None:
    """Make the idea's invited and accepted co-authors exactly `users`, inside
    the caller's transaction with the idea's row locked: new names are
    invited (and told once the transaction commits), an invitation whose name
    was taken out is withdrawn, a co-author taken out is removed. People who
    declined or left stay as they are (the field's check refused them)."""
    rows = {row.user_id: row for row in Coauthorship.objects.filter(idea=idea)}
    accepted = set(idea.coauthors.values_list("pk", flat=True))
    wanted = {user.pk for user in users}
    invited = {pk for pk, row in rows.items() if row.state == State.INVITED}
    gone = (accepted | invited) - wanted
    if gone:
        Coauthorship.objects.filter(idea=idea, user_id__in=gone).delete()
        idea.coauthors.remove(*gone)
    new = [
        Coauthorship(idea=idea, user=user, invited_by=by, invited_at=now)
        for user in users
        if user.pk not in rows and user.pk not in accepted
    ]
    if new:
        Coauthorship.objects.bulk_create(new)
        outbox.enqueue("ideas.tasks.coauthors_invited", idea.pk)


def visible_idea(user, idea: Idea | int) -> Idea:
    """The idea as this person may see it, with its campaign: refuses a
    visitor (`not_authenticated`) and an idea they may not see (`not_found`)."""
    if not user.is_authenticated:
        raise DomainError("not_authenticated")
    pk = idea if isinstance(idea, int) else idea.pk
    found = Idea.objects.visible_to(user).select_related("campaign").filter(pk=pk).first()
    if found is None:
        raise DomainError("not_found")
    return found


def awaits_answer(*, idea: Idea, user, now) -> bool:
    """Whether this person's invitation to the idea waits for an answer that
    may still be given (invitations open): what accepting would change, so
    the votes layer withdraws their vote only then."""
    if not invitations_open(idea.campaign, now):
        return False
    return Coauthorship.objects.filter(idea=idea, user=user, state=State.INVITED).exists()


def _locked_row(idea: Idea, user, now) -> Coauthorship | None:
    """This person's row for the idea, locked. A co-author without one (the
    copy of an awarded idea moved into the box keeps its co-authors,
    results.services) gets an accepted row first, so they can leave too."""
    row = Coauthorship.objects.select_for_update().filter(idea=idea, user=user).first()
    if row is None and idea.coauthors.filter(pk=user.pk).exists():
        row, _created = Coauthorship.objects.get_or_create(
            idea=idea, user=user, defaults={"state": State.ACCEPTED, "invited_at": now, "answered_at": now}
        )
    return row


def _no_invitation() -> DomainError:
    return DomainError("not_found", _("You have no invitation to co-author this idea."))


def _lock_idea(idea: Idea) -> None:
    # FOR NO KEY UPDATE: an edit (which locks the idea FOR UPDATE) waits,
    # while the foreign-key checks of rows written meanwhile (KEY SHARE) do not.
    list(Idea.objects.select_for_update(no_key=True).filter(pk=idea.pk).values_list("pk", flat=True))


def accept(*, idea: Idea | int, user, now=None, vote_withdrawn: bool = False) -> tuple[Coauthorship, bool]:
    """The invitee accepts: they become a co-author. Returns (the row, True
    when this call accepted; False when they were already a co-author).

    Call votes.coauthorship.accept, which withdraws the invitee's own vote
    first and tells this one (`vote_withdrawn`, recorded on the row), in one
    transaction: the lock order of every writer is the voter's ballot (as
    votes are cast), then the idea (as edits lock it), then the row. A
    refusal raised here rolls the withdrawal back; on False (accepted
    meanwhile) the caller rolls its withdrawal back, which was not its to take.
    """
    now = now or timezone.now()
    found = visible_idea(user, idea)
    with transaction.atomic():
        _lock_idea(found)
        row = _locked_row(found, user, now)
        if row is None or row.state in (State.DECLINED, State.LEFT):
            raise _no_invitation()
        if row.state == State.ACCEPTED:
            return row, False
        if row.state == State.LAPSED or not invitations_open(found.campaign, now):
            raise DomainError("coauthors_locked", _("This invitation lapsed when voting opened."))
        Coauthorship.objects.filter(pk=row.pk, state=State.INVITED).update(
            state=State.ACCEPTED, answered_at=now, vote_withdrawn=vote_withdrawn
        )
        found.coauthors.add(user)
    row.refresh_from_db()
    return row, True


def decline_or_leave(*, idea: Idea | int, user, now=None) -> Coauthorship:
    """An invitee declines, or a co-author leaves the idea. Returns the row
    (state `declined` or `left`)."""
    now = now or timezone.now()
    found = visible_idea(user, idea)
    with transaction.atomic():
        _lock_idea(found)
        row = _locked_row(found, user, now)
        if row is None or row.state not in (State.INVITED, State.ACCEPTED):
            raise DomainError(
                "not_found", _("You are neither invited to co-author this idea nor one of its co-authors.")
            )
        if row.state == State.INVITED:
            Coauthorship.objects.filter(pk=row.pk, state=State.INVITED).update(state=State.DECLINED, answered_at=now)
        else:
            if not invitations_open(found.campaign, now):
                raise DomainError(
                    "coauthors_locked",
                    _("Co-authors are fixed once voting has opened: you cannot leave this idea now."),
                )
            Coauthorship.objects.filter(pk=row.pk, state=State.ACCEPTED).update(state=State.LEFT, left_at=now)
            found.coauthors.remove(user)
    row.refresh_from_db()
    return row


def lapse_invitations(*, campaign: Campaign, now=None) -> int:
    """The campaign's voting opened: its pending invitations lapse. Returns
    how many lapsed; safe to run twice (the box's never lapse)."""
    if campaign.is_box:
        return 0
    now = now or timezone.now()
    return Coauthorship.objects.pending().filter(idea__campaign=campaign).update(state=State.LAPSED, answered_at=now)


# --- reads -------------------------------------------------------------------------


def pending_invitations(user):
    """The invitations waiting for this person's answer, on ideas they may
    see, newest first, with what the invitations page shows."""
    if not user.is_authenticated:
        return Coauthorship.objects.none()
    return (
        Coauthorship.objects.pending()
        .filter(user=user, idea__in=Idea.objects.visible_to(user))
        .select_related("idea__campaign", "idea__author", "invited_by")
        .prefetch_related("idea__coauthors")
        .order_by("-invited_at", "-pk")
    )


def pending_count(user) -> int:
    """How many invitations wait for this person (the navigation's notice)."""
    if not user.is_authenticated:
        return 0
    return pending_invitations(user).count()


def invitation_of(idea: Idea, user) -> Coauthorship | None:
    """This person's pending invitation to this idea, if any (the idea page)."""
    if not user.is_authenticated:
        return None
    return Coauthorship.objects.pending().filter(idea=idea, user=user).first()


def pending_invitees(idea: Idea) -> list:
    """Who is invited and has not answered yet (for the idea's authors only)."""
    return [row.user for row in Coauthorship.objects.pending().filter(idea=idea).select_related("user")]


def named_people(idea: Idea) -> list:
    """What the co-author field holds: the co-authors, then those invited."""
    return [*idea.coauthors.all(), *pending_invitees(idea)]

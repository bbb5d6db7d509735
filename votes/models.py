from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from ideas.models import Idea


class Vote(models.Model):
    """One voter's support for one idea: the rows the tally counts.

    `campaign` repeats the idea's campaign so that the per-campaign limit and
    the tally read one table. The receipt is a keyed hash that names the vote
    without naming the voter (votes/receipts.py).
    """

    # Every index is paid on each vote, the hottest write of the site: the
    # campaign's and the voter's lookups use the composite indexes below
    # (campaign, idea) and (voter, idea), so their own indexes are left out,
    # and the receipt's uniqueness is a constraint (a unique field would add
    # a second, pattern-matching index no query uses).
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="votes", verbose_name=_("campaign"), db_index=False
    )
    idea = models.ForeignKey(Idea, on_delete=models.PROTECT, related_name="votes", verbose_name=_("idea"))
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="votes",
        verbose_name=_("voter"),
        db_index=False,
    )
    receipt = models.CharField(_("receipt"), max_length=64)
    created_at = models.DateTimeField(_("cast at"), default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["voter", "idea"], name="vote_once_per_idea"),
            models.UniqueConstraint(fields=["receipt"], name="vote_receipt_once"),
        ]
        indexes = [
            models.Index(fields=["campaign", "idea"], name="vote_tally"),
        ]

    def __str__(self) -> str:
        return self.receipt


class Ballot(models.Model):
    """How many votes a voter has cast in a campaign.

    The limit (`Campaign.votes_per_voter`) is held by a compare-and-swap on
    this row, `UPDATE ... SET used = used + 1 WHERE used < limit`, so parallel
    requests cannot overrun it.
    """

    # (campaign, voter) is unique, which indexes the campaign's lookups.
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="ballots", db_index=False)
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ballots")
    used = models.PositiveIntegerField(_("votes used"), default=0)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "voter"], name="ballot_once_per_campaign"),
            models.CheckConstraint(condition=Q(used__gte=0), name="ballot_used_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} in {self.campaign_id}: {self.used}"


# --- the tally (votes/tally.py writes these; nothing else does) --------------------


class Tally(models.Model):
    """A campaign's counted vote, stored when it leaves voting.

    `digest` is the SHA-256 of the published receipt list (one line
    `<receipt>,<idea id>\\n` per vote, sorted by receipt): anyone who
    downloads the list can recount it and check it against this digest.
    """

    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="tally", verbose_name=_("campaign")
    )
    computed_at = models.DateTimeField(_("computed at"))
    total_votes = models.PositiveIntegerField(_("votes counted"))
    ballot_count = models.PositiveIntegerField(_("voters"), help_text=_("People who cast at least one vote."))
    digest = models.CharField(_("digest (SHA-256)"), max_length=64)

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")
        constraints = [
            models.CheckConstraint(condition=Q(digest__regex=r"^[0-9a-f]{64}$"), name="tally_digest_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.total_votes}"


class TallyRow(models.Model):
    """One idea's votes in a campaign's tally, and its rank.

    Ideas out of the ranking (hidden by moderation, or, should votes remain
    on one, merged or awaiting approval) keep their votes here with
    `hidden` set and no rank: reported apart, never ranked or shortlisted.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="tally_rows", verbose_name=_("campaign")
    )
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="tally_rows", verbose_name=_("idea"))
    votes = models.PositiveIntegerField(_("votes"))
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    hidden = models.BooleanField(_("reported apart"), default=False)

    class Meta:
        verbose_name = _("tally row")
        verbose_name_plural = _("tally rows")
        ordering = ["campaign", F("rank").asc(nulls_last=True), "idea"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "idea"], name="tally_row_once_per_idea"),
            models.UniqueConstraint(fields=["campaign", "rank"], name="tally_row_rank_once"),
            models.CheckConstraint(
                condition=(Q(hidden=True) & Q(rank__isnull=True)) | (Q(hidden=False) & Q(rank__gte=1)),
                name="tally_row_ranked_unless_hidden",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.idea_id}: {self.votes}"

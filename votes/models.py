from django.conf import settings
from django.db import models
from django.db.models import Q
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

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="votes", verbose_name=_("campaign"))
    idea = models.ForeignKey(Idea, on_delete=models.PROTECT, related_name="votes", verbose_name=_("idea"))
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="votes", verbose_name=_("voter")
    )
    receipt = models.CharField(_("receipt"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("cast at"), default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["voter", "idea"], name="vote_once_per_idea"),
        ]
        indexes = [
            models.Index(fields=["campaign", "idea"], name="vote_tally"),
            models.Index(fields=["voter", "campaign"], name="vote_voter_campaign"),
        ]

    def __str__(self) -> str:
        return self.receipt


class Ballot(models.Model):
    """How many votes a voter has cast in a campaign.

    The limit (`Campaign.votes_per_voter`) is held by a compare-and-swap on
    this row, `UPDATE ... SET used = used + 1 WHERE used < limit`, so parallel
    requests cannot overrun it.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="ballots")
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

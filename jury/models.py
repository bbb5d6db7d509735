"""A campaign's jury: its settings, members, criteria, scores, awards and
the published results.

Everything here belongs to one campaign. The public vote is counted by
votes/ (Tally, TallyRow) and shortlists ideas (status `shortlisted`); the
jury scores the shortlist, the awards are decided, and publication stores
the final ranking once (ResultRow), so the published results never change.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles
from campaigns.models import Campaign
from ideas.models import Idea

SCALE_MAX = 5  # every criterion is scored 0..SCALE_MAX


class Jury(models.Model):
    """How a campaign's jury works; one per campaign, made when first set up.

    The final score weighs the public vote by `public_weight` and the jury by
    `1 - public_weight` (the two always sum to 1).
    """

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="jury", verbose_name=_("campaign"))
    public_weight = models.DecimalField(
        _("weight of the public vote"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Between 0 and 1; the jury's score weighs the rest."),
    )
    blind_review = models.BooleanField(
        _("blind review"), default=False, help_text=_("Jurors do not see authors or vote counts.")
    )
    disagreement_threshold = models.DecimalField(
        _("disagreement threshold"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.50"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal(SCALE_MAX))],
        help_text=_("An idea whose jurors' scores spread more than this (on the 0–5 scale) is flagged for discussion."),
    )
    allow_multiple_awards = models.BooleanField(_("an idea may win several awards"), default=False)
    # Set once by publication (results/services.py), never changed after.
    published_at = models.DateTimeField(_("results published at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("jury settings")
        verbose_name_plural = _("jury settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(public_weight__gte=0) & Q(public_weight__lte=1), name="jury_public_weight_range"
            ),
            models.CheckConstraint(
                condition=Q(disagreement_threshold__gte=0) & Q(disagreement_threshold__lte=SCALE_MAX),
                name="jury_disagreement_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.campaign)

    @property
    def jury_weight(self) -> Decimal:
        return Decimal("1") - self.public_weight

    def hides_votes_from(self, user) -> bool:
        """Blind review hides the vote counts (and the authors) from the
        jurors, the chair too; managers always see them. Every jury page and
        endpoint asks this (jury.selectors.settings_of gives the unsaved
        defaults before any setup: nothing is hidden then)."""
        return self.blind_review and not roles.is_manager(user)


class Juror(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="jurors", verbose_name=_("campaign"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jury_seats", verbose_name=_("user")
    )
    is_chair = models.BooleanField(_("chair"), default=False)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("juror")
        verbose_name_plural = _("jurors")
        ordering = ["campaign", "-is_chair", "added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="juror_once_per_campaign"),
            models.UniqueConstraint(fields=["campaign"], condition=Q(is_chair=True), name="jury_single_chair"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.campaign_id})"


class Criterion(models.Model):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("campaign")
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["campaign", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="criterion_name_once"),
            models.CheckConstraint(condition=Q(weight__gte=1) & Q(weight__lte=100), name="criterion_weight_range"),
        ]

    def __str__(self) -> str:
        return self.name


class Evaluation(models.Model):
    """One juror's view of one shortlisted idea: their scores and comment."""

    juror = models.ForeignKey(Juror, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("juror"))
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("idea"))
    comment = models.TextField(_("comment"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [models.UniqueConstraint(fields=["juror", "idea"], name="evaluation_once_per_juror")]

    def __str__(self) -> str:
        return f"{self.juror_id} on {self.idea_id}"


class Score(models.Model):
    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="scores", verbose_name=_("evaluation")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="scores", verbose_name=_("criterion")
    )
    value = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(SCALE_MAX)]
    )

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion"], name="score_once_per_criterion"),
            models.CheckConstraint(condition=Q(value__gte=0) & Q(value__lte=SCALE_MAX), name="score_in_scale"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value}"


class Conflict(models.Model):
    """A juror's declared conflict of interest: they do not score this idea."""

    juror = models.ForeignKey(Juror, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("juror"))
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="jury_conflicts", verbose_name=_("idea"))
    reason = models.TextField(_("reason"), blank=True)
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [models.UniqueConstraint(fields=["juror", "idea"], name="conflict_once_per_juror")]

    def __str__(self) -> str:
        return f"{self.juror_id} on {self.idea_id}"


class Wildcard(models.Model):
    """An idea a manager added to the shortlist during deliberation."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="wildcards", verbose_name=_("campaign")
    )
    idea = models.OneToOneField(Idea, on_delete=models.CASCADE, related_name="wildcard", verbose_name=_("idea"))
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("wildcard")
        verbose_name_plural = _("wildcards")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.idea_id}"


class AwardBasis(models.TextChoices):
    JURY = "jury", _("Decided by the jury")
    # Given from the tally when voting closes (jury/award_services.py): to the most
    # voted idea that may win it, so not always the most voted idea of all.
    PUBLIC = "public", _("Decided by the votes")


class Award(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="awards", verbose_name=_("campaign"))
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    prize = models.TextField(_("prize"), blank=True)
    basis = models.CharField(_("decided by"), max_length=8, choices=AwardBasis.choices, default=AwardBasis.JURY)

    # The decision (jury/award_services.py); empty until decided. A public award
    # decided with no idea to go to (nobody voted for one that may win it)
    # has a decided_at and no winner.
    winner = models.ForeignKey(
        Idea, on_delete=models.PROTECT, null=True, blank=True, related_name="awards", verbose_name=_("winner")
    )
    justification = models.TextField(
        _("justification"), blank=True, help_text=_("Required when the winner is not the top-ranked idea.")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["campaign", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="award_name_once"),
            models.CheckConstraint(condition=Q(basis__in=AwardBasis.values), name="award_basis_valid"),
            models.CheckConstraint(
                condition=(Q(winner__isnull=True) & Q(decided_at__isnull=True))
                | (Q(winner__isnull=False) & Q(decided_at__isnull=False))
                | (Q(basis="public") & Q(winner__isnull=True) & Q(decided_at__isnull=False)),
                name="award_decided_with_winner",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_decided(self) -> bool:
        return self.decided_at is not None


class PublicAwardDecision(models.Model):
    """The history of a public award: each time the system gave it from the
    tally (jury/award_services.py), when voting closed or again because its winner
    was hidden before publication."""

    class Reason(models.TextChoices):
        TALLY = "tally", _("Decided from the tally")
        WINNER_HIDDEN = "winner_hidden", _("Decided again from the tally: the winner was hidden")

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="public_decisions", verbose_name=_("award"))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    previous_winner = models.ForeignKey(
        Idea, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("previous winner")
    )
    winner = models.ForeignKey(
        Idea, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("winner")
    )
    votes = models.PositiveIntegerField(
        _("votes"), null=True, blank=True, help_text=_("The winner's votes in the tally.")
    )
    at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("public award decision")
        verbose_name_plural = _("public award decisions")
        ordering = ["award", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=["tally", "winner_hidden"]), name="public_award_decision_reason_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award_id}: {self.previous_winner_id} → {self.winner_id}"


class ResultRow(models.Model):
    """One idea's line in the published final ranking (the shortlist, ranked).

    Written once by publication from the tally, the scores and the awards;
    pages and the API read these rows and never recompute published results.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="result_rows", verbose_name=_("campaign")
    )
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="result_rows", verbose_name=_("idea"))
    rank = models.PositiveIntegerField(_("rank"))
    votes = models.PositiveIntegerField(_("votes"))
    jury_average = models.DecimalField(
        _("jury average"), max_digits=6, decimal_places=3, null=True, blank=True, help_text=_("Empty: unscored.")
    )
    final_score = models.DecimalField(_("final score"), max_digits=6, decimal_places=4)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["campaign", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "idea"], name="result_once_per_idea"),
            models.UniqueConstraint(fields=["campaign", "rank"], name="result_rank_once"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="result_rank_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} #{self.rank}: {self.idea_id}"


class BoxTransfer(models.Model):
    """An awarded idea of an internal campaign moved into the idea box
    (results/services.py): the campaign's idea, with its votes and results,
    stays where it is; the box gets a copy to review. Once per idea."""

    idea = models.OneToOneField(
        Idea, on_delete=models.CASCADE, related_name="box_transfer", verbose_name=_("campaign idea")
    )
    box_idea = models.OneToOneField(
        Idea, on_delete=models.CASCADE, related_name="box_origin", verbose_name=_("idea in the box")
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(_("moved at"), default=timezone.now)

    class Meta:
        verbose_name = _("move into the idea box")
        verbose_name_plural = _("moves into the idea box")
        constraints = [models.CheckConstraint(condition=~Q(idea=F("box_idea")), name="box_transfer_not_itself")]

    def __str__(self) -> str:
        return f"{self.idea_id} → {self.box_idea_id}"

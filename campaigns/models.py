import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

# The box's texts as its migration (0002_idea_box) stored them, in English:
# until a manager writes the box's own, each reader gets them in their language.
BOX_TITLE = gettext_noop("Idea box")
BOX_THEME = gettext_noop("Any idea that would make our work better, at any time of the year.")


class Phase(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMISSION = "submission", _("Submission")
    VOTING = "voting", _("Voting")
    DELIBERATION = "deliberation", _("Deliberation")
    RESULTS = "results", _("Results")
    ARCHIVED = "archived", _("Archived")
    OPEN = "open", _("Open")  # the idea box, and only it


class Audience(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal (employees only)")


class Kind(models.TextChoices):
    CHALLENGE = "challenge", _("Ideation campaign")
    BOX = "box", _("Idea box")


class Moderation(models.TextChoices):
    POST = "post", _("Post-moderation: ideas are published at once")
    PRE = "pre", _("Pre-moderation: ideas are published once a moderator approves them")


# A challenge's phases, in the only order it may go through them.
PHASE_ORDER = (Phase.DRAFT, Phase.SUBMISSION, Phase.VOTING, Phase.DELIBERATION, Phase.RESULTS, Phase.ARCHIVED)
NEXT_PHASE = dict(zip(PHASE_ORDER, PHASE_ORDER[1:], strict=False))

# The rules voters rely on: fixed once voting opens (PRODUCT.md, "Campaign
# lifecycle"), so that nobody votes under one set and is counted under another.
VOTER_RULES = ("votes_per_voter", "audience", "allow_anonymous", "moderation")
# The idea box takes supports at any time, so its vote limit never changes
# under ballots already spent (lowering it would leave voters past it).
# Its audience is fixed by a constraint (always internal). Anonymity and
# the moderation mode act on each new idea as it is submitted (an anonymous
# idea stays anonymous, an approved one approved), and the box never
# closes: freezing them would freeze its moderation for good, when a
# moderator must be able to switch it to pre-moderation during a spam wave.
BOX_VOTER_RULES = ("votes_per_voter",)
# A campaign is live while it takes ideas or votes.
LIVE_PHASES = (Phase.SUBMISSION, Phase.VOTING)
PHASES_AFTER_VOTING_OPENS = (Phase.VOTING, Phase.DELIBERATION, Phase.RESULTS, Phase.ARCHIVED)

# The schedule's boundaries in order; each must not come before the previous.
SCHEDULE_FIELDS = ("submission_opens", "submission_closes", "voting_opens", "voting_closes", "deliberation_ends")

# The boundaries worth announcing in each phase, soonest first.
UPCOMING_BOUNDARIES = {
    Phase.DRAFT: ("submission_opens",),
    Phase.SUBMISSION: ("submission_closes", "voting_opens"),
    Phase.VOTING: ("voting_closes",),
    Phase.DELIBERATION: ("deliberation_ends",),
}

# The move that makes each boundary of the schedule happen, and whether the
# clock alone also ends it (a campaign takes no idea after submission_closes
# nor vote after voting_closes, moved or not): such a boundary happened at
# the move only if the move came first.
BOUNDARY_MOVES = {
    "submission_opens": (Phase.SUBMISSION, False),
    "submission_closes": (Phase.VOTING, True),
    "voting_opens": (Phase.VOTING, False),
    "voting_closes": (Phase.DELIBERATION, True),
    "deliberation_ends": (Phase.RESULTS, False),
}
# A move this close to its boundary is on schedule (the scheduler ticks every minute).
ON_SCHEDULE = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class ScheduleDate:
    """One boundary of a campaign's schedule: when it was planned and, once a
    move made it happen, when it did (None while it is ahead)."""

    name: str
    planned: datetime.datetime | None
    actual: datetime.datetime | None

    @property
    def when(self) -> datetime.datetime | None:
        return self.actual or self.planned

    @property
    def moved(self) -> bool:
        """It happened away from the plan: a phase opened early, or late."""
        return self.actual is not None and (self.planned is None or abs(self.actual - self.planned) > ON_SCHEDULE)


def _ordered(earlier: str, later: str, strict: bool) -> Q:
    lookup = f"{earlier}__lt" if strict else f"{earlier}__lte"
    return Q(**{f"{earlier}__isnull": True}) | Q(**{f"{later}__isnull": True}) | Q(**{lookup: F(later)})


class CampaignQuerySet(models.QuerySet):
    def challenges(self):
        return self.filter(kind=Kind.CHALLENGE)

    def live(self):
        """The campaigns taking ideas or votes now, the one closing soonest first."""
        closes = models.Case(models.When(phase=Phase.VOTING, then=F("voting_closes")), default=F("submission_closes"))
        return self.challenges().filter(phase__in=LIVE_PHASES).order_by(closes, "pk")

    def visible_to(self, user):
        """What this person may see at all; everything else is a 404.

        Drafts are for managers; internal campaigns and the idea box are for
        employees (and managers and moderators, who run them). Pages, API,
        search and feeds all start from here.
        """
        from accounts import roles

        if roles.is_manager(user):
            return self
        visible = self.exclude(phase=Phase.DRAFT)
        if roles.is_employee(user) or roles.is_moderator(user):
            return visible
        return visible.filter(audience=Audience.PUBLIC)


class Campaign(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80, unique=True, help_text=_("Used in the campaign's address."))
    theme = models.TextField(_("theme"), blank=True, help_text=_("What ideas are wanted, in Markdown."))
    cover = models.ImageField(_("cover image"), upload_to="campaigns/covers/%Y/", blank=True)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices, default=Audience.PUBLIC)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CHALLENGE)
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices, default=Phase.DRAFT, editable=False)

    submission_opens = models.DateTimeField(_("submission opens"), null=True, blank=True)
    submission_closes = models.DateTimeField(_("submission closes"), null=True, blank=True)
    voting_opens = models.DateTimeField(_("voting opens"), null=True, blank=True)
    voting_closes = models.DateTimeField(_("voting closes"), null=True, blank=True)
    deliberation_ends = models.DateTimeField(_("deliberation ends"), null=True, blank=True)

    votes_per_voter = models.PositiveIntegerField(
        _("votes per voter"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    hide_counts_while_voting = models.BooleanField(_("hide vote counts while voting is open"), default=False)
    shortlist_size = models.PositiveSmallIntegerField(_("shortlist size"), default=10)
    moderation = models.CharField(_("moderation"), max_length=8, choices=Moderation.choices, default=Moderation.POST)
    allow_anonymous = models.BooleanField(
        _("allow anonymous ideas"),
        default=False,
        help_text=_("Authors may hide their name from the public; moderators still see it."),
    )
    review_days = models.PositiveSmallIntegerField(
        _("days to answer an idea"),
        default=14,
        help_text=_("Idea box: reviewers answer each idea within this many days."),
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["phase"], name="campaign_phase")]
        constraints = [
            models.CheckConstraint(condition=Q(phase__in=Phase.values), name="campaign_phase_valid"),
            models.CheckConstraint(condition=Q(audience__in=Audience.values), name="campaign_audience_valid"),
            models.CheckConstraint(condition=Q(moderation__in=Moderation.values), name="campaign_moderation_valid"),
            # The box is always open and always internal; a challenge is never "open".
            models.CheckConstraint(
                condition=Q(kind=Kind.BOX, phase=Phase.OPEN, audience=Audience.INTERNAL)
                | (Q(kind=Kind.CHALLENGE) & ~Q(phase=Phase.OPEN)),
                name="campaign_kind_phase",
            ),
            models.UniqueConstraint(fields=["kind"], condition=Q(kind=Kind.BOX), name="campaign_single_box"),
            models.CheckConstraint(
                condition=Q(votes_per_voter__isnull=True) | Q(votes_per_voter__gte=1), name="campaign_votes_per_voter"
            ),
            models.CheckConstraint(condition=Q(shortlist_size__gte=1), name="campaign_shortlist_size"),
            models.CheckConstraint(
                condition=_ordered("submission_opens", "submission_closes", strict=True), name="schedule_submission"
            ),
            models.CheckConstraint(
                condition=_ordered("submission_closes", "voting_opens", strict=False), name="schedule_submission_voting"
            ),
            models.CheckConstraint(
                condition=_ordered("voting_opens", "voting_closes", strict=True), name="schedule_voting"
            ),
            models.CheckConstraint(
                condition=_ordered("voting_closes", "deliberation_ends", strict=False), name="schedule_deliberation"
            ),
            # Out of draft, a challenge has its whole schedule.
            models.CheckConstraint(
                condition=Q(kind=Kind.BOX)
                | Q(phase=Phase.DRAFT)
                | Q(
                    submission_opens__isnull=False,
                    submission_closes__isnull=False,
                    voting_opens__isnull=False,
                    voting_closes__isnull=False,
                    deliberation_ends__isnull=False,
                ),
                name="schedule_complete_out_of_draft",
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    def get_absolute_url(self) -> str:
        return "/box/" if self.is_box else f"/campaigns/{self.slug}/"

    def _in_reader_language(self, text: str, default: str) -> str:
        return gettext(default) if self.is_box and text == default else text

    @property
    def display_title(self) -> str:
        """The title to show: the box's default one in the reader's language."""
        return self._in_reader_language(self.title, BOX_TITLE)

    @property
    def display_theme(self) -> str:
        """The introduction to show: the box's default one in the reader's language."""
        return self._in_reader_language(self.theme, BOX_THEME)

    @property
    def is_box(self) -> bool:
        return self.kind == Kind.BOX

    @property
    def is_internal(self) -> bool:
        return self.audience == Audience.INTERNAL

    @property
    def next_phase(self) -> str | None:
        """The one phase this campaign may move to (None for the box and once archived)."""
        if self.is_box:
            return None
        return NEXT_PHASE.get(self.phase)

    def get_next_phase_label(self) -> str:
        return Phase(self.next_phase).label if self.next_phase else ""

    @property
    def upcoming_boundary(self) -> tuple[str, datetime.datetime] | None:
        """The next boundary still ahead in this phase, as (field name, when)."""
        now = timezone.now()
        for name in UPCOMING_BOUNDARIES.get(self.phase, ()):
            value = getattr(self, name)
            if value is not None and value > now:
                return name, value
        return None

    def schedule_dates(self) -> dict[str, ScheduleDate]:
        """Each boundary of the schedule, planned and actual, from the phase
        moves (PhaseTransition: the real times). The one place pages and the
        API ask; one query, none when `transitions` is prefetched."""
        moves = {transition.to_phase: transition.at for transition in self.transitions.all()}
        dates = {}
        for name, (phase, ends_by_the_clock) in BOUNDARY_MOVES.items():
            planned, actual = getattr(self, name), moves.get(phase)
            if actual is not None and ends_by_the_clock and planned is not None and planned < actual:
                actual = planned  # closed by the clock before the move
            dates[name] = ScheduleDate(name=name, planned=planned, actual=actual)
        return dates

    def locked_rules(self, now: datetime.datetime | None = None) -> tuple[str, ...]:
        """The rules that may no longer change (409 `rules_locked`): the voter
        rules from the moment voting opens, by the phase or by the clock
        (`voting_opens` passed before the scheduler ran); the box's always."""
        if self.is_box:
            return BOX_VOTER_RULES
        if self.phase in PHASES_AFTER_VOTING_OPENS:
            return VOTER_RULES
        opened_by_the_clock = self.voting_opens is not None and self.voting_opens <= (now or timezone.now())
        if self.phase == Phase.SUBMISSION and opened_by_the_clock:
            return VOTER_RULES
        return ()

    # The clock is enforced as well as the phase: a boundary that has passed
    # closes the door even before the scheduler has moved the campaign.
    def accepts_ideas(self, now) -> bool:
        if self.is_box:
            return True
        return self.phase == Phase.SUBMISSION and self.submission_closes is not None and now < self.submission_closes

    def accepts_votes(self, now) -> bool:
        if self.is_box:
            return True
        return self.phase == Phase.VOTING and self.voting_closes is not None and now < self.voting_closes


class Category(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("address"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "slug"], name="category_slug_per_campaign"),
            models.UniqueConstraint(fields=["campaign", "name"], name="category_name_per_campaign"),
        ]

    def __str__(self) -> str:
        return self.name


class PhaseTransition(models.Model):
    """A campaign's move from one phase to the next: who or what, and when."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="transitions")
    from_phase = models.CharField(_("from"), max_length=16, choices=Phase.choices)
    to_phase = models.CharField(_("to"), max_length=16, choices=Phase.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    by_scheduler = models.BooleanField(_("by the scheduler"), default=False)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("phase transition")
        verbose_name_plural = _("phase transitions")
        ordering = ["at", "pk"]
        constraints = [
            # Phases only move forward, so each is entered at most once.
            models.UniqueConstraint(fields=["campaign", "to_phase"], name="transition_once_per_phase"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.from_phase} → {self.to_phase}"


class CampaignFollower(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_campaigns")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "user"], name="campaign_follow_once")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.campaign_id}"


class Work(models.TextChoices):
    """The work a campaign's move hands to a worker (campaigns.lifecycle)."""

    AFTER_VOTING = "after_voting", _("Tally, after voting")
    AFTER_DELIBERATION = "after_deliberation", _("Publication of the results, after deliberation")


class WorkLease(models.Model):
    """Until when the queued work of a campaign is left to the worker that has it.

    Whoever queues a campaign's work (the move out of voting or deliberation,
    or the sweep that re-queues lost work) claims this lease first, so that
    the sweep does not queue again a tally that is waiting in the queue or
    running. The work itself shows when it is done (a stored tally, published
    results); a lease that expires before that means the work was lost, and
    the sweep claims the lease and queues it again.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    work = models.CharField(_("work"), max_length=32, choices=Work.choices)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("work lease")
        verbose_name_plural = _("work leases")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "work"], name="work_lease_once"),
            models.CheckConstraint(condition=Q(work__in=Work.values), name="work_lease_work_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.work} until {self.expires_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def claim(cls, *, campaign_id: int, work: str, now: datetime.datetime, until: datetime.datetime) -> bool:
        """Take the lease until `until` if it is free (absent, or expired at
        `now`): one statement, insert or take over, so that of two claims at
        once exactly one succeeds. Returns whether this one did."""
        table = connection.ops.quote_name(cls._meta.db_table)
        adapt = connection.ops.adapt_datetimefield_value
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (campaign_id, work, expires_at) VALUES (%s, %s, %s) "
                f"ON CONFLICT (campaign_id, work) DO UPDATE SET expires_at = excluded.expires_at "
                f"WHERE {table}.expires_at <= %s RETURNING id",
                [campaign_id, work, adapt(until), adapt(now)],
            )
            return cursor.fetchone() is not None

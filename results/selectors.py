"""Reading the published results: what the results page, the API and the
managers' CSV show, and the bar chart's bars (drawn by templates/results/_chart.html).

Everything here reads what publication (results/services.py) stored once:
the Jury's `published_at`, the ResultRow ranking and the decided Awards. It
never recomputes a published ranking, so the results never change after
publication. A campaign is published when its Jury has `published_at`;
before that there is nothing to show but the date deliberation ends.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import User
from campaigns.models import Campaign, Kind
from ideabox.text import strip_bidi
from ideas.models import Idea
from jury import access
from jury.models import Award, Criterion, Jury, ResultRow
from votes.models import Tally

# --- finding the campaign -------------------------------------------------------------


def results_campaign(slug: str, user) -> Campaign:
    """A challenge this person may see, with its jury settings and tally
    preloaded (`campaign.jury_settings`, `campaign.stored_tally`, None when
    missing); anything else is a 404."""
    campaign = (
        Campaign.objects.visible_to(user).filter(kind=Kind.CHALLENGE, slug=slug).select_related("jury", "tally").first()
    )
    if campaign is None:
        raise Http404
    try:
        campaign.jury_settings = campaign.jury
    except Jury.DoesNotExist:
        campaign.jury_settings = None
    try:
        campaign.stored_tally = campaign.tally
    except Tally.DoesNotExist:
        campaign.stored_tally = None
    return campaign


def is_published(campaign: Campaign) -> bool:
    jury = getattr(campaign, "jury_settings", None)
    return jury is not None and jury.published_at is not None


def may_download(user) -> bool:
    """Who gets the results CSV (and its button on the results page): managers."""
    return roles.is_manager(user)


def box_move_target(slug: str, idea_id: int, user) -> Idea:
    """The idea a manager asked to move into the idea box, on the page or
    through the API: a 404 for anyone who may not move ideas, for a
    campaign the jury pages would not show them, and for an idea of
    another campaign. Whether this idea may go is the service's to say."""
    if not roles.may_move_to_box(user):
        raise Http404
    campaign = access.jury_campaign_or_404(slug, user)
    idea = Idea.objects.filter(campaign=campaign, pk=idea_id).first()
    if idea is None:
        raise Http404
    return idea


# --- the published results ------------------------------------------------------------


@dataclass
class Line:
    """One idea's line in the published ranking, as a reader may see it."""

    row: ResultRow
    idea: Idea
    # Whether the results name the idea's authors: the results are the same
    # for every reader, so never for an anonymous idea (Idea.author_visible_to
    # asked for anyone), whoever reads, the managers' CSV included.
    named: bool
    coauthors: list[User]
    # Hidden by moderation since publication: its place in the ranking stays,
    # its title and authors only for moderators.
    withheld: bool = False
    awards: list[Award] = field(default_factory=list)
    public_part: Decimal = Decimal(0)
    jury_part: Decimal = Decimal(0)

    @property
    def unscored(self) -> bool:
        return self.row.jury_average is None

    @property
    def title(self) -> str:
        return str(_("An idea hidden by moderation")) if self.withheld else self.idea.title

    @property
    def shows_author(self) -> bool:
        """Whether the page and the API name the authors on this line."""
        return self.named and not self.withheld

    @property
    def shown_author(self) -> User | None:
        """The author the API names on this line (None: anonymous, withheld, or a deleted account)."""
        return self.idea.author if self.shows_author else None

    @property
    def authors(self) -> list[User]:
        """The idea's authors by name (empty: anonymous)."""
        if not self.named:
            return []
        return [person for person in [self.idea.author, *self.coauthors] if person is not None]

    @property
    def award_names(self) -> list[str]:
        return [award.name for award in self.awards]

    @property
    def first_award_name(self) -> str | None:
        return self.award_names[0] if self.awards else None

    @property
    def justifications(self) -> list[str]:
        return [award.justification for award in self.awards if award.justification]


@dataclass
class Winner:
    award: Award
    line: Line | None  # None: the winner is not in the ranking (should not happen once published)


@dataclass(frozen=True)
class WinnerRef:
    """An award's winner as the results name it: a withheld idea by the placeholder title."""

    id: int
    title: str


@dataclass(frozen=True)
class AwardEntry:
    award: Award
    winner: WinnerRef | None  # None: undecided


@dataclass
class Results:
    campaign: Campaign
    jury: Jury
    lines: list[Line]
    winners: list[Winner]
    awards: list[Award]
    criteria: list[Criterion]
    tally: Tally | None

    @property
    def public_weight(self) -> Decimal:
        return self.jury.public_weight

    @property
    def jury_weight(self) -> Decimal:
        return self.jury.jury_weight

    def line_for(self, idea_id: int) -> Line | None:
        return next((line for line in self.lines if line.idea.pk == idea_id), None)

    @property
    def award_entries(self) -> list[AwardEntry]:
        """Every award with its winner, decided or not, in the awards' order."""
        return [AwardEntry(award=award, winner=self._winner(award)) for award in self.awards]

    def _winner(self, award: Award) -> WinnerRef | None:
        if award.winner is None:
            return None
        line = self.line_for(award.winner_id)
        return WinnerRef(id=award.winner_id, title=line.title if line else award.winner.title)

    @property
    def public_percent(self) -> str:
        return _percent(self.jury.public_weight)

    @property
    def jury_percent(self) -> str:
        return _percent(self.jury.jury_weight)


def _percent(weight: Decimal) -> str:
    return f"{(weight * 100).normalize():f}"


def published_results(campaign: Campaign, user) -> Results:
    """The published results of a campaign `results_campaign` returned.

    Four queries whatever the shortlist's size: the ranking with its ideas
    and authors, their co-authors, the awards with their winners, the criteria.
    Call only once `is_published(campaign)`.
    """
    jury = campaign.jury_settings
    rows = list(
        ResultRow.objects.filter(campaign=campaign)
        .select_related("idea__author")
        .prefetch_related(Prefetch("idea__coauthors", queryset=User.objects.order_by("pk")))
        .order_by("rank")
    )
    awards = list(Award.objects.filter(campaign=campaign).select_related("winner").order_by("position", "pk"))
    criteria = list(Criterion.objects.filter(campaign=campaign).order_by("position", "pk"))

    is_moderator = roles.is_moderator(user)
    most_votes = max((row.votes for row in rows), default=0)
    lines: dict[int, Line] = {}
    for row in rows:
        coauthors = list(row.idea.coauthors.all())
        withheld = row.idea.hidden and not is_moderator
        public_part = jury.public_weight * row.votes / most_votes if most_votes else Decimal(0)
        public_part = min(public_part, row.final_score)
        lines[row.idea_id] = Line(
            row=row,
            idea=row.idea,
            named=row.idea.author_visible_to(None),
            coauthors=coauthors,
            withheld=withheld,
            public_part=public_part,
            jury_part=max(row.final_score - public_part, Decimal(0)),
        )
    winners = []
    for award in awards:
        if award.winner_id is None:
            continue
        line = lines.get(award.winner_id)
        if line is not None:
            line.awards.append(award)
        winners.append(Winner(award=award, line=line))
    return Results(
        campaign=campaign,
        jury=jury,
        lines=list(lines.values()),
        winners=winners,
        awards=awards,
        criteria=criteria,
        tally=campaign.stored_tally,
    )


# --- the managers' CSV -----------------------------------------------------------------

CSV_HEADER = ("rank", "idea_id", "title", "authors", "votes", "jury_average", "final_score", "award", "justification")
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """The text of a cell, with a leading apostrophe when a spreadsheet would
    read it as a formula (what people typed goes into titles and names),
    and without bidirectional controls, which would reorder the cell."""
    text = "" if value is None else strip_bidi(str(value))
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_rows(results: Results):
    """The CSV's rows (header first), one per ranked idea: the authors'
    names, or "Anonymous" (an export is read by more than its downloader)."""
    yield CSV_HEADER
    for line in results.lines:
        row = line.row
        yield tuple(
            spreadsheet_safe(value)
            for value in (
                row.rank,
                line.idea.pk,
                line.idea.title,
                "; ".join(person.public_name for person in line.authors) if line.named else _("Anonymous"),
                row.votes,
                "" if row.jury_average is None else row.jury_average,
                row.final_score,
                "; ".join(line.award_names),
                " | ".join(line.justifications),
            )
        )


# --- the chart -------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One idea's bar in the results chart (templates/results/_chart.html)."""

    rank: int
    label: str
    public: Decimal  # the public vote's part of the final score
    jury: Decimal  # the jury's part

    @property
    def total(self) -> Decimal:
        return self.public + self.jury

    # The chart's scale is 0 to 1, the most a final score can be; the widths
    # are percentages of the bar's track, so the bars follow the screen's
    # width while the labels and numbers stay text of the page's size.
    @property
    def public_width(self) -> str:
        return _width(_share(self.public))

    @property
    def jury_width(self) -> str:
        # Never past the track's end, whatever the rounding.
        return _width(min(_share(self.jury), 1 - _share(self.public)))

    @property
    def jury_start(self) -> str:
        return self.public_width


def _share(value: Decimal) -> Decimal:
    return max(min(value, Decimal(1)), Decimal(0))


def _width(share: Decimal) -> str:
    # A dot whatever the language: these are SVG attributes, not text.
    return f"{float(share) * 100:.2f}".rstrip("0").rstrip(".") + "%"


def results_chart(results: Results) -> list[Bar]:
    """The chart's bars, in the ranking's order: one per ranked idea, the
    final score split into the public vote's part and the jury's."""
    return [
        Bar(rank=line.row.rank, label=line.title, public=line.public_part, jury=line.jury_part)
        for line in results.lines
    ]

"""Reads about ideas: lists, search, ordering, the idea page, the box's figures.

Each query preloads what the pages and the API touch, so the number of
queries does not grow with the number of ideas or comments shown, and
every list is ordered and paged in the database.
"""

import random
import re
import statistics
from datetime import timedelta

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import BigIntegerField, Case, Count, ExpressionWrapper, F, IntegerField, Prefetch, Q, Value, When

from campaigns.models import Campaign, Phase

from .models import Comment, Idea, Status

# What Idea.entity_shown_to reads, in the idea's own query: the entity and
# the two above it (the tree is company > division > department).
ENTITY_PATH = "entity__parent__parent"

NEWEST = "newest"
MOST_SUPPORTED = "most_supported"
MOST_DISCUSSED = "most_discussed"
RANDOM = "random"
ORDERINGS = (NEWEST, MOST_SUPPORTED, MOST_DISCUSSED, RANDOM)

PAGE_SIZE = 20
SEARCH_MAX_LENGTH = 200

# A prime just above a million: the random order's arithmetic stays far
# below 64 bits on every database.
_PRIME = 1_000_003


def counts_hidden(campaign: Campaign) -> bool:
    """Vote counts are hidden while a campaign that asks for it is voting."""
    return campaign.hide_counts_while_voting and campaign.phase == Phase.VOTING


def effective_ordering(campaign: Campaign, ordering: str | None, default: str = NEWEST) -> str:
    ordering = ordering if ordering in ORDERINGS else default
    if ordering == MOST_SUPPORTED and counts_hidden(campaign):
        return RANDOM  # sorting by votes would show what the campaign hides
    return ordering


def new_seed() -> int:
    return random.SystemRandom().randrange(1, 2**31)


# Where a visitor's random order is kept, the same for the pages and the API.
SEED_SESSION_KEY = "ideas_random_seed"


def visitor_seed(request) -> int:
    """This visitor's random order, the same on every page of a list and on
    the pages and the API alike: kept in their session (made on first use).
    A token client has no session: its order is stable per user, without
    writing a session row on every call."""
    session = getattr(request, "session", None)
    if session is None:
        return 1
    if session.session_key is None and request.user.is_authenticated:
        return (request.user.pk * 2_654_435_761) % 2**31 or 1
    seed = session.get(SEED_SESSION_KEY)
    if not isinstance(seed, int):
        seed = session[SEED_SESSION_KEY] = new_seed()
    return seed


def random_key(seed: int):
    """A per-seed pseudo-random integer for each idea, computed in SQL, so
    a shuffled list is still ordered and paged by the database.

    A product of two affine maps of the id modulo a prime: a quadratic, so
    neighbouring ids land far apart, and each seed gives another order.
    """
    rng = random.Random(seed)
    a, c = rng.randrange(1, _PRIME), rng.randrange(1, _PRIME)
    b, d = rng.randrange(0, _PRIME), rng.randrange(0, _PRIME)
    x = F("id") % _PRIME
    return ExpressionWrapper(((x * a + b) % _PRIME) * ((x * c + d) % _PRIME) % _PRIME, output_field=BigIntegerField())


class NarrowSortPaginator(Paginator):
    """Pages of idea lists, found by id first.

    The database sorts and skips only (id, sort key) to find the page's 20
    ids, then loads those rows whole: sorting whole rows by a key computed
    per row (the random order) spills to disk on a large campaign, and deep
    pages skip thousands of wide rows otherwise. One query more, whatever
    the size.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        rows = self.object_list.order_by().in_bulk(ids)
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


def order_ideas(qs, ordering: str, *, seed: int):
    if ordering == MOST_SUPPORTED:
        return qs.order_by("-vote_count", "created_at", "pk")
    if ordering == MOST_DISCUSSED:
        return qs.order_by("-comment_count", "created_at", "pk")
    if ordering == RANDOM:
        return qs.annotate(shuffle=random_key(seed)).order_by("shuffle", "pk")
    return qs.order_by("-created_at", "-pk")


def words(text: str, *, min_length: int = 3, limit: int = 10) -> list[str]:
    """The words of a search, lower-case, without duplicates (letters and digits only)."""
    found: list[str] = []
    for word in re.findall(r"[^\W_]+", (text or "").lower()):
        if len(word) >= min_length and word not in found:
            found.append(word)
    return found[:limit]


def _vector():
    return SearchVector("title", "summary", config="simple")


def search_ideas(qs, text: str):
    """Ideas whose title or summary match every word of `text`."""
    text = (text or "").strip()[:SEARCH_MAX_LENGTH]
    if not text:
        return qs
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config="simple", search_type="websearch")
        return qs.annotate(search_document=_vector()).filter(search_document=query)
    terms = words(text, min_length=1) or [text]
    condition = Q()
    for term in terms:
        condition &= Q(title__icontains=term) | Q(summary__icontains=term)
    return qs.filter(condition)


def listed_ideas(campaign: Campaign, user):
    """A campaign's ideas in its lists, as this person may see them, preloaded."""
    # The campaign was looked up through Campaign.objects.visible_to by the
    # caller, so its ideas are filtered on it directly.
    return (
        Idea.objects.filter(campaign=campaign)
        .moderated_for(user)
        .listed()
        .select_related("author", "category", ENTITY_PATH)
        .prefetch_related("tags")
    )


def similar_ideas(*, campaign: Campaign, text: str, user, limit: int = 5, exclude_id: int | None = None) -> list[Idea]:
    terms = words((text or "")[:SEARCH_MAX_LENGTH])
    if not terms:
        return []
    qs = Idea.objects.visible_to(user).listed().filter(campaign=campaign)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    if connection.vendor == "postgresql":
        # Any word, each also as a prefix (the last one is often half-typed).
        # The words hold only letters and digits, so the raw query is safe.
        query = SearchQuery(" | ".join(f"{t}:*" for t in terms), config="simple", search_type="raw")
        qs = (
            qs.annotate(search_document=_vector())
            .filter(search_document=query)
            .annotate(rank=SearchRank(_vector(), query))
            .order_by("-rank", "-created_at", "pk")
        )
    else:
        matches = sum(
            (
                Case(
                    When(Q(title__icontains=t) | Q(summary__icontains=t), then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
                for t in terms
            ),
            Value(0),
        )
        qs = qs.annotate(rank=matches).filter(rank__gt=0).order_by("-rank", "-created_at", "pk")
    return list(qs.only("id", "title", "summary", "campaign_id", "created_at")[:limit])


# --- the idea page --------------------------------------------------------------


def idea_for_page(user, pk: int) -> Idea | None:
    return (
        Idea.objects.visible_to(user)
        .select_related("campaign", "author", "category", "merged_into", ENTITY_PATH)
        .prefetch_related("tags", "coauthors", "attachments")
        .filter(pk=pk)
        .first()
    )


def comment_threads(idea: Idea):
    """Top-level comments with their replies (one level), oldest first."""
    replies = Comment.objects.select_related("author").order_by("created_at", "pk")
    return (
        Comment.objects.filter(idea=idea, parent__isnull=True)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "pk")
    )


# --- the idea box ---------------------------------------------------------------


def box_statistics(box: Campaign) -> dict:
    """What the box page shows about the box as a whole.

    Over the ideas people can see in lists (approved, not hidden): how many
    in each status, the share implemented (merged duplicates do not count),
    and the median time from submission to a first answer.
    """
    shown = Idea.objects.filter(campaign=box, hidden=False, approved=True)
    rows = shown.order_by().values("status").annotate(n=Count("id"))
    counts = {row["status"]: row["n"] for row in rows}
    total = sum(n for status, n in counts.items() if status != Status.MERGED)
    implemented = counts.get(Status.IMPLEMENTED, 0)
    durations = [
        answered - created
        for created, answered in shown.filter(first_answer_at__isnull=False).values_list(
            "created_at", "first_answer_at"
        )
    ]
    median: timedelta | None = statistics.median(sorted(durations)) if durations else None
    statuses = [Status.UNDER_REVIEW, Status.ACCEPTED, Status.IMPLEMENTED, Status.REJECTED, Status.MERGED]
    return {
        "total": total,
        "implemented": implemented,
        "implemented_share": implemented / total if total else None,
        "median_first_answer": median,
        "answered": len(durations),
        "by_status": [(status, counts.get(status, 0)) for status in statuses],
    }

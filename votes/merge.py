"""Merging a duplicate idea, with its supporters.

`ideas.moderation.merge_idea` moves comments and followers; the votes live
at a higher rank (STYLE.md: ideas never import votes), so the merge entry
points (votes/views.py, votes/api.py) call merge_ideas here, which runs
merge_idea and then, in the same transaction:

- a voter who supported only the source now supports the target: the row
  moves (idea_id is updated) and keeps its receipt;
- a voter who supported both keeps their vote on the target; the source row
  is deleted and their ballot gets the freed vote back;
- a voter who wrote or co-wrote the target cannot support it: their source
  vote is deleted and given back as well;
- both ideas' vote_count is recomputed from the rows.
"""

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from ideas import moderation
from ideas.models import Idea

from .models import Ballot, Vote


def _count_rows():
    rows = Vote.objects.filter(idea=OuterRef("pk")).order_by().values("idea").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows), Value(0))


@transaction.atomic
def merge_ideas(*, source: Idea, target: Idea, by, reason: str) -> Idea:
    """Merge `source` into `target` with its comments, followers and votes.
    Returns the source (now merged). Refusals are merge_idea's."""
    # The supporters' ballots are locked before the ideas (merge_idea locks
    # those), the order cast_vote takes them in, so a merge and a vote never
    # wait on each other crosswise.
    list(
        Ballot.objects.select_for_update()
        .filter(campaign_id=source.campaign_id, voter_id__in=Vote.objects.filter(idea_id=source.pk).values("voter_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    merged = moderation.merge_idea(source=source, target=target, by=by, reason=reason)
    target_id = merged.merged_into_id
    target_row = Idea.objects.get(pk=target_id)
    authors = {target_row.author_id} | set(
        Idea.coauthors.through.objects.filter(idea_id=target_id).values_list("user_id", flat=True)
    )
    authors.discard(None)

    freed = Vote.objects.filter(idea_id=merged.pk).filter(
        Q(voter_id__in=Vote.objects.filter(idea_id=target_id).values("voter_id")) | Q(voter_id__in=authors)
    )
    freed_voters = list(freed.values_list("voter_id", flat=True))
    if freed_voters:
        Vote.objects.filter(idea_id=merged.pk, voter_id__in=freed_voters).delete()
        Ballot.objects.filter(campaign_id=merged.campaign_id, voter_id__in=freed_voters).update(
            used=Greatest(F("used") - 1, Value(0))
        )
    Vote.objects.filter(idea_id=merged.pk).update(idea_id=target_id)
    Idea.objects.filter(pk__in=[merged.pk, target_id]).update(vote_count=_count_rows())
    merged.refresh_from_db()
    return merged

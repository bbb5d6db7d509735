from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaigns.models import Campaign, Category

from .uploads import MAX_DESCRIPTION_LENGTH


class Status(models.TextChoices):
    PUBLISHED = "published", _("Published")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    AWARDED = "awarded", _("Awarded")
    NOT_SELECTED = "not_selected", _("Not selected")
    MERGED = "merged", _("Merged")
    # the idea box's lifecycle
    UNDER_REVIEW = "under_review", _("Under review")
    ACCEPTED = "accepted", _("Accepted")
    IMPLEMENTED = "implemented", _("Implemented")
    REJECTED = "rejected", _("Rejected")


BOX_STATUSES = (Status.UNDER_REVIEW, Status.ACCEPTED, Status.IMPLEMENTED, Status.REJECTED)

# Every move of Idea.status there is, in one table: ideas.services.move_status
# (the one writer of the status) refuses any other with `invalid_transition`.
#   a campaign's idea: published -> shortlisted (the tally, a wildcard) -> published
#                      (a wildcard taken back) | awarded | not_selected (the publication)
#   a box idea:        under_review -> accepted -> implemented; under_review | accepted
#                      -> rejected -> under_review (reopened by a reviewer)
#   any idea but a merged one -> merged (a moderator's merge); merged is final.
ALLOWED_MOVES: dict[str, frozenset[str]] = {
    Status.PUBLISHED: frozenset({Status.SHORTLISTED, Status.MERGED}),
    Status.SHORTLISTED: frozenset({Status.PUBLISHED, Status.AWARDED, Status.NOT_SELECTED, Status.MERGED}),
    Status.AWARDED: frozenset({Status.MERGED}),
    Status.NOT_SELECTED: frozenset({Status.MERGED}),
    Status.MERGED: frozenset(),
    Status.UNDER_REVIEW: frozenset({Status.ACCEPTED, Status.REJECTED, Status.MERGED}),
    Status.ACCEPTED: frozenset({Status.IMPLEMENTED, Status.REJECTED, Status.MERGED}),
    Status.REJECTED: frozenset({Status.UNDER_REVIEW, Status.MERGED}),
    Status.IMPLEMENTED: frozenset({Status.MERGED}),
}


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class IdeaQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Ideas this person may open: of a campaign they may see, and
        neither hidden nor awaiting approval, except for moderators (who see
        everything) and for the authors themselves."""
        return self.filter(campaign__in=Campaign.objects.visible_to(user)).moderated_for(user)

    def moderated_for(self, user):
        """The moderation part of visible_to alone, for a campaign already
        known to be visible (a campaign's list filters on it directly, which
        lets the database use the campaign's indexes)."""
        from accounts import roles

        if roles.is_moderator(user):
            return self
        public = Q(hidden=False, approved=True)
        if user.is_authenticated:
            public |= Q(author=user)
        return self.filter(public)

    def from_entities(self, ids, viewer):
        """Ideas whose entity, as `viewer` is shown it (Idea.entity_shown_to),
        is one of `ids` (a list's "entity" filter, given an entity and what is
        below it). Asking for a department finds none of its anonymous ideas
        for whoever is shown only their division: the filter names no more
        than the idea's page does."""
        from accounts import roles
        from accounts.models import EntityKind

        ids = list(ids)
        whole = Q(entity__in=ids)
        if roles.is_moderator(viewer):
            return self.filter(whole)
        shown_whole = Q(anonymous=False)
        if viewer is not None and viewer.is_authenticated:
            coauthored = Idea.coauthors.through.objects.filter(user_id=viewer.pk).values("idea_id")
            shown_whole |= Q(author_id=viewer.pk) | Q(pk__in=coauthored)
        above_departments = [EntityKind.COMPANY, EntityKind.DIVISION]
        up_to_the_division = Q(entity__kind__in=above_departments, entity__in=ids) | Q(
            entity__kind=EntityKind.DEPARTMENT, entity__parent__kind__in=above_departments, entity__parent__in=ids
        )
        return self.filter((shown_whole & whole) | (~shown_whole & up_to_the_division))

    def listed(self):
        """What lists, rankings and counts show: not hidden, approved, not
        merged. One idea in hand asks Idea.is_listed, the same rule."""
        return self.filter(hidden=False, approved=True).exclude(status=Status.MERGED)


class Idea(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="ideas", verbose_name=_("campaign"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="ideas",
        verbose_name=_("author"),
    )
    # The ACCEPTED co-authors only, kept in step with Coauthorship.state by
    # ideas/coauthorship.py (its one writer): the vote statement, the jury and
    # every page read this set, so an invitation can never count as authorship.
    coauthors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="coauthored_ideas", verbose_name=_("co-authors")
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500)
    body = models.TextField(_("description"), blank=True, help_text=_("Markdown is allowed."))
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="ideas", verbose_name=_("category")
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="ideas", verbose_name=_("tags"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PUBLISHED)
    anonymous = models.BooleanField(_("hide my name from the public"), default=False)
    # The author's entity when they submitted, kept when they move: what the
    # idea is counted under. Who sees how much of it: entity_shown_to.
    entity = models.ForeignKey(
        "accounts.Entity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("entity"),
        help_text=_("The author's entity when the idea was submitted."),
    )

    # Moderation, beside the status: restoring a hidden idea keeps its status.
    approved = models.BooleanField(_("approved"), default=True, help_text=_("False while awaiting pre-moderation."))
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_ideas",
        verbose_name=_("merged into"),
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    # Counters kept by the services that change them, so lists never count rows.
    vote_count = models.PositiveIntegerField(_("votes"), default=0)
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    follower_count = models.PositiveIntegerField(_("followers"), default=0)

    # The idea box's review clock.
    answer_due = models.DateTimeField(_("answer due"), null=True, blank=True)
    first_answer_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reviewers reminded at"), null=True, blank=True)

    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = IdeaQuerySet.as_manager()

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["campaign", "-created_at"], name="idea_newest"),
            models.Index(fields=["campaign", "-vote_count", "created_at"], name="idea_most_supported"),
            models.Index(fields=["campaign", "-comment_count", "created_at"], name="idea_most_discussed"),
            models.Index(fields=["campaign", "status"], name="idea_status"),
            models.Index(fields=["status", "answer_due"], name="idea_answer_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="idea_status_valid"),
            models.CheckConstraint(
                condition=(Q(status=Status.MERGED) & Q(merged_into__isnull=False))
                | (~Q(status=Status.MERGED) & Q(merged_into__isnull=True)),
                name="idea_merged_has_target",
            ),
            models.CheckConstraint(condition=~Q(merged_into=F("pk")), name="idea_not_merged_into_itself"),
            models.CheckConstraint(
                condition=~Q(status=Status.REJECTED) | ~Q(rejection_reason=""), name="idea_rejection_has_reason"
            ),
            models.CheckConstraint(condition=~Q(hidden=True) | ~Q(hidden_reason=""), name="idea_hiding_has_reason"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/ideas/{self.pk}/"

    @property
    def is_listed(self) -> bool:
        """IdeaQuerySet.listed() for one idea: lists, rankings and counts show it, and it is open to support."""
        return self.approved and not self.hidden and self.status != Status.MERGED

    # --- who the authors are: the author and the ACCEPTED co-authors -------------
    # (`coauthors` holds accepted co-authors only; invitations are Coauthorship
    # rows and count for no rule). Every "is this person an author" asks these.

    def author_ids(self) -> set[int]:
        """The ids of the idea's authors (what a page prefetched is used)."""
        ids = {user.pk for user in self.coauthors.all()}
        if self.author_id is not None:
            ids.add(self.author_id)
        return ids

    def has_author(self, user) -> bool:
        """Whether `user` wrote or co-wrote this idea (an accepted co-author)."""
        if user is None or not user.is_authenticated:
            return False
        return self.author_id == user.pk or any(u.pk == user.pk for u in self.coauthors.all())

    # --- who may learn who wrote it (PRODUCT.md, "Ideas") ---------------------------
    # The one home of the rule: every page, API, export and e-mail asks these.

    def author_visible_to(self, viewer) -> bool:
        """Whether `viewer` may learn who wrote this idea.

        Not anonymous: whoever may see the idea sees its authors. Anonymous:
        only its authors, moderators and administrators; jurors (employees or
        not), managers, reviewers who are not moderators, other participants
        and visitors see no name. `viewer=None` is anyone at all: what is
        published for everyone (the results) or sent to many at once.
        """
        if not self.anonymous:
            return True
        if viewer is None or not viewer.is_authenticated:
            return False
        from accounts import roles

        return roles.is_moderator(viewer) or roles.is_administrator(viewer) or self.has_author(viewer)

    def shows_name_of(self, person, viewer) -> bool:
        """Whether `viewer` may see `person` named beside this idea (as the
        writer of a comment on it): not when `person` is one of the authors of
        an anonymous idea whose author `viewer` may not learn."""
        if person is None or not self.anonymous or self.author_visible_to(viewer):
            return True
        return not self.has_author(person)

    # --- which entity it came from (PRODUCT.md, issue 12) ----------------------------

    def entity_shown_to(self, viewer):
        """The entity `viewer` is shown this idea came from, or None.

        Named ideas: whoever may see the idea sees the author's entity.
        Anonymous ideas: moderators and the idea's authors see it whole;
        everybody else only down to the division, so that a small
        department does not name the author: a company or a division shows
        itself, a department what it belongs to (its division, or the
        company when it hangs right under it), an unplaced department
        nothing. Lists select `entity__parent__parent` (the tree is three
        deep), which the API's path reads too.
        """
        entity = self.entity
        if entity is None or not self.anonymous or self._entity_whole_for(viewer):
            return entity
        if entity.kind != entity.Kind.DEPARTMENT:
            return entity
        above = entity.parent
        return above if above is not None and above.kind != above.Kind.DEPARTMENT else None

    def _entity_whole_for(self, viewer) -> bool:
        if viewer is None or not viewer.is_authenticated:
            return False
        from accounts import roles

        return roles.is_moderator(viewer) or self.has_author(viewer)

    @staticmethod
    def preload_authorship(ideas, viewer) -> None:
        """Load, for a list, what author_visible_to needs: one query at most
        (the co-authors of its anonymous ideas, for a signed-in viewer), so a
        list's query count does not grow with the ideas it shows."""
        if viewer is not None and viewer.is_authenticated:
            models.prefetch_related_objects([idea for idea in ideas if idea.anonymous], "coauthors")


class Attachment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="ideas/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    # An image's alternative text (required for images since it exists:
    # those attached before have none, and are shown with alt="").
    description = models.CharField(_("description"), max_length=MAX_DESCRIPTION_LENGTH, blank=True)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Comment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="comments")
    # One level of replies: a reply's parent is never itself a reply (services.py).
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    body = models.TextField(_("comment"), max_length=5000)
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["idea", "created_at"], name="comment_thread")]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="comment_not_own_parent"),
            models.CheckConstraint(condition=~Q(hidden=True) | ~Q(hidden_reason=""), name="comment_hiding_has_reason"),
        ]

    def __str__(self) -> str:
        return self.body[:60]


class IdeaFollower(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_ideas")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="idea_follow_once")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.idea_id}"


class Report(models.Model):
    """Someone's report of an idea or a comment (exactly one of them)."""

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, null=True, blank=True, related_name="reports")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="reports")
    reason = models.TextField(_("reason"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["resolved_at", "created_at"], name="report_queue")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(idea__isnull=False) & Q(comment__isnull=True))
                | (Q(idea__isnull=True) & Q(comment__isnull=False)),
                name="report_one_target",
            ),
            # One open report per person and target.
            models.UniqueConstraint(
                fields=["reporter", "idea"], condition=Q(resolved_at__isnull=True), name="report_idea_once"
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"], condition=Q(resolved_at__isnull=True), name="report_comment_once"
            ),
        ]

    def __str__(self) -> str:
        return f"report {self.pk}"


class ModerationAction(models.Model):
    """Every moderation decision, kept: who did what to which idea or comment, and why."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("Approved")
        HIDE = "hide", _("Hidden")
        RESTORE = "restore", _("Restored")
        MERGE = "merge", _("Merged")
        DISMISS_REPORT = "dismiss_report", _("Report dismissed")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, null=True, blank=True, related_name="moderation_actions")
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="moderation_actions"
    )
    target = models.ForeignKey(Idea, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M}"


class StatusChange(models.Model):
    """An idea's status history (the idea box's review trail)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Status.choices)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class CoauthorshipState(models.TextChoices):
    # In context: "Accepted" is also an idea's status, and these read as an
    # invitation's states.
    INVITED = "invited", pgettext_lazy("co-authorship state", "Invited")
    ACCEPTED = "accepted", pgettext_lazy("co-authorship state", "Accepted")
    DECLINED = "declined", pgettext_lazy("co-authorship state", "Declined")
    LEFT = "left", pgettext_lazy("co-authorship state", "Left")
    LAPSED = "lapsed", pgettext_lazy("co-authorship state", "Lapsed when voting opened")


class CoauthorshipQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=Coauthorship.State.INVITED)

    def named(self):
        """Invited or accepted: the names an idea's co-author field holds."""
        return self.filter(state__in=[Coauthorship.State.INVITED, Coauthorship.State.ACCEPTED])


class Coauthorship(models.Model):
    """A person named as a co-author of an idea, and what became of it.

    Named people are invited; they become co-authors (Idea.coauthors) only
    when they accept. One row per idea and person, kept after the answer so
    that the history stays honest: a declined invitation or a co-author who
    left is not invited again, a lapsed one says voting opened first.
    """

    State = CoauthorshipState

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="coauthorships", verbose_name=_("idea"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coauthorships", verbose_name=_("person")
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.INVITED)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    invited_at = models.DateTimeField(_("invited at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    # Accepting withdraws the invitee's own vote on the idea (given back to
    # their ballot): recorded here.
    vote_withdrawn = models.BooleanField(_("their vote was withdrawn when they accepted"), default=False)

    objects = CoauthorshipQuerySet.as_manager()

    class Meta:
        verbose_name = _("co-authorship")
        verbose_name_plural = _("co-authorships")
        ordering = ["invited_at", "pk"]
        indexes = [models.Index(fields=["user", "state"], name="coauthorship_of_user")]
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="coauthorship_once"),
            models.CheckConstraint(condition=Q(state__in=CoauthorshipState.values), name="coauthorship_state_valid"),
            models.CheckConstraint(
                condition=Q(state=CoauthorshipState.INVITED) | Q(answered_at__isnull=False),
                name="coauthorship_answer_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.idea_id}: {self.state}"

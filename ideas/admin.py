"""Django admin for ideas, comments and tags.

Readable lists for staff. What changes an idea's state (status, approval,
hiding, merging, counters) is read-only here: those changes go through the
moderation and review services, which record who did what. The admin
actions that approve and restore call the moderation services: they are
added in moderation/admin.py (moderation ranks above ideas).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Attachment, Coauthorship, Comment, Idea, Tag

STATE_FIELDS = (
    "status",
    "approved",
    "hidden",
    "hidden_reason",
    "merged_into",
    "rejection_reason",
    "vote_count",
    "comment_count",
    "follower_count",
    "answer_due",
    "first_answer_at",
    "reminded_at",
    "status_changed_at",
    "created_at",
    "updated_at",
)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ("name", "description", "file", "content_type", "size", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # uploads are checked by content in ideas/services.py


class CoauthorshipInline(admin.TabularInline):
    model = Coauthorship
    fk_name = "idea"
    extra = 0
    fields = ("user", "state", "invited_by", "invited_at", "answered_at", "left_at", "vote_withdrawn")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("co-authors and invitations")

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # people are invited by the authors and accept themselves (ideas/coauthorship.py)


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "campaign",
        "author",
        "status",
        "approved",
        "hidden",
        "vote_count",
        "comment_count",
        "created_at",
    )
    list_filter = ("status", "approved", "hidden", "anonymous", ("campaign", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "summary", "author__username", "author__email")
    list_select_related = ("campaign", "author")
    date_hierarchy = "created_at"
    raw_id_fields = ("author", "category")
    autocomplete_fields = ("tags",)
    # The entity is the author's at submission, never changed afterwards.
    readonly_fields = ("campaign", "coauthors", "entity", *STATE_FIELDS)
    fieldsets = (
        (None, {"fields": ("campaign", "title", "summary", "body", "category", "tags")}),
        (_("People"), {"fields": ("author", "coauthors", "anonymous", "entity")}),
        (_("State (changed through moderation and review)"), {"fields": STATE_FIELDS}),
    )
    inlines = [CoauthorshipInline, AttachmentInline]

    def has_add_permission(self, request) -> bool:
        return False  # ideas are submitted through the site or the API (ideas.services.submit_idea)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "idea", "author", "parent", "hidden", "created_at")
    list_filter = ("hidden",)
    search_fields = ("body", "author__username", "idea__title")
    list_select_related = ("idea", "author", "parent")
    date_hierarchy = "created_at"
    raw_id_fields = ("idea", "author", "parent")
    readonly_fields = ("idea", "author", "parent", "hidden", "hidden_reason", "created_at", "updated_at")

    def has_add_permission(self, request) -> bool:
        return False  # comments go through ideas.services.add_comment (counter, notifications)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "idea_count")
    search_fields = ("name",)

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(ideas_total=Count("ideas"))

    @admin.display(description=_("ideas"), ordering="ideas_total")
    def idea_count(self, tag) -> int:
        return tag.ideas_total

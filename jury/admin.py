"""The jury in Django admin, for staff. Edits here bypass the services'
rules (phase locks, wildcards' status changes): staff only, on purpose."""

from django.contrib import admin

from .models import (
    Award,
    BoxTransfer,
    Conflict,
    Criterion,
    Evaluation,
    Juror,
    Jury,
    PublicAwardDecision,
    ResultRow,
    Score,
    Wildcard,
)


@admin.register(Jury)
class JuryAdmin(admin.ModelAdmin):
    list_display = [
        "campaign",
        "public_weight",
        "blind_review",
        "disagreement_threshold",
        "allow_multiple_awards",
        "published_at",
    ]
    list_filter = ["blind_review", "allow_multiple_awards", "campaign__phase"]
    search_fields = ["campaign__title", "campaign__slug"]
    list_select_related = ["campaign"]
    readonly_fields = ["published_at"]


@admin.register(Juror)
class JurorAdmin(admin.ModelAdmin):
    list_display = ["user", "campaign", "is_chair", "added_at", "reminded_at"]
    list_filter = ["is_chair", "campaign__phase"]
    search_fields = ["user__username", "user__email", "user__display_name", "campaign__title", "campaign__slug"]
    list_select_related = ["user", "campaign"]
    raw_id_fields = ["user", "campaign"]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign", "weight", "position"]
    search_fields = ["name", "campaign__title", "campaign__slug"]
    list_select_related = ["campaign"]
    raw_id_fields = ["campaign"]


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0
    raw_id_fields = ["criterion"]


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["idea", "juror", "updated_at"]
    list_filter = ["juror__campaign__phase"]
    search_fields = ["idea__title", "juror__user__username", "juror__campaign__slug"]
    list_select_related = ["idea", "juror__user", "juror__campaign"]
    raw_id_fields = ["idea", "juror"]
    inlines = [ScoreInline]


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    list_display = ["idea", "juror", "declared_at"]
    search_fields = ["idea__title", "juror__user__username", "juror__campaign__slug"]
    list_select_related = ["idea", "juror__user"]
    raw_id_fields = ["idea", "juror"]


@admin.register(Wildcard)
class WildcardAdmin(admin.ModelAdmin):
    list_display = ["idea", "campaign", "by", "at"]
    search_fields = ["idea__title", "campaign__slug"]
    list_select_related = ["idea", "campaign", "by"]
    raw_id_fields = ["idea", "campaign", "by"]


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    """Decisions are read here, not made: jury awards are decided on the awards
    page or API (jury.award_services.decide_award), public awards from the tally."""

    list_display = ["name", "campaign", "position", "basis", "winner", "decided_at"]
    list_filter = ["basis", "campaign__phase"]
    search_fields = ["name", "campaign__title", "campaign__slug"]
    list_select_related = ["campaign", "winner"]
    raw_id_fields = ["campaign"]
    readonly_fields = ["winner", "justification", "decided_by", "decided_at"]


@admin.register(PublicAwardDecision)
class PublicAwardDecisionAdmin(admin.ModelAdmin):
    """The history of public awards (jury.award_services): a record, not edited here."""

    list_display = ["award", "reason", "previous_winner", "winner", "votes", "at"]
    list_filter = ["reason"]
    search_fields = ["award__name", "award__campaign__slug"]
    list_select_related = ["award", "previous_winner", "winner"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ResultRow)
class ResultRowAdmin(admin.ModelAdmin):
    """The published ranking: written once by publication, never edited."""

    list_display = ["campaign", "rank", "idea", "votes", "jury_average", "final_score"]
    list_filter = ["campaign"]
    search_fields = ["idea__title", "campaign__slug"]
    list_select_related = ["campaign", "idea"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BoxTransfer)
class BoxTransferAdmin(admin.ModelAdmin):
    """Moves of awarded ideas into the idea box (results/services.py): a record, not edited here."""

    list_display = ["idea", "box_idea", "by", "at"]
    search_fields = ["idea__title", "box_idea__title"]
    list_select_related = ["idea", "box_idea", "by"]
    raw_id_fields = ["idea", "box_idea", "by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

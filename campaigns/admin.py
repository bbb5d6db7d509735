from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ideabox.exceptions import DomainError
from ideabox.pages import show_refusal

from . import services
from .forms import CampaignForm
from .models import SCHEDULE_FIELDS, Campaign, Category, PhaseTransition


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    fields = ["position", "name", "slug"]


class PhaseTransitionInline(admin.TabularInline):
    """The history of the campaign's moves: written by the phase machine only."""

    model = PhaseTransition
    extra = 0
    fields = ["from_phase", "to_phase", "by", "by_scheduler", "at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CampaignAdminForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["title", "slug", "theme", "cover", "audience", *CampaignForm.RULES, *SCHEDULE_FIELDS]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            # The same rule as the pages and the API: a voter rule does not
            # change once voting has opened, not even by staff.
            try:
                services.refuse_locked_rules(campaign=self.instance, changes=cleaned)
            except DomainError as error:
                show_refusal(error, self)
        return cleaned


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    form = CampaignAdminForm
    list_display = ["title", "slug", "kind", "phase", "audience", "submission_opens", "voting_closes"]
    list_filter = ["phase", "kind", "audience", "moderation"]
    search_fields = ["title", "slug"]
    readonly_fields = ["phase", "kind", "created_by", "created_at", "updated_at"]
    inlines = [CategoryInline, PhaseTransitionInline]
    actions = ["move_to_next_phase"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "theme", "cover", "audience", "kind", "phase"]}),
        (
            gettext_lazy("Rules"),
            {"fields": list(CampaignForm.RULES)},
        ),
        (
            gettext_lazy("Schedule"),
            {"fields": list(SCHEDULE_FIELDS)},
        ),
        (gettext_lazy("Record"), {"fields": ["created_by", "created_at", "updated_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.is_box:
            # The box is always internal and has no schedule (a database constraint too).
            fields += ["audience", "submission_opens", "submission_closes", "voting_opens", "voting_closes"]
            fields += ["deliberation_ends"]
        return fields

    @admin.action(description=gettext_lazy("Move to the next phase"))
    def move_to_next_phase(self, request, queryset):
        for campaign in queryset:
            try:
                transition = services.transition_campaign(
                    campaign=campaign, to=campaign.next_phase or campaign.phase, by=request.user
                )
            except DomainError as error:
                self.message_user(request, f"{campaign}: {error.detail}", level=messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(campaign)s moved to %(phase)s.")
                    % {"campaign": campaign, "phase": transition.get_to_phase_display()},
                    level=messages.SUCCESS,
                )

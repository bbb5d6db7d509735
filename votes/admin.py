"""Django admin for votes and ballots: read-only.

Votes change only through votes/services.py (limits, counters, receipts);
staff read them here. The voter is shown: the admin is for staff and is
never published (the published results carry receipts only).
"""

from django.contrib import admin

from ideabox.admin import ReadOnlyAdmin

from .models import Ballot, Vote


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "campaign", "idea", "voter")
    list_filter = ("campaign",)
    list_select_related = ("campaign", "idea", "voter")
    search_fields = ("receipt", "idea__title", "voter__username")
    date_hierarchy = "created_at"
    fields = ("campaign", "idea", "voter", "receipt", "created_at")
    readonly_fields = fields
    show_full_result_count = False


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "voter", "used")
    list_filter = ("campaign",)
    list_select_related = ("campaign", "voter")
    search_fields = ("voter__username",)
    fields = ("campaign", "voter", "used")
    readonly_fields = fields

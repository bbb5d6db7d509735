from django.contrib import admin

from .models import Heartbeat


class ReadOnlyAdmin(admin.ModelAdmin):
    """For what only a service writes (votes, the audit log): staff read it here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ("sent_at", "received_at", "lag_seconds")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

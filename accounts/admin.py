from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AuditAction, AuditEvent, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + ((_("Ideabox"), {"fields": ("display_name", "language")}),)
    list_display = ("username", "email", "display_name", "is_staff", "is_active", "date_joined")
    search_fields = ("username", "email", "display_name")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is never edited from the site (PRODUCT.md, "Privacy")."""

    list_display = ("at", "action_label", "object_type", "object_id", "actor_id", "address")
    list_filter = ("action", "object_type")
    search_fields = ("=object_id", "=actor_id")
    date_hierarchy = "at"
    ordering = ("-at", "-pk")

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, event: AuditEvent) -> str:
        return str(dict(AuditAction.choices).get(event.action, event.action))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

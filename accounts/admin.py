from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from ideabox.admin import ReadOnlyAdmin

from . import services
from .models import AuditAction, AuditEvent, User


class RecordsRoleChanges:
    """Role changes made here are audited (role.grant / role.revoke): what the
    person or group held is read before the save, compared once the groups
    and permissions (saved after the object) are in."""

    def save_model(self, request, obj, form, change):
        form.privileges_before = services.privileges_of(obj) if change else set()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.record_role_changes(actor=request.user, holder=form.instance, before=form.privileges_before)


@admin.register(User)
class UserAdmin(RecordsRoleChanges, DjangoUserAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + ((_("Ideabox"), {"fields": ("display_name", "language")}),)
    list_display = ("username", "email", "display_name", "is_staff", "is_active", "date_joined")
    search_fields = ("username", "email", "display_name")


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(RecordsRoleChanges, DjangoGroupAdmin):
    pass


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit log is never edited from the site (PRODUCT.md, "Privacy")."""

    list_display = ("at", "action_label", "object_type", "object_id", "actor_id", "address")
    list_filter = ("action", "object_type")
    search_fields = ("=object_id", "=actor_id")
    date_hierarchy = "at"
    ordering = ("-at", "-pk")

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, event: AuditEvent) -> str:
        return str(dict(AuditAction.choices).get(event.action, event.action))

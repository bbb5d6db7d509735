from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ideabox.admin import ReadOnlyAdmin
from ideabox.exceptions import DomainError

from . import entities, services
from .models import AuditAction, AuditEvent, Entity, User


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
    fieldsets = DjangoUserAdmin.fieldsets + ((_("Ideabox"), {"fields": ("display_name", "language", "entity")}),)
    list_display = ("username", "email", "display_name", "is_staff", "is_active", "date_joined")
    search_fields = ("username", "email", "display_name")
    autocomplete_fields = ("entity",)

    def save_model(self, request, obj, form, change):
        # The entity is set by its service (audited as person.entity), not by the form's save.
        entity = obj.entity
        obj.entity_id = User.objects.filter(pk=obj.pk).values_list("entity_id", flat=True).first() if change else None
        super().save_model(request, obj, form, change)
        entities.set_person_entity(actor=request.user, user=obj, entity=entity)


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


# --- the company's entities -------------------------------------------------------------


class UnplacedFilter(admin.SimpleListFilter):
    """The entities an administrator still has to place: company sign-in
    creates a department it does not know without a parent."""

    title = _("placed")
    parameter_name = "unplaced"

    def lookups(self, request, model_admin):
        return [("yes", _("Unplaced: no parent, not a company"))]

    def queryset(self, request, queryset):
        return queryset.filter(entities.unplaced()) if self.value() == "yes" else queryset


class EntityForm(forms.ModelForm):
    class Meta:
        model = Entity
        fields = ("name", "code", "kind", "parent", "headcount")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        entity = Entity(pk=self.instance.pk, **{field: cleaned.get(field) for field in self.Meta.fields})
        for field, problems in entities.problems(entity).items():
            for problem in problems:
                self.add_error(field if field in self.fields else None, problem)
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8; columns code, name, kind, parent_code, headcount."))


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    """Every write goes through accounts.entities, which audits it."""

    form = EntityForm
    list_display = ("name", "code", "kind", "parent", "headcount", "member_count")
    list_filter = ("kind", UnplacedFilter)
    list_select_related = ("parent",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
    ordering = ("name", "pk")
    change_list_template = "admin/accounts/entity/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, entity: Entity) -> int:
        return entity.member_count

    def save_model(self, request, obj, form, change):
        fields = {field: form.cleaned_data.get(field) for field in EntityForm.Meta.fields}
        if change:
            entities.update_entity(actor=request.user, entity=obj, **fields)
        else:
            obj.pk = entities.create_entity(actor=request.user, **fields).pk

    def delete_model(self, request, obj):
        entities.delete_entity(actor=request.user, entity=obj)

    def delete_queryset(self, request, queryset):
        for entity in queryset:
            try:
                entities.delete_entity(actor=request.user, entity=entity)
            except DomainError as refusal:
                self.message_user(request, f"{entity}: {refusal.detail}", messages.ERROR)

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="accounts_entity_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload a CSV; the import is all or nothing, its bad lines listed."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        line_errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                counts = entities.import_csv(text=upload.read().decode("utf-8"), actor=request.user)
            except UnicodeDecodeError:
                form.add_error("file", gettext("The file is not UTF-8 text: save it as CSV UTF-8."))
            except entities.CsvRefused as refusal:
                line_errors = refusal.errors
                self.message_user(request, refusal.detail, messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % counts,
                    messages.SUCCESS,
                )
                return redirect("admin:accounts_entity_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Import entities from CSV"),
            "form": form,
            "line_errors": line_errors,
        }
        return TemplateResponse(request, "admin/accounts/entity/import.html", context)

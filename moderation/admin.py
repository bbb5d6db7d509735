"""The admin's moderation actions on ideas and comments.

ideas/admin.py registers readable lists for staff; the actions that approve
and restore call the moderation services, which rank above ideas, so they
are added here: the ideas' admin classes are registered again with them.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ideabox.exceptions import DomainError
from ideas import admin as ideas_admin
from ideas.models import Comment, Idea

from . import services as moderation


def _run(modeladmin, request, queryset, call, done_message) -> None:
    done = 0
    for obj in queryset:
        try:
            call(obj)
        except DomainError as error:
            modeladmin.message_user(request, f"{obj}: {error.detail}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message(done), messages.SUCCESS)


admin.site.unregister(Idea)


@admin.register(Idea)
class IdeaAdmin(ideas_admin.IdeaAdmin):
    actions = ["approve", "restore"]

    @admin.action(description=_("Approve the selected ideas (pre-moderation)"))
    def approve(self, request, queryset):
        _run(
            self,
            request,
            queryset.filter(approved=False),
            lambda idea: moderation.approve_idea(idea=idea, by=request.user),
            lambda n: ngettext("%(n)d idea approved.", "%(n)d ideas approved.", n) % {"n": n},
        )

    @admin.action(description=_("Restore the selected hidden ideas"))
    def restore(self, request, queryset):
        _run(
            self,
            request,
            queryset.filter(hidden=True),
            lambda idea: moderation.restore_idea(idea=idea, by=request.user),
            lambda n: ngettext("%(n)d idea restored.", "%(n)d ideas restored.", n) % {"n": n},
        )


admin.site.unregister(Comment)


@admin.register(Comment)
class CommentAdmin(ideas_admin.CommentAdmin):
    actions = ["restore"]

    @admin.action(description=_("Restore the selected hidden comments"))
    def restore(self, request, queryset):
        _run(
            self,
            request,
            queryset.filter(hidden=True),
            lambda comment: moderation.restore_comment(comment=comment, by=request.user),
            lambda n: ngettext("%(n)d comment restored.", "%(n)d comments restored.", n) % {"n": n},
        )

from django import forms
from django.utils.translation import gettext_lazy as _

from ideas.models import BOX_STATUSES, ModerationAction

from .services import REASON_MAX_LENGTH


def _reason_field(*, required: bool, label=None, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label or _("Reason"),
        required=required,
        max_length=REASON_MAX_LENGTH,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReportForm(forms.Form):
    reason = _reason_field(
        required=True,
        label=_("Why should a moderator look at this?"),
        help_text=_("Moderators read every report. Your name is not shown to the author."),
    )


class ReasonForm(forms.Form):
    """Hiding and merging: the reason is kept in the moderation log."""

    reason = _reason_field(required=True)


class OptionalReasonForm(forms.Form):
    """Restoring, approving, dismissing a report: a note is optional."""

    reason = _reason_field(required=False, label=_("Note (optional)"))


class MergeForm(forms.Form):
    target = forms.IntegerField(
        label=_("Number of the idea to merge into"),
        min_value=1,
        help_text=_("An idea of the same campaign; its number is in its address: /ideas/<number>/."),
    )
    reason = _reason_field(required=True)


class ReviewForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=[(s.value, s.label) for s in BOX_STATUSES])
    reason = _reason_field(
        required=False,
        help_text=_("Required for a rejection: the author reads it."),
    )


class LogFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("All actions")), *ModerationAction.Action.choices],
    )

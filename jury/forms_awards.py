"""The award page's forms: choosing a winner (jury/awards_views.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

JUSTIFICATION_MAX_LENGTH = 5000


class DecideForm(forms.Form):
    """The winner of one jury award, among the ranked shortlist.

    Whether the justification is needed (the winner is not the top-ranked
    idea that may win) is the service's rule (jury.awards.decide_award),
    shown here as a field error when it refuses.
    """

    winner = forms.TypedChoiceField(label=_("Winner"), coerce=int)
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        max_length=JUSTIFICATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required when the winner is not the top-ranked idea that may win this award; "
            "it is published with the results."
        ),
    )

    def __init__(self, *args, standings, award, suggestion=None, **kwargs):
        prefix = f"award-{award.pk}"
        initial = kwargs.pop("initial", None) or {}
        # The current winner, else the idea the ranking points to.
        if award.winner_id or suggestion is not None:
            initial.setdefault("winner", award.winner_id or suggestion)
        if award.justification:
            initial.setdefault("justification", award.justification)
        super().__init__(*args, prefix=prefix, initial=initial, **kwargs)
        self.fields["winner"].choices = [(s.idea.pk, f"{s.rank}. {s.idea.title} (#{s.idea.pk})") for s in standings]

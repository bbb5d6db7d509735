"""Forms of the jury pages: they validate input; the rules are in jury/services.py."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SCALE_MAX, AwardBasis, Criterion

SCORE_CHOICES = [("", _("No score"))] + [(str(n), str(n)) for n in range(SCALE_MAX + 1)]


class JurySettingsForm(forms.Form):
    public_weight = forms.DecimalField(
        label=_("Weight of the public vote"),
        min_value=Decimal("0"),
        max_value=Decimal("1"),
        max_digits=3,
        decimal_places=2,
        help_text=_("Between 0 and 1; the jury's score weighs the rest (1 minus this)."),
    )
    shortlist_size = forms.IntegerField(
        label=_("Shortlist size"),
        min_value=1,
        max_value=1000,
        help_text=_("How many of the most voted ideas the jury scores."),
    )
    disagreement_threshold = forms.DecimalField(
        label=_("Disagreement threshold"),
        min_value=Decimal("0"),
        max_value=Decimal(SCALE_MAX),
        max_digits=3,
        decimal_places=2,
        help_text=_("An idea whose jurors' scores spread more than this (on the 0–5 scale) is flagged for discussion."),
    )
    blind_review = forms.BooleanField(
        label=_("Blind review"), required=False, help_text=_("Jurors do not see authors or vote counts.")
    )
    allow_multiple_awards = forms.BooleanField(label=_("An idea may win several awards"), required=False)


class JurorForm(forms.Form):
    who = forms.CharField(
        label=_("Username or e-mail"),
        max_length=254,
        help_text=_("A registered user with a verified e-mail address."),
    )
    chair = forms.BooleanField(label=_("Chair of the jury"), required=False)


class ChairForm(forms.Form):
    juror = forms.IntegerField(label=_("Chair"), required=False, min_value=1)


class ItemForm(forms.Form):
    """Names one criterion, award, juror or wildcard by id (delete, move)."""

    id = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")], required=False, widget=forms.HiddenInput)


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=100, initial=1)

    def __init__(self, *args, **kwargs):
        # Beside the award form on the setup page: ids of its own, so that each "Name" labels its own field.
        kwargs.setdefault("auto_id", "id_criterion_%s")
        super().__init__(*args, **kwargs)


class AwardForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    prize = forms.CharField(label=_("Prize"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    basis = forms.ChoiceField(label=_("Decided by"), choices=AwardBasis.choices, initial=AwardBasis.JURY)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_award_%s")
        super().__init__(*args, **kwargs)


class ScoreForm(forms.Form):
    """One juror's grid for one idea: a 0–5 choice per criterion and a comment."""

    # hx-preserve: the card is swapped after each saved choice (htmx); the
    # comment being typed meanwhile stays as typed (it is saved when left).
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2, "hx-preserve": "true"})
    )

    def __init__(self, *args, criteria: list[Criterion], prefix: str, **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"c{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.name,
                choices=SCORE_CHOICES,
                required=False,
                coerce=int,
                empty_value=None,
                widget=forms.RadioSelect,
            )

    def scores(self) -> dict[int, int | None]:
        """The criteria sent (an empty choice clears a score); the others are kept."""
        return {
            criterion.pk: self.cleaned_data.get(f"c{criterion.pk}")
            for criterion in self.criteria
            if self.add_prefix(f"c{criterion.pk}") in self.data
        }


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (optional, seen by the managers)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class WildcardForm(forms.Form):
    idea = forms.IntegerField(label=_("Idea"), min_value=1)
    reason = forms.CharField(label=_("Reason (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RemindForm(forms.Form):
    pass


JUSTIFICATION_MAX_LENGTH = 5000


class DecideForm(forms.Form):
    """The winner of one jury award, among the ranked shortlist.

    Whether the justification is needed (the winner is not the top-ranked
    idea that may win) is the service's rule (jury.services.decide_award),
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

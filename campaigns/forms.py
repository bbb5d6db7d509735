"""Forms check the shape of what people send; the services decide the rules."""

import datetime

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import SCHEDULE_FIELDS, Audience, Campaign, Moderation, Phase
from .services import COVER_MAX_BYTES, LOCKED_RULE_MESSAGE


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class StorableDateTimeField(forms.DateTimeField):
    """A date and time that the database can hold once moved to UTC.

    Near year 1 or year 9999 the move can leave Python's range: SQLite's
    adapter then raises OverflowError, and PostgreSQL stores a date before
    year 1 that no query can read back."""

    def to_python(self, value):
        result = super().to_python(value)
        if result is not None:
            try:
                result.astimezone(datetime.UTC)
            except OverflowError:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        return result


ADDRESS_HELP = _("The end of the campaign's address: letters, numbers, hyphens and underscores.")


def _datetime_field(label, *, required: bool = False, help_text: str = "") -> forms.DateTimeField:
    # Entered and shown in the visitor's current time zone.
    return StorableDateTimeField(label=label, required=required, widget=DateTimeLocalInput(), help_text=help_text)


class CampaignForm(forms.Form):
    """A campaign's settings and schedule (for the idea box: settings only)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=80,
        required=False,
        help_text=format_lazy("{} {}", ADDRESS_HELP, _("Made from the title when empty.")),
        # site.js fills it in from the title as it is typed, until it is edited by hand.
        widget=forms.TextInput(attrs={"data-slug-from": "id_title"}),
    )
    theme = forms.CharField(
        label=_("Theme"),
        required=False,
        widget=forms.Textarea,
        help_text=_("What ideas are wanted, in Markdown."),
    )
    cover = forms.ImageField(
        label=_("Cover image"),
        required=False,
        help_text=_("An image (JPEG, PNG, GIF or WebP) of at most 5 MB."),
    )
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices, initial=Audience.PUBLIC)
    moderation = forms.ChoiceField(
        label=_("Moderation"), choices=Moderation.choices, initial=Moderation.POST, widget=forms.RadioSelect
    )
    allow_anonymous = forms.BooleanField(
        label=_("Allow anonymous ideas"),
        required=False,
        help_text=_("Authors may hide their name from the public; moderators still see it."),
    )
    votes_per_voter = forms.IntegerField(
        label=_("Votes per voter"),
        required=False,
        min_value=1,
        # The most a PositiveIntegerField holds on every database.
        max_value=2_147_483_647,
        help_text=_("Empty: no limit."),
    )
    hide_counts_while_voting = forms.BooleanField(label=_("Hide vote counts while voting is open"), required=False)
    shortlist_size = forms.IntegerField(label=_("Shortlist size"), min_value=1, max_value=1000, initial=10)
    review_days = forms.IntegerField(
        label=_("Days to answer an idea"),
        min_value=1,
        max_value=365,
        initial=14,
        help_text=_("Reviewers answer each idea within this many days."),
    )
    submission_opens = _datetime_field(_("Submission opens"))
    submission_closes = _datetime_field(_("Submission closes"))
    voting_opens = _datetime_field(_("Voting opens"))
    voting_closes = _datetime_field(_("Voting closes"))
    deliberation_ends = _datetime_field(_("Deliberation ends"))

    ABOUT = ("title", "slug", "theme", "cover", "audience")
    RULES = (
        "moderation",
        "allow_anonymous",
        "votes_per_voter",
        "hide_counts_while_voting",
        "shortlist_size",
        "review_days",
    )

    def __init__(self, *args, campaign: Campaign | None = None, **kwargs):
        self.campaign = campaign
        if campaign is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(campaign, name)
                for name in (*self.ABOUT, *self.RULES, *SCHEDULE_FIELDS)
                if name != "cover"
            }
        super().__init__(*args, **kwargs)
        if campaign is not None:
            # An existing campaign keeps the address its links use unless one is typed.
            slug = self.fields["slug"]
            slug.required = True
            slug.help_text = ADDRESS_HELP
            slug.widget.attrs.pop("data-slug-from", None)
            for name in campaign.locked_rules():
                if name in self.fields:
                    # Still sent (the service refuses a different value with
                    # a message beside it), but said up front.
                    self.fields[name].help_text = LOCKED_RULE_MESSAGE
        if campaign is not None and campaign.is_box:
            # The box is always internal and always open: no audience, no schedule.
            for name in ("audience", "hide_counts_while_voting", "shortlist_size", *SCHEDULE_FIELDS):
                del self.fields[name]
        else:
            del self.fields["review_days"]

    def clean_cover(self):
        cover = self.cleaned_data.get("cover")
        if cover and getattr(cover, "size", 0) > COVER_MAX_BYTES:
            raise forms.ValidationError(_("The cover image may be at most 5 MB."))
        return cover

    def fieldsets(self):
        """The bound fields in three groups, for the template's fieldsets."""

        def bound(names):
            return [self[name] for name in names if name in self.fields]

        return [
            (_("About the campaign"), bound(self.ABOUT)),
            (_("Rules"), bound(self.RULES)),
            (_("Schedule"), bound(SCHEDULE_FIELDS)),
        ]

    def changes(self) -> dict:
        """What the services take, from the cleaned data."""
        data = dict(self.cleaned_data)
        if data.get("cover") is None and self.campaign is not None:
            data.pop("cover", None)  # nothing uploaded: the cover stays
        return data


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Next phase"), choices=Phase.choices, widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=_("Yes, move this campaign now."),
        required=True,
        error_messages={"required": _("Tick the box to confirm the move.")},
    )


class ExtendForm(forms.Form):
    phase_end = _datetime_field(_("New deadline"), required=True)


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=100,
        required=False,
        help_text=_("Used in filters; made from the name when empty."),
    )


class RenameCategoryForm(forms.Form):
    category = forms.SlugField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("New name"), max_length=100)


class CategoryActionForm(forms.Form):
    """Delete or move one category."""

    category = forms.SlugField(widget=forms.HiddenInput)

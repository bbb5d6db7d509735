"""Forms of the idea pages: they check shapes; ideas/services.py checks the rules."""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, Category

from . import coauthorship, uploads
from .models import Idea

# Under the description and the comment fields: both are rendered by ideabox/markdown.py.
MARKDOWN_HELP = _("Markdown is allowed: **bold**, *italic*, lists, links.")


class IdeaForm(forms.Form):
    similar_ideas_after: str | None = None  # set by suggest_similar()
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or two sentences that say what the idea is."),
    )
    body = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=MARKDOWN_HELP,
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), to_field_name="slug", required=False
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separated by commas, up to 10."),
    )
    coauthors = forms.CharField(
        label=_("Co-authors"),
        required=False,
        max_length=500,
        help_text=_("Usernames, separated by commas. Each person is invited and becomes a co-author once they accept."),
    )
    anonymous = forms.BooleanField(
        label=_("Hide my name from the public"),
        required=False,
        help_text=_(
            "Only the idea's authors, the moderators and the administrators will see who wrote it: "
            "not the jury, the campaign managers or anyone else."
        ),
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        categories = campaign.categories.all()
        self.fields["category"].queryset = categories
        self.fields["category"].empty_label = _("No category")
        if not campaign.allow_anonymous:
            del self.fields["anonymous"]

    def suggest_similar(self, url: str, *, exclude_id: int | None = None) -> None:
        """While the title is typed, ask for similar ideas (htmx, debounced)."""
        attrs = {
            "hx-get": url,
            "hx-trigger": "keyup changed delay:400ms",
            "hx-target": "#similar-ideas",
            "hx-swap": "innerHTML",
            "autocomplete": "off",
            "aria-describedby": "similar-ideas",
        }
        if exclude_id is not None:
            attrs["hx-vals"] = f'{{"exclude": "{exclude_id}"}}'
        self.fields["title"].widget.attrs.update(attrs)
        # form_fields.html puts the hint's live region right after this field.
        self.similar_ideas_after = "title"

    @classmethod
    def initial_for(cls, idea: Idea) -> dict:
        return {
            "title": idea.title,
            "summary": idea.summary,
            "body": idea.body,
            "category": idea.category,
            "tags": ", ".join(tag.name for tag in idea.tags.all()),
            "coauthors": ", ".join(user.get_username() for user in coauthorship.named_people(idea)),
            "anonymous": idea.anonymous,
        }

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        arguments = {
            "title": data["title"],
            "summary": data["summary"],
            "body": data["body"],
            "category": data["category"],
            "tags": data["tags"],
            "coauthors": data["coauthors"],
        }
        if "anonymous" in self.fields:
            arguments["anonymous"] = data["anonymous"]
        return arguments


class AttachmentsForm(forms.Form):
    """The submit and edit pages' attachment slots: a file and what it shows
    (an image's alternative text), one slot per attachment the idea may
    still take. The service checks the files and that images are described."""

    ACCEPT = ",".join([".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf", *uploads.ALLOWED_TYPES])

    def __init__(self, *args, left: int = uploads.MAX_ATTACHMENTS, **kwargs):
        super().__init__(*args, **kwargs)
        self.left = max(left, 0)
        for number in self.numbers():
            self.fields[f"attachment_{number}"] = forms.FileField(
                label=_("File"), required=False, widget=forms.FileInput(attrs={"accept": self.ACCEPT})
            )
            self.fields[f"attachment_{number}_description"] = forms.CharField(
                label=_("Description (required for an image)"),
                required=False,
                max_length=uploads.MAX_DESCRIPTION_LENGTH,
                widget=forms.TextInput(attrs={"aria-describedby": "attachments-describe"}),
            )

    def numbers(self) -> range:
        return range(1, self.left + 1)

    def clean(self):
        data = super().clean()
        for number in self.numbers():
            if data.get(f"attachment_{number}_description") and not data.get(f"attachment_{number}"):
                self.add_error(f"attachment_{number}", _("Choose the file this description is for."))
        return data

    def limits(self) -> str:
        return _("Up to %(left)d images (PNG, JPEG, GIF, WebP) or PDF files, %(size)s each at most.") % {
            "left": self.left,
            "size": filesizeformat(uploads.max_bytes()),
        }

    def slots(self) -> list[tuple]:
        """(file, description) bound fields, slot by slot."""
        return [(self[f"attachment_{n}"], self[f"attachment_{n}_description"]) for n in self.numbers()]

    def shows_more(self) -> bool:
        """Whether the slots after the first start unfolded: something was sent in them, or refused."""
        return bool(self.errors) or any(
            self.data.get(f"attachment_{n}_description") or self.files.get(f"attachment_{n}")
            for n in self.numbers()
            if n > 1
        )

    def uploads(self) -> list[uploads.Upload]:
        data = self.cleaned_data
        return [
            uploads.Upload(
                data[f"attachment_{n}"],
                data[f"attachment_{n}_description"],
                field=f"attachment_{n}",
                description_field=f"attachment_{n}_description",
            )
            for n in self.numbers()
            if data.get(f"attachment_{n}")
        ]


class DescriptionForm(forms.Form):
    """An attachment's description, changed on the edit page."""

    description = forms.CharField(label=_("Description"), required=False, max_length=uploads.MAX_DESCRIPTION_LENGTH)


class SimilarForm(forms.Form):
    """The similar-ideas fragment's query: the title being typed (`q` or
    `title`) and, on the edit page, the idea itself (`exclude`)."""

    q = forms.CharField(required=False, strip=False)
    title = forms.CharField(required=False, strip=False)
    exclude = forms.IntegerField(required=False, min_value=1)

    def text(self) -> str:
        data = self.cleaned_data
        return data["q"] if "q" in self.data else data["title"]


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), help_text=MARKDOWN_HELP
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

"""The filters and sorts of a campaign's idea list, shared by the page and the API.

Query parameters: `search`, `category` (a slug), `tag`, `status`, `entity`
(an entity's id: the ideas from it and from the entities below it),
`ordering` (newest | most_supported | most_discussed | random).
"""

from django.utils.translation import gettext_lazy as _

import django_filters

from accounts import entities
from accounts.models import Entity
from campaigns.models import Campaign

from . import selectors
from .models import Status

ORDERING_CHOICES = [
    (selectors.NEWEST, _("Newest")),
    (selectors.MOST_SUPPORTED, _("Most supported")),
    (selectors.MOST_DISCUSSED, _("Most discussed")),
    (selectors.RANDOM, _("Random")),
]

LISTED_STATUSES = [(value, label) for value, label in Status.choices if value != Status.MERGED]


class IdeaFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search", label=_("Search"), max_length=selectors.SEARCH_MAX_LENGTH
    )
    category = django_filters.CharFilter(field_name="category__slug", label=_("Category"), max_length=100)
    tag = django_filters.CharFilter(method="filter_tag", label=_("Tag"), max_length=40)
    status = django_filters.ChoiceFilter(choices=LISTED_STATUSES, label=_("Status"))
    entity = django_filters.ModelChoiceFilter(queryset=Entity.objects.all(), method="filter_entity", label=_("Entity"))
    ordering = django_filters.ChoiceFilter(choices=ORDERING_CHOICES, method="keep", label=_("Sort by"))

    def __init__(self, data=None, queryset=None, *, campaign: Campaign, seed: int, default_ordering: str, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.campaign = campaign
        self.seed = seed
        self.default_ordering = default_ordering

    def filter_search(self, queryset, name, value):
        return selectors.search_ideas(queryset, value)

    def filter_tag(self, queryset, name, value):
        tag = value.strip().lower()
        return queryset.filter(tags__name=tag) if tag else queryset

    def filter_entity(self, queryset, name, value):
        # As the reader is shown each idea's entity: an anonymous idea is
        # found by its division only, unless they may see it whole.
        viewer = self.request.user if self.request is not None else None
        return queryset.from_entities(entities.descendant_ids(value), viewer)

    def keep(self, queryset, name, value):
        return queryset  # ordered last, in filter_queryset

    @property
    def narrows(self) -> bool:
        """Whether a filter (not the sort) was asked: an empty list then says
        nothing matches, rather than that the campaign has no idea."""
        if not self.is_bound:
            return False
        if not self.form.is_valid():
            return True
        return any(value for name, value in self.form.cleaned_data.items() if name != "ordering")

    @property
    def effective_ordering(self) -> str:
        """The order used, after the campaign's rules (no sort by hidden counts)."""
        asked = self.form.cleaned_data.get("ordering") if self.is_bound and self.form.is_valid() else None
        return selectors.effective_ordering(self.campaign, asked, self.default_ordering)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return selectors.order_ideas(queryset, self.effective_ordering, seed=self.seed)

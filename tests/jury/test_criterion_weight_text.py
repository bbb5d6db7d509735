"""A criterion's weight and description read as one translated message
(issue 10, item 7): the colon is the translation's, so French can write
"poids 2 : ..." with its space before the colon, instead of a colon the
template glued on ("poids 2: ...")."""

import re

from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext

import pytest

from campaigns.models import Phase
from jury.models import Criterion, Jury
from tests.factories import CampaignFactory
from tests.results.test_results_page import PAGE, published

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    # Only the markup's white space is folded: French's no-break spaces are the point.
    return re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def panel(campaign) -> str:
    return Template("{% load jury %}{% jury_panel campaign %}").render(Context({"campaign": campaign, "user": None}))


def jury_campaign():
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    Jury.objects.create(campaign=campaign)
    Criterion.objects.create(campaign=campaign, name="Innovation", weight=2, description="How new it is.")
    Criterion.objects.create(campaign=campaign, name="Feasibility", weight=3, position=1)
    return campaign


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_campaign_page_says_the_weight_and_description_in_one_message(language):
    campaign = jury_campaign()

    with translation.override(language):
        shown = text(panel(campaign))
        expected = gettext("weight %(weight)s: %(description)s") % {"weight": 2, "description": "How new it is."}
        alone = gettext("weight %(weight)s") % {"weight": 3}

    assert f"Innovation — {expected}" in shown
    assert f"Feasibility — {alone}" in shown
    if language == "en":
        assert "Innovation — weight 2: How new it is." in shown


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_results_page_says_the_weight_and_description_in_one_message(client, language):
    campaign = published()
    client.cookies["ideabox_language"] = language

    shown = text(client.get(PAGE.format(slug=campaign.slug)).content.decode())

    with translation.override(language):
        expected = gettext("weight ×%(weight)s: %(description)s") % {"weight": 2, "description": "How new it is."}
        alone = gettext("weight ×%(weight)s") % {"weight": 1}
    assert f"Innovation — {expected}" in shown
    assert f"Feasibility — {alone}" in shown


def test_a_description_is_escaped_inside_the_message():
    campaign = jury_campaign()
    Criterion.objects.filter(name="Innovation").update(description="<b>bold</b> & co")

    with translation.override("en"):
        html = panel(campaign)

    assert "<b>bold</b>" not in html
    assert "weight 2: &lt;b&gt;bold&lt;/b&gt; &amp; co" in html

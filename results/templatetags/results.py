"""`{% results_link campaign %}`: a link to a campaign's published results.

For the campaign page and navigation: it renders nothing until the results
are published, and runs no query for a campaign that has not left
deliberation (results are published only after).
"""

from django import template
from django.template.loader import render_to_string

from jury.models import Jury
from results.services import PUBLISHED_PHASES

register = template.Library()


@register.simple_tag
def results_link(campaign) -> str:
    if campaign.is_box or campaign.phase not in PUBLISHED_PHASES:
        return ""
    if not Jury.objects.filter(campaign=campaign, published_at__isnull=False).exists():
        return ""
    return render_to_string("results/_link.html", {"campaign": campaign})

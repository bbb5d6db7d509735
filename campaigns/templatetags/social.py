from django import template
from django.conf import settings

from campaigns import preview

register = template.Library()


@register.inclusion_tag("campaigns/_social_meta.html")
def social_meta(campaign):
    """`{% social_meta campaign %}` in the page's head: what other sites show
    beside a link to it (Open Graph, Twitter card). An image only for a
    campaign the anonymous public may see (campaigns/preview.py)."""
    public = preview.public_campaigns().filter(pk=campaign.pk).exists()
    return {
        "site_name": settings.SITE_NAME,
        "title": campaign.title,
        "description": preview.description(campaign),
        "url": preview.page_url(campaign),
        "image": preview.image_url(campaign) if public else "",
        "width": preview.WIDTH,
        "height": preview.HEIGHT,
    }

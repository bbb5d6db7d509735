from django import template

from campaigns.models import CampaignFollower

register = template.Library()


@register.simple_tag(takes_context=True)
def is_following(context, campaign) -> bool:
    """`{% is_following campaign as following %}`: whether the current user follows it."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return False
    return CampaignFollower.objects.filter(campaign=campaign, user=user).exists()

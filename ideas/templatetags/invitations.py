"""The navigation's notice of invitations to co-author:

{% load invitations %}
{% pending_invitations as count %}{% if count %}…{{ count }}…{% endif %}
"""

from django import template

from ideas import coauthorship

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_invitations(context) -> int:
    """How many invitations wait for the signed-in person's answer (one
    query; none for a visitor)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return coauthorship.pending_count(user)

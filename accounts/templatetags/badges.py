"""The role badge shown beside a person's name, from their real role.

    {% load badges %}
    {{ person.public_name }}{% role_badge person %}
    {% commenter idea comment %}{% role_badge comment.author beside=idea %}

A display name is whatever someone typed; the badge says who is staff
(administrator, moderator, campaign manager: accounts.roles.staff_members),
in words, not colour alone. The staff are read once per request, however
many names the page shows. With `beside=idea`, no badge where the idea does
not show that person's name to this reader (an anonymous idea's author
writing a comment): a badge there would tell who wrote it.
"""

from django import template
from django.utils.html import format_html_join

from accounts import roles

register = template.Library()

_CACHE_ATTR = "_ideabox_staff_members"


def _staff(context) -> dict:
    request = context.get("request")
    if request is None:
        return roles.staff_members()
    staff = getattr(request, _CACHE_ATTR, None)
    if staff is None:
        staff = roles.staff_members()
        setattr(request, _CACHE_ATTR, staff)
    return staff


@register.simple_tag(takes_context=True)
def role_badge(context, person, beside=None) -> str:
    if person is None or getattr(person, "pk", None) is None:
        return ""
    member = _staff(context).get(person.pk)
    if member is None:
        return ""
    if beside is not None and not beside.shows_name_of(person, context.get("user")):
        return ""
    return format_html_join(
        "",
        ' <span class="role-badge role-{}">{}</span>',
        ((role, roles.ROLE_LABELS[role]) for role in member.roles),
    )


@register.filter
def role_label(role: str) -> str:
    """What a role (accounts.roles) is called: {{ role|role_label }}."""
    return roles.ROLE_LABELS.get(role, role)

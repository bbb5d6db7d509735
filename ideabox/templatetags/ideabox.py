from django import template
from django.utils.safestring import mark_safe

from ideabox import markdown as md

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """`{{ idea.body|markdown }}`: sanitised HTML from what someone wrote."""
    return mark_safe(md.render(text))  # nh3 has sanitised it

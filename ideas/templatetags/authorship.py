"""Who wrote an idea, as the reader may learn it: every template asks
Idea.author_visible_to (the one rule, ideas/models.py) through these.

    {% load authorship %}
    {% if idea|author_visible_to:user %}…{% endif %}
    {% commenter idea comment as name %}{{ name }}
    {% with entity=idea|entity_shown_to:user %}…{% endwith %}
"""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def author_visible_to(idea, viewer) -> bool:
    """Whether `viewer` (the template's `user`) may learn who wrote `idea`."""
    return idea.author_visible_to(viewer)


@register.filter
def entity_shown_to(idea, viewer):
    """The entity `viewer` is shown `idea` came from (Idea.entity_shown_to), or None."""
    return idea.entity_shown_to(viewer)


@register.simple_tag(takes_context=True)
def commenter(context, idea, comment) -> str:
    """How a comment on `idea` names its writer to this reader: one of the
    authors of an anonymous idea is "the idea's author" to whoever may not
    learn who wrote it (naming them would undo their anonymity)."""
    if comment.author is None:
        return _("Deleted account")
    if not idea.shows_name_of(comment.author, context.get("user")):
        return _("The idea's author")
    return comment.author.public_name

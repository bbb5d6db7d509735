"""How the API names a person, for every app above: `{username, display_name}`."""

from rest_framework import serializers


class PersonSerializer(serializers.Serializer):
    """A person: their username and the name they show (their display name,
    or their username when they gave none)."""

    # Renders a user. Whether the caller may learn who it is is asked before
    # (Idea.author_visible_to, Idea.shows_name_of): this only says how.

    username = serializers.CharField(source="get_username")
    display_name = serializers.CharField(source="public_name")

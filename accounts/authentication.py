"""API token authentication (`Authorization: Token <key>`), as DRF's, with the
token and its user read in one plain query.

Every API call by a script or the vote benchmark's voters authenticates this
way; DRF's `Token.objects.select_related("user").get(key=...)` spent about
0.4 ms of a worker's time compiling and building, twice this lookup's. Same
answers: 401 "Invalid token." or "User inactive or deleted.".
"""

from django.utils.translation import gettext_lazy as _

from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from .models import User


def _lookup_sql() -> str:
    users, tokens = User._meta.db_table, Token._meta.db_table
    return f'SELECT u.* FROM "{users}" u JOIN "{tokens}" t ON t.user_id = u.id WHERE t.key = %s'


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key: str):
        user = next(iter(User.objects.raw(_lookup_sql(), [key])), None)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = Token(key=key, user=user)
        return user, token

"""API token authentication (`Authorization: Token <key>`), as DRF's, with the
token, its user, the user's verified addresses and last company sign-in read in one plain query.

Every API call by a script, and every vote of the vote benchmark's voters,
authenticates this way: DRF's `Token.objects.select_related("user").get()`
spent about 0.4 ms of a worker's time compiling and building, several times
the lookup's own cost, and the roles then asked the database again for the
verified addresses. Same answers: 401 "Invalid token." or "User inactive or
deleted.".
"""

import functools

from django.db import connection
from django.utils.translation import gettext_lazy as _

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from . import roles
from .models import User

_FIELDS = [field.attname for field in User._meta.concrete_fields]


@functools.cache
def _lookup_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(f"u.{quote(User._meta.get_field(name).column)}" for name in _FIELDS)
    users, tokens = quote(User._meta.db_table), quote(Token._meta.db_table)
    if vendor == "postgresql":
        addresses = quote(EmailAddress._meta.db_table)
        accounts = quote(SocialAccount._meta.db_table)
        columns += f", ARRAY(SELECT e.email FROM {addresses} e WHERE e.user_id = u.id AND e.verified)"
        columns += f", (SELECT MAX(s.last_login) FROM {accounts} s WHERE s.user_id = u.id)"
    return f"SELECT {columns} FROM {users} u JOIN {tokens} t ON t.user_id = u.id WHERE t.key = %s"


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key: str):
        with connection.cursor() as cursor:
            cursor.execute(_lookup_sql(connection.vendor), [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        # On PostgreSQL the driver returns each value as its field holds it.
        if connection.vendor == "postgresql":
            user = User.from_db(connection.alias, _FIELDS, row[: len(_FIELDS)])
            roles.remember_verified_addresses(user, row[len(_FIELDS)], row[len(_FIELDS) + 1])
        else:
            user = User.objects.get(pk=row[_FIELDS.index("id")])
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, Token(key=key, user=user)

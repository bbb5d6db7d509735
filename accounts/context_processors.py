from django.utils.functional import SimpleLazyObject

from . import roles as roles_module


def roles(request):
    """`roles` in every template: the current user's site-wide roles, computed on first use."""
    return {"roles": SimpleLazyObject(lambda: roles_module.roles_of(request.user))}

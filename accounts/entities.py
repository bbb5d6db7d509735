"""The company's entities (company > division > department): every write to
them and to a person's entity, and the reads others ask.

Sign-in (accounts.adapter) calls place_from_claim; the admin, the API and
`manage.py import_entities` call the other services, which audit each change.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from .models import AuditAction, Entity, EntityKind, User
from .services import audit

logger = logging.getLogger(__name__)

CODE_MAX = Entity._meta.get_field("code").max_length
NAME_MAX = Entity._meta.get_field("name").max_length


# --- sign-in --------------------------------------------------------------------------


def place_from_claim(user: User, value: str) -> None:
    """Put `user` in the entity the company sign-in's claim names, at every sign-in.

    The claim is matched to an entity's code first, then to its name (case
    apart, when only one entity has it). A value nobody knows becomes a new
    department of that name, without a parent: an administrator places it
    later (the admin lists unplaced entities). A blank claim changes nothing.
    Two first sign-ins naming the same new department at once make one row.
    """
    value = " ".join((value or "").split())
    if not value:
        return
    entity = _entity_for_claim(value)
    if entity is None or user.entity_id == entity.pk:
        return
    user.entity = entity
    if user.pk is not None:
        with transaction.atomic():
            user.save(update_fields=["entity"])
            audit(
                actor=None,
                action=AuditAction.PERSON_ENTITY,
                obj=user,
                detail={"entity": entity.pk, "source": "sign-in"},
            )


def _entity_for_claim(value: str) -> Entity | None:
    for _attempt in range(5):
        found = _find(value)
        if found is _AMBIGUOUS:
            logger.warning("entity claim %r names several entities; the person's entity is left as it was", value)
            return None
        if found is not None:
            return found
        code = _free_code(value)
        if code is None:
            continue  # created meanwhile
        try:
            with transaction.atomic():
                entity = Entity.objects.create(code=code, name=value[:NAME_MAX], kind=EntityKind.DEPARTMENT)
                audit(actor=None, action=AuditAction.ENTITY_CREATE, obj=entity, detail={"source": "sign-in"})
            return entity
        except IntegrityError:
            # A concurrent sign-in created it (or took the code) meanwhile: look again.
            continue
    return None


_AMBIGUOUS = object()


def _find(value: str):
    """The entity whose code is `value`, else the only one named so; None, or
    _AMBIGUOUS when several have that name."""
    by_code = Entity.objects.filter(code=value).first()
    if by_code is not None:
        return by_code
    named = list(Entity.objects.filter(name__iexact=value[:NAME_MAX])[:2])
    if len(named) > 1:
        return _AMBIGUOUS
    return named[0] if named else None


def _free_code(name: str) -> str | None:
    """A code for a new entity named `name`: its slug, numbered when taken;
    None when an entity of that name appeared since the lookup.

    The codes and names are read in one statement, so a concurrent sign-in's
    new entity is either seen here (by its name) or not yet committed, and
    then the insert of the same code waits for it and fails: never a second
    entity of the same name under another number.
    """
    base = slugify(name)[: CODE_MAX - 4].strip("-_") or "entity"
    taken = dict(Entity.objects.filter(code__startswith=base).values_list("code", "name"))
    wanted = name[:NAME_MAX].casefold()
    if any(other.casefold() == wanted for other in taken.values()):
        return None
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"

"""The company's entities (company > division > department): every write to
them and to a person's entity, and the reads others ask.

Sign-in (accounts.adapter) calls place_from_claim; the admin, the API and
`manage.py import_entities` call the other services, which audit each change.
"""

import csv
import io
import logging
import re

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ideabox.exceptions import DomainError

from .models import ENTITY_CODE_PATTERN, ENTITY_CODE_RULE, AuditAction, Entity, EntityKind, User
from .services import audit

logger = logging.getLogger(__name__)

CODE_MAX = Entity._meta.get_field("code").max_length
NAME_MAX = Entity._meta.get_field("name").max_length
HEADCOUNT_MAX = 2_147_483_647  # PositiveIntegerField's bound on every database
CODE_PATTERN = re.compile(ENTITY_CODE_PATTERN)

# Which kinds an entity of each kind may hang under; a company under nothing.
# Kinds only go down the tree, so a parent of the right kind can never be a
# descendant: the rule refuses cycles too.
PARENT_KINDS = {
    EntityKind.COMPANY: (),
    EntityKind.DIVISION: (EntityKind.COMPANY,),
    EntityKind.DEPARTMENT: (EntityKind.DIVISION, EntityKind.COMPANY),
}


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


# --- reads ----------------------------------------------------------------------------


def tree() -> list[Entity]:
    """Every entity, each after its parent (and its siblings by name), in one
    query; each one's `path` is preloaded."""
    entities = Entity.objects.select_related("parent__parent")
    return sorted(entities, key=lambda entity: [(node.name.casefold(), node.pk) for node in entity.path])


def descendant_ids(entity: Entity) -> list[int]:
    """The ids of `entity` and of every entity below it (the tree is three deep)."""
    below = Q(pk=entity.pk) | Q(parent=entity.pk) | Q(parent__parent=entity.pk)
    return list(Entity.objects.filter(below).values_list("pk", flat=True))


def entity_of(user) -> Entity | None:
    """The person's entity with its path preloaded, or None."""
    if not getattr(user, "entity_id", None):
        return None
    return Entity.objects.select_related("parent__parent").filter(pk=user.entity_id).first()


def division_of(entity: Entity | None) -> Entity | None:
    """The division `entity` is (in), if any."""
    return entity.division if entity is not None else None


def unplaced() -> Q:
    """The entities an administrator still has to place: no parent, not a company."""
    return Q(parent__isnull=True) & ~Q(kind=EntityKind.COMPANY)


# --- the administrators' writes -------------------------------------------------------

_UNCHANGED = object()
FIELDS = ("name", "code", "kind", "parent", "headcount")


def problems(entity: Entity) -> dict[str, list[str]]:
    """What is wrong with `entity` as it would be saved, by field (empty: nothing).
    The services refuse with these; the admin's form shows them."""
    errors: dict[str, list[str]] = {}
    if not entity.name:
        errors["name"] = [_("An entity needs a name.")]
    elif len(entity.name) > NAME_MAX:
        errors["name"] = [_("At most %(max)d characters.") % {"max": NAME_MAX}]
    if not entity.code:
        errors["code"] = [_("An entity needs a code.")]
    elif len(entity.code) > CODE_MAX:
        errors["code"] = [_("At most %(max)d characters.") % {"max": CODE_MAX}]
    elif not CODE_PATTERN.fullmatch(entity.code):
        errors["code"] = [str(ENTITY_CODE_RULE)]
    elif Entity.objects.filter(code=entity.code).exclude(pk=entity.pk).exists():
        errors["code"] = [_("Another entity has this code.")]
    if entity.kind not in EntityKind.values:
        errors["kind"] = [_("The kind is company, division or department.")]
    elif _below_itself(entity):
        errors["parent"] = [_("An entity cannot be below itself.")]
    elif (problem := _parent_problem(entity.kind, entity.parent)) is not None:
        errors["parent"] = [problem]
    elif entity.pk is not None and (problem := _children_problem(entity)) is not None:
        errors["kind"] = [problem]
    if entity.headcount is not None and not 0 <= entity.headcount <= HEADCOUNT_MAX:
        errors["headcount"] = [_("The headcount is a whole number from 0 to %(max)d.") % {"max": HEADCOUNT_MAX}]
    return errors


def _parent_problem(kind: str, parent: Entity | None) -> str | None:
    allowed = PARENT_KINDS[kind]
    if parent is None:
        return None
    if not allowed:
        return _("A company is at the top: it has no parent.")
    if parent.kind not in allowed:
        if kind == EntityKind.DIVISION:
            return _("A division belongs to a company.")
        return _("A department belongs to a division or a company.")
    return None


def _below_itself(entity: Entity) -> bool:
    return (
        entity.pk is not None
        and entity.parent is not None
        and entity.pk in {node.pk for node in _ancestry(entity.parent)}
    )


def _children_problem(entity: Entity) -> str | None:
    kinds = set(Entity.objects.filter(parent=entity.pk).values_list("kind", flat=True))
    if any(entity.kind not in PARENT_KINDS[kind] for kind in kinds):
        return _("Entities below this one could no longer belong to it: move them first.")
    return None


def _save(entity: Entity, **kwargs) -> None:
    if errors := problems(entity):
        raise DomainError("invalid", _("Some fields are not valid."), fields=errors)
    try:
        with transaction.atomic():
            entity.save(**kwargs)
    except IntegrityError as error:  # a concurrent write took the code
        raise DomainError(
            "invalid", _("Some fields are not valid."), fields={"code": [_("Another entity has this code.")]}
        ) from error


@transaction.atomic
def create_entity(
    *, actor, name: str, code: str, kind: str, parent: Entity | None = None, headcount: int | None = None
) -> Entity:
    entity = Entity(name=" ".join(name.split()), code=code.strip(), kind=kind, parent=parent, headcount=headcount)
    _save(entity, force_insert=True)
    audit(actor=actor, action=AuditAction.ENTITY_CREATE, obj=entity)
    return entity


@transaction.atomic
def update_entity(
    *,
    actor,
    entity: Entity,
    name=_UNCHANGED,
    code=_UNCHANGED,
    kind=_UNCHANGED,
    parent=_UNCHANGED,
    headcount=_UNCHANGED,
) -> Entity:
    """Change what is given; refused (`invalid`, by field) when the tree would
    break its rules: a parent of the wrong kind, a kind its children or its
    parent cannot have, or the entity under itself."""
    entity = Entity.objects.select_for_update().filter(pk=entity.pk).first()
    if entity is None:
        raise DomainError("not_found")
    given = {"name": name, "code": code, "kind": kind, "parent": parent, "headcount": headcount}
    if isinstance(name, str):
        given["name"] = " ".join(name.split())
    if isinstance(code, str):
        given["code"] = code.strip()
    changed = [
        field
        for field, value in given.items()
        if value is not _UNCHANGED and getattr(entity, field if field != "parent" else "parent_id") != _raw(value)
    ]
    if not changed:
        return entity
    for field in changed:
        setattr(entity, field, given[field])
    _save(entity, update_fields=[*changed, "updated_at"])
    audit(
        actor=actor,
        action=AuditAction.ENTITY_UPDATE,
        obj=entity,
        detail={"changed": changed, **({"parent": entity.parent_id} if "parent" in changed else {})},
    )
    return entity


def _raw(value):
    return value.pk if isinstance(value, Entity) else value


def _ancestry(entity: Entity) -> list[Entity]:
    """`entity` and the entities above it, read from the database (bounded, should a cycle exist)."""
    chain = [entity]
    while chain[-1].parent_id is not None and len(chain) < 8:
        chain.append(Entity.objects.get(pk=chain[-1].parent_id))
    return chain


@transaction.atomic
def delete_entity(*, actor, entity: Entity) -> None:
    """Delete an entity nothing refers to (`entity_in_use` otherwise: entities
    below it, members, ideas)."""
    entity = Entity.objects.select_for_update().filter(pk=entity.pk).first()
    if entity is None:
        return
    in_use = _("This entity still has entities below it, members or ideas: move them elsewhere first.")
    if entity.children.exists() or entity.members.exists():
        raise DomainError("entity_in_use", in_use)
    # Recorded first, while the entity has its id; undone with it if refused.
    audit(actor=actor, action=AuditAction.ENTITY_DELETE, obj=entity, detail={"code": entity.code})
    try:
        with transaction.atomic():
            entity.delete()
    except ProtectedError as error:  # the ideas that came from it, or anything else kept by it
        raise DomainError("entity_in_use", in_use) from error


@transaction.atomic
def set_person_entity(*, actor, user: User, entity: Entity | None) -> None:
    """Put `user` in `entity` (None: in none), as an administrator does."""
    previous = User.objects.select_for_update().filter(pk=user.pk).values_list("entity_id", flat=True).first()
    new = entity.pk if entity is not None else None
    user.entity = entity
    if previous == new:
        return
    User.objects.filter(pk=user.pk).update(entity=new)
    audit(actor=actor, action=AuditAction.PERSON_ENTITY, obj=user, detail={"entity": new, "previous": previous})


# --- the CSV import ---------------------------------------------------------------------

COLUMNS = ("code", "name", "kind", "parent_code", "headcount")
REQUIRED_COLUMNS = ("code", "name", "kind")
RANK = {EntityKind.COMPANY: 0, EntityKind.DIVISION: 1, EntityKind.DEPARTMENT: 2}


class CsvRefused(DomainError):
    """`invalid_csv`: nothing was imported; `errors` lists each bad line
    as {"line": number (1 is the header), "detail": what is wrong}."""

    def __init__(self, errors: list[dict]):
        lines = len({error["line"] for error in errors})
        super().__init__(
            "invalid_csv",
            ngettext(
                "The file was not imported: %(count)d line to correct.",
                "The file was not imported: %(count)d lines to correct.",
                lines,
            )
            % {"count": lines},
        )
        self.errors = errors


def import_csv(*, text: str, actor) -> dict[str, int]:
    """Create or update the entities a CSV lists: columns code, name, kind,
    parent_code, headcount (a header first; `,` or `;`). A parent may come
    after its children. All or nothing: any bad line refuses the whole file
    (CsvRefused, every bad line named). Entities the file does not list stay
    as they are. The same file twice changes nothing the second time.
    Returns the counts {"created", "updated", "unchanged"}."""
    rows, errors = _read_csv(text)
    existing = {entity.code: entity for entity in Entity.objects.select_related("parent")}
    for row in rows:
        _keep_what_is_left_out(row, existing.get(row["code"]))
    errors += _tree_errors(rows, existing)
    if errors:
        raise CsvRefused(sorted(errors, key=lambda error: error["line"]))
    with transaction.atomic():
        counts = _apply(rows, existing)
        audit(actor=actor, action=AuditAction.ENTITY_IMPORT, detail=counts)
    return counts


def _keep_what_is_left_out(row: dict, entity: Entity | None) -> None:
    """A column the file leaves out (parent_code, headcount) keeps what an
    existing entity has."""
    if "parent_code" not in row:
        row["parent_code"] = entity.parent.code if entity is not None and entity.parent is not None else ""
    if "headcount" not in row:
        row["headcount"] = entity.headcount if entity is not None else None


def _line_error(line: int, message: str) -> dict:
    return {"line": line, "detail": message}


def _read_csv(text: str) -> tuple[list[dict], list[dict]]:
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [column.strip().lower() for column in next(reader)]
    except StopIteration:
        return [], [_line_error(1, _("The file is empty: its first line names the columns."))]
    except csv.Error as error:
        return [], [_line_error(1, _("This line cannot be read: %(error)s") % {"error": error})]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    unknown = [column for column in header if column not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        expected = ", ".join(COLUMNS)
        return [], [_line_error(1, _("The first line names the columns: %(columns)s.") % {"columns": expected})]

    rows: list[dict] = []
    errors: list[dict] = []
    seen: dict[str, int] = {}
    line = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append(_line_error(reader.line_num, _("This line cannot be read: %(error)s") % {"error": error}))
            break
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            errors.append(
                _line_error(
                    line,
                    _("%(found)d values for %(expected)d columns.") % {"found": len(values), "expected": len(header)},
                )
            )
            continue
        row = {column: " ".join(value.split()) for column, value in zip(header, values, strict=True)}
        row["line"] = line
        problems = _row_problems(row)
        if row["code"] and row["code"] in seen:
            problems.append(
                _("The code %(code)s is already on line %(line)d.") % {"code": row["code"], "line": seen[row["code"]]}
            )
        seen.setdefault(row["code"], line)
        if problems:
            errors.extend(_line_error(line, problem) for problem in problems)
        else:
            rows.append(row)
    return rows, errors


def _row_problems(row: dict) -> list[str]:
    """What is wrong with one line on its own; normalises kind and headcount."""
    problems = []
    code = row["code"]
    if not code:
        problems.append(_("The code is missing."))
    elif len(code) > CODE_MAX or not CODE_PATTERN.fullmatch(code):
        problems.append(
            _("The code %(code)s is not valid: at most %(max)d letters, digits and - _ . /.")
            % {"code": code, "max": CODE_MAX}
        )
    if not row["name"]:
        problems.append(_("The name is missing."))
    elif len(row["name"]) > NAME_MAX:
        problems.append(_("The name is longer than %(max)d characters.") % {"max": NAME_MAX})
    row["kind"] = row["kind"].lower()
    if row["kind"] not in EntityKind.values:
        problems.append(_("The kind is company, division or department, not %(kind)s.") % {"kind": row["kind"] or "–"})
    if "headcount" in row:
        headcount = row["headcount"].replace(" ", "")
        if not headcount:
            row["headcount"] = None
        elif headcount.isdigit() and headcount.isascii() and int(headcount) <= HEADCOUNT_MAX:
            row["headcount"] = int(headcount)
        else:
            problems.append(_("The headcount is a whole number, not %(value)s.") % {"value": row["headcount"]})
    if row.get("parent_code") == code and code:
        problems.append(_("An entity cannot be its own parent."))
    return problems


def _tree_errors(rows: list[dict], existing: dict[str, Entity]) -> list[dict]:
    """The lines that would break the tree's rules once the file is applied:
    parents unknown or of the wrong kind, and entities not in the file left
    under a parent the file changes into a kind they cannot belong to."""
    kind_of = {code: entity.kind for code, entity in existing.items()}
    kind_of.update({row["code"]: row["kind"] for row in rows})
    errors = []
    for row in rows:
        parent = row["parent_code"]
        if not parent:
            continue
        if parent not in kind_of:
            errors.append(
                _line_error(row["line"], _("The parent %(code)s is neither in the file nor known.") % {"code": parent})
            )
        elif (problem := _kind_problem(row["kind"], kind_of[parent])) is not None:
            errors.append(_line_error(row["line"], problem))
    listed = {row["code"]: row for row in rows}
    codes_by_pk = {entity.pk: code for code, entity in existing.items()}
    for code, entity in existing.items():
        parent_code = codes_by_pk.get(entity.parent_id)
        if code in listed or parent_code not in listed:
            continue
        if _kind_problem(entity.kind, listed[parent_code]["kind"]) is not None:
            errors.append(
                _line_error(
                    listed[parent_code]["line"],
                    _("%(code)s, not in the file, is below this entity and could not stay there as a %(kind)s.")
                    % {"code": code, "kind": EntityKind(entity.kind).label},
                )
            )
    return errors


def _kind_problem(kind: str, parent_kind: str) -> str | None:
    if parent_kind in PARENT_KINDS[kind]:
        return None
    return _parent_problem(kind, Entity(kind=parent_kind))


def _apply(rows: list[dict], existing: dict[str, Entity]) -> dict[str, int]:
    """Write the checked rows, parents before children (kinds go down the tree)."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    entities = dict(existing)
    for row in sorted(rows, key=lambda row: RANK[row["kind"]]):
        parent = entities[row["parent_code"]] if row["parent_code"] else None
        wanted = {
            "name": row["name"],
            "kind": row["kind"],
            "parent_id": parent.pk if parent else None,
            "headcount": row["headcount"],
        }
        entity = entities.get(row["code"])
        if entity is None:
            entities[row["code"]] = Entity.objects.create(code=row["code"], **wanted)
            counts["created"] += 1
        elif all(getattr(entity, field) == value for field, value in wanted.items()):
            counts["unchanged"] += 1
        else:
            for field, value in wanted.items():
                setattr(entity, field, value)
            entity.save(update_fields=[*(field.removesuffix("_id") for field in wanted), "updated_at"])
            counts["updated"] += 1
    return counts

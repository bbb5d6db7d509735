"""The CSV import of entities (accounts.entities.import_csv) and
`manage.py import_entities`."""

from django.core.management import CommandError, call_command

import pytest

from accounts import entities
from accounts.models import AuditAction, AuditEvent, Entity
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EXAMPLE = """code,name,kind,parent_code,headcount
sales-retail,Retail,department,sales,1200
acme,Acme,company,,170000
sales,Sales,division,acme,
hq-legal,Legal,department,acme,45
"""


@pytest.fixture
def admin():
    return UserFactory(is_superuser=True, is_staff=True)


def shape() -> dict:
    return {
        e.code: (e.name, e.kind, e.parent.code if e.parent else None, e.headcount)
        for e in Entity.objects.select_related("parent")
    }


def refusal(text: str, admin) -> list[dict]:
    with pytest.raises(entities.CsvRefused) as refused:
        entities.import_csv(text=text, actor=admin)
    assert refused.value.code == "invalid_csv"
    return refused.value.errors


def test_a_file_creates_the_tree_with_parents_listed_after_children(admin):
    assert entities.import_csv(text=EXAMPLE, actor=admin) == {"created": 4, "updated": 0, "unchanged": 0}
    assert shape() == {
        "acme": ("Acme", "company", None, 170000),
        "sales": ("Sales", "division", "acme", None),
        "sales-retail": ("Retail", "department", "sales", 1200),
        "hq-legal": ("Legal", "department", "acme", 45),
    }
    event = AuditEvent.objects.get(action=AuditAction.ENTITY_IMPORT)
    assert (event.actor_id, event.detail) == (admin.pk, {"created": 4, "updated": 0, "unchanged": 0})


def test_the_same_file_twice_changes_nothing_the_second_time(admin):
    entities.import_csv(text=EXAMPLE, actor=admin)
    before = {e.code: e.updated_at for e in Entity.objects.all()}
    assert entities.import_csv(text=EXAMPLE, actor=admin) == {"created": 0, "updated": 0, "unchanged": 4}
    assert {e.code: e.updated_at for e in Entity.objects.all()} == before


def test_a_later_file_updates_and_leaves_the_unlisted_alone(admin):
    entities.import_csv(text=EXAMPLE, actor=admin)
    later = "code,name,kind,parent_code,headcount\nsales-retail,Retail stores,department,acme,1300\nnew,New,division,acme,3\n"
    assert entities.import_csv(text=later, actor=admin) == {"created": 1, "updated": 1, "unchanged": 0}
    assert shape()["sales-retail"] == ("Retail stores", "department", "acme", 1300)
    assert shape()["hq-legal"] == ("Legal", "department", "acme", 45)


def test_a_semicolon_file_with_a_bom_and_crlf_from_a_spreadsheet(admin):
    text = "\ufeffCode;Name;Kind;Parent_code;Headcount\r\nacme;Acme, Inc.;Company;;1 200\r\n\r\nrd;R&D;department;acme;7\r\n"
    assert entities.import_csv(text=text, actor=admin) == {"created": 2, "updated": 0, "unchanged": 0}
    assert shape() == {"acme": ("Acme, Inc.", "company", None, 1200), "rd": ("R&D", "department", "acme", 7)}


def test_the_optional_columns_may_be_left_out(admin):
    assert entities.import_csv(text="name,code,kind\nAcme,acme,company\n", actor=admin)["created"] == 1


def test_every_bad_line_is_named_and_nothing_is_imported(admin):
    text = "\n".join(
        [
            "code,name,kind,parent_code,headcount",
            "acme,Acme,company,,10",  # 2: good
            ",No code,department,acme,",  # 3
            "bad code,Spaces,department,acme,",  # 4
            "x,,department,acme,",  # 5: no name
            "y,Y,team,acme,",  # 6: kind
            "z,Z,department,acme,many",  # 7: headcount
            "acme,Again,company,,",  # 8: duplicate code
            "w,W,department,nowhere,",  # 9: unknown parent
            "v,V,division,w2,",  # 10: parent of the wrong kind
            "w2,W2,department,acme,",  # 11: good
            "u,U,company,acme,",  # 12: company with a parent
            "t,T,department",  # 13: too few values
            "s,S,department,s,",  # 14: its own parent
        ]
    )
    errors = refusal(text, admin)
    assert [error["line"] for error in errors] == [3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14]
    assert errors[5]["detail"] == "The code acme is already on line 2."
    assert errors[6]["detail"] == "The parent nowhere is neither in the file nor known."
    assert errors[7]["detail"] == "A division belongs to a company."
    assert errors[8]["detail"] == "A company is at the top: it has no parent."
    assert not Entity.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_errors_are_in_the_callers_language(admin):
    from django.utils import translation

    with translation.override("fr"):
        errors = refusal("code,name,kind\nacme,Acme,company\nacme,Acme,company\n", admin)
    assert errors == [{"line": 3, "detail": errors[0]["detail"]}]
    # French once the lead has translated it; never a crash meanwhile.
    assert "acme" in errors[0]["detail"]


@pytest.mark.parametrize(
    "text",
    ["", "\ufeff", "code;name\nacme;Acme\n", "code,name,kind,colour\n", "code,name,kind,code\n"],
)
def test_a_file_without_the_right_header_is_refused_on_line_1(admin, text):
    errors = refusal(text, admin)
    assert [error["line"] for error in errors] == [1]


def test_a_line_with_an_unclosed_quote_is_named(admin):
    errors = refusal('code,name,kind\nacme,"Acme,company\n', admin)
    assert errors and errors[0]["line"] >= 2


def test_a_file_that_would_strand_an_unlisted_entity_is_refused(admin):
    entities.import_csv(text=EXAMPLE, actor=admin)
    # Sales becomes a department: Retail (not in the file) could not stay below it.
    errors = refusal("code,name,kind,parent_code\nsales,Sales,department,acme\n", admin)
    assert errors == [
        {
            "line": 2,
            "detail": "sales-retail, not in the file, is below this entity and could not stay there as a department.",
        }
    ]


def test_a_file_may_reshape_the_tree_in_one_go(admin):
    entities.import_csv(text=EXAMPLE, actor=admin)
    # Acme becomes a division of a new holding company, listed after it.
    text = "code,name,kind,parent_code\nacme,Acme,division,holding\nholding,Holding,company,\nsales,Sales,department,acme\nsales-retail,Retail,department,acme\n"
    assert entities.import_csv(text=text, actor=admin) == {"created": 1, "updated": 3, "unchanged": 0}
    assert shape()["acme"] == ("Acme", "division", "holding", 170000)  # no headcount column: kept
    assert shape()["sales"] == ("Sales", "department", "acme", None)


# --- the command ------------------------------------------------------------------------


def test_the_command_imports_a_file_and_prints_the_counts(tmp_path, capsys):
    path = tmp_path / "entities.csv"
    path.write_text(EXAMPLE, encoding="utf-8")
    call_command("import_entities", str(path))
    assert "4 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert Entity.objects.count() == 4


def test_the_command_lists_the_bad_lines_and_fails(tmp_path, capsys):
    path = tmp_path / "entities.csv"
    path.write_text("code,name,kind\nacme,Acme,team\n", encoding="utf-8")
    with pytest.raises(CommandError) as failed:  # exit status 1 from manage.py
        call_command("import_entities", str(path))
    assert str(failed.value) == "The file was not imported: 1 line to correct."
    assert "line 2: The kind is company, division or department, not team." in capsys.readouterr().err
    assert not Entity.objects.exists()


def test_the_command_refuses_a_file_it_cannot_read(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_entities", str(tmp_path / "missing.csv"))
    path = tmp_path / "latin1.csv"
    path.write_bytes("code,name,kind\nacme,Société,company\n".encode("latin-1"))
    with pytest.raises(CommandError):
        call_command("import_entities", str(path))

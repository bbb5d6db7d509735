"""/campaigns/<slug>/results.csv: managers only (a 404 for everyone else and
before publication), one row per ranked idea with its authors (never an
anonymous idea's), UTF-8 with a header, and formula injection guarded."""

import csv
import io

import pytest

from campaigns.models import Audience
from ideas.models import Idea
from jury.models import Award, ResultRow
from results.selectors import spreadsheet_safe
from tests.factories import ROLES, UserFactory
from tests.results.test_results_page import login, published

pytestmark = pytest.mark.django_db

CSV_URL = "/campaigns/{slug}/results.csv"
HEADER = ["rank", "idea_id", "title", "authors", "votes", "jury_average", "final_score", "award", "justification"]


def read(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"\xef\xbb\xbf")  # the byte-order mark, for spreadsheets
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize("role", [*ROLES, "juror", "employee juror"])
@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
def test_only_managers_download_the_csv(client, role, audience):
    campaign = published(audience=audience)
    login(client, role, campaign)

    response = client.get(CSV_URL.format(slug=campaign.slug))

    assert response.status_code == (200 if role == "manager" else 404)
    if role == "manager":
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="{campaign.slug}-results.csv"'


def test_before_publication_the_csv_is_a_404_even_for_managers(client):
    campaign = published(publish=False)
    login(client, "manager")
    assert client.get(CSV_URL.format(slug=campaign.slug)).status_code == 404
    assert client.get(CSV_URL.format(slug="no-such-campaign")).status_code == 404


def test_the_csv_has_a_header_and_one_row_per_ranked_idea(client):
    campaign = published(ideas=4)
    rows = list(ResultRow.objects.filter(campaign=campaign).select_related("idea__author").order_by("rank"))
    login(client, "manager")

    table = read(client.get(CSV_URL.format(slug=campaign.slug)))

    assert table[0] == HEADER
    assert len(table) == 1 + 4
    assert [line[0] for line in table[1:]] == ["1", "2", "3", "4"]
    first = table[1]
    assert first == [
        "1",
        str(rows[0].idea_id),
        "Idea ranked 1",
        rows[0].idea.author.public_name,
        "40",
        "4.500",
        str(rows[0].final_score),
        "Grand prize",
        "",
    ]
    assert table[2][7:] == ["Public's choice", "Its pilot already runs in two shops."]
    assert table[4][5] == ""  # unscored


def test_coauthors_are_listed_and_an_anonymous_idea_names_nobody(client):
    campaign = published(anonymous={0})
    anonymous = ResultRow.objects.get(campaign=campaign, rank=1).idea
    idea = ResultRow.objects.get(campaign=campaign, rank=2).idea
    idea.coauthors.add(UserFactory(display_name="Zoé Coauteur"))
    anonymous.coauthors.add(UserFactory(display_name="Secret Coauteur"))
    login(client, "manager")

    table = read(client.get(CSV_URL.format(slug=campaign.slug)))

    assert table[1][3] == "Anonymous"
    assert table[2][3] == f"{idea.author.public_name}; Zoé Coauteur"


def test_cells_that_a_spreadsheet_would_run_get_a_leading_apostrophe(client):
    campaign = published(titles=['=HYPERLINK("http://evil")', "+1 idea", "-5 % waste"])
    first = ResultRow.objects.get(campaign=campaign, rank=1).idea
    first.author.display_name = "@admin"
    first.author.save(update_fields=["display_name"])
    Award.objects.filter(campaign=campaign, name="Public's choice").update(justification="=1+1")
    login(client, "manager")

    table = read(client.get(CSV_URL.format(slug=campaign.slug)))

    assert table[1][2] == '\'=HYPERLINK("http://evil")'
    assert table[1][3] == "'@admin"
    assert table[2][2] == "'+1 idea"
    assert table[2][8] == "'=1+1"
    assert table[3][2] == "'-5 % waste"


def test_commas_quotes_and_newlines_in_titles_are_quoted(client):
    campaign = published(titles=['Cheaper, "greener"\nand simpler', "b", "c"])
    login(client, "manager")

    table = read(client.get(CSV_URL.format(slug=campaign.slug)))

    assert table[1][2] == 'Cheaper, "greener"\nand simpler'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+33 6", "'+33 6"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tTab", "'\tTab"),
        ("Plain = fine", "Plain = fine"),
        (3, "3"),
        (None, ""),
    ],
)
def test_spreadsheet_safe(value, expected):
    assert spreadsheet_safe(value) == expected


def test_the_csv_runs_the_same_queries_for_3_and_30_ideas(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, "manager")
    counts = []
    for size in (3, 30):
        campaign = published(ideas=size)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(CSV_URL.format(slug=campaign.slug))
        assert len(read(response)) == size + 1
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert Idea.objects.count() == 33


def test_the_export_names_a_hidden_idea_and_its_authors_for_managers(client):
    campaign = published(titles=["Hidden since", "b", "c"])
    idea = ResultRow.objects.get(campaign=campaign, rank=1).idea
    Idea.objects.filter(pk=idea.pk).update(hidden=True, hidden_reason="Spam.")
    login(client, "manager")

    table = read(client.get(CSV_URL.format(slug=campaign.slug)))

    assert table[1][2:4] == ["Hidden since", idea.author.public_name]

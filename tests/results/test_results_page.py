"""The results page /campaigns/<slug>/results/: who sees it, before and after
publication, what it shows (winners, justification, ranking, chart, tally,
weights and criteria), the link tag for the campaign page, and flat query
counts. The published rows are made here directly, as publication writes them."""

import datetime
import re
from decimal import Decimal

from django.template import Context, Template
from django.utils import dateformat, timezone

import pytest

from campaigns.models import Audience, Phase
from ideas.models import Status
from jury.models import Award, AwardBasis, Criterion, Juror, Jury, ResultRow
from tests.factories import (
    ROLES_WITH_COMPANY,
    CampaignFactory,
    IdeaFactory,
    UserFactory,
    answers_as,
    company_leaver,
    employee,
    user_with_role,
)
from votes.models import Tally

pytestmark = pytest.mark.django_db

PAGE = "/campaigns/{slug}/results/"
API = "/api/v1/campaigns/{slug}/results/"
SEES_INTERNAL = {"employee", "moderator", "manager"}
DIGEST = "ab" * 32


# --- building published results -----------------------------------------------------------


def published(
    *, audience=Audience.PUBLIC, ideas: int = 3, publish: bool = True, phase=Phase.RESULTS, anonymous=(), titles=None
):
    """A campaign with a jury, a tally and, when `publish`, the rows
    publication writes: the ideas ranked by their index, the first idea
    wins the Grand prize (jury), the second the Public's choice, with a
    justification; the last idea is unscored."""
    campaign = CampaignFactory(phase=phase, audience=audience, title="Customer experience")
    jury = Jury.objects.create(campaign=campaign, public_weight=Decimal("0.40"))
    Criterion.objects.create(campaign=campaign, name="Innovation", weight=2, description="How new it is.")
    Criterion.objects.create(campaign=campaign, name="Feasibility", weight=1, position=1)
    Tally.objects.create(
        campaign=campaign, computed_at=timezone.now(), total_votes=10 * ideas, ballot_count=7, digest=DIGEST
    )
    made = []
    for index in range(ideas):
        title = titles[index] if titles else f"Idea ranked {index + 1}"
        made.append(
            IdeaFactory(
                campaign=campaign,
                title=title,
                status=Status.SHORTLISTED,
                anonymous=index in anonymous,
                created_at=timezone.now() - datetime.timedelta(days=30, minutes=index),
            )
        )
    grand = Award.objects.create(campaign=campaign, name="Grand prize", prize="A trip to Lisbon", basis=AwardBasis.JURY)
    public = Award.objects.create(campaign=campaign, name="Public's choice", position=1, basis=AwardBasis.PUBLIC)
    if not publish:
        return campaign
    most = 10 * ideas
    for index, idea in enumerate(made):
        votes = most - 10 * index
        unscored = index == ideas - 1 and ideas > 1
        average = None if unscored else Decimal("4.500") - Decimal("0.5") * index
        final = Decimal("0.4") * votes / most + (Decimal("0.6") * average / 5 if average is not None else 0)
        ResultRow.objects.create(
            campaign=campaign,
            idea=idea,
            rank=index + 1,
            votes=votes,
            jury_average=average,
            final_score=final.quantize(Decimal("0.0001")),
        )
    now = timezone.now()
    Award.objects.filter(pk=grand.pk).update(winner=made[0], decided_at=now)
    if ideas > 1:
        Award.objects.filter(pk=public.pk).update(
            winner=made[1], decided_at=now, justification="Its pilot already runs in two shops."
        )
    else:
        Award.objects.filter(pk=public.pk).update(winner=made[0], decided_at=now)
    for index, idea in enumerate(made):
        idea.status = Status.AWARDED if index < 2 else Status.NOT_SELECTED
        idea.save(update_fields=["status"])
    jury.published_at = now
    jury.save(update_fields=["published_at"])
    return campaign


def login(client, role, campaign=None):
    """Log in someone with `role`; "juror" is a participant (not an employee)
    on the campaign's jury, "employee juror" an employee on it, "leaver juror"
    on it with a company sign-in too old to make an employee."""
    if role == "juror":
        user = UserFactory()
    elif role == "employee juror":
        user = employee()
    elif role == "leaver juror":
        user = company_leaver()
    else:
        user = user_with_role(role)
    if role in ("juror", "employee juror", "leaver juror"):
        Juror.objects.create(campaign=campaign, user=user, is_chair=True)
    if user is not None:
        client.force_login(user)
    return user


# --- who sees it --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*ROLES_WITH_COMPANY, "juror", "employee juror", "leaver juror"])
@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
@pytest.mark.parametrize("is_published", [False, True])
def test_who_sees_the_results_on_the_page_and_in_the_api(client, role, audience, is_published):
    """One rule (results.selectors.results_campaign) asked by both: one matrix."""
    campaign = published(audience=audience, publish=is_published)
    login(client, role, campaign)
    # A juror from outside the company sees an internal campaign's jury pages only.
    visible = audience == Audience.PUBLIC or answers_as(role) in SEES_INTERNAL | {"employee juror"}

    response = client.get(PAGE.format(slug=campaign.slug))
    api = client.get(API.format(slug=campaign.slug))

    assert response.status_code == (200 if visible else 404)
    if visible and is_published:
        assert b"Grand prize" in response.content
        assert b"not published yet" not in response.content
        assert (api.status_code, api.json()["campaign"]) == (200, campaign.slug)
    if visible and not is_published:
        assert b"not published yet" in response.content
        assert b"Grand prize" not in response.content
        assert (api.status_code, api.json()["code"]) == (409, "results_not_published")
        assert api.json()["detail"]
    if not visible:
        assert (api.status_code, api.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize("phase", [Phase.DELIBERATION, Phase.RESULTS])
def test_before_publication_the_page_says_when_the_jury_deliberates_until_and_links_the_tally(client, phase):
    campaign = published(publish=False, phase=phase)

    response = client.get(PAGE.format(slug=campaign.slug))

    assert response.status_code == 200
    html = response.content.decode()
    assert campaign.deliberation_ends.strftime("%Y") in html
    iso = dateformat.format(timezone.localtime(campaign.deliberation_ends), "c")
    assert f'<time datetime="{iso}">' in html
    assert f"/campaigns/{campaign.slug}/tally/" in html
    assert "Idea ranked 1" not in html


def test_before_the_tally_the_pending_page_has_no_tally_link(client):
    campaign = CampaignFactory(phase=Phase.VOTING)

    response = client.get(PAGE.format(slug=campaign.slug))

    assert response.status_code == 200
    assert b"/tally/" not in response.content


def test_a_draft_or_unknown_campaign_is_a_404_and_the_box_has_no_results(client):
    draft = CampaignFactory(phase=Phase.DRAFT)
    assert client.get(PAGE.format(slug=draft.slug)).status_code == 404
    assert client.get(PAGE.format(slug="no-such-campaign")).status_code == 404
    client.force_login(employee())
    from tests.factories import the_box

    assert client.get(PAGE.format(slug=the_box().slug)).status_code == 404


def test_the_page_refuses_a_post(client):
    campaign = published()
    assert client.post(PAGE.format(slug=campaign.slug)).status_code == 405


# --- what it shows --------------------------------------------------------------------------


def test_winners_come_first_with_prize_idea_link_authors_and_the_justification(client):
    campaign = published()
    rows = list(ResultRow.objects.filter(campaign=campaign).select_related("idea__author").order_by("rank"))

    html = client.get(PAGE.format(slug=campaign.slug)).content.decode()

    winners = html.index('id="winners-title"')
    ranking = html.index('id="ranking-title"')
    assert winners < ranking
    section = html[winners:ranking]
    assert section.index("Grand prize") < section.index("Public&#x27;s choice")
    assert "A trip to Lisbon" in section
    assert f'href="/ideas/{rows[0].idea_id}/"' in section
    assert rows[0].idea.author.public_name in section
    assert "Its pilot already runs in two shops." in section
    assert "Why the jury chose this idea" in section
    # Only the award that departed from the ranking has a justification.
    assert section.count('class="justification"') == 1


def test_the_ranking_lists_every_idea_in_order_with_votes_scores_and_awards(client):
    campaign = published(ideas=4)
    rows = list(ResultRow.objects.filter(campaign=campaign).order_by("rank"))

    html = client.get(PAGE.format(slug=campaign.slug)).content.decode()

    table = html[html.index('<table class="results-table">') : html.index("</table>")]
    positions = [table.index(f"Idea ranked {n}") for n in range(1, 5)]
    assert positions == sorted(positions)
    body_rows = re.findall(r"<tr>(.*?)</tr>", table[table.index("<tbody>") :], re.S)
    assert len(body_rows) == 4
    first = body_rows[0]
    assert ">40<" in first  # votes
    assert "4.50" in first  # jury average
    assert f"{rows[0].final_score:.4f}" in first
    assert "Grand prize" in first
    assert "Public&#x27;s choice" in body_rows[1]
    assert "—" in body_rows[2]
    assert "unscored" in body_rows[3]
    assert "4.50" not in body_rows[3]


def test_an_anonymous_winner_is_anonymous_whoever_reads(client):
    # The results are the same for every reader (tests/jury/test_anonymous_authors.py).
    campaign = published(anonymous={0})
    idea = ResultRow.objects.get(campaign=campaign, rank=1).idea
    name = idea.author.public_name

    public_html = client.get(PAGE.format(slug=campaign.slug)).content.decode()
    assert name not in public_html
    assert "Anonymous" in public_html

    client.force_login(user_with_role("manager"))
    manager_html = client.get(PAGE.format(slug=campaign.slug)).content.decode()
    assert name not in manager_html
    assert "Anonymous" in manager_html


def test_the_page_shows_the_verifiable_tally_and_its_links(client):
    campaign = published()

    html = client.get(PAGE.format(slug=campaign.slug)).content.decode()

    section = html[html.index('id="tally-title"') :]
    assert DIGEST in section
    assert ">30<" in section  # total votes
    assert ">7<" in section  # voters
    for url in ("/tally/", "/tally/receipts.csv", "/tally/check/"):
        assert f'href="/campaigns/{campaign.slug}{url}"' in section


def test_the_page_shows_the_weights_and_the_criteria(client):
    campaign = published()

    html = client.get(PAGE.format(slug=campaign.slug)).content.decode()

    section = html[html.index('id="method-title"') :]
    assert "40 %" in section
    assert "60 %" in section
    assert "Innovation" in section
    assert "How new it is." in section
    assert section.index("Innovation") < section.index("Feasibility")


def test_the_chart_has_one_bar_per_ranked_idea_with_its_numbers_as_text_and_no_script(client):
    campaign = published(ideas=5)
    rows = list(ResultRow.objects.filter(campaign=campaign).order_by("rank"))

    html = client.get(PAGE.format(slug=campaign.slug)).content.decode()

    assert "<script>" not in html[html.index("<main") :]
    chart = html[html.index('<ol class="results-chart">') : html.index("</ol>", html.index('class="results-chart"'))]
    assert chart.count('class="chart-bar"') == 5
    assert chart.count('aria-hidden="true"') == 5
    for row in rows:
        assert f'<span class="chart-rank">{row.rank}.</span> {row.idea.title}</p>' in chart
        assert f"</span>{row.final_score:.4f}</p>" in chart


def test_a_title_with_markup_is_escaped_in_the_table_and_the_chart(client):
    campaign = published(titles=["<script>alert(1)</script>", "Plain", "Other"])

    html = client.get(PAGE.format(slug=campaign.slug)).content.decode()

    assert "<script>alert(1)</script>" not in html
    chart = html[html.index('<ol class="results-chart">') :]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in chart


def test_on_a_phone_each_ranking_cell_says_its_column(client):
    """The stylesheet shows each row as a card on a narrow screen, each cell
    under its column's name, taken from data-label: every column is named."""
    campaign = published()

    html = client.get(PAGE.format(slug=campaign.slug)).content.decode()

    table = html[html.index('<table class="results-table">') : html.index("</table>")]
    body = table[table.index("<tbody>") :]
    headers = re.findall(r'<th scope="col">([^<]+)</th>', table)
    assert headers == ["Rank", "Idea", "Votes", "Jury average (out of 5)", "Final score", "Award"]
    cells = re.findall(r'<td data-label="([^"]+)">', body)
    assert cells == headers * 3


def test_only_managers_see_the_csv_link(client):
    campaign = published()
    csv_link = f'href="/campaigns/{campaign.slug}/results.csv"'

    for role in ("visitor", "participant", "moderator"):
        login(client, role)
        assert csv_link not in client.get(PAGE.format(slug=campaign.slug)).content.decode(), role
    login(client, "manager")
    assert csv_link in client.get(PAGE.format(slug=campaign.slug)).content.decode()


def test_the_page_renders_in_french(client):
    campaign = published()
    client.cookies["ideabox_language"] = "fr"

    response = client.get(PAGE.format(slug=campaign.slug))

    assert response.status_code == 200
    assert "Score final" in response.content.decode()


# --- the link tag for the campaign page -----------------------------------------------------


def render_link(campaign) -> str:
    return Template("{% load results %}{% results_link campaign %}").render(Context({"campaign": campaign}))


def test_the_results_link_appears_once_the_results_are_published():
    campaign = published()
    assert f'href="/campaigns/{campaign.slug}/results/"' in render_link(campaign)


def test_the_results_link_is_absent_before_publication_without_a_query_until_deliberation_ends(
    django_assert_num_queries,
):
    pending = published(publish=False)
    assert render_link(pending) == ""
    for phase in (Phase.VOTING, Phase.DELIBERATION):
        campaign = CampaignFactory(phase=phase)
        with django_assert_num_queries(0):
            assert render_link(campaign) == ""


# --- query counts ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["visitor", "manager"])
def test_the_page_runs_the_same_queries_for_3_and_30_ideas(client, django_assert_max_num_queries, role):
    counts = []
    login(client, role)
    for size in (3, 30):
        campaign = published(ideas=size, anonymous={0, 2})
        for row in ResultRow.objects.filter(campaign=campaign)[:3]:
            row.idea.coauthors.add(UserFactory())
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = client.get(PAGE.format(slug=campaign.slug))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(12):
        client.get(PAGE.format(slug=campaign.slug))


# --- end to end: through publication ---------------------------------------------------------


def test_results_published_through_publication_show_on_the_page_and_in_the_api(client):
    from campaigns.models import Campaign
    from jury.models import Evaluation, Score
    from results.services import publish_results
    from votes.models import TallyRow

    campaign = CampaignFactory(phase=Phase.DELIBERATION)
    Jury.objects.create(campaign=campaign, public_weight=Decimal("0.50"))
    criterion = Criterion.objects.create(campaign=campaign, name="Innovation", weight=1)
    juror = Juror.objects.create(campaign=campaign, user=employee(), is_chair=True)
    Tally.objects.create(campaign=campaign, computed_at=timezone.now(), total_votes=14, ballot_count=9, digest=DIGEST)
    ideas = [IdeaFactory(campaign=campaign, status=Status.SHORTLISTED, title=f"Shortlisted {n}") for n in range(3)]
    for rank, (idea, votes) in enumerate(zip(ideas, (8, 4, 2), strict=True), start=1):
        TallyRow.objects.create(campaign=campaign, idea=idea, votes=votes, rank=rank)
    # Ideas 0 and 2 scored 1 and 5; idea 1 unscored.
    for idea, value in ((ideas[0], 1), (ideas[2], 5)):
        evaluation = Evaluation.objects.create(juror=juror, idea=idea)
        Score.objects.create(evaluation=evaluation, criterion=criterion, value=value)
    Award.objects.create(
        campaign=campaign,
        name="Grand prize",
        winner=ideas[2],
        decided_at=timezone.now(),
        justification="Bold and cheap.",
    )
    Award.objects.create(campaign=campaign, name="Public's choice", position=1, basis=AwardBasis.PUBLIC)
    Campaign.objects.filter(pk=campaign.pk).update(phase=Phase.RESULTS)

    publish_results(campaign_id=campaign.pk)

    html = client.get(PAGE.format(slug=campaign.slug)).content.decode()
    table = html[html.index("<tbody>") : html.index("</tbody>")]
    # final: idea 2 = .5 × 2/8 + .5 × 5/5 = .625; idea 0 = .5 + .5 × 1/5 = .6; idea 1 = .25, unscored.
    assert table.index("Shortlisted 2") < table.index("Shortlisted 0") < table.index("Shortlisted 1")
    assert "0.6250" in table and "0.6000" in table and "0.2500" in table
    assert "unscored" in table
    assert "Bold and cheap." in html
    assert html.count('class="chart-bar"') == 3
    body = client.get(f"/api/v1/campaigns/{campaign.slug}/results/").json()
    assert [entry["idea"]["id"] for entry in body["ranking"]] == [ideas[2].pk, ideas[0].pk, ideas[1].pk]
    assert {a["name"]: a["winner"]["id"] for a in body["awards"]} == {
        "Grand prize": ideas[2].pk,
        "Public's choice": ideas[0].pk,
    }
    assert f'href="/campaigns/{campaign.slug}/results/"' in render_link(Campaign.objects.get(pk=campaign.pk))


def test_an_idea_hidden_after_publication_keeps_its_place_but_not_its_title_for_the_public(client):
    campaign = published(titles=["Offensive title", "Fine", "Also fine"])
    row = ResultRow.objects.get(campaign=campaign, rank=1)
    row.idea.hidden = True
    row.idea.hidden_reason = "Abusive."
    row.idea.save(update_fields=["hidden", "hidden_reason"])

    html = client.get(PAGE.format(slug=campaign.slug)).content.decode()
    assert "Offensive title" not in html
    assert f'href="/ideas/{row.idea_id}/"' not in html
    assert html.count("An idea hidden by moderation") >= 3  # winner card, table, chart
    assert row.idea.author.public_name not in html
    body = client.get(f"/api/v1/campaigns/{campaign.slug}/results/").json()
    assert body["ranking"][0]["idea"] == {"id": row.idea_id, "title": "An idea hidden by moderation", "author": None}
    assert body["awards"][0]["winner"]["title"] == "An idea hidden by moderation"

    login(client, "moderator")
    assert "Offensive title" in client.get(PAGE.format(slug=campaign.slug)).content.decode()

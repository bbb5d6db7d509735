"""The moderation pages and their POST endpoints: permissions, answers, query counts."""

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from campaigns.models import Audience, Moderation, Phase
from ideas.models import Comment, Idea, ModerationAction, Report, Status, StatusChange
from moderation import services as moderation
from tests.factories import (
    PASSWORD,
    CampaignFactory,
    CommentFactory,
    IdeaFactory,
    UserFactory,
    company_employee,
    company_leaver,
    employee,
    the_box,
)

pytestmark = pytest.mark.django_db

ROLES = {
    "unverified": lambda: UserFactory(verified=False),
    "participant": lambda: UserFactory(),
    "employee": lambda: employee(),
    "manager": lambda: UserFactory(groups=["campaign managers"]),
    "moderator": lambda: UserFactory(groups=["moderators"]),
    "company employee": company_employee,
    "company leaver": company_leaver,
    "administrator": lambda: UserFactory(is_superuser=True, is_staff=True),
}


def login(client, role: str | None):
    if role is None:
        return None
    user = ROLES[role]()
    client.force_login(user)
    return user


def test_the_addresses_are_the_documented_ones():
    assert reverse("moderation:queue") == "/moderation/"
    assert reverse("moderation:log") == "/moderation/log/"
    assert reverse("moderation:box") == "/moderation/box/"
    assert reverse("moderation:report_idea", args=[1]) == "/moderation/ideas/1/report/"
    assert reverse("moderation:report_comment", args=[1]) == "/moderation/comments/1/report/"
    assert reverse("moderation:dismiss", args=[1]) == "/moderation/reports/1/dismiss/"


# --- the pages' permission matrix --------------------------------------------------------


@pytest.mark.parametrize("page", ["moderation:queue", "moderation:log", "moderation:box"])
@pytest.mark.parametrize(
    ("role", "status"),
    [
        (None, 302),
        ("unverified", 403),
        ("participant", 403),
        ("employee", 403),
        ("manager", 403),
        ("moderator", 200),
        ("administrator", 200),
    ],
)
def test_only_moderators_open_the_moderation_pages(client, page, role, status):
    login(client, role)
    response = client.get(reverse(page))
    assert response.status_code == status
    if role is None:
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("page", ["moderation:queue", "moderation:log", "moderation:box"])
def test_the_pages_refuse_a_post(client, moderator, page):
    client.force_login(moderator)
    assert client.post(reverse(page)).status_code == 405


# --- the queue ---------------------------------------------------------------------------


def test_the_queue_shows_reports_with_their_target_reason_and_reporter(client, moderator):
    idea = IdeaFactory(title="Free pizza every day")
    reporter = UserFactory(display_name="Rita Reporter")
    Report.objects.create(reporter=reporter, idea=idea, reason="This is an advert")
    comment = CommentFactory(body="You are all idiots")
    Report.objects.create(reporter=UserFactory(), comment=comment, reason="Insult")
    waiting = IdeaFactory(title="Awaiting idea", approved=False)
    client.force_login(moderator)
    page = client.get("/moderation/").content.decode()
    assert "Free pizza every day" in page and f'href="/ideas/{idea.pk}/"' in page
    assert "This is an advert" in page and "Rita Reporter" in page
    assert "You are all idiots" in page and f"#comment-{comment.pk}" in page
    assert "Awaiting idea" in page and reverse("moderation:approve", args=[waiting.pk]) in page
    assert "2 open reports" in page


def test_the_queue_is_paginated(client, moderator):
    for _ in range(25):
        Report.objects.create(reporter=UserFactory(), idea=IdeaFactory(), reason="spam")
    client.force_login(moderator)
    first = client.get("/moderation/")
    assert len(first.context["reports"].object_list) == 20
    second = client.get("/moderation/?page=2")
    assert len(second.context["reports"].object_list) == 5
    assert client.get("/moderation/?page=nonsense&approval_page=-4").status_code == 200


def _populate_queue(n: int):
    for _ in range(n):
        idea = IdeaFactory()
        Report.objects.create(reporter=UserFactory(), idea=idea, reason="spam")
        Report.objects.create(reporter=UserFactory(), comment=CommentFactory(idea=idea), reason="rude")
        IdeaFactory(approved=False)
        hidden = IdeaFactory(hidden=True, hidden_reason="x")
        ModerationAction.objects.create(action="hide", idea=hidden, reason="x")
        comment = CommentFactory(hidden=True, hidden_reason="x")
        ModerationAction.objects.create(action="hide", idea=comment.idea, comment=comment, reason="x")


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/moderation/", "/moderation/log/", "/moderation/log/?action=hide"])
def test_the_queue_and_the_log_cost_the_same_queries_with_3_or_30_items(client, moderator, url):
    client.force_login(moderator)
    _populate_queue(3)
    few = _count(client, url)
    _populate_queue(27)
    assert _count(client, url) == few


def test_the_reviewers_page_costs_the_same_queries_with_3_or_30_ideas(client, moderator):
    client.force_login(moderator)
    for _ in range(3):
        IdeaFactory(campaign=the_box())
    few = _count(client, "/moderation/box/")
    for _ in range(27):
        IdeaFactory(campaign=the_box())
    assert _count(client, "/moderation/box/") == few


# --- the log -----------------------------------------------------------------------------


def test_the_log_lists_every_action_and_filters_by_action(client, moderator):
    idea = IdeaFactory(title="Loud idea")
    moderation.hide_idea(idea=idea, by=moderator, reason="Too loud")
    moderation.restore_idea(idea=idea, by=moderator, reason="Calmer now")
    client.force_login(moderator)
    everything = client.get("/moderation/log/").content.decode()
    assert "Too loud" in everything and "Calmer now" in everything
    hides = client.get("/moderation/log/?action=hide").content.decode()
    assert "Too loud" in hides and "Calmer now" not in hides


def test_an_unknown_action_filter_is_a_400_with_the_error(client, moderator):
    client.force_login(moderator)
    response = client.get("/moderation/log/?action=explode&page=x")
    assert response.status_code == 400
    assert "explode" in response.content.decode()


# --- the reviewers' page -----------------------------------------------------------------


def test_the_reviewers_page_flags_overdue_ideas(client, moderator):
    from django.utils import timezone

    IdeaFactory(campaign=the_box(), title="Late one", answer_due=timezone.now() - timezone.timedelta(days=2))
    IdeaFactory(campaign=the_box(), title="Early one", answer_due=timezone.now() + timezone.timedelta(days=2))
    IdeaFactory(campaign=the_box(), title="Done one", status=Status.ACCEPTED)
    client.force_login(moderator)
    page = client.get("/moderation/box/").content.decode()
    assert page.index("Late one") < page.index("Early one")
    assert page.count("Overdue") == 1
    assert "Done one" not in page


# --- actions: plain POST -------------------------------------------------------------------


def test_a_participant_reports_an_idea_and_is_sent_back(client, participant):
    idea = IdeaFactory()
    client.force_login(participant)
    response = client.post(
        reverse("moderation:report_idea", args=[idea.pk]), {"reason": "Advert", "next": "/campaigns/x/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/campaigns/x/"
    assert Report.objects.get().reporter == participant


def test_an_outside_next_address_is_ignored(client, participant):
    idea = IdeaFactory()
    client.force_login(participant)
    response = client.post(
        reverse("moderation:report_idea", args=[idea.pk]), {"reason": "Advert", "next": "https://evil.example/"}
    )
    assert response["Location"] == f"/ideas/{idea.pk}/"


def test_a_report_without_reason_redisplays_the_form_with_a_400(client, participant):
    idea = IdeaFactory()
    client.force_login(participant)
    response = client.post(reverse("moderation:report_idea", args=[idea.pk]), {"reason": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Report.objects.exists()


def test_a_second_report_redisplays_the_form_with_a_409(client, participant):
    idea = IdeaFactory()
    client.force_login(participant)
    url = reverse("moderation:report_idea", args=[idea.pk])
    client.post(url, {"reason": "Advert"})
    response = client.post(url, {"reason": "Advert"})
    assert response.status_code == 409
    assert "You already reported this." in response.content.decode()


def test_the_report_page_shows_an_empty_form(client, participant):
    idea = IdeaFactory(title="Some idea")
    client.force_login(participant)
    response = client.get(reverse("moderation:report_idea", args=[idea.pk]))
    assert response.status_code == 200
    assert "Some idea" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "audience", "status"),
    [
        (None, Audience.PUBLIC, 302),
        ("unverified", Audience.PUBLIC, 403),
        ("participant", Audience.PUBLIC, 302),
        ("participant", Audience.INTERNAL, 404),
        ("employee", Audience.INTERNAL, 302),
        ("manager", Audience.PUBLIC, 302),
        ("moderator", Audience.INTERNAL, 302),
        ("company employee", Audience.INTERNAL, 302),
        ("company leaver", Audience.INTERNAL, 404),
    ],
)
@pytest.mark.parametrize("target", ["idea", "comment"])
def test_who_may_report_an_idea(client, role, audience, status, target):
    user = login(client, role)
    idea = IdeaFactory(campaign=CampaignFactory(audience=audience))
    reported = idea if target == "idea" else CommentFactory(idea=idea)
    response = client.post(reverse(f"moderation:report_{target}", args=[reported.pk]), {"reason": "Advert"})
    assert response.status_code == status
    assert Report.objects.exists() == (status == 302 and user is not None)


HIDDEN = {"participant": 404, "employee": 404, "manager": 404}
VISIBLE = {"participant": 403, "employee": 403, "manager": 403}
MODERATION_CASES = [
    ("moderation:hide_idea", {"reason": "Spam"}, lambda: IdeaFactory(), VISIBLE),
    ("moderation:restore_idea", {}, lambda: IdeaFactory(hidden=True, hidden_reason="x"), HIDDEN),
    ("moderation:approve", {}, lambda: IdeaFactory(approved=False), HIDDEN),
    ("moderation:merge", {"target": 0, "reason": "Same"}, lambda: IdeaFactory(), VISIBLE),
    (
        "moderation:review",
        {"status": "accepted"},
        lambda: IdeaFactory(campaign=the_box()),
        {"participant": 404, "employee": 403, "manager": 403},
    ),
    ("moderation:hide_comment", {"reason": "Rude"}, lambda: CommentFactory(), VISIBLE),
    ("moderation:restore_comment", {}, lambda: CommentFactory(hidden=True, hidden_reason="x"), HIDDEN),
    (
        "moderation:dismiss",
        {},
        lambda: Report.objects.create(reporter=UserFactory(), idea=IdeaFactory(), reason="x"),
        VISIBLE,
    ),
]


def _something_changed() -> bool:
    return ModerationAction.objects.exists() or StatusChange.objects.exists()


@pytest.mark.parametrize(("name", "data", "make", "refusals"), MODERATION_CASES, ids=[c[0] for c in MODERATION_CASES])
@pytest.mark.parametrize("role", [None, "unverified", "participant", "employee", "manager", "moderator"])
def test_who_may_moderate(client, name, data, make, refusals, role):
    login(client, role)
    obj = make()
    if name == "moderation:merge":
        data = {**data, "target": IdeaFactory(campaign=obj.campaign).pk}
    response = client.post(reverse(name, args=[obj.pk]), data)
    if role is None:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif role == "moderator":
        assert response.status_code == 302
        assert _something_changed()
    else:
        expected = refusals.get(role, refusals["participant"])
        assert response.status_code == expected
        assert not _something_changed()


def test_a_moderator_merges_through_the_form(client, moderator):
    campaign = CampaignFactory()
    source, target = IdeaFactory(campaign=campaign), IdeaFactory(campaign=campaign)
    client.force_login(moderator)
    response = client.post(reverse("moderation:merge", args=[source.pk]), {"target": target.pk, "reason": "Same"})
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.merged_into == target


@pytest.mark.parametrize("target", ["", "abc", "0", "999999"])
def test_a_merge_into_a_bad_number_is_a_form_error(client, moderator, target):
    source = IdeaFactory()
    client.force_login(moderator)
    response = client.post(reverse("moderation:merge", args=[source.pk]), {"target": target, "reason": "Same"})
    assert response.status_code == 400
    source.refresh_from_db()
    assert source.status == Status.PUBLISHED


def test_a_merge_across_campaigns_is_a_form_error(client, moderator):
    source, target = IdeaFactory(), IdeaFactory()
    client.force_login(moderator)
    response = client.post(reverse("moderation:merge", args=[source.pk]), {"target": target.pk, "reason": "Same"})
    assert response.status_code == 400
    assert "same campaign" in response.content.decode()


def test_a_rejection_without_reason_redisplays_with_a_400(client, moderator):
    idea = IdeaFactory(campaign=the_box())
    client.force_login(moderator)
    response = client.post(reverse("moderation:review", args=[idea.pk]), {"status": "rejected"})
    assert response.status_code == 400
    idea.refresh_from_db()
    assert idea.status == Status.UNDER_REVIEW


def test_a_wrong_move_redisplays_with_a_409(client, moderator):
    idea = IdeaFactory(campaign=the_box())
    client.force_login(moderator)
    response = client.post(reverse("moderation:review", args=[idea.pk]), {"status": "implemented"})
    assert response.status_code == 409


@pytest.mark.parametrize("name", ["moderation:hide_idea", "moderation:report_idea", "moderation:review"])
def test_an_unknown_idea_is_a_404(client, moderator, name):
    client.force_login(moderator)
    assert client.post(reverse(name, args=[999999]), {"reason": "x", "status": "accepted"}).status_code == 404


def test_a_moderator_cannot_act_on_a_draft(client, moderator):
    idea = IdeaFactory(campaign=CampaignFactory(phase=Phase.DRAFT))
    client.force_login(moderator)
    assert client.post(reverse("moderation:hide_idea", args=[idea.pk]), {"reason": "x"}).status_code == 404


def test_a_participant_cannot_open_a_moderator_form(client, participant):
    client.force_login(participant)
    assert client.get(reverse("moderation:hide_idea", args=[IdeaFactory().pk])).status_code == 403


# --- actions: htmx ---------------------------------------------------------------------------


def test_an_htmx_action_from_the_idea_page_answers_with_the_refreshed_partial(client, moderator):
    idea = IdeaFactory()
    client.force_login(moderator)
    response = client.post(
        reverse("moderation:hide_idea", args=[idea.pk]), {"reason": "Spam", "where": "idea"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="moderation-{idea.pk}"' in body
    assert "The idea is hidden." in body
    assert reverse("moderation:restore_idea", args=[idea.pk]) in body
    assert "<html" not in body


def test_a_refused_htmx_action_keeps_the_partial_with_the_error(client, moderator):
    idea = IdeaFactory(campaign=the_box())
    client.force_login(moderator)
    response = client.post(
        reverse("moderation:review", args=[idea.pk]), {"status": "rejected", "where": "idea"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "Give the author the reason for the rejection." in response.content.decode()
    assert 'role="alert"' in response.content.decode()


def _queue_with_two_reports_and_two_waiting_ideas():
    reports = [Report.objects.create(reporter=UserFactory(), idea=IdeaFactory(), reason="x") for _ in range(2)]
    waiting = [IdeaFactory(approved=False) for _ in range(2)]
    return reports, waiting


def _queue_of_each_kind() -> dict:
    """Four open reports (two on ideas, two on one comment), two ideas
    awaiting approval, a hidden idea and a hidden comment, and a twin of the
    first reported idea to merge it into."""
    idea_report, _ = _queue_with_two_reports_and_two_waiting_ideas()[0]
    comment = CommentFactory()
    comment_reports = [Report.objects.create(reporter=UserFactory(), comment=comment, reason="rude") for _ in range(2)]
    hidden_idea, hidden_comment = IdeaFactory(), CommentFactory()
    moderator = UserFactory(groups=["moderators"])
    moderation.hide_idea(idea=hidden_idea, by=moderator, reason="spam")
    moderation.hide_comment(comment=hidden_comment, by=moderator, reason="spam")
    return {
        "idea_report": idea_report,
        "comment_reports": comment_reports,
        "waiting": Idea.objects.filter(approved=False).order_by("pk").first(),
        "hidden_idea": hidden_idea,
        "hidden_comment": hidden_comment,
        "twin": IdeaFactory(campaign=idea_report.idea.campaign),
    }


# Every queue action: (name, arguments of its address, form data, the item
# that leaves, the item that arrives (or None), the message, the counts after).
QUEUE_ACTIONS = {
    "dismiss": lambda q: (
        "moderation:dismiss",
        q["idea_report"].pk,
        {},
        [f"report-{q['idea_report'].pk}"],
        None,
        "The report is dismissed.",
        ("3 open reports", "2 ideas awaiting approval"),
    ),
    "hide a reported idea": lambda q: (
        "moderation:hide_idea",
        q["idea_report"].idea_id,
        {"reason": "Spam"},
        [f"report-{q['idea_report'].pk}"],
        f"hidden-idea-{q['idea_report'].idea_id}",
        "The idea is hidden.",
        ("3 open reports", "2 ideas awaiting approval"),
    ),
    "hide a reported comment": lambda q: (
        "moderation:hide_comment",
        q["comment_reports"][0].comment_id,
        {"reason": "Rude"},
        [f"report-{r.pk}" for r in q["comment_reports"]],
        f"hidden-comment-{q['comment_reports'][0].comment_id}",
        "The comment is hidden.",
        ("2 open reports", "2 ideas awaiting approval"),
    ),
    "merge a reported duplicate": lambda q: (
        "moderation:merge",
        q["idea_report"].idea_id,
        {"target": q["twin"].pk, "reason": "Same idea"},
        [f"report-{q['idea_report'].pk}"],
        None,
        "The idea is merged: its comments, followers and votes moved.",
        ("3 open reports", "2 ideas awaiting approval"),
    ),
    "approve": lambda q: (
        "moderation:approve",
        q["waiting"].pk,
        {},
        [f"approval-{q['waiting'].pk}"],
        None,
        "The idea is approved and published.",
        ("4 open reports", "1 idea awaiting approval"),
    ),
    "turn down (hide) an idea awaiting approval": lambda q: (
        "moderation:hide_idea",
        q["waiting"].pk,
        {"reason": "Off topic"},
        [f"approval-{q['waiting'].pk}"],
        f"hidden-idea-{q['waiting'].pk}",
        "The idea is hidden.",
        ("4 open reports", "1 idea awaiting approval"),
    ),
    "restore an idea": lambda q: (
        "moderation:restore_idea",
        q["hidden_idea"].pk,
        {},
        [f"hidden-idea-{q['hidden_idea'].pk}"],
        None,
        "The idea is visible again.",
        ("4 open reports", "2 ideas awaiting approval"),
    ),
    "restore a comment": lambda q: (
        "moderation:restore_comment",
        q["hidden_comment"].pk,
        {},
        [f"hidden-comment-{q['hidden_comment'].pk}"],
        None,
        "The comment is visible again.",
        ("4 open reports", "2 ideas awaiting approval"),
    ),
}


def _counts(body: str) -> tuple[str, str]:
    def one(kind):
        start = body.index(f'<span id="{kind}-count">')
        return body[body.index(">", start) + 1 : body.index("</span>", start)]

    return one("reports"), one("approvals")


def _has_item(body: str, item: str) -> bool:
    return f'id="{item}"' in body


def test_the_queue_before_any_action_has_every_item_and_count(client, moderator):
    queue = _queue_of_each_kind()
    client.force_login(moderator)
    page = client.get("/moderation/").content.decode()
    assert _counts(page) == ("4 open reports", "2 ideas awaiting approval")
    for name, make in QUEUE_ACTIONS.items():
        _, _, _, leaving, arriving, _, _ = make(queue)
        assert all(_has_item(page, item) for item in leaving), name
        assert arriving is None or not _has_item(page, arriving), name


@pytest.mark.parametrize("name", QUEUE_ACTIONS)
def test_an_htmx_queue_action_draws_the_queue_again_without_the_item_and_with_the_counts(client, moderator, name):
    url, pk, data, leaving, arriving, message, counts = QUEUE_ACTIONS[name](_queue_of_each_kind())
    client.force_login(moderator)
    response = client.post(
        reverse(url, args=[pk]), {**data, "where": "queue", "next": "/moderation/"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#queue", "outerHTML")
    body = response.content.decode()
    assert body.startswith('<div id="queue">')
    assert "<html" not in body
    assert not any(_has_item(body, item) for item in leaving)
    assert arriving is None or _has_item(body, arriving)
    assert _counts(body) == counts
    # Said in the page's live region, which stays in place (innerHTML).
    assert f'<div id="queue-status" hx-swap-oob="innerHTML"><p class="message success">{message}</p></div>' in body


@pytest.mark.parametrize("name", QUEUE_ACTIONS)
def test_a_plain_post_from_the_queue_returns_to_the_queue_without_the_item_and_with_the_counts(client, moderator, name):
    url, pk, data, leaving, arriving, message, counts = QUEUE_ACTIONS[name](_queue_of_each_kind())
    client.force_login(moderator)
    response = client.post(reverse(url, args=[pk]), {**data, "where": "queue", "next": "/moderation/"}, follow=True)
    assert response.redirect_chain == [("/moderation/", 302)]
    page = response.content.decode()
    assert message in page
    assert not any(_has_item(page, item) for item in leaving)
    assert arriving is None or _has_item(page, arriving)
    assert _counts(page) == counts


def test_the_queue_page_holds_an_empty_live_region_outside_the_lists(client, moderator):
    client.force_login(moderator)
    page = client.get("/moderation/").content.decode()
    status = page.index('<div id="queue-status" role="status" aria-live="polite"></div>')
    assert status < page.index('<div id="queue">')


def test_the_queue_headings_take_the_focus_after_an_action(client, moderator):
    _queue_of_each_kind()
    client.force_login(moderator)
    page = client.get("/moderation/").content.decode()
    for section in ("reports", "approvals", "hidden"):
        assert f'<section id="{section}" aria-labelledby="{section}-title" data-refocus>' in page
        assert f'<h2 id="{section}-title" tabindex="-1">' in page


def test_htmx_settles_no_style_attribute_into_the_redrawn_queue(client, moderator):
    # Settling copies the old fields' attributes onto the new ones by id: a
    # style="" (left by any script) would be set again, which the CSP refuses.
    client.force_login(moderator)
    page = client.get("/moderation/").content.decode()
    assert '"attributesToSettle": ["class", "width", "height"]' in page


def test_an_htmx_queue_action_keeps_the_page_the_moderator_is_on(client, moderator):
    reports = [Report.objects.create(reporter=UserFactory(), idea=IdeaFactory(), reason="x") for _ in range(23)]
    client.force_login(moderator)
    response = client.post(
        reverse("moderation:dismiss", args=[reports[-1].pk]),
        {"where": "queue", "next": "/moderation/?page=2"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert _has_item(body, f"report-{reports[-2].pk}")
    assert not _has_item(body, f"report-{reports[0].pk}")
    assert "Page 2 of 2" in body
    assert _counts(body)[0] == "22 open reports"


def test_an_htmx_queue_action_with_an_outside_next_draws_the_first_page(client, moderator):
    (report, other), _ = _queue_with_two_reports_and_two_waiting_ideas()
    client.force_login(moderator)
    response = client.post(
        reverse("moderation:dismiss", args=[report.pk]),
        {"where": "queue", "next": "https://evil.example/?page=9"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert _has_item(response.content.decode(), f"report-{other.pk}")


def test_a_refused_htmx_queue_action_keeps_the_item_and_says_why_in_it(client, moderator):
    report = Report.objects.create(reporter=UserFactory(), idea=IdeaFactory(), reason="duplicate")
    client.force_login(moderator)
    response = client.post(
        reverse("moderation:merge", args=[report.idea_id]),
        {"target": 999999, "reason": "Same", "where": "queue", "next": "/moderation/"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "HX-Retarget" not in response
    body = response.content.decode()
    assert 'role="alert"' in body
    assert "There is no idea with this number that you can see." in body
    assert Report.objects.get(pk=report.pk).resolved_at is None


def test_a_second_htmx_approval_is_a_conflict_said_in_the_item(client, moderator):
    idea = IdeaFactory(approved=False)
    client.force_login(moderator)
    url = reverse("moderation:approve", args=[idea.pk])
    assert client.post(url, {"where": "queue"}, HTTP_HX_REQUEST="true").status_code == 200
    again = client.post(url, {"where": "queue"}, HTTP_HX_REQUEST="true")
    assert again.status_code == 409
    assert "HX-Retarget" not in again
    assert "This idea is already approved." in again.content.decode()


def test_the_queue_offers_to_merge_a_reported_idea_but_not_a_comment(client, moderator):
    idea_report = Report.objects.create(reporter=UserFactory(), idea=IdeaFactory(), reason="duplicate")
    comment_report = Report.objects.create(reporter=UserFactory(), comment=CommentFactory(), reason="rude")
    client.force_login(moderator)
    page = client.get("/moderation/").content.decode()
    assert f'id="report-{idea_report.pk}-target"' in page
    assert reverse("moderation:merge", args=[idea_report.idea_id]) in page
    assert f'id="report-{comment_report.pk}-target"' not in page


@pytest.mark.parametrize("name", ["dismiss", "approve", "hide_idea", "restore_idea"])
def test_an_htmx_queue_action_costs_the_same_queries_with_3_or_30_items(client, moderator, name):
    client.force_login(moderator)

    def cost(n):
        _populate_queue(n)
        target, data = {
            "dismiss": (Report.objects.filter(resolved_at__isnull=True).first(), {}),
            "approve": (Idea.objects.filter(approved=False, hidden=False).first(), {}),
            "hide_idea": (Idea.objects.filter(approved=True, hidden=False).first(), {"reason": "x"}),
            "restore_idea": (Idea.objects.filter(hidden=True).first(), {}),
        }[name]
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                reverse(f"moderation:{name}", args=[target.pk]), {**data, "where": "queue"}, HTTP_HX_REQUEST="true"
            )
        assert response.status_code == 200
        return len(captured)

    assert cost(3) == cost(27)


@pytest.mark.parametrize(
    ("status", "data", "message"),
    [
        ("accepted", {}, "The status is changed; the author will be told."),
        ("rejected", {"reason": "Not for now"}, "The status is changed; the author will be told."),
    ],
)
def test_an_htmx_answer_from_the_box_page_draws_the_list_again_without_the_idea(
    client, moderator, status, data, message
):
    answered, other = IdeaFactory(campaign=the_box()), IdeaFactory(campaign=the_box())
    client.force_login(moderator)
    response = client.post(
        reverse("moderation:review", args=[answered.pk]),
        {**data, "status": status, "where": "box", "next": "/moderation/box/"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#box-queue", "outerHTML")
    body = response.content.decode()
    assert not _has_item(body, f"review-{answered.pk}")
    assert _has_item(body, f"review-{other.pk}")
    assert "1 idea is waiting for an answer, the most urgent first." in body
    assert '<p class="lead" id="box-count" tabindex="-1">' in body
    assert f'<div id="queue-status" hx-swap-oob="innerHTML"><p class="message success">{message}</p></div>' in body


def test_a_plain_answer_from_the_box_page_returns_to_it_without_the_idea(client, moderator):
    answered = IdeaFactory(campaign=the_box())
    client.force_login(moderator)
    response = client.post(
        reverse("moderation:review", args=[answered.pk]),
        {"status": "accepted", "where": "box", "next": "/moderation/box/"},
        follow=True,
    )
    assert response.redirect_chain == [("/moderation/box/", 302)]
    page = response.content.decode()
    assert "The status is changed; the author will be told." in page
    assert not _has_item(page, f"review-{answered.pk}")
    assert "0 ideas are waiting for an answer" in page


def test_an_htmx_conflict_from_the_box_page_is_announced(client, moderator):
    idea = IdeaFactory(campaign=the_box(), status=Status.ACCEPTED)
    client.force_login(moderator)
    response = client.post(
        reverse("moderation:review", args=[idea.pk]), {"status": "accepted", "where": "box"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409
    assert 'role="alert"' in response.content.decode()


# --- the partial on the idea page ---------------------------------------------------------------


def _partial(idea, user) -> str:
    request = RequestFactory().get(f"/ideas/{idea.pk}/")
    request.user = user
    idea = Idea.objects.select_related("campaign").get(pk=idea.pk)
    return render_to_string("moderation/_idea_panel.html", {"idea": idea, "user": user}, request=request)


def test_the_partial_gives_its_heading_the_focus_after_an_htmx_action(moderator):
    # site.js: the part marked data-refocus is drawn again, and its heading takes the focus.
    idea = IdeaFactory()
    html = _partial(idea, moderator)
    assert f'aria-labelledby="moderation-{idea.pk}-title"\n  data-swap-refusals data-refocus>' in html
    assert f'<h2 id="moderation-{idea.pk}-title" tabindex="-1">' in html


def test_a_refused_htmx_merge_on_the_idea_page_keeps_its_form_open(client, moderator):
    idea = IdeaFactory()
    client.force_login(moderator)
    response = client.post(
        reverse("moderation:merge", args=[idea.pk]),
        {"target": 999999, "reason": "Same", "where": "idea"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "<details open>\n  <summary>Merge into another idea</summary>" in body
    assert f'hx-target="#moderation-{idea.pk}" hx-swap="outerHTML"' in body
    assert f'id="merge-{idea.pk}-target"' in body


def test_the_partial_offers_a_participant_the_report_form_only(participant):
    idea = IdeaFactory()
    html = _partial(idea, participant)
    assert reverse("moderation:report_idea", args=[idea.pk]) in html
    assert reverse("moderation:hide_idea", args=[idea.pk]) not in html


def test_the_partial_offers_no_report_to_the_author_or_a_visitor(participant):
    idea = IdeaFactory(author=participant)
    assert reverse("moderation:report_idea", args=[idea.pk]) not in _partial(idea, participant)
    assert reverse("moderation:report_idea", args=[idea.pk]) not in _partial(idea, AnonymousUser())


def test_the_partial_gives_moderators_their_actions(moderator):
    idea = IdeaFactory(campaign=CampaignFactory(moderation=Moderation.PRE), approved=False)
    html = _partial(idea, moderator)
    for name in ("moderation:hide_idea", "moderation:merge", "moderation:approve"):
        assert reverse(name, args=[idea.pk]) in html
    assert reverse("moderation:review", args=[idea.pk]) not in html


def test_the_partial_shows_the_review_history_and_the_reviewers_actions(moderator):
    from ideas import review

    idea = IdeaFactory(campaign=the_box())
    review.change_status(idea=idea, to=Status.REJECTED, by=moderator, reason="We tried it in 2019")
    html = _partial(idea, moderator)
    assert "We tried it in 2019" in html
    assert "Reopen the review" in html
    author_view = _partial(idea, idea.author)
    assert "We tried it in 2019" in author_view
    assert "Reopen the review" not in author_view


def test_a_comment_report_moves_through_the_page(client, participant):
    comment = CommentFactory()
    client.force_login(participant)
    response = client.post(reverse("moderation:report_comment", args=[comment.pk]), {"reason": "Rude"})
    assert response.status_code == 302
    assert Report.objects.get().comment == comment


def test_a_hidden_comment_is_not_found_for_a_participant(client, participant):
    comment = CommentFactory(hidden=True, hidden_reason="x")
    client.force_login(participant)
    response = client.post(reverse("moderation:report_comment", args=[comment.pk]), {"reason": "Rude"})
    assert response.status_code == 404
    assert Comment.objects.get().hidden


def test_login_by_password_then_queue(client):
    user = UserFactory(username="mod", groups=["moderators"])
    assert client.login(username=user.username, password=PASSWORD)
    assert client.get("/moderation/").status_code == 200

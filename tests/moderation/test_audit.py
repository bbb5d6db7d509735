"""Every moderation decision is written to the audit log (accounts.AuditEvent):
who (an id), what, on which object; the status move of a merge too."""

from django.urls import reverse

import pytest

from accounts.models import AuditEvent
from campaigns.models import Moderation
from ideabox.exceptions import DomainError
from ideas.models import Report, Status
from moderation import services as moderation
from tests.factories import CampaignFactory, CommentFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db


def _events():
    return list(
        AuditEvent.objects.order_by("pk").values_list("actor_id", "action", "object_type", "object_id", "detail")
    )


def test_hiding_an_idea_is_audited(moderator):
    idea = IdeaFactory()
    moderation.hide_idea(idea=idea, by=moderator, reason="Insulting")
    assert _events() == [(moderator.pk, "idea.hide", "ideas.idea", idea.pk, {})]


def test_restoring_an_idea_is_audited(moderator):
    idea = IdeaFactory(hidden=True, hidden_reason="Spam")
    moderation.restore_idea(idea=idea, by=moderator)
    assert _events() == [(moderator.pk, "idea.restore", "ideas.idea", idea.pk, {})]


def test_hiding_a_comment_is_audited(moderator):
    comment = CommentFactory()
    moderation.hide_comment(comment=comment, by=moderator, reason="Off topic")
    assert _events() == [(moderator.pk, "comment.hide", "ideas.comment", comment.pk, {})]


def test_restoring_a_comment_is_audited(moderator):
    comment = CommentFactory(hidden=True, hidden_reason="Spam")
    moderation.restore_comment(comment=comment, by=moderator)
    assert _events() == [(moderator.pk, "comment.restore", "ideas.comment", comment.pk, {})]


def test_approving_an_idea_is_audited(moderator):
    idea = IdeaFactory(campaign=CampaignFactory(moderation=Moderation.PRE), approved=False)
    moderation.approve_idea(idea=idea, by=moderator)
    assert _events() == [(moderator.pk, "idea.approve", "ideas.idea", idea.pk, {})]


def test_dismissing_a_report_is_audited(moderator):
    report = Report.objects.create(reporter=UserFactory(), idea=IdeaFactory(), reason="spam")
    moderation.dismiss_report(report=report, by=moderator)
    assert _events() == [(moderator.pk, "report.dismiss", "ideas.report", report.pk, {})]


def test_merging_is_audited_with_its_status_move(moderator):
    target = IdeaFactory()
    source = IdeaFactory(campaign=target.campaign)
    moderation.merge_idea(source=source, target=target, by=moderator, reason="Same")
    assert _events() == [
        (moderator.pk, "idea.status", "ideas.idea", source.pk, {"from": Status.PUBLISHED, "to": Status.MERGED}),
        (moderator.pk, "idea.merge", "ideas.idea", source.pk, {"into": target.pk}),
    ]


def test_a_refused_action_leaves_no_event(moderator):
    idea = IdeaFactory(hidden=True, hidden_reason="Spam")
    with pytest.raises(DomainError):
        moderation.hide_idea(idea=idea, by=moderator, reason="Again")
    assert _events() == []


def test_an_action_from_a_page_records_the_client_address(client, moderator):
    idea = IdeaFactory()
    client.force_login(moderator)
    response = client.post(reverse("moderation:hide_idea", args=[idea.pk]), {"reason": "Spam"}, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302
    assert AuditEvent.objects.get().address == "192.0.2.7"

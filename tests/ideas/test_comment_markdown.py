"""Comments are rendered like descriptions (issue 10, item 10): the same
sanitised Markdown (ideabox/markdown.py) on the idea page, in the htmx
answer and in the moderation queue, with the same hint under the field."""

from django.urls import reverse

import pytest

from ideas import tasks
from ideas.forms import MARKDOWN_HELP
from ideas.models import Comment, Report
from moderation import services as moderation
from tests.factories import CommentFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db

MARKDOWN = "I **really** like it:\n\n- trees\n- benches\n\n<script>alert(1)</script> [bad](javascript:alert(1))"


@pytest.fixture(autouse=True)
def _no_notification(monkeypatch):
    monkeypatch.setattr(tasks.idea_commented, "delay", lambda comment_id: None)


def assert_rendered(html: str) -> None:
    assert "I <strong>really</strong> like it:" in html
    assert "<li>trees</li>" in html and "<li>benches</li>" in html
    assert "**really**" not in html
    # Sanitised as descriptions are: the script stays text, the javascript: link loses its address.
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html


def test_the_idea_page_renders_a_comments_markdown(client):
    comment = CommentFactory(body=MARKDOWN)
    html = client.get(comment.idea.get_absolute_url()).content.decode()
    assert_rendered(html)


def test_a_hidden_comment_is_rendered_for_moderators(client, moderator):
    comment = CommentFactory(body=MARKDOWN, hidden=True, hidden_reason="rude")
    client.force_login(moderator)
    html = client.get(comment.idea.get_absolute_url()).content.decode()
    assert_rendered(html)


def test_the_comment_posted_with_htmx_comes_back_rendered(client, participant):
    idea = IdeaFactory()
    client.force_login(participant)
    response = client.post(reverse("ideas:comment", args=[idea.pk]), {"body": MARKDOWN}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert_rendered(response.content.decode())
    assert Comment.objects.get().body == MARKDOWN  # stored as written


def test_the_comment_posted_without_javascript_is_rendered_on_the_page(client, participant):
    idea = IdeaFactory()
    client.force_login(participant)
    response = client.post(reverse("ideas:comment", args=[idea.pk]), {"body": MARKDOWN}, follow=True)
    assert response.status_code == 200
    assert_rendered(response.content.decode())


def test_the_moderation_queue_shows_a_reported_comment_rendered_and_shortened(client, moderator):
    comment = CommentFactory(body=MARKDOWN + "\n\n" + "more words " * 60)
    Report.objects.create(reporter=UserFactory(), comment=comment, reason="Insult")
    client.force_login(moderator)
    html = client.get(reverse("moderation:queue")).content.decode()
    assert_rendered(html)
    assert "more words " * 30 not in html  # shortened, its tags closed


def test_the_moderation_queue_shows_a_hidden_comment_rendered(client, moderator):
    moderation.hide_comment(comment=CommentFactory(body="Not **nice**"), by=moderator, reason="Rude")
    client.force_login(moderator)
    html = client.get(reverse("moderation:queue")).content.decode()
    assert "Not <strong>nice</strong>" in html


def test_the_comment_and_reply_fields_say_that_markdown_is_allowed(client, participant):
    comment = CommentFactory()
    client.force_login(participant)
    html = client.get(comment.idea.get_absolute_url()).content.decode()
    assert str(MARKDOWN_HELP) in html
    assert 'aria-describedby="id_body_helptext"' in html
    assert '<p class="hint" id="id_body_helptext">' in html
    assert f'aria-describedby="reply-{comment.pk}-helptext"' in html
    assert f'id="reply-{comment.pk}-helptext"' in html

"""Comments: who may comment, one level of replies, the counter and the notification."""

import pytest

from campaigns.models import Audience, Phase
from ideabox.exceptions import DomainError
from ideas import services, tasks
from ideas.models import Comment, Idea
from tests.factories import CampaignFactory, CommentFactory, IdeaFactory, UserFactory, employee, the_box

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks.idea_commented, "delay", lambda comment_id: calls.append(comment_id))
    return calls


def refusal(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def test_a_participant_comments_and_the_authors_are_notified_after_commit(
    participant, sent, django_capture_on_commit_callbacks
):
    idea = IdeaFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        comment = services.add_comment(idea=idea, author=participant, body="  Good idea.  ")
    assert sent == []  # not while the transaction is open
    for callback in callbacks:
        callback()
    assert sent == [comment.pk]
    assert comment.body == "Good idea."
    idea.refresh_from_db()
    assert idea.comment_count == 1


def test_a_reply_to_a_reply_joins_the_top_level_thread(participant, sent):
    idea = IdeaFactory()
    top = services.add_comment(idea=idea, author=participant, body="Top")
    reply = services.add_comment(idea=idea, author=UserFactory(), body="Reply", parent=top)
    deeper = services.add_comment(idea=idea, author=participant, body="Reply to reply", parent=reply)
    assert reply.parent == top
    assert deeper.parent == top
    idea.refresh_from_db()
    assert idea.comment_count == 3


def test_a_reply_must_be_to_a_visible_comment_of_the_same_idea(participant, sent):
    idea = IdeaFactory()
    elsewhere = CommentFactory()
    hidden = CommentFactory(idea=idea, hidden=True, hidden_reason="rude")
    for parent in (elsewhere, hidden):
        error = refusal(lambda p=parent: services.add_comment(idea=idea, author=participant, body="x", parent=p))
        assert error.code == "invalid"
        assert "parent" in error.fields
    assert Comment.objects.filter(author=participant).count() == 0


def test_an_empty_or_long_comment_is_invalid(participant, sent):
    idea = IdeaFactory()
    assert refusal(lambda: services.add_comment(idea=idea, author=participant, body="   ")).fields.keys() == {"body"}
    assert refusal(lambda: services.add_comment(idea=idea, author=participant, body="x" * 5001)).code == "invalid"
    idea.refresh_from_db()
    assert idea.comment_count == 0


def test_an_unverified_user_may_not_comment(sent):
    error = refusal(lambda: services.add_comment(idea=IdeaFactory(), author=UserFactory(verified=False), body="Hi"))
    assert error.code == "not_allowed"


def test_internal_ideas_take_comments_from_employees_only(participant, sent):
    idea = IdeaFactory(campaign=CampaignFactory(audience=Audience.INTERNAL))
    assert refusal(lambda: services.add_comment(idea=idea, author=participant, body="Hi")).code == "not_found"
    moderator = UserFactory(groups=["moderators"])
    assert refusal(lambda: services.add_comment(idea=idea, author=moderator, body="Hi")).code == "not_allowed"
    assert services.add_comment(idea=idea, author=employee(), body="Hi").pk
    box_idea = IdeaFactory(campaign=the_box())
    assert services.add_comment(idea=box_idea, author=employee(), body="Hi").pk


@pytest.mark.parametrize("state", ["hidden", "unapproved"])
def test_hidden_and_unapproved_ideas_take_no_comments(participant, sent, state):
    author = UserFactory()
    extra = {"hidden": True, "hidden_reason": "spam"} if state == "hidden" else {"approved": False}
    idea = IdeaFactory(author=author, **extra)
    assert refusal(lambda: services.add_comment(idea=idea, author=participant, body="x")).code == "not_found"
    assert refusal(lambda: services.add_comment(idea=idea, author=author, body="x")).code == "permission_denied"
    moderator = UserFactory(groups=["moderators"])
    assert refusal(lambda: services.add_comment(idea=idea, author=moderator, body="x")).code == "permission_denied"
    assert not Comment.objects.exists()


@pytest.mark.parametrize("phase", [Phase.SUBMISSION, Phase.VOTING, Phase.DELIBERATION, Phase.RESULTS])
def test_comments_stay_open_through_the_phases(participant, sent, phase):
    idea = IdeaFactory(campaign=CampaignFactory(phase=phase))
    assert services.add_comment(idea=idea, author=participant, body="Still thinking").pk


# --- the page --------------------------------------------------------------------------


def test_posting_the_form_adds_the_comment_and_goes_back_to_it(client, participant, sent):
    idea = IdeaFactory()
    client.force_login(participant)
    response = client.post(f"/ideas/{idea.pk}/comments/", {"body": "Nice"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/ideas/{idea.pk}/#comment-{comment.pk}"


def test_htmx_gets_the_comment_section_back(client, participant, sent):
    idea = IdeaFactory(comment_count=1)
    top = CommentFactory(idea=idea)
    client.force_login(participant)
    response = client.post(f"/ideas/{idea.pk}/comments/", {"body": "A reply", "parent": top.pk}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="comments"' in html
    assert "A reply" in html
    assert "2 comments" in html
    assert Comment.objects.get(body="A reply").parent == top


def test_a_refused_comment_shows_its_error(client, participant, sent):
    idea = IdeaFactory()
    client.force_login(participant)
    response = client.post(f"/ideas/{idea.pk}/comments/", {"body": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = client.post(f"/ideas/{idea.pk}/comments/", {"body": "x", "parent": 987654})
    assert response.status_code == 400
    response = client.post(f"/ideas/{idea.pk}/comments/", {"body": "x", "parent": "abc"})
    assert response.status_code == 400
    response = client.post(f"/ideas/{idea.pk}/comments/", {"body": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # htmx swaps only 2xx: the errors come back in the section
    assert 'role="alert"' in response.content.decode()
    assert not Comment.objects.exists()


def test_an_unverified_users_comment_is_refused_with_a_403(client, sent):
    client.force_login(UserFactory(verified=False))
    idea = IdeaFactory()
    response = client.post(f"/ideas/{idea.pk}/comments/", {"body": "Hi"})
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_a_visitor_is_sent_to_log_in_and_get_is_not_allowed(client, sent):
    idea = IdeaFactory()
    response = client.post(f"/ideas/{idea.pk}/comments/", {"body": "Hi"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    client.force_login(UserFactory())
    assert client.get(f"/ideas/{idea.pk}/comments/").status_code == 405


def test_commenting_on_an_invisible_idea_is_a_404(client, participant, sent):
    idea = IdeaFactory(campaign=CampaignFactory(audience=Audience.INTERNAL))
    client.force_login(participant)
    assert client.post(f"/ideas/{idea.pk}/comments/", {"body": "Hi"}).status_code == 404
    assert Idea.objects.get(pk=idea.pk).comment_count == 0

"""The admin's lists of ideas, comments and tags, and its actions through the services."""

import pytest

from ideas.models import ModerationAction
from tests.factories import CommentFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True, groups=["moderators"]))
    return client


def test_the_lists_and_forms_open(staff_client):
    idea = IdeaFactory(title="Findable idea")
    comment = CommentFactory(idea=idea)
    idea.tags.create(name="energy")
    for url in [
        "/admin/ideas/idea/",
        "/admin/ideas/idea/?q=Findable",
        "/admin/ideas/idea/?status__exact=published&hidden__exact=0",
        f"/admin/ideas/idea/{idea.pk}/change/",
        "/admin/ideas/comment/",
        f"/admin/ideas/comment/{comment.pk}/change/",
        "/admin/ideas/tag/",
    ]:
        assert staff_client.get(url).status_code == 200, url
    assert "Findable idea" in staff_client.get("/admin/ideas/idea/?q=Findable").content.decode()
    assert staff_client.get("/admin/ideas/idea/add/").status_code == 403


def test_state_is_read_only_in_the_admin(staff_client):
    idea = IdeaFactory()
    html = staff_client.get(f"/admin/ideas/idea/{idea.pk}/change/").content.decode()
    assert 'name="title"' in html
    assert 'name="status"' not in html
    assert 'name="hidden"' not in html
    assert 'name="vote_count"' not in html


def test_approving_from_the_admin_goes_through_moderation(staff_client):
    idea = IdeaFactory(approved=False)
    response = staff_client.post("/admin/ideas/idea/", {"action": "approve", "_selected_action": [idea.pk], "index": 0})
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.approved is True
    assert ModerationAction.objects.filter(idea=idea, action="approve").exists()

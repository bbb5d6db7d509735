"""Moving an awarded idea of an internal campaign into the idea box
(results.services.move_to_box, its page button and API endpoint): the copy,
the link back, the campaign's tally and results untouched, once per idea."""

import datetime

from django.utils import timezone

import pytest
from rest_framework.test import APIClient

from campaigns.models import Audience
from ideabox.exceptions import DomainError
from ideas.models import Comment, Idea, Status, Tag
from jury.models import BoxTransfer, ResultRow
from results import services as publication
from tests.factories import ROLES, CommentFactory, employee, the_box, user_with_role
from tests.jury.test_ranking import juror
from tests.results.test_publication import decided_campaign, stored_rows
from votes.models import Tally, TallyRow, Vote

pytestmark = pytest.mark.django_db


def published(audience=Audience.INTERNAL):
    campaign, ideas = decided_campaign(audience=audience)
    publication.publish_results(campaign_id=campaign.pk)
    return campaign, [Idea.objects.get(pk=idea.pk) for idea in ideas]


def snapshot(campaign) -> tuple:
    stored = Tally.objects.get(campaign=campaign)
    return (
        stored.digest,
        stored.total_votes,
        stored.computed_at,
        list(TallyRow.objects.filter(campaign=campaign).order_by("pk").values_list("pk", "idea_id", "votes", "rank")),
        list(Vote.objects.filter(campaign=campaign).order_by("pk").values_list("pk", "idea_id", "receipt")),
        stored_rows(campaign),
    )


def test_a_manager_moves_an_awarded_idea_into_the_box_with_its_text_authors_tags_and_comments(manager):
    campaign, (winner, *_rest) = published()
    coauthor = employee()
    winner.coauthors.add(coauthor)
    winner.tags.set([Tag.objects.create(name="energy"), Tag.objects.create(name="home")])
    said = timezone.now() - datetime.timedelta(days=3)
    thread = CommentFactory(idea=winner, body="Great idea.", created_at=said)
    reply = CommentFactory(idea=winner, parent=thread, body="Agreed.", created_at=said + datetime.timedelta(hours=1))
    CommentFactory(idea=winner, body="Rude.", hidden=True, hidden_reason="Insult.", created_at=said)
    before = snapshot(campaign)
    now = timezone.now()

    transfer = publication.move_to_box(idea=winner, by=manager, now=now)

    copy = transfer.box_idea
    box = the_box()
    assert (transfer.idea_id, transfer.by_id, transfer.at) == (winner.pk, manager.pk, now)
    assert (copy.campaign_id, copy.title, copy.summary, copy.author_id) == (
        box.pk,
        winner.title,
        winner.summary,
        winner.author_id,
    )
    assert copy.body.startswith(winner.body)
    assert f"/campaigns/{campaign.slug}/results/" in copy.body
    assert (copy.status, copy.category_id, copy.approved, copy.hidden) == (Status.UNDER_REVIEW, None, True, False)
    assert copy.answer_due == now + datetime.timedelta(days=box.review_days)
    assert list(copy.coauthors.all()) == [coauthor]
    assert sorted(copy.tags.values_list("name", flat=True)) == ["energy", "home"]
    copied = {c.body: c for c in Comment.objects.filter(idea=copy)}
    assert set(copied) == {"Great idea.", "Agreed.", "Rude."}
    assert (copied["Great idea."].author_id, copied["Great idea."].created_at) == (thread.author_id, said)
    assert copied["Agreed."].parent_id == copied["Great idea."].pk
    assert copied["Agreed."].created_at == reply.created_at
    assert copied["Rude."].hidden and copied["Rude."].hidden_reason == "Insult."
    assert Idea.objects.get(pk=copy.pk).comment_count == 2
    # the campaign keeps its idea, votes, receipts, tally and results
    assert Idea.objects.get(pk=winner.pk).status == Status.AWARDED
    assert Comment.objects.filter(idea=winner).count() == 3
    assert snapshot(campaign) == before


def test_an_idea_is_moved_once(manager):
    _campaign, (winner, *_rest) = published()
    publication.move_to_box(idea=winner, by=manager)

    with pytest.raises(DomainError) as caught:
        publication.move_to_box(idea=winner, by=manager)

    assert caught.value.code == "already_moved"
    assert BoxTransfer.objects.filter(idea=winner).count() == 1
    assert Idea.objects.filter(campaign=the_box(), title=winner.title).count() == 1


@pytest.mark.parametrize("role", ["visitor", "participant", "employee", "moderator", "chair"])
def test_only_managers_move_ideas(role):
    campaign, (winner, *_rest) = published()
    user = juror(campaign, chair=True).user if role == "chair" else user_with_role(role)

    with pytest.raises(DomainError) as caught:
        publication.move_to_box(idea=winner, by=user)

    assert caught.value.code == "not_found"
    assert not BoxTransfer.objects.exists()


def test_a_public_campaigns_idea_stays_out_of_the_box(manager):
    _campaign, (winner, *_rest) = published(audience=Audience.PUBLIC)

    with pytest.raises(DomainError) as caught:
        publication.move_to_box(idea=winner, by=manager)

    assert caught.value.code == "invalid_transition"


def test_only_an_awarded_idea_once_the_results_are_published(manager):
    campaign, (winner, _second, third) = decided_campaign(audience=Audience.INTERNAL)
    Idea.objects.filter(pk=winner.pk).update(status=Status.AWARDED)
    with pytest.raises(DomainError) as caught:
        publication.move_to_box(idea=winner, by=manager)
    assert caught.value.code == "invalid_transition"  # not published yet

    publication.publish_results(campaign_id=campaign.pk)
    with pytest.raises(DomainError) as caught:
        publication.move_to_box(idea=third, by=manager)  # not selected
    assert caught.value.code == "invalid_transition"
    assert not BoxTransfer.objects.exists()


def test_a_box_idea_is_not_moved_again(manager):
    box_idea = Idea.objects.create(campaign=the_box(), title="In the box", summary="s", status=Status.UNDER_REVIEW)
    with pytest.raises(DomainError) as caught:
        publication.move_to_box(idea=box_idea, by=manager)
    assert caught.value.code == "not_found"


# --- the page button and the API -----------------------------------------------------------


def test_the_award_page_offers_the_move_and_then_links_to_the_box_idea(client, manager):
    campaign, (winner, _second, third) = published()
    client.force_login(manager)
    page = client.get(f"/campaigns/{campaign.slug}/jury/awards/").content.decode()
    assert f"/campaigns/{campaign.slug}/results/{winner.pk}/move-to-box/" in page
    assert f"/campaigns/{campaign.slug}/results/{third.pk}/move-to-box/" not in page

    response = client.post(f"/campaigns/{campaign.slug}/results/{winner.pk}/move-to-box/")

    assert response.status_code == 302
    transfer = BoxTransfer.objects.get(idea=winner)
    page = client.get(f"/campaigns/{campaign.slug}/jury/awards/").content.decode()
    assert f"/ideas/{transfer.box_idea_id}/" in page
    assert f"/campaigns/{campaign.slug}/results/{winner.pk}/move-to-box/" not in page

    again = client.post(f"/campaigns/{campaign.slug}/results/{winner.pk}/move-to-box/", follow=True)
    assert "already in the idea box" in again.content.decode()


@pytest.mark.parametrize("role", [*ROLES, "chair"])
def test_who_may_move_an_idea_into_the_box_on_the_page_and_through_the_api(client, role):
    """One rule (accounts.roles.may_move_to_box, asked through
    results.selectors.box_move_target by both): one matrix."""
    campaign, (winner, *_rest) = published()
    user = juror(campaign, chair=True).user if role == "chair" else user_with_role(role)
    if user is not None:
        client.force_login(user)

    page = client.post(f"/campaigns/{campaign.slug}/results/{winner.pk}/move-to-box/")
    api = client.post(f"/api/v1/campaigns/{campaign.slug}/results/{winner.pk}/move-to-box/")

    if role == "manager":
        assert page.status_code == 302
        assert (api.status_code, api.json()["code"]) == (409, "already_moved")
    else:
        assert page.status_code == 404
        assert (api.status_code, api.json()["code"]) == (404, "not_found")
    assert BoxTransfer.objects.exists() == (role == "manager")


def test_the_api_moves_an_idea_and_answers_with_the_transfer(manager):
    campaign, (winner, *_rest) = published()
    api = APIClient()
    api.force_authenticate(manager)

    response = api.post(f"/api/v1/campaigns/{campaign.slug}/results/{winner.pk}/move-to-box/")

    assert response.status_code == 201
    body = response.json()
    transfer = BoxTransfer.objects.get(idea=winner)
    assert body["idea"] == winner.pk and body["box_idea"] == transfer.box_idea_id
    assert body["url"] == f"/ideas/{transfer.box_idea_id}/"
    second = api.post(f"/api/v1/campaigns/{campaign.slug}/results/{winner.pk}/move-to-box/")
    assert (second.status_code, second.json()["code"]) == (409, "already_moved")


def test_the_api_answers_404_for_an_idea_of_another_campaign(manager):
    campaign, _ideas = published()
    _other, (elsewhere, *_rest) = published()
    api = APIClient()
    api.force_authenticate(manager)

    response = api.post(f"/api/v1/campaigns/{campaign.slug}/results/{elsewhere.pk}/move-to-box/")

    assert response.status_code == 404
    assert ResultRow.objects.filter(idea=elsewhere).exists()


def _attach(idea, name: str, content: bytes):
    from django.core.files.base import ContentFile

    from ideas.models import Attachment

    attachment = Attachment(
        idea=idea, name=name, description=f"The {name}", content_type="application/pdf", size=len(content)
    )
    attachment.file.save(f"{name}-{idea.pk}.pdf", ContentFile(content), save=False)
    attachment.save()
    return attachment


def test_the_attachments_are_copied_into_files_of_their_own(manager):
    from django.core.files.storage import default_storage

    campaign, (winner, *_rest) = published()
    original = _attach(winner, "plan", b"%PDF-1.4 the plan")

    copy = publication.move_to_box(idea=winner, by=manager).box_idea

    [copied] = list(copy.attachments.all())
    assert (copied.name, copied.content_type, copied.size) == ("plan", "application/pdf", len(b"%PDF-1.4 the plan"))
    assert copied.description == "The plan"
    assert copied.file.name != original.file.name
    with copied.file.open("rb") as content:
        assert content.read() == b"%PDF-1.4 the plan"
    # Removing the box idea's copy leaves the campaign's file alone.
    default_storage.delete(copied.file.name)
    assert default_storage.exists(original.file.name)


def test_a_move_that_fails_leaves_no_copied_file(manager, monkeypatch):
    from django.core.files.storage import default_storage

    campaign, (winner, *_rest) = published()
    _attach(winner, "plan", b"%PDF-1.4 the plan")
    saved: list[str] = []
    real_save = default_storage.save

    def remember(name, content, **kwargs):
        saved.append(real_save(name, content, **kwargs))
        return saved[-1]

    def fail(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(default_storage, "save", remember)
    monkeypatch.setattr(publication.BoxTransfer.objects, "create", fail)
    with pytest.raises(RuntimeError):
        publication.move_to_box(idea=winner, by=manager)
    assert saved and not any(default_storage.exists(name) for name in saved)
    assert not BoxTransfer.objects.exists()

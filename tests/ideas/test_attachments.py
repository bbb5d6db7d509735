"""Attachments: images and PDF only, recognised by their content, within a size limit, five at most."""

import io

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest
from PIL import Image

from ideabox.exceptions import DomainError
from ideas import services, uploads
from ideas.models import Attachment, Idea
from tests.factories import CampaignFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def image_bytes(fmt="PNG", size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def submit(campaign, author, files, description="A red square"):
    sent = [uploads.Upload(file, description) for file in files]
    return services.submit_idea(
        campaign=campaign, author=author, title="With pictures", summary="See attached.", attachments=sent
    )


def stored_files(path: str = "ideas") -> set[str]:
    """Every file under `path` in the storage (shared by the tests of a run)."""
    if not default_storage.exists(path):
        return set()
    dirs, files = default_storage.listdir(path)
    found = {f"{path}/{name}" for name in files}
    for folder in dirs:
        found |= stored_files(f"{path}/{folder}")
    return found


@pytest.mark.parametrize(
    ("name", "content", "expected_type"),
    [
        ("photo.png", image_bytes("PNG"), "image/png"),
        ("photo.jpg", image_bytes("JPEG"), "image/jpeg"),
        ("anim.gif", image_bytes("GIF"), "image/gif"),
        ("modern.webp", image_bytes("WEBP"), "image/webp"),
        ("plan.pdf", PDF, "application/pdf"),
    ],
)
def test_images_and_pdfs_are_accepted_by_their_content(participant, name, content, expected_type):
    idea = submit(CampaignFactory(), participant, [upload(name, content, "application/octet-stream")])
    attachment = idea.attachments.get()
    assert attachment.content_type == expected_type
    assert attachment.name == name
    assert attachment.size == len(content)
    assert default_storage.exists(attachment.file.name)


def test_a_pdf_named_png_is_stored_as_a_pdf(participant):
    idea = submit(CampaignFactory(), participant, [upload("innocent.png", PDF, "image/png")])
    attachment = idea.attachments.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.file.name.endswith(".pdf")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("evil.png", b"<html><script>alert(1)</script></html>"),
        ("evil.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("program.png", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100),
        ("archive.pdf", b"PK\x03\x04" + b"\x00" * 100),
        ("broken.png", image_bytes("PNG")[:40]),  # a PNG signature, not a PNG
        ("text.pdf", b"just some words"),
    ],
)
def test_a_wrong_type_disguised_by_its_name_is_refused_and_nothing_is_stored(participant, name, content):
    campaign = CampaignFactory()
    before = stored_files()
    with pytest.raises(DomainError) as caught:
        submit(campaign, participant, [upload(name, content, "image/png")])
    assert caught.value.code == "invalid"
    assert caught.value.fields["attachments"]
    assert name in caught.value.fields["attachments"][0]
    assert not Idea.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files() == before


def test_an_oversized_file_is_refused(participant, settings):
    settings.IDEA_ATTACHMENT_MAX_BYTES = 1000
    big = image_bytes("PNG", size=(400, 400))
    assert len(big) > 1000
    with pytest.raises(DomainError) as caught:
        submit(CampaignFactory(), participant, [upload("big.png", big)])
    assert "too large" in caught.value.fields["attachments"][0]
    assert not Idea.objects.exists()


def test_the_default_limit_is_five_megabytes(participant):
    assert uploads.max_bytes() == 5 * 1024 * 1024
    content = PDF + b"0" * (5 * 1024 * 1024)
    with pytest.raises(DomainError):
        submit(CampaignFactory(), participant, [upload("huge.pdf", content, "application/pdf")])


def test_an_empty_file_is_refused(participant):
    with pytest.raises(DomainError) as caught:
        submit(CampaignFactory(), participant, [upload("empty.png", b"")])
    assert caught.value.code == "invalid"


def test_six_files_are_refused_and_five_accepted(participant):
    campaign = CampaignFactory()
    with pytest.raises(DomainError) as caught:
        submit(campaign, participant, [upload(f"p{i}.png", image_bytes()) for i in range(6)])
    assert "at most 5" in caught.value.fields["attachments"][0]
    assert not Attachment.objects.exists()
    idea = submit(campaign, participant, [upload(f"p{i}.png", image_bytes()) for i in range(5)])
    assert idea.attachments.count() == 5


def test_adding_a_sixth_attachment_later_is_refused(participant):
    idea = submit(CampaignFactory(), participant, [upload(f"p{i}.png", image_bytes()) for i in range(5)])
    before = stored_files()
    with pytest.raises(DomainError) as caught:
        services.add_attachment(idea=idea, by=participant, file=upload("p6.png", image_bytes()), description="Six")
    assert caught.value.fields["attachments"]
    assert idea.attachments.count() == 5
    assert stored_files() == before


def test_the_author_adds_and_removes_an_attachment(participant):
    idea = submit(CampaignFactory(), participant, [])
    attachment = services.add_attachment(idea=idea, by=participant, file=upload("plan.pdf", PDF, "application/pdf"))
    assert default_storage.exists(attachment.file.name)
    with pytest.raises(DomainError) as caught:
        services.remove_attachment(attachment=attachment, by=UserFactory())
    assert caught.value.code == "permission_denied"
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.remove_attachment(attachment=attachment, by=participant)
    assert not Attachment.objects.exists()
    assert not default_storage.exists(attachment.file.name)


def test_the_displayed_name_is_made_safe(participant):
    idea = submit(CampaignFactory(), participant, [upload("../../etc/<b>x</b>.png", image_bytes())])
    name = idea.attachments.get().name
    assert "/" not in name
    assert "<" not in name


def test_the_form_takes_a_file_per_slot_and_refuses_a_disguised_one(client, participant):
    campaign = CampaignFactory()
    client.force_login(participant)
    data = {
        "title": "Pictures",
        "summary": "Two of them.",
        "attachment_1": upload("a.png", image_bytes()),
        "attachment_1_description": "A red square",
        "attachment_3": upload("b.pdf", PDF, "application/pdf"),
    }
    response = client.post(reverse("ideas:submit", args=[campaign.slug]), data)
    assert response.status_code == 302
    assert Idea.objects.get().attachments.count() == 2

    bad = {"title": "Bad", "summary": "Bad.", "attachment_1": upload("x.png", b"GIF89a not really")}
    response = client.post(reverse("ideas:submit", args=[campaign.slug]), bad)
    assert response.status_code == 400
    assert "not a valid image" in response.content.decode() or "is not an image" in response.content.decode()
    assert Idea.objects.count() == 1


def test_the_edit_page_removes_an_attachment(client, participant):
    idea = submit(CampaignFactory(), participant, [upload("a.png", image_bytes())])
    attachment = idea.attachments.get()
    url = reverse("ideas:attachment_delete", args=[idea.pk, attachment.pk])
    client.force_login(UserFactory())
    assert client.post(url).status_code == 302
    assert Attachment.objects.exists()
    client.force_login(participant)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert client.post(reverse("ideas:attachment_delete", args=[idea.pk, 99999])).status_code == 404


def test_the_idea_page_shows_images_and_links_pdfs(client, participant):
    idea = submit(
        CampaignFactory(), participant, [upload("a.png", image_bytes()), upload("plan.pdf", PDF, "application/pdf")]
    )
    html = client.get(idea.get_absolute_url()).content.decode()
    image = idea.attachments.get(content_type="image/png")
    assert f'<img src="{image.file.url}" alt="A red square"' in html
    assert f'<figcaption><a href="{image.file.url}">a.png</a></figcaption>' in html
    pdf = idea.attachments.get(content_type="application/pdf")
    assert f'<a href="{pdf.file.url}" type="application/pdf">plan.pdf</a>' in html
    assert f'<img src="{pdf.file.url}"' not in html


def test_an_idea_of_another_author_takes_no_attachment_from_me(participant):
    idea = IdeaFactory(campaign=CampaignFactory())
    with pytest.raises(DomainError) as caught:
        services.add_attachment(idea=idea, by=participant, file=upload("a.png", image_bytes()), description="A")
    assert caught.value.code == "permission_denied"

"""An image's description is its alternative text (issue 10, item 10): asked
for every image in the submit and edit forms and the API, stored, and the
image's alt everywhere; never the file name."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import jsonschema
import pytest
from rest_framework.test import APIClient

from campaigns.models import Phase
from ideabox.exceptions import DomainError
from ideas import services, uploads
from ideas.models import Attachment, Idea, Status
from tests.factories import CampaignFactory, IdeaFactory, UserFactory, the_box

from .test_attachments import PDF, image_bytes, stored_files, upload

pytestmark = pytest.mark.django_db


def submit(campaign, author, *sent):
    return services.submit_idea(campaign=campaign, author=author, title="Pictures", summary="Look.", attachments=sent)


def refusal(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


# --- the service ----------------------------------------------------------------------------


@pytest.mark.parametrize("description", ["", "   ", "\u202e"])
def test_an_image_without_a_description_is_refused_and_nothing_is_stored(participant, description):
    before = stored_files()
    error = refusal(
        lambda: submit(CampaignFactory(), participant, uploads.Upload(upload("chart.png", image_bytes()), description))
    )
    assert error.code == "invalid"
    [message] = error.fields["attachment_descriptions"]
    assert "Describe the image “chart.png”" in message
    assert not Idea.objects.exists()
    assert stored_files() == before


def test_a_pdf_needs_no_description_and_an_image_keeps_its_own(participant):
    idea = submit(
        CampaignFactory(),
        participant,
        uploads.Upload(upload("plan.pdf", PDF, "application/pdf")),
        uploads.Upload(upload("chart.png", image_bytes()), "  Sales \u202eper   month,\nrising  "),
    )
    pdf, image = idea.attachments.all()
    assert pdf.description == ""
    assert image.description == "Sales per month, rising"


def test_a_description_too_long_is_refused(participant):
    long = "x" * (uploads.MAX_DESCRIPTION_LENGTH + 1)
    error = refusal(
        lambda: submit(CampaignFactory(), participant, uploads.Upload(upload("chart.png", image_bytes()), long))
    )
    assert "at most 250 characters" in error.fields["attachment_descriptions"][0]


def test_a_refusal_names_the_fields_of_the_upload(participant):
    sent = uploads.Upload(
        upload("chart.png", image_bytes()), "", field="attachment_2", description_field="attachment_2_description"
    )
    assert set(refusal(lambda: submit(CampaignFactory(), participant, sent)).fields) == {"attachment_2_description"}
    bad = uploads.Upload(upload("x.png", b"not an image"), "x", field="attachment_2")
    assert set(refusal(lambda: submit(CampaignFactory(), participant, bad)).fields) == {"attachment_2"}


def test_adding_an_image_later_needs_its_description(participant):
    idea = submit(CampaignFactory(), participant)
    error = refusal(lambda: services.add_attachment(idea=idea, by=participant, file=upload("a.png", image_bytes())))
    assert error.fields["attachment_descriptions"]
    attachment = services.add_attachment(
        idea=idea, by=participant, file=upload("a.png", image_bytes()), description="A red square"
    )
    assert attachment.description == "A red square"


# --- the pages ------------------------------------------------------------------------------


def test_the_submit_page_asks_for_a_file_and_a_description_per_slot(client, participant):
    campaign = CampaignFactory()
    client.force_login(participant)
    html = client.get(reverse("ideas:submit", args=[campaign.slug])).content.decode()
    for number in range(1, 6):
        assert f'name="attachment_{number}"' in html
        assert f'name="attachment_{number}_description"' in html
    assert 'name="attachment_6"' not in html
    assert "Describe each image in a few words" in html
    assert 'aria-describedby="attachments-describe"' in html
    assert '<details class="more-attachments">' in html  # slots 2 to 5 folded
    assert "multiple" not in html


def test_the_form_refuses_an_image_without_description_on_its_slot(client, participant):
    campaign = CampaignFactory()
    client.force_login(participant)
    data = {"title": "Pictures", "summary": "Look.", "attachment_2": upload("chart.png", image_bytes())}
    response = client.post(reverse("ideas:submit", args=[campaign.slug]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_attachment_2_description_errors"' in html
    assert "Describe the image “chart.png” in a few words" in html
    assert '<details class="more-attachments" open>' in html  # the refused slot is shown
    assert not Idea.objects.exists()


def test_the_form_refuses_a_description_without_its_file(client, participant):
    campaign = CampaignFactory()
    client.force_login(participant)
    data = {"title": "Pictures", "summary": "Look.", "attachment_1_description": "A chart"}
    response = client.post(reverse("ideas:submit", args=[campaign.slug]), data)
    assert response.status_code == 400
    assert "Choose the file this description is for." in response.content.decode()
    assert not Idea.objects.exists()


def test_the_edit_page_adds_a_described_image_in_the_slots_left(client, participant):
    idea = submit(CampaignFactory(), participant, *[uploads.Upload(upload(f"{n}.pdf", PDF)) for n in range(3)])
    client.force_login(participant)
    url = reverse("ideas:edit", args=[idea.pk])
    html = client.get(url).content.decode()
    assert 'name="attachment_2_description"' in html and 'name="attachment_3"' not in html
    data = {"title": "Pictures", "summary": "Look.", "attachment_1": upload("chart.png", image_bytes())}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Describe the image “chart.png”" in response.content.decode()
    data |= {"attachment_1": upload("chart.png", image_bytes()), "attachment_1_description": "Sales, rising"}
    assert client.post(url, data).status_code == 302
    assert idea.attachments.get(content_type="image/png").description == "Sales, rising"


def test_a_full_idea_offers_no_slot(client, participant):
    idea = submit(CampaignFactory(), participant, *[uploads.Upload(upload(f"{n}.pdf", PDF)) for n in range(5)])
    client.force_login(participant)
    html = client.get(reverse("ideas:edit", args=[idea.pk])).content.decode()
    assert 'name="attachment_1"' not in html
    assert 'id="attachments-describe"' not in html


def test_the_description_is_the_images_alt_and_an_old_image_has_an_empty_one(client, participant):
    idea = submit(CampaignFactory(), participant, uploads.Upload(upload("chart.png", image_bytes()), "Sales, rising"))
    described = idea.attachments.get()
    old = Attachment.objects.create(idea=idea, name="old.png", content_type="image/png", size=10, file="old.png")
    html = client.get(idea.get_absolute_url()).content.decode()
    assert f'<img src="{described.file.url}" alt="Sales, rising"' in html
    assert f'<img src="{old.file.url}" alt=""' in html
    assert f'<figcaption><a href="{old.file.url}">old.png</a></figcaption>' in html
    assert 'alt="old.png"' not in html and 'alt="chart.png"' not in html


def test_a_pdfs_description_follows_its_link(client, participant):
    idea = submit(CampaignFactory(), participant, uploads.Upload(upload("plan.pdf", PDF), "The floor plan"))
    html = client.get(idea.get_absolute_url()).content.decode()
    assert "(PDF, " in html and "): The floor plan</li>" in html


# --- the API --------------------------------------------------------------------------------


def post_idea(api_client, campaign, **data):
    return api_client.post(
        f"/api/v1/campaigns/{campaign.slug}/ideas/", {"title": "X", "summary": "Y", **data}, format="multipart"
    )


def test_the_api_refuses_an_image_without_description(api_client, participant):
    api_client.force_authenticate(participant)
    response = post_idea(
        api_client,
        CampaignFactory(),
        attachments=[SimpleUploadedFile("plan.pdf", PDF), SimpleUploadedFile("chart.png", image_bytes())],
        attachment_descriptions=["The plan"],
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["detail"]
    assert "chart.png" in body["fields"]["attachment_descriptions"][0]
    assert not Idea.objects.exists()


def test_the_api_refuses_more_descriptions_than_attachments(api_client, participant):
    api_client.force_authenticate(participant)
    response = post_idea(api_client, CampaignFactory(), attachment_descriptions=["Nothing"])
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "more descriptions than attachments" in response.json()["fields"]["attachment_descriptions"][0]


def test_the_api_matches_descriptions_to_attachments_by_position_and_patch_adds_one(api_client, participant):
    api_client.force_authenticate(participant)
    response = post_idea(
        api_client,
        CampaignFactory(),
        attachments=[SimpleUploadedFile("plan.pdf", PDF), SimpleUploadedFile("chart.png", image_bytes())],
        attachment_descriptions=["", "Sales, rising"],
    )
    assert response.status_code == 201, response.json()
    assert [(a["name"], a["description"]) for a in response.json()["attachments"]] == [
        ("plan.pdf", ""),
        ("chart.png", "Sales, rising"),
    ]
    url = f"/api/v1/ideas/{response.json()['id']}/"
    refused = api_client.patch(url, {"attachments": [SimpleUploadedFile("b.png", image_bytes())]}, format="multipart")
    assert refused.status_code == 400 and "b.png" in refused.json()["fields"]["attachment_descriptions"][0]
    added = api_client.patch(
        url,
        {"attachments": [SimpleUploadedFile("b.png", image_bytes())], "attachment_descriptions": ["Blue"]},
        format="multipart",
    )
    assert added.status_code == 200
    assert added.json()["attachments"][-1]["description"] == "Blue"


def test_the_schema_describes_the_descriptions_and_the_answer_matches_it(api_client, participant):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    assert "description" in components["Attachment"]["properties"]
    assert "attachment_descriptions" in components["IdeaWriteRequest"]["properties"]
    idea = IdeaFactory()
    Attachment.objects.create(idea=idea, name="old.png", content_type="image/png", size=10, file="old.png")
    body = api_client.get(f"/api/v1/ideas/{idea.pk}/").json()
    assert body["attachments"][0]["description"] == ""
    assert components["Idea"]["properties"]["attachments"]["items"]["$ref"].endswith("/Attachment")
    jsonschema.validate(body["attachments"][0], components["Attachment"], cls=jsonschema.Draft202012Validator)
    assert components["Idea"]["properties"]["tags"]["items"]["type"] == "string"  # a list, not a string


# --- describing an attachment later (the edit page) -----------------------------------------


def old_image(idea) -> Attachment:
    """An image attached before descriptions were asked for."""
    return Attachment.objects.create(idea=idea, name="old.png", content_type="image/png", size=10, file="old.png")


def describe_url(attachment) -> str:
    return reverse("ideas:attachment_describe", args=[attachment.idea_id, attachment.pk])


def test_the_edit_page_asks_to_describe_an_old_image(client, participant):
    idea = IdeaFactory(author=participant)
    attachment = old_image(idea)
    client.force_login(participant)
    html = client.get(reverse("ideas:edit", args=[idea.pk])).content.decode()
    assert "No description" in html
    assert f'action="{describe_url(attachment)}"' in html
    assert 'aria-describedby="attachments-describe-existing"' in html

    response = client.post(describe_url(attachment), {"description": "  A red \u202esquare "})
    assert response.status_code == 302 and response.url == reverse("ideas:edit", args=[idea.pk])
    attachment.refresh_from_db()
    assert attachment.description == "A red square"
    html = client.get(idea.get_absolute_url()).content.decode()
    assert f'<img src="{attachment.file.url}" alt="A red square"' in html


@pytest.mark.parametrize(("description", "error"), [("", "Describe the image “old.png”"), ("x" * 251, "at most 250")])
def test_an_images_description_cannot_be_emptied_or_too_long(client, participant, description, error):
    attachment = old_image(IdeaFactory(author=participant))
    Attachment.objects.filter(pk=attachment.pk).update(description="Before")
    client.force_login(participant)
    response = client.post(describe_url(attachment), {"description": description}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("ideas:edit", args=[attachment.idea_id])
    assert error in response.content.decode()
    attachment.refresh_from_db()
    assert attachment.description == "Before"


def test_a_pdfs_description_may_be_emptied(participant):
    idea = submit(CampaignFactory(), participant, uploads.Upload(upload("plan.pdf", PDF), "The plan"))
    attachment = services.describe_attachment(attachment=idea.attachments.get(), by=participant, description="")
    attachment.refresh_from_db()
    assert attachment.description == ""


@pytest.mark.parametrize(
    ("who", "expected"),
    [("visitor", "login"), ("participant", "refused"), ("moderator", "refused"), ("author", "saved")],
)
def test_only_the_authors_describe_an_attachment(client, participant, moderator, who, expected):
    idea = IdeaFactory(author=participant)
    attachment = old_image(idea)
    person = {"visitor": None, "participant": UserFactory(), "moderator": moderator, "author": participant}[who]
    if person:
        client.force_login(person)
    response = client.post(describe_url(attachment), {"description": "A red square"})
    assert response.status_code == 302
    attachment.refresh_from_db()
    if expected == "login":
        assert "/accounts/login/" in response.url
    elif expected == "refused":
        assert response.url == idea.get_absolute_url()
    assert attachment.description == ("A red square" if expected == "saved" else "")


@pytest.mark.parametrize("state", ["submission closed", "box idea answered"])
def test_an_idea_that_can_no_longer_change_keeps_its_descriptions(client, an_employee, state):
    if state == "submission closed":
        idea = IdeaFactory(author=an_employee, campaign=CampaignFactory(phase=Phase.VOTING))
    else:
        idea = IdeaFactory(author=an_employee, campaign=the_box(), status=Status.ACCEPTED)
    attachment = old_image(idea)
    client.force_login(an_employee)
    response = client.post(describe_url(attachment), {"description": "A red square"})
    assert response.status_code == 302 and response.url == idea.get_absolute_url()
    attachment.refresh_from_db()
    assert attachment.description == ""


def test_describing_takes_a_post_to_an_attachment_of_that_idea(client, participant):
    idea = IdeaFactory(author=participant)
    attachment = old_image(idea)
    elsewhere = old_image(IdeaFactory(author=participant))
    client.force_login(participant)
    assert client.get(describe_url(attachment)).status_code == 405
    wrong = reverse("ideas:attachment_describe", args=[idea.pk, elsewhere.pk])
    assert client.post(wrong, {"description": "x"}).status_code == 404
    assert (
        client.post(reverse("ideas:attachment_describe", args=[idea.pk, 99999]), {"description": "x"}).status_code
        == 404
    )

"""Display names cannot pose as staff, and a badge from the real role stands
beside names on idea pages and comments (issue 9, item 13)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from accounts import names, roles
from accounts.models import User
from tests.factories import CommentFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"
ME_URL = "/api/v1/me/"
REFUSED = "This name is too close to the name of a member of staff: please choose another one."


@pytest.fixture
def ada(db):
    return UserFactory(username="admin", display_name="Ada Admin", is_superuser=True, is_staff=True)


# --- the comparison ---------------------------------------------------------


@pytest.mark.parametrize(
    "lookalike",
    [
        "Ada Admin",
        "ada admin",
        "ADA ADMIN",
        "  Ada   Admin ",
        "Ａｄａ Ａｄｍｉｎ",  # full-width letters (NFKC)
        "Ada\u202e Admin",  # right-to-left override
        "\u2067Ada Admin\u2069",  # isolate
        "Ada\u200b Admin",  # zero-width space
        "Ada\u00a0Admin",  # no-break space
    ],
)
def test_lookalikes_normalise_to_the_same_name(lookalike):
    assert names.normalise(lookalike) == "ada admin"


def test_other_names_stay_apart():
    assert names.normalise("Ada Admins") != names.normalise("Ada Admin")
    assert names.normalise("Zoé") == "zoé"
    assert names.normalise("Straße") == names.normalise("STRASSE")  # case folding, not lowering


def test_the_staff_are_read_in_one_query_with_their_badges(django_assert_num_queries):
    admin = UserFactory(is_superuser=True)
    moderator = UserFactory(groups=["moderators"])
    both = UserFactory(groups=["moderators", "campaign managers"])
    UserFactory(groups=["moderators"], is_active=False)
    UserFactory()
    with django_assert_num_queries(1):
        staff = roles.staff_members()
    assert {pk: member.roles for pk, member in staff.items()} == {
        admin.pk: ("administrator",),
        moderator.pk: ("moderator",),
        both.pk: ("moderator", "manager"),
    }


def test_the_staff_agree_with_the_role_checks():
    from django.contrib.auth.models import Permission

    direct = UserFactory()
    direct.user_permissions.add(Permission.objects.get(codename="manage_campaigns"))
    direct = User.objects.get(pk=direct.pk)
    assert roles.is_manager(direct)
    assert roles.staff_members()[direct.pk].roles == ("manager",)


# --- the profile page ----------------------------------------------------------


@pytest.mark.parametrize("lookalike", ["Ada Admin", "ＡＤＡ admin", "Ada\u202e Admin", "admin", "Ada Lovelace"])
def test_the_profile_page_refuses_a_staff_members_name(client, ada, lookalike):
    ada.first_name, ada.last_name = "Ada", "Lovelace"
    ada.save()
    user = UserFactory(display_name="Before")
    client.force_login(user)
    response = client.post(PROFILE, {"display_name": lookalike, "language": "fr"})
    assert response.status_code == 400
    assert response.context["form"].errors["display_name"] == [REFUSED]
    assert REFUSED in response.content.decode()
    user.refresh_from_db()
    assert (user.display_name, user.language) == ("Before", "")


@pytest.mark.parametrize("staff", ["moderators", "campaign managers"])
def test_moderators_and_managers_names_are_protected_too(client, staff):
    UserFactory(username="mona", display_name="Mona Moderator", groups=[staff])
    client.force_login(UserFactory())
    assert client.post(PROFILE, {"display_name": "mona moderator", "language": ""}).status_code == 400
    assert client.post(PROFILE, {"display_name": "MONA", "language": ""}).status_code == 400  # the username
    assert client.post(PROFILE, {"display_name": "Mona Lisa", "language": ""}).status_code == 302


def test_a_participants_name_may_be_shared(client):
    UserFactory(display_name="Camille Martin")
    client.force_login(UserFactory())
    assert client.post(PROFILE, {"display_name": "Camille Martin", "language": ""}).status_code == 302


def test_a_staff_member_may_keep_or_restyle_their_own_name(client, ada):
    client.force_login(ada)
    assert client.post(PROFILE, {"display_name": "ADA ADMIN", "language": ""}).status_code == 302
    ada.refresh_from_db()
    assert ada.display_name == "ADA ADMIN"


def test_a_former_moderators_name_is_free_again(client):
    former = UserFactory(display_name="Mona Moderator", groups=["moderators"])
    former.groups.clear()
    client.force_login(UserFactory())
    assert client.post(PROFILE, {"display_name": "Mona Moderator", "language": ""}).status_code == 302


# --- the API -----------------------------------------------------------------------


def test_the_api_sets_the_display_name_and_language(api_client):
    user = UserFactory()
    api_client.force_authenticate(user)
    response = api_client.patch(ME_URL, {"display_name": " Zoé  Roy ", "language": "fr"}, format="json")
    assert response.status_code == 200
    assert response.json()["display_name"] == "Zoé Roy"
    assert response.json()["language"] == "fr"
    user.refresh_from_db()
    assert (user.display_name, user.language) == ("Zoé Roy", "fr")
    # A field left out keeps its value.
    assert api_client.patch(ME_URL, {"language": "en"}, format="json").json()["display_name"] == "Zoé Roy"


def test_the_api_refuses_a_staff_members_name_naming_the_field(api_client, ada):
    user = UserFactory(display_name="Before")
    api_client.force_authenticate(user)
    response = api_client.patch(ME_URL, {"display_name": "ａｄａ ADMIN", "language": "fr"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "detail": REFUSED, "fields": {"display_name": [REFUSED]}}
    user.refresh_from_db()
    assert (user.display_name, user.language) == ("Before", "")


def test_the_api_refuses_bad_fields():
    from rest_framework.test import APIClient

    api_client = APIClient()
    api_client.force_authenticate(UserFactory())
    response = api_client.patch(ME_URL, {"display_name": "x" * 81, "language": "xx"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == {"display_name", "language"}


def test_a_visitor_cannot_set_a_name(api_client):
    response = api_client.patch(ME_URL, {"display_name": "Someone"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# --- sign-up -----------------------------------------------------------------------


def test_sign_up_refuses_a_username_that_passes_for_staff(client, ada):
    response = client.post(
        reverse("account_signup"),
        {
            "username": "Ada_Admin",
            "email": "ada@example.org",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
    )
    assert response.status_code == 302  # "Ada_Admin" is not "Ada Admin"
    response = client.post(
        reverse("account_signup"),
        {
            "username": "AdaAdmin",
            "email": "ada2@example.org",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
    )
    assert response.status_code == 302
    ada.display_name = "AdaAdmin2"
    ada.save()
    response = client.post(
        reverse("account_signup"),
        {
            "username": "adaadmin2",
            "email": "ada3@example.org",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [REFUSED]
    assert not User.objects.filter(username="adaadmin2").exists()


# --- the badges ----------------------------------------------------------------------


def test_the_idea_page_shows_the_real_role_beside_authors_and_commenters(client, ada):
    moderator = UserFactory(display_name="Mona", groups=["moderators"])
    manager = UserFactory(display_name="Max", groups=["campaign managers"])
    impostor = UserFactory(display_name="Ada Admln")
    idea = IdeaFactory(author=ada)
    idea.coauthors.set([manager])
    CommentFactory(idea=idea, author=moderator, body="From the moderator")
    CommentFactory(idea=idea, author=impostor, body="From the impostor")
    html = client.get(f"/ideas/{idea.pk}/").content.decode()
    assert 'Ada Admin <span class="role-badge role-administrator">Administrator</span>' in html
    assert 'Max <span class="role-badge role-manager">Campaign manager</span>' in html
    assert '<strong>Mona</strong> <span class="role-badge role-moderator">Moderator</span>' in html
    assert "<strong>Ada Admln</strong>\n" in html or "<strong>Ada Admln</strong> ·" in html.replace("\n  ", " ")
    assert html.count('class="role-badge') == 3


def test_the_badge_is_translated(client, ada):
    idea = IdeaFactory(author=ada)
    client.cookies["ideabox_language"] = "fr"
    html = client.get(f"/ideas/{idea.pk}/").content.decode()
    assert '<span class="role-badge role-administrator">Administrateur</span>' in html


def test_no_badge_beside_the_comment_of_an_anonymous_ideas_author(client):
    moderator = UserFactory(display_name="Mona", groups=["moderators"])
    idea = IdeaFactory(author=moderator, anonymous=True)
    CommentFactory(idea=idea, author=moderator, body="A word from the author")
    html = client.get(f"/ideas/{idea.pk}/").content.decode()
    assert "A word from the author" in html
    assert "Mona" not in html
    assert "role-badge" not in html


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_badges_keep_the_idea_page_query_count_flat_as_staff_comment(client):
    idea = IdeaFactory(author=UserFactory(groups=["moderators"]))
    client.force_login(UserFactory())

    def staff_comments(count):
        for n in range(count):
            CommentFactory(idea=idea, author=UserFactory(groups=["moderators" if n % 2 else "campaign managers"]))

    staff_comments(2)
    client.get(f"/ideas/{idea.pk}/")
    few = queries_for(client, f"/ideas/{idea.pk}/")
    staff_comments(20)
    many = queries_for(client, f"/ideas/{idea.pk}/")
    assert many == few
    assert client.get(f"/ideas/{idea.pk}/").content.decode().count('class="role-badge') == 23


@pytest.mark.parametrize("role", ["unverified", "participant", "employee", "moderator", "manager"])
def test_every_signed_in_person_may_set_their_own_name_by_the_api(api_client, role):
    from tests.factories import user_with_role

    user = user_with_role(role)
    api_client.force_authenticate(user)
    response = api_client.patch(ME_URL, {"display_name": f"A {role}"}, format="json")
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.display_name == f"A {role}"


def test_a_chosen_name_loses_its_bidirectional_controls(client):
    user = UserFactory()
    client.force_login(user)
    assert client.post(PROFILE, {"display_name": "Zoé\u202e Roy\u2066", "language": ""}).status_code == 302
    user.refresh_from_db()
    assert user.display_name == "Zoé Roy"

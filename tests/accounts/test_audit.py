"""The audit log: who did what to which object, from where; append-only on PostgreSQL."""

from django.contrib.auth.models import Group, Permission
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

import pytest

from accounts import services
from accounts.middleware import AuditAddressMiddleware
from accounts.models import AuditAction, AuditEvent
from tests.factories import IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the guard is a PostgreSQL trigger")


def test_an_event_holds_the_actor_id_and_no_name_or_address_outside_a_request():
    person = UserFactory(username="ada", email="ada@example.com")
    idea = IdeaFactory()
    event = services.audit(actor=person, action=AuditAction.IDEA_HIDE, obj=idea, detail={"reason_given": True})
    event.refresh_from_db()
    assert (event.actor_id, event.action, event.object_type, event.object_id, event.detail, event.address) == (
        person.pk,
        "idea.hide",
        "ideas.idea",
        idea.pk,
        {"reason_given": True},
        None,
    )
    assert "ada" not in repr(AuditEvent.objects.values().get())


@pytest.mark.parametrize(("actor", "expected"), [(None, None), (42, 42)])
def test_the_actor_may_be_an_id_or_the_system(actor, expected):
    assert services.audit(actor=actor, action=AuditAction.ROLE_GRANT).actor_id == expected


def test_deleting_the_actor_leaves_the_event_as_it_was():
    person = UserFactory()
    event = services.audit(actor=person, action=AuditAction.ROLE_GRANT, obj=person)
    person_id = person.pk
    person.delete()
    event.refresh_from_db()
    assert (event.actor_id, event.object_id) == (person_id, person_id)


def test_many_events_are_one_insert(django_assert_num_queries):
    ideas = [IdeaFactory() for _ in range(3)]
    with django_assert_num_queries(1):
        services.audit_many(
            actor=None, action=AuditAction.IDEA_STATUS, model=type(ideas[0]), ids=[i.pk for i in ideas], detail={}
        )
    assert sorted(AuditEvent.objects.values_list("object_id", flat=True)) == sorted(i.pk for i in ideas)


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "recorded"),
    [
        (0, "203.0.113.7", "198.51.100.1", "203.0.113.7"),  # no trusted proxy: X-Forwarded-For is anyone's
        (1, "10.0.0.2", "198.51.100.1", "198.51.100.1"),
        (0, "not an address", "", None),
    ],
)
def test_an_event_written_during_a_request_carries_its_client_address(settings, proxies, remote, forwarded, recorded):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().post("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    def view(request):
        return services.audit(actor=None, action=AuditAction.ROLE_GRANT)

    event = AuditAddressMiddleware(view)(request)
    assert event.address == recorded
    assert services.audit(actor=None, action=AuditAction.ROLE_GRANT).address is None  # after the request


def test_the_middleware_is_installed(settings):
    assert "accounts.middleware.AuditAddressMiddleware" in settings.MIDDLEWARE


def test_the_admin_shows_the_log_and_changes_nothing(client, administrator):
    services.audit(actor=administrator, action=AuditAction.ROLE_GRANT, obj=administrator)
    client.force_login(administrator)
    assert client.get("/admin/accounts/auditevent/").status_code == 200
    event = AuditEvent.objects.get()
    assert client.get(f"/admin/accounts/auditevent/{event.pk}/delete/").status_code == 403
    assert client.get("/admin/accounts/auditevent/add/").status_code == 403


# --- the guard (PostgreSQL) ---------------------------------------------------------------


def _event() -> AuditEvent:
    with services.acting_from("192.0.2.10"):
        return services.audit(actor=7, action=AuditAction.IDEA_STATUS, detail={"from": "published", "to": "merged"})


@on_postgresql
@pytest.mark.parametrize(
    "change",
    [{"action": "idea.hide"}, {"actor_id": 8}, {"detail": {}}, {"address": "192.0.2.11"}, {"object_id": 3}],
)
def test_an_event_cannot_be_changed(change):
    event = _event()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(**change)
    assert AuditEvent.objects.get(pk=event.pk).address == "192.0.2.10"


@on_postgresql
def test_an_event_cannot_be_deleted():
    event = _event()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@on_postgresql
def test_blanking_the_address_is_the_one_change_allowed():
    event = _event()
    assert AuditEvent.objects.filter(pk=event.pk).update(address=None) == 1
    event.refresh_from_db()
    assert (event.address, event.action, event.actor_id) == (None, "idea.status", 7)
    # and blanking it again (retention running twice) is no error
    assert AuditEvent.objects.filter(pk=event.pk).update(address=None) == 1


@on_postgresql
def test_blanking_the_address_and_changing_more_at_once_is_refused():
    event = _event()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(address=None, action="idea.hide")


@on_postgresql
def test_the_table_can_still_be_emptied_by_truncate():
    _event()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {AuditEvent._meta.db_table}")
    assert not AuditEvent.objects.exists()


# --- role changes ---------------------------------------------------------------------------


def roles_recorded() -> list[tuple]:
    rows = AuditEvent.objects.values_list("action", "object_type", "object_id", "actor_id", "detail")
    return sorted(rows, key=repr)


def test_giving_and_taking_roles_in_the_admin_is_audited(client, administrator):
    person = UserFactory()
    moderators = Group.objects.get(name="moderators")
    managers = Group.objects.get(name="campaign managers")
    person.groups.add(managers)
    client.force_login(administrator)
    page = f"/admin/accounts/user/{person.pk}/change/"
    form = {
        "username": person.username,
        "email": person.email,
        "is_active": "on",
        "is_staff": "on",
        "groups": [moderators.pk],
        "date_joined_0": "2025-01-01",
        "date_joined_1": "10:00:00",
        "initial-date_joined_0": "2025-01-01",
        "initial-date_joined_1": "10:00:00",
        "language": "",
        "display_name": "",
    }
    response = client.post(page, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert roles_recorded() == [
        ("role.grant", "accounts.user", person.pk, administrator.pk, {"role": "group:moderators"}),
        ("role.grant", "accounts.user", person.pk, administrator.pk, {"role": "staff"}),
        ("role.revoke", "accounts.user", person.pk, administrator.pk, {"role": "group:campaign managers"}),
    ]
    assert client.post(page, form).status_code == 302  # saved again unchanged: nothing more recorded
    assert len(roles_recorded()) == 3


def test_saving_a_person_unchanged_records_nothing(client, administrator):
    person = UserFactory()
    before = services.privileges_of(person)
    assert services.record_role_changes(actor=administrator, holder=person, before=before) == []


def test_changing_a_groups_permissions_in_the_admin_is_audited(client, administrator):
    group = Group.objects.create(name="helpers")
    moderate = Permission.objects.get(codename="moderate", content_type__app_label="accounts")
    client.force_login(administrator)
    response = client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "helpers", "permissions": [moderate.pk]})
    assert response.status_code == 302
    assert roles_recorded() == [
        ("role.grant", "auth.group", group.pk, administrator.pk, {"role": "permission:accounts.moderate"}),
    ]


def test_seeding_a_person_with_a_group_records_it_as_the_systems():
    person, _created = services.ensure_user(
        username="seeded", email="seeded@example.org", password="x" * 12, groups=("moderators",)
    )
    assert roles_recorded() == [("role.grant", "accounts.user", person.pk, None, {"role": "group:moderators"})]
    services.ensure_user(username="seeded", email="seeded@example.org", password="x" * 12, groups=("moderators",))
    assert len(roles_recorded()) == 1  # already held: nothing new

import pytest

from accounts import roles
from tests.factories import UserFactory, employee

pytestmark = pytest.mark.django_db


def test_a_verified_address_at_an_employee_domain_makes_an_employee():
    user = employee()
    assert roles.roles_of(user) == ["participant", "employee"]


def test_an_unverified_address_at_an_employee_domain_makes_nobody():
    user = employee(verified=False)
    assert not roles.is_employee(user)
    assert not roles.is_participant(user)
    assert roles.roles_of(user) == []


def test_a_verified_public_address_makes_a_participant_only():
    user = UserFactory(domain="example.org")
    assert roles.roles_of(user) == ["participant"]


def test_the_domain_is_compared_whole_and_without_case():
    assert roles.is_employee(UserFactory(email="Ann@IdeaBox.Example"))
    assert not roles.is_employee(UserFactory(domain="notideabox.example"))
    assert not roles.is_employee(UserFactory(domain="sub.ideabox.example"))


def test_the_employee_domains_come_from_settings(settings):
    user = UserFactory(domain="acme.test")
    assert not roles.is_employee(user)
    settings.EMPLOYEE_EMAIL_DOMAINS = ["acme.test"]
    roles.forget(user)
    assert roles.is_employee(user)


def test_a_second_verified_address_at_the_employee_domain_counts():
    from allauth.account.models import EmailAddress

    user = UserFactory(domain="example.org")
    EmailAddress.objects.create(user=user, email="someone@ideabox.example", verified=True, primary=False)
    assert roles.is_employee(user)


def test_groups_give_the_moderator_and_manager_roles():
    assert roles.roles_of(UserFactory(groups=["moderators"])) == ["participant", "moderator"]
    assert roles.roles_of(UserFactory(groups=["campaign managers"])) == ["participant", "manager"]


def test_a_superuser_is_an_administrator_with_every_permission():
    admin = employee(is_superuser=True)
    assert roles.roles_of(admin) == ["participant", "employee", "moderator", "manager", "administrator"]


def test_an_anonymous_visitor_has_no_role():
    from django.contrib.auth.models import AnonymousUser

    assert roles.roles_of(AnonymousUser()) == []


def test_roles_cost_a_bounded_number_of_queries(django_assert_max_num_queries):
    user = employee(groups=["moderators"])
    user = type(user).objects.get(pk=user.pk)
    # addresses once, then permissions once (Django caches them per user)
    with django_assert_max_num_queries(3):
        roles.roles_of(user)
        roles.roles_of(user)


# --- who holds a permission: whom a role's reminders and escalations are for ------


def test_holders_of_a_permission_hold_it_through_a_group_or_directly_once_each():
    from django.contrib.auth.models import Permission

    moderator = UserFactory(groups=["moderators"])
    direct = UserFactory()
    direct.user_permissions.add(Permission.objects.get(content_type__app_label="accounts", codename=roles.MODERATE))
    both = UserFactory(groups=["moderators"])
    both.user_permissions.add(Permission.objects.get(content_type__app_label="accounts", codename=roles.MODERATE))
    UserFactory(groups=["moderators"], is_active=False)
    UserFactory(is_superuser=True, is_staff=True)  # every permission, but in no team
    UserFactory(groups=["campaign managers"])
    UserFactory()
    assert list(roles.holders_of(roles.MODERATE)) == [moderator, direct, both]


def test_holders_of_manage_campaigns_are_the_managers():
    manager = UserFactory(groups=["campaign managers"])
    UserFactory(groups=["moderators"])
    assert list(roles.holders_of(roles.MANAGE_CAMPAIGNS)) == [manager]

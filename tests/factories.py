import datetime as _dt

from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

import factory
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount

from accounts.models import User

PASSWORD = "correct horse battery staple"
DAY = _dt.timedelta(days=1)


class UserFactory(factory.django.DjangoModelFactory):
    """A user with one primary e-mail address.

    The address is verified unless `verified=False`; `domain` picks the
    address's domain; `groups=["moderators"]` adds role groups.
    """

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    class Params:
        domain = "example.org"

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@{o.domain}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        obj.save()
        if create:
            verified = True if extracted is None else bool(extracted)
            EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=verified)

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.groups.add(*Group.objects.filter(name__in=extracted))


def employee(**kwargs) -> User:
    return UserFactory(domain="ideabox.example", **kwargs)


# A company's own domain, outside EMPLOYEE_EMAIL_DOMAINS: whoever has an
# address there is an employee only through company sign-in.
COMPANY_DOMAIN = "corp.example"


def company_signed_in(*, days_ago: float = 0, provider: str = "corp", **kwargs) -> User:
    """A person whose only verified address is in COMPANY_DOMAIN, who last
    signed in through company sign-in `days_ago` days ago (allauth's
    SocialAccount, saved at every sign-in)."""
    user = UserFactory(domain=COMPANY_DOMAIN, **kwargs)
    account = SocialAccount.objects.create(user=user, provider=provider, uid=f"{provider}-{user.pk}")
    # last_login is auto_now: only an update sets it in the past.
    SocialAccount.objects.filter(pk=account.pk).update(last_login=timezone.now() - days_ago * DAY)
    return user


def company_employee(**kwargs) -> User:
    """Made an employee by a company sign-in today."""
    return company_signed_in(days_ago=0, **kwargs)


def company_leaver(**kwargs) -> User:
    """Signed in through the company once, longer ago than
    SSO_EMPLOYEE_MAX_AGE_DAYS: a participant, no longer an employee."""
    return company_signed_in(days_ago=settings.SSO_EMPLOYEE_MAX_AGE_DAYS + 1, **kwargs)


# The roles of the permission matrices, weakest first.
ROLES = ("visitor", "unverified", "participant", "employee", "moderator", "manager")

# The people company sign-in makes, for the matrices that decide by
# employee-ness, and the role each must answer as: roles are computed, so a
# company sign-in is worth an employee's address while it is recent.
COMPANY_ROLES = {"company employee": "employee", "company leaver": "participant"}
ROLES_WITH_COMPANY = (*ROLES, *COMPANY_ROLES)


def answers_as(role: str) -> str:
    """The role whose expectations `role` shares (itself, but for COMPANY_ROLES)."""
    return COMPANY_ROLES.get(role, role)


def user_with_role(role: str) -> User | None:
    """A fresh user with this site-wide role; None for a visitor."""
    makers = {
        "visitor": lambda: None,
        "unverified": lambda: UserFactory(verified=False),
        "unverified employee": lambda: employee(verified=False),
        "participant": lambda: UserFactory(),
        "employee": lambda: employee(),
        "moderator": lambda: UserFactory(groups=["moderators"]),
        "manager": lambda: UserFactory(groups=["campaign managers"]),
        "company employee": company_employee,
        "company leaver": company_leaver,
    }
    return makers[role]()


# --- campaigns and ideas ----------------------------------------------------

from campaigns.models import Audience, Campaign, Category, Kind, Phase  # noqa: E402
from ideas.models import Comment, Idea, Status  # noqa: E402

# Where "now" falls in the schedule of a campaign in each phase.
_SCHEDULES = {
    Phase.DRAFT: (3, 10, 10, 17, 24),
    Phase.SUBMISSION: (-1, 7, 7, 14, 21),
    Phase.VOTING: (-14, -7, -7, 7, 14),
    Phase.DELIBERATION: (-21, -14, -14, -1, 7),
    Phase.RESULTS: (-28, -21, -21, -14, -1),
    Phase.ARCHIVED: (-60, -50, -50, -40, -30),
}


def schedule_for(phase: str, now=None) -> dict:
    """A consistent schedule that puts `now` inside `phase`."""
    now = now or timezone.now()
    days = _SCHEDULES[phase]
    names = ("submission_opens", "submission_closes", "voting_opens", "voting_closes", "deliberation_ends")
    return {name: now + offset * DAY for name, offset in zip(names, days, strict=True)}


class CampaignFactory(factory.django.DjangoModelFactory):
    """A challenge in `phase` (default submission) with a schedule around now."""

    class Meta:
        model = Campaign

    title = factory.Sequence(lambda n: f"Campaign {n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    theme = "Ideas for **the connected home**."
    audience = Audience.PUBLIC
    kind = Kind.CHALLENGE
    phase = Phase.SUBMISSION

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        for name, value in schedule_for(kwargs["phase"]).items():
            kwargs.setdefault(name, value)
        return super()._create(model_class, *args, **kwargs)


def the_box() -> Campaign:
    """The idea box (created by a migration)."""
    return Campaign.objects.get(kind=Kind.BOX)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class IdeaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Idea

    campaign = factory.SubFactory(CampaignFactory)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Idea number {n}")
    summary = "A short summary of the idea."
    body = "Some *Markdown* body."
    status = factory.LazyAttribute(lambda o: Status.UNDER_REVIEW if o.campaign.kind == Kind.BOX else Status.PUBLISHED)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    idea = factory.SubFactory(IdeaFactory)
    author = factory.SubFactory(UserFactory)
    body = "I like it."

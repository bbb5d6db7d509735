from django.contrib.auth.models import Group

import factory
from allauth.account.models import EmailAddress

from accounts.models import User

PASSWORD = "correct horse battery staple"


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


# The roles of the permission matrices, weakest first.
ROLES = ("visitor", "unverified", "participant", "employee", "moderator", "manager")


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
    }
    return makers[role]()


# --- campaigns and ideas ----------------------------------------------------

import datetime as _dt  # noqa: E402

from django.utils import timezone  # noqa: E402

from campaigns.models import Audience, Campaign, Category, Kind, Phase  # noqa: E402
from ideas.models import Comment, Idea, Status  # noqa: E402

DAY = _dt.timedelta(days=1)

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

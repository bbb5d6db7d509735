from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person with an account.

    Roles are not columns: employee and participant come from the verified
    e-mail addresses, moderator and campaign manager from groups
    (accounts.roles says which).
    """

    display_name = models.CharField(
        _("display name"),
        max_length=80,
        blank=True,
        help_text=_("The name shown beside your ideas and comments. Your username is used when it is empty."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language of the site and of the e-mails we send you."),
    )
    # Every employee has at most one entity; company sign-in or an administrator sets it.
    entity = models.ForeignKey(
        "Entity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("entity"),
        help_text=_("Set by company sign-in or by an administrator."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("moderate", _("Can moderate ideas and comments")),
            ("review_box", _("Can review idea-box ideas")),
            ("manage_campaigns", _("Can create and run campaigns")),
        ]
        indexes = [
            # accounts.roles.staff_members() finds the superusers among every account.
            models.Index(fields=["id"], condition=models.Q(is_superuser=True), name="user_superusers"),
        ]

    def __str__(self) -> str:
        return self.get_username()

    @property
    def public_name(self) -> str:
        return self.display_name or self.get_username()


# What an entity's code may hold: what HR systems use for ids.
ENTITY_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_./-]*$"
ENTITY_CODE_RULE = _("Letters, digits and - _ . / only, starting with a letter or a digit.")


class EntityKind(models.TextChoices):
    COMPANY = "company", _("company")
    DIVISION = "division", _("division")
    DEPARTMENT = "department", _("department")


class Entity(models.Model):
    """A part of the company: company > division > department (PRODUCT.md, "People").

    The tree is at most three deep; callers that show a path select
    `parent__parent`. The code is the external id the HR export and the
    sign-in claim use. Which parent a kind may have is checked by
    accounts.entities (a cycle cannot be refused by a constraint); the
    database refuses a company with a parent.
    """

    Kind = EntityKind

    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(
        _("code"),
        max_length=64,
        unique=True,
        validators=[RegexValidator(ENTITY_CODE_PATTERN, ENTITY_CODE_RULE)],
        help_text=_("The entity's id in the HR system and in the company sign-in's claim."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EntityKind.choices, default=EntityKind.DEPARTMENT)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    headcount = models.PositiveIntegerField(
        _("headcount"), null=True, blank=True, help_text=_("How many people work there (the insights' denominator).")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind=EntityKind.COMPANY, parent__isnull=False), name="entity_company_has_no_parent"
            ),
            models.CheckConstraint(condition=models.Q(kind__in=EntityKind.values), name="entity_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def path(self) -> list["Entity"]:
        """The entities from the top of the tree down to this one."""
        path = [self]
        node = self
        while node.parent_id is not None and len(path) < 4:
            node = node.parent
            path.append(node)
        return path[::-1]

    @property
    def division(self) -> "Entity | None":
        """This entity if it is a division, else its division above, if any."""
        return next((node for node in reversed(self.path) if node.kind == EntityKind.DIVISION), None)


def display_name_of(user) -> str:
    """How allauth names a user on its pages."""
    return user.public_name


class NotificationSettings(models.Model):
    """Which e-mails a person gets; one row per user, created on first use.

    The defaults are what someone who never opened the settings page gets.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_settings",
        verbose_name=_("user"),
    )
    idea_commented = models.BooleanField(
        _("comments on my ideas and on ideas I follow"),
        default=True,
        help_text=_("An e-mail when someone comments on an idea you wrote, co-wrote or follow."),
    )
    idea_status_changed = models.BooleanField(
        _("answers to my ideas"),
        default=True,
        help_text=_("An e-mail when your idea is answered or its status changes (accepted, shortlisted, …)."),
    )
    followed_idea_changed = models.BooleanField(
        _("news of ideas I follow"),
        default=True,
        help_text=_("An e-mail when the status of an idea you follow changes."),
    )
    followed_campaign_phase = models.BooleanField(
        _("voting opens in a campaign I follow"),
        default=True,
        help_text=_("An e-mail when a campaign you follow opens its vote."),
    )
    campaign_closing = models.BooleanField(
        _("last call before a deadline"),
        default=True,
        help_text=_("An e-mail the day before a campaign you follow stops taking ideas or votes."),
    )
    jury_reminders = models.BooleanField(
        _("jury reminders"),
        default=True,
        help_text=_(
            "For jurors, campaign managers and jury chairs: an e-mail when scores are still to be given "
            "or awards still to be decided."
        ),
    )
    review_reminders = models.BooleanField(
        _("review reminders"),
        default=True,
        help_text=_(
            "For reviewers and campaign managers: an e-mail when ideas of the idea box wait past their answer date."
        ),
    )
    weekly_digest = models.BooleanField(
        _("weekly digest"),
        default=False,
        help_text=_("Once a week: the new ideas in your campaigns and the news of the ideas you follow."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # The switches, in the order the settings page shows them.
    KINDS = (
        "idea_commented",
        "idea_status_changed",
        "followed_idea_changed",
        "followed_campaign_phase",
        "campaign_closing",
        "jury_reminders",
        "review_reminders",
        "weekly_digest",
    )

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return f"notification settings of {self.user_id}"


class NotificationKind(models.TextChoices):
    IDEA_COMMENTED = "idea_commented", _("Comment on an idea")
    IDEA_STATUS_CHANGED = "idea_status_changed", _("Answer to an idea")
    FOLLOWED_IDEA_CHANGED = "followed_idea_changed", _("Followed idea changed")
    FOLLOWED_CAMPAIGN_PHASE = "followed_campaign_phase", _("Voting opened")
    CAMPAIGN_CLOSING = "campaign_closing", _("Deadline tomorrow")
    JURY_REMINDERS = "jury_reminders", _("Jury reminder")
    REVIEW_REMINDERS = "review_reminders", _("Review reminder")
    WEEKLY_DIGEST = "weekly_digest", _("Weekly digest")


class Notification(models.Model):
    """An e-mail notification sent, at most once per person and key.

    The key names what it is about ("comment:12", "closing:campaign:3:voting",
    "digest:2025-W07"): the row is written in the transaction that queues the
    e-mail, so a task that runs twice finds it and sends nothing twice.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    key = models.CharField(_("key"), max_length=120)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_key"),
            models.CheckConstraint(
                condition=models.Q(kind__in=NotificationKind.values), name="notification_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} to {self.user_id}"


class AuditAction(models.TextChoices):
    """The audit log's action codes: "<object>.<verb>", stable once written."""

    IDEA_STATUS = "idea.status", _("Idea status changed")
    IDEA_APPROVE = "idea.approve", _("Idea approved")
    IDEA_HIDE = "idea.hide", _("Idea hidden")
    IDEA_RESTORE = "idea.restore", _("Idea restored")
    IDEA_MERGE = "idea.merge", _("Idea merged")
    COMMENT_HIDE = "comment.hide", _("Comment hidden")
    COMMENT_RESTORE = "comment.restore", _("Comment restored")
    REPORT_DISMISS = "report.dismiss", _("Report dismissed")
    ROLE_GRANT = "role.grant", _("Role granted")
    ROLE_REVOKE = "role.revoke", _("Role revoked")
    SSO_SIGNUP = "sso.signup", _("Account created by company sign-in")
    SSO_LINK = "sso.link", _("Account linked to company sign-in")
    TOKEN_ISSUE = "token.issue", _("API token issued")
    TOKEN_REVOKE = "token.revoke", _("API token revoked")
    ENTITY_CREATE = "entity.create", _("Entity created")
    ENTITY_UPDATE = "entity.update", _("Entity changed")
    ENTITY_DELETE = "entity.delete", _("Entity deleted")
    ENTITY_IMPORT = "entity.import", _("Entities imported")
    PERSON_ENTITY = "person.entity", _("Person's entity set")


class AuditEvent(models.Model):
    """One sensitive action, kept for the administrators (PRODUCT.md, "Privacy").

    Append-only: on PostgreSQL a trigger refuses DELETE and every UPDATE but
    blanking the client address, which retention does (migration 0007). The
    actor is a plain id, not a foreign key, and no name or e-mail is stored,
    so erasing a person later changes nothing here. Written only through
    accounts.services.audit / audit_many.
    """

    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, help_text=_("Empty: the system."))
    # An AuditAction code; no choices on the column, so a new code needs no migration.
    action = models.CharField(_("action"), max_length=40)
    object_type = models.CharField(_("object type"), max_length=40, blank=True)
    object_id = models.BigIntegerField(_("object id"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    address = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["-at"], name="audit_newest"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor_id", "-at"], name="audit_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id} by {self.actor_id or 'system'}"

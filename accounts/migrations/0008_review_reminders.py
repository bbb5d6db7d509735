"""Reviewers' and managers' reminders of overdue idea-box answers become a
kind of notification (sent once per person and run, and switchable) instead
of e-mails built apart."""

from django.db import migrations, models

KINDS = [
    ("idea_commented", "Comment on an idea"),
    ("idea_status_changed", "Answer to an idea"),
    ("followed_idea_changed", "Followed idea changed"),
    ("followed_campaign_phase", "Voting opened"),
    ("campaign_closing", "Deadline tomorrow"),
    ("jury_reminders", "Jury reminder"),
    ("review_reminders", "Review reminder"),
    ("weekly_digest", "Weekly digest"),
]


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_audit_log")]

    operations = [
        migrations.RemoveConstraint(model_name="notification", name="notification_kind_valid"),
        migrations.AddField(
            model_name="notificationsettings",
            name="review_reminders",
            field=models.BooleanField(
                default=True,
                help_text="For reviewers and campaign managers: an e-mail when ideas of the idea box wait past "
                "their answer date.",
                verbose_name="review reminders",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(choices=KINDS, max_length=32, verbose_name="kind"),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", [kind for kind, _label in KINDS])), name="notification_kind_valid"
            ),
        ),
    ]

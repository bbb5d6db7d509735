"""The notification tasks moved from ideas/notifications.py to ideas/tasks.py
under new names: messages still waiting in the outbox are sent under them."""

from django.db import migrations

from ideabox.outbox import renaming

TASKS = (
    "idea_commented",
    "idea_status_changed",
    "campaign_phase_changed",
    "campaigns_closing_tomorrow",
    "weekly_digest",
    "coauthors_invited",
)


class Migration(migrations.Migration):
    dependencies = [("ideas", "0005_attachment_description"), ("ideabox", "0002_outbox")]

    operations = [renaming({f"ideas.notifications.{name}": f"ideas.tasks.{name}" for name in TASKS})]

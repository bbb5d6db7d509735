"""The publication's tasks moved from jury/ to results/ under new names:
messages still waiting in the outbox are sent under the new names."""

from django.db import migrations

from ideabox.outbox import renaming

RENAMED = {
    "jury.tasks.publish_results": "results.tasks.publish_results",
    "jury.publication.announce_results": "results.tasks.announce_results",
}


class Migration(migrations.Migration):
    dependencies = [("ideabox", "0002_outbox")]

    operations = [renaming(RENAMED)]

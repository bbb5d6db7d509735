"""The publication's tasks moved from jury/ to results/ under new names:
messages still waiting in the outbox are sent under the new names."""

from django.db import migrations

RENAMED = {
    "jury.tasks.publish_results": "results.tasks.publish_results",
    "jury.publication.announce_results": "results.tasks.announce_results",
}


def rename(apps, schema_editor, names: dict[str, str]) -> None:
    OutboxMessage = apps.get_model("ideabox", "OutboxMessage")
    for old, new in names.items():
        OutboxMessage.objects.filter(task=old).update(task=new)


def forwards(apps, schema_editor):
    rename(apps, schema_editor, RENAMED)


def backwards(apps, schema_editor):
    rename(apps, schema_editor, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [("ideabox", "0002_outbox")]

    operations = [migrations.RunPython(forwards, backwards)]

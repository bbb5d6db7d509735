"""The permanent idea box exists from the start, so /box/ always answers."""

from django.db import migrations


def create_box(apps, schema_editor):
    Campaign = apps.get_model("campaigns", "Campaign")
    if not Campaign.objects.filter(kind="box").exists():
        Campaign.objects.create(
            title="Idea box",
            slug="box",
            kind="box",
            phase="open",
            audience="internal",
            theme="Any idea that would make our work better, at any time of the year.",
        )


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]

    operations = [migrations.RunPython(create_box, migrations.RunPython.noop)]

"""Bidirectional controls out of campaign titles and category names saved before input refused them."""

from django.db import migrations

from ideabox.text import strip_bidi_from_rows


def strip(apps, schema_editor):
    strip_bidi_from_rows(apps.get_model("campaigns", "Campaign"), "title")
    strip_bidi_from_rows(apps.get_model("campaigns", "Category"), "name", unique_with=("campaign_id",))


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0003_work_lease")]

    operations = [migrations.RunPython(strip, migrations.RunPython.noop)]

"""Bidirectional controls out of criterion and award names saved before input refused them."""

from django.db import migrations

from ideabox.text import strip_bidi_from_rows


def strip(apps, schema_editor):
    strip_bidi_from_rows(apps.get_model("jury", "Criterion"), "name", unique_with=("campaign_id",))
    strip_bidi_from_rows(apps.get_model("jury", "Award"), "name", unique_with=("campaign_id",))


class Migration(migrations.Migration):
    dependencies = [("jury", "0002_public_awards_from_the_tally")]

    operations = [migrations.RunPython(strip, migrations.RunPython.noop)]

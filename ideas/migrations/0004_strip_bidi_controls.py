"""Bidirectional controls out of idea titles and tags saved before input refused them."""

from django.db import migrations

from ideabox.text import strip_bidi_from_rows


def strip(apps, schema_editor):
    strip_bidi_from_rows(apps.get_model("ideas", "Idea"), "title")
    strip_bidi_from_rows(apps.get_model("ideas", "Tag"), "name", unique_with=())


class Migration(migrations.Migration):
    dependencies = [("ideas", "0003_coauthorship_invitations")]

    operations = [migrations.RunPython(strip, migrations.RunPython.noop)]

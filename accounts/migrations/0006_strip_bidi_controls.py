"""Bidirectional controls out of display names saved before input refused them."""

from django.db import migrations

from ideabox.text import strip_bidi_from_rows


def strip(apps, schema_editor):
    strip_bidi_from_rows(apps.get_model("accounts", "User"), "display_name")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_superusers_index")]

    operations = [migrations.RunPython(strip, migrations.RunPython.noop)]

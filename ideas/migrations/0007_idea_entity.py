"""Ideas remember their author's entity at submission (issue 12); ideas made before
have none."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0009_entities'),
        ('ideas', '0006_rename_notification_tasks'),
    ]

    operations = [
        migrations.AddField(
            model_name='idea',
            name='entity',
            field=models.ForeignKey(blank=True, help_text="The author's entity when the idea was submitted.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='ideas', to='accounts.entity', verbose_name='entity'),
        ),
    ]

"""The company's entities (company > division > department) and each person's entity."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0008_review_reminders'),
    ]

    operations = [
        migrations.CreateModel(
            name='Entity',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, verbose_name='name')),
                ('code', models.CharField(help_text="The entity's id in the HR system and in the company sign-in's claim.", max_length=64, unique=True, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9][A-Za-z0-9_./-]*$', 'Letters, digits and - _ . / only, starting with a letter or a digit.')], verbose_name='code')),
                ('kind', models.CharField(choices=[('company', 'company'), ('division', 'division'), ('department', 'department')], default='department', max_length=16, verbose_name='kind')),
                ('headcount', models.PositiveIntegerField(blank=True, help_text="How many people work there (the insights' denominator).", null=True, verbose_name='headcount')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='children', to='accounts.entity', verbose_name='parent')),
            ],
            options={
                'verbose_name': 'entity',
                'verbose_name_plural': 'entities',
                'ordering': ['name', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='user',
            name='entity',
            field=models.ForeignKey(blank=True, help_text='Set by company sign-in or by an administrator.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='members', to='accounts.entity', verbose_name='entity'),
        ),
        migrations.AddConstraint(
            model_name='entity',
            constraint=models.CheckConstraint(condition=models.Q(('kind', 'company'), ('parent__isnull', False), _negated=True), name='entity_company_has_no_parent'),
        ),
        migrations.AddConstraint(
            model_name='entity',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['company', 'division', 'department'])), name='entity_kind_valid'),
        ),
    ]

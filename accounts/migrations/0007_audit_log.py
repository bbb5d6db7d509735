"""The audit log, append-only on PostgreSQL.

A trigger refuses DELETE, and any UPDATE but setting the client address to
NULL (what retention does once the address has been kept long enough).
TRUNCATE fires no row trigger, so tests may still empty the table. Other
databases (SQLite in development and tests) keep the table without the guard.
"""

import django.utils.timezone
from django.db import migrations, models

GUARD = """
CREATE FUNCTION accounts_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.address IS NULL
       AND (NEW.id, NEW.actor_id, NEW.action, NEW.object_type, NEW.object_id, NEW.detail, NEW.at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.actor_id, OLD.action, OLD.object_type, OLD.object_id, OLD.detail, OLD.at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % refused (only blanking the address is allowed)', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER accounts_auditevent_append_only
    BEFORE UPDATE OR DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION accounts_auditevent_append_only();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS accounts_auditevent_append_only ON accounts_auditevent;
DROP FUNCTION IF EXISTS accounts_auditevent_append_only();
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD, params=None)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_strip_bidi_controls"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "actor_id",
                    models.BigIntegerField(
                        blank=True, help_text="Empty: the system.", null=True, verbose_name="actor id"
                    ),
                ),
                ("action", models.CharField(max_length=40, verbose_name="action")),
                ("object_type", models.CharField(blank=True, max_length=40, verbose_name="object type")),
                ("object_id", models.BigIntegerField(blank=True, null=True, verbose_name="object id")),
                ("detail", models.JSONField(blank=True, default=dict, verbose_name="detail")),
                ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="at")),
                ("address", models.GenericIPAddressField(blank=True, null=True, verbose_name="client address")),
            ],
            options={
                "verbose_name": "audit event",
                "verbose_name_plural": "audit events",
                "ordering": ["-at", "-pk"],
                "indexes": [
                    models.Index(fields=["-at"], name="audit_newest"),
                    models.Index(fields=["object_type", "object_id"], name="audit_object"),
                    models.Index(fields=["actor_id", "-at"], name="audit_actor"),
                ],
            },
        ),
        migrations.RunPython(guard, unguard),
    ]

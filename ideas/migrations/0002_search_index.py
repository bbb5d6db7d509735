"""A full-text index for searching ideas on PostgreSQL.

The expression is the one ideas.selectors.search_ideas builds
(SearchVector("title", "summary", config="simple")), so the planner uses
it. SQLite has no such index: its fallback search is a plain scan.
"""

from django.db import migrations

INDEX = "idea_search"
CREATE = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON ideas_idea USING gin "
    "(to_tsvector('simple'::regconfig, COALESCE(title, '') || ' ' || COALESCE(summary, '')))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("ideas", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]

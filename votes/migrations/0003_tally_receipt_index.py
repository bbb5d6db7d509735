"""An index for reading a campaign's receipt list in byte order on PostgreSQL.

The tally hashes the list `<receipt>,<idea id>\\n` sorted by receipt in
byte order (votes/tally.py, ORDER BY receipt COLLATE "C"). With this index
the database reads the votes of one campaign already in that order, and
from the index alone (idea_id is included), instead of sorting a million
rows on disk. The expression (COLLATE "C" on receipt) must stay the one
the tally's query orders by, or the planner falls back to a sort. SQLite
has no such index: its tally sorts in the query.
"""

from django.db import migrations

INDEX = "vote_tally_receipts"
CREATE = f'CREATE INDEX IF NOT EXISTS {INDEX} ON votes_vote (campaign_id, receipt COLLATE "C") INCLUDE (idea_id)'


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("votes", "0002_tally")]

    operations = [migrations.RunPython(create, drop)]

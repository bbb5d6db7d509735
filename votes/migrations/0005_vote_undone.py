"""vote_undone(rule): how the vote's one-statement write refuses on PostgreSQL
once it has written (votes/services.py, _WRITE_SQL).

The statement spends a vote of the ballot before it inserts the vote and
counts it; when the vote is then not counted (an identical vote committed
meanwhile, or the idea merged or hidden meanwhile), the statement must
fail as a whole so the spent ballot is not kept. This function raises
that failure by name: SQLSTATE IB001, the rule in the hint. Outside a
transaction of its own the statement stays one round trip (a transaction
around it measured about 0.3 ms more per vote). SQLite writes step by step
in a transaction and needs no function.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION vote_undone(rule text) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'IB001', MESSAGE = 'vote undone by the rule ' || rule, HINT = rule;
END
$$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS vote_undone(text)")


class Migration(migrations.Migration):
    dependencies = [("votes", "0004_leaner_vote_indexes")]

    operations = [migrations.RunPython(create, drop)]

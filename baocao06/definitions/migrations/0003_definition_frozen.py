"""A published definition version never changes: the database itself refuses to update its row.

PostgreSQL (production) refuses UPDATE and DELETE with a trigger, as the audit log does. SQLite (the
demo database) refuses UPDATE; DELETE stays possible there because Django's test flush empties
tables with DELETE. Rounds reference their version with PROTECT in both. A test checks the trigger
exists, since SQLite drops triggers when a later migration rebuilds the table.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION definition_frozen() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'definitions_definition: a published version never changes (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER definition_frozen
    BEFORE UPDATE OR DELETE ON definitions_definition
    FOR EACH ROW EXECUTE FUNCTION definition_frozen();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS definition_frozen ON definitions_definition;
DROP FUNCTION IF EXISTS definition_frozen();
"""
SQLITE_FORWARD = """
CREATE TRIGGER definition_frozen BEFORE UPDATE ON definitions_definition
BEGIN
    SELECT RAISE(ABORT, 'definitions_definition: a published version never changes');
END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS definition_frozen;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD, params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("definitions", "0002_definition_draft")]
    operations = [migrations.RunPython(forward, backward)]

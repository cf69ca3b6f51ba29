"""The order history is a legal record: the database itself refuses to change it.

PostgreSQL refuses UPDATE and DELETE of history rows; SQLite refuses UPDATE (its DELETE
stays possible, as test databases are emptied row by row).
"""

from django.db import migrations

POSTGRES = """
CREATE OR REPLACE FUNCTION orders_orderevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'order history is append-only';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER orders_orderevent_append_only
    BEFORE UPDATE OR DELETE ON orders_orderevent
    FOR EACH ROW EXECUTE FUNCTION orders_orderevent_append_only();
"""
POSTGRES_UNDO = """
DROP TRIGGER IF EXISTS orders_orderevent_append_only ON orders_orderevent;
DROP FUNCTION IF EXISTS orders_orderevent_append_only();
"""
SQLITE = """
CREATE TRIGGER orders_orderevent_append_only BEFORE UPDATE ON orders_orderevent
BEGIN
    SELECT RAISE(ABORT, 'order history is append-only');
END;
"""
SQLITE_UNDO = "DROP TRIGGER IF EXISTS orders_orderevent_append_only;"


def statements(schema_editor, forward: bool) -> str:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        return POSTGRES if forward else POSTGRES_UNDO
    if vendor == "sqlite":
        return SQLITE if forward else SQLITE_UNDO
    return ""


def protect(apps, schema_editor):
    sql = statements(schema_editor, forward=True)
    if sql:
        with schema_editor.connection.cursor() as cursor:
            if schema_editor.connection.vendor == "sqlite":
                cursor.connection.executescript(sql)
            else:
                cursor.execute(sql)


def unprotect(apps, schema_editor):
    sql = statements(schema_editor, forward=False)
    if sql:
        with schema_editor.connection.cursor() as cursor:
            if schema_editor.connection.vendor == "sqlite":
                cursor.connection.executescript(sql)
            else:
                cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("orders", "0002_initial")]

    operations = [migrations.RunPython(protect, unprotect)]

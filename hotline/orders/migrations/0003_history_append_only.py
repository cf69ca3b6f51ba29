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


def run(schema_editor, sql: str) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.connection.executescript(sql)  # a trigger body holds several statements
        elif sql:
            cursor.execute(sql)


def protect(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    run(schema_editor, {"postgresql": POSTGRES, "sqlite": SQLITE}.get(vendor, ""))


def unprotect(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    run(schema_editor, {"postgresql": POSTGRES_UNDO, "sqlite": SQLITE_UNDO}.get(vendor, ""))


class Migration(migrations.Migration):
    dependencies = [("orders", "0002_initial")]

    operations = [migrations.RunPython(protect, unprotect)]

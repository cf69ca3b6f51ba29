"""PostgreSQL's full-text index of the published words, for the "postgres" search backend.

The words are cut by jieba before they are stored, so the "simple" configuration, which
only lowercases, indexes them as they are. The weighted vector is a stored generated
column (ranking reads it instead of parsing the words again) with a GIN index. Other
databases need neither: the column is not part of the model, only the backend's SQL reads
it."""

from django.db import migrations

ADD = """
ALTER TABLE knowledge_knowledgeversion ADD COLUMN IF NOT EXISTS search_vector tsvector
GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', search_title), 'A')
    || setweight(to_tsvector('simple', search_text), 'B')
) STORED;
CREATE INDEX IF NOT EXISTS knowledge_version_search
ON knowledge_knowledgeversion USING gin (search_vector);
"""
DROP = """
DROP INDEX IF EXISTS knowledge_version_search;
ALTER TABLE knowledge_knowledgeversion DROP COLUMN IF EXISTS search_vector;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_usage_and_vectors")]

    operations = [migrations.RunPython(create, drop)]

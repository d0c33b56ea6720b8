"""Schema changes that Django's migrations would make expensively."""

from django.db import migrations


def foreign_key_index_drop(app_label: str, model_name: str, name: str, field):
    """Set db_index=False on a foreign key by dropping its index only. Django's AlterField
    rebuilds the whole table on SQLite for this (a copy of millions of tickets)."""

    def index(apps, schema_editor) -> tuple[str, object]:
        model = apps.get_model(app_label, model_name)
        column = model._meta.get_field(name).column
        # The name Django gave the index when it created it (table, column, digest).
        return schema_editor._create_index_name(model._meta.db_table, [column]), model

    def forwards(apps, schema_editor):
        index_name, _ = index(apps, schema_editor)
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index_name)}")

    def backwards(apps, schema_editor):
        _, model = index(apps, schema_editor)
        schema_editor.execute(
            schema_editor._create_index_sql(model, fields=[model._meta.get_field(name)])
        )

    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AlterField(model_name=model_name, name=name, field=field)],
        database_operations=[migrations.RunPython(forwards, backwards)],
    )

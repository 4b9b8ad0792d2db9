# The search index (issue 15). The table is the same on both databases; PostgreSQL gets a GIN index on the
# tsvector column, SQLite an external-content FTS5 table over the stems, kept in step by triggers. The FTS5 table
# indexes the entry's kind too, so that counting one kind's matches never leaves the index (issue 15, bench).

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

FTS_SQL = [
    "CREATE VIRTUAL TABLE tracker_search_fts USING fts5("
    "stems_title, stems_body, kind, content='tracker_searchentry', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER tracker_searchentry_fts_insert AFTER INSERT ON tracker_searchentry BEGIN"
    " INSERT INTO tracker_search_fts(rowid, stems_title, stems_body, kind) VALUES (new.id, new.stems_title, new.stems_body, new.kind);"
    " END",
    "CREATE TRIGGER tracker_searchentry_fts_delete AFTER DELETE ON tracker_searchentry BEGIN"
    " INSERT INTO tracker_search_fts(tracker_search_fts, rowid, stems_title, stems_body, kind)"
    " VALUES ('delete', old.id, old.stems_title, old.stems_body, old.kind);"
    " END",
    "CREATE TRIGGER tracker_searchentry_fts_update AFTER UPDATE ON tracker_searchentry BEGIN"
    " INSERT INTO tracker_search_fts(tracker_search_fts, rowid, stems_title, stems_body, kind)"
    " VALUES ('delete', old.id, old.stems_title, old.stems_body, old.kind);"
    " INSERT INTO tracker_search_fts(rowid, stems_title, stems_body, kind) VALUES (new.id, new.stems_title, new.stems_body, new.kind);"
    " END",
]
FTS_DROP_SQL = [
    "DROP TRIGGER IF EXISTS tracker_searchentry_fts_update",
    "DROP TRIGGER IF EXISTS tracker_searchentry_fts_delete",
    "DROP TRIGGER IF EXISTS tracker_searchentry_fts_insert",
    "DROP TABLE IF EXISTS tracker_search_fts",
]


class OnlyOn:
    """Runs the wrapped operation's SQL only on one database vendor; the model state changes everywhere."""

    def __init__(self, vendor):
        self.vendor = vendor

    def __call__(self, operation_class):
        vendor = self.vendor

        class Wrapped(operation_class):
            def database_forwards(self, app_label, schema_editor, from_state, to_state):
                if schema_editor.connection.vendor == vendor:
                    super().database_forwards(app_label, schema_editor, from_state, to_state)

            def database_backwards(self, app_label, schema_editor, from_state, to_state):
                if schema_editor.connection.vendor == vendor:
                    super().database_backwards(app_label, schema_editor, from_state, to_state)

        Wrapped.__name__ = operation_class.__name__
        return Wrapped


def fts_forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in FTS_SQL:
            schema_editor.execute(sql)


def fts_backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in FTS_DROP_SQL:
            schema_editor.execute(sql)


def build_index(apps, schema_editor):
    # An existing record gets its index; the historical models, so that later migrations cannot break this one.
    from tracker.models.search import rebuild_search_index

    rebuild_search_index(using=schema_editor.connection.alias, apps=apps)


class Migration(migrations.Migration):

    dependencies = [
        ('tracker', '0009_alerts'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('instrument', 'Instrument'), ('source', 'Source'), ('event', 'Event')], max_length=16, verbose_name='kind')),
                ('date', models.DateField(help_text="The event's or source's date, for the date filter.", null=True, verbose_name='date')),
                ('title', models.TextField(blank=True, verbose_name='titles')),
                ('body', models.TextField(blank=True, verbose_name='text')),
                ('stems_title', models.TextField(blank=True)),
                ('stems_body', models.TextField(blank=True)),
                ('vector', django.contrib.postgres.search.SearchVectorField(null=True)),
                ('event', models.OneToOneField(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='search_entry', to='tracker.event')),
                ('instrument', models.OneToOneField(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='search_entry', to='tracker.instrument')),
                ('source', models.OneToOneField(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='search_entry', to='tracker.sourcedocument')),
                ('state', models.ForeignKey(help_text="The event's member state, for the search's state filter.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tracker.memberstate')),
            ],
            options={
                'verbose_name': 'search entry',
                'verbose_name_plural': 'search entries',
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('event__isnull', True), ('instrument__isnull', False), ('kind', 'instrument'), ('source__isnull', True)), models.Q(('event__isnull', True), ('instrument__isnull', True), ('kind', 'source'), ('source__isnull', False)), models.Q(('event__isnull', False), ('instrument__isnull', True), ('kind', 'event'), ('source__isnull', True)), _connector='OR'), name='search_entry_has_one_object')],
            },
        ),
        OnlyOn("postgresql")(migrations.AddIndex)(
            model_name="searchentry",
            index=django.contrib.postgres.indexes.GinIndex(fields=["vector"], name="search_entry_vector"),
        ),
        migrations.RunPython(fts_forwards, fts_backwards),
        migrations.RunPython(build_index, migrations.RunPython.noop),
    ]

"""Each status span keeps what a link to its evidence shows: the event's source, its title, the event's "inferred".

The spans are derived data: the ones already written get these from their events here, in the database, as the
writer would have written them (``tracker.spans.instrument_spans``).
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_evidence_from_events(apps, schema_editor):
    StatusSpan = apps.get_model("tracker", "StatusSpan")
    Event = apps.get_model("tracker", "Event")
    events = Event.objects.using(schema_editor.connection.alias).filter(pk=OuterRef("event_id"))
    StatusSpan.objects.using(schema_editor.connection.alias).update(
        evidence_source_id=Subquery(events.values("source_id")[:1]),
        evidence_title=Subquery(events.values("source__title")[:1]),
        evidence_inferred=Subquery(events.values("inferred")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0017_event_updated_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="statusspan",
            name="evidence_source",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="tracker.sourcedocument",
                verbose_name="evidence's source",
            ),
        ),
        migrations.AddField(
            model_name="statusspan",
            name="evidence_title",
            field=models.CharField(default="", max_length=500, verbose_name="evidence's source title"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="statusspan",
            name="evidence_inferred",
            field=models.BooleanField(default=False, verbose_name="evidence inferred"),
        ),
        migrations.RunPython(copy_evidence_from_events, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="statusspan",
            name="evidence_source",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="tracker.sourcedocument",
                verbose_name="evidence's source",
            ),
        ),
    ]

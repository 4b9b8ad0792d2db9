"""Each status span keeps what the status export cites of its evidence: the event's quote, its source's slug and date.

Derived data, as in 0018: the spans already written get these from their events and sources here, in the database,
as the writer would have written them (``tracker.spans.instrument_spans``).
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_citation_from_events(apps, schema_editor):
    StatusSpan = apps.get_model("tracker", "StatusSpan")
    Event = apps.get_model("tracker", "Event")
    events = Event.objects.using(schema_editor.connection.alias).filter(pk=OuterRef("event_id"))
    StatusSpan.objects.using(schema_editor.connection.alias).update(
        evidence_quote=Subquery(events.values("quote")[:1]),
        evidence_source_slug=Subquery(events.values("source__slug")[:1]),
        evidence_source_date=Subquery(events.values("source__date")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0018_statusspan_evidence"),
    ]

    operations = [
        migrations.AddField(
            model_name="statusspan",
            name="evidence_quote",
            field=models.TextField(default="", verbose_name="evidence's quote"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="statusspan",
            name="evidence_source_slug",
            field=models.CharField(default="", max_length=150, verbose_name="evidence's source slug"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="statusspan",
            name="evidence_source_date",
            field=models.DateField(null=True, verbose_name="evidence's source date"),
        ),
        migrations.RunPython(copy_citation_from_events, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="statusspan",
            name="evidence_source_date",
            field=models.DateField(verbose_name="evidence's source date"),
        ),
    ]

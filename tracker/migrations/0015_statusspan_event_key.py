"""A status span's evidence event becomes a key the ORM can join (the status export reads its quote and source
with the span, issue 18). The column stays what it was, event_id, with no constraint: only Django's state changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0014_status_spans"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="statusspan", name="event_id"),
                migrations.AddField(
                    model_name="statusspan",
                    name="event",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="tracker.event",
                        verbose_name="event",
                    ),
                    preserve_default=False,
                ),
            ],
            database_operations=[],
        ),
    ]

"""``manage.py rebuild_status_spans``: write every pair's status spans afresh from the events (issue 18)."""

import time

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS

from tracker.models import SpanStamp
from tracker.spans import rebuild_status_spans


class Command(BaseCommand):
    help = (
        "Rewrite the precomputed status spans of every instrument from its events with the engine's rules. "
        "Writes keep them current; run this after a migration or a load that bypassed the signals."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias to rebuild in.")
        parser.add_argument(
            "--if-stale",
            action="store_true",
            help="Rebuild only if the spans were not written for the record as it is now (after a migration).",
        )

    def handle(self, *args, database, if_stale, **options):
        if if_stale and SpanStamp.is_current(using=database):
            self.stdout.write("The status spans are current; nothing to rebuild.")
            return
        started = time.perf_counter()
        pairs, entries = rebuild_status_spans(using=database)
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {pairs:,} status spans and {entries:,} entry-into-force spans in {seconds:.1f} s."
            )
        )

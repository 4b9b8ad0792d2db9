import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tracker.management.commands.restore_record import LOAD_ERRORS, load_rows
from tracker.models import VERSIONED_MODELS
from tracker.spans import rebuild_status_spans

RECORD_FIXTURES = [
    "fixtures/states.json",
    "fixtures/sources.json",
    "fixtures/instruments.json",
    "fixtures/events.json",
    # How the texts name instruments and states (issue 13), apart from the rows they point to.
    "fixtures/aliases.json",
    "fixtures/state_actors.json",
]


class Command(BaseCommand):
    help = (
        "Load the curated CSTO record (states, sources, instruments, events) from fixtures/ into an empty database. "
        "A database that already holds a record is left as it is, so staff edits are never overwritten."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Load even if a record exists: rows with the fixtures' ids are overwritten by the fixtures.",
        )

    def handle(self, *args, replace=False, **options):
        models = VERSIONED_MODELS
        existing = {str(model._meta.verbose_name_plural): model.objects.count() for model in models}
        if any(existing.values()) and not replace:
            held = ", ".join(f"{count} {name}" for name, count in existing.items() if count)
            self.stdout.write(f"The database already holds a record ({held}); nothing loaded. Use --replace to force.")
            return
        try:
            with transaction.atomic():
                # The backup loader rather than loaddata: it cleans text and checks every rule (issue 17).
                load_rows(read_fixtures())
                record_initial_history(models)
                # Raw saves pass the signals that keep the status spans current.
                rebuild_status_spans()
        except (*LOAD_ERRORS, OSError, RecursionError) as error:
            # A broken fixture file is an operator's problem to fix: say which, not a traceback (issue 7).
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise CommandError(f"The record could not be loaded, so nothing was loaded: {reason}") from error
        counts = ", ".join(f"{model.objects.count()} {model._meta.verbose_name_plural}" for model in models)
        self.stdout.write(self.style.SUCCESS(f"Loaded the CSTO record: {counts}."))


def read_fixtures() -> list[dict]:
    rows = []
    for name in RECORD_FIXTURES:
        document = json.loads(Path(name).read_text(encoding="utf-8"))
        if not isinstance(document, list) or not all(isinstance(row, dict) for row in document):
            raise ValueError(f"{name} is not a fixture: expected a JSON list of records.")
        rows.extend(document)
    return rows


def record_initial_history(models):
    """Give every row without history a first version, so the first edit in the admin has a "before" to revert to.

    loaddata saves rows raw, and simple-history records nothing for raw saves.
    """
    for model in models:
        history = model.history
        unrecorded = model.objects.exclude(pk__in=history.values("id"))
        history.bulk_history_create(list(unrecorded), default_change_reason="Loaded from fixtures/")

"""``manage.py backup_record PATH``: the whole record and its audit history in one JSON file.

A backup is a Django JSON fixture (``loaddata`` can read it too) in a fixed order: the record
models in dependency order, then their historical records, each by primary key. Primary keys are
kept, so event addresses (/events/<pk>/) stay valid after ``restore_record``. Staff accounts are
not part of it (no password hashes in backup files): history names its editors by username.
"""

import os
import tempfile
from pathlib import Path

from django.core import serializers
from django.core.management.base import BaseCommand, CommandError

from tracker.models import RECORD_MODELS


def backed_up_models() -> list:
    """The record models, then their historical models where the audit trail is installed."""
    history = [model.history.model for model in RECORD_MODELS if hasattr(model, "history")]
    return [*RECORD_MODELS, *history]


def rows_held() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in backed_up_models()}


def describe(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} {label}" for label, count in counts.items())


def record_backup(*, path: Path) -> dict[str, int]:
    """Write the whole record to ``path``; returns the row count per model.

    The file is written beside its destination and renamed into place, so a failed
    backup never leaves a truncated file where a good one was.
    """
    objects = (
        obj for model in backed_up_models() for obj in model._default_manager.order_by("pk").iterator(chunk_size=500)
    )
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            serializers.serialize("json", objects, stream=stream, indent=1, use_natural_foreign_keys=True)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return rows_held()


class Command(BaseCommand):
    help = (
        "Write the whole record (states, sources, instruments, events and their history) to PATH as JSON. "
        "restore_record PATH loads it back into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The file to write; an earlier backup there is replaced.")

    def handle(self, *args, path: Path, **options):
        if not path.parent.is_dir():
            raise CommandError(f"No directory {path.parent} to write the backup into.")
        if path.is_dir():
            raise CommandError(f"{path} is a directory; give a file name.")
        if path.is_symlink() or (path.exists() and not path.is_file()):
            # Renaming over a link, a FIFO or a device would replace it and report success (issue 17).
            raise CommandError(f"{path} is not a regular file; give the name of a new file or of an earlier backup.")
        counts = record_backup(path=path)
        self.stdout.write(self.style.SUCCESS(f"Backed up {describe(counts)} to {path}."))

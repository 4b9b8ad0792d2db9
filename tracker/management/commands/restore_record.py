"""``manage.py restore_record PATH``: load a ``backup_record`` file into an empty database, all or nothing."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, connection, transaction

from tracker.management.commands.backup_record import backed_up_models, describe, rows_held

# What a broken or hand-edited file makes a load raise: each becomes a message, not a traceback.
LOAD_ERRORS = (DeserializationError, DatabaseError, ValidationError, ValueError, LookupError, TypeError, OverflowError)


def record_restore(*, path: Path) -> dict[str, int]:
    """Load a backup into an empty record; returns the row count per model.

    Raises CommandError, with the database unchanged, if the record is not empty or the
    file cannot be read or loaded.
    """
    held = {label: count for label, count in rows_held().items() if count}
    if held:
        raise CommandError(
            f"The database already holds a record ({describe(held)}). Restore only into an empty database."
        )
    rows = _read_rows(path)
    try:
        with transaction.atomic():
            _create_missing_editors(_editor_usernames(rows))
            _load(rows)
    except LOAD_ERRORS as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise CommandError(f"The backup {path} could not be restored, so nothing was changed: {reason}") from error
    return rows_held()


def _load(rows: list[dict]) -> None:
    """Save every row as loaddata would (raw, forward references resolved), then check the keys."""
    models = backed_up_models()
    labels = {model._meta.label_lower for model in models}
    for number, row in enumerate(rows, start=1):
        # Only the record comes from a backup: a crafted file must not be able to add accounts or permissions.
        if str(row.get("model", "")).lower() not in labels:
            raise ValueError(f"row {number} is a {row.get('model')!r}, which is not part of the record.")
    with connection.constraint_checks_disabled():
        deferred = []
        for obj in serializers.deserialize("python", rows, handle_forward_references=True):
            obj.save()
            if obj.deferred_fields:
                deferred.append(obj)
        for obj in deferred:
            obj.save_deferred_fields()
    connection.check_constraints(table_names=[model._meta.db_table for model in models])
    # Rows keep their ids, so the id sequences must start after them (PostgreSQL).
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _read_rows(path: Path) -> list[dict]:
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise CommandError(f"No backup file at {path}.") from error
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise CommandError(f"{path} is not a readable JSON backup: {error}") from error
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise CommandError(f"{path} is not a backup: expected a JSON list of records.")
    return rows


def _editor_usernames(rows: list[dict]) -> set[str]:
    usernames = set()
    for row in rows:
        fields = row.get("fields")
        user = fields.get("history_user") if isinstance(fields, dict) else None
        if isinstance(user, list) and len(user) == 1 and isinstance(user[0], str):
            usernames.add(user[0])
    return usernames


def _create_missing_editors(usernames: set[str]) -> None:
    # History keeps who made each change; the account itself (and its password) is not in the
    # backup, so an editor the database lacks comes back disabled until an administrator enables it.
    User = get_user_model()
    existing = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    for username in sorted(usernames - existing):
        user = User(username=username, is_active=False)
        user.set_unusable_password()
        user.save()


class Command(BaseCommand):
    help = (
        "Load a backup_record file into an EMPTY database, all or nothing: a database that already holds a "
        "record is refused, and a failing load leaves the database as it was."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="A file written by backup_record.")

    def handle(self, *args, path: Path, **options):
        counts = record_restore(path=path)
        self.stdout.write(self.style.SUCCESS(f"Restored {describe(counts)} from {path}."))

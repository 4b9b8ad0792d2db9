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
from tracker.models import RECORD_MODELS, Event, SourceDocument
from tracker.spans import rebuild_status_spans
from tracker.text_cleaning import clean_text_fields

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
            load_rows(rows)
            # Raw saves pass the signals that keep the status spans current.
            rebuild_status_spans()
    except LOAD_ERRORS as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise CommandError(f"The backup {path} could not be restored, so nothing was changed: {reason}") from error
    return rows_held()


def load_rows(rows: list[dict]) -> None:
    """Save every row as loaddata would (raw, forward references resolved), then check the keys and the rules.

    Also what ``load_record`` loads the fixtures with. Text is cleaned as at every other door
    (``tracker.text_cleaning``), and the record is then held to the rules the admin applies
    (a quote must stand in its source, dates in range...): a hand-edited file cannot bring in
    what no form would have accepted. Raises one of ``LOAD_ERRORS``; the caller rolls back.
    """
    models = backed_up_models()
    _check_shape(rows, {model._meta.label_lower: model for model in models})
    with connection.constraint_checks_disabled():
        deferred = []
        for obj in serializers.deserialize("python", rows, handle_forward_references=True):
            clean_text_fields(obj.object)
            obj.save()
            if obj.deferred_fields:
                deferred.append(obj)
        for obj in deferred:
            obj.save_deferred_fields()
    connection.check_constraints(table_names=[model._meta.db_table for model in models])
    _check_rules()
    # Rows keep their ids, so the id sequences must start after them (PostgreSQL).
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _check_shape(rows: list[dict], models: dict) -> None:
    for number, row in enumerate(rows, start=1):
        # Only the record comes from a backup: a crafted file must not be able to add accounts or permissions.
        model = models.get(str(row.get("model", "")).lower())
        if model is None:
            raise ValueError(f"row {number} is a {row.get('model')!r}, which is not part of the record.")
        fields = row.get("fields", {})
        if not isinstance(fields, dict):
            raise ValueError(
                f"row {number} ({model._meta.label}): “fields” is not an object of field names and values."
            )
        known = {field.name for field in model._meta.concrete_fields} | {f.attname for f in model._meta.concrete_fields}
        unknown = sorted(str(name) for name in fields if name not in known)
        if unknown:
            raise ValueError(f"row {number} ({model._meta.label}) has no field {', '.join(unknown)}.")


def _check_rules() -> None:
    """Each restored record as the admin would check it (its own fields and rules; the keys were checked above)."""
    sources = {source.pk: source for source in SourceDocument.objects.all()}
    for model in RECORD_MODELS:
        relations = [field.name for field in model._meta.concrete_fields if field.is_relation]
        for record in model._default_manager.order_by("pk").iterator(chunk_size=1000):
            if model is Event:
                record.source = sources[record.source_id]
            try:
                record.clean_fields(exclude=relations)
                record.clean()
            except ValidationError as error:
                problems = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
                raise ValueError(
                    f"{model._meta.verbose_name} {record.pk} breaks a rule of the record ({problems})"
                ) from error


def _read_rows(path: Path) -> list[dict]:
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise CommandError(f"No backup file at {path}.") from error
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise CommandError(f"{path} is not a readable JSON backup: {error}") from error
    except RecursionError as error:
        raise CommandError(f"{path} is not a backup: its JSON nests too deep to be one.") from error
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

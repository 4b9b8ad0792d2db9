"""Optimistic locking: every record counts its saves, so a save based on an older version is refused (issue 7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


def version_field():
    return models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Counts the saves of this record, so that a save based on an older version is refused."),
    )


class StaleRecordError(Exception):
    """A save based on a version of the record that someone else has changed since (optimistic locking)."""


# Bookkeeping fields every save changes: naming them would say nothing about what a colleague did.
BOOKKEEPING_FIELDS = ("version", "updated_at", "known_from")


def changes_since(record, seen_version: int) -> str:
    """What was changed in ``record`` since version ``seen_version``, in words: "quote, note (by anna)".

    Read from the audit trail; empty when that does not reach back to the version seen.
    """
    history = record.history.model._default_manager.filter(id=record.pk).order_by("history_date", "history_id")
    seen = history.filter(version=seen_version).last()
    saved = history.last()
    if seen is None or saved is None or seen.pk == saved.pk:
        return ""
    delta = saved.diff_against(seen, excluded_fields=BOOKKEEPING_FIELDS)
    fields = [record._meta.get_field(change.field) for change in delta.changes]
    names = [str(field.verbose_name) for field in sorted(fields, key=lambda field: field.creation_counter)]
    editors = sorted(
        {str(entry.history_user) for entry in history.filter(history_date__gt=seen.history_date) if entry.history_user}
    )
    if not names:
        return ""
    return ", ".join(names) + (f" ({', '.join(editors)})" if editors else "")

"""Optimistic locking: every record counts its saves, so a save based on an older version is refused (issue 7).

A row's ``version`` is that count and nothing else. Whether the record as a whole changed, which caches need
to know, is the record's token (``tracker.models.record_token``).

The admin's side (forms that carry the version they showed, and the refusal in words) is ``tracker.admin_locking``.
"""

from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
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


def counts_its_saves(model) -> bool:
    """Whether ``model`` has a ``version_field()``, so its saves are counted and checked."""
    return any(field.name == "version" for field in model._meta.concrete_fields)


@receiver(pre_save)
def count_the_version(sender, instance, raw=False, **kwargs):
    """Bump ``version`` on every save of an existing record, refusing one based on an outdated version.

    A form that showed version N sets ``instance.expected_version = N``; the conditional UPDATE
    then succeeds only if nobody saved in between, even when two saves race (issue 7).
    """
    # A historical copy carries a version too, but is only ever inserted: the "adding" test leaves it alone.
    if raw or instance._state.adding or not counts_its_saves(sender):
        return
    rows = sender._default_manager.filter(pk=instance.pk).order_by()
    expected = getattr(instance, "expected_version", None)
    if expected is None:
        rows.update(version=models.F("version") + 1)
        instance.version = rows.values_list("version", flat=True).first() or 1
        return
    if not rows.filter(version=expected).update(version=expected + 1):
        raise StaleRecordError(f"{sender._meta.verbose_name} {instance.pk} was changed by someone else.")
    instance.version = expected + 1
    del instance.expected_version


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

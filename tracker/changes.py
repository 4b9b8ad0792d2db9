"""What the record learned, and when: new events, corrected ones and removed ones (issue 16).

For a reader coming back after a month, and for the e-mail digests. New
events come from ``Event.created_at`` (which the fixtures' raw loads also set),
corrections and removals from the audit trail (django-simple-history), so an
edit made in the admin shows with what it changed.
"""

import dataclasses
import datetime
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.models import Event

# The fields a reader cares about when an event is corrected; bookkeeping fields are left out.
IGNORED_FIELDS = ["created_at", "updated_at", "version", "known_from"]


@dataclasses.dataclass(frozen=True)
class RecordChange:
    class Kind:
        NEW = "new"
        CORRECTED = "corrected"
        REMOVED = "removed"

    LABELS = {Kind.NEW: _("New"), Kind.CORRECTED: _("Corrected"), Kind.REMOVED: _("Removed")}

    kind: str
    when: datetime.datetime
    # The event as it stands now; for a removal, as it last stood (not saved: it has no page any more).
    event: Event
    # For a correction: the names of the fields that changed.
    changed_fields: tuple[str, ...] = ()
    # Tells two changes of one event apart (the audit row's id, or 0 for "new").
    key: int = 0

    @property
    def label(self):
        return self.LABELS[self.kind]

    @property
    def has_page(self) -> bool:
        return self.kind != self.Kind.REMOVED

    @property
    def day(self) -> datetime.date:
        return timezone.localdate(self.when)


def record_changes(
    *,
    since: datetime.datetime,
    until: datetime.datetime | None = None,
    instrument_ids: Iterable[int] | None = None,
    state_ids: Iterable[int] | None = None,
) -> list[RecordChange]:
    """Every change to the record's events from ``since`` (inclusive) to ``until`` (exclusive), newest first.

    ``instrument_ids`` / ``state_ids`` narrow to events of those instruments or
    states (either matching is enough, as a subscriber to a state and to an
    instrument wants both). An event added in the period is reported once, as
    new, with what it says now: its corrections in the same period are not news.
    """
    scope = _scope(instrument_ids, state_ids)
    window = {"gte": since} | ({"lt": until} if until else {})
    new = Event.objects.filter(**{f"created_at__{op}": day for op, day in window.items()}).filter(scope).with_evidence()
    changes = [RecordChange(RecordChange.Kind.NEW, event.created_at, event) for event in new]
    new_ids = {change.event.pk for change in changes}
    audit = (
        Event.history.filter(**{f"history_date__{op}": day for op, day in window.items()})
        .filter(history_type__in=["~", "-"])
        .filter(scope)
        .exclude(id__in=new_ids)
        .select_related("instrument", "state", "source")
        .order_by("history_date", "history_id")
    )
    current = Event.objects.with_evidence(source_text=True).in_bulk({row.id for row in audit})
    for row in audit:
        if row.history_type == "-":
            changes.append(_removal(row))
            continue
        changed = _changed_fields(row)
        if changed:
            # An event corrected and then removed in the period shows as it last stood.
            event = current.get(row.id) or row.instance
            changes.append(
                RecordChange(RecordChange.Kind.CORRECTED, row.history_date, event, changed, key=row.history_id)
            )
    return sorted(changes, key=lambda change: (change.when, change.key), reverse=True)


def changes_by_day(changes: list[RecordChange]) -> list[tuple[datetime.date, list[RecordChange]]]:
    """The changes (newest first) grouped by the local day they were made."""
    days: dict[datetime.date, list[RecordChange]] = {}
    for change in changes:
        days.setdefault(change.day, []).append(change)
    return list(days.items())


def _scope(instrument_ids, state_ids):
    if instrument_ids is None and state_ids is None:
        return Q()
    scope = Q(id__in=[])
    if instrument_ids is not None:
        scope |= Q(instrument_id__in=list(instrument_ids))
    if state_ids is not None:
        scope |= Q(state_id__in=list(state_ids))
    return scope


def _changed_fields(row) -> tuple[str, ...]:
    previous = row.prev_record
    if previous is None:
        return ()
    delta = row.diff_against(previous, excluded_fields=IGNORED_FIELDS)
    return tuple(str(Event._meta.get_field(name).verbose_name) for name in delta.changed_fields)


def _removal(row) -> RecordChange:
    return RecordChange(RecordChange.Kind.REMOVED, row.history_date, row.instance, key=row.history_id)

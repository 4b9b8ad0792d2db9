"""Reading statuses for many pairs: the events the engine needs, and the status spans valid on a date (issue 18).

``tracker.status`` asks this module; the spans are written by ``tracker.spans`` with the engine's rules.
"""

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable

from tracker.models import Event, Instrument, MemberState
from tracker.models.status_spans import EntryIntoForceSpan, StatusSpan, event_ids
from tracker.status_rules import _unique, not_in_force
from tracker.status_vocabulary import (
    BOUND_STATUSES,
    EVENT_FACT_FIELDS,
    EntryIntoForce,
    EventFacts,
    PairStatus,
)


@dataclasses.dataclass
class SpanRead:
    """The statuses, entries into force and conclusions the spans give for some instruments as of one date."""

    as_of: datetime.date
    instruments: dict[int, Instrument]
    all_states: list[MemberState]
    # The states whose pairs were read (None: all of them).
    state_ids: set[int] | None
    statuses: dict[tuple[int, int], PairStatus]
    entries: dict[int, EntryIntoForce]
    concluded: dict[int, Event | EventFacts | None]

    def entry_into_force(self, instrument: Instrument) -> EntryIntoForce:
        eif = self.entries[instrument.pk]
        if eif.date is not None or eif.binds_on_adoption or eif.waiting_for or eif.missing_count is not None:
            return eif
        # Not in force: what it waits for follows from the pairs' statuses and membership on the date.
        if self.state_ids is None:
            bound = {state.pk for state in self.all_states if self._bound(instrument.pk, state.pk)}
        else:
            bound = self._bound_elsewhere().get(instrument.pk, set())
        eif = not_in_force(instrument, bound, self.all_states, self.as_of)
        self.entries[instrument.pk] = eif
        return eif

    def _bound(self, instrument_id, state_id) -> bool:
        status = self.statuses.get((instrument_id, state_id))
        return status is not None and status.code in BOUND_STATUSES

    def _bound_elsewhere(self) -> dict[int, set[int]]:
        """Every state bound on each instrument not in force, where only some states' pairs were read (one query)."""
        if getattr(self, "_bound_by_instrument", None) is None:
            waiting = [pk for pk, eif in self.entries.items() if eif.date is None and not eif.binds_on_adoption]
            rows = (
                StatusSpan.objects.valid_on(self.as_of)
                .filter(instrument__in=waiting, code__in=list(BOUND_STATUSES))
                .values_list("instrument_id", "state_id")
            )
            self._bound_by_instrument = defaultdict(set)
            for instrument_id, state_id in rows:
                self._bound_by_instrument[instrument_id].add(state_id)
        return self._bound_by_instrument


# Up to this many events are read by their ids; beyond, every event of the instruments known by the date
# (one query either way; a list of ids that long is slower to send than the rows are to read).
EVENTS_BY_ID = 10_000


def read_spans(*, as_of, instruments: list[Instrument], all_states, states=None, brief=False) -> SpanRead:
    """The spans valid on ``as_of`` for ``instruments`` (and ``states``, default all), with their events: 3 queries."""
    instrument_ids = [instrument.pk for instrument in instruments]
    state_ids = None if states is None else {state.pk for state in states}
    pair_rows = StatusSpan.objects.valid_on(as_of).filter(instrument__in=instrument_ids)
    if state_ids is not None:
        pair_rows = pair_rows.filter(state__in=state_ids)
    pair_rows = list(
        pair_rows.values_list(
            "instrument_id",
            "state_id",
            "code",
            "since",
            "precision",
            "event_id",
            "inferred",
            "computed",
            "rests_on",
            "rests_on_entry_into_force",
        )
    )
    entry_rows = list(
        EntryIntoForceSpan.objects.valid_on(as_of)
        .filter(instrument__in=instrument_ids)
        .values_list(
            "instrument_id",
            "date",
            "uncertain",
            "stated_by_id",
            "inferred",
            "binds_on_adoption",
            "rule_recorded",
            "rests_on",
            "concluded_by_id",
        )
    )
    wanted = set()
    for row in pair_rows:
        wanted.add(row[5])
        wanted.update(event_ids(row[8]))
    for row in entry_rows:
        wanted.update(pk for pk in (row[3], row[8]) if pk is not None)
        wanted.update(event_ids(row[7]))
    events = _events_by_id(wanted, instrument_ids, as_of, brief)

    entries, concluded = {}, {}
    for instrument_id, date, uncertain, stated_by, inferred, on_adoption, rule, rests_on, concluded_by in entry_rows:
        entries[instrument_id] = EntryIntoForce(
            date=date,
            uncertain=uncertain,
            stated_by=events[stated_by] if stated_by else None,
            rule_recorded=rule,
            inferred=inferred,
            rests_on=tuple(events[pk] for pk in event_ids(rests_on)),
            binds_on_adoption=on_adoption,
        )
        concluded[instrument_id] = events[concluded_by] if concluded_by else None
    statuses = {}
    for instrument_id, state_id, code, since, precision, event, inferred, computed, rests_on, with_eif in pair_rows:
        rests = tuple(events[pk] for pk in event_ids(rests_on))
        if with_eif:
            rests = _unique(rests + entries[instrument_id].rests_on)
        statuses[instrument_id, state_id] = PairStatus(
            code=code,
            since=since,
            precision=precision,
            event=events[event],
            inferred=inferred,
            computed=computed,
            rests_on=rests,
        )
    return SpanRead(
        as_of=as_of,
        instruments={instrument.pk: instrument for instrument in instruments},
        all_states=all_states,
        state_ids=state_ids,
        statuses=statuses,
        entries=entries,
        concluded=concluded,
    )


def _events_by_id(ids: set[int], instrument_ids, as_of, brief) -> dict:
    if not ids:
        return {}
    if len(ids) <= EVENTS_BY_ID:
        events = events_for(None, as_of=None).filter(pk__in=ids)
    else:
        events = events_for(instrument_ids, as_of=as_of)
    events = events.order_by()
    return {event.pk: event for event in (event_facts(events) if brief else events)}


def events_for(instruments, *, as_of: datetime.date | None):
    """The events the engine needs, in one query: source texts are left behind, they can be large."""
    events = Event.objects.select_related("source").defer("source__text")
    if instruments is not None:
        events = events.filter(instrument__in=instruments)
    if as_of is not None:
        events = events.filter(known_from__lte=as_of)
    return events


def event_facts(events) -> Iterable[EventFacts]:
    """``events`` (a queryset from ``events_for``) as EventFacts rows, read in chunks."""
    return map(EventFacts._make, events.values_list(*EVENT_FACT_FIELDS).iterator(chunk_size=2000))

"""The status engine: the one place that decides where a state stands on an instrument on a date.

Views, exports, the admin and the API all ask this module; none of them
works a status out on its own.

The rules, in short:

* An event counts from ``Event.known_from``: a report "on or before" a date
  never changes the status before that date, and a month or a year counts
  from its end (or from its source's date, if sooner).
* A state's steps only move forward: a later, vaguer report ("ratification
  is continuing") does not erase an earlier, stronger one ("ratified").
  Withdrawal or suspension ends the run; a step reported after it starts a
  new one. A repeated report of the same step keeps the earliest date, but
  may give stronger evidence: a sentence that names the instrument and the
  state beats one that names neither, a stated one beats an inferred one.
* An instrument's entry into force comes from an instrument-level
  "entered into force" event where a source states it, otherwise from its
  entry-into-force rule: the first day on which the states bound that day
  meet it among the states that were members that day (a state joining
  later does not take it out of force). States that have ratified are in
  force from the later of that date and their own.
* A Council decision (no ratification needed) binds on adoption: adopted at
  instrument level, it is adopted for every state that was a member on that
  date, and it is in force from its adoption.
* Weakest link: a status computed from other events is inferred if any event
  it rests on is inferred, and names them all (``PairStatus.rests_on``).
* A report that something is not yet in force ("the primary task is the
  speedy entry into force of the Protocol") changes no status; it is kept
  as evidence (``InstrumentHistory.not_yet``) and checked against the
  computed statuses by ``tracker.record_checks``.

Each status carries the date from which it holds, that date's precision and
the event (hence the source and quote) behind it. Everything is computed from
one query for the events, whatever the number of states, instruments and
events.

The engine is three modules, each importable from here: its vocabulary (``tracker.status_vocabulary``:
the codes and the facts it answers with), its rules (``tracker.status_rules``: one instrument's events
folded into its history) and this one, which reads the record for many pairs at once. None of them words
a fact: ``tracker.wording`` does, for every output.
"""

import dataclasses
import datetime
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping

from tracker.models import Event, Instrument, MemberState
from tracker.models.status_spans import EntryIntoForceSpan, SpanStamp, StatusSpan, event_ids
from tracker.status_rules import _unique, build_history, evidence_strength, not_in_force
from tracker.status_vocabulary import (
    BOUND_STATUSES,
    CONCLUDING_TYPES,
    ENDING_TYPES,
    EVENT_FACT_FIELDS,
    NO_RECORD,
    NOT_YET_TYPES,
    STATUS_OF_EVENT,
    STEP_RANK,
    EntryIntoForce,
    EventFacts,
    InstrumentHistory,
    PairStatus,
    SourceFacts,
    Status,
)

# Callers ask this module for the whole engine, whichever of the three modules defines a name.
__all__ = [
    "BOUND_STATUSES",
    "CONCLUDING_TYPES",
    "ENDING_TYPES",
    "EVENT_FACT_FIELDS",
    "NO_RECORD",
    "NOT_YET_TYPES",
    "STATUS_OF_EVENT",
    "STEP_RANK",
    "EntryIntoForce",
    "EventFacts",
    "InstrumentHistory",
    "PairStatus",
    "SourceFacts",
    "Status",
    "StatusMatrix",
    "build_history",
    "changed_pairs",
    "event_facts",
    "events_for",
    "evidence_strength",
    "instrument_history",
    "iter_status_pairs",
    "status_as_of",
    "status_changed",
    "status_matrix",
]


@dataclasses.dataclass
class StatusMatrix:
    """Every (instrument, state) pair's status as of one date.

    Read from the status spans where they are current (``spans``); ``histories`` (each
    instrument's full history, which the report and the charts walk) is then worked out
    from the events only if someone asks for it.
    """

    as_of: datetime.date
    instruments: list[Instrument]
    states: list[MemberState]
    histories: "Mapping[int, InstrumentHistory]"
    spans: "SpanRead | None" = None

    def status(self, instrument: Instrument, state: MemberState) -> PairStatus:
        if self.spans is not None and (self.spans.state_ids is None or state.pk in self.spans.state_ids):
            return self.spans.statuses.get((instrument.pk, state.pk), NO_RECORD)
        return self.histories[instrument.pk].status_of(state.pk, self.as_of)

    def entry_into_force(self, instrument: Instrument) -> EntryIntoForce:
        if self.spans is not None:
            return self.spans.entry_into_force(instrument)
        return self.histories[instrument.pk].entry_into_force

    def concluded_by(self, instrument: Instrument) -> Event | None:
        if self.spans is not None:
            return self.spans.concluded.get(instrument.pk)
        return self.histories[instrument.pk].concluded_by

    def rows(self):
        """(instrument, [status for each state, in ``states`` order]) for every instrument."""
        for instrument in self.instruments:
            yield instrument, [self.status(instrument, state) for state in self.states]

    def pairs(self):
        """(instrument, state, status) for every pair, instrument by instrument."""
        for instrument, statuses in self.rows():
            for state, status in zip(self.states, statuses, strict=True):
                yield instrument, state, status


class _ComputedHistories(Mapping):
    """Each instrument's history as known by a date, folded from the events on first use, all in one query."""

    def __init__(self, instruments: list[Instrument], states: list[MemberState], as_of: datetime.date, brief: bool):
        self._instruments, self._states, self._as_of, self._brief = instruments, states, as_of, brief
        self._ids = {instrument.pk for instrument in instruments}
        self._built = None

    def __getitem__(self, instrument_id):
        if self._built is None:
            self._built = _computed_histories(self._instruments, self._states, self._as_of, self._brief)
        return self._built[instrument_id]

    def __iter__(self):
        return iter(self._ids)

    def __len__(self):
        return len(self._ids)

    def __contains__(self, instrument_id):
        return instrument_id in self._ids


def _computed_histories(instruments, states, as_of, brief) -> dict[int, InstrumentHistory]:
    by_instrument: dict[int, list[Event]] = defaultdict(list)
    events = events_for([instrument.pk for instrument in instruments], as_of=as_of)
    for event in event_facts(events) if brief else events:
        by_instrument[event.instrument_id].append(event)
    return {
        instrument.pk: build_history(instrument, by_instrument.get(instrument.pk, ()), states, as_of)
        for instrument in instruments
    }


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


def status_matrix(
    *,
    as_of: datetime.date,
    instruments: Iterable[Instrument] | None = None,
    states: Iterable[MemberState] | None = None,
    brief: bool = False,
) -> StatusMatrix:
    """The status of every pair as of ``as_of``, from the status spans, in six queries however large the record.

    ``instruments`` and ``states`` narrow what the matrix shows (default: all);
    entry into force is still worked out over all member states, since a rule
    such as "all parties have ratified" depends on every one of them. With
    ``brief``, statuses carry ``EventFacts`` instead of ``Event`` instances:
    the same answers, several times faster to read, for callers that show no
    more of the evidence than EventFacts holds. Where the spans are behind the
    record (a write that bypassed the signals), the events are folded instead.
    """
    all_states = list(MemberState.objects.all())
    shown_states = all_states if states is None else list(states)
    instrument_list = list(Instrument.objects.all() if instruments is None else instruments)
    histories = _ComputedHistories(instrument_list, all_states, as_of, brief)
    spans = None
    if SpanStamp.is_current():
        spans = read_spans(
            as_of=as_of,
            instruments=instrument_list,
            all_states=all_states,
            states=None if states is None else shown_states,
            brief=brief,
        )
    return StatusMatrix(as_of=as_of, instruments=instrument_list, states=shown_states, histories=histories, spans=spans)


# iter_status_pairs reads this many instruments' spans at a time: flat memory, few queries.
PAIRS_BATCH = 100


def iter_status_pairs(*, as_of: datetime.date, instruments=None, states: Iterable[MemberState] | None = None):
    """(instrument, state, status) for every pair, like ``status_matrix(...).pairs()``, in flat memory.

    For exports of the whole record: the spans of ``PAIRS_BATCH`` instruments
    are held at a time, so memory does not grow with the record. ``instruments``
    is a queryset (default: all); pairs come instrument by instrument in title
    order, states in ``states`` order. Statuses carry ``EventFacts`` (as
    ``status_matrix(brief=True)``).
    """
    all_states = list(MemberState.objects.all())
    shown_states = all_states if states is None else list(states)
    instrument_qs = (Instrument.objects.all() if instruments is None else instruments).order_by("title", "pk")
    instrument_list = list(instrument_qs)
    if not SpanStamp.is_current():
        yield from _computed_pairs(as_of, instruments, instrument_qs, instrument_list, all_states, shown_states)
        return
    for start in range(0, len(instrument_list), PAIRS_BATCH):
        batch = instrument_list[start : start + PAIRS_BATCH]
        read = read_spans(
            as_of=as_of,
            instruments=batch,
            all_states=all_states,
            states=None if states is None else shown_states,
            brief=True,
        )
        for instrument in batch:
            for state in shown_states:
                yield instrument, state, read.statuses.get((instrument.pk, state.pk), NO_RECORD)


def _computed_pairs(as_of, instruments, instrument_qs, instrument_list, all_states, shown_states):
    """``iter_status_pairs`` folded from the events, one instrument's events at a time."""
    # The events come in the same order as the instruments (the database sorts both the same
    # way), so each instrument's events are one run of the stream.
    events = events_for(None if instruments is None else instrument_qs.values("pk"), as_of=as_of)
    events = event_facts(events.order_by("instrument__title", "instrument_id"))
    runs = itertools.groupby(events, key=lambda event: event.instrument_id)
    run_id, run = next(runs, (None, iter(())))
    for instrument in instrument_list:
        instrument_events = []
        if run_id == instrument.pk:
            instrument_events = list(run)
            run_id, run = next(runs, (None, iter(())))
        history = build_history(instrument, instrument_events, all_states, as_of)
        for state in shown_states:
            yield instrument, state, history.status_of(state.pk, as_of)


def instrument_history(instrument: Instrument, *, as_of: datetime.date) -> InstrumentHistory:
    """One instrument's full history as known by ``as_of`` (for timelines)."""
    states = list(MemberState.objects.all())
    return build_history(instrument, list(events_for([instrument.pk], as_of=as_of)), states, as_of)


def status_as_of(instrument: Instrument, state: MemberState, as_of: datetime.date) -> PairStatus:
    """The status of a single pair; for many pairs use ``status_matrix``."""
    return instrument_history(instrument, as_of=as_of).status_of(state.pk, as_of)


def changed_pairs(before: StatusMatrix, after: StatusMatrix) -> set[tuple[int, int]]:
    """The (instrument id, state id) pairs whose status differs between two matrices."""
    changed = set()
    for instrument in after.instruments:
        if instrument.pk not in before.histories:
            continue
        for state in after.states:
            if status_changed(before.status(instrument, state), after.status(instrument, state)):
                changed.add((instrument.pk, state.pk))
    return changed


def status_changed(old: PairStatus, new: PairStatus) -> bool:
    """Whether a pair's status differs between two dates: another status, or the same one from another day."""
    return (old.code, old.since) != (new.code, new.since)

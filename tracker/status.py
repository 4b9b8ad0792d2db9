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

import contextlib
import dataclasses
import datetime
import gc
import itertools
from collections import defaultdict
from collections.abc import Iterable

from tracker.models import Event, Instrument, MemberState
from tracker.status_rules import build_history, evidence_strength
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
    """Every (instrument, state) pair's status as of one date."""

    as_of: datetime.date
    instruments: list[Instrument]
    states: list[MemberState]
    histories: dict[int, InstrumentHistory]

    def status(self, instrument: Instrument, state: MemberState) -> PairStatus:
        return self.histories[instrument.pk].status_of(state.pk, self.as_of)

    def entry_into_force(self, instrument: Instrument) -> EntryIntoForce:
        return self.histories[instrument.pk].entry_into_force

    def concluded_by(self, instrument: Instrument) -> Event | None:
        return self.histories[instrument.pk].concluded_by

    def rows(self):
        """(instrument, [status for each state, in ``states`` order]) for every instrument."""
        for instrument in self.instruments:
            history = self.histories[instrument.pk]
            yield instrument, [history.status_of(state.pk, self.as_of) for state in self.states]

    def pairs(self):
        """(instrument, state, status) for every pair, instrument by instrument."""
        for instrument, statuses in self.rows():
            for state, status in zip(self.states, statuses, strict=True):
                yield instrument, state, status


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
    """The status of every pair as of ``as_of``, in three queries however large the record.

    ``instruments`` and ``states`` narrow what the matrix shows (default: all);
    entry into force is still worked out over all member states, since a rule
    such as "all parties have ratified" depends on every one of them. With
    ``brief``, statuses carry ``EventFacts`` instead of ``Event`` instances:
    the same answers, several times faster to read, for callers that show no
    more of the evidence than EventFacts holds.
    """
    all_states = list(MemberState.objects.all())
    shown_states = all_states if states is None else list(states)
    instrument_list = list(Instrument.objects.all() if instruments is None else instruments)
    by_instrument: dict[int, list[Event]] = defaultdict(list)
    wanted = None if instruments is None else [instrument.pk for instrument in instrument_list]
    # The statuses built from the events are as many and as long-lived as the events themselves.
    events = events_for(wanted, as_of=as_of)
    with _collector_paused():
        for event in event_facts(events) if brief else events:
            by_instrument[event.instrument_id].append(event)
        histories = {
            instrument.pk: build_history(instrument, by_instrument.get(instrument.pk, ()), all_states, as_of)
            for instrument in instrument_list
        }
    return StatusMatrix(as_of=as_of, instruments=instrument_list, states=shown_states, histories=histories)


def iter_status_pairs(*, as_of: datetime.date, instruments=None, states: Iterable[MemberState] | None = None):
    """(instrument, state, status) for every pair, like ``status_matrix(...).pairs()``, in flat memory.

    For exports of the whole record: one instrument's events are held at a
    time, so memory does not grow with the record, and it is still three
    queries. ``instruments`` is a queryset (default: all); pairs come
    instrument by instrument in title order, states in ``states`` order.
    Statuses carry ``EventFacts`` (as ``status_matrix(brief=True)``).
    """
    all_states = list(MemberState.objects.all())
    shown_states = all_states if states is None else list(states)
    instrument_qs = (Instrument.objects.all() if instruments is None else instruments).order_by("title", "pk")
    instrument_list = list(instrument_qs)
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


@contextlib.contextmanager
def _collector_paused():
    """Pause the cyclic garbage collector while a large result is read into long-lived objects.

    Each full collection walks every object already loaded, so reading 100,000
    events with it running costs several times the reading itself; what is
    loaded here holds no reference cycles to collect.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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

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

The engine is four modules, each importable from here: its reading of many pairs (``tracker.status_reading``:
the events and the status spans valid on a date), its vocabulary (``tracker.status_vocabulary``:
the codes and the facts it answers with), its rules (``tracker.status_rules``: one instrument's events
folded into its history) and this one, which answers for many pairs at once. None of them words
a fact: ``tracker.wording`` does, for every output.
"""

import dataclasses
import datetime
import functools
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping

from tracker.models import Event, Instrument, MemberState
from tracker.models.status_spans import SpanStamp
from tracker.status_reading import SpanLines, SpanRead, SpanStream, event_facts, events_for, read_spans
from tracker.status_rules import build_history, evidence_strength
from tracker.status_vocabulary import (
    BOUND_STATUSES,
    CONCLUDING_TYPES,
    ENDING_TYPES,
    EVENT_FACT_FIELDS,
    NO_RECORD,
    NO_RECORD_LINE,
    NOT_YET_TYPES,
    STATUS_OF_EVENT,
    STEP_RANK,
    EntryIntoForce,
    EventFacts,
    EvidenceLink,
    InstrumentHistory,
    PairStatus,
    SourceFacts,
    Status,
    StatusLine,
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
    "EvidenceLink",
    "InstrumentHistory",
    "PairStatus",
    "SourceFacts",
    "Status",
    "StatusLine",
    "StatusMatrix",
    "build_history",
    "changed_pairs",
    "event_facts",
    "events_for",
    "evidence_strength",
    "instrument_history",
    "iter_status_lines",
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
        if self.spans is not None and self.spans.state_ids is None:
            yield from zip(self.instruments, self._span_rows, strict=True)
            return
        for instrument in self.instruments:
            yield instrument, [self.status(instrument, state) for state in self.states]

    @functools.cached_property
    def _span_rows(self) -> list[list[PairStatus]]:
        # Straight from the spans read, and once: the matrix page's table and chart both walk its 10,000 pairs, and
        # building them was a few milliseconds each time (issue 18).
        statuses, state_ids = self.spans.statuses, [state.pk for state in self.states]
        rows = []
        for instrument in self.instruments:
            instrument_id = instrument.pk
            rows.append([statuses.get((instrument_id, state_id), NO_RECORD) for state_id in state_ids])
        return rows

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


def status_matrix(
    *,
    as_of: datetime.date,
    instruments: Iterable[Instrument] | None = None,
    states: Iterable[MemberState] | None = None,
    brief: bool = False,
    links: bool = False,
) -> StatusMatrix:
    """The status of every pair as of ``as_of``, from the status spans, in six queries however large the record.

    ``instruments`` and ``states`` narrow what the matrix shows (default: all);
    entry into force is still worked out over all member states, since a rule
    such as "all parties have ratified" depends on every one of them. With
    ``brief``, statuses carry ``EventFacts`` instead of ``Event`` instances:
    the same answers, several times faster to read, for callers that show no
    more of the evidence than EventFacts holds. Where the spans are behind the
    record (a write that bypassed the signals), the events are folded instead.

    With ``links``, statuses read from the spans carry ``EvidenceLink`` instead: only a link to each event, for the
    matrix, which shows of its 10,000 statuses nothing more. Folded from the events, they carry ``EventFacts``,
    which answers the same names.
    """
    all_states = list(MemberState.objects.all())
    shown_states = all_states if states is None else list(states)
    instrument_list = list(Instrument.objects.all() if instruments is None else instruments)
    histories = _ComputedHistories(instrument_list, all_states, as_of, brief or links)
    spans = None
    if SpanStamp.is_current():
        spans = read_spans(
            as_of=as_of,
            instruments=instrument_list,
            all_states=all_states,
            states=None if states is None else shown_states,
            brief=brief,
            links=links,
        )
    return StatusMatrix(as_of=as_of, instruments=instrument_list, states=shown_states, histories=histories, spans=spans)


def iter_status_pairs(*, as_of: datetime.date, instruments=None, states: Iterable[MemberState] | None = None):
    """(instrument, state, status) for every pair, like ``status_matrix(...).pairs()``, in flat memory.

    For exports of the whole record: one instrument's spans and events are held
    at a time (``SpanStream``), so memory does not grow with the record, and the
    number of queries does not either. ``instruments``
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
    stream = SpanStream(
        as_of=as_of, instruments=instruments, state_ids=None if states is None else [s.pk for s in shown_states]
    )
    # Each state's id read once, not once per pair: 120,000 reads of .pk were a tenth of the export (issue 18).
    states_by_id = [(state, state.pk) for state in shown_states]
    for instrument in instrument_list:
        statuses = stream.statuses_of(instrument.pk)
        for state, state_id in states_by_id:
            yield instrument, state, statuses.get(state_id, NO_RECORD)


def iter_status_lines(*, as_of: datetime.date, instruments=None, states: Iterable[MemberState] | None = None):
    """(instrument, state, ``StatusLine``) for every pair, in ``iter_status_pairs``'s order: for the status export.

    Read from the spans with each status's evidence joined (``SpanLines``): at full scale several times faster
    than building every pair's ``PairStatus`` and reading every event (issue 18). Where the spans are behind the
    record, ``iter_status_pairs`` folds the events and each status is flattened (``StatusLine.of``).
    """
    if not SpanStamp.is_current():
        for instrument, state, status in iter_status_pairs(as_of=as_of, instruments=instruments, states=states):
            yield instrument, state, StatusLine.of(status)
        return
    shown_states = list(MemberState.objects.all()) if states is None else list(states)
    instrument_qs = (Instrument.objects.all() if instruments is None else instruments).order_by("title", "pk")
    stream = SpanLines(
        as_of=as_of, instruments=instruments, state_ids=None if states is None else [s.pk for s in shown_states]
    )
    states_by_id = [(state, state.pk) for state in shown_states]
    for instrument in list(instrument_qs):
        lines = stream.lines_of(instrument.pk)
        for state, state_id in states_by_id:
            yield instrument, state, lines.get(state_id, NO_RECORD_LINE)


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

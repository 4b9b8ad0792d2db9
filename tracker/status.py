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
"""

import contextlib
import dataclasses
import datetime
import gc
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tracker.models import Event, Instrument, MemberState
from tracker.models.status_spans import EntryIntoForceSpan, SpanStamp, StatusSpan, event_ids
from tracker.wording import word_date, word_entry_into_force


class Status(models.TextChoices):
    """Stable public codes: exports and the API use them, so never rename one."""

    NO_RECORD = "no_record", _("No record")
    SIGNED = "signed", _("Signed")
    PENDING = "pending", _("Ratification pending")
    RATIFIED = "ratified", _("Ratified")
    IN_FORCE = "in_force", _("In force")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ADOPTED = "adopted", _("Adopted")


STATUS_OF_EVENT = {
    Event.Type.SIGNED: Status.SIGNED,
    Event.Type.RATIFICATION_PENDING: Status.PENDING,
    Event.Type.RATIFIED: Status.RATIFIED,
    Event.Type.NOTIFIED: Status.RATIFIED,
    Event.Type.IN_FORCE: Status.IN_FORCE,
    Event.Type.ADOPTED: Status.ADOPTED,
    Event.Type.WITHDRAWN: Status.WITHDRAWN,
    Event.Type.SUSPENDED: Status.WITHDRAWN,
}

# How far along the path to being bound each step is. A notification is a step
# beyond domestic ratification, though the status code stays "ratified".
STEP_RANK = {
    Event.Type.SIGNED: 1,
    Event.Type.RATIFICATION_PENDING: 2,
    Event.Type.RATIFIED: 3,
    Event.Type.NOTIFIED: 4,
    Event.Type.IN_FORCE: 5,
    Event.Type.ADOPTED: 5,
}
# Reports that a step has not happened yet: evidence, never a status of their own.
NOT_YET_TYPES = {Event.Type.NOT_IN_FORCE}
ENDING_TYPES = {Event.Type.WITHDRAWN, Event.Type.SUSPENDED}
# An instrument-level event of these types says when and where the instrument was concluded.
CONCLUDING_TYPES = {Event.Type.SIGNED, Event.Type.ADOPTED}
BOUND_STATUSES = {Status.RATIFIED, Status.IN_FORCE}


class SourceFacts(NamedTuple):
    """A source as ``EventFacts.source``: what a status cell or an export row shows of it."""

    pk: int
    title: str
    slug: str
    date: datetime.date

    def get_absolute_url(self):
        return reverse("tracker:source_detail", kwargs={"slug": self.slug})


class EventFacts(NamedTuple):
    """An event read as a plain row: the fields the engine folds, and what pages and exports show of its evidence.

    Building an ``Event`` and its ``SourceDocument`` for each of 100,000 events
    took most of the whole-record export's time; a row costs a fraction of that
    (issue 6). It answers the same attribute names as ``Event`` for these fields.
    """

    pk: int
    instrument_id: int
    state_id: int | None
    type: str
    date: datetime.date
    precision: str
    known_from: datetime.date
    inferred: bool
    place: str
    quote: str
    source_id: int
    source_title: str
    source_slug: str
    source_date: datetime.date

    @property
    def is_uncertain(self) -> bool:
        return self.precision != Event.Precision.DAY

    @property
    def source(self) -> SourceFacts:
        return SourceFacts(self.source_id, self.source_title, self.source_slug, self.source_date)

    def get_absolute_url(self):
        return reverse("tracker:event_detail", kwargs={"pk": self.pk})


# The database fields behind EventFacts, in its order.
EVENT_FACT_FIELDS = [
    "pk",
    "instrument_id",
    "state_id",
    "type",
    "date",
    "precision",
    "known_from",
    "inferred",
    "place",
    "quote",
    "source_id",
    "source__title",
    "source__slug",
    "source__date",
]


@dataclasses.dataclass(frozen=True)
class PairStatus:
    """Where one state stands on one instrument, from a date on, and why."""

    code: str
    since: datetime.date | None = None
    precision: str | None = None
    # An Event, or EventFacts where the caller asked for brief evidence.
    event: Event | EventFacts | None = None
    inferred: bool = False
    # True where the status follows from the instrument's entry-into-force rule
    # rather than from an event reported for this state.
    computed: bool = False
    # Every event the status rests on: for a reported step the report that dates it and the one
    # shown as evidence; for a computed one also every event its entry into force rests on.
    rests_on: tuple = ()

    @property
    def label(self):
        return Status(self.code).label

    @property
    def is_uncertain(self) -> bool:
        return self.precision not in (None, Event.Precision.DAY)

    @property
    def since_display(self) -> str:
        """The date the status holds from, in words: "18 May 2023", "by 18 May 2023", "in 2021" (tracker.wording)."""
        return word_date(self.since, self.precision)

    @property
    def source(self):
        return self.event.source if self.event else None


NO_RECORD = PairStatus(code=Status.NO_RECORD)


@dataclasses.dataclass(frozen=True)
class EntryIntoForce:
    """An instrument's entry into force as of a date, or what it still waits for."""

    date: datetime.date | None
    uncertain: bool = False
    stated_by: Event | None = None
    rule_recorded: bool = False
    missing_count: int | None = None
    waiting_for: tuple[MemberState, ...] = ()
    # Some event the date rests on is inferred (weakest link).
    inferred: bool = False
    # The events the date rests on: the stating event, the adoption, or the ratifications the rule counted.
    rests_on: tuple = ()
    # A Council decision or statement: in force from its adoption, no ratification needed.
    binds_on_adoption: bool = False

    @property
    def in_force(self) -> bool:
        return self.date is not None

    def describe(self) -> str:
        """One sentence in the reader's language: when it entered into force and how we know, or what it waits for."""
        if self.binds_on_adoption and self.date is None:
            return gettext("Binds on adoption; no adoption recorded")
        if self.date:
            if self.binds_on_adoption:
                how = gettext("binding on adoption")
            elif self.stated_by and self.stated_by.inferred:
                # The source implies the entry into force rather than stating it: say so, not "as stated".
                how = gettext("inferred from the source")
            elif self.stated_by:
                how = gettext("as the source states")
            elif self.inferred:
                how = gettext("computed from its rule, from inferred ratifications")
            else:
                how = gettext("computed from its rule")
            return gettext("%(in_force)s (%(how)s)") % {"in_force": word_entry_into_force(self, long=True), "how": how}
        if not self.rule_recorded:
            return gettext("Not known to be in force; no entry-into-force rule recorded")
        values = {"count": self.missing_count, "states": ", ".join(str(state) for state in self.waiting_for)}
        if not self.waiting_for:
            return (
                ngettext(
                    "%(count)d more ratification needed", "%(count)d more ratifications needed", self.missing_count
                )
                % values
            )
        return (
            ngettext(
                "%(count)d more ratification needed: %(states)s",
                "%(count)d more ratifications needed: %(states)s",
                self.missing_count,
            )
            % values
        )


@dataclasses.dataclass
class InstrumentHistory:
    """Every state's status changes on one instrument, with its entry into force."""

    instrument: Instrument
    transitions: dict[int, list[PairStatus]]
    entry_into_force: EntryIntoForce
    # The instrument-level signature or adoption: when and where it was concluded.
    concluded_by: Event | None = None
    # Reports that it was not yet in force (instrument-wide or for one state), oldest first.
    not_yet: list = dataclasses.field(default_factory=list)

    def status_of(self, state_id: int, as_of: datetime.date | None = None) -> PairStatus:
        current = NO_RECORD
        for change in self.transitions.get(state_id, ()):
            if as_of is not None and change.since > as_of:
                break
            current = change
        return current


def _fold_state_events(events: Iterable[Event], strength) -> list[PairStatus]:
    """A state's status changes on one instrument, from its events in date order.

    ``strength(event)`` ranks reports of the same step: a repeat keeps the
    first report's date but shows the strongest report as its evidence.
    """
    changes: list[PairStatus] = []
    current: Event | None = None
    for event in events:
        if event.type in ENDING_TYPES:
            if current is None or current.type not in ENDING_TYPES:
                current = event
                changes.append(_status_from(event))
            continue
        if current is not None and current.type in ENDING_TYPES:
            # A step reported after a withdrawal starts a new run (rejoining).
            if event.known_from > current.known_from:
                current = event
                changes.append(_status_from(event))
            continue
        if current is None or STEP_RANK[event.type] > STEP_RANK[current.type]:
            current = event
            changes.append(_status_from(event))
        elif event.type == current.type and strength(event) > strength(changes[-1].event):
            dated_by = changes[-1].rests_on[0]
            changes[-1] = dataclasses.replace(changes[-1], event=event, rests_on=(dated_by, event))
    return changes


def _status_from(event: Event) -> PairStatus:
    return PairStatus(
        code=STATUS_OF_EVENT[event.type],
        since=event.known_from,
        precision=event.precision,
        event=event,
        inferred=event.inferred,
        rests_on=(event,),
    )


def _event_order(event: Event):
    return (event.known_from, STEP_RANK.get(event.type, 0), event.pk or 0)


def _names(*texts: str) -> list[str]:
    return [text.casefold() for text in texts if text]


def evidence_strength(instrument: Instrument, states_by_id: dict[int, MemberState]):
    """How strongly each event's quote supports its step, as a sortable key.

    A sentence that names the instrument beats one that does not ("all these
    instruments"), one that also names the state beats one that names only the
    instrument, and a stated report beats an inferred one.
    """
    instrument_names = _names(instrument.title, instrument.short_title, *instrument.alias_list)
    state_names = {
        pk: _names(state.name, state.official_name, state.name_ru, state.official_name_ru)
        for pk, state in states_by_id.items()
    }

    def strength(event) -> tuple[bool, bool, bool]:
        quote = event.quote.casefold()
        names_instrument = any(name in quote for name in instrument_names)
        names_state = any(name in quote for name in state_names.get(event.state_id, ()))
        return (names_instrument, names_state, not event.inferred)

    return strength


def _bound_runs(changes: list[PairStatus]) -> list[tuple[int, int]]:
    """Each run in which the state is bound, as ``changes[i:j]``: from its first bound status to what ends it."""
    runs = []
    start = None
    for index, change in enumerate(changes):
        if change.code in BOUND_STATUSES and start is None:
            start = index
        elif change.code not in BOUND_STATUSES and start is not None:
            runs.append((start, index))
            start = None
    if start is not None:
        runs.append((start, len(changes)))
    return runs


class SortedEvents(NamedTuple):
    """One instrument's events sorted into what ``build_history`` folds, each list in the engine's order."""

    by_state: dict[int, list]
    stated_in_force: list
    adopted: list
    not_yet: list
    concluded_by: Event | None


def sort_events(instrument: Instrument, events: Iterable[Event], states: list[MemberState]) -> SortedEvents:
    """Sort an instrument's events by the state they count for (a Council decision's adoption for every member)."""
    by_state: dict[int, list[Event]] = defaultdict(list)
    stated_in_force: list[Event] = []
    adopted: list[Event] = []
    not_yet: list[Event] = []
    concluded_by = None
    for event in sorted(events, key=_event_order):
        if event.type in NOT_YET_TYPES:
            not_yet.append(event)
            continue
        if event.state_id is None and event.type in CONCLUDING_TYPES and concluded_by is None:
            concluded_by = event
        if event.state_id is not None:
            by_state[event.state_id].append(event)
        elif event.type == Event.Type.IN_FORCE:
            stated_in_force.append(event)
        elif event.type == Event.Type.ADOPTED and not instrument.needs_ratification:
            # A Council decision binds every state that sat on the Council that day.
            adopted.append(event)
            for state in states:
                if state.is_member_on(event.known_from):
                    by_state[state.pk].append(event)
    for state_events in by_state.values():
        state_events.sort(key=_event_order)
    return SortedEvents(by_state, stated_in_force, adopted, not_yet, concluded_by)


def runs_of(changes: list[PairStatus]):
    """A state's bound runs, as index ranges of ``changes`` and as (the status that starts it, the day it ends)."""
    index_runs = _bound_runs(changes)
    return index_runs, [(changes[i], changes[j].since if j < len(changes) else None) for i, j in index_runs]


def build_history(
    instrument: Instrument,
    events: Iterable[Event],
    states: list[MemberState],
    as_of: datetime.date,
) -> InstrumentHistory:
    """Fold one instrument's events (already limited to those known by ``as_of``) into its history."""
    by_state, stated_in_force, adopted, not_yet, concluded_by = sort_events(instrument, events, states)
    strength = evidence_strength(instrument, {state.pk: state for state in states})
    transitions = {state_id: _fold_state_events(evs, strength) for state_id, evs in by_state.items()}
    index_runs, runs = {}, {}
    for state_id, changes in transitions.items():
        index_runs[state_id], runs[state_id] = runs_of(changes)

    if instrument.needs_ratification:
        eif = _entry_into_force(instrument, stated_in_force, runs, states, as_of)
    else:
        eif = _entry_on_adoption(stated_in_force or adopted)

    if eif.date is not None:
        for state_id, changes in transitions.items():
            _add_computed_in_force(changes, index_runs[state_id], eif)
    return InstrumentHistory(
        instrument=instrument,
        transitions=transitions,
        entry_into_force=eif,
        concluded_by=concluded_by,
        not_yet=not_yet,
    )


def _add_computed_in_force(changes: list[PairStatus], index_runs, eif: EntryIntoForce) -> None:
    """Put each bound run of a state in force from the later of the entry into force and the run's start.

    A run that already holds a reported "in force" keeps it, and a run that ended before the
    entry into force stays as it was; the steps of a run after its computed entry into force
    (a notification, say) are lower than "in force" and drop out.
    """
    for i, j in reversed(index_runs):
        run = changes[i:j]
        if any(change.code == Status.IN_FORCE for change in run):
            continue
        start = run[0]
        since = max(eif.date, start.since)
        if j < len(changes) and since >= changes[j].since:
            continue
        uncertain = eif.uncertain or start.is_uncertain
        rests_on = _unique(start.rests_on + eif.rests_on)
        computed = PairStatus(
            code=Status.IN_FORCE,
            since=since,
            precision=Event.Precision.ON_OR_BEFORE if uncertain else Event.Precision.DAY,
            event=eif.stated_by or start.event,
            inferred=any(event.inferred for event in rests_on),
            computed=True,
            rests_on=rests_on,
        )
        changes[i:j] = [change for change in run if change.since < since] + [computed]


def _unique(events) -> tuple:
    seen, result = set(), []
    for event in events:
        if event.pk not in seen:
            seen.add(event.pk)
            result.append(event)
    return tuple(result)


def _stated(event: Event, **fields) -> EntryIntoForce:
    return EntryIntoForce(
        date=event.known_from,
        uncertain=event.is_uncertain,
        stated_by=event,
        inferred=event.inferred,
        rests_on=(event,),
        **fields,
    )


def _entry_on_adoption(events: list[Event]) -> EntryIntoForce:
    """A decision or statement binds from its first reported adoption (or stated entry into force)."""
    if not events:
        return EntryIntoForce(date=None, binds_on_adoption=True)
    first = min(events, key=_event_order)
    if first.type == Event.Type.IN_FORCE:
        return _stated(first, binds_on_adoption=True)
    return EntryIntoForce(
        date=first.known_from,
        uncertain=first.is_uncertain,
        inferred=first.inferred,
        rests_on=(first,),
        binds_on_adoption=True,
    )


def _entry_into_force(instrument, stated_in_force, runs, states, as_of) -> EntryIntoForce:
    rule_recorded = bool(instrument.eif_rule)
    if stated_in_force:
        return _stated(stated_in_force[0], rule_recorded=rule_recorded)
    # The rule is met on the first day a state's ratification completes it, counting the
    # states that were members on that day: members who join later do not undo it.
    for day in sorted({start.since for state_runs in runs.values() for start, _ended in state_runs}):
        if day > as_of:
            break
        eif = rule_met_on(instrument, runs, states, day)
        if eif is not None:
            return eif
    return not_in_force(instrument, set(_bound_on(runs, as_of)), states, as_of)


def _bound_on(runs, day) -> dict:
    bound = {}
    for state_id, state_runs in runs.items():
        for start, ended in state_runs:
            if start.since <= day and (ended is None or day < ended):
                bound[state_id] = start
    return bound


def rule_met_on(instrument, runs, states, day) -> EntryIntoForce | None:
    """The entry into force the rule gives if it is met on ``day`` by the states bound and members that day."""
    bound = _bound_on(runs, day)
    member_ids = [state.pk for state in states if state.is_member_on(day)]
    ratified_on = {state_id: start.since for state_id, start in bound.items()}
    eif_date = instrument.entry_into_force_date(ratified_on, member_ids)
    if eif_date is None:
        return None
    counted = [bound[state_id] for state_id in member_ids if state_id in bound]
    counted = [status for status in counted if status.since <= eif_date]
    rests_on = _unique(event for status in counted for event in status.rests_on)
    return EntryIntoForce(
        date=eif_date,
        uncertain=any(status.is_uncertain for status in counted),
        rule_recorded=True,
        inferred=any(event.inferred for event in rests_on),
        rests_on=rests_on,
    )


def not_in_force(instrument, bound_ids: set[int], states, as_of) -> EntryIntoForce:
    """An instrument not in force as of ``as_of``: how many more ratifications its rule needs, and whose."""
    member_ids = [state.pk for state in states if state.is_member_on(as_of)]
    missing = instrument.ratifications_missing(bound_ids, member_ids)
    waiting = tuple(state for state in states if state.pk in member_ids and state.pk not in bound_ids)
    return EntryIntoForce(
        date=None, rule_recorded=bool(instrument.eif_rule), missing_count=missing, waiting_for=waiting
    )


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
    # The statuses built from the events are as many and as long-lived as the events themselves.
    events = events_for([instrument.pk for instrument in instruments], as_of=as_of)
    with _collector_paused():
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

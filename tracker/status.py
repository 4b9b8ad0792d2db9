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
  new one.
* An instrument's entry into force comes from an instrument-level
  "entered into force" event where a source states it, otherwise from its
  entry-into-force rule applied to the ratifications known by then. States
  that have ratified are in force from the later of that date and their own.
* A Council decision (no ratification needed) adopted at instrument level is
  adopted for every state that was a member on that date.

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
from collections.abc import Iterable
from typing import NamedTuple

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tracker.models import Event, Instrument, MemberState
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

    @property
    def in_force(self) -> bool:
        return self.date is not None

    def describe(self) -> str:
        """One sentence in the reader's language: when it entered into force and how we know, or what it waits for."""
        if self.date:
            if self.stated_by and self.stated_by.inferred:
                # The source implies the entry into force rather than stating it: say so, not "as stated".
                how = gettext("inferred from the source")
            elif self.stated_by:
                how = gettext("as the source states")
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

    def status_of(self, state_id: int, as_of: datetime.date | None = None) -> PairStatus:
        current = NO_RECORD
        for change in self.transitions.get(state_id, ()):
            if as_of is not None and change.since > as_of:
                break
            current = change
        return current


def _fold_state_events(events: Iterable[Event]) -> list[PairStatus]:
    """A state's status changes on one instrument, from its events in date order."""
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
    return changes


def _status_from(event: Event) -> PairStatus:
    return PairStatus(
        code=STATUS_OF_EVENT[event.type],
        since=event.known_from,
        precision=event.precision,
        event=event,
        inferred=event.inferred,
    )


def _event_order(event: Event):
    return (event.known_from, STEP_RANK.get(event.type, 0), event.pk or 0)


def build_history(
    instrument: Instrument,
    events: Iterable[Event],
    states: list[MemberState],
    as_of: datetime.date,
) -> InstrumentHistory:
    """Fold one instrument's events (already limited to those known by ``as_of``) into its history."""
    by_state: dict[int, list[Event]] = defaultdict(list)
    stated_in_force: list[Event] = []
    concluded_by = None
    for event in sorted(events, key=_event_order):
        if event.state_id is None and event.type in CONCLUDING_TYPES and concluded_by is None:
            concluded_by = event
        if event.state_id is not None:
            by_state[event.state_id].append(event)
        elif event.type == Event.Type.IN_FORCE:
            stated_in_force.append(event)
        elif event.type == Event.Type.ADOPTED and not instrument.needs_ratification:
            # A Council decision binds every state that sat on the Council that day.
            for state in states:
                if state.is_member_on(event.known_from):
                    by_state[state.pk].append(event)
    for state_events in by_state.values():
        state_events.sort(key=_event_order)

    transitions = {state_id: _fold_state_events(evs) for state_id, evs in by_state.items()}

    bound_since: dict[int, PairStatus] = {}
    for state_id, changes in transitions.items():
        run_start = None
        for change in changes:
            if change.code in BOUND_STATUSES and run_start is None:
                run_start = change
            elif change.code not in BOUND_STATUSES:
                run_start = None
        if run_start is not None:
            bound_since[state_id] = run_start

    member_ids = [state.pk for state in states if state.is_member_on(as_of)]
    eif = _entry_into_force(instrument, stated_in_force, bound_since, member_ids, states)

    if eif.date is not None:
        for state_id, start in bound_since.items():
            changes = transitions[state_id]
            if changes[-1].code == Status.IN_FORCE:
                continue
            since = max(eif.date, start.since)
            uncertain = eif.uncertain or start.is_uncertain
            changes.append(
                PairStatus(
                    code=Status.IN_FORCE,
                    since=since,
                    precision=Event.Precision.ON_OR_BEFORE if uncertain else Event.Precision.DAY,
                    event=eif.stated_by or start.event,
                    inferred=start.inferred or bool(eif.stated_by and eif.stated_by.inferred),
                    computed=True,
                )
            )
    return InstrumentHistory(
        instrument=instrument, transitions=transitions, entry_into_force=eif, concluded_by=concluded_by
    )


def _entry_into_force(instrument, stated_in_force, bound_since, member_ids, states) -> EntryIntoForce:
    rule_recorded = bool(instrument.eif_rule)
    if stated_in_force:
        first = stated_in_force[0]
        return EntryIntoForce(
            date=first.known_from, uncertain=first.is_uncertain, stated_by=first, rule_recorded=rule_recorded
        )
    ratified_on = {state_id: status.since for state_id, status in bound_since.items()}
    eif_date = instrument.entry_into_force_date(ratified_on, member_ids)
    if eif_date is not None:
        counted = [bound_since[state_id] for state_id in member_ids if state_id in bound_since]
        uncertain = any(status.is_uncertain for status in counted if status.since <= eif_date)
        return EntryIntoForce(date=eif_date, uncertain=uncertain, rule_recorded=True)
    missing = instrument.ratifications_missing(set(bound_since), member_ids)
    waiting = tuple(state for state in states if state.pk in member_ids and state.pk not in bound_since)
    return EntryIntoForce(date=None, rule_recorded=rule_recorded, missing_count=missing, waiting_for=waiting)


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

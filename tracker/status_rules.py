"""The status engine's rules: how one instrument's events fold into each state's statuses and its entry into force.

``build_history`` is the one place that applies them (the rules, in short, are in ``tracker.status``'s
docstring): a state's steps only move forward and a withdrawal ends a run; the strongest report of a step
is its evidence; an instrument enters into force as stated, on adoption, or on the first day its rule is met
among that day's members; a bound run is in force from the later of that date and its own start; and a
computed status is as inferred as the weakest event it rests on.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from tracker.models import Event, Instrument, MemberState
from tracker.status_vocabulary import (
    BOUND_STATUSES,
    CONCLUDING_TYPES,
    ENDING_TYPES,
    NOT_YET_TYPES,
    STATUS_OF_EVENT,
    STEP_RANK,
    EntryIntoForce,
    InstrumentHistory,
    PairStatus,
    Status,
)


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
            changes[-1] = changes[-1]._replace(event=event, rests_on=(dated_by, event))
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
    return not_in_force(instrument, set(_bound_on(runs, as_of)), Membership.on(states, as_of))


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
    member_ids = Membership.on(states, day).ids
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


class Membership(NamedTuple):
    """The member states on one date, in the record's order, with their ids: worked out once for a page's instruments.

    Every instrument not in force asks who its rule still waits for among the members: each asking afresh walked
    200 states and their ids once per instrument (issue 18).
    """

    states: tuple
    ids: tuple[int, ...]

    @classmethod
    def on(cls, states, day: datetime.date) -> "Membership":
        members = tuple(state for state in states if state.is_member_on(day))
        return cls(members, tuple(state.pk for state in members))


def not_in_force(instrument, bound_ids: set[int], members: Membership) -> EntryIntoForce:
    """An instrument not in force: how many more ratifications its rule needs among ``members``, and whose."""
    missing = instrument.ratifications_missing(bound_ids, members.ids)
    waiting = tuple(state for state, pk in zip(members.states, members.ids, strict=True) if pk not in bound_ids)
    return EntryIntoForce(
        date=None, rule_recorded=bool(instrument.eif_rule), missing_count=missing, waiting_for=waiting
    )

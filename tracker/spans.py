"""Writing and reading the status spans (``tracker.models.status_spans``), issue 18.

The engine (``tracker.status``) still decides every status: the writer runs its own
functions (``sort_events``, ``_fold_state_events``, ``runs_of``, ``rule_met_on``,
``_add_computed_in_force``) over an instrument's events, once per date on which an
answer can change, and stores where the answer stays the same. The status as of D is
``build_history(events known by D, as_of=D).status_of(state, D)``; calling that at each
of an instrument's ~250 dates is quadratic, so the writer leans on three facts of the
fold (each held to the engine by ``tests/test_status_spans.py``, over random records):

* The fold is sequential in ``known_from`` order, so a state's transitions known by D
  are its fold over the events known by D: only that state's fold changes on a day
  one of its events becomes known.
* The rule-computed entry into force known by D is the one every event gives, once its
  trigger day (the day the rule is first met) is on or before D: bound runs that start
  by D are the same whatever is learnt later. Only the evidence it rests on can still
  strengthen, and only when a counted state's own fold changes.
* A status never depends on membership on the as-of date: only what the rule still
  waits for does, and that is worked out at read time (``not_in_force``).

Over 300 lines because writing the spans and keeping them current are one concern: the receivers decide what
a write touches and call the writer, and only they call it.
"""

import bisect
import contextlib
import itertools
import threading
from collections import defaultdict

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from tracker.models import Event, Instrument, MemberState, SourceDocument
from tracker.models.status_spans import (
    BEGINNING,
    EntryIntoForceSpan,
    SpanStamp,
    StatusSpan,
    event_ids_text,
)
from tracker.status_rules import (
    _add_computed_in_force,
    _entry_into_force,
    _entry_on_adoption,
    _fold_state_events,
    evidence_strength,
    rule_met_on,
    runs_of,
    sort_events,
)
from tracker.status_vocabulary import (
    EVENT_FACT_FIELDS,
    NO_RECORD,
    NOT_YET_TYPES,
    EntryIntoForce,
    EventFacts,
    InstrumentHistory,
    PairStatus,
)

BATCH_SIZE = 5000


def _eif_key(eif: EntryIntoForce) -> tuple:
    return (
        eif.date,
        eif.uncertain,
        eif.stated_by.pk if eif.stated_by else None,
        eif.inferred,
        eif.binds_on_adoption,
        eif.rule_recorded,
        tuple(event.pk for event in eif.rests_on),
    )


def _own_rests_on(status: PairStatus, eif: EntryIntoForce) -> tuple:
    """The part of a computed status's ``rests_on`` that is its own: the rest is its entry into force's."""
    rests_on = status.rests_on
    eif_ids = [event.pk for event in eif.rests_on]
    want = [event.pk for event in rests_on]
    for k in range(len(rests_on) + 1):
        own = [event.pk for event in rests_on[:k]]
        if list(dict.fromkeys(own + eif_ids)) == want:
            return rests_on[:k]
    raise AssertionError("a computed status rests on more than its own and its entry into force's events")


def instrument_spans(instrument: Instrument, events, states: list[MemberState]):
    """One instrument's spans from all its events: ``(StatusSpan list, EntryIntoForceSpan list)``, unsaved."""
    events = list(events)
    sorted_events = sort_events(instrument, events, states)
    by_state = sorted_events.by_state
    strength = evidence_strength(instrument, {state.pk: state for state in states})
    known_froms = {state_id: [event.known_from for event in evs] for state_id, evs in by_state.items()}
    states_on_day = defaultdict(set)
    for state_id, evs in by_state.items():
        for event in evs:
            states_on_day[event.known_from].add(state_id)
    days = sorted({event.known_from for event in events if event.type not in NOT_YET_TYPES})

    trigger = None
    if instrument.needs_ratification and instrument.eif_rule:
        full_runs = {s: runs_of(_fold_state_events(evs, strength))[1] for s, evs in by_state.items()}
        for day in sorted({start.since for state_runs in full_runs.values() for start, _ended in state_runs}):
            if rule_met_on(instrument, full_runs, states, day) is not None:
                trigger = day
                break

    transitions, index_runs, runs = {}, {}, {}
    pair_spans: list[StatusSpan] = []
    open_pairs: dict[int, tuple] = {}  # state id -> (key, span)
    if instrument.needs_ratification:
        eif = EntryIntoForce(date=None, rule_recorded=bool(instrument.eif_rule))
    else:
        eif = _entry_on_adoption([])
    concluded = None
    entry_spans = [_entry_span(instrument, BEGINNING, eif, concluded)]
    entry_key = (_eif_key(eif), None)
    counted_states: set[int] = set()

    for day in days:
        affected = states_on_day.get(day, set())
        for state_id in affected:
            known = bisect.bisect_right(known_froms[state_id], day)
            transitions[state_id] = _fold_state_events(by_state[state_id][:known], strength)
            index_runs[state_id], runs[state_id] = runs_of(transitions[state_id])

        before = _eif_key(eif)
        eif = _entry_as_of(instrument, sorted_events, runs, states, day, trigger, eif, affected & counted_states)
        counted_states = {event.state_id for event in eif.rests_on if event.state_id is not None}
        eif_changed = _eif_key(eif) != before
        concluded_by = sorted_events.concluded_by
        concluded = concluded_by if concluded_by is not None and concluded_by.known_from <= day else None
        key = (_eif_key(eif), concluded.pk if concluded else None)
        if key != entry_key:
            entry_spans[-1].valid_to = day
            entry_spans.append(_entry_span(instrument, day, eif, concluded))
            entry_key = key

        for state_id in transitions if eif_changed else affected:
            changes = list(transitions[state_id])
            if eif.date is not None:
                _add_computed_in_force(changes, index_runs[state_id], eif)
            status = InstrumentHistory(instrument, {state_id: changes}, eif).status_of(state_id, day)
            if status is NO_RECORD:
                continue
            with_eif = status.computed and bool(eif.rests_on)
            own = _own_rests_on(status, eif) if with_eif else status.rests_on
            status_key = (
                status.code,
                status.since,
                status.precision,
                status.event.pk,
                status.inferred,
                status.computed,
                tuple(event.pk for event in own),
                _eif_key(eif)[-1] if with_eif else None,
            )
            previous = open_pairs.get(state_id)
            if previous is not None and previous[0] == status_key:
                continue
            if previous is not None:
                previous[1].valid_to = day
            span = StatusSpan(
                instrument_id=instrument.pk,
                state_id=state_id,
                valid_from=day,
                code=status.code,
                since=status.since,
                precision=status.precision,
                event_id=status.event.pk,
                inferred=status.inferred,
                computed=status.computed,
                rests_on=event_ids_text(own),
                rests_on_entry_into_force=with_eif,
                evidence_source_id=status.event.source_id,
                evidence_title=status.event.source_title,
                evidence_inferred=status.event.inferred,
                evidence_quote=status.event.quote,
                evidence_source_slug=status.event.source_slug,
                evidence_source_date=status.event.source_date,
            )
            pair_spans.append(span)
            open_pairs[state_id] = (status_key, span)
    return pair_spans, entry_spans


def _entry_as_of(instrument, sorted_events, runs, states, day, trigger, previous, counted_changed) -> EntryIntoForce:
    """The entry into force known by ``day``, from the engine's functions."""
    stated = [event for event in sorted_events.stated_in_force if event.known_from <= day]
    if not instrument.needs_ratification:
        adopted = [event for event in sorted_events.adopted if event.known_from <= day]
        return _entry_on_adoption(stated or adopted)
    if stated:
        return _entry_into_force(instrument, stated, runs, states, day)
    if trigger is None or trigger > day:
        return EntryIntoForce(date=None, rule_recorded=bool(instrument.eif_rule))
    if previous.date is not None and previous.stated_by is None and not counted_changed:
        # The same trigger day, and no counted state's evidence moved: the same answer.
        return previous
    return rule_met_on(instrument, runs, states, trigger)


def _entry_span(instrument, day, eif: EntryIntoForce, concluded) -> EntryIntoForceSpan:
    return EntryIntoForceSpan(
        instrument_id=instrument.pk,
        valid_from=day,
        date=eif.date,
        uncertain=eif.uncertain,
        stated_by_id=eif.stated_by.pk if eif.stated_by else None,
        inferred=eif.inferred,
        binds_on_adoption=eif.binds_on_adoption,
        rule_recorded=eif.rule_recorded,
        rests_on=event_ids_text(eif.rests_on),
        concluded_by_id=concluded.pk if concluded else None,
    )


def _facts(events):
    return map(EventFacts._make, events.values_list(*EVENT_FACT_FIELDS).iterator(chunk_size=BATCH_SIZE))


def rebuild_status_spans(*, instruments=None, using: str = "default") -> tuple[int, int]:
    """Write the spans of ``instruments`` (ids or instances; default: all) afresh.

    Returns how many (status spans, entry-into-force spans) it wrote. Runs in one transaction
    (a savepoint inside the caller's) and stamps the spans with the record's current version.
    """
    states = list(MemberState.objects.using(using).all())
    instrument_qs = Instrument.objects.using(using).order_by("pk")
    events = Event.objects.using(using).order_by("instrument_id")
    if instruments is not None:
        ids = [getattr(instrument, "pk", instrument) for instrument in instruments]
        instrument_qs = instrument_qs.filter(pk__in=ids)
        events = events.filter(instrument__in=ids)
    counts = [0, 0]
    with transaction.atomic(using=using):
        old_pairs, old_entries = StatusSpan.objects.using(using), EntryIntoForceSpan.objects.using(using)
        if instruments is not None:
            old_pairs, old_entries = old_pairs.filter(instrument__in=ids), old_entries.filter(instrument__in=ids)
        old_pairs._raw_delete(using)
        old_entries._raw_delete(using)
        runs = itertools.groupby(_facts(events), key=lambda event: event.instrument_id)
        run_id, run = next(runs, (None, iter(())))
        pending_pairs, pending_entries = [], []
        for instrument in instrument_qs.iterator(chunk_size=BATCH_SIZE):
            instrument_events = []
            # Both in id order: each instrument's events are one run of the stream.
            while run_id is not None and run_id < instrument.pk:
                run_id, run = next(runs, (None, iter(())))
            if run_id == instrument.pk:
                instrument_events = list(run)
                run_id, run = next(runs, (None, iter(())))
            pairs, entries = instrument_spans(instrument, instrument_events, states)
            pending_pairs += pairs
            pending_entries += entries
            if len(pending_pairs) >= BATCH_SIZE:
                counts[0] += _write(StatusSpan, pending_pairs, using)
            if len(pending_entries) >= BATCH_SIZE:
                counts[1] += _write(EntryIntoForceSpan, pending_entries, using)
        counts[0] += _write(StatusSpan, pending_pairs, using)
        counts[1] += _write(EntryIntoForceSpan, pending_entries, using)
        SpanStamp.stamp(using=using)
    return counts[0], counts[1]


def _write(model, rows: list, using) -> int:
    model.objects.using(using).bulk_create(rows, batch_size=BATCH_SIZE)
    count = len(rows)
    rows.clear()
    return count


# -- Keeping them current: every write that touches a pair ---------------------------------------------------

_deferred = threading.local()


@contextlib.contextmanager
def span_updates_deferred(using: str = "default"):
    """Collect the instruments that writes inside the block touch, and rewrite their spans once, at its end.

    For writers of many rows at once (the spreadsheet import): one rewrite per
    instrument, not one per row, still inside the caller's transaction.
    """
    outer = getattr(_deferred, "pending", None)
    if outer is not None:
        yield
        return
    _deferred.pending = set()
    try:
        yield
        pending = _deferred.pending
    finally:
        _deferred.pending = None
    if pending:
        rebuild_status_spans(instruments=None if "all" in pending else sorted(pending), using=using)
    else:
        SpanStamp.stamp(using=using)


def spans_touched(instruments=None, *, using: str = "default") -> None:
    """A write touched these instruments' pairs (``None``: every instrument): rewrite their spans now, or at the
    end of a ``span_updates_deferred`` block."""
    pending = getattr(_deferred, "pending", None)
    if pending is not None:
        pending.update(["all"] if instruments is None else instruments)
        return
    rebuild_status_spans(instruments=instruments, using=using)


# What a member state's record changes for every instrument: membership (the rule counts members, a Council
# decision binds those who sat on it) and its names (how strongly a quote names it).
STATE_FIELDS_THAT_COUNT = ("name", "official_name", "name_ru", "official_name_ru", "member_since", "member_until")


# What the spans keep of their evidence's source: {span field: source field}.
SOURCE_FIELDS_SPANS_KEEP = {
    "evidence_title": "title",
    "evidence_source_slug": "slug",
    "evidence_source_date": "date",
}


# What the spans read of each model's row before a save, to tell what the save changed.
FIELDS_BEFORE_SAVE = {
    Event: ["instrument_id"],
    MemberState: list(STATE_FIELDS_THAT_COUNT),
    SourceDocument: list(SOURCE_FIELDS_SPANS_KEEP.values()),
}


@receiver(pre_save, sender=Event)
@receiver(pre_save, sender=MemberState)
@receiver(pre_save, sender=SourceDocument)
def _remember_what_counted(sender, instance, raw=False, using="default", **kwargs):
    # An event moved to another instrument leaves the old one's pairs too; a state's save counts only if it
    # changed what the rules read; a source's, only if it changed what its spans keep of it.
    if raw or instance._state.adding:
        return
    fields = FIELDS_BEFORE_SAVE[sender]
    instance._spans_before = sender._default_manager.using(using).filter(pk=instance.pk).values(*fields).first()


@receiver(post_save, sender=Event)
@receiver(post_delete, sender=Event)
def _event_written(sender, instance, raw=False, using="default", **kwargs):
    if raw:
        return
    before = getattr(instance, "_spans_before", None) or {}
    spans_touched({instance.instrument_id, before.get("instrument_id", instance.instrument_id)}, using=using)


@receiver(post_save, sender=Instrument)
def _instrument_written(sender, instance, raw=False, using="default", **kwargs):
    # Its rule, whether it needs ratification and its titles (how strongly a quote names it) all count.
    if not raw:
        spans_touched([instance.pk], using=using)


@receiver(post_save, sender=MemberState)
@receiver(post_delete, sender=MemberState)
def _state_written(sender, instance, raw=False, using="default", created=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_spans_before", None)
    now = {field: getattr(instance, field) for field in STATE_FIELDS_THAT_COUNT}
    if kwargs.get("signal") is post_save and not created and before == now:
        SpanStamp.stamp(using=using)
        return
    spans_touched(None, using=using)


@receiver(post_save, sender=SourceDocument)
def _source_written(sender, instance, raw=False, using="default", **kwargs):
    # The spans keep their evidence's source title, slug and date (the matrix's links, the export's citations): new
    # ones are written to them at once, in a deferred block too, which rewrites only the instruments its events
    # touched. An event's known_from is stored when the event is saved, so a source's new date changes no status
    # by itself.
    if raw:
        return
    before = getattr(instance, "_spans_before", None)
    kept = {span: getattr(instance, field) for span, field in SOURCE_FIELDS_SPANS_KEEP.items()}
    if before is not None and kept != {span: before[field] for span, field in SOURCE_FIELDS_SPANS_KEEP.items()}:
        StatusSpan.objects.using(using).filter(evidence_source=instance.pk).update(**kept)
    _nothing_to_rewrite(sender, using=using)


@receiver(post_delete, sender=SourceDocument)
@receiver(post_delete, sender=Instrument)
def _nothing_to_rewrite(sender, raw=False, using="default", **kwargs):
    # A source is deleted only once no event cites it (its events protect it), so no span names it; a deleted
    # instrument's spans went with it. The record's version moved: say the spans follow it.
    if not raw and getattr(_deferred, "pending", None) is None:
        SpanStamp.stamp(using=using)

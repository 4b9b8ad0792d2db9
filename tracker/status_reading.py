"""Reading statuses for many pairs: the events the engine needs, and the status spans valid on a date (issue 18).

``tracker.status`` asks this module; the spans are written by ``tracker.spans`` with the engine's rules.
"""

import dataclasses
import datetime
import functools
import itertools
import operator
from collections import defaultdict
from collections.abc import Iterable, Sequence

from tracker.db_rows import driver_rows, fetched_rows
from tracker.models import Event, Instrument, MemberState, SourceDocument
from tracker.models.status_spans import EntryIntoForceSpan, StatusSpan, event_ids
from tracker.status_rules import Membership, not_in_force
from tracker.status_vocabulary import (
    BOUND_STATUSES,
    EVENT_FACT_FIELDS,
    SOURCE_FACT_FIELDS,
    SOURCE_FACTS_START,
    EntryIntoForce,
    EventFacts,
    EvidenceLink,
    PairStatus,
    StatusLine,
    rests_on_ids,
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
        instrument_id = instrument.pk
        if self.state_ids is None:
            statuses, members = self.statuses, self.members
            bound = {
                state_id
                for state_id in members.ids
                if (status := statuses.get((instrument_id, state_id))) is not None and status.code in BOUND_STATUSES
            }
        else:
            bound = self._bound_elsewhere().get(instrument_id, set())
        eif = not_in_force(instrument, bound, self.members)
        self.entries[instrument_id] = eif
        return eif

    @functools.cached_property
    def members(self) -> Membership:
        return Membership.on(self.all_states, self.as_of)

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


def read_spans(*, as_of, instruments: list[Instrument], all_states, states=None, brief=False, links=False) -> SpanRead:
    """The spans valid on ``as_of`` for ``instruments`` (and ``states``, default all), with their events: 3 queries.

    With ``links``, every event is an ``EvidenceLink``, and each status's own evidence comes with its span's row
    (``LINK_FIELDS``, kept on the span): only the other events it rests on are read by id.
    """
    instrument_ids = [instrument.pk for instrument in instruments]
    state_ids = None if states is None else {state.pk for state in states}
    pair_rows = StatusSpan.objects.valid_on(as_of).filter(instrument__in=instrument_ids)
    if state_ids is not None:
        pair_rows = pair_rows.filter(state__in=state_ids)
    pair_rows = fetched_rows(pair_rows.values_list(*PAIR_FIELDS, *(LINK_FIELDS if links else ())))
    entry_rows = fetched_rows(
        EntryIntoForceSpan.objects.valid_on(as_of).filter(instrument__in=instrument_ids).values_list(*ENTRY_FIELDS)
    )
    wanted = set()
    for row in entry_rows:
        wanted.update(pk for pk in (row[3], row[8]) if pk is not None)
        wanted.update(event_ids(row[7]))
    if links:
        known = {row[5]: EvidenceLink(row[5], *row[10:]) for row in pair_rows}
        # The matrix shows only each status's own evidence, which came with its span: the other events statuses
        # rest on (500-odd on a 50 x 200 page, 8-9 ms to read by id) are read only if something looks (issue 18).
        events = LinksById(known | _events_by_id(wanted.difference(known), instrument_ids, as_of, brief, links))
        events.read_on_demand(lambda: _rests_on_ids(pair_rows), instrument_ids, as_of)
    else:
        for row in pair_rows:
            wanted.add(row[5])
            wanted.update(event_ids(row[8]))
        events = _events_by_id(wanted, instrument_ids, as_of, brief, links)

    entries, concluded = {}, {}
    for row in entry_rows:
        entries[row[0]], concluded[row[0]] = _entry_from(row, events)
    entry_ids = {row[0]: event_ids(row[7]) for row in entry_rows}
    if links:
        statuses = {(row[0], row[1]): _linked_status_from(row, events, entry_ids[row[0]]) for row in pair_rows}
    else:
        statuses = {(row[0], row[1]): _status_from(row, events, entry_ids[row[0]]) for row in pair_rows}
    return SpanRead(
        as_of=as_of,
        instruments={instrument.pk: instrument for instrument in instruments},
        all_states=all_states,
        state_ids=state_ids,
        statuses=statuses,
        entries=entries,
        concluded=concluded,
    )


PAIR_FIELDS = (
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
# The database fields behind EvidenceLink, in its order; and a status's evidence as one (after its pk, PAIR_FIELDS'
# event_id), as its span keeps it.
EVIDENCE_LINK_FIELDS = ("pk", "source_id", "source__title", "inferred")
LINK_FIELDS = ("evidence_source_id", "evidence_title", "evidence_inferred")
ENTRY_FIELDS = (
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


def _entry_from(row, events) -> tuple[EntryIntoForce, EventFacts | Event | None]:
    """An ``EntryIntoForceSpan`` row (``ENTRY_FIELDS``) as the instrument's entry into force and its conclusion."""
    _instrument_id, date, uncertain, stated_by, inferred, on_adoption, rule, rests_on, concluded_by = row
    eif = EntryIntoForce(
        date=date,
        uncertain=uncertain,
        stated_by=events[stated_by] if stated_by else None,
        rule_recorded=rule,
        inferred=inferred,
        rests_on=tuple(events[pk] for pk in event_ids(rests_on)),
        binds_on_adoption=on_adoption,
    )
    return eif, events[concluded_by] if concluded_by else None


def _status_from(row, events, entry_ids: tuple[int, ...]) -> PairStatus:
    """A ``StatusSpan`` row (``PAIR_FIELDS``, then any ``LINK_FIELDS``) as the pair's status; a computed one also
    rests on ``entry_ids``, the events of its instrument's entry into force (``ENTRY_FIELDS``' ``rests_on``)."""
    code, since, precision, event, inferred, computed, rests_on, with_eif = row[2:10]
    ids = event_ids(rests_on)
    if with_eif:
        ids = rests_on_ids(ids, entry_ids)
    # map() rather than a generator: this runs for each of a page's 10,000 pairs (issue 18).
    return PairStatus(code, since, precision, events[event], inferred, computed, tuple(map(events.__getitem__, ids)))


def _linked_status_from(row, events: "LinksById", entry_ids: tuple[int, ...]) -> PairStatus:
    """As ``_status_from``, its ``rests_on`` read from ``events`` only when first looked at."""
    code, since, precision, event, inferred, computed, rests_on, with_eif = row[2:10]
    ids = event_ids(rests_on)
    if with_eif:
        ids = rests_on_ids(ids, entry_ids)
    return PairStatus(code, since, precision, events[event], inferred, computed, RestsOn(ids, events))


def _rests_on_ids(pair_rows) -> set[int]:
    """Every event id the spans' statuses rest on (``PAIR_FIELDS``' ``rests_on``)."""
    ids = set()
    for row in pair_rows:
        ids.update(event_ids(row[8]))
    return ids


class LinksById(dict):
    """Events as links by id, reading those it lacks when first asked for one, all in one query.

    The other events a status rests on are read the first time any of them is looked at, and then all of them:
    a page that shows none (the matrix) reads none; one that shows some costs the one query it always cost.
    """

    def read_on_demand(self, wanted, instrument_ids, as_of):
        """``wanted()`` gives the ids that may be asked for; they are read by ``_events_by_id`` on a miss."""
        self._wanted, self._instrument_ids, self._as_of = wanted, instrument_ids, as_of

    def __missing__(self, pk):
        wanted = getattr(self, "_wanted", None)
        if wanted is None:
            raise KeyError(pk)
        self._wanted = None
        self.update(_events_by_id(wanted().difference(self), self._instrument_ids, self._as_of, False, True))
        return self[pk]


class RestsOn(Sequence):
    """A status's ``rests_on``: the events of ``ids``, taken from a ``LinksById`` when first looked at.

    It reads, compares and hashes as the plain tuple of events it stands for; until then it holds only the ids.
    """

    __slots__ = ("_events", "_ids")

    def __init__(self, ids: tuple[int, ...], events: LinksById):
        self._ids, self._events = ids, events

    def _resolved(self) -> tuple:
        return tuple(map(self._events.__getitem__, self._ids))

    def __len__(self):
        return len(self._ids)

    def __getitem__(self, index):
        return self._resolved()[index]

    def __iter__(self):
        return iter(self._resolved())

    def __eq__(self, other):
        if isinstance(other, RestsOn):
            other = other._resolved()
        return isinstance(other, tuple) and self._resolved() == other

    def __hash__(self):
        return hash(self._resolved())

    def __add__(self, other):
        return self._resolved() + tuple(other)

    def __radd__(self, other):
        return tuple(other) + self._resolved()

    def __repr__(self):
        return repr(self._resolved())


class SpanStream:
    """Every pair's status on ``as_of`` from the spans, one instrument at a time, in title order.

    For exports of the whole record: three streamed queries (the pairs' spans, the entries into force, the
    events) in the same instrument order as ``instruments.order_by("title", "pk")``, walked side by side, so
    that one instrument's rows are held at a time and the number of queries does not grow with the record.
    ``instruments`` is a queryset (default: all); statuses carry ``EventFacts``.
    """

    ORDER = ("instrument__title", "instrument_id")

    def __init__(self, *, as_of, instruments=None, state_ids=None):
        pairs = StatusSpan.objects.valid_on(as_of)
        entries = EntryIntoForceSpan.objects.valid_on(as_of)
        wanted = None if instruments is None else instruments.order_by().values("pk")
        if wanted is not None:
            pairs, entries = pairs.filter(instrument__in=wanted), entries.filter(instrument__in=wanted)
        if state_ids is not None:
            pairs = pairs.filter(state__in=state_ids)
        by_row = operator.itemgetter(0)
        self._pairs = _InstrumentRuns(self._stream(pairs.values_list(*PAIR_FIELDS)), by_row)
        self._entries = _InstrumentRuns(self._stream(entries.values_list(*ENTRY_FIELDS)), by_row)
        events = event_facts(events_for(wanted, as_of=as_of).order_by(*self.ORDER))
        self._events = _InstrumentRuns(events, operator.attrgetter("instrument_id"))

    def _stream(self, rows):
        return driver_rows(rows.order_by(*self.ORDER))

    def statuses_of(self, instrument_id: int) -> dict[int, PairStatus]:
        """{state id: status} of the next instrument, which must be ``instrument_id`` or come after it."""
        events = {event.pk: event for event in self._events.take(instrument_id)}
        entry_rows = self._entries.take(instrument_id)
        pair_rows = self._pairs.take(instrument_id)
        if not entry_rows:
            return {}
        entry_ids = event_ids(entry_rows[0][7])
        return {row[1]: _status_from(row, events, entry_ids) for row in pair_rows}


class SpanLines:
    """Every pair's status on ``as_of`` as a ``StatusLine``, straight from the spans, one instrument at a time.

    For the status export: the spans valid on the date, which keep what the export cites of their evidence (its
    quote, its source's title, slug and date), in one streamed query, and the entries into force (for what a
    computed status rests on) in a second, both in the instruments' title order; no event or source is read and
    nothing is held beyond one instrument's rows.
    The same answers as ``SpanStream`` (``StatusLine.of`` each of its statuses; tests/test_status_spans.py).
    """

    FIELDS = (
        "instrument_id",
        "state_id",
        "code",
        "since",
        "precision",
        "inferred",
        "computed",
        "event_id",
        "evidence_quote",
        "evidence_title",
        "evidence_source_slug",
        "evidence_source_date",
        "rests_on",
        "rests_on_entry_into_force",
    )

    def __init__(self, *, as_of, instruments=None, state_ids=None):
        pairs = StatusSpan.objects.valid_on(as_of)
        entries = EntryIntoForceSpan.objects.valid_on(as_of)
        if instruments is not None:
            wanted = instruments.order_by().values("pk")
            pairs, entries = pairs.filter(instrument__in=wanted), entries.filter(instrument__in=wanted)
        if state_ids is not None:
            pairs = pairs.filter(state__in=state_ids)
        by_row = operator.itemgetter(0)
        order = SpanStream.ORDER
        self._pairs = _InstrumentRuns(driver_rows(pairs.order_by(*order).values_list(*self.FIELDS)), by_row)
        self._entries = _InstrumentRuns(
            driver_rows(entries.order_by(*order).values_list("instrument_id", "rests_on")), by_row
        )

    def lines_of(self, instrument_id: int) -> dict[int, StatusLine]:
        """{state id: line} of the next instrument, which must be ``instrument_id`` or come after it; a state
        missing from it has no record."""
        entry_rows = self._entries.take(instrument_id)
        pair_rows = self._pairs.take(instrument_id)
        if not entry_rows:
            return {}
        entry_ids = None
        lines = {}
        for row in pair_rows:
            computed_from = ()
            if row[6]:
                computed_from = event_ids(row[12])
                if row[13]:
                    if entry_ids is None:
                        entry_ids = event_ids(entry_rows[0][1])
                    computed_from = rests_on_ids(computed_from, entry_ids)
            lines[row[1]] = StatusLine._make(row[2:12] + (computed_from,))
        return lines


class _InstrumentRuns:
    """A streamed query in instrument order, taken one instrument's rows at a time."""

    def __init__(self, rows, key):
        self._runs = itertools.groupby(rows, key=key)
        self._next = next(self._runs, None)

    def take(self, instrument_id) -> list:
        """The rows of ``instrument_id``; none if the stream has none for it (the stream is then left as it is)."""
        if self._next is None or self._next[0] != instrument_id:
            return []
        rows = list(self._next[1])
        self._next = next(self._runs, None)
        return rows


def _events_by_id(ids: set[int], instrument_ids, as_of, brief, links=False) -> dict:
    if not ids:
        return {}
    if brief and not links:
        # As rows, every event of the instruments known by the date costs little more to read than the few cited:
        # on PostgreSQL it is the cheaper query at every size (issue 18: 11 ms against 16 ms for a page of 50
        # instruments citing 4,000 events, 27 ms against 48 ms for 500 instruments citing 30,000).
        return _event_facts_by_id(events_for(instrument_ids, as_of=as_of).order_by(), ids)
    if len(ids) <= EVENTS_BY_ID:
        events = events_for(None, as_of=None).filter(pk__in=ids)
    else:
        events = events_for(instrument_ids, as_of=as_of)
    events = events.order_by()
    if links:
        # Links are what is left once each status's own evidence came with its span: a few hundred events.
        events = map(EvidenceLink._make, fetched_rows(events.values_list(*EVIDENCE_LINK_FIELDS)))
    return {event.pk: event for event in events}


# Up to this many sources are read by their ids; beyond, every source. On PostgreSQL, with 22,000 sources, the two
# cost the same for 3,000 of them (6 ms); for 21,000, by id took 38 ms and the whole table 9 ms (issue 18).
SOURCES_BY_ID = 3_000


def _event_facts_by_id(events, ids: set[int]) -> dict[int, EventFacts]:
    """The EventFacts of ``ids`` among ``events``: the events' own fields, then their sources' in a query of their own.

    Joined in one query, PostgreSQL hashed every event and source: for the status API's page of 500 instruments
    (30,000 events cited) 65 ms, against 27 + 10 ms for the two reads (issue 18).
    """
    own = [
        row for row in driver_rows(events.values_list(*EVENT_FACT_FIELDS[: SOURCE_FACTS_START + 1])) if row[0] in ids
    ]
    source_ids = {row[-1] for row in own}
    sources = SourceDocument.objects.order_by()
    if len(source_ids) <= SOURCES_BY_ID:
        sources = sources.filter(pk__in=source_ids)
    source_rows = {row[0]: row[1:] for row in driver_rows(sources.values_list(*SOURCE_FACT_FIELDS))}
    return {row[0]: EventFacts._make(row + source_rows[row[-1]]) for row in own}


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
    return map(EventFacts._make, driver_rows(events.values_list(*EVENT_FACT_FIELDS)))

"""A synthetic record at the scale of a large depositary, for load tests and the benchmark (issue 6).

Everything is drawn from one seeded ``random.Random``, so a seed always gives
the same record. The record is planned in memory first, then written with
``bulk_create`` in one transaction: bulk writes skip signals, so each event's
``known_from`` is computed here with ``Event.compute_known_from``.

The data are plausible rather than random noise: each state's steps on an
instrument come in order (signature, pending, ratification, notification,
entry into force; sometimes a withdrawal and a new start), each event rests on
a source dated on or after it whose text holds the event's quote word for word,
and vague dates (month, year, "on or before") never put a step before the one
it follows.
"""

import dataclasses
import datetime
import random
from collections.abc import Callable

from django.db import transaction
from django.db.models import Q

from tracker.models import Event, Instrument, MemberState, RecordToken, SourceDocument, rebuild_search_index

FIRST_DAY = datetime.date(1992, 5, 15)
# A fixed last day rather than today, so that a seed gives the same record next year.
LAST_DAY = datetime.date(2025, 12, 31)
BATCH_SIZE = 2000
SERIES_SIZE = 50

SYLLABLES = ("ka", "ri", "to", "ma", "ne", "lo", "su", "va", "de", "bo", "ra", "ti", "an", "el", "or", "us", "in")
OFFICIAL_FORMS = ["Republic of {}", "Kingdom of {}", "{} Federation", "Democratic Republic of {}", "State of {}"]
FIELDS = [
    "customs cooperation",
    "collective security",
    "air defence",
    "border protection",
    "peacekeeping operations",
    "military-technical cooperation",
    "the status of forces",
    "the training of military personnel",
    "countering illicit drug trafficking",
    "information security",
    "emergency response",
    "the joint use of military infrastructure",
    "legal assistance",
    "the protection of classified information",
    "mutual recognition of documents",
]
SPEAKERS = ["Secretary General", "Depositary", "Minister of Foreign Affairs", "Chairman of the Council", "Spokesperson"]

# (kind, share of instruments, needs ratification)
KIND_MIX = [
    (Instrument.Kind.TREATY, 0.08, True),
    (Instrument.Kind.AGREEMENT, 0.36, True),
    (Instrument.Kind.PROTOCOL, 0.20, True),
    (Instrument.Kind.CHARTER_AMENDMENT, 0.04, True),
    (Instrument.Kind.DECISION, 0.14, False),
    (Instrument.Kind.STRATEGY, 0.05, False),
    (Instrument.Kind.PLAN, 0.05, False),
    (Instrument.Kind.STATEMENT, 0.05, False),
    (Instrument.Kind.OTHER, 0.03, True),
]
# Kinds that amend or belong to an earlier instrument.
AMENDING_KINDS = {Instrument.Kind.PROTOCOL, Instrument.Kind.CHARTER_AMENDMENT}
PRECISION_MIX = [
    (Event.Precision.DAY, 0.70),
    (Event.Precision.MONTH, 0.12),
    (Event.Precision.YEAR, 0.06),
    (Event.Precision.ON_OR_BEFORE, 0.12),
]
VERBS = {
    Event.Type.SIGNED: "signed",
    Event.Type.ADOPTED: "adopted",
    Event.Type.RATIFICATION_PENDING: "began its internal procedures to ratify",
    Event.Type.RATIFIED: "ratified",
    Event.Type.NOTIFIED: "deposited its notification on",
    Event.Type.IN_FORCE: "brought into force",
    Event.Type.WITHDRAWN: "withdrew from",
    Event.Type.SUSPENDED: "suspended its participation in",
}


@dataclasses.dataclass
class Summary:
    states: int
    instruments: int
    sources: int
    events: int
    events_asked: int
    seconds: float

    def __str__(self):
        shortfall = ""
        if self.events < self.events_asked:
            shortfall = f" (only {self.events:,} of the {self.events_asked:,} asked fit: add states or instruments)"
        return (
            f"Generated {self.states:,} states, {self.instruments:,} instruments, {self.sources:,} sources and "
            f"{self.events:,} events{shortfall} in {self.seconds:.1f} s."
        )


def real_record_counts(using: str = "default") -> dict[str, int]:
    """How many non-synthetic records the database holds, by kind; a synthetic run must not mix with them."""
    return {
        "member states": MemberState.objects.using(using).filter(is_synthetic=False).count(),
        "instruments": Instrument.objects.using(using).filter(is_synthetic=False).count(),
        "sources": SourceDocument.objects.using(using).filter(is_synthetic=False).count(),
    }


def delete_synthetic_record(using: str = "default") -> None:
    """Remove an earlier synthetic record, children first (the foreign keys protect)."""
    Event.objects.using(using).filter(Q(instrument__is_synthetic=True) | Q(source__is_synthetic=True)).delete()
    instruments = Instrument.objects.using(using).filter(is_synthetic=True)
    # Amendments point at what they amend, so delete the chains from their ends.
    while instruments.exists():
        instruments.filter(amendments__isnull=True).delete()
    SourceDocument.objects.using(using).filter(is_synthetic=True).delete()
    MemberState.objects.using(using).filter(is_synthetic=True).delete()


def generate_synthetic_record(
    *,
    states: int,
    instruments: int,
    events: int,
    seed: int,
    using: str = "default",
    progress: Callable[[str, int, int], None] | None = None,
) -> Summary:
    """Replace any synthetic record in ``using`` with a new one of about the sizes asked.

    ``events`` is met exactly unless the pairs cannot hold that many plausible
    steps. The caller decides whether real records may sit beside it.
    ``progress(stage, done, total)`` is called as rows are written.
    """
    started = datetime.datetime.now()
    plan = _Planner(random.Random(seed), using)
    state_rows = plan.states(states)
    instrument_levels = plan.instruments(instruments)
    plan.events(state_rows, [row for level in instrument_levels for row in level], events)
    with transaction.atomic(using=using):
        delete_synthetic_record(using)
        _write(MemberState, state_rows, using, progress, "states")
        for level in instrument_levels:
            _write(Instrument, level, using, progress, "instruments")
        sources = plan.source_documents()
        _write(SourceDocument, sources, using, progress, "sources")
        event_rows = plan.event_rows()
        _write(Event, event_rows, using, progress, "events")
        # bulk_create sends no signals: tell the caches (tracker.status) that the record changed, and index it.
        RecordToken.bump(using=using)
        rebuild_search_index(using=using)
    return Summary(
        states=len(state_rows),
        instruments=sum(len(level) for level in instrument_levels),
        sources=len(sources),
        events=len(event_rows),
        events_asked=events,
        seconds=(datetime.datetime.now() - started).total_seconds(),
    )


def _write(model, rows, using, progress, stage):
    manager = model.objects.using(using)
    for start in range(0, len(rows), BATCH_SIZE):
        manager.bulk_create(rows[start : start + BATCH_SIZE], batch_size=BATCH_SIZE)
        if progress:
            progress(stage, min(start + BATCH_SIZE, len(rows)), len(rows))


@dataclasses.dataclass
class _PlannedEvent:
    instrument: Instrument
    state: MemberState | None
    type: str
    date: datetime.date
    precision: str
    source_key: tuple[int, int]
    quote: str
    inferred: bool


class _Planner:
    def __init__(self, rng: random.Random, using: str):
        self.rng = rng
        self.using = using
        self.planned: list[_PlannedEvent] = []
        # Reports of one day are gathered into a few sources, as a depositary's bulletins would be.
        self.source_quotes: dict[tuple[int, int], list[str]] = {}
        self.source_reports: dict[tuple[int, int], set] = {}
        self.sources_by_key: dict[tuple[int, int], SourceDocument] = {}
        # Keyed by id() because the rows have no primary key until they are written.
        self.adopted_on: dict[int, datetime.date] = {}

    # States -------------------------------------------------------------

    def states(self, count: int) -> list[MemberState]:
        rng = self.rng
        real_states = MemberState.objects.using(self.using).filter(is_synthetic=False)
        taken_codes = set(real_states.values_list("iso3", flat=True))
        taken_names = set(real_states.values_list("name", flat=True))
        codes = [a + b + c for a in _LETTERS for b in _LETTERS for c in _LETTERS]
        codes = [code for code in codes if code not in taken_codes]
        rows = []
        for iso3 in sorted(rng.sample(codes, count)):
            name = _capitalised_word(rng)
            while name in taken_names:
                name = _capitalised_word(rng)
            taken_names.add(name)
            since = _day(rng.randint(FIRST_DAY.toordinal(), datetime.date(2012, 1, 1).toordinal()))
            until = None
            if rng.random() < 0.05:
                until = _day(rng.randint(since.toordinal() + 365, LAST_DAY.toordinal()))
            rows.append(
                MemberState(
                    name=name,
                    official_name=rng.choice(OFFICIAL_FORMS).format(name),
                    iso3=iso3,
                    slug=f"synthetic-{iso3.lower()}",
                    member_since=since,
                    member_until=until,
                    is_synthetic=True,
                )
            )
        return rows

    # Instruments ----------------------------------------------------------

    def instruments(self, count: int) -> list[list[Instrument]]:
        """Instruments in levels: each level only amends instruments of earlier levels."""
        rng = self.rng
        kinds = [kind for kind, _, _ in KIND_MIX]
        weights = [share for _, share, _ in KIND_MIX]
        binding = {kind: needs for kind, _, needs in KIND_MIX}
        levels: list[list[Instrument]] = []
        depth: dict[int, int] = {}
        created: list[Instrument] = []
        # The first instrument is the founding charter the charter amendments amend.
        for n in range(1, count + 1):
            kind = Instrument.Kind.CHARTER if n == 1 else rng.choices(kinds, weights)[0]
            needs = True if n == 1 else binding[kind]
            if kind == Instrument.Kind.AGREEMENT and rng.random() < 0.1:
                needs = False  # some agreements bind on signature
            field = rng.choice(FIELDS)
            parent = None
            if kind in AMENDING_KINDS and created:
                # Charter amendments amend the charter (the first instrument); protocols a recent instrument.
                parent = created[0] if kind == Instrument.Kind.CHARTER_AMENDMENT else rng.choice(created[-50:])
            label = Instrument.Kind(kind).label
            short_title = f"{label} No. {n}" if kind != Instrument.Kind.CHARTER else "Charter"
            title = f"{label} on {field}" + (f" amending the {parent.short_title}" if parent else "") + f" (No. {n})"
            if kind == Instrument.Kind.CHARTER:
                title = "Charter of the Synthetic Organisation"
            rule, threshold, basis = "", None, ""
            if needs:
                roll = rng.random()
                if roll < 0.4:
                    rule, basis = Instrument.EntryIntoForceRule.ALL_PARTIES, "Final clauses: all parties."
                elif roll < 0.8:
                    rule = Instrument.EntryIntoForceRule.NTH_RATIFICATION
                    threshold = rng.randint(2, 60)
                    basis = f"Final clauses: the {threshold}th instrument of ratification."
            instrument = Instrument(
                title=title,
                short_title=short_title,
                slug=f"synthetic-{n}",
                kind=kind,
                part_of=parent,
                needs_ratification=needs,
                # Every block of 50 shares a series name, so a page can ask for exactly 50 by its title filter.
                aliases=f"{label} of {field}\nSeries {(n - 1) // SERIES_SIZE:03d}",
                eif_rule=rule,
                eif_threshold=threshold,
                eif_rule_basis=basis,
                is_synthetic=True,
            )
            level = depth[id(parent)] + 1 if parent else 0
            depth[id(instrument)] = level
            while len(levels) <= level:
                levels.append([])
            levels[level].append(instrument)
            created.append(instrument)
            # An amendment comes after what it amends.
            start = self.adopted_on[id(parent)].toordinal() + 30 if parent else FIRST_DAY.toordinal()
            start = min(start, LAST_DAY.toordinal() - 400)
            adopted = _day(rng.randint(start, max(start, LAST_DAY.toordinal() - 365)))
            self.adopted_on[id(instrument)] = FIRST_DAY if kind == Instrument.Kind.CHARTER else adopted
        return levels

    # Events -------------------------------------------------------------

    def events(self, states: list[MemberState], instruments: list[Instrument], budget: int) -> None:
        rng = self.rng
        for instrument in instruments:
            if len(self.planned) >= budget:
                return
            adopted = self.adopted_on[id(instrument)]
            opening = Event.Type.SIGNED if instrument.needs_ratification else Event.Type.ADOPTED
            cursor = self._plan(instrument, None, opening, adopted.toordinal(), cursor=adopted.toordinal())
            if cursor and instrument.needs_ratification and rng.random() < 0.3 and len(self.planned) < budget:
                self._plan(instrument, None, Event.Type.IN_FORCE, cursor + rng.randint(180, 1500), cursor=cursor + 1)
        # Popular instruments gather more states; binding-on-adoption ones rarely need per-state steps.
        popularity = {
            id(instrument): rng.uniform(0.2, 1.0) if instrument.needs_ratification else 0.05
            for instrument in instruments
        }
        pairs = [(rng.random() / popularity[id(i)], n, i, s) for n, (i, s) in enumerate(_pairs(instruments, states))]
        pairs.sort(key=lambda pair: (pair[0], pair[1]))
        for _, _, instrument, state in pairs:
            if len(self.planned) >= budget:
                return
            self._plan_pair(instrument, state, budget)

    def _plan_pair(self, instrument: Instrument, state: MemberState, budget: int) -> None:
        rng = self.rng
        start = max(self.adopted_on[id(instrument)], state.member_since).toordinal()
        if state.member_until and start >= state.member_until.toordinal():
            return  # the state had left before the instrument was adopted
        if not instrument.needs_ratification:
            steps = [(Event.Type.ADOPTED, 1.0, (0, 30))]
        else:
            steps = [
                (Event.Type.SIGNED, 0.92, (0, 400)),
                (Event.Type.RATIFICATION_PENDING, 0.45, (30, 500)),
                (Event.Type.RATIFIED, 0.85, (30, 900)),
                (Event.Type.NOTIFIED, 0.6, (7, 120)),
                (Event.Type.IN_FORCE, 0.35, (1, 90)),
            ]
        cursor = start
        runs = 0
        while runs < 2:
            runs += 1
            for event_type, chance, (low, high) in steps:
                if rng.random() >= chance:
                    if event_type == Event.Type.RATIFIED:
                        return  # never ratified: nothing follows
                    continue
                if len(self.planned) >= budget:
                    return
                day = max(cursor, start) + rng.randint(low, high)
                cursor = self._plan(instrument, state, event_type, day, cursor=cursor)
                if cursor is None:
                    return
            roll = rng.random()
            if roll >= 0.05 or len(self.planned) >= budget:
                return
            ending = Event.Type.WITHDRAWN if roll < 0.04 else Event.Type.SUSPENDED
            cursor = self._plan(instrument, state, ending, cursor + rng.randint(365, 3000), cursor=cursor)
            if cursor is None or rng.random() >= 0.3:
                return
            start = cursor + 180  # a state that left may start again, years later

    def _plan(self, instrument, state, event_type, day: int, *, cursor: int) -> int | None:
        """Plan one event on ``day`` (an ordinal); return the day after its source, or None past the record's end.

        ``cursor`` is the first day the event may be dated: a vague date that would
        reach back before it is given to the day instead, so steps stay in order.
        """
        rng = self.rng
        if day > LAST_DAY.toordinal():
            return None
        reported = min(day + rng.randint(0, 45), LAST_DAY.toordinal())
        precision = rng.choices([p for p, _ in PRECISION_MIX], [w for _, w in PRECISION_MIX])[0]
        true_day = _day(day)
        if precision == Event.Precision.MONTH:
            date = true_day.replace(day=1)
        elif precision == Event.Precision.YEAR:
            date = true_day.replace(month=1, day=1)
        elif precision == Event.Precision.ON_OR_BEFORE:
            date = _day(reported)
        else:
            date = true_day
        if date.toordinal() < cursor:
            precision, date = Event.Precision.DAY, true_day
        key = self._source_for(instrument, state, event_type, reported)
        quote = _quote(instrument, state, event_type, date, precision)
        self.source_quotes[key].append(quote)
        self.planned.append(
            _PlannedEvent(instrument, state, event_type, date, precision, key, quote, inferred=rng.random() < 0.05)
        )
        return reported + 1

    def _source_for(self, instrument, state, event_type, reported: int) -> tuple[int, int]:
        # One source never reports the same step for the same pair twice (a unique constraint).
        report = (id(instrument), id(state), event_type)
        slot = self.rng.randrange(2)
        while report in self.source_reports.get((reported, slot), ()):
            slot += 1
        key = (reported, slot)
        self.source_reports.setdefault(key, set()).add(report)
        self.source_quotes.setdefault(key, [])
        return key

    # Rows -----------------------------------------------------------------

    def source_documents(self) -> list[SourceDocument]:
        rng = self.rng
        rows = []
        for n, key in enumerate(sorted(self.source_quotes), start=1):
            day = _day(key[0])
            kind = rng.choice(SourceDocument.Kind.values)
            speaker = rng.choice(SPEAKERS)
            opening = f"{speaker} reported on the status of the Organisation's instruments on {day:%d %B %Y}."
            source = SourceDocument(
                title=f"{SourceDocument.Kind(kind).label} by the {speaker}, {day:%d %B %Y}",
                slug=f"synthetic-source-{n}",
                kind=kind,
                date=day,
                speaker=speaker,
                place=_capitalised_word(rng),
                text="\n\n".join([opening, *self.source_quotes[key], "The Organisation thanks the parties."]),
                is_synthetic=True,
            )
            self.sources_by_key[key] = source
            rows.append(source)
        return rows

    def event_rows(self) -> list[Event]:
        rows = []
        for planned in self.planned:
            event = Event(
                instrument=planned.instrument,
                state=planned.state,
                type=planned.type,
                date=planned.date,
                precision=planned.precision,
                source=self.sources_by_key[planned.source_key],
                quote=planned.quote,
                inferred=planned.inferred,
            )
            event.known_from = event.compute_known_from()
            rows.append(event)
        return rows


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _pairs(instruments, states):
    for instrument in instruments:
        for state in states:
            yield instrument, state


def _capitalised_word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def _day(ordinal: int) -> datetime.date:
    return datetime.date.fromordinal(ordinal)


def _quote(instrument: Instrument, state: MemberState | None, event_type: str, date: datetime.date, precision) -> str:
    who = state.official_name if state else "The Organisation"
    when = {
        Event.Precision.DAY: f"on {date:%d %B %Y}",
        Event.Precision.MONTH: f"in {date:%B %Y}",
        Event.Precision.YEAR: f"in {date:%Y}",
        Event.Precision.ON_OR_BEFORE: f"as of {date:%d %B %Y}",
    }[precision]
    return f"{who} {VERBS[event_type]} the {instrument.short_title} {when}."

"""Planning a synthetic record in memory, every row drawn from one seeded ``random.Random``.

Rows are planned in the order they will be written (states, instruments level by level, then sources and
events), and nothing is saved here: ``tracker.synthetic.writing`` writes the plan. Just over 300 lines, for one
class: every step reads and extends the same plan (adoption days, sources by day), which split modules would
have to hand back and forth.
"""

import dataclasses
import datetime
import random

from tracker.models import Event, Instrument, MemberState, SourceDocument
from tracker.synthetic.vocabulary import (
    AMENDING_KINDS,
    FIELDS,
    KIND_MIX,
    LETTERS,
    OFFICIAL_FORMS,
    PRECISION_MIX,
    SPEAKERS,
    capitalised_word,
    event_quote,
)

FIRST_DAY = datetime.date(1992, 5, 15)
# A fixed last day rather than today, so that a seed gives the same record next year.
LAST_DAY = datetime.date(2025, 12, 31)
SERIES_SIZE = 50
_KINDS = [kind for kind, _, _ in KIND_MIX]
_KIND_WEIGHTS = [share for _, share, _ in KIND_MIX]
_KIND_BINDING = {kind: needs for kind, _, needs in KIND_MIX}


@dataclasses.dataclass
class PlannedEvent:
    instrument: Instrument
    state: MemberState | None
    type: str
    date: datetime.date
    precision: str
    source_key: tuple[int, int]
    quote: str
    inferred: bool


class Planner:
    def __init__(self, rng: random.Random, using: str):
        self.rng = rng
        self.using = using
        self.planned: list[PlannedEvent] = []
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
        codes = [a + b + c for a in LETTERS for b in LETTERS for c in LETTERS]
        codes = [code for code in codes if code not in taken_codes]
        rows = []
        for iso3 in sorted(rng.sample(codes, count)):
            name = capitalised_word(rng)
            while name in taken_names:
                name = capitalised_word(rng)
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
        levels: list[list[Instrument]] = []
        depth: dict[int, int] = {}
        created: list[Instrument] = []
        for n in range(1, count + 1):
            instrument = self._instrument(n, created)
            parent = instrument.part_of
            level = depth[id(parent)] + 1 if parent else 0
            depth[id(instrument)] = level
            while len(levels) <= level:
                levels.append([])
            levels[level].append(instrument)
            created.append(instrument)
            # An amendment comes after what it amends.
            start = self.adopted_on[id(parent)].toordinal() + 30 if parent else FIRST_DAY.toordinal()
            start = min(start, LAST_DAY.toordinal() - 400)
            adopted = _day(self.rng.randint(start, max(start, LAST_DAY.toordinal() - 365)))
            self.adopted_on[id(instrument)] = FIRST_DAY if instrument.kind == Instrument.Kind.CHARTER else adopted
        return levels

    def _instrument(self, n: int, created: list[Instrument]) -> Instrument:
        """The ``n``th instrument, which may amend one of those ``created`` before it."""
        rng = self.rng
        # The first instrument is the founding charter the charter amendments amend.
        kind = Instrument.Kind.CHARTER if n == 1 else rng.choices(_KINDS, _KIND_WEIGHTS)[0]
        needs = True if n == 1 else _KIND_BINDING[kind]
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
        rule, threshold, basis = self._entry_into_force_rule() if needs else ("", None, "")
        return Instrument(
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

    def _entry_into_force_rule(self) -> tuple[str, int | None, str]:
        """A binding instrument's rule, threshold and basis: all parties, the nth ratification, or none stated."""
        roll = self.rng.random()
        if roll < 0.4:
            return Instrument.EntryIntoForceRule.ALL_PARTIES, None, "Final clauses: all parties."
        if roll < 0.8:
            threshold = self.rng.randint(2, 60)
            basis = f"Final clauses: the {threshold}th instrument of ratification."
            return Instrument.EntryIntoForceRule.NTH_RATIFICATION, threshold, basis
        return "", None, ""

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
        quote = event_quote(instrument, state, event_type, date, precision)
        self.source_quotes[key].append(quote)
        self.planned.append(
            PlannedEvent(instrument, state, event_type, date, precision, key, quote, inferred=rng.random() < 0.05)
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
                place=capitalised_word(rng),
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


def _pairs(instruments, states):
    for instrument in instruments:
        for state in states:
            yield instrument, state


def _day(ordinal: int) -> datetime.date:
    return datetime.date.fromordinal(ordinal)

"""How well the proposer reads: the curated sources by event type, and a labelled set of texts by language too."""

import csv
import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from rapidfuzz import fuzz

from tracker.models import Instrument, MemberState, SourceDocument
from tracker.proposals.language import detect_language
from tracker.proposals.reader import NEW_INSTRUMENT, propose_events
from tracker.status import StatusMatrix, build_history


@dataclasses.dataclass
class Score:
    """How proposals compare with the curated events of one event type (or of all)."""

    proposed: int = 0
    curated: int = 0
    matched_proposals: int = 0
    found_events: int = 0

    @property
    def precision(self) -> float:
        return self.matched_proposals / self.proposed if self.proposed else 0.0

    @property
    def recall(self) -> float:
        return self.found_events / self.curated if self.curated else 0.0

    def add(self, other: "Score"):
        self.proposed += other.proposed
        self.curated += other.curated
        self.matched_proposals += other.matched_proposals
        self.found_events += other.found_events


def evaluate_sources(sources: Iterable[SourceDocument], *, with_record: bool = False) -> dict[str, Score]:
    """Run the proposer over each source's text and compare with its curated events, by event type.

    Proposals and events match on (instrument, state, type); "new instrument?"
    candidates are not events and are left out. Recall counts this source's
    own curated events found. A proposal is correct if it matches one of them,
    or a curated event of a source dated no later: a speech that thanks "all"
    parliaments for ratifying repeats facts an earlier source already gave,
    and proposing them again is redundant, not wrong. By default each text is read
    alone, as if pasted into a database holding only states and instruments.
    ``with_record`` replays the sources in date order instead: each is read
    with the record built from the curated events of the sources before it,
    as staff entering the speeches one by one would have it.
    """
    instruments = list(Instrument.objects.all())
    states = list(MemberState.objects.all())
    sources = sorted(sources, key=lambda source: (source.date, source.pk))
    curated_events = {source.pk: list(source.events.all()) for source in sources}
    scores: dict[str, Score] = {}
    for index, source in enumerate(sources):
        record = None
        if with_record:
            earlier = [event for other in sources[:index] for event in curated_events[other.pk]]
            record = _record_from(earlier, instruments, states, as_of=source.date)
        proposals = propose_events(source.text, date=source.date, instruments=instruments, states=states, record=record)
        proposed = {p.key for p in proposals if p.type != NEW_INSTRUMENT}
        curated = {_key(event) for event in curated_events[source.pk]}
        already_known = {
            _key(event) for other in sources if other.date <= source.date for event in curated_events[other.pk]
        }
        for event_type in {key[2] for key in proposed | curated}:
            mine = {key for key in proposed if key[2] == event_type}
            theirs = {key for key in curated if key[2] == event_type}
            scores.setdefault(event_type, Score()).add(
                Score(
                    proposed=len(mine),
                    curated=len(theirs),
                    matched_proposals=len(mine & (theirs | already_known)),
                    found_events=len(mine & theirs),
                )
            )
    return scores


def _key(event) -> tuple[int, int | None, str]:
    return (event.instrument_id, event.state_id, event.type)


def _record_from(events, instruments, states, *, as_of) -> StatusMatrix:
    """The status engine's matrix over a chosen set of events, as the record would stand with only those."""
    by_instrument = defaultdict(list)
    for event in events:
        if event.is_known_by(as_of):
            by_instrument[event.instrument_id].append(event)
    histories = {
        instrument.pk: build_history(instrument, by_instrument[instrument.pk], states, as_of)
        for instrument in instruments
    }
    return StatusMatrix(as_of=as_of, instruments=instruments, states=states, histories=histories)


# A labelled set of texts (issue 13) ------------------------------------------------------------

SET_COLUMNS = ["file", "text_date", "instrument", "state", "type", "date", "precision"]
NEW_TITLE_PREFIX = "new:"
# A "new instrument?" title matches the labelled one when the two read the same to rapidfuzz (0-100).
NEW_TITLE_MATCH = 85


class LabelledSetError(ValueError):
    """The labelled set cannot be read; the message says which file or row, and why."""


@dataclasses.dataclass(frozen=True)
class Expected:
    """One labelled event: the instrument's slug (or ``new:`` and the title as the text gives it) and the rest."""

    instrument: str
    state: str
    type: str
    date: datetime.date | None
    precision: str


@dataclasses.dataclass
class LabelledText:
    name: str
    text: str
    date: datetime.date
    expected: list[Expected]

    @property
    def language(self) -> str:
        return detect_language(self.text)


def read_labelled_set(directory: Path) -> list[LabelledText]:
    """The texts of ``directory`` and their events from its ``expected.csv`` (format: tests/reader_set/README.md)."""
    index = directory / "expected.csv"
    if not index.is_file():
        raise LabelledSetError(f"{directory} holds no expected.csv.")
    texts: dict[str, LabelledText] = {}
    with index.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        if reader.fieldnames != SET_COLUMNS:
            raise LabelledSetError(f"{index}: the header must be {','.join(SET_COLUMNS)}.")
        for line, row in enumerate(reader, start=2):
            try:
                text_date = datetime.date.fromisoformat(row["text_date"])
                path = directory / row["file"]
                if row["file"] not in texts:
                    texts[row["file"]] = LabelledText(row["file"], path.read_text(encoding="utf-8"), text_date, [])
                if row["type"]:
                    is_new = row["instrument"].startswith(NEW_TITLE_PREFIX)
                    texts[row["file"]].expected.append(
                        Expected(
                            instrument=row["instrument"],
                            state=row["state"],
                            type=row["type"],
                            date=None if is_new else datetime.date.fromisoformat(row["date"]),
                            precision="" if is_new else row["precision"],
                        )
                    )
            except (ValueError, OSError, TypeError) as error:
                raise LabelledSetError(f"{index}, line {line}: {error}") from error
    return list(texts.values())


def evaluate_labelled_set(texts: Iterable[LabelledText]) -> dict[tuple[str, str], Score]:
    """Scores by (language, event type): a proposal is correct only if instrument, state, type, date and
    precision all match a labelled event; "new instrument?" proposals match on their title."""
    instruments = list(Instrument.objects.all())
    states = list(MemberState.objects.all())
    scores: dict[tuple[str, str], Score] = {}
    for item in texts:
        proposals = propose_events(item.text, date=item.date, instruments=instruments, states=states)
        found = [_as_expected(proposal) for proposal in proposals]
        unmatched = list(item.expected)
        correct = []
        for candidate in found:
            match = next((e for e in unmatched if _same(candidate, e)), None)
            if match:
                unmatched.remove(match)
            correct.append(match is not None)
        for event_type in {e.type for e in found} | {e.type for e in item.expected}:
            mine = [ok for candidate, ok in zip(found, correct, strict=True) if candidate.type == event_type]
            theirs = [e for e in item.expected if e.type == event_type]
            missed = [e for e in unmatched if e.type == event_type]
            scores.setdefault((item.language, event_type), Score()).add(
                Score(
                    proposed=len(mine),
                    curated=len(theirs),
                    matched_proposals=sum(mine),
                    found_events=len(theirs) - len(missed),
                )
            )
    return scores


def _as_expected(proposal) -> Expected:
    if proposal.type == NEW_INSTRUMENT:
        return Expected(NEW_TITLE_PREFIX + proposal.new_title, "", NEW_INSTRUMENT, None, "")
    return Expected(
        proposal.instrument.slug,
        proposal.state.iso3 if proposal.state else "",
        proposal.type,
        proposal.date,
        proposal.precision,
    )


def _same(proposed: Expected, expected: Expected) -> bool:
    if proposed.type == NEW_INSTRUMENT:
        return expected.type == NEW_INSTRUMENT and (
            fuzz.ratio(proposed.instrument.lower(), expected.instrument.lower()) >= NEW_TITLE_MATCH
        )
    return proposed == expected

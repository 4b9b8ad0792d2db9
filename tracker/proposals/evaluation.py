"""How well the proposer reads the curated sources: precision and recall by event type."""

import dataclasses
from collections import defaultdict
from collections.abc import Iterable

from tracker.models import Instrument, MemberState, SourceDocument
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
        if event.known_from <= as_of:
            by_instrument[event.instrument_id].append(event)
    histories = {
        instrument.pk: build_history(instrument, by_instrument[instrument.pk], states, as_of)
        for instrument in instruments
    }
    return StatusMatrix(as_of=as_of, instruments=instruments, states=states, histories=histories)

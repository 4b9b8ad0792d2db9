"""The proposer: reads a pasted speech and proposes events for staff to review (issue 9).

Nothing here writes to the database. The text is cut into sentences (pysbd);
each sentence is searched for known instruments (title, short title and
aliases, fuzzy-matched with rapidfuzz) and member states (names, official
names and the adjectives of ``STATE_WORDS``); wording cues ("ratified by",
"not ratified by", "completing the ratification procedures", "entered into
force"...) then turn those mentions into one proposal per state.

Where the text names no state ("all these instruments", "ratification
procedures were completed"), the proposal covers every member the sentence
leaves over and is flagged ``inferred``.
"""

import dataclasses
import datetime
import re
from collections.abc import Iterable, Sequence

import pysbd

from tracker.models import Event, Instrument, MemberState
from tracker.proposals.lexicon import Lexicon, Mention
from tracker.proposals.wording import (
    ALL_THESE,
    ANAPHORA,
    ANY_CUE,
    CATAPHORA,
    INSTRUMENT_LIKE,
    RATIFICATION_CUES,
    cues,
    exact_date,
    list_cue,
    state_list,
    year_of,
)
from tracker.status import BOUND_STATUSES, StatusMatrix

NEW_INSTRUMENT = "new_instrument"


@dataclasses.dataclass
class Proposal:
    """One candidate event, or a "new instrument?" candidate when ``type`` is ``NEW_INSTRUMENT``."""

    sentence: str
    type: str
    date: datetime.date
    precision: str
    instrument: Instrument | None = None
    state: MemberState | None = None
    inferred: bool = False
    new_title: str = ""
    marks: tuple[Mention, ...] = ()

    @property
    def key(self):
        return (self.instrument.pk if self.instrument else None, self.state.pk if self.state else None, self.type)

    @property
    def type_label(self) -> str:
        return "new instrument?" if self.type == NEW_INSTRUMENT else str(Event.Type(self.type).label)


@dataclasses.dataclass
class _Sentence:
    text: str
    instruments: dict[int, list[Mention]]  # instrument pk -> mentions
    states: list[tuple[MemberState, Mention]]
    is_bullet: bool


def split_sentences(text: str) -> list[str]:
    """The text's sentences, each an exact piece of ``text``; a line break always ends one (bullets, headings)."""
    segmenter = pysbd.Segmenter(language="en", clean=False)
    sentences = []
    for line in text.splitlines():
        if line.strip():
            sentences.extend(piece.strip() for piece in segmenter.segment(line) if piece.strip())
    return sentences


def propose_events(
    text: str,
    *,
    date: datetime.date,
    instruments: Iterable[Instrument] | None = None,
    states: Iterable[MemberState] | None = None,
    record: StatusMatrix | None = None,
) -> list[Proposal]:
    """Candidate events for a source dated ``date``, in the order of the text, one per (instrument, state, type).

    ``record`` is the status engine's matrix of what is already known as of
    ``date``: where the text leaves the states implied ("all these
    instruments"), states the record already shows as ratified are left out,
    since a vague mention adds nothing to what is recorded. Without it the
    proposer reads the text alone, as in a database holding no events.
    """
    instruments = list(Instrument.objects.all() if instruments is None else instruments)
    states = list(MemberState.objects.all() if states is None else states)
    lexicon = Lexicon(instruments, states)
    members = [state for state in states if state.is_member_on(date)]
    sentences = [
        _Sentence(s, lexicon.find_instruments(s), lexicon.find_states(s), s.lstrip().startswith(("-", "•", "–", "*")))
        for s in split_sentences(text)
    ]
    reader = _Reader(lexicon, members, date, record)
    for index, sentence in enumerate(sentences):
        reader.read(sentence, sentences[index + 1 :])
    return reader.unique_proposals()


class _Reader:
    """Walks the sentences in order, remembering what the last ones named, for "it" and "all these"."""

    def __init__(self, lexicon: Lexicon, members: list[MemberState], date: datetime.date, record=None):
        self.record = record
        self.lexicon = lexicon
        self.members = members
        self.date = date
        self.proposals: list[Proposal] = []
        self.recent: list[int] = []  # instruments of the last sentence that named or implied any
        self.block: list[int] = []  # instruments of the run of sentences (a list) just read
        self.list_cue: str | None = None  # a "...such as:" sentence whose cue applies to the list below it

    def read(self, sentence: _Sentence, following: Sequence[_Sentence]):
        if not sentence.instruments:
            self.list_cue = None if not sentence.is_bullet else self.list_cue
        proposed_before = len(self.proposals)
        named = list(sentence.instruments)
        for cue_type, cue in cues(sentence.text):
            targets = self._instruments_for(sentence, cue, cue_type, following)
            if cue_type == "membership":
                targets = [pk for pk, i in self.lexicon.instruments.items() if i.kind == Instrument.Kind.CHARTER]
            for instrument_pk in targets:
                self._propose(sentence, self.lexicon.instruments[instrument_pk], cue_type, cue)
        if named and self.list_cue and len(self.proposals) == proposed_before:
            for instrument_pk in named:
                self._propose(sentence, self.lexicon.instruments[instrument_pk], self.list_cue, None)
        if named:
            self.block = (self.block if self._last_named else []) + named
            self.recent = named
        elif len(self.proposals) > proposed_before:
            self.recent = list(dict.fromkeys(p.instrument.pk for p in self.proposals[proposed_before:] if p.instrument))
        self._last_named = bool(named)
        if CATAPHORA.search(sentence.text) and list_cue(sentence.text):
            self.list_cue = list_cue(sentence.text)
        if not named:
            self._propose_new_instruments(sentence)

    _last_named = False

    def _instruments_for(self, sentence, cue, cue_type, following) -> list[int]:
        if sentence.instruments:
            before = [pk for pk, ms in sentence.instruments.items() if ms[0].start < cue.start()]
            return before or list(sentence.instruments)
        if cue_type not in RATIFICATION_CUES:
            return []
        if CATAPHORA.search(sentence.text) and following and following[0].instruments:
            return list(following[0].instruments)
        if ALL_THESE.search(sentence.text):
            return list(self.block)
        if ANAPHORA.search(sentence.text) or cue_type in {"complete", "continuing"}:
            return list(self.recent)
        return []

    def _propose(self, sentence: _Sentence, instrument: Instrument, cue_type: str, cue: re.Match | None):
        text = sentence.text
        instrument_marks = tuple(sentence.instruments.get(instrument.pk, ()))
        date, precision = self.date, Event.Precision.ON_OR_BEFORE
        if cue_type == "completed":
            date, precision = year_of(text, self.date) or (date, precision)
        named, excepted, all_members = state_list(text, cue, sentence.states) if cue else ([], [], False)
        if cue_type == "complete" and not named:
            # "I request the parliamentarians of A and B to ... complete ratification": the addressees.
            named = list(dict.fromkeys(state for state, _ in sentence.states))
        if cue_type in {"in_force", "signed", "adopted", "implemented"} and not named:
            if cue_type == "signed" and not instrument.needs_ratification:
                cue_type = "adopted"
            if cue_type in {"adopted", "implemented"} and instrument.needs_ratification:
                return  # a treaty binds on ratification, not on the word "adopted"
            exact = exact_date(text)
            if exact and exact <= self.date and cue_type != "implemented":
                date, precision = exact, Event.Precision.DAY
            event_type = {"in_force": Event.Type.IN_FORCE, "signed": Event.Type.SIGNED}.get(
                cue_type, Event.Type.ADOPTED
            )
            inferred = cue_type == "implemented"
            self._add(text, event_type, date, precision, instrument, None, inferred, instrument_marks)
            return
        if cue_type == "completed" and not named:
            # Every member has completed ratification: the instrument is in force, as an inference.
            self._add(text, Event.Type.IN_FORCE, date, precision, instrument, None, True, instrument_marks)
        marks = {state.pk: mention for state, mention in sentence.states}
        stated_type, rest_type = {
            "ratified": (Event.Type.RATIFIED, None),
            "not_ratified": (Event.Type.RATIFICATION_PENDING, Event.Type.RATIFIED),
            "complete": (Event.Type.RATIFICATION_PENDING, None),
            "continuing": (Event.Type.RATIFICATION_PENDING, None),
            "completed": (Event.Type.RATIFIED, None),
            "thanks": (Event.Type.RATIFIED, None),
            "signed": (Event.Type.SIGNED, None),
            "in_force": (Event.Type.IN_FORCE, None),
            "adopted": (Event.Type.ADOPTED, None),
            "membership": (Event.Type.IN_FORCE, None),
        }[cue_type]
        inferred = cue_type == "membership"
        if inferred and not named:
            return
        if named and not all_members:
            for state in named:
                if inferred and self._bound(instrument, state):
                    continue  # a membership list repeats what the record already holds
                state_marks = (*instrument_marks, marks[state.pk])
                self._add(text, stated_type, date, precision, instrument, state, inferred, state_marks)
            if rest_type:
                for state in self._implied(instrument, named):
                    self._add(text, rest_type, date, precision, instrument, state, True, instrument_marks)
            return
        if all_members:
            for state in self._others(excepted):
                self._add(text, stated_type, date, precision, instrument, state, False, instrument_marks)
            for state in excepted:
                opposite = Event.Type.RATIFICATION_PENDING if stated_type == Event.Type.RATIFIED else stated_type
                self._add(
                    text, opposite, date, precision, instrument, state, True, (*instrument_marks, marks[state.pk])
                )
            return
        # No state named: the members the text has not already placed elsewhere.
        placed = self._ratified_in_text(instrument) if stated_type == Event.Type.RATIFICATION_PENDING else set()
        for state in self._implied(instrument, [state for state in self.members if state.pk in placed]):
            self._add(text, stated_type, date, precision, instrument, state, True, instrument_marks)

    def _implied(self, instrument, named) -> list[MemberState]:
        """The members a sentence implies without naming them, less those the record shows as bound already."""
        others = self._others(named)
        return [state for state in others if not self._bound(instrument, state)]

    def _bound(self, instrument, state) -> bool:
        """Whether the record already shows the state as ratified or bound (never, without a record)."""
        if self.record is None or instrument.pk not in self.record.histories:
            return False
        return self.record.status(instrument, state).code in BOUND_STATUSES

    def _others(self, states):
        excluded = {state.pk for state in states}
        return [state for state in self.members if state.pk not in excluded]

    def _ratified_in_text(self, instrument) -> set[int]:
        return {
            p.state.pk
            for p in self.proposals
            if p.instrument == instrument and p.state and p.type in {Event.Type.RATIFIED, Event.Type.IN_FORCE}
        }

    def _add(self, sentence, event_type, date, precision, instrument, state, inferred, marks):
        self.proposals.append(
            Proposal(
                sentence=sentence,
                type=event_type,
                date=date,
                precision=precision,
                instrument=instrument,
                state=state,
                inferred=inferred,
                marks=tuple(sorted(set(marks), key=lambda m: m.start)),
            )
        )

    def _propose_new_instruments(self, sentence: _Sentence):
        if not ANY_CUE.search(sentence.text):
            return
        for match in INSTRUMENT_LIKE.finditer(sentence.text):
            title = match.group(0).strip(' ,-–"“”«»')
            if len(title.split()) < 4:
                continue
            self.proposals.append(
                Proposal(
                    sentence=sentence.text,
                    type=NEW_INSTRUMENT,
                    date=self.date,
                    precision=Event.Precision.ON_OR_BEFORE,
                    new_title=title,
                    marks=(Mention(match.start(), match.start() + len(match.group(0).rstrip())),),
                )
            )

    def unique_proposals(self) -> list[Proposal]:
        """One proposal per (instrument, state, type), preferring the one the text states outright."""
        chosen: dict[tuple, Proposal] = {}
        for proposal in self.proposals:
            key = (*proposal.key, proposal.new_title)
            if key not in chosen or (chosen[key].inferred and not proposal.inferred):
                chosen[key] = proposal
        return list(chosen.values())

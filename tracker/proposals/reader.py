"""The proposer: reads a pasted speech and proposes events for staff to review (issue 9).

Nothing here writes to the database. The text's language is detected and the
text cut into sentences (``language``); each sentence is searched for known
instruments (titles and aliases, fuzzy-matched with rapidfuzz, on lemmas in
Russian) and member states (names and the actors that speak for them, from the
record); wording cues ("ratified by", "not ratified by", "signed the law on
ratification", "ратифицировал", "entered into force"...) then turn those
mentions into one proposal per state, dated by the date the sentence gives
nearest to the cue (``dates``), or "on or before" the text's date.

Where the text names no state ("all these instruments", "ratification
procedures were completed"), the proposal covers every member the sentence
leaves over and is flagged ``inferred``.

Over 300 lines because it is one reading pass: sentence, names, step, date and merging of stages share the
sentence's state; the names and phrases it reads live in ``lexicon``, ``wording`` and ``dates``.
"""

import dataclasses
import datetime
import itertools
import re
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext

from tracker.models import Event, Instrument, MemberState
from tracker.proposals.dates import AFTER_AN_INSTRUMENT, DateMention, dates_in, nearest_date
from tracker.proposals.language import RUSSIAN, Words, check_length, detect_language, split_sentences
from tracker.proposals.lexicon import Lexicon, Mention
from tracker.proposals.wording import (
    ACT_CUES,
    ALL_THESE,
    ANAPHORA,
    ANY_CUE,
    CATAPHORA,
    INSTRUMENT_LIKE,
    INSTRUMENT_LIKE_RU,
    RATIFICATION_CUES,
    cues,
    list_cue,
    state_list,
    year_of,
)
from tracker.status import BOUND_STATUSES, StatusMatrix

NEW_INSTRUMENT = "new_instrument"
# Wording that reports where things stand as the text speaks, not a dated step: dated "on or before" the text.
UNDATED_CUES = {"membership", "thanks", "continuing", "complete", "not_ratified"}
ACT_TYPES = {
    "ratified_act": Event.Type.RATIFIED,
    "pending_act": Event.Type.RATIFICATION_PENDING,
    "notified": Event.Type.NOTIFIED,
    "suspended": Event.Type.SUSPENDED,
    "withdrawn": Event.Type.WITHDRAWN,
}


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
    note: str = ""

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
    language: str = "en"
    words: Words | None = None
    dates: list[DateMention] = dataclasses.field(default_factory=list)

    @classmethod
    def read(cls, text: str, lexicon: Lexicon, language: str, date: datetime.date) -> "_Sentence":
        words = Words.of(text) if language == RUSSIAN else None
        instruments = lexicon.find_instruments(text, words, language)
        inside = [m for mentions in instruments.values() for m in mentions]
        # A date inside an instrument's name ("Decision of 14 May 2002") dates the instrument, not a step.
        dates = [
            dataclasses.replace(d, names_instrument=True)
            if any(
                (m.start <= d.start and d.end <= m.end)
                or (m.end <= d.start and AFTER_AN_INSTRUMENT.match(text[m.end : d.start]))
                for m in inside
            )
            else d
            for d in dates_in(text, date)
        ]
        return cls(
            text=text,
            instruments=instruments,
            states=lexicon.find_states(text, words, language),
            is_bullet=text.lstrip().startswith(("-", "•", "–", "*")),
            language=language,
            words=words,
            dates=dates,
        )


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
    check_length(text)
    instruments = list(Instrument.objects.all() if instruments is None else instruments)
    states = list(MemberState.objects.all() if states is None else states)
    lexicon = Lexicon(instruments, states, on=date)
    members = [state for state in states if state.is_member_on(date)]
    language = detect_language(text)
    sentences = [_Sentence.read(s, lexicon, language, date) for s in split_sentences(text, language)]
    reader = _Reader(lexicon, members, date, record)
    for index, sentence in enumerate(sentences):
        reader.read(sentence, sentences[index + 1 : index + 2])
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
        self.last_states: list[MemberState] = []  # the states of the last sentence that named any
        self.law_date: DateMention | None = None  # a gazette's "Law ... dated 17 February 2010", for "To ratify ..."

    def read(self, sentence: _Sentence, following: Sequence[_Sentence]):
        if not sentence.instruments:
            self.list_cue = None if not sentence.is_bullet else self.list_cue
        proposed_before = len(self.proposals)
        named = list(sentence.instruments)
        self.law_date = next((d for d in sentence.dates if d.of_law), self.law_date)
        found = cues(sentence.text, sentence.words, sentence.language)
        clauses = _clauses(sentence.text, [cue for _, cue in found])
        for (cue_type, cue), clause in zip(found, clauses, strict=True):
            targets = self._instruments_for(sentence, cue, cue_type, following, clause)
            if cue_type == "membership":
                targets = [pk for pk, i in self.lexicon.instruments.items() if i.kind == Instrument.Kind.CHARTER]
            for instrument_pk in targets:
                self._propose(sentence, self.lexicon.instruments[instrument_pk], cue_type, cue, clause)
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
        if sentence.states:
            self.last_states = list(dict.fromkeys(state for state, _ in sentence.states))

    _last_named = False

    def _instruments_for(self, sentence, cue, cue_type, following, clause) -> list[int]:
        if sentence.instruments:
            mine = {
                pk: ms for pk, ms in sentence.instruments.items() if any(clause[0] <= m.start < clause[1] for m in ms)
            }
            mine = mine or sentence.instruments
            before = [pk for pk, ms in mine.items() if ms[0].start < cue.start()]
            after = [pk for pk in mine if pk not in before]
            if cue_type in ACT_CUES:
                return after or before  # a chamber "ratified the protocol": the object follows the verb
            return before or after
        if cue_type in ACT_CUES or (sentence.language == RUSSIAN and cue_type == "in_force"):
            return list(self.recent)  # "the President signed the law", "документ вступил в силу"
        if cue_type not in RATIFICATION_CUES:
            return []
        if CATAPHORA.search(sentence.text) and following and following[0].instruments:
            return list(following[0].instruments)
        if ALL_THESE.search(sentence.text):
            return list(self.block)
        if ANAPHORA.search(sentence.text) or cue_type in {"complete", "continuing"}:
            return list(self.recent)
        return []

    def _propose(self, sentence: _Sentence, instrument: Instrument, cue_type: str, cue: re.Match | None, clause=None):
        text = sentence.text
        instrument_marks = tuple(sentence.instruments.get(instrument.pk, ()))
        date, precision = self.date, Event.Precision.ON_OR_BEFORE
        if cue_type == "completed":
            date, precision = year_of(text, self.date) or (date, precision)
        elif cue and cue_type not in UNDATED_CUES:
            dates = [d for d in sentence.dates if clause is None or clause[0] <= d.start < clause[1]]
            given = nearest_date(dates, cue.start(), cue.end(), of_signature=cue_type in {"adopted", "signed"})
            if given is None and cue_type == "ratified_act":
                given = self.law_date  # a gazette gives the law's date once, above the words that ratify
            if given:
                date, precision = given.date, given.precision
        named, excepted, all_members, after = state_list(text, cue, sentence.states) if cue else ([], [], False, False)
        if cue_type in ACT_CUES and not all_members:
            self._propose_act(sentence, instrument, cue_type, named, date, precision, instrument_marks)
            return
        if cue_type == "signed" and not named and cue:
            # "was signed in Tashkent on 15 May 1992 by Armenia, Kazakhstan...": the signatories follow.
            named = list(dict.fromkeys(state for state, m in sentence.states if m.start >= cue.end()))
        if cue_type == "complete" and not named:
            # "I request the parliamentarians of A and B to ... complete ratification": the addressees.
            named = list(dict.fromkeys(state for state, _ in sentence.states))
        if cue_type in {"in_force", "signed", "adopted", "implemented"} and not named:
            if cue_type == "signed" and not instrument.needs_ratification:
                cue_type = "adopted"
            if cue_type in {"adopted", "implemented"} and instrument.needs_ratification:
                return  # a treaty binds on ratification, not on the word "adopted"
            if cue_type == "implemented" or precision != Event.Precision.DAY:
                date, precision = self.date, Event.Precision.ON_OR_BEFORE
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
            "ratified_act": (Event.Type.RATIFIED, None),
        }[cue_type]
        if cue_type == "not_ratified" and not after:
            rest_type = None  # "Armenia has not ratified" says nothing of the others; "not ratified by A" does
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

    def _propose_act(self, sentence, instrument, cue_type, named, date, precision, instrument_marks):
        """A step one state's chamber, president or government took: the states named at the cue, else in the
        sentence, else in the sentence before ("The Senate approved the law. The President signed it.")."""
        event_type = ACT_TYPES[cue_type]
        if event_type in {Event.Type.RATIFIED, Event.Type.RATIFICATION_PENDING} and not instrument.needs_ratification:
            return  # a Council decision binds on adoption: "approved" or "adopted" is no ratification of it
        states = named or list(dict.fromkeys(state for state, _ in sentence.states))
        if not states and cue_type not in {"suspended", "withdrawn"}:
            states = self.last_states  # a suspension or withdrawal is only ever read with its state named
        marks = {state.pk: mention for state, mention in sentence.states}
        for state in states:
            state_marks = (*instrument_marks, marks[state.pk]) if state.pk in marks else instrument_marks
            self._add(sentence.text, event_type, date, precision, instrument, state, False, state_marks)

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
        pattern = INSTRUMENT_LIKE_RU if sentence.language == RUSSIAN else INSTRUMENT_LIKE
        for match in pattern.finditer(sentence.text):
            end = match.end()
            # "the Agreement on ... Centre on 28 November": the date is not part of the title.
            for given in sentence.dates:
                if match.start() < given.start < end:
                    end = given.start
            title = re.sub(r"\s+(?:on|in|at|of|от)\s*$", "", sentence.text[match.start() : end].rstrip())
            title = title.strip(' ,-–"“”«»')
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
        """One proposal per (instrument, state, type), preferring the one the text states outright.

        Several stages of one state's ratification (the lower house's vote, the upper house's, the president's
        signature) are one ratified event, dated by the last stage the text dates, the others in its note.
        """
        chosen: dict[tuple, Proposal] = {}
        stages: dict[tuple, list[Proposal]] = {}
        for proposal in self.proposals:
            key = (*proposal.key, proposal.new_title)
            stages.setdefault(key, []).append(proposal)
            if key not in chosen or _better(proposal, chosen[key]):
                chosen[key] = proposal
        for key, proposal in chosen.items():
            earlier = list(dict.fromkeys(p.sentence for p in stages[key] if p.sentence != proposal.sentence))
            if proposal.type == Event.Type.RATIFIED and proposal.state and earlier:
                proposal.note = gettext("Earlier stages in the text: %(stages)s") % {"stages": " ".join(earlier)}
        return list(chosen.values())


_CLAUSE_BREAK = re.compile(r"[,;]\s+(?:and\s+|и\s+|а\s+)?|\s(?:and|и|а|while|whereas)\s")


def _clauses(text: str, found: list) -> list[tuple[int, int]]:
    """Each cue's clause: "The Duma ratified A on 2 April, and the Mazhilis ratified B on 9 April" has two, cut
    at the last comma or "and" between the cues; cues with no such break between them share one ("deposited
    the last notification on 2 October")."""
    cuts = [0]
    for cue, next_cue in itertools.pairwise(found):
        breaks = list(_CLAUSE_BREAK.finditer(text, cue.end(), next_cue.start()))
        cuts.append(breaks[-1].end() if breaks else None)
    cuts.append(len(text))
    clauses = []
    for index in range(len(found)):
        start = next(cut for cut in reversed(cuts[: index + 1]) if cut is not None)
        end = next(cut for cut in cuts[index + 1 :] if cut is not None)
        clauses.append((start, end))
    return clauses


def _better(proposal: Proposal, chosen: Proposal) -> bool:
    """Stated beats inferred; for a ratification, a dated stage beats an undated one, and a later one an earlier."""
    if chosen.inferred != proposal.inferred:
        return chosen.inferred
    undated = Event.Precision.ON_OR_BEFORE
    if (chosen.precision == undated) != (proposal.precision == undated):
        return chosen.precision == undated
    return proposal.type == Event.Type.RATIFIED and bool(proposal.state) and proposal.date > chosen.date

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
from collections import defaultdict
from collections.abc import Iterable, Sequence

import pysbd
from rapidfuzz import fuzz

from tracker.models import Event, Instrument, MemberState, SourceDocument
from tracker.status import BOUND_STATUSES, StatusMatrix, build_history

# The one lexicon of how the texts name the member states, by ISO code, on top
# of each state's own short and official names. Capitals are left out on
# purpose: in these texts "Minsk" or "Bishkek" is where a meeting sat, not who
# ratified.
STATE_WORDS: dict[str, tuple[str, ...]] = {
    "ARM": ("Armenia", "Republic of Armenia", "Armenian"),
    "BLR": ("Belarus", "Republic of Belarus", "Belarusian", "Byelorussian"),
    "KAZ": ("Kazakhstan", "Republic of Kazakhstan", "Kazakh", "Kazakhstani"),
    "KGZ": ("Kyrgyzstan", "Kyrgyz Republic", "Kyrgyz"),
    "RUS": ("Russia", "Russian Federation", "Russian"),
    "TJK": ("Tajikistan", "Republic of Tajikistan", "Tajik"),
}

# A name scores at least this (rapidfuzz ratio, 0-100) against the words it is
# aligned with to count as a mention; short names must match exactly, since
# "CST" is one letter away from "CSTO".
MATCH_THRESHOLD = 88
SHORT_NAME_LENGTH = 12

NEW_INSTRUMENT = "new_instrument"

_MONTHS_RE = "January|February|March|April|May|June|July|August|September|October|November|December"
_RATIFIED_BY = re.compile(
    r"\b(?:ratified|ratification procedures? (?:were|was|have been|has been) completed) by\b", re.I
)
_NOT_RATIFIED_BY = re.compile(r"\bnot (?:yet )?(?:been )?ratified by\b", re.I)
_HAVE_RATIFIED = re.compile(r"\b(?:has|have) (?:already |now |also )?ratified\b", re.I)
_HAVE_NOT_RATIFIED = re.compile(r"\b(?:has|have) not (?:yet )?ratified\b", re.I)
_COMPLETE_RATIFICATION = re.compile(
    r"\b(?:complet|finalis|finaliz|speed(?:ing)? up)\w* (?:the |their |its |national |domestic |internal )*"
    r"(?:ratification|ratifying)",
    re.I,
)
_CONTINUING = re.compile(
    r"\b(?:consideration|ratification)\b[^.;]*\b(?:is|are) (?:still )?(?:continuing|under way|underway|ongoing)\b"
    r"|\bpending ratification\b|\bis being ratified\b",
    re.I,
)
_COMPLETED = re.compile(
    r"\bratification procedures?\b[^.;]{0,80}? (?:were|was|have been|has been) completed\b(?! by)", re.I
)
_THANKS_FOR_RATIFYING = re.compile(
    r"\b(?:work|efforts?) (?:in|on|for) ratifying\b|\bthank\w* [^.]*\bfor ratifying\b", re.I
)
_IN_FORCE = re.compile(r"\b(?:entered|came|has come|have come|comes) into force\b", re.I)
_SIGNED = re.compile(r"\b(?:was|were|has been|have been)(?: also| already)? signed\b|\bsigned (?:the|a|an)\b", re.I)
_ADOPTED = re.compile(r"\b(?:adopted|approved|decided)\b|\badoption of\b", re.I)
_DECISION_OF = re.compile(rf"\b(?:decision|declaration|statement)s? of \d{{1,2}} (?:{_MONTHS_RE}) \d{{4}}\b", re.I)
# Carrying out a decision or a plan shows it was adopted, though the text does not say so.
_IMPLEMENTED = re.compile(r"\bimplement(?:ing|ation of|ation plan)\b", re.I)
# Being a member of the Organisation means being bound by its founding charter.
_MEMBERSHIP = re.compile(
    r"\b(?:members|member states) of (?:the )?(?:CSTO|Collective Security Treaty Organi[sz]ation|Organi[sz]ation)"
    r" (?:are|include)\b|\b(?:CSTO|Collective Security Treaty Organi[sz]ation) (?:includes|comprises)\b",
    re.I,
)
_ANY_CUE = re.compile(r"ratif|\bsign|adopt|approv|into force", re.I)
_ANAPHORA = re.compile(
    r"\b(?:the|this|these|that|those|it|its)\b(?: \w+)? (?:protocols?|agreements?|documents?|treaty|treaties|"
    r"instruments?|conventions?|charter)\b|\bit\b",
    re.I,
)
_ALL_THESE = re.compile(r"\ball (?:of )?(?:these|those|the above)\b", re.I)
_CATAPHORA = re.compile(r":\s*$|\b(?:another|the following) (?:document|instrument|agreement|protocol)\b", re.I)
_AMENDED_OBJECT = re.compile(r"\b(?:amending|amendments? to|amendment of)\s+(?:the\s+)?$", re.I)
_YEAR_WORDS = re.compile(r"\b(last year|this year|in (\d{4}))\b", re.I)
_STATE_LIST_GAP = re.compile(
    r"^\s*(?:side|parliament|authorities)?\s*(?:,|;|:)?\s*(?:and|as well as|or)?\s*(?:by\s+)?(?:the\s+)?$", re.I
)
_ALL_MEMBERS = re.compile(r"^\s*(?:by\s+)?all (?:the )?(?:CSTO )?member(?: state)?s\b", re.I)
_EXCEPT = re.compile(r"^\s*(?:,\s*)?(?:except(?: for)?|but not|with the exception of)\s+(?:the\s+)?", re.I)
# A title: a capitalised instrument word, a joining word or a quote, then words up to a verb or punctuation.
_INSTRUMENT_LIKE = re.compile(
    r"\b(?:Agreement|Protocol|Decision|Treaty|Convention|Statement|Declaration|Strategy|Programme|Program|"
    r"Regulations?|Statute|Policy|Plan|Road Map)(?: (?:on|of|amending|to|for|about)\b| ?[\"“«])"
    r"(?:(?! (?:was|were|is|are|has|have|had|will|which|that)\b)[^.;:()])+"
)
_MONTHS = _MONTHS_RE
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}}) ({_MONTHS}),? (\d{{4}})\b")
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTHS}) (\d{{1,2}}),? (\d{{4}})\b")


@dataclasses.dataclass(frozen=True)
class Mention:
    """Where a name stands in a sentence: character offsets into the sentence."""

    start: int
    end: int


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


class Lexicon:
    """The names the proposer looks for: every instrument's titles and every state's names."""

    def __init__(self, instruments: Iterable[Instrument], states: Iterable[MemberState]):
        self.instruments = {instrument.pk: instrument for instrument in instruments}
        self.states = list(states)
        self.instrument_names = [
            (instrument, _normalise(name).strip())
            for instrument in self.instruments.values()
            for name in _names_of(instrument)
            if name.strip()
        ]
        words = []
        for state in self.states:
            for word in {state.name, state.official_name, *STATE_WORDS.get(state.iso3, ())}:
                words.append((word, state))
        words.sort(key=lambda pair: -len(pair[0]))
        self._state_by_word = dict(words)
        self._state_pattern = re.compile(r"\b(" + "|".join(re.escape(word) for word, _ in words) + r")\b")

    def find_states(self, sentence: str) -> list[tuple[MemberState, Mention]]:
        return [
            (self._state_by_word[match.group(1)], Mention(match.start(), match.end()))
            for match in self._state_pattern.finditer(sentence)
        ]

    def find_instruments(self, sentence: str) -> dict[int, list[Mention]]:
        """Instruments named in the sentence; a name inside a longer matched name does not count."""
        haystack = _normalise(sentence)
        found: list[tuple[Instrument, Mention]] = []
        for instrument, name in self.instrument_names:
            mention = _align(name, haystack)
            if mention:
                found.append((instrument, mention))
        # Longest first, so "Protocol amending the Peacekeeping Agreement" wins over "Peacekeeping Agreement".
        found.sort(key=lambda pair: -(pair[1].end - pair[1].start))
        kept: dict[int, list[Mention]] = {}
        taken: list[Mention] = []
        for instrument, mention in found:
            if any(other.start < mention.end and mention.start < other.end for other in taken):
                continue
            taken.append(mention)
            kept.setdefault(instrument.pk, []).append(mention)
        # "Protocol amending the Charter": the Charter is what the protocol amends, not what the sentence is about.
        for pk, mentions in list(kept.items()):
            mentions[:] = [
                m
                for m in mentions
                if not (_AMENDED_OBJECT.search(haystack[: m.start]) and any(o.end <= m.start for o in taken))
            ]
            if not mentions:
                del kept[pk]
        return kept


def _names_of(instrument: Instrument) -> set[str]:
    """Its titles and aliases, and a quoted title inside them ("Decision “On measures ...”"), which texts
    often give alone."""
    names = {instrument.title, instrument.short_title, *instrument.alias_list}
    quoted = {q for name in names for q in re.findall(r"[“\"«]([^”\"»]+)[”\"»]", name) if len(q.split()) >= 4}
    return names | quoted


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
        for cue_type, cue in _cues(sentence.text):
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
        if _CATAPHORA.search(sentence.text) and _cue_type_of_list(sentence.text):
            self.list_cue = _cue_type_of_list(sentence.text)
        if not named:
            self._propose_new_instruments(sentence)

    _last_named = False

    def _instruments_for(self, sentence, cue, cue_type, following) -> list[int]:
        if sentence.instruments:
            before = [pk for pk, ms in sentence.instruments.items() if ms[0].start < cue.start()]
            return before or list(sentence.instruments)
        if cue_type not in _RATIFICATION_CUES:
            return []
        if _CATAPHORA.search(sentence.text) and following and following[0].instruments:
            return list(following[0].instruments)
        if _ALL_THESE.search(sentence.text):
            return list(self.block)
        if _ANAPHORA.search(sentence.text) or cue_type in {"complete", "continuing"}:
            return list(self.recent)
        return []

    def _propose(self, sentence: _Sentence, instrument: Instrument, cue_type: str, cue: re.Match | None):
        text = sentence.text
        instrument_marks = tuple(sentence.instruments.get(instrument.pk, ()))
        date, precision = self.date, Event.Precision.ON_OR_BEFORE
        if cue_type == "completed":
            date, precision = _year_of(text, self.date) or (date, precision)
        named, excepted, all_members = _state_list(text, cue, sentence.states) if cue else ([], [], False)
        if cue_type == "complete" and not named:
            # "I request the parliamentarians of A and B to ... complete ratification": the addressees.
            named = list(dict.fromkeys(state for state, _ in sentence.states))
        if cue_type in {"in_force", "signed", "adopted", "implemented"} and not named:
            if cue_type == "signed" and not instrument.needs_ratification:
                cue_type = "adopted"
            if cue_type in {"adopted", "implemented"} and instrument.needs_ratification:
                return  # a treaty binds on ratification, not on the word "adopted"
            exact = _exact_date(text)
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
        if not _ANY_CUE.search(sentence.text):
            return
        for match in _INSTRUMENT_LIKE.finditer(sentence.text):
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


_RATIFICATION_CUES = {"ratified", "not_ratified", "complete", "continuing", "completed", "thanks"}


def _cues(sentence: str) -> list[tuple[str, re.Match]]:
    """The status wording in a sentence, in order; a negation hides the positive cue it contains."""
    cues = []
    negated = [m for pattern in (_NOT_RATIFIED_BY, _HAVE_NOT_RATIFIED) for m in pattern.finditer(sentence)]
    cues += [("not_ratified", m) for m in negated]

    def free(match):
        return not any(
            n.start() <= match.start() < n.end() or match.start() <= n.start() < match.end() for n in negated
        )

    for cue_type, pattern in (
        ("ratified", _RATIFIED_BY),
        ("ratified", _HAVE_RATIFIED),
        ("complete", _COMPLETE_RATIFICATION),
        ("continuing", _CONTINUING),
        ("completed", _COMPLETED),
        ("thanks", _THANKS_FOR_RATIFYING),
        ("in_force", _IN_FORCE),
        ("signed", _SIGNED),
    ):
        cues += [(cue_type, m) for m in pattern.finditer(sentence) if free(m)]
    cues += [("membership", m) for m in _MEMBERSHIP.finditer(sentence)]
    if not any(cue_type in _RATIFICATION_CUES for cue_type, _ in cues):
        for cue_type, pattern in (("adopted", _ADOPTED), ("adopted", _DECISION_OF), ("implemented", _IMPLEMENTED)):
            cues += [(cue_type, m) for m in pattern.finditer(sentence)][:1]
    return sorted(cues, key=lambda pair: pair[1].start())


def _cue_type_of_list(sentence: str) -> str | None:
    """The cue of a sentence that introduces a list ("...ratifying treaties such as:")."""
    for cue_type, _ in _cues(sentence):
        if cue_type in {"thanks", "ratified", "continuing", "complete"}:
            return "ratified" if cue_type == "thanks" else cue_type
    return None


def _state_list(sentence: str, cue: re.Match, mentions) -> tuple[list[MemberState], list[MemberState], bool]:
    """The states a cue is about: a list right after it ("ratified by A, B and C") or right before it
    ("A and B have ratified"); also "all member states except A"."""
    named, excepted = [], []
    tail = sentence[cue.end() :]
    all_members = _ALL_MEMBERS.match(tail)
    position = cue.end()
    if all_members:
        position += all_members.end()
        except_match = _EXCEPT.match(sentence[position:])
        if except_match:
            excepted = _run_of_states(sentence, position + except_match.end(), mentions)
        return [], excepted, True
    named = _run_of_states(sentence, position, mentions) or _run_of_states_before(sentence, cue.start(), mentions)
    return named, [], False


def _run_of_states(sentence, position, mentions) -> list[MemberState]:
    states = []
    for state, mention in mentions:
        if mention.start < position:
            continue
        if not _STATE_LIST_GAP.match(sentence[position : mention.start]):
            break
        if state not in states:
            states.append(state)
        position = mention.end
    return states


def _run_of_states_before(sentence, position, mentions) -> list[MemberState]:
    states = []
    for state, mention in reversed(mentions):
        if mention.end > position:
            continue
        if not _STATE_LIST_GAP.match(sentence[mention.end : position]):
            break
        if state not in states:
            states.insert(0, state)
        position = mention.start
    return states


def _year_of(sentence: str, date: datetime.date):
    match = _YEAR_WORDS.search(sentence)
    if not match:
        return None
    words = match.group(1).lower()
    year = date.year - 1 if words == "last year" else date.year if words == "this year" else int(match.group(2))
    if year > date.year:
        return None
    return datetime.date(year, 1, 1), Event.Precision.YEAR


def _exact_date(sentence: str) -> datetime.date | None:
    months = _MONTHS.split("|")
    for match in _DAY_MONTH_YEAR.finditer(sentence):
        day, month, year = int(match.group(1)), months.index(match.group(2)) + 1, int(match.group(3))
        return _safe_date(year, month, day)
    for match in _MONTH_DAY_YEAR.finditer(sentence):
        month, day, year = months.index(match.group(1)) + 1, int(match.group(2)), int(match.group(3))
        return _safe_date(year, month, day)
    return None


def _safe_date(year, month, day):
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _normalise(text: str) -> str:
    """Lower case with quote marks blanked, keeping every offset so mentions point into the original."""
    return re.sub(r"[\"“”«»„']", " ", text.lower())


def _align(name: str, haystack: str) -> Mention | None:
    """Where ``name`` stands in ``haystack``, widened to whole words, if the words match well enough."""
    if len(name) > len(haystack) + 10:
        return None
    alignment = fuzz.partial_ratio_alignment(name, haystack, score_cutoff=MATCH_THRESHOLD - 5)
    if alignment is None:
        return None
    start, end = alignment.dest_start, alignment.dest_end
    while start > 0 and haystack[start - 1].isalnum():
        start -= 1
    while end < len(haystack) and haystack[end].isalnum():
        end += 1
    words = haystack[start:end].strip()
    threshold = 100 if len(name) < SHORT_NAME_LENGTH else MATCH_THRESHOLD
    if fuzz.ratio(name.strip(), words) < threshold:
        return None
    # "Collective Security Treaty" inside "Collective Security Treaty Organization" names the organisation.
    follows = re.match(r"\s+(\w+)", haystack[end:])
    if follows and follows.group(1) in {"organization", "organisation"}:
        return None
    return Mention(start, end)


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
    candidates are not events and are left out. By default each text is read
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
        curated = {(e.instrument_id, e.state_id, e.type) for e in curated_events[source.pk]}
        for event_type in {key[2] for key in proposed | curated}:
            mine = {key for key in proposed if key[2] == event_type}
            theirs = {key for key in curated if key[2] == event_type}
            matched = len(mine & theirs)
            scores.setdefault(event_type, Score()).add(
                Score(proposed=len(mine), curated=len(theirs), matched_proposals=matched, found_events=matched)
            )
    return scores


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

"""How the texts name instruments and member states, and where those names stand in a sentence.

The names come from the record: each instrument's titles and aliases, each
state's names and the actors that speak for it (issue 13), in both languages.
English is matched on the words as written; Russian on lemmas, so that
"Армении", "Арменией" and "Армения" are one name.
"""

import dataclasses
import datetime
import functools
import re
from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import fuzz

from tracker.models import Instrument, InstrumentAlias, MemberState, StateActor
from tracker.proposals.language import ENGLISH, RUSSIAN, Words, lemma_keys

# A name scores at least this (rapidfuzz ratio, 0-100) against the words it is
# aligned with to count as a mention; short names must match exactly, since
# "CST" is one letter away from "CSTO".
MATCH_THRESHOLD = 88
SHORT_NAME_LENGTH = 12
_AMENDED_OBJECT = re.compile(r"\b(?:amending|amendments? to|amendment of)\s+(?:the\s+)?$", re.I)
# "protocol(s) amending the Charter", "протокол о внесении изменений в Устав": the text names what amends it.
_AMENDING_PROTOCOL = re.compile(
    r"\bprotocols?\b(?: \w+){0,2}? (?:amending|on amending|on amendments? to|of amendments to|to amend|to)"
    r"\s+(?:the\s+)?$"
    r"|\bпротокол (?:о )?внесение изменение (?:и дополнение )?в\s+$|\bпротокол к\s+$",
    re.I,
)
_ORGANISATION = {"organization", "organisation"}
# The word that says what kind of instrument a name is: a name matches only words that hold it too, so
# "agreement of the Collective Security Treaty Organization" is never the Charter of that Organization.
_HEADS = {
    "charter", "agreement", "protocol", "treaty", "convention", "decision", "statement", "declaration", "strategy",
    "plan", "statute", "programme", "program", "устав", "соглашение", "протокол", "договор", "конвенция", "решение",
    "заявление", "декларация", "стратегия", "план", "положение",
}  # fmt: skip
# Words that carry no meaning of their own in a title; the rest must all be there, in any order, close together.
_FILLERS = {
    "the", "of", "on", "in", "for", "and", "to", "a", "an", "by", "with", "csto", "member", "states",
    "о", "об", "в", "и", "по", "к", "с", "на", "одкб", "государство", "член", "–", "-",
}  # fmt: skip
_WORD = re.compile(r"\w+(?:-\w+)*")
_ABBREVIATION = re.compile(r"^[A-ZА-ЯЁ]{1,4}$")
_SAME_ACTOR_GAP = re.compile(r"^(?:['’]s)?\s*(?:,\s*)?(?:(?:the|of)\s+)?$", re.I)


@dataclasses.dataclass(frozen=True)
class Mention:
    """Where a name stands in a sentence: character offsets into the sentence."""

    start: int
    end: int


class Lexicon:
    """The names the proposer looks for: every instrument's titles and aliases and every state's names and actors.

    ``on`` is the text's date: a president's name points to his state only in the years of his term.
    """

    def __init__(
        self, instruments: Iterable[Instrument], states: Iterable[MemberState], *, on: datetime.date | None = None
    ):
        self.instruments = {instrument.pk: instrument for instrument in instruments}
        self.states = list(states)
        aliases = defaultdict(lambda: defaultdict(list))
        for alias in InstrumentAlias.objects.filter(instrument__in=list(self.instruments)):
            aliases[alias.instrument_id][alias.language].append(alias.text)
        self.instrument_names = {
            ENGLISH: _prepared(
                (instrument, name)
                for instrument in self.instruments.values()
                for name in _names_of(instrument, aliases[instrument.pk][ENGLISH])
            ),
            RUSSIAN: _prepared(
                (instrument, Words.of(name).lemmas)
                for instrument in self.instruments.values()
                for name in {instrument.title_ru, instrument.short_title_ru, *aliases[instrument.pk][RUSSIAN]}
                if name
            ),
        }
        self.amendments = defaultdict(list)
        for instrument in self.instruments.values():
            if instrument.part_of_id in self.instruments:
                self.amendments[instrument.part_of_id].append(instrument)
        names = {ENGLISH: set(), RUSSIAN: set()}
        for state in self.states:
            names[ENGLISH] |= {(state.name, state.pk), (state.official_name, state.pk)}
            names[RUSSIAN] |= {(name, state.pk) for name in (state.name_ru, state.official_name_ru) if name}
        year = on.year if on else None
        for actor in StateActor.objects.filter(state__in=[state.pk for state in self.states]):
            if year is None or actor.speaks_for_state_in(year):
                names[actor.language].add((actor.name, actor.state_id))
        self._state_by_pk = {state.pk: state for state in self.states}
        english = sorted(names[ENGLISH], key=lambda pair: -len(pair[0]))
        self._state_by_word = {word: self._state_by_pk[pk] for word, pk in english}
        self._state_pattern = re.compile(r"\b(" + "|".join(re.escape(word) for word, _ in english) + r")\b")
        self._russian_names = defaultdict(list)  # a first word's key -> (each word's keys, state pk)
        for name, pk in names[RUSSIAN]:
            words = Words.of(name).surfaces
            keys = [_word_keys(word) for word in words]
            for key in keys[0]:
                self._russian_names[key].append((keys, pk))

    def find_states(self, sentence: str, words: Words | None = None, language: str = ENGLISH):
        """The states named in the sentence, in order; "Russia's State Duma" is one mention of Russia."""
        if language == RUSSIAN:
            found = self._find_russian_states(words or Words.of(sentence))
        else:
            found = [
                (self._state_by_word[match.group(1)], Mention(match.start(), match.end()))
                for match in self._state_pattern.finditer(sentence)
            ]
        merged: list[tuple[MemberState, Mention]] = []
        for state, mention in found:
            if merged and merged[-1][0] == state and _SAME_ACTOR_GAP.match(sentence[merged[-1][1].end : mention.start]):
                merged[-1] = (state, Mention(merged[-1][1].start, mention.end))
            else:
                merged.append((state, mention))
        return merged

    def _find_russian_states(self, words: Words):
        found, index = [], 0
        while index < len(words.surfaces):
            best = None
            for key in _word_keys(words.surfaces[index]):
                for keys, pk in self._russian_names.get(key, ()):
                    end = index + len(keys)
                    longer = best is None or end > best[0]
                    if (
                        longer
                        and end <= len(words.surfaces)
                        and all(_word_keys(words.surfaces[index + n]) & keys[n] for n in range(len(keys)))
                    ):
                        best = (end, pk)
            if best:
                start, end = words.spans[index][0], words.spans[best[0] - 1][1]
                found.append((self._state_by_pk[best[1]], Mention(start, end)))
                index = best[0]
            else:
                index += 1
        return found

    def find_instruments(self, sentence: str, words: Words | None = None, language: str = ENGLISH):
        """Instruments named in the sentence; a name inside a longer matched name does not count, and an
        amending protocol named by what it amends ("the protocols amending the Charter") is the protocol."""
        words = words or (Words.of(sentence) if language == RUSSIAN else None)
        haystack = _normalise(words.lemmas if language == RUSSIAN else sentence)
        tokens = [(_stem(m.group(0)), m.start(), m.end()) for m in _WORD.finditer(haystack)]
        present = {word for word, _, _ in tokens}
        found: list[tuple[Instrument, Mention]] = []
        for instrument, name in self.instrument_names[language]:
            content = _content(name)
            # Most names share no meaningful word with a sentence: skip them before any fuzzy alignment, so the
            # cost per sentence stays small (issue 13). Half the words may be misspelt or inflected otherwise.
            if (len(content & present) * 2 < len(content)) if content else name not in haystack:
                continue
            # Of the two readings of where a name stands, the tighter: a fuzzy alignment can spill into the next name.
            placed = [m for m in (_align(name, haystack), _by_meaning(name, tokens)) if m]
            mention = min(placed, key=lambda m: m.end - m.start, default=None)
            if mention and not _names_the_organisation(haystack, mention):
                found.append((instrument, mention))
        # Longest first, so "Protocol amending the Peacekeeping Agreement" wins over "Peacekeeping Agreement".
        found.sort(key=lambda pair: -(pair[1].end - pair[1].start))
        kept: dict[int, list[Mention]] = {}
        taken: list[Mention] = []
        for instrument, mention in found:
            if any(other.start < mention.end and mention.start < other.end for other in taken):
                continue
            amending = _AMENDING_PROTOCOL.search(haystack[: mention.start])
            if amending and not any(o.end <= mention.start and o.end > amending.start() for o in taken):
                protocols = self.amendments.get(instrument.pk, [])
                if len(protocols) != 1:
                    continue  # a protocol the record does not hold, or cannot tell apart: not the instrument
                instrument, mention = protocols[0], Mention(amending.start(), mention.end)
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
        if language == RUSSIAN:
            kept = {
                pk: [Mention(*words.original_span(m.start, m.end)) for m in mentions] for pk, mentions in kept.items()
            }
        return kept


def _prepared(pairs) -> list[tuple[Instrument, str]]:
    return [(instrument, _normalise(name).strip()) for instrument, name in pairs if name.strip()]


def _stem(word: str) -> str:
    """Plural and singular alike ("protocols", "protocol"); Russian arrives here as lemmas already."""
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word


def _heads(text: str) -> set[str]:
    return {_stem(word) for word in _WORD.findall(text)} & _HEADS


@functools.lru_cache(maxsize=4096)
def _content(name: str) -> frozenset[str]:
    return frozenset(_stem(word) for word in _WORD.findall(name)) - _FILLERS


def _by_meaning(name: str, tokens: list[tuple[str, int, int]]) -> Mention | None:
    """Where every meaningful word of ``name`` stands, in any order, within a few words: "the agreement on
    information security cooperation" names the "CSTO information security agreement"."""
    content = _content(name)
    if len(content) < 2 or not content & _HEADS:
        return None
    width = len(content) + 3
    for index, (word, _, _) in enumerate(tokens):
        if word not in content:
            continue
        window = tokens[index : index + width]
        if content <= {w for w, _, _ in window}:
            last = max(i for i, (w, _, _) in enumerate(window) if w in content)
            return Mention(window[0][1], window[last][2])
    return None


def _word_keys(word: str) -> frozenset[str]:
    """An abbreviation (РФ, КР) must be written as it is; any other word matches on its lemmas."""
    return frozenset({word}) if _ABBREVIATION.match(word) else lemma_keys(word)


def _names_of(instrument: Instrument, aliases: list[str]) -> set[str]:
    """Its English titles and aliases, and a quoted title inside them ("Decision “On measures ...”"), which
    texts often give alone."""
    names = {instrument.title, instrument.short_title, *instrument.alias_list, *aliases}
    quoted = {q for name in names for q in re.findall(r"[“\"«]([^”\"»]+)[”\"»]", name) if len(q.split()) >= 4}
    return names | quoted


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
    # The kind's word may stand just before a quoted title: "the decision of 23 November 2022 “On measures...”".
    if fuzz.ratio(name.strip(), words) < threshold or not _heads(name) <= _heads(haystack[max(0, start - 40) : end]):
        return None
    return Mention(start, end)


def _names_the_organisation(haystack: str, mention: Mention) -> bool:
    """ "Collective Security Treaty" inside "Collective Security Treaty Organization" (or "Организации Договора о
    коллективной безопасности", in Russian word order) names the organisation, not the treaty."""
    follows = re.match(r"\s+(\w+)", haystack[mention.end :])
    if follows and follows.group(1) in _ORGANISATION:
        return True
    return haystack[: mention.start].rstrip().endswith("организация")

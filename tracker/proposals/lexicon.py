"""How the texts name instruments and member states, and where those names stand in a sentence."""

import dataclasses
import re
from collections.abc import Iterable

from rapidfuzz import fuzz

from tracker.models import Instrument, MemberState

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
_AMENDED_OBJECT = re.compile(r"\b(?:amending|amendments? to|amendment of)\s+(?:the\s+)?$", re.I)


@dataclasses.dataclass(frozen=True)
class Mention:
    """Where a name stands in a sentence: character offsets into the sentence."""

    start: int
    end: int


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

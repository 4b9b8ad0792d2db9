"""The text's language, its sentences and its words with their lemmas (issue 13).

A text is read as Russian when most of its letters are Cyrillic. Russian
sentences come from razdel; English ones from pysbd. Words carry their
offsets into the sentence, so whatever is found in the lemmas (``Words.lemmas``,
a space-joined string) points back into the original text for highlighting.
"""

import dataclasses
import functools
import re

import pymorphy3
import pysbd
from razdel import sentenize, tokenize

ENGLISH, RUSSIAN = "en", "ru"
MAX_TEXT_LENGTH = 200_000
# pysbd's cost grows much faster than the line's length (a 300 KB line took about 100 s, issue 13), so a long
# line is first cut at sentence ends, and at spaces if it has none, into pieces no longer than this.
LONGEST_PIECE = 2_000
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_LATIN = re.compile(r"[A-Za-z]")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


class TextTooLong(ValueError):
    """The text is longer than the reader reads: its message says so to staff, in words."""


def check_length(text: str):
    if len(text) > MAX_TEXT_LENGTH:
        raise TextTooLong(
            f"The text is {len(text):,} characters long; the reader reads at most {MAX_TEXT_LENGTH:,}. "
            "Paste only the part that reports the events."
        )


def detect_language(text: str) -> str:
    """Russian when Cyrillic letters outnumber Latin ones, English otherwise."""
    sample = text[:20_000]
    return RUSSIAN if len(_CYRILLIC.findall(sample)) > len(_LATIN.findall(sample)) else ENGLISH


def split_sentences(text: str, language: str | None = None) -> list[str]:
    """The text's sentences, each an exact piece of ``text``; a line break always ends one (bullets, headings)."""
    language = language or detect_language(text)
    sentences = []
    for line in text.splitlines():
        for piece in _pieces(line):
            if language == RUSSIAN:
                found = (sentence.text for sentence in sentenize(piece))
            else:
                found = _english_segmenter().segment(piece)
            sentences.extend(sentence.strip() for sentence in found if sentence.strip())
    return sentences


def _pieces(line: str) -> list[str]:
    if len(line) <= LONGEST_PIECE:
        return [line] if line.strip() else []
    pieces, current = [], ""
    for part in _SENTENCE_END.split(line):
        while len(part) > LONGEST_PIECE:
            cut = part.rfind(" ", 0, LONGEST_PIECE)
            cut = cut if cut > 0 else LONGEST_PIECE
            pieces.append(part[:cut])
            part = part[cut:]
        if current and len(current) + len(part) + 1 > LONGEST_PIECE:
            pieces.append(current)
            current = ""
        current = f"{current} {part}" if current else part
    if current:
        pieces.append(current)
    return [piece for piece in pieces if piece.strip()]


@functools.cache
def _english_segmenter():
    return pysbd.Segmenter(language="en", clean=False)


@functools.cache
def _morph():
    return pymorphy3.MorphAnalyzer()


@functools.lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The word's dictionary form (Армении -> армения, ратифицирована -> ратифицировать), lower case."""
    word = word.lower().replace("ё", "е")
    if not _CYRILLIC.search(word):
        return word
    parses = _morph().parse(word)
    # "Устав" reads first as a gerund of "устать"; in these texts a word is far likelier a noun than a gerund.
    parse = next((p for p in parses if p.tag.POS != "GRND"), parses[0])
    return parse.normal_form.replace("ё", "е")


@functools.lru_cache(maxsize=200_000)
def lemma_keys(word: str) -> frozenset[str]:
    """Every form a word may stand for: itself and each reading's lemma (Токаев -> токаев, токай)."""
    lower = word.lower().replace("ё", "е")
    if not _CYRILLIC.search(lower):
        return frozenset({re.sub(r"['’]s$", "", lower)})
    return frozenset({lower, *(parse.normal_form.replace("ё", "е") for parse in _morph().parse(lower))})


@dataclasses.dataclass
class Words:
    """A sentence's words: surface forms, offsets into the sentence, and their lemmas joined by spaces."""

    surfaces: list[str]
    spans: list[tuple[int, int]]
    lemmas: str
    lemma_spans: list[tuple[int, int]]

    @classmethod
    def of(cls, sentence: str) -> "Words":
        surfaces, spans, lemma_pieces, lemma_spans, position = [], [], [], [], 0
        for token in tokenize(sentence):
            surfaces.append(token.text)
            spans.append((token.start, token.stop))
            word = lemma(token.text)
            lemma_spans.append((position, position + len(word)))
            lemma_pieces.append(word)
            position += len(word) + 1
        return cls(surfaces, spans, " ".join(lemma_pieces), lemma_spans)

    def original_span(self, start: int, end: int) -> tuple[int, int] | None:
        """The sentence's offsets of the words that the lemma offsets ``start``-``end`` cover."""
        covered = [i for i, (s, e) in enumerate(self.lemma_spans) if s < end and start < e]
        if not covered:
            return None
        return self.spans[covered[0]][0], self.spans[covered[-1]][1]

    def lemma_source(self, position: int) -> str:
        """The word as written that starts at the sentence offset ``position``."""
        for (start, _), surface in zip(self.spans, self.surfaces, strict=True):
            if start == position:
                return surface
        return ""

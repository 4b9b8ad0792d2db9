"""Words and their Snowball stems, the same on every database, so that "ratify" finds "ratified" (issue 15).

PostgreSQL's 'english' and 'russian' text-search configurations use the Snowball stemmers; SQLite has none,
so its FTS5 index holds the stems PyStemmer (the same Snowball algorithms) makes here. A word with a Cyrillic
letter is stemmed as Russian, any other as English, as PostgreSQL's 'russian' configuration does.
"""

import functools
import re

import Stemmer

WORD = re.compile(r"\w+")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# A query is cut to its first words: enough for any real question, and a 60 KB paste still answers at once.
MAX_QUERY_WORDS = 32
# Longer "words" are noise (a pasted hash or URL); PostgreSQL ignores words over 2 KB anyway.
MAX_WORD_LENGTH = 60

_ENGLISH = Stemmer.Stemmer("english")
_RUSSIAN = Stemmer.Stemmer("russian")


def words(text: str) -> list[str]:
    return WORD.findall(text)


@functools.lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The Snowball stem of one word, lower-cased: "Ratified" -> "ratifi", "миротворческой" -> "миротворческ"."""
    lowered = word.lower().replace("ё", "е")
    stemmer = _RUSSIAN if CYRILLIC.search(lowered) else _ENGLISH
    return stemmer.stemWord(lowered)


def stemmed_text(text: str) -> str:
    """``text`` as its stems separated by spaces: what SQLite's FTS5 index stores."""
    return " ".join(stem(word) for word in words(text) if len(word) <= MAX_WORD_LENGTH)


def query_words(query: str) -> list[str]:
    """The words of a reader's query that the search uses: the first few, each once, none absurdly long."""
    kept = []
    for word in words(query):
        if len(word) <= MAX_WORD_LENGTH and word.lower() not in (w.lower() for w in kept):
            kept.append(word)
            if len(kept) == MAX_QUERY_WORDS:
                break
    return kept

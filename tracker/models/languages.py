"""Names in the reader's language, with an honest English fallback (issue 10)."""

import dataclasses

from django.utils.translation import get_language


@dataclasses.dataclass(frozen=True)
class LocalText:
    """A name in the reader's language, or in English where no Russian one is recorded (``language`` says which)."""

    text: str
    language: str

    def __str__(self):
        return self.text

    @property
    def is_fallback(self) -> bool:
        return self.language != (get_language() or "en")


def in_reader_language(english: str, russian: str, language: str | None = None) -> LocalText:
    """``russian`` for a Russian reader when it is recorded, otherwise ``english`` (never a guess)."""
    language = language or get_language() or "en"
    if language.startswith("ru") and russian:
        return LocalText(russian, "ru")
    return LocalText(english, "en")


def sort_key(text) -> str:
    """A key that sorts names as their reader expects: case-blind, and "ё" with "е" as Russian dictionaries do."""
    return str(text).casefold().replace("ё", "е")


def in_reading_order(items, name=str) -> list:
    """``items`` sorted by ``name(item)`` as a reader of the current language expects (issue 15).

    The database sorts by the English title whatever the reader's language (and SQLite knows no Russian
    collation), so lists shown in the reader's language are sorted here, by the names they show.
    """
    return sorted(items, key=lambda item: sort_key(name(item)))

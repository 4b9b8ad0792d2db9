"""How the site words a dated fact, in the reader's language: the one writer of "on or before", month and year
dates, "inferred" and "computed by rule", of status labels that agree with the instrument (issue 15), and of an
instrument's entry into force (issue 19).

Pages, the matrix, the timeline, citations, exports' labels and the admin all word dates and statuses
through here, so that a cell never reads "≤ Ratified ≤ 18 May 2023" again: the engine returns facts
(a date, its precision, the inferred and computed flags), this module turns them into words.
"""

import datetime
import functools

from django.utils.formats import date_format
from django.utils.text import add_truncation_text
from django.utils.translation import get_language, gettext, ngettext, pgettext, pgettext_lazy

from tracker.models import Event
from tracker.status_vocabulary import Status

# A month "in" which something happened needs the prepositional case in Russian ("в мае 2023 г."), which
# no date format gives, so each month is its own translated phrase.
IN_MONTH = [
    pgettext_lazy("a date known to the month", "in January %(year)s"),
    pgettext_lazy("a date known to the month", "in February %(year)s"),
    pgettext_lazy("a date known to the month", "in March %(year)s"),
    pgettext_lazy("a date known to the month", "in April %(year)s"),
    pgettext_lazy("a date known to the month", "in May %(year)s"),
    pgettext_lazy("a date known to the month", "in June %(year)s"),
    pgettext_lazy("a date known to the month", "in July %(year)s"),
    pgettext_lazy("a date known to the month", "in August %(year)s"),
    pgettext_lazy("a date known to the month", "in September %(year)s"),
    pgettext_lazy("a date known to the month", "in October %(year)s"),
    pgettext_lazy("a date known to the month", "in November %(year)s"),
    pgettext_lazy("a date known to the month", "in December %(year)s"),
]


def first_words(text: str, count: int) -> str:
    """``text`` cut after ``count`` words, with the language's ellipsis: what ``Truncator(text).words(count)`` gives.

    Without the lazy object ``Truncator`` is: made twice for each of the events page's 50 rows (the quote, the
    source's title), making and setting it up was a fifth of the rows' cells (issue 18).
    """
    words = text.split()
    if len(words) <= count:
        return " ".join(words)
    return add_truncation_text(" ".join(words[:count]))


def word_date(day: datetime.date | None, precision: str | None, *, long: bool = False, after_verb: bool = False) -> str:
    """A date with its precision in words: "18 May 2023", "by 18 May 2023", "in May 2023", "in 2021".

    In Russian: "18.05.2023", "не позднее 18.05.2023", "в мае 2023 г.", "в 2021 г.". ``long`` writes a
    day in full ("18 мая 2023 г.") where there is room for it; ``after_verb`` puts "on" before an exact day
    ("adopted on 18 May 2023"; Russian needs no preposition).
    """
    if day is None:
        return ""
    return _word_date(day, precision, long, after_verb, get_language())


# A page or an API answer words the same few thousand dates again and again (7,399 on the API's page of 50
# instruments), each through Django's date formatting: worded once per process and language (issue 18).
@functools.lru_cache(maxsize=100_000)
def _word_date(day: datetime.date, precision: str | None, long: bool, after_verb: bool, language: str) -> str:
    if precision == Event.Precision.YEAR:
        return pgettext("a date known to the year", "in %(year)s") % {"year": day.year}
    if precision == Event.Precision.MONTH:
        return str(IN_MONTH[day.month - 1]) % {"year": day.year}
    written = date_format(day, "DATE_FORMAT" if long else "SHORT_DATE_FORMAT")
    if precision == Event.Precision.ON_OR_BEFORE:
        return pgettext("a date known only as a latest date", "by %(date)s") % {"date": written}
    if after_verb:
        return pgettext("an exact date after a verb", "on %(date)s") % {"date": written}
    return written


def word_entry_into_force(eif, *, long: bool = False) -> str:
    """ "In force since 18 May 2023", or "In force by 18 May 2023" where the date is only a latest date."""
    if eif.uncertain:
        return gettext("In force %(when)s") % {"when": word_date(eif.date, Event.Precision.ON_OR_BEFORE, long=long)}
    return gettext("In force since %(date)s") % {"date": word_date(eif.date, Event.Precision.DAY, long=long)}


def entry_into_force_grounds(eif) -> str:
    """How the entry into force of ``eif`` (one in force) is known: "as the source states", "computed from its rule"."""
    if eif.binds_on_adoption:
        return gettext("binding on adoption")
    if eif.stated_by and eif.stated_by.inferred:
        # The source implies the entry into force rather than stating it: say so, not "as stated".
        return gettext("inferred from the source")
    if eif.stated_by:
        return gettext("as the source states")
    if eif.inferred:
        return gettext("computed from its rule, from inferred ratifications")
    return gettext("computed from its rule")


def describe_entry_into_force(eif) -> str:
    """One sentence: when it entered into force and how we know, or what it still waits for (the API, the admin).

    The pages word the same facts through ``word_entry_into_force`` and ``entry_into_force_grounds``, with
    links to the evidence and to the states it waits for (``tracker/includes/entry_into_force.html``).
    """
    if eif.binds_on_adoption and eif.date is None:
        return gettext("Binds on adoption; no adoption recorded")
    if eif.date:
        return gettext("%(in_force)s (%(how)s)") % {
            "in_force": word_entry_into_force(eif, long=True),
            "how": entry_into_force_grounds(eif),
        }
    if not eif.rule_recorded:
        return gettext("Not known to be in force; no entry-into-force rule recorded")
    values = {"count": eif.missing_count, "states": ", ".join(str(state) for state in eif.waiting_for)}
    if not eif.waiting_for:
        return (
            ngettext("%(count)d more ratification needed", "%(count)d more ratifications needed", eif.missing_count)
            % values
        )
    return (
        ngettext(
            "%(count)d more ratification needed: %(states)s",
            "%(count)d more ratifications needed: %(states)s",
            eif.missing_count,
        )
        % values
    )


def inferred_words() -> tuple[str, str]:
    """The "inferred" mark and what it means."""
    return gettext("inferred"), gettext("the source implies this step rather than stating it")


def computed_words() -> tuple[str, str]:
    """The "computed by rule" mark and what it means."""
    return gettext("by rule"), gettext("follows from the instrument’s entry-into-force rule, not from a report")


class Gender:
    """The grammatical gender of an instrument's Russian name, which a Russian status word agrees with."""

    MASCULINE = "m"
    FEMININE = "f"
    NEUTER = "n"
    PLURAL = "pl"


# The noun a Russian title starts with, and its gender: "Договор о ..." is masculine, "Соглашение о ..." neuter.
HEAD_NOUN_GENDER = {
    "договор": Gender.MASCULINE,
    "устав": Gender.MASCULINE,
    "протокол": Gender.MASCULINE,
    "план": Gender.MASCULINE,
    "меморандум": Gender.MASCULINE,
    "соглашение": Gender.NEUTER,
    "решение": Gender.NEUTER,
    "заявление": Gender.NEUTER,
    "положение": Gender.NEUTER,
    "обращение": Gender.NEUTER,
    "стратегия": Gender.FEMININE,
    "декларация": Gender.FEMININE,
    "программа": Gender.FEMININE,
    "конвенция": Gender.FEMININE,
    "концепция": Gender.FEMININE,
    "поправки": Gender.PLURAL,
    "изменения": Gender.PLURAL,
    "основные": Gender.PLURAL,
}
# Where no Russian title is recorded, the kind names the noun: a treaty is a "договор", an agreement a "соглашение".
KIND_GENDER = {
    "treaty": Gender.MASCULINE,
    "charter": Gender.MASCULINE,
    "protocol": Gender.MASCULINE,
    "plan": Gender.MASCULINE,
    "agreement": Gender.NEUTER,
    "decision": Gender.NEUTER,
    "statement": Gender.NEUTER,
    "strategy": Gender.FEMININE,
    # The Charter is amended by a protocol ("Протокол о внесении изменений в Устав").
    "charter_amendment": Gender.MASCULINE,
    "other": Gender.MASCULINE,
}


def russian_gender(instrument) -> str:
    """The gender a status word takes for ``instrument``: from the noun heading its Russian title, else its kind.

    The noun is among the first few words ("Четвёртый протокол о ..."); a title with none of the known
    nouns there falls back on the kind, as an instrument with no Russian title does.
    """
    for word in (instrument.title_ru or "").casefold().replace("ё", "е").split()[:3]:
        if word in HEAD_NOUN_GENDER:
            return HEAD_NOUN_GENDER[word]
    return KIND_GENDER.get(instrument.kind, Gender.MASCULINE)


# Status words that agree with the instrument in Russian; the others ("В силе", "Идёт ратификация",
# "Нет данных", "Выход") need no agreement. English has one form, so each context translates to itself.
AGREEING_LABELS = {
    "signed": {
        Gender.MASCULINE: pgettext_lazy("status of a masculine instrument", "Signed"),
        Gender.FEMININE: pgettext_lazy("status of a feminine instrument", "Signed"),
        Gender.NEUTER: pgettext_lazy("status of a neuter instrument", "Signed"),
        Gender.PLURAL: pgettext_lazy("status of instruments named in the plural", "Signed"),
    },
    "ratified": {
        Gender.MASCULINE: pgettext_lazy("status of a masculine instrument", "Ratified"),
        Gender.FEMININE: pgettext_lazy("status of a feminine instrument", "Ratified"),
        Gender.NEUTER: pgettext_lazy("status of a neuter instrument", "Ratified"),
        Gender.PLURAL: pgettext_lazy("status of instruments named in the plural", "Ratified"),
    },
    "adopted": {
        Gender.MASCULINE: pgettext_lazy("status of a masculine instrument", "Adopted"),
        Gender.FEMININE: pgettext_lazy("status of a feminine instrument", "Adopted"),
        Gender.NEUTER: pgettext_lazy("status of a neuter instrument", "Adopted"),
        Gender.PLURAL: pgettext_lazy("status of instruments named in the plural", "Adopted"),
    },
}


def status_label(code: str, instrument=None) -> str:
    """A status in words, agreeing with ``instrument`` where the language needs it ("соглашение ратифицировано")."""
    if instrument is not None and code in AGREEING_LABELS:
        return str(AGREEING_LABELS[code][russian_gender(instrument)])
    return str(Status(code).label)

"""The dates a sentence gives, resolved against the text's own date, each with its precision (issue 13).

"on 5 April" in a text of 8 April 2024 is 5 April 2024 (day); "in January" is
January of the latest year not after the text (month); "last year" is that
year (year). A date that only names an instrument ("the Agreement of 6 October
2007", "Соглашение от 6 октября 2007 года") is no event's date.
"""

import dataclasses
import datetime
import re

from tracker.models import Event

DAY, MONTH, YEAR = Event.Precision.DAY, Event.Precision.MONTH, Event.Precision.YEAR
_EN_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_RU_MONTHS = ("январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр", "октябр", "ноябр", "декабр")
_RU_MONTH = r"(январ[ьяе]|феврал[ьяе]|марта?|марте|апрел[ьяе]|ма[йяе]|июн[ьяе]|июл[ьяе]|августа?|августе|" + (
    r"сентябр[ьяе]|октябр[ьяе]|ноябр[ьяе]|декабр[ьяе])"
)
_EN_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RU_WEEKDAYS = ("понедельник", "вторник", "среду", "четверг", "пятницу", "субботу", "воскресенье")
_YEAR = r"(\d{4})"
_PATTERNS = [
    ("day_month", re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({_EN_MONTHS})(?:,? {_YEAR})?\b")),
    ("month_day", re.compile(rf"\b({_EN_MONTHS}) (\d{{1,2}})(?:st|nd|rd|th)?\b(?:,? {_YEAR})?")),
    ("month", re.compile(rf"\b(?:in|during|since|by|early|late|mid-?) ({_EN_MONTHS})(?:,? {_YEAR})?\b", re.I)),
    ("ru_day_month", re.compile(rf"\b(\d{{1,2}})\s+{_RU_MONTH}(?:\s+{_YEAR}\s*(?:года|г\.)?)?", re.I)),
    ("ru_month", re.compile(rf"\bв\s+{_RU_MONTH}(?:\s+{_YEAR}\s*(?:года|г\.)?)?", re.I)),
    ("numeric", re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")),
    ("year", re.compile(rf"\b(?:in|during) {_YEAR}\b|\bв {_YEAR}\s*(?:году|г\.)", re.I)),
    ("relative", re.compile(r"\b(last year|this year|last month|yesterday|today)\b", re.I)),
    (
        "ru_relative",
        re.compile(r"\b(в прошлом году|в этом году|в текущем году|в прошлом месяце|вчера|сегодня)\b", re.I),
    ),
    ("weekday", re.compile(r"\b(?:on |last )?(" + "|".join(_EN_WEEKDAYS) + r")\b", re.I)),
    ("ru_weekday", re.compile(r"\bв (" + "|".join(_RU_WEEKDAYS) + r")\b", re.I)),
]
# "Agreement of 6 October 2007", "Соглашение от 6 октября 2007 года", "Protocol signed on ...": the date names it.
_NAMES_AN_INSTRUMENT = re.compile(
    r"\b(?:Agreement|Protocol|Treaty|Charter|Convention|Decision|Declaration|Statute|Strategy|"
    r"Соглашени\w*|Протокол\w*|Договор\w*|Устав\w*|Конвенци\w*|Решени\w*|Деклараци\w*|Стратеги\w*)"
    r"\s+" + r"(?:of|dated|signed(?: in [A-Z]\w+)?(?: on| in)?|от|подписанн\w*(?: в \w+)?)\s*$",
    re.I,
)

# "the agreement ... signed in 2017 entered into force": the signature's date, for no other step.
_SIGNED_ON = re.compile(r"\b(?:signed|подписанн\w*)(?: in [A-Z]\w+| в \w+)?(?: on| in)?\s*$", re.I)
_LAW = re.compile(r"\b(?:Law|Закон)\b(?:\s+[^\s.;]+){0,5}?\s+(?:dated|of|от)\s*$", re.I)
# "the press service reported on Friday": when the news came out, not when the step was taken.
_REPORTED = re.compile(
    r"\b(?:reported|said|announced|stated|told \w+|сообщил\w*|сообщает\w*|заявил\w*)\s+(?:on\s+)?$", re.I
)


# The same after an instrument's whole name: "the agreement on information security signed in 2017".
AFTER_AN_INSTRUMENT = re.compile(
    r"^\s*,?\s*(?:of|dated|signed(?: in [A-Z]\w+)?(?: on| in)?|от|подписанн\w*(?: в \w+)?(?: \d+ \w+)?)\s*$", re.I
)


@dataclasses.dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    date: datetime.date
    precision: str
    names_instrument: bool = False
    of_law: bool = False  # "The Law of the Republic of Kazakhstan dated 17 February 2010": the law's own date


def dates_in(sentence: str, text_date: datetime.date) -> list[DateMention]:
    """Every date the sentence gives, in order, none after the text's date; those that only name an instrument
    ("the Agreement of 6 October 2007") are flagged ``names_instrument``."""
    found: list[DateMention] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(sentence):
            if any(m.start < match.end() and match.start() < m.end for m in found):
                continue  # "5 April 2024" already read; "April 2024" inside it is not another date
            before = sentence[max(0, match.start() - 60) : match.start()]
            if _REPORTED.search(before):
                continue
            resolved = _resolve(kind, match, text_date)
            if resolved and resolved[0] <= text_date:
                names = bool(_NAMES_AN_INSTRUMENT.search(before) or _SIGNED_ON.search(before))
                found.append(
                    DateMention(
                        match.start(), match.end(), *resolved, names_instrument=names, of_law=bool(_LAW.search(before))
                    )
                )
    return sorted(found, key=lambda mention: mention.start)


def nearest_date(dates: list[DateMention], start: int, end: int, *, of_signature=False) -> DateMention | None:
    """The date closest to the words ``start``-``end`` (the step's wording), not the sentence's first.

    A date naming an instrument counts only ``of_signature`` (signature or adoption): a Council's "decision of
    23 November 2022" was adopted that day, a treaty "signed in Tashkent on 15 May 1992" signed that day.
    """

    def distance(mention):
        return max(mention.start - end, start - mention.end, 0)

    return min((d for d in dates if of_signature or not d.names_instrument), key=distance, default=None)


def _resolve(kind, match, text_date):
    groups = match.groups()
    if kind == "day_month":
        return _day(text_date, _en_month(groups[1]), int(groups[0]), groups[2])
    if kind == "month_day":
        return _day(text_date, _en_month(groups[0]), int(groups[1]), groups[2])
    if kind == "month":
        return _month(text_date, _en_month(groups[0]), groups[1])
    if kind == "ru_day_month":
        return _day(text_date, _ru_month(groups[1]), int(groups[0]), groups[2])
    if kind == "ru_month":
        return _month(text_date, _ru_month(groups[0]), groups[1])
    if kind == "numeric":
        return _day(text_date, int(groups[1]), int(groups[0]), groups[2])
    if kind == "year":
        return datetime.date(int(groups[0] or groups[1]), 1, 1), YEAR
    if kind in {"relative", "ru_relative"}:
        return _relative(groups[0].lower(), text_date)
    weekdays = _EN_WEEKDAYS if kind == "weekday" else _RU_WEEKDAYS
    back = (text_date.weekday() - weekdays.index(groups[0].lower())) % 7
    return text_date - datetime.timedelta(days=back), DAY


def _relative(words, text_date):
    if words in {"last year", "в прошлом году"}:
        return datetime.date(text_date.year - 1, 1, 1), YEAR
    if words in {"this year", "в этом году", "в текущем году"}:
        return datetime.date(text_date.year, 1, 1), YEAR
    if words in {"last month", "в прошлом месяце"}:
        last = text_date.replace(day=1) - datetime.timedelta(days=1)
        return last.replace(day=1), MONTH
    if words in {"yesterday", "вчера"}:
        return text_date - datetime.timedelta(days=1), DAY
    return text_date, DAY


def _en_month(name: str) -> int:
    return _EN_MONTHS.lower().split("|").index(name.lower()) + 1


def _ru_month(name: str) -> int:
    # "ма" (May) is the shortest stem and a prefix of "март": the longest stem that fits wins.
    stem = max((stem for stem in _RU_MONTHS if name.lower().startswith(stem)), key=len)
    return _RU_MONTHS.index(stem) + 1


def _day(text_date, month, day, year):
    """A day; without a year, the latest one not after the text's date."""
    try:
        if year:
            return datetime.date(int(year), month, day), DAY
        candidate = datetime.date(text_date.year, month, day)
        if candidate > text_date:
            candidate = datetime.date(text_date.year - 1, month, day)
        return candidate, DAY
    except ValueError:
        return None  # 31 February: not a date


def _month(text_date, month, year):
    if year:
        return datetime.date(int(year), month, 1), MONTH
    candidate = datetime.date(text_date.year, month, 1)
    if candidate > text_date:
        candidate = datetime.date(text_date.year - 1, month, 1)
    return candidate, MONTH

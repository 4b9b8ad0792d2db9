"""Template helpers for the public site."""

import functools
import re
from typing import NamedTuple
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tracker.addresses import AddressPattern
from tracker.models import MemberState
from tracker.status import PairStatus
from tracker.templatetags.languages import marked
from tracker.wording import (
    computed_words,
    describe_entry_into_force,
    entry_into_force_grounds,
    inferred_words,
    status_label,
    word_date,
    word_entry_into_force,
)

register = template.Library()


def quote_pattern(quote: str) -> re.Pattern | None:
    """A pattern that finds ``quote`` in a text however its line breaks and spaces fall (as quote_appears_in does)."""
    words = quote.split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(word) for word in words))


@register.simple_tag
def highlighted_text(text: str, events):
    """The source's full text, escaped, with each event's quote wrapped in <mark id="event-<pk>"> linking to it.

    Events quoting the same sentence share one mark (the first event's id);
    the others get an anchor of their own inside it, so every
    ``#event-<pk>`` lands on its sentence. Paraphrases are not in the text.
    """
    found = []
    for event in events:
        pattern = None if event.is_paraphrase else quote_pattern(event.quote)
        match = pattern.search(text) if pattern else None
        if match:
            found.append((match.start(), match.end(), event))
    # Merge overlapping quotes into one region, so that marks never nest or cross.
    regions: list[list] = []
    for start, end, event in sorted(found, key=lambda item: (item[0], -item[1], item[2].pk)):
        if regions and start < regions[-1][1]:
            regions[-1][1] = max(regions[-1][1], end)
            regions[-1][2].append(event)
        else:
            regions.append([start, end, [event]])

    parts = []
    position = 0
    for start, end, region_events in regions:
        first, *others = region_events
        anchors = format_html_join("", '<span id="event-{}" class="anchor"></span>', ((e.pk,) for e in others))
        links = format_html_join(
            " ",
            '<a class="quote-ref" href="{}" title="{}">[{}]</a>',
            (
                (e.get_absolute_url(), _("Event %(number)s: %(event)s") % {"number": e.pk, "event": e}, e.pk)
                for e in region_events
            ),
        )
        parts.append(escape(text[position:start]))
        parts.append(format_html('<mark id="event-{}">{}{}</mark> {}', first.pk, anchors, text[start:end], links))
        position = end
    parts.append(escape(text[position:]))
    # Every piece is either escaped or built by format_html, which escapes what it inserts.
    return mark_safe("".join(parts))


@register.filter
def status_class(code: str) -> str:
    """The CSS class that colours a status; the label always stands beside the colour."""
    return f"status-{code.replace('_', '-')}"


# The status badge and its date are built here rather than in included templates: the matrix shows
# one per cell, and at 50 instruments x 200 states the includes took seconds to render (issue 6).
@register.simple_tag
def status_badge(status, instrument=None):
    """A status in words with its colour class, agreeing with ``instrument`` in Russian; its date is ``dated``'s."""
    label = status_label(status.code, instrument)
    return format_html('<span class="status {}">{}</span>', status_class(status.code), label)


@register.simple_tag
def dated(fact, long=False, plain=False):
    """When a status holds from, or an event happened, in words, with its "inferred" and "by rule" marks.

    ``fact`` is a ``PairStatus`` (its ``since``) or an event (its ``date``); both carry ``precision``.
    The one writer of a dated fact on the pages (issue 15): "by 18 May 2023 inferred". ``plain`` leaves
    the marks out, for tables that give them a column of their own.
    """
    day = fact.since if isinstance(fact, PairStatus) else fact.date
    if day is None:
        return ""
    marks = (False, False) if plain else (fact.inferred, getattr(fact, "computed", False))
    return _dated(day, fact.precision, long, *marks, get_language())


def dated_status(status: PairStatus, language: str) -> str:
    """``dated(status)``, for a page that has its language at hand: the matrix asks it for thousands of cells."""
    return _dated(status.since, status.precision, False, status.inferred, status.computed, language)


# A page names a few thousand distinct dates (2,918 on the benchmark's 50 x 200 matrix), and a new as-of date
# names mostly the same ones again: worded once per process and language, each took 80 microseconds (issue 18).
@functools.lru_cache(maxsize=100_000)
def _dated(day, precision, long: bool, inferred: bool, computed: bool, language) -> str:
    when = format_html('<span class="since">{}</span>', word_date(day, precision, long=long))
    return when + fact_marks(_Marks(inferred, computed))


class _Marks(NamedTuple):
    inferred: bool
    computed: bool


@register.simple_tag
def fact_marks(fact):
    """The "inferred" and "by rule" marks of a status or an event, in words, each with its meaning as a title."""
    words = ""
    if fact.inferred:
        words += format_html(' <span class="mark-inferred" title="{1}">{0}</span>', *inferred_words())
    if getattr(fact, "computed", False):
        words += format_html(' <span class="mark-computed" title="{1}">{0}</span>', *computed_words())
    return mark_safe(words)


@register.filter
def since_words(status) -> str:
    """The date a status holds from, in words and without markup: "18 May 2023", "by 18 May 2023", "in 2021"."""
    return word_date(status.since, status.precision)


class StateLinks(dict):
    """Member states' links to their pages, each built the first time it is asked for, then reused.

    The matrix names every state once per instrument still waiting for it, 3,676 times on a 50 x 200 page:
    one ``reverse()`` each was a fifth of the request (issue 18). One ``StateLinks`` lasts one page (one language);
    ``url()`` gives the same address to the page's other links to the state, every one from a single ``reverse()``
    (``AddressPattern``).
    """

    def __init__(self):
        super().__init__()
        self.urls: dict = {}
        self.address = AddressPattern(MemberState)

    def url(self, state) -> str:
        if state not in self.urls:
            self.urls[state] = self.address(state)
        return self.urls[state]

    def link(self, state) -> str:
        # Kept by key: a model's own hash is a Python call, and a 50 x 200 matrix names 3,000-odd states (issue 18).
        link = self.get(state.pk)
        if link is None:
            link = self[state.pk] = format_html('<a href="{}">{}</a>', self.url(state), marked(state.display_name()))
        return link


@register.simple_tag(takes_context=True)
def state_links(context, states):
    """Links to ``states``' pages, separated by commas (the "not yet ratified by" list), as one piece of HTML.

    A page that names many states many times passes its own ``StateLinks`` in the context as ``state_links``.
    """
    links = context.get("state_links")
    if links is None:  # not "or": a page's StateLinks is empty, and false, until its first list
        links = StateLinks()
    return mark_safe(", ".join(map(links.link, states)))


@register.simple_tag
def entry_into_force_words(eif):
    return word_entry_into_force(eif)


@register.simple_tag
def entry_into_force_grounds_words(eif):
    return entry_into_force_grounds(eif)


@register.simple_tag
def entry_into_force_sentence(eif):
    return describe_entry_into_force(eif)


@register.simple_tag
def export_links(name: str, query: str = "", **params):
    """The CSV and XLSX links of export ``name``, with ``query`` (an encoded query string) or ``params`` added."""
    query = query or urlencode({key: value for key, value in params.items() if value not in (None, "")})
    suffix = f"?{query}" if query else ""
    return format_html(
        '<a class="export" href="{}{}">{}</a> · <a class="export" href="{}{}">{}</a>',
        reverse(f"tracker:export_{name}"),
        suffix,
        _("Export CSV"),
        reverse(f"tracker:export_{name}_xlsx"),
        suffix,
        _("Export XLSX"),
    )


def dated_words_cache_clear() -> None:
    """Forget the worded dates (tests that change the formats or the catalogue between them)."""
    _dated.cache_clear()

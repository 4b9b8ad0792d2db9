"""Searching the record: instruments, sources and events, ranked, with the matched words marked in context (issue 15).

The site's search page, ``/api/search`` and the events table's ``q`` all ask ``SearchEntry.objects.matching``;
this module adds the filters, the grouping and the snippets, the same for the page and the API.
"""

import dataclasses
import datetime

from django.db.models import Case, Count, IntegerField, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tracker.models import MemberState, SearchEntry
from tracker.stemming import WORD, query_words, stem

# Results read in groups: the instruments the words name, then the texts, then the single events.
KIND_ORDER = [SearchEntry.Kind.INSTRUMENT, SearchEntry.Kind.SOURCE, SearchEntry.Kind.EVENT]
# Characters of context either side of a matched word, and how many passages one result shows at most.
CONTEXT = 90
MAX_SNIPPETS = 5


@dataclasses.dataclass(frozen=True)
class Search:
    """A reader's question, as the search form or the API validated it."""

    query: str
    kind: str | None = None
    state: MemberState | None = None
    date_after: datetime.date | None = None
    date_before: datetime.date | None = None

    @property
    def words(self) -> list[str]:
        return query_words(self.query)

    @property
    def words_dropped(self) -> bool:
        """Whether the query had more words than the search uses (see ``tracker.stemming.MAX_QUERY_WORDS``)."""
        return len(self.words) < len({word.lower() for word in WORD.findall(self.query)})

    def entries(self, *, ranked: bool = True, kind_filter: bool = True):
        """The matching entries, filtered, with their ``rank`` unless ``ranked`` is false."""
        entries = SearchEntry.objects.ranked(self.words) if ranked else SearchEntry.objects.matching(self.words)
        if kind_filter and self.kind:
            entries = entries.filter(kind=self.kind)
        # A state or a date narrows to what has one: events (and, for dates, sources).
        if self.state:
            entries = entries.filter(state=self.state)
        if self.date_after:
            entries = entries.filter(date__gte=self.date_after)
        if self.date_before:
            entries = entries.filter(date__lte=self.date_before)
        return entries

    def results(self):
        """The matching entries, grouped by kind and ranked within each, with their objects joined."""
        return (
            self.entries()
            .annotate(
                group=Case(
                    *(When(kind=k, then=Value(i)) for i, k in enumerate(KIND_ORDER)), output_field=IntegerField()
                )
            )
            .select_related("instrument", "source", "event__instrument", "event__state", "event__source")
            .defer("stems_title", "stems_body", "vector", "source__text", "event__source__text")
            .order_by("group", "-rank", "pk")
        )

    def counts(self) -> dict[str, int]:
        """How many entries of each kind match, whatever kind is asked for: the page's tabs."""
        found = dict(
            self.entries(ranked=False, kind_filter=False).order_by().values_list("kind").annotate(n=Count("pk"))
        )
        return {kind: found.get(kind, 0) for kind in KIND_ORDER}


def entry_object(entry: SearchEntry):
    return entry.instrument or entry.source or entry.event


def snippets(text: str, words: list[str], limit: int = MAX_SNIPPETS) -> tuple[list[SafeString], int]:
    """Passages of ``text`` around the words that match ``words`` (in any form), marked, and how many matched.

    Everything but the ``<mark>`` tags is escaped, so the passages are safe in a page and need no script or style.
    """
    stems = {stem(word) for word in words}
    matches = [m for m in WORD.finditer(text) if stem(m.group()) in stems]
    passages, spans = [], []
    for match in matches:
        start, end = max(match.start() - CONTEXT, 0), min(match.end() + CONTEXT, len(text))
        if spans and start <= spans[-1][1]:
            spans[-1][1] = end
        elif len(spans) < limit:
            spans.append([start, end])
        else:
            break
    for start, end in spans:
        # Whole words at the edges of a passage.
        if start > 0:
            start = _next_word_start(text, start)
        if end < len(text):
            end = _previous_word_end(text, end)
        pieces, position = [], start
        for match in matches:
            if start <= match.start() and match.end() <= end:
                pieces.append(escape(text[position : match.start()]))
                pieces.append(f"<mark>{escape(match.group())}</mark>")
                position = match.end()
        pieces.append(escape(text[position:end]))
        passage = "".join(pieces).strip()
        passages.append(mark_safe(("… " if start > 0 else "") + passage + (" …" if end < len(text) else "")))
    return passages, len(matches)


def _next_word_start(text: str, index: int) -> int:
    space = text.find(" ", index)
    return space + 1 if 0 <= space < index + 20 else index


def _previous_word_end(text: str, index: int) -> int:
    space = text.rfind(" ", index - 20, index)
    return space if space > 0 else index

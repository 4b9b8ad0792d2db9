"""Searching the record: instruments, sources and events, ranked, with the matched words marked in context (issue 15).

The site's search page, ``/api/search`` and the events table's ``q`` all ask ``SearchEntry.objects.matching``;
this module adds the filters, the grouping and the snippets, the same for the page and the API.
"""

import dataclasses
import datetime
import functools
from collections.abc import Sequence

from django.db.models import FloatField, Value
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tracker.models import MemberState, SearchEntry
from tracker.stemming import WORD, query_words, stem

# Results read in groups: the instruments the words name, then the texts, then the single events.
KIND_ORDER = [SearchEntry.Kind.INSTRUMENT, SearchEntry.Kind.SOURCE, SearchEntry.Kind.EVENT]
# Characters of context either side of a matched word, and how many passages one result shows at most.
CONTEXT = 90
MAX_SNIPPETS = 5
# Up to this many matches of one kind are ranked (bm25 on SQLite, ts_rank on PostgreSQL): ranking costs
# about 2 microseconds a match, so a word in 60,000 events would take 150 ms (bench/search.py). Past it,
# that kind's matches come most recently recorded first; more words narrow them into ranking.
RANK_LIMIT = 20_000


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

    @property
    def is_filtered(self) -> bool:
        return bool(self.state or self.date_after or self.date_before)

    def entries(self, kind: str, *, ranked: bool):
        """The matching entries of ``kind``, filtered, with their ``rank`` if ``ranked``."""
        manager = SearchEntry.objects
        entries = manager.ranked(self.words, kind) if ranked else manager.matching(self.words, kind)
        # A state or a date narrows to what has one: events (and, for dates, sources).
        if self.state:
            entries = entries.filter(state=self.state)
        if self.date_after:
            entries = entries.filter(date__gte=self.date_after)
        if self.date_before:
            entries = entries.filter(date__lte=self.date_before)
        return entries

    @functools.cached_property
    def counts(self) -> dict[str, int]:
        """How many entries of each kind match, whatever kind is asked for: the page's tabs."""
        if not self.is_filtered:
            return {kind: SearchEntry.objects.count_matching(self.words, kind) for kind in KIND_ORDER}
        return {kind: self.entries(kind, ranked=False).count() for kind in KIND_ORDER}

    def matches_of(self, kind: str, start: int, stop: int) -> list[SearchEntry]:
        """One kind's matches from ``start`` to ``stop``, best first; past RANK_LIMIT, most recently recorded first."""
        # The order first, from ids alone, then the page's entries: sorting whole entries would drag every
        # matching source's full text through the sort (100 ms for 19,000 sources, bench/search.py).
        if self.counts[kind] > RANK_LIMIT:
            order = self.entries(kind, ranked=False).annotate(rank=Value(None, FloatField())).order_by("-pk")
            ranks = dict(order.values_list("pk", "rank")[start:stop])
        elif not self.is_filtered:
            ranks = dict(SearchEntry.objects.best(self.words, kind, start, stop))
        else:
            ranks = dict(self.entries(kind, ranked=True).order_by("-rank", "pk").values_list("pk", "rank")[start:stop])
        entries = (
            SearchEntry.objects.select_related(
                "instrument", "source", "event__instrument", "event__state", "event__source"
            )
            .defer("stems_title", "stems_body", "vector", "source__text", "event__source__text")
            .in_bulk(list(ranks))
        )
        for pk, rank in ranks.items():
            entries[pk].rank = rank
        return [entries[pk] for pk in ranks]

    def results(self) -> "SearchResults":
        return SearchResults(self)


class SearchResults(Sequence):
    """The matches of a search in one sequence a Paginator can page: the kinds in ``KIND_ORDER``, each ranked.

    Only the slice asked for is read, from the one or two kinds it spans.
    """

    def __init__(self, search: Search):
        self.search = search
        self.kinds = [search.kind] if search.kind else KIND_ORDER

    def __len__(self):
        return sum(self.search.counts[kind] for kind in self.kinds)

    def count(self):
        return len(self)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop, _step = index.indices(len(self))
        found = []
        for kind in self.kinds:
            size = self.search.counts[kind]
            if start < size and stop > 0:
                found += self.search.matches_of(kind, max(start, 0), min(stop, size))
            start, stop = start - size, stop - size
        return found


def entry_object(entry: SearchEntry):
    return entry.instrument or entry.source or entry.event


def snippets(text: str, words: list[str], limit: int = MAX_SNIPPETS) -> tuple[list[SafeString], int]:
    """Passages of ``text`` around the words that match ``words`` (in any form), marked, and how many matched.

    A passage stays within its line (a title, an alias, a paragraph). Everything but the ``<mark>`` tags is
    escaped, so the passages are safe in a page and need no script or style.
    """
    stems = {stem(word) for word in words}
    matches = [m for m in WORD.finditer(text) if stem(m.group()) in stems]
    spans = []  # [start, end, line start, line end]
    for match in matches:
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        line_end = len(text) if line_end < 0 else line_end
        start, end = max(match.start() - CONTEXT, line_start), min(match.end() + CONTEXT, line_end)
        if spans and spans[-1][2] == line_start and start <= spans[-1][1]:
            spans[-1][1] = end
        elif len(spans) < limit:
            spans.append([start, end, line_start, line_end])
        else:
            break
    passages = []
    for start, end, line_start, line_end in spans:
        # Whole words at the edges of a passage.
        if start > line_start:
            start = _next_word_start(text, start)
        if end < line_end:
            end = _previous_word_end(text, end)
        pieces, position = [], start
        for match in matches:
            if start <= match.start() and match.end() <= end:
                pieces.append(escape(text[position : match.start()]))
                pieces.append(f"<mark>{escape(match.group())}</mark>")
                position = match.end()
        pieces.append(escape(text[position:end]))
        passage = "".join(pieces).strip()
        passages.append(mark_safe(("… " if start > line_start else "") + passage + (" …" if end < line_end else "")))
    return passages, len(matches)


def _next_word_start(text: str, index: int) -> int:
    space = text.find(" ", index)
    return space + 1 if 0 <= space < index + 20 else index


def _previous_word_end(text: str, index: int) -> int:
    space = text.rfind(" ", index - 20, index)
    return space if space > 0 else index

"""The site's search as JSON: the same index, filters, grouping and ranking as /search/ (issue 15)."""

import datetime
from typing import Literal

from ninja import Field, Query, Router, Schema

from tracker.api.schemas import MAX_OFFSET, MAX_PAGE_SIZE, SLUG_PATTERN, ErrorOut, QueryDate
from tracker.api.statuses import state_named
from tracker.models import SearchEntry
from tracker.search import Search, entry_object, snippets

router = Router()

SearchKind = Literal[tuple(SearchEntry.Kind.values)]


class SearchQuery(Schema):
    q: str = Field(
        "",
        description="Words to find, in any form and either language (“ratify” finds “ratified”, “миротворческой”"
        " finds “миротворческих”). Every word must match; only the first 32 words are used; any text is accepted.",
    )
    kind: SearchKind | None = Field(None, description="Only instruments, sources or events.")
    state: str | None = Field(
        None, pattern=SLUG_PATTERN, max_length=100, description="Only this member state's events (slug or ISO code)."
    )
    date_after: QueryDate | None = Field(None, description="Only sources and events dated on or after, YYYY-MM-DD.")
    date_before: QueryDate | None = Field(None, description="Only sources and events dated on or before, YYYY-MM-DD.")
    limit: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description=f"How many results to return (at most {MAX_PAGE_SIZE}).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many results to skip.")


class SearchResultOut(Schema):
    kind: SearchKind
    title: str
    url: str = Field(description="The page of the instrument, source or event.")
    date: datetime.date | None = Field(description="The source's or event's date; null for an instrument.")
    state: str | None = Field(description="The event's member state (slug), if it has one.")
    rank: float | None = Field(
        description="Higher is a better match; comparable only within one kind of one answer. Null where that kind"
        " has more than 20,000 matches: those come most recently recorded first (add words to rank them)."
    )
    mentions: int = Field(description="How many words of the title and text match.")
    snippets: list[str] = Field(
        description="Passages around the matches as HTML: the text escaped, each matched word in `<mark>`."
    )


class SearchPage(Schema):
    count: int
    limit: int
    offset: int
    words: list[str] = Field(description="The words searched for.")
    counts: dict[str, int] = Field(description="How many instruments, sources and events match, whatever `kind`.")
    items: list[SearchResultOut] = Field(description="Instruments first, then sources, then events; ranked in each.")


@router.get(
    "/search",
    response={200: SearchPage, 400: ErrorOut},
    summary="Search instruments, sources and events",
    description="The search of the site's /search/ page: titles and aliases in English and Russian, the full texts"
    " of the sources, and the events' quotes, places and notes, with Snowball stemming in both languages.",
)
# No ETag here, unlike the record's endpoints: working one out (counts and history of the whole record) costs
# 50 ms on the synthetic record, more than the search itself (bench/search.py).
def search(request, params: Query[SearchQuery]):
    state = state_named(params.state) if params.state else None
    question = Search(params.q, params.kind, state, params.date_after, params.date_before)
    results = question.results()
    items = []
    for entry in results[params.offset : params.offset + params.limit]:
        obj = entry_object(entry)
        passages, mentions = snippets(f"{entry.title}\n{entry.body}", question.words)
        items.append(
            {
                "kind": entry.kind,
                "title": obj.title if entry.kind != SearchEntry.Kind.EVENT else str(obj),
                "url": request.build_absolute_uri(obj.get_absolute_url()),
                "date": entry.date,
                "state": entry.event.state.slug if entry.event and entry.event.state else None,
                "rank": None if entry.rank is None else float(entry.rank),
                "mentions": mentions,
                "snippets": [str(passage) for passage in passages],
            }
        )
    counts = question.counts
    return {
        "count": counts[params.kind] if params.kind else sum(counts.values()),
        "limit": params.limit,
        "offset": params.offset,
        "words": question.words,
        "counts": counts,
        "items": items,
    }

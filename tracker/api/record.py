"""The record as JSON: member states, instruments (with the engine's entry into force), sources and events."""

import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from ninja import Path, Query, Router
from ninja.decorators import decorate_view

from tracker.api.errors import BadParameter
from tracker.api.freshness import conditional
from tracker.api.schemas import (
    MAX_ID,
    SLUG_PATTERN,
    AsOfQuery,
    ErrorOut,
    EventOut,
    EventPage,
    EventQuery,
    InstrumentOut,
    InstrumentPage,
    PageQuery,
    SourceDetailOut,
    SourcePage,
    StateOut,
    StatePage,
    entry_into_force_data,
)
from tracker.filters import EventFilter
from tracker.models import Event, Instrument, MemberState, SourceDocument
from tracker.status import status_matrix
from tracker.views.slugs import follows_renamed_slugs

router = Router()

ERRORS = {400: ErrorOut, 404: ErrorOut}
# A former slug of a renamed object: a 301 to its address under the current one (issue 17).
MOVED = {301: None}
SlugPath = Path(..., pattern=SLUG_PATTERN, max_length=150)


def page_of(queryset: QuerySet, page: PageQuery) -> dict:
    """One page of an ordered queryset with the total count; the ordering must end on a unique field."""
    return {
        "count": queryset.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": list(queryset[page.offset : page.offset + page.limit]),
    }


def get_or_404(queryset: QuerySet, message: str, **lookup):
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(message) from None


@router.get("/states", response={200: StatePage, **ERRORS}, summary="Member states")
@decorate_view(conditional())
def list_states(request, page: Query[PageQuery]):
    return page_of(MemberState.objects.order_by("name", "pk"), page)


@router.get("/states/{slug}", response={200: StateOut, **MOVED, **ERRORS}, summary="One member state")
@decorate_view(conditional(), follows_renamed_slugs(MemberState))
def get_state(request, slug: str = SlugPath):
    return get_or_404(MemberState.objects.all(), f"No member state with slug “{slug}”.", slug=slug)


def with_entry_into_force(instruments: list[Instrument], as_of) -> list[Instrument]:
    # The engine decides entry into force, over every member state, for the whole page in one pass.
    matrix = status_matrix(as_of=as_of, instruments=instruments, states=[])
    for instrument in instruments:
        instrument.entry_into_force = entry_into_force_data(instrument, matrix.entry_into_force(instrument), as_of)
    return instruments


@router.get(
    "/instruments",
    response={200: InstrumentPage, **ERRORS},
    summary="Instruments, with their entry into force as of a date",
)
@decorate_view(conditional(follows_today=True))
def list_instruments(request, page: Query[PageQuery], when: Query[AsOfQuery]):
    result = page_of(Instrument.objects.in_matrix_order(), page)
    result["items"] = with_entry_into_force(result["items"], when.as_of or timezone.localdate())
    return result


@router.get("/instruments/{slug}", response={200: InstrumentOut, **MOVED, **ERRORS}, summary="One instrument")
@decorate_view(conditional(follows_today=True), follows_renamed_slugs(Instrument))
def get_instrument(request, when: Query[AsOfQuery], slug: str = SlugPath):
    instrument = get_or_404(Instrument.objects.in_matrix_order(), f"No instrument with slug “{slug}”.", slug=slug)
    return with_entry_into_force([instrument], when.as_of or timezone.localdate())[0]


@router.get("/sources", response={200: SourcePage, **ERRORS}, summary="Source documents (without their text)")
@decorate_view(conditional())
def list_sources(request, page: Query[PageQuery]):
    return page_of(SourceDocument.objects.defer("text").order_by("-date", "title", "pk"), page)


@router.get(
    "/sources/{slug}", response={200: SourceDetailOut, **MOVED, **ERRORS}, summary="One source document, with its text"
)
@decorate_view(conditional(), follows_renamed_slugs(SourceDocument))
def get_source(request, slug: str = SlugPath):
    return get_or_404(SourceDocument.objects.all(), f"No source document with slug “{slug}”.", slug=slug)


@router.get("/events", response={200: EventPage, **ERRORS}, summary="Events, filtered as on the events page")
@decorate_view(conditional())
def list_events(request, filters: Query[EventQuery], page: Query[PageQuery]):
    data = {name: _as_query_value(value) for name, value in filters.dict().items() if value is not None}
    filterset = EventFilter(
        data, queryset=Event.objects.with_evidence().order_by("known_from", "instrument__title", "state__name", "pk")
    )
    if not filterset.is_valid():
        name, messages = next(iter(filterset.errors.items()))
        raise BadParameter(name, " ".join(messages))
    return page_of(filterset.qs, page)


def _as_query_value(value) -> str:
    # The FilterSet reads a query string, as the events page gives it.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


@router.get("/events/{event_id}", response={200: EventOut, **ERRORS}, summary="One event")
@decorate_view(conditional())
def get_event(request, event_id: int = Path(..., ge=1, le=MAX_ID)):
    return get_or_404(Event.objects.with_evidence(), f"No event with id {event_id}.", pk=event_id)

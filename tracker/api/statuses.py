"""Statuses as of a date: the engine's matrix, each status with the event, source and quote it rests on."""

from django.db.models import Q
from django.utils import timezone
from ninja import Query, Router
from ninja.decorators import decorate_view

from tracker.api.errors import BadParameter
from tracker.api.freshness import conditional
from tracker.api.schemas import (
    ErrorOut,
    PageQuery,
    StatusQuery,
    StatusReportOut,
    entry_into_force_data,
    page_addresses,
)
from tracker.citation import cite_status
from tracker.models import Instrument, MemberState
from tracker.status import status_matrix
from tracker.wording import status_label

router = Router()


def state_named(value: str) -> MemberState:
    """A member state by slug or ISO code, in any case: researchers write KAZ as readily as kazakhstan."""
    state = MemberState.objects.filter(Q(slug=value) | Q(slug=value.lower()) | Q(iso3=value.upper())).first()
    if state is None:
        raise BadParameter("state", f"No member state with slug or ISO code “{value}”.")
    return state


def instrument_named(slug: str) -> Instrument:
    instrument = Instrument.objects.filter(slug=slug).first()
    if instrument is None:
        raise BadParameter("instrument", f"No instrument with slug “{slug}”.")
    return instrument


@router.get(
    "/status",
    response={200: StatusReportOut, 400: ErrorOut},
    summary="Every status as of a date, with its evidence",
    description=(
        "The status of every instrument in every member state as of `as_of` (default today), or only one"
        " state's (`state=KAZ` or `state=kazakhstan`) or one instrument's. Paginated by instrument (`limit`"
        " instruments from `offset`, each with every state's status), so a page never splits an instrument's row;"
        " the CSTO's whole record fits in the first page. Ordered by instrument title, then state name."
    ),
)
@decorate_view(conditional(follows_today=True))
def status(request, query: Query[StatusQuery], page: Query[PageQuery]):
    as_of = query.as_of or timezone.localdate()
    states = [state_named(query.state)] if query.state else None
    instruments = Instrument.objects.in_matrix_order()
    if query.instrument:
        instruments = instruments.filter(pk=instrument_named(query.instrument).pk)
    instrument_count = instruments.count()
    matrix = status_matrix(as_of=as_of, instruments=instruments[page.offset : page.offset + page.limit], states=states)
    base_url = request.build_absolute_uri("/")
    access_date = timezone.localdate()
    addresses = page_addresses(request)
    statuses = [
        {
            "instrument": instrument,
            "state": state,
            "status": pair.code,
            "label": status_label(pair.code),
            "since": pair.since,
            "precision": pair.precision,
            "uncertain": pair.is_uncertain,
            "inferred": pair.inferred,
            "computed": pair.computed,
            "computed_from": [event.pk for event in pair.rests_on] if pair.computed else [],
            "evidence": pair.event,
            "citation": cite_status(
                instrument, state, pair, as_of=as_of, access_date=access_date, base_url=base_url, address=addresses
            ),
        }
        for instrument, state, pair in matrix.pairs()
    ]
    return {
        "as_of": as_of,
        "count": len(statuses),
        "instrument_count": instrument_count,
        "limit": page.limit,
        "offset": page.offset,
        "statuses": statuses,
        "entry_into_force": [
            entry_into_force_data(instrument, matrix.entry_into_force(instrument), as_of)
            for instrument in matrix.instruments
        ],
    }

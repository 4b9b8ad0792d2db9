"""Statuses as of a date: the engine's matrix, each status with the event, source and quote it rests on."""

from django.db.models import Q
from django.utils import timezone
from ninja import Query, Router
from ninja.decorators import decorate_view

from tracker.api.errors import BadParameter
from tracker.api.freshness import conditional
from tracker.api.schemas import ErrorOut, PageQuery, StatusQuery, StatusReportOut
from tracker.api.status_report import status_report_json
from tracker.models import Instrument, MemberState
from tracker.status import status_matrix

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
    # Brief evidence: EventFacts hold all that a status shows of its event and source.
    matrix = status_matrix(
        as_of=as_of, instruments=instruments[page.offset : page.offset + page.limit], states=states, brief=True
    )
    body = status_report_json(
        request,
        as_of=as_of,
        access_date=timezone.localdate(),
        matrix=matrix,
        instrument_count=instrument_count,
        limit=page.limit,
        offset=page.offset,
    )
    # Sent as written: returned as data, it would be validated again, status by status, against StatusReportOut.
    from tracker.api import api  # which imports this module, to mount its router

    return api.create_response(request, body, status=200)

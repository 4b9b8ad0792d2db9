"""The API's typed schemas: django-ninja turns them into the OpenAPI document, so they are the contract.

Field names and status codes are public: add fields freely, never rename or drop one.
Every ``url`` is the object's permanent page on the site, absolute.
"""

import datetime
import re
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator

from tracker.addresses import PageAddresses
from tracker.models import Event, Instrument, SourceDocument
from tracker.status import EntryIntoForce, EventFacts, SourceFacts, Status
from tracker.wording import describe_entry_into_force

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
# Big enough for any real offset, small enough that no database overflows on it.
MAX_OFFSET = 1_000_000
MAX_PAGE_SIZE = 500
# The largest id a 64-bit primary key holds: a bigger one would overflow the database driver.
MAX_ID = 2**63 - 1


# The record's choices as plain string enums in the schema: two Django "Kind" classes would
# otherwise collide under one component name in the OpenAPI document.
EventType = Literal[tuple(Event.Type.values)]
EventPrecision = Literal[tuple(Event.Precision.values)]
InstrumentKind = Literal[tuple(Instrument.Kind.values)]
SourceKind = Literal[tuple(SourceDocument.Kind.values)]
StatusCode = Literal[tuple(Status.values)]


def _iso_date_only(value):
    # pydantic would also read "0" or "1700000000" as a Unix timestamp; a researcher who wrote
    # that meant something else, so only YYYY-MM-DD is a date here, as on the site.
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("Enter a date as YYYY-MM-DD, for example 2023-12-31.")
    return value


QueryDate = Annotated[datetime.date, BeforeValidator(_iso_date_only)]


# The engine's rows that stand for a model, and link to its pages.
ADDRESS_ROWS = {EventFacts: Event, SourceFacts: SourceDocument}


def page_addresses(request) -> PageAddresses:
    """The addresses of one response's objects, one ``reverse()`` per model (kept on the request)."""
    addresses = getattr(request, "_page_addresses", None)
    if addresses is None:
        addresses = request._page_addresses = PageAddresses(ADDRESS_ROWS)
    return addresses


def absolute_url(obj, context) -> str:
    request = context["request"]
    return request.build_absolute_uri(page_addresses(request)(obj))


# Query parameters


class PageQuery(Schema):
    limit: int = Field(100, ge=1, le=MAX_PAGE_SIZE, description=f"How many items to return (at most {MAX_PAGE_SIZE}).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")


class AsOfQuery(Schema):
    as_of: QueryDate | None = Field(None, description="The date to compute statuses for, YYYY-MM-DD (default: today).")


class StatusQuery(AsOfQuery):
    state: str | None = Field(
        None, pattern=SLUG_PATTERN, max_length=100, description="A member state's slug or ISO code, e.g. KAZ."
    )
    instrument: str | None = Field(None, pattern=SLUG_PATTERN, max_length=150, description="An instrument's slug.")


class EventQuery(Schema):
    """The events page's filters, with the same names (``tracker.filters.EventFilter`` applies them)."""

    q: str | None = Field(
        None,
        description="Words the event's quote, place or note must hold, in any form (“ratify” finds “ratified”),"
        " as `/api/search` finds them.",
    )

    state: str | None = Field(None, pattern=SLUG_PATTERN, max_length=100, description="A member state's slug.")
    instrument: str | None = Field(None, pattern=SLUG_PATTERN, max_length=150, description="An instrument's slug.")
    type: EventType | None = Field(None, description="The event type.")
    date_after: QueryDate | None = Field(None, description="Dated on or after, YYYY-MM-DD.")
    date_before: QueryDate | None = Field(None, description="Dated on or before, YYYY-MM-DD.")
    source: str | None = Field(None, pattern=SLUG_PATTERN, max_length=150, description="A source document's slug.")
    inferred: bool | None = Field(None, description="true: only inferred events; false: only stated ones.")


# Errors


class ParameterErrorOut(Schema):
    parameter: str = Field(description="The parameter's name, e.g. as_of.")
    location: str = Field(description="query or path.")
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ParameterErrorOut] = Field(default_factory=list)


# References: the short form of an object inside another


class StateRef(Schema):
    slug: str
    iso3: str
    name: str
    url: str

    @staticmethod
    def resolve_url(obj, context):
        return absolute_url(obj, context)


class InstrumentRef(Schema):
    slug: str
    short_title: str
    title: str
    url: str

    @staticmethod
    def resolve_url(obj, context):
        return absolute_url(obj, context)


class SourceRef(Schema):
    slug: str
    title: str
    date: datetime.date
    speaker: str
    url: str
    original_url: str = Field(description="Where the text was published, if known (may be empty).")

    @staticmethod
    def resolve_url(obj, context):
        return absolute_url(obj, context)

    @staticmethod
    def resolve_original_url(obj):
        return obj.url


# The record


class StateOut(StateRef):
    official_name: str
    member_since: datetime.date | None
    member_until: datetime.date | None
    is_synthetic: bool


class EntryIntoForceOut(Schema):
    instrument: str = Field(description="The instrument's slug.")
    as_of: datetime.date
    in_force: bool
    date: datetime.date | None = Field(description="From this date, if in force as of the date asked.")
    uncertain: bool = Field(description="True where the date is only known as 'on or before'.")
    stated_by_event: int | None = Field(description="The event stating entry into force; null if computed.")
    rule_recorded: bool
    missing_count: int | None = Field(description="Ratifications still needed under the rule, if not in force.")
    waiting_for: list[str] = Field(description="Slugs of the member states whose ratification is awaited.")
    inferred: bool = Field(description="True where an event the date rests on is inferred.")
    binds_on_adoption: bool = Field(description="True for decisions and statements: in force from their adoption.")
    description: str


def entry_into_force_data(instrument, eif: EntryIntoForce, as_of: datetime.date) -> dict:
    """The engine's ``EntryIntoForce`` as the API shows it."""
    return {
        "instrument": instrument.slug,
        "as_of": as_of,
        "in_force": eif.in_force,
        "date": eif.date,
        "uncertain": eif.uncertain,
        "stated_by_event": eif.stated_by.pk if eif.stated_by else None,
        "rule_recorded": eif.rule_recorded,
        "missing_count": eif.missing_count,
        "waiting_for": [state.slug for state in eif.waiting_for],
        "inferred": eif.inferred,
        "binds_on_adoption": eif.binds_on_adoption,
        "description": describe_entry_into_force(eif),
    }


class InstrumentOut(InstrumentRef):
    kind: InstrumentKind
    part_of: str | None = Field(description="Slug of the instrument this one amends or belongs to.")
    needs_ratification: bool
    aliases: list[str]
    eif_rule: str = Field(description="all_parties, nth_ratification, or empty where no rule is recorded.")
    eif_threshold: int | None
    eif_rule_basis: str
    note: str
    is_synthetic: bool
    entry_into_force: EntryIntoForceOut

    @staticmethod
    def resolve_part_of(obj):
        return obj.part_of.slug if obj.part_of_id else None

    @staticmethod
    def resolve_aliases(obj):
        return obj.alias_list


class SourceOut(SourceRef):
    kind: SourceKind
    place: str
    is_synthetic: bool


class SourceDetailOut(SourceOut):
    text: str


class EventOut(Schema):
    id: int
    url: str
    instrument: InstrumentRef
    state: StateRef | None = Field(description="Null for an event of the instrument itself.")
    type: EventType
    date: datetime.date = Field(description="As the source gives it; see precision.")
    precision: EventPrecision
    date_display: str
    known_from: datetime.date = Field(description="The first day the sources support the event.")
    place: str
    source: SourceRef
    quote: str
    is_paraphrase: bool
    inferred: bool
    note: str
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_url(obj, context):
        return absolute_url(obj, context)


# Statuses


class EvidenceOut(Schema):
    event: int
    event_url: str
    type: EventType
    date: datetime.date
    date_display: str
    precision: EventPrecision
    quote: str
    is_paraphrase: bool
    inferred: bool
    source: SourceRef

    @staticmethod
    def resolve_event(obj):
        return obj.pk

    @staticmethod
    def resolve_event_url(obj, context):
        return absolute_url(obj, context)


class PairStatusOut(Schema):
    instrument: InstrumentRef
    state: StateRef
    status: StatusCode
    label: str
    since: datetime.date | None = Field(description="The first day this status holds; null for no_record.")
    precision: EventPrecision | None
    uncertain: bool
    inferred: bool
    computed: bool = Field(description="True where it follows from the entry-into-force rule, not a reported event.")
    computed_from: list[int] = Field(
        description="Where computed, the ids of every event it rests on (it is inferred if any of them is); else empty."
    )
    evidence: EvidenceOut | None = Field(description="The event, source and quote the status rests on.")
    citation: str


class StatusReportOut(Schema):
    as_of: datetime.date
    count: int = Field(description="How many statuses this page holds.")
    instrument_count: int = Field(description="How many instruments match, over all pages.")
    limit: int
    offset: int
    statuses: list[PairStatusOut]
    entry_into_force: list[EntryIntoForceOut]


def page_schema(item_schema: type[Schema]) -> type[Schema]:
    """A page of ``item_schema`` items with the total count and where the page starts."""
    return type(
        f"{item_schema.__name__.removesuffix('Out')}Page",
        (Schema,),
        {
            "__annotations__": {"count": int, "limit": int, "offset": int, "items": list[item_schema]},
            "__module__": __name__,
        },
    )


StatePage = page_schema(StateOut)
InstrumentPage = page_schema(InstrumentOut)
SourcePage = page_schema(SourceOut)
EventPage = page_schema(EventOut)

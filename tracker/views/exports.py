"""CSV and XLSX downloads of every public table, with the same filters and as-of date as the page they come from.

Each export is one list of columns, each a name and how its cell is got from a row, so that a column's place in
the header and its value in every row are written once, side by side (issue 19). The lists are a public contract
(README, "CSV exports"): columns are only ever added at the end, never renamed or reordered; the data package
(``tracker.datapackage``) describes the same lists.

Names and labels are in the language of the address (/ru/export/... is Russian, issue 10); codes, slugs and dates
are the same in every language, so a script reads either file the same way.

Over 300 lines because it is the exports' contract: one column list per export, each column beside its
cell, read also by the data package; splitting the lists from their views would put the contract in two places.
"""

import dataclasses
import datetime
import functools
from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any, NamedTuple

from django.http import HttpRequest, HttpResponseBadRequest
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tracker.db_rows import dates_as_text, driver_rows
from tracker.export_files import FLAG, PLAIN, TEXT, table_response
from tracker.filters import EventFilter, InstrumentFilter
from tracker.forms import AsOfForm, StatusScopeForm
from tracker.models import Event, Instrument, MemberState, SourceDocument
from tracker.status import Status, iter_status_lines, status_changed, status_matrix
from tracker.views.events import event_queryset

# Large enough to keep round trips few, small enough to keep memory flat on a big record.
CHUNK_SIZE = 2000


@dataclasses.dataclass(frozen=True)
class Download:
    """What every row of one download shares: the reader's language, the address links start with, code labels."""

    request: HttpRequest
    language: str
    base_url: str = ""
    labels: dict[str, str] = dataclasses.field(default_factory=dict)
    compare_on: datetime.date | None = None
    # A column's cells by the id its rows read, made once for the download (see ``looked_up``).
    lookups: dict[str, dict] = dataclasses.field(default_factory=dict)


class Column(NamedTuple):
    """One column of an export: its name in the header, and how its cell is got from a row of the download."""

    name: str
    value: Callable[[Any, Download], Any]
    # How the CSV writes its cells (tracker.export_files): TEXT is neutralised against formulas, FLAG is true/false,
    # PLAIN (only non-negative numbers, dates, codes from a fixed list, the site's own addresses (a host Django
    # validated, then our path), or empty) is written as it is.
    kind: Callable | None = TEXT


class QueryColumn(NamedTuple):
    """One column of an export whose rows are read straight from a query (events): the database fields it reads,
    and how its cells are got from those fields' values, for a whole piece of rows at once.

    A column at a time rather than a Python call per cell: 19 calls on each of 150,000 rows, over a dict made for
    each, were a third of the events CSV (issue 18). ``cells(*values, download)`` takes one sequence of values per
    field it ``reads``, in that order, and gives as many cells.
    """

    name: str
    reads: tuple[str, ...]
    cells: Callable[..., Iterable]
    kind: Callable | None = TEXT  # as Column's


def field(name: str, path: str, kind=TEXT) -> QueryColumn:
    """A column that is one database field of the row, as it is."""
    return QueryColumn(name, (path,), _as_read, kind)


def _as_read(values, download):
    return values


def header(columns: list) -> list[str]:
    return [column.name for column in columns]


def kinds(columns: list) -> list:
    return [column.kind for column in columns]


def export_response(file_format: str, name: str, columns: list, rows: Iterable, download: Download):
    """The export of ``rows`` in ``columns``, as CSV or XLSX.

    For ``Column``s a row is anything their values read; for ``QueryColumn``s it is a tuple of ``fields_read``.
    """
    cells = cells_by_column if isinstance(columns[0], QueryColumn) else cells_by_row
    return table_response(file_format, name, header(columns), cells(columns, rows, download), kinds(columns))


def fields_read(columns: list[QueryColumn]) -> list[str]:
    """Every field the columns read, once each (a field two columns read is fetched once), in their order."""
    return list(dict.fromkeys(path for column in columns for path in column.reads))


def cells_by_row(columns: list[Column], rows: Iterable, download: Download):
    """Each row's cells, in the columns' order; a generator, so that closing it closes ``rows`` (issue 18)."""
    values = [column.value for column in columns]
    try:
        for row in rows:
            yield [value(row, download) for value in values]
    finally:
        close(rows)


def cells_by_column(columns: list[QueryColumn], rows: Iterable[tuple], download: Download):
    """Each row's cells, in the columns' order, from ``rows`` of ``fields_read(columns)``: each column's cells are
    got for ``CHUNK_SIZE`` rows at once. A generator, so that closing it closes ``rows`` (issue 18)."""
    position = {path: n for n, path in enumerate(fields_read(columns))}
    reads = [(column.cells, [position[path] for path in column.reads]) for column in columns]
    rows_left = iter(rows)
    try:
        while piece := list(islice(rows_left, CHUNK_SIZE)):
            values = list(zip(*piece, strict=True))
            yield from zip(*[cells(*[values[n] for n in read], download) for cells, read in reads], strict=True)
    finally:
        close(rows)


def close(rows):
    """Close ``rows`` if it can be: a half-read queryset iterator holds a server-side cursor on PostgreSQL."""
    close_rows = getattr(rows, "close", None)
    if close_rows is not None:
        close_rows()


def labels(choices) -> dict[str, str]:
    """Each code's label in the current language, looked up once: the rows are written after the view returns."""
    return {code: str(label) for code, label in choices}


def form_errors(*forms) -> HttpResponseBadRequest:
    messages = [f"{field}: {error}" for form in forms for field, errors in form.errors.items() for error in errors]
    return HttpResponseBadRequest(
        _("The export could not be made:") + "\n" + "\n".join(messages), content_type="text/plain; charset=utf-8"
    )


# The status export -----------------------------------------------------------


class StatusRow(NamedTuple):
    """One (instrument, state) pair as of the date asked for, with its names in the reader's language."""

    instrument: Instrument
    title: str
    state: MemberState
    name: str
    status: Any  # tracker.status.StatusLine
    other: Any  # the pair's StatusLine on the compared date, or None


def computed_from(status) -> str | None:
    """The ids of every event a computed status rests on, space-separated (issue 14)."""
    if not status.computed:
        return None
    return " ".join(map(str, status.computed_from))


STATUS_COLUMNS = [
    Column("instrument_slug", lambda row, download: row.instrument.slug),
    Column("instrument", lambda row, download: row.title),
    Column("state_code", lambda row, download: row.state.iso3),
    Column("state", lambda row, download: row.name),
    Column("status", lambda row, download: row.status.code, kind=PLAIN),
    Column("since", lambda row, download: row.status.since, kind=PLAIN),
    Column("date_precision", lambda row, download: row.status.precision, kind=PLAIN),
    Column("inferred", lambda row, download: row.status.inferred, kind=FLAG),
    Column("computed", lambda row, download: row.status.computed, kind=FLAG),
    Column("event_id", lambda row, download: row.status.event_id, kind=PLAIN),
    Column("source", lambda row, download: row.status.source_title),
    Column("quote", lambda row, download: row.status.quote),
    Column("source_slug", lambda row, download: row.status.source_slug),
    Column("source_date", lambda row, download: row.status.source_date, kind=PLAIN),
    Column(
        "event_url",
        lambda row, download: None if row.status.event_id is None else f"{download.base_url}{row.status.event_id}/",
        kind=PLAIN,
    ),
    Column("status_label", lambda row, download: download.labels[row.status.code]),
    Column("computed_from", lambda row, download: computed_from(row.status), kind=PLAIN),
    # Filled where the matrix compares two dates (?compare=): the pair's status on that other date.
    Column("compared_with", lambda row, download: download.compare_on, kind=PLAIN),
    Column("compared_status", lambda row, download: row.other.code if row.other else None, kind=PLAIN),
    Column("compared_since", lambda row, download: row.other.since if row.other else None, kind=PLAIN),
    Column("changed", lambda row, download: status_changed(row.other, row.status) if row.other else None, kind=FLAG),
]


def export_status(request, file_format="csv"):
    date_form = AsOfForm(request.GET)
    filterset = InstrumentFilter(request.GET, queryset=Instrument.objects.all())
    scope = StatusScopeForm(request.GET)
    if not (date_form.is_valid() and filterset.is_valid() and scope.is_valid()):
        return form_errors(date_form, filterset.form, scope)
    instruments = filterset.qs
    if scope.cleaned_data["instrument"]:
        instruments = instruments.filter(pk=scope.cleaned_data["instrument"].pk)
    states = [scope.cleaned_data["state"]] if scope.cleaned_data["state"] else None
    as_of, compare_on = date_form.as_of_date, date_form.cleaned_data["compare"]
    # Streamed from the engine one instrument at a time: memory stays flat however large the record (issue 6).
    pairs = iter_status_lines(as_of=as_of, instruments=instruments, states=states)
    # The other date's statuses come in the same order, so the two streams walk side by side.
    others = iter_status_lines(as_of=compare_on, instruments=instruments, states=states) if compare_on else None
    download = Download(
        request,
        get_language(),
        base_url=request.build_absolute_uri(reverse("tracker:event_list")),
        labels=labels(Status.choices),
        compare_on=compare_on,
    )

    def rows():
        # Names are looked up once per instrument and per state, not once for each of 120,000 pairs; the pairs come
        # instrument by instrument, and the same state objects for every instrument.
        title, names, last = None, {}, None
        try:
            for instrument, state, status in pairs:
                other = next(others)[2] if others is not None else None
                if instrument is not last:
                    title, last = str(instrument.display_title(download.language)), instrument
                name = names.get(id(state))
                if name is None:
                    name = names[id(state)] = str(state.display_name(download.language))
                yield StatusRow(instrument, title, state, name, status, other)
        finally:
            close(pairs)
            close(others)

    name = f"status-{as_of.isoformat()}"
    return export_response(file_format, name, STATUS_COLUMNS, rows(), download)


# The instruments export ------------------------------------------------------


class InstrumentRow(NamedTuple):
    """One instrument with the engine's answers for it: who concluded it, and its entry into force."""

    instrument: Instrument
    concluded: Any  # the concluding event, or None
    eif: Any  # tracker.status.EntryIntoForce


INSTRUMENT_COLUMNS = [
    Column("slug", lambda row, download: row.instrument.slug),
    Column("title", lambda row, download: row.instrument.display_title(download.language)),
    Column("kind", lambda row, download: row.instrument.kind),
    Column("amends", lambda row, download: row.instrument.part_of.slug if row.instrument.part_of else None),
    Column("signed_or_adopted_on", lambda row, download: row.concluded.date if row.concluded else None),
    Column("place", lambda row, download: row.concluded.place if row.concluded else None),
    Column("entry_into_force", lambda row, download: row.eif.date),
    Column("needs_ratification", lambda row, download: row.instrument.needs_ratification),
    Column("short_title", lambda row, download: row.instrument.display_short_title(download.language)),
    Column("signed_or_adopted_precision", lambda row, download: row.concluded.precision if row.concluded else None),
    Column("entry_into_force_uncertain", lambda row, download: row.eif.uncertain if row.eif.date else None),
    Column("entry_into_force_rule", lambda row, download: row.instrument.eif_rule),
    Column("ratifications_missing", lambda row, download: row.eif.missing_count),
    Column("waiting_for", lambda row, download: " ".join(state.iso3 for state in row.eif.waiting_for)),
    Column("url", lambda row, download: download.request.build_absolute_uri(row.instrument.get_absolute_url())),
    Column("kind_label", lambda row, download: download.labels[row.instrument.kind]),
]


def export_instruments(request, file_format="csv"):
    date_form = AsOfForm(request.GET)
    filterset = InstrumentFilter(request.GET, queryset=Instrument.objects.select_related("part_of"))
    if not (date_form.is_valid() and filterset.is_valid()):
        return form_errors(date_form, filterset.form)
    matrix = status_matrix(as_of=date_form.as_of_date, instruments=filterset.qs)
    download = Download(request, get_language(), labels=labels(Instrument.Kind.choices))
    rows = (
        InstrumentRow(instrument, matrix.concluded_by(instrument), matrix.entry_into_force(instrument))
        for instrument in matrix.instruments
    )
    return export_response(file_format, "instruments", INSTRUMENT_COLUMNS, rows, download)


# The events export -----------------------------------------------------------


def looked_up(name: str, id_path: str) -> QueryColumn:
    """A column whose cells are looked up by the id its rows read, in ``download.lookups[name]``.

    For the few hundred instruments and states: their cells are made once for the download, not read and decoded
    again on each of the 150,000 rows they are joined to (issue 18). A row without one (an event of the instrument
    itself has no state) reads None, looked up as empty.
    """
    return QueryColumn(name, (id_path,), functools.partial(_looked_up, name))


def _looked_up(name, ids, download):
    return list(map(download.lookups[name].__getitem__, ids))


class CellsById(dict):
    """A column's cells by the id of the row each comes from (``looked_up``), None's empty.

    Every one of ``rows`` is made up front, before the export's own query; a row added to the record since (an
    instrument created while a long export runs, whose events the query then sees) is read when first met.
    """

    def __init__(self, rows, cell: Callable):
        super().__init__({None: None} | {row.pk: cell(row) for row in rows})
        self.rows, self.cell = rows, cell

    def __missing__(self, pk):
        made = self[pk] = self.cell(self.rows.get(pk=pk))
        return made


def event_lookups(language: str) -> dict[str, CellsById]:
    """The instruments' and states' cells of the events export, by id (see ``looked_up``)."""
    instruments = Instrument.objects.only("slug", "title", "title_ru")
    states = MemberState.objects.only("iso3", "name", "name_ru")
    return {
        "instrument_slug": CellsById(instruments, lambda instrument: instrument.slug),
        "instrument": CellsById(instruments, lambda instrument: str(instrument.display_title(language))),
        "state_code": CellsById(states, lambda state: state.iso3),
        "state": CellsById(states, lambda state: str(state.display_name(language))),
    }


def _event_urls(pks, download):
    return [f"{download.base_url}{pk}/" for pk in pks]


def _labels(codes, download):
    return list(map(download.labels.__getitem__, codes))


# The query's rows rather than model instances: building four objects per row dominated the export (issue 6).
EVENT_COLUMNS = [
    field("event_id", "pk", PLAIN),
    looked_up("instrument_slug", "instrument_id"),
    looked_up("instrument", "instrument_id"),
    looked_up("state_code", "state_id"),
    looked_up("state", "state_id"),
    field("type", "type", PLAIN),
    field("date", "date", PLAIN),
    field("date_precision", "precision", PLAIN),
    field("known_from", "known_from", PLAIN),
    field("place", "place"),
    field("inferred", "inferred", FLAG),
    field("quote", "quote"),
    field("is_paraphrase", "is_paraphrase", FLAG),
    field("source_slug", "source__slug"),
    field("source", "source__title"),
    field("source_date", "source__date", PLAIN),
    field("note", "note"),
    QueryColumn("url", ("pk",), _event_urls, kind=PLAIN),
    QueryColumn("type_label", ("type",), _labels),
]


def export_events(request, file_format="csv"):
    filterset = EventFilter(request.GET, queryset=event_queryset())
    if not filterset.is_valid():
        return form_errors(filterset.form)
    download = Download(
        request,
        get_language(),
        base_url=request.build_absolute_uri(reverse("tracker:event_list")),
        labels=labels(Event.Type.choices),
        lookups=event_lookups(get_language()),
    )
    fields = fields_read(EVENT_COLUMNS)
    # The CSV writes a date as its ISO text, so it reads it as that text (issue 18); the XLSX types dates as dates.
    read = dates_as_text(Event, fields) if file_format == "csv" else fields
    rows = driver_rows(filterset.qs.order_by("known_from", "pk").values_list(*read), CHUNK_SIZE)
    return export_response(file_format, "events", EVENT_COLUMNS, rows, download)


# The states and sources exports ----------------------------------------------


STATE_COLUMNS = [
    Column("slug", lambda state, download: state.slug),
    Column("state_code", lambda state, download: state.iso3),
    Column("name", lambda state, download: state.display_name(download.language)),
    Column("official_name", lambda state, download: state.display_official_name(download.language)),
    Column("member_since", lambda state, download: state.member_since),
    Column("member_until", lambda state, download: state.member_until),
    Column("url", lambda state, download: f"{download.base_url}{state.slug}/"),
]


def export_states(request, file_format="csv"):
    download = Download(request, get_language(), base_url=request.build_absolute_uri(reverse("tracker:state_list")))
    rows = MemberState.objects.order_by("name").iterator(chunk_size=CHUNK_SIZE)
    return export_response(file_format, "states", STATE_COLUMNS, rows, download)


SOURCE_COLUMNS = [
    Column("slug", lambda source, download: source.slug),
    Column("title", lambda source, download: source.title),
    Column("kind", lambda source, download: source.kind),
    Column("date", lambda source, download: source.date),
    Column("speaker", lambda source, download: source.speaker),
    Column("place", lambda source, download: source.place),
    Column("original_url", lambda source, download: source.url),
    Column("url", lambda source, download: f"{download.base_url}{source.slug}/"),
    Column("kind_label", lambda source, download: download.labels[source.kind]),
]


def export_sources(request, file_format="csv"):
    download = Download(
        request,
        get_language(),
        base_url=request.build_absolute_uri(reverse("tracker:source_list")),
        labels=labels(SourceDocument.Kind.choices),
    )
    rows = SourceDocument.objects.defer("text").order_by("-date", "title").iterator(chunk_size=CHUNK_SIZE)
    return export_response(file_format, "sources", SOURCE_COLUMNS, rows, download)


# The exports by name: each is at /export/<name>.csv and /export/<name>.xlsx (tracker.urls), and on the Data page.
EXPORT_VIEWS = {
    "status": export_status,
    "instruments": export_instruments,
    "events": export_events,
    "states": export_states,
    "sources": export_sources,
}
# Each export's columns by the same names, for the data package.
EXPORT_COLUMNS = {
    "status": STATUS_COLUMNS,
    "instruments": INSTRUMENT_COLUMNS,
    "events": EVENT_COLUMNS,
    "states": STATE_COLUMNS,
    "sources": SOURCE_COLUMNS,
}

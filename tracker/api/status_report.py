"""The status report (``/api/status``) written straight to JSON, in the shape ``StatusReportOut`` documents.

A page of 500 instruments is 100,000 statuses, 113 MB of JSON: django-ninja validating each one, attribute by
attribute, through pydantic took 60% of its 16 s (issue 18). Here each status is written from the engine's facts
as the schema's fields, in its order, as ``json.dumps`` would write the validated dict (its separators, ASCII
only), and what statuses share (a state, an instrument, a source, an evidence event) is written once. The frame
around them (the date, the counts, the entries into force) is still validated by the schema.
tests/test_api.py holds the written report to the schema, field by field and byte for byte.
"""

import datetime
import json
from json.encoder import encode_basestring_ascii as json_text

from ninja.responses import NinjaJSONEncoder

from tracker.api.schemas import InstrumentRef, StateRef, StatusReportOut, entry_into_force_data, page_addresses
from tracker.citation import StatusCitations
from tracker.models import Instrument, MemberState
from tracker.status import StatusMatrix
from tracker.wording import status_label, word_date

JSON_BOOL = {True: "true", False: "false"}


class WrittenJSON(str):
    """A response body already written as JSON: the API's renderer sends it as it is."""


def _json_object(fields) -> str:
    """``(name, value written as JSON)`` pairs as a JSON object, with ``json.dumps``' separators."""
    return "{" + ", ".join(f"{json_text(name)}: {value}" for name, value in fields) + "}"


def _json_date(day: datetime.date | None) -> str:
    return "null" if day is None else f'"{day.isoformat()}"'


def _json_text_or_null(value: str | None) -> str:
    return "null" if value is None else json_text(value)


class _StatusWriter:
    """Each status of one answer as ``PairStatusOut``'s JSON, writing what statuses share once."""

    def __init__(self, request, *, as_of: datetime.date, access_date: datetime.date):
        self.address = page_addresses(request)
        base_url = request.build_absolute_uri("/")
        # request.build_absolute_uri(address) for an address of the site's (a path of ASCII, quoted as reverse()
        # quotes it), without its parsing for each of 50,000 addresses.
        self.site = base_url.rstrip("/")
        self.cite = StatusCitations(as_of=as_of, access_date=access_date, base_url=base_url, address=self.address)
        self._refs: dict[tuple[type, int], str] = {}
        self._labels: dict[str, str] = {}
        self._evidence: dict[int, str] = {}
        self._sources: dict[int, str] = {}

    def _url(self, obj) -> str:
        return self.site + self.address(obj)

    def state(self, state) -> str:
        return self._reference(state, StateRef)

    def instrument(self, instrument) -> str:
        return self._reference(instrument, InstrumentRef)

    def _reference(self, obj, schema) -> str:
        """``obj`` as ``schema`` (``StateRef``, ``InstrumentRef``): its fields in the schema's order, then its page."""
        key = (type(obj), obj.pk)
        written = self._refs.get(key)
        if written is None:
            fields = [(name, json_text(getattr(obj, name))) for name in schema.model_fields if name != "url"]
            written = self._refs[key] = _json_object([*fields, ("url", json_text(self._url(obj)))])
        return written

    def source(self, source) -> str:
        """``SourceRef``."""
        written = self._sources.get(source.pk)
        if written is None:
            written = self._sources[source.pk] = _json_object(
                [
                    ("slug", json_text(source.slug)),
                    ("title", json_text(source.title)),
                    ("date", _json_date(source.date)),
                    ("speaker", json_text(source.speaker)),
                    ("url", json_text(self._url(source))),
                    ("original_url", json_text(source.url)),
                ]
            )
        return written

    def evidence(self, event) -> str:
        """``EvidenceOut``, or null."""
        if event is None:
            return "null"
        written = self._evidence.get(event.pk)
        if written is None:
            written = self._evidence[event.pk] = _json_object(
                [
                    ("event", str(event.pk)),
                    ("event_url", json_text(self._url(event))),
                    ("type", json_text(event.type)),
                    ("date", _json_date(event.date)),
                    ("date_display", json_text(word_date(event.date, event.precision))),
                    ("precision", json_text(event.precision)),
                    ("quote", json_text(event.quote)),
                    ("is_paraphrase", JSON_BOOL[bool(event.is_paraphrase)]),
                    ("inferred", JSON_BOOL[bool(event.inferred)]),
                    ("source", self.source(event.source)),
                ]
            )
        return written

    def label(self, code: str) -> str:
        written = self._labels.get(code)
        if written is None:
            written = self._labels[code] = json_text(status_label(code))
        return written

    def __call__(self, instrument, state, status) -> str:
        """``PairStatusOut``."""
        instrument_json = self._refs.get((Instrument, instrument.pk)) or self.instrument(instrument)
        state_json = self._refs.get((MemberState, state.pk)) or self.state(state)
        event = status.event
        evidence = "null" if event is None else (self._evidence.get(event.pk) or self.evidence(event))
        computed_from = ", ".join(str(event.pk) for event in status.rests_on) if status.computed else ""
        return (
            f'{{"instrument": {instrument_json}, "state": {state_json}, '
            f'"status": {json_text(status.code)}, "label": {self._labels.get(status.code) or self.label(status.code)}, '
            f'"since": {_json_date(status.since)}, "precision": {_json_text_or_null(status.precision)}, '
            f'"uncertain": {JSON_BOOL[status.is_uncertain]}, "inferred": {JSON_BOOL[bool(status.inferred)]}, '
            f'"computed": {JSON_BOOL[bool(status.computed)]}, "computed_from": [{computed_from}], '
            f'"evidence": {evidence}, "citation": {json_text(self.cite(instrument, state, status))}}}'
        )


def status_report_json(
    request,
    *,
    as_of: datetime.date,
    access_date: datetime.date,
    matrix: StatusMatrix,
    instrument_count: int,
    limit: int,
    offset: int,
) -> WrittenJSON:
    """The ``StatusReportOut`` of ``matrix``'s pairs as JSON: the same bytes as the schema's validated dict dumped."""
    write = _StatusWriter(request, as_of=as_of, access_date=access_date)
    statuses = [write(instrument, state, status) for instrument, state, status in matrix.pairs()]
    frame = StatusReportOut.model_validate(
        {
            "as_of": as_of,
            "count": len(statuses),
            "instrument_count": instrument_count,
            "limit": limit,
            "offset": offset,
            "statuses": [],
            "entry_into_force": [
                entry_into_force_data(instrument, matrix.entry_into_force(instrument), as_of)
                for instrument in matrix.instruments
            ],
        }
    ).model_dump()
    frame["statuses"] = WrittenJSON("[" + ", ".join(statuses) + "]")
    return WrittenJSON(
        _json_object(
            (name, value if isinstance(value, WrittenJSON) else json.dumps(value, cls=NinjaJSONEncoder))
            for name, value in frame.items()
        )
    )

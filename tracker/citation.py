"""Plain-text citations for an event and for a status, with the permanent URL and the access date.

A researcher pastes these into a footnote, so each one names what is cited, its date, the source it
rests on, where to find it and when it was read; nothing in them depends on the page it was copied from.
"""

import datetime
from urllib.parse import urlencode

from tracker.models import Event, Instrument, MemberState
from tracker.status import PairStatus
from tracker.wording import status_label, word_date

SITE_NAME = "CSTO ratification tracker"


def long_date(day: datetime.date) -> str:
    """“18 May 2023”: unambiguous in every citation style, unlike 05/18 or 18.05."""
    return f"{day.day} {day:%B %Y}"


def _own_address(obj) -> str:
    return obj.get_absolute_url()


def _permalink(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def _source_reference(source) -> str:
    who = ", ".join(part for part in (source.speaker, source.place) if part)
    return f"“{source.title}”" + (f", {who}" if who else "") + f", {long_date(source.date)}"


def cite_event(event: Event, *, access_date: datetime.date, base_url: str) -> str:
    """A citation of one event: what happened, when, the source and its quote, the event's permanent URL."""
    who = event.state.name if event.state_id else "all member states"
    quote = f"“{event.quote}”" + (" (paraphrase)" if event.is_paraphrase else "")
    inferred = " Inferred from the source, not stated in it." if event.inferred else ""
    when = word_date(event.date, event.precision, long=True)
    return (
        f"{event.instrument.title} — {who}: {event.get_type_display()}, {when}. "
        f"Source: {_source_reference(event.source)}: {quote}.{inferred} "
        f"{SITE_NAME}, event {event.pk}. {_permalink(base_url, event.get_absolute_url())} "
        f"(accessed {long_date(access_date)})."
    )


def cite_status(
    instrument: Instrument,
    state: MemberState,
    status: PairStatus,
    *,
    as_of: datetime.date,
    access_date: datetime.date,
    base_url: str,
    address=None,
) -> str:
    """A citation of one matrix cell: the status as of a date, what it rests on, and a URL that shows it again.

    ``address`` gives an object's page address (default its ``get_absolute_url()``). An answer that cites
    thousands of cells makes one ``StatusCitations`` instead.
    """
    return StatusCitations(as_of=as_of, access_date=access_date, base_url=base_url, address=address)(
        instrument, state, status
    )


class StatusCitations:
    """Citations of many matrix cells as of one date, for one answer (one language): ``cite_status`` for each cell,
    with what cells share worked out once.

    The status API cites every pair of the record, 100,000 of them: each instrument's address, each status's words,
    each evidence event's source and permalink are written once per answer, not once per cell (issue 18).
    ``address`` gives an object's page address (default its ``get_absolute_url()``): pass the answer's
    ``PageAddresses``. Each cell's evidence is known by its event's pk: a cell of another answer needs another one.
    """

    def __init__(self, *, as_of: datetime.date, access_date: datetime.date, base_url: str, address=None):
        self.as_of, self.base_url = as_of, base_url
        self.address = address or _own_address
        self.as_of_words = long_date(as_of)
        self.ending = f"{SITE_NAME}. {{url}} (accessed {long_date(access_date)})."
        self.query = "?" + urlencode({"as_of": as_of.isoformat()})
        self._instruments: dict[int, tuple[str, str]] = {}
        self._statuses: dict[tuple, str] = {}
        self._labels: dict[str, str] = {}
        self._evidence: dict[int, str] = {}

    def __call__(self, instrument: Instrument, state: MemberState, status: PairStatus) -> str:
        known = self._instruments.get(instrument.pk)
        if known is None:
            url = _permalink(self.base_url, self.address(instrument)) + self.query
            known = self._instruments[instrument.pk] = (instrument.title, self.ending.format(url=url))
        title, ending = known
        facts = (status.code, status.since, status.precision, status.computed, status.inferred)
        words = self._statuses.get(facts)
        if words is None:
            words = self._statuses[facts] = self._status_words(status)
        event = status.event
        if event is None:
            evidence = "No event in the record."
        else:
            evidence = self._evidence.get(event.pk)
            if evidence is None:
                evidence = self._evidence[event.pk] = (
                    f"Source: {_source_reference(event.source)}: “{event.quote}”; "
                    f"evidence {_permalink(self.base_url, self.address(event))}."
                )
        return f"{title} — {state.name}: {words} {evidence} {ending}"

    def _status_words(self, status: PairStatus) -> str:
        """The status, its date and how it is known: "In force since 18 May 2023, as of 1 January 2024. ..."."""
        since = ""
        if status.since:
            # A vague date is a latest date: "by 18 May 2023", "in 2021" say so without backdating it.
            since = f" {'' if status.is_uncertain else 'since '}{word_date(status.since, status.precision, long=True)}"
        label = self._labels.get(status.code)
        if label is None:
            label = self._labels[status.code] = status_label(status.code)
        parts = [f"{label}{since}, as of {self.as_of_words}."]
        if status.computed:
            parts.append("Computed from the instrument's entry-into-force rule.")
        if status.inferred:
            parts.append("Inferred from the source, not stated in it.")
        return " ".join(parts)

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

    ``address`` gives an object's page address (default its ``get_absolute_url()``): an answer that cites thousands
    of cells passes its ``PageAddresses``.
    """
    address = address or _own_address
    url = _permalink(base_url, address(instrument)) + "?" + urlencode({"as_of": as_of.isoformat()})
    since = ""
    if status.since:
        # A vague date is a latest date: "by 18 May 2023", "in 2021" say so without backdating it.
        since = f" {'' if status.is_uncertain else 'since '}{word_date(status.since, status.precision, long=True)}"
    parts = [f"{instrument.title} — {state.name}: {status_label(status.code)}{since}, as of {long_date(as_of)}."]
    if status.computed:
        parts.append("Computed from the instrument's entry-into-force rule.")
    if status.inferred:
        parts.append("Inferred from the source, not stated in it.")
    if status.event is not None:
        event = status.event
        parts.append(
            f"Source: {_source_reference(event.source)}: “{event.quote}”; "
            f"evidence {_permalink(base_url, address(event))}."
        )
    else:
        parts.append("No event in the record.")
    parts.append(f"{SITE_NAME}. {url} (accessed {long_date(access_date)}).")
    return " ".join(parts)

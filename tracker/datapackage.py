"""The Frictionless data package of the CSV exports: every column's type and meaning (issue 15).

Served at /data/datapackage.json so that a researcher's tools (``frictionless validate``, pandas, R) read the
exports with the right types. The columns come from the exports' own lists (``tracker.views.exports``); each
needs a type and a description here, and a test fails on a column that has none.
"""

from django.urls import reverse

from tracker.citation import SITE_NAME
from tracker.models import Event, Instrument, SourceDocument
from tracker.status import Status
from tracker.views.exports import EXPORT_COLUMNS, header

PRECISIONS = list(Event.Precision.values)
URL = {"type": "string", "format": "uri"}


def field(kind: str, description: str, **extra) -> dict:
    return {"type": kind, "description": description, **extra}


def text(description: str) -> dict:
    return field("string", description)


def code(description: str, codes) -> dict:
    return field("string", description, constraints={"enum": list(codes)})


# What each column of each export holds. Dates are ISO (YYYY-MM-DD), booleans true/false, an empty cell "none".
COLUMNS = {
    "status": {
        "instrument_slug": text("The instrument's slug: its page is /instruments/<slug>/."),
        "instrument": text("The instrument's title, in the export's language."),
        "state_code": text("The member state's ISO 3166-1 alpha-3 code."),
        "state": text("The member state's short name, in the export's language."),
        "status": code("The state's status on the instrument as of the date asked for.", Status.values),
        "since": field("date", "The first day the status holds; empty for no_record."),
        "date_precision": code("How precisely the source dates the status.", PRECISIONS),
        "inferred": field("boolean", "The source implies the step rather than stating it."),
        "computed": field("boolean", "The status follows from the entry-into-force rule, not from an event."),
        "event_id": field("integer", "The event behind the status: its page is /events/<id>/."),
        "source": text("The title of the source the event rests on."),
        "quote": text("The sentence quoted from the source."),
        "source_slug": text("The source's slug: its full text is at /sources/<slug>/."),
        "source_date": field("date", "The date of the source."),
        "event_url": text("The event's page.") | URL,
        "status_label": text("The status in words, in the export's language."),
        "computed_from": text(
            "For a computed status, the ids of every event it rests on, separated by spaces (their pages are "
            "/events/<id>/); empty otherwise."
        ),
        "compared_with": field("date", "With ?compare=: the other date the status is compared with; else empty."),
        "compared_status": code("With ?compare=: the pair's status on that other date.", Status.values),
        "compared_since": field("date", "With ?compare=: the first day the other date's status holds."),
        "changed": field("boolean", "With ?compare=: whether the status differs between the two dates."),
    },
    "instruments": {
        "slug": text("The instrument's slug: its page is /instruments/<slug>/."),
        "title": text("The instrument's title, in the export's language."),
        "kind": code("What kind of instrument it is.", Instrument.Kind.values),
        "amends": text("The slug of the instrument it amends or belongs to."),
        "signed_or_adopted_on": field("date", "The date of its signature or adoption as an instrument."),
        "place": text("Where it was signed or adopted."),
        "entry_into_force": field("date", "The date it entered into force; empty if not (yet) known to be in force."),
        "needs_ratification": field("boolean", "false for decisions and statements that bind on adoption."),
        "short_title": text("Its short title, in the export's language."),
        "signed_or_adopted_precision": code("How precisely the source dates the signature.", PRECISIONS),
        "entry_into_force_uncertain": field("boolean", "The entry-into-force date rests on a vague date."),
        "entry_into_force_rule": code(
            "The rule that brings it into force.", [rule for rule in Instrument.EntryIntoForceRule.values if rule]
        ),
        "ratifications_missing": field("integer", "How many more ratifications its rule needs."),
        "waiting_for": text("The ISO codes of the member states that have not ratified, separated by spaces."),
        "url": text("The instrument's page.") | URL,
        "kind_label": text("The kind in words, in the export's language."),
    },
    "events": {
        "event_id": field("integer", "The event's id: its page is /events/<id>/."),
        "instrument_slug": text("The instrument's slug."),
        "instrument": text("The instrument's title, in the export's language."),
        "state_code": text("The member state's ISO code; empty for an event of the instrument itself."),
        "state": text("The member state's short name, in the export's language."),
        "type": code("What happened.", Event.Type.values),
        "date": field("date", "The date as the source gives it; see date_precision."),
        "date_precision": code("How precisely the source dates the event.", PRECISIONS),
        "known_from": field("date", "The first day the sources support the event."),
        "place": text("Where it happened."),
        "inferred": field("boolean", "The source implies the event rather than stating it."),
        "quote": text("The sentence of the source the event rests on."),
        "is_paraphrase": field("boolean", "The quote is deliberately not verbatim."),
        "source_slug": text("The source's slug."),
        "source": text("The source's title."),
        "source_date": field("date", "The date of the source."),
        "note": text("The editors' note."),
        "url": text("The event's page.") | URL,
        "type_label": text("The event type in words, in the export's language."),
    },
    "states": {
        "slug": text("The member state's slug: its page is /states/<slug>/."),
        "state_code": text("The member state's ISO 3166-1 alpha-3 code."),
        "name": text("Its short name, in the export's language."),
        "official_name": text("Its official name, in the export's language."),
        "member_since": field("date", "The date it became a member, where a source gives it."),
        "member_until": field("date", "The date its membership ended, if it has."),
        "url": text("The member state's page.") | URL,
    },
    "sources": {
        "slug": text("The source's slug: its full text is at /sources/<slug>/."),
        "title": text("The source's title."),
        "kind": code("What kind of text it is.", SourceDocument.Kind.values),
        "date": field("date", "The date of the speech or news item."),
        "speaker": text("Who spoke."),
        "place": text("Where."),
        "original_url": text("Where the text was published."),
        "url": text("The source's page on this site.") | URL,
        "kind_label": text("The kind in words, in the export's language."),
    },
}
# What each export holds, in the data package's order (the Data page lists them in this order too).
EXPORTS = {
    "status": "Every (instrument, member state) status as of a date (as_of=YYYY-MM-DD, default today).",
    "instruments": "One row per instrument, with its signature and entry into force.",
    "events": "One row per event, with its quote, source and dates.",
    "states": "One row per member state.",
    "sources": "One row per source document (without its text).",
}


def datapackage(request) -> dict:
    """The data package describing every CSV export at its address in the reader's language."""
    resources = []
    for name, columns in EXPORT_COLUMNS.items():
        resources.append(
            {
                "name": name,
                "path": request.build_absolute_uri(reverse(f"tracker:export_{name}")),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": EXPORTS[name],
                "schema": {"fields": [{"name": column, **COLUMNS[name][column]} for column in header(columns)]},
            }
        )
    return {
        "name": "csto-ratification-tracker",
        "title": SITE_NAME,
        "description": (
            "The CSTO's international instruments and where each member state stands on each of them, every status"
            " derived from dated events that quote a public source. Each resource is a live CSV export; add"
            " ?as_of=YYYY-MM-DD to the status export for another date."
        ),
        "homepage": request.build_absolute_uri(reverse("tracker:open_data")),
        "resources": resources,
    }

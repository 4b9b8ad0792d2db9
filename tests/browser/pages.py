"""Every public page type, in one list: the axe test and the screenshots walk it (issue 15).

Add a page type here (the lead adds /search/ and /data/) and both tests cover it in both languages.
Each entry is a name and a function giving the page's English path on the curated record; the
Russian page is the same path under /ru/.
"""

from tracker.models import Event, Instrument, MemberState, SourceDocument

FOURTH_PROTOCOL = "fourth-protocol-charter-biosecurity"


def _ratification():
    return Event.objects.get(instrument__slug=FOURTH_PROTOCOL, state__iso3="BLR", type="ratified")


PAGE_TYPES = [
    ("matrix", lambda: "/?as_of=2024-01-01"),
    ("matrix-compared", lambda: "/?as_of=2023-12-31&compare=2023-01-01"),
    ("instrument-list", lambda: "/instruments/"),
    ("instrument", lambda: Instrument.objects.get(slug=FOURTH_PROTOCOL).get_absolute_url() + "?as_of=2024-01-01"),
    ("state-list", lambda: "/states/"),
    ("state", lambda: MemberState.objects.get(iso3="BLR").get_absolute_url() + "?as_of=2024-01-01"),
    ("event-list", lambda: "/events/"),
    ("event-list-filtered", lambda: "/events/?state=belarus&date_after=2023-01-01"),
    ("event", lambda: _ratification().get_absolute_url()),
    ("source-list", lambda: "/sources/"),
    ("source", lambda: SourceDocument.objects.get(pk=_ratification().source_id).get_absolute_url()),
    ("bad-request", lambda: "/?as_of=not-a-date"),
    ("not-found", lambda: "/instruments/no-such-instrument/"),
]
LANGUAGES = {"en": "", "ru": "/ru"}


def page_urls(base_url: str):
    """(name, language, url) for every page type in both languages."""
    for name, path in PAGE_TYPES:
        for language, prefix in LANGUAGES.items():
            yield name, language, base_url + prefix + path()

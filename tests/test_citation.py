import datetime

import pytest
from django.utils import timezone
from django.utils.html import escape

from tests.builders import make_event, make_instrument, make_source
from tracker.citation import cite_event, cite_status
from tracker.models import Event, Instrument
from tracker.status import status_as_of

pytestmark = pytest.mark.django_db

ACCESSED = datetime.date(2026, 1, 5)
BASE = "https://tracker.example.org/"


@pytest.fixture
def ratification(six_states):
    instrument = make_instrument(
        title="Agreement on the status of forces",
        short_title="Status of forces",
        slug="status-of-forces",
        eif_rule=Instrument.EntryIntoForceRule.NTH_RATIFICATION,
        eif_threshold=1,
    )
    source = make_source(
        title="Speech at the Council session",
        slug="council-speech",
        speaker="Secretary General",
        place="Minsk",
        date=datetime.date(2023, 11, 23),
        text="Kazakhstan has ratified the Agreement. It remains open to others.",
    )
    event = make_event(instrument=instrument, state=six_states["KAZ"], source=source, inferred=False)
    return event


def test_an_event_citation_names_what_when_the_source_its_quote_the_permalink_and_the_access_date(ratification):
    text = cite_event(ratification, access_date=ACCESSED, base_url=BASE)

    assert text == (
        "Agreement on the status of forces — Kazakhstan: Ratified (internal procedures completed), "
        "by 23 November 2023. "
        "Source: “Speech at the Council session”, Secretary General, Minsk, 23 November 2023: "
        "“Kazakhstan has ratified the Agreement”. "
        f"CSTO ratification tracker, event {ratification.pk}. "
        f"https://tracker.example.org/events/{ratification.pk}/ (accessed 5 January 2026)."
    )


def test_an_event_citation_says_when_the_event_is_inferred_or_the_quote_a_paraphrase(ratification):
    ratification.inferred = True
    ratification.is_paraphrase = True

    text = cite_event(ratification, access_date=ACCESSED, base_url=BASE)

    assert "“Kazakhstan has ratified the Agreement” (paraphrase)." in text
    assert "Inferred from the source, not stated in it." in text


def test_an_instrument_level_event_is_cited_for_all_member_states(six_states):
    event = make_event(instrument=make_instrument(title="Charter"), type=Event.Type.SIGNED)

    assert cite_event(event, access_date=ACCESSED, base_url=BASE).startswith("Charter — all member states: Signed")


def test_a_status_citation_gives_the_status_its_evidence_and_a_url_that_shows_it_on_that_date(ratification, six_states):
    as_of = datetime.date(2023, 12, 31)
    status = status_as_of(ratification.instrument, six_states["KAZ"], as_of)

    text = cite_status(
        ratification.instrument, six_states["KAZ"], status, as_of=as_of, access_date=ACCESSED, base_url=BASE
    )

    assert text.startswith(
        "Agreement on the status of forces — Kazakhstan: In force by 23 November 2023, as of 31 December 2023. "
        "Computed from the instrument's entry-into-force rule. "
    )
    assert "Source: “Speech at the Council session”, Secretary General, Minsk, 23 November 2023" in text
    assert f"evidence https://tracker.example.org/events/{ratification.pk}/." in text
    assert text.endswith(
        "https://tracker.example.org/instruments/status-of-forces/?as_of=2023-12-31 (accessed 5 January 2026)."
    )


def test_a_status_with_no_record_says_so(ratification, six_states):
    as_of = datetime.date(2023, 12, 31)
    status = status_as_of(ratification.instrument, six_states["ARM"], as_of)

    text = cite_status(
        ratification.instrument, six_states["ARM"], status, as_of=as_of, access_date=ACCESSED, base_url=BASE
    )

    assert "Armenia: No record, as of 31 December 2023. No event in the record." in text


def test_the_event_page_offers_its_citation_to_copy(client, ratification):
    page = client.get(ratification.get_absolute_url()).content.decode()

    expected = cite_event(ratification, access_date=timezone.localdate(), base_url="http://testserver/")
    assert f'<textarea id="cite-event" readonly rows="4">{escape(expected)}</textarea>' in page


def test_the_instrument_page_offers_a_citation_for_each_states_status(client, ratification, six_states):
    page = client.get(ratification.instrument.get_absolute_url(), {"as_of": "2023-12-31"}).content.decode()

    assert page.count('<details class="cite">') == len(six_states)
    assert 'id="cite-kazakhstan"' in page
    assert "Kazakhstan: In force by 23 November 2023, as of 31 December 2023." in page


def test_pages_announce_their_atom_feeds(client, ratification, six_states):
    matrix = client.get("/").content.decode()
    instrument = client.get(ratification.instrument.get_absolute_url()).content.decode()
    state = client.get(six_states["KAZ"].get_absolute_url()).content.decode()

    feed_link = '<link rel="alternate" type="application/atom+xml"'
    assert f'{feed_link} title="New and changed events" href="/feeds/events.atom">' in matrix
    assert 'href="/feeds/instruments/status-of-forces.atom"' in instrument
    assert 'href="/feeds/states/kazakhstan.atom"' in state

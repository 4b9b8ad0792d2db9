import datetime
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.builders import make_event, make_instrument, make_source
from tracker.models import Event, MemberState

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "updated": entry.findtext(f"{ATOM}updated"),
            "summary": entry.findtext(f"{ATOM}summary"),
        }
        for entry in feed.iter(f"{ATOM}entry")
    ]


@pytest.fixture
def treaty(six_states):
    instrument = make_instrument(title="Treaty on collective security", short_title="Treaty", slug="treaty")
    source = make_source(
        title="Address in Minsk",
        date=datetime.date(2023, 11, 23),
        text="Armenia has ratified the Treaty. Belarus signed it long ago.",
    )
    ratified = make_event(instrument=instrument, state=six_states["ARM"], source=source)
    signed = make_event(
        instrument=instrument,
        state=six_states["BLR"],
        source=source,
        type=Event.Type.SIGNED,
        quote="Belarus signed it long ago",
        inferred=True,
    )
    return {"instrument": instrument, "ratified": ratified, "signed": signed, "states": six_states}


def test_a_new_event_is_in_the_feed_at_the_next_poll(client, treaty):
    before = entries(client.get("/feeds/events.atom"))

    new = make_event(instrument=make_instrument(), state=treaty["states"]["KAZ"])

    after = entries(client.get("/feeds/events.atom"))
    assert len(after) == len(before) + 1
    assert after[0]["link"] == f"http://testserver/events/{new.pk}/"


def test_an_entry_has_its_title_quote_source_link_and_updated_date(client, treaty):
    event = treaty["ratified"]

    entry = next(e for e in entries(client.get("/feeds/events.atom")) if e["link"].endswith(f"/events/{event.pk}/"))

    assert entry["title"] == str(event)
    assert "Armenia has ratified the Treaty" in entry["summary"]
    assert "Source: Address in Minsk, Secretary General, 23 November 2023." in entry["summary"]
    assert datetime.datetime.fromisoformat(entry["updated"]) == event.updated_at


def test_an_inferred_event_says_so(client, treaty):
    summaries = {e["link"]: e["summary"] for e in entries(client.get("/feeds/events.atom"))}

    assert "Inferred." in summaries[f"http://testserver/events/{treaty['signed'].pk}/"]
    assert "Inferred." not in summaries[f"http://testserver/events/{treaty['ratified'].pk}/"]


def test_a_changed_event_moves_to_the_top(client, treaty):
    assert entries(client.get("/feeds/events.atom"))[0]["link"].endswith(f"/events/{treaty['signed'].pk}/")

    treaty["ratified"].note = "Corrected after a second reading."
    treaty["ratified"].save()

    assert entries(client.get("/feeds/events.atom"))[0]["link"].endswith(f"/events/{treaty['ratified'].pk}/")


def test_the_instrument_feed_has_only_that_instruments_events(client, treaty):
    make_event(instrument=make_instrument(), state=treaty["states"]["ARM"])

    links = [e["link"] for e in entries(client.get("/feeds/instruments/treaty.atom"))]

    assert sorted(links) == sorted(f"http://testserver/events/{treaty[key].pk}/" for key in ("ratified", "signed"))


def test_the_state_feed_has_only_that_states_events(client, treaty):
    other = make_event(instrument=make_instrument(), state=treaty["states"]["ARM"])

    links = [e["link"] for e in entries(client.get("/feeds/states/armenia.atom"))]

    assert links == [f"http://testserver/events/{pk}/" for pk in (other.pk, treaty["ratified"].pk)]


def test_a_feed_of_an_unknown_instrument_or_state_is_a_404(client, treaty):
    assert client.get("/feeds/instruments/atlantis.atom").status_code == 404
    assert client.get("/feeds/states/atlantis.atom").status_code == 404


def test_the_feed_links_to_itself_and_to_the_page_it_follows(client, treaty):
    feed = ET.fromstring(client.get("/feeds/states/armenia.atom").content)

    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["self"] == "http://testserver/feeds/states/armenia.atom"
    assert links["alternate"] == "http://testserver/states/armenia/"


# --- In Russian (issue 15) ---


def test_the_russian_feed_is_in_russian_and_links_to_russian_pages(client, treaty):
    MemberState.objects.filter(iso3="ARM").update(name_ru="Армения")
    response = client.get("/ru/feeds/states/armenia.atom")

    feed = ET.fromstring(response.content)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "ru"
    assert feed.findtext(f"{ATOM}title") == "Ратификации документов ОДКБ: события — Армения"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["self"] == "http://testserver/ru/feeds/states/armenia.atom"
    assert links["alternate"] == "http://testserver/ru/states/armenia/"
    entry = entries(response)[0]
    assert entry["link"] == f"http://testserver/ru/events/{treaty['ratified'].pk}/"
    assert "Армения" in entry["title"]
    assert "Источник: Address in Minsk, Secretary General, 23 ноября 2023 г." in entry["summary"]


def test_the_english_feed_stays_english_at_its_published_address(client, treaty):
    feed = ET.fromstring(client.get("/feeds/events.atom").content)

    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert feed.findtext(f"{ATOM}title") == "CSTO ratification tracker: new and changed events"


def test_entries_are_dated_by_the_events_own_record_not_by_the_load(client, transactional_db):
    call_command("load_record", verbosity=0)

    updated = {entry["updated"] for entry in entries(client.get("/ru/feeds/events.atom"))}

    # The curated record's events were last changed when they were curated, as the fixtures say.
    recorded = {event.updated_at for event in Event.objects.all()}
    assert {datetime.datetime.fromisoformat(value) for value in updated} <= recorded
    curated = {
        datetime.datetime.fromisoformat(row["fields"]["updated_at"])
        for row in json.loads(Path(settings.BASE_DIR, "fixtures", "events.json").read_text())
    }
    assert recorded == curated

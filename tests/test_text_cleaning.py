"""Text at the door (issue 17, item 1): what XML cannot carry is cleaned on every way in and escaped on the way out."""

import datetime
import io
import xml.etree.ElementTree as ET

import openpyxl
import pytest
import tablib
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.builders import make_event, make_instrument, make_source
from tracker.models import Event, Instrument, SourceDocument
from tracker.resources import EventResource
from tracker.text_cleaning import clean_text

# Word's line break, a PDF's page break, NUL and a terminal escape: each once took /feeds/events.atom down.
WORD_TEXT = "Ratified by\x0bArmenia.\x0cNext page\x00 and an \x1b[31mescape."


def test_breaks_become_line_breaks_and_other_uncarriable_characters_are_dropped():
    assert clean_text(WORD_TEXT) == "Ratified by\nArmenia.\nNext page and an [31mescape."


def test_tabs_line_breaks_and_ordinary_unicode_are_kept():
    text = "Армения\tратифицировала\r\nдоговор 🇦🇲 \u2028 «ОДКБ»"
    assert clean_text(text) == text


def test_lone_surrogates_and_non_characters_are_dropped():
    assert clean_text("a\ud800b\uffffc\ufffe") == "abc"


@pytest.fixture
def stored_word_text(six_states):
    """An event whose texts hold uncarriable characters, written past the door as older records were."""
    instrument = make_instrument(title="Treaty", slug="treaty")
    source = make_source(slug="speech", text="Ratified by Armenia.")
    event = make_event(instrument=instrument, state=six_states["ARM"], source=source, quote="Ratified by Armenia")
    # PostgreSQL cannot store a NUL at all; SOH stands in for it.
    stored = WORD_TEXT.replace("\x00", "\x01")
    Event.objects.filter(pk=event.pk).update(quote=stored, note=stored, place="Minsk\x0c")
    SourceDocument.objects.filter(pk=source.pk).update(title="Speech\x1b", speaker="Secretary\x01 General")
    Instrument.objects.filter(pk=instrument.pk).update(title="Treaty\x0b on security", short_title="Treaty\x0b")
    return event


@pytest.mark.parametrize("path", ["/feeds/events.atom", "/feeds/instruments/treaty.atom", "/feeds/states/armenia.atom"])
def test_feeds_answer_with_well_formed_xml_when_stored_text_holds_control_characters(client, stored_word_text, path):
    response = client.get(path)

    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    summary = feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}summary").text
    assert "Ratified by\nArmenia." in summary


def test_the_admin_xlsx_export_writes_text_that_held_control_characters(admin_client, stored_word_text):
    fields = {f"eventresource_{name}": "on" for name in EventResource._meta.fields}
    response = admin_client.post(reverse("admin:tracker_event_export"), {"format": "1", "resource": "0"} | fields)

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    quotes = [row[6] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert quotes == ["Ratified by\nArmenia.\nNext page and an [31mescape."]


@pytest.fixture
def word_source(six_states):
    instrument = make_instrument(title="Treaty", slug="treaty")
    source = make_source(slug="speech", date=datetime.date(2024, 5, 20), text="Ratified by\nArmenia.")
    return instrument, source


def test_the_admin_form_saves_pasted_text_cleaned_and_accepts_a_nul_as_the_importer_does(admin_client, word_source):
    instrument, source = word_source
    response = admin_client.post(
        reverse("admin:tracker_event_add"),
        {
            "instrument": instrument.pk,
            "state": Event._meta.get_field("state").related_model.objects.get(iso3="ARM").pk,
            "type": "ratified",
            "date": "2024-05-20",
            "precision": "on_or_before",
            "source": source.pk,
            "quote": "Ratified by\x0bArmenia.",
            "note": "From\x00 Word\x1b",
            "place": "",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get()
    assert (event.quote, event.note) == ("Ratified by\nArmenia.", "From Word")


def test_the_admin_form_of_a_source_cleans_its_text_and_title(admin_client, db):
    response = admin_client.post(
        reverse("admin:tracker_sourcedocument_add"),
        {
            "title": "Page\x0c two",
            "slug": "page-two",
            "kind": "speech",
            "date": "2024-05-20",
            "speaker": "",
            "place": "",
            "url": "",
            "text": "First page.\x0cSecond page.",
        },
    )

    assert response.status_code == 302
    source = SourceDocument.objects.get()
    assert (source.title, source.text) == ("Page\n two", "First page.\nSecond page.")


def test_the_importer_stores_text_cleaned_so_a_quote_from_word_matches_its_source(db, word_source):
    headers = ["instrument", "state", "type", "date", "precision", "source", "quote", "note"]
    row = ["treaty", "ARM", "ratified", "2024-05-20", "on_or_before", "speech", "Ratified by\x0bArmenia.", "a\x00b"]

    result = EventResource().import_data(tablib.Dataset(row, headers=headers), dry_run=False)

    assert not result.has_validation_errors() and not result.has_errors()
    event = Event.objects.get()
    assert (event.quote, event.note) == ("Ratified by\nArmenia.", "ab")


def test_the_admin_importer_accepts_a_nul_in_a_csv_file_and_stores_it_cleaned(admin_client, word_source):
    content = (
        "instrument,state,type,date,precision,source,quote\n"
        "treaty,ARM,ratified,2024-05-20,on_or_before,speech,Ratified by\x00 Armenia.\n"
    )
    upload = SimpleUploadedFile("events.csv", content.encode(), content_type="text/csv")
    preview = admin_client.post(reverse("admin:tracker_event_import"), {"format": "0", "import_file": upload})
    assert preview.context["confirm_form"] is not None

    admin_client.post(reverse("admin:tracker_event_process_import"), preview.context["confirm_form"].initial)

    assert Event.objects.get().quote == "Ratified by Armenia."


def test_the_proposer_saves_a_pasted_speech_cleaned(client, six_states):
    make_instrument(title="Protocol on the peacekeeping forces", short_title="Protocol", slug="protocol")
    client.force_login(User.objects.create_superuser("chief", "chief@example.org", "pw"))
    fields = {
        "title": "Address\x0b in Minsk",
        "kind": "speech",
        "date": "2024-05-20",
        "speaker": "",
        "place": "",
        "url": "",
        "text": "The Protocol on the peacekeeping forces has been ratified by Armenia.\x0cNext page\x00.",
    }
    review = client.post(reverse("propose_events"), fields | {"propose": "1"})
    formset = review.context["formset"]
    rows = {
        "proposals-TOTAL_FORMS": "1",
        "proposals-INITIAL_FORMS": "0",
        "proposals-MIN_NUM_FORMS": "0",
        "proposals-MAX_NUM_FORMS": "1000",
    }
    first = formset.forms[0].initial
    rows |= {
        "proposals-0-selected": "on",
        "proposals-0-instrument": first["instrument"].pk,
        "proposals-0-state": first["state"].pk,
        "proposals-0-type": first["type"],
        "proposals-0-date": str(first["date"]),
        "proposals-0-precision": first["precision"],
        "proposals-0-quote": first["quote"] + "\x1b",
    }

    response = client.post(reverse("propose_events"), fields | {"save": "1"} | rows)

    assert response.status_code == 302
    source = SourceDocument.objects.get()
    assert source.title == "Address\n in Minsk"
    assert "\x0c" not in source.text and "\x00" not in source.text
    assert "\x1b" not in Event.objects.get().quote

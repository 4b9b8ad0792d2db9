"""Hostile text at every door (issue 17): the text fields of every model, through the admin, the importer,
restore and the proposer. Whatever is pasted is refused with a message or stored clean, and the feeds
and the XLSX export keep answering.
"""

import io
import json
import xml.etree.ElementTree as ET
from io import StringIO

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.builders import make_event, make_instrument, make_source
from tests.test_fuzz import FUZZ, empty_the_record
from tracker.models import RECORD_MODELS, Event, Instrument, InstrumentAlias, MemberState, SourceDocument, StateActor
from tracker.resources import EventResource
from tracker.text_cleaning import clean_text, is_text_field

# What Word, PDFs, terminals and hand-made files bring: every character XML 1.0 cannot carry, and some it can.
AWKWARD = "\x00\x01\x08\x0b\x0c\x0e\x1b\x1f\x7f\x85\u2028\u202e\ufeff\ufffe\uffff\t\r\n<>&\"'"
hostile_text = st.text(st.one_of(st.characters(exclude_categories=["Cs"]), st.sampled_from(AWKWARD)), max_size=40)
# JSON can carry lone surrogate halves too ("\ud800"), which no browser form sends.
hostile_json_text = st.text(st.one_of(st.characters(), st.sampled_from(AWKWARD + "\ud800\udfff")), max_size=40)


def text_fields(model) -> list[str]:
    return [field.name for field in model._meta.concrete_fields if is_text_field(field)]


def assert_every_text_is_clean():
    for model in RECORD_MODELS:
        for values in model._default_manager.values_list(*text_fields(model)):
            for value in values:
                assert clean_text(value) == value, (model, value)


def assert_outputs_answer(client):
    for path in ["/feeds/events.atom", "/feeds/instruments/treaty.atom", "/feeds/states/armenia.atom"]:
        response = client.get(path)
        assert response.status_code == 200, path
        ET.fromstring(response.content)
    fields = {f"eventresource_{name}": "on" for name in EventResource._meta.fields}
    export = client.post(reverse("admin:tracker_event_export"), {"format": "1", "resource": "0"} | fields)
    assert export.status_code == 200
    openpyxl.load_workbook(io.BytesIO(export.content))


@pytest.fixture
def small_record(six_states):
    treaty = make_instrument(title="Treaty", slug="treaty")
    source = make_source(slug="speech", text="Armenia has ratified the Treaty.")
    make_event(instrument=treaty, state=six_states["ARM"], source=source, quote="Armenia has ratified the Treaty")
    return {"treaty": treaty, "source": source, "states": six_states}


def no_inline_rows(*prefixes) -> dict:
    return {f"{prefix}-{count}": "0" for prefix in prefixes for count in ("TOTAL_FORMS", "INITIAL_FORMS")}


def one_inline_row(prefix: str, row: dict) -> dict:
    return {f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0"} | {
        f"{prefix}-0-{name}": value for name, value in row.items()
    }


def admin_add_data(model, record, name: str | None = None, text: str = "") -> tuple[type, dict]:
    """The admin add page that edits ``model`` and a valid form for it, with ``text`` in field ``name`` if given.

    Aliases and state actors have no page of their own: they are rows of their instrument's or state's page.
    """
    hostile = {name: text} if name else {}
    state = {"name": "Uzbekistan", "official_name": "Republic of Uzbekistan", "iso3": "UZB", "slug": "uzbekistan"}
    instrument = {
        "title": "Agreement on transit",
        "short_title": "Transit",
        "slug": "transit",
        "kind": "agreement",
        "needs_ratification": "on",
    }
    if model is MemberState:
        return MemberState, state | no_inline_rows("actors") | hostile
    if model is StateActor:
        actor = {"kind": "parliament", "name": "Oliy Majlis", "language": "en"} | hostile
        return MemberState, state | one_inline_row("actors", actor)
    if model is Instrument:
        return Instrument, instrument | no_inline_rows("alias_set", "events") | hostile
    if model is InstrumentAlias:
        alias = {"language": "en", "text": "Transit Agreement"} | hostile
        return Instrument, instrument | no_inline_rows("events") | one_inline_row("alias_set", alias)
    if model is SourceDocument:
        source = {"title": "Speech", "slug": "new-speech", "kind": "speech", "date": "2024-05-20", "text": "Ratified."}
        return SourceDocument, source | hostile
    event = {
        "instrument": record["treaty"].pk,
        "state": record["states"]["BLR"].pk,
        "type": "ratified",
        "date": "2023-05-18",
        "precision": "on_or_before",
        "source": record["source"].pk,
        "quote": "Belarus too",
        "is_paraphrase": "on",
    }
    return Event, event | hostile


ADMIN_DOORS = [(model, name) for model in RECORD_MODELS for name in text_fields(model)]


@FUZZ
@given(door=st.sampled_from(ADMIN_DOORS), text=hostile_text)
def test_the_admin_stores_any_pasted_text_clean_or_refuses_it_with_a_message(admin_client, small_record, door, text):
    model, name = door
    page, data = admin_add_data(model, small_record, name, text)
    with transaction.atomic():
        response = admin_client.post(reverse(f"admin:tracker_{page._meta.model_name}_add"), data)

        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert response.context["adminform"].form.errors or response.context["errors"]
        assert_every_text_is_clean()
        assert_outputs_answer(admin_client)
        transaction.set_rollback(True)


def test_each_admin_door_saves_its_form_when_the_text_is_ordinary(admin_client, small_record):
    # Without this, a form the admin refuses for another reason (a missing inline's management form) would pass
    # the test above without any text ever being stored.
    for model in RECORD_MODELS:
        page, data = admin_add_data(model, small_record)
        before = model._default_manager.count()
        with transaction.atomic():
            response = admin_client.post(reverse(f"admin:tracker_{page._meta.model_name}_add"), data)

            assert response.status_code == 302, (model, response.context and response.context["errors"])
            assert model._default_manager.count() == before + 1, model
            transaction.set_rollback(True)


@FUZZ
@given(column=st.sampled_from(["quote", "place", "note", "instrument", "state", "source"]), text=hostile_text)
def test_the_importer_stores_any_text_of_a_file_clean_or_refuses_the_row(admin_client, small_record, column, text):
    row = {
        "instrument": "treaty",
        "state": "BLR",
        "type": "ratified",
        "date": "2023-05-18",
        "precision": "on_or_before",
        "source": "speech",
        "quote": "Belarus too",
        "is_paraphrase": "1",
        "place": "",
        "note": "",
    } | {column: text}
    content = tablib.Dataset(list(row.values()), headers=list(row)).export("csv").encode("utf-8")
    with transaction.atomic():
        upload = SimpleUploadedFile("events.csv", content, content_type="text/csv")
        preview = admin_client.post(reverse("admin:tracker_event_import"), {"format": "0", "import_file": upload})
        assert preview.status_code == 200
        confirm_form = preview.context.get("confirm_form")
        if confirm_form is not None:
            confirm = admin_client.post(reverse("admin:tracker_event_process_import"), confirm_form.initial)
            assert confirm.status_code == 302
            assert Event.objects.count() == 2
        assert_every_text_is_clean()
        assert_outputs_answer(admin_client)
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def small_backup(django_db_setup, django_db_blocker, tmp_path_factory):
    path = tmp_path_factory.mktemp("backup") / "backup.json"
    with django_db_blocker.unblock(), transaction.atomic():
        from tests.builders import make_six_states

        states = make_six_states()
        treaty = make_instrument(title="Treaty", slug="treaty", note="A note.")
        source = make_source(slug="speech", text="Armenia has ratified the Treaty.", speaker="Secretary General")
        make_event(instrument=treaty, state=states["ARM"], source=source, quote="Armenia has ratified the Treaty")
        call_command("backup_record", str(path), stdout=StringIO())
        transaction.set_rollback(True)
    return json.loads(path.read_text())


RESTORE_DOORS = [(model._meta.label_lower, name) for model in RECORD_MODELS for name in text_fields(model)]


@FUZZ
@given(door=st.sampled_from(RESTORE_DOORS), text=hostile_json_text)
def test_restore_stores_any_text_of_a_backup_clean_or_refuses_the_file(db, client, small_backup, tmp_path, door, text):
    label, name = door
    rows = json.loads(json.dumps(small_backup))
    for row in rows:
        if row["model"] == label:
            row["fields"][name] = text
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(rows))
    empty_the_record()

    try:
        call_command("restore_record", str(path), stdout=StringIO())
    except CommandError as error:
        assert "could not be restored" in str(error) or "not a" in str(error)
        assert not Event.objects.exists()
    else:
        assert_every_text_is_clean()
        # A slug the backup changed keeps its old address as a redirect (the audit trail knows it, issue 17).
        for path_ in ["/feeds/events.atom", "/feeds/instruments/treaty.atom"]:
            assert client.get(path_, follow=True).status_code in (200, 404)
    empty_the_record()


@FUZZ
@given(name=st.sampled_from(["title", "speaker", "place", "text", "quote"]), text=hostile_text)
def test_the_proposer_stores_any_pasted_speech_clean_or_refuses_it(admin_client, small_record, name, text):
    source = {
        "title": "Address",
        "kind": "speech",
        "date": "2024-05-20",
        "speaker": "",
        "place": "",
        "url": "",
        "text": "The Treaty has been ratified by Belarus.",
    }
    rows = {
        "proposals-TOTAL_FORMS": "1",
        "proposals-INITIAL_FORMS": "0",
        "proposals-0-selected": "on",
        "proposals-0-instrument": small_record["treaty"].pk,
        "proposals-0-state": small_record["states"]["BLR"].pk,
        "proposals-0-type": "ratified",
        "proposals-0-date": "2024-05-20",
        "proposals-0-precision": "on_or_before",
        "proposals-0-quote": "ratified by Belarus",
    }
    if name == "quote":
        rows["proposals-0-quote"] = text
    else:
        source[name] = text
    with transaction.atomic():
        response = admin_client.post(reverse("propose_events"), source | rows | {"save": "1"})

        assert response.status_code in (200, 302)
        assert_every_text_is_clean()
        assert_outputs_answer(admin_client)
        transaction.set_rollback(True)

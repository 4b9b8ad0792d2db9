"""Bulk import and export of events in the admin (issue 5): natural keys, line numbers, all or nothing."""

import datetime
import io

import pytest
import tablib
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.builders import make_event
from tracker.models import Event, SpanStamp, StatusSpan
from tracker.resources import EventResource
from tracker.status import Status, status_matrix

HEADERS = ["instrument", "state", "type", "date", "precision", "source", "quote", "is_paraphrase", "inferred"]
GOOD_ROWS = [
    ["protocol", "ARM", "ratified", "2024-05-20", "on_or_before", "speech", "ratified by Armenia", "", ""],
    ["protocol", "blr", "ratified", "2024-05-20", "on_or_before", "speech", "Belarus ratified it too.", "0", "0"],
]
BAD_QUOTE_ROW = [
    "protocol",
    "KAZ",
    "ratified",
    "2024-05-20",
    "on_or_before",
    "speech",
    "Kazakhstan ratified it.",
    "",
    "",
]


@pytest.fixture
def record(import_record):
    return import_record


@pytest.fixture
def editor(import_editor):
    return import_editor


def csv_file(*rows, headers=HEADERS):
    dataset = tablib.Dataset(*rows, headers=headers)
    return SimpleUploadedFile("events.csv", dataset.export("csv").encode(), content_type="text/csv")


def post_import(client, upload, file_format="0"):
    return client.post(reverse("admin:tracker_event_import"), {"import_file": upload, "format": file_format})


def test_a_good_file_is_previewed_in_a_dry_run_and_written_only_on_confirmation(client, editor, record):
    client.force_login(editor)
    preview = post_import(client, csv_file(*GOOD_ROWS))
    assert preview.status_code == 200
    assert preview.context["result"].totals["new"] == 2
    assert Event.objects.count() == 0

    confirm = preview.context["confirm_form"]
    response = client.post(reverse("admin:tracker_event_process_import"), confirm.initial)
    assert response.status_code == 302
    imported = Event.objects.order_by("state__iso3")
    assert [(event.state.iso3, event.source.slug, event.date) for event in imported] == [
        ("ARM", "speech", datetime.date(2024, 5, 20)),
        ("BLR", "speech", datetime.date(2024, 5, 20)),
    ]
    assert imported[0].history.first().history_user == editor


def confirm_import(client, upload):
    preview = post_import(client, upload)
    response = client.post(reverse("admin:tracker_event_process_import"), preview.context["confirm_form"].initial)
    assert response.status_code == 302
    return response


def test_an_import_rewrites_the_spans_so_the_pages_read_the_imported_statuses_from_them(client, editor, record):
    # Bulk writes send no post_save: the spans stayed behind the record, and every page folded the events again,
    # until someone ran rebuild_status_spans (issue 18).
    client.force_login(editor)
    confirm_import(client, csv_file(*GOOD_ROWS))
    assert SpanStamp.is_current()
    matrix = status_matrix(as_of=datetime.date(2024, 12, 31), instruments=[record["instrument"]])
    assert matrix.spans is not None
    assert matrix.status(record["instrument"], record["states"]["ARM"]).code == Status.RATIFIED
    april = status_matrix(as_of=datetime.date(2024, 4, 1), instruments=[record["instrument"]])
    assert april.status(record["instrument"], record["states"]["ARM"]).code == Status.NO_RECORD

    # An update: Armenia's ratification dated to the day, 1 March, holds from then rather than from the speech.
    armenia = Event.objects.get(state__iso3="ARM")
    dated = [*GOOD_ROWS[0][:3], "2024-03-01", "day", *GOOD_ROWS[0][5:], str(armenia.version)]
    confirm_import(client, csv_file(dated, headers=[*HEADERS, "version"]))

    assert SpanStamp.is_current()
    matrix = status_matrix(as_of=datetime.date(2024, 4, 1), instruments=[record["instrument"]])
    assert matrix.spans is not None
    assert matrix.status(record["instrument"], record["states"]["ARM"]).code == Status.RATIFIED
    assert StatusSpan.objects.filter(instrument=record["instrument"], state=record["states"]["BLR"]).exists()


def test_the_dry_run_reports_a_bad_row_with_its_line_number_and_offers_no_confirmation(client, editor, record):
    client.force_login(editor)
    response = post_import(client, csv_file(*GOOD_ROWS, BAD_QUOTE_ROW))
    page = response.content.decode()
    assert [row.number for row in response.context["result"].invalid_rows] == [3]
    assert "Line 4 of the file (data row 3)." in page
    assert "This quote does not appear in the source" in page
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert Event.objects.count() == 0


def test_an_unknown_instrument_slug_or_state_code_is_reported_on_its_cell(db, record):
    dataset = tablib.Dataset(
        GOOD_ROWS[0],
        ["no-such-protocol", "BLR", "ratified", "2024-05-20", "on_or_before", "speech", "Belarus ratified it", "", ""],
        ["protocol", "XYZ", "ratified", "2024-05-20", "on_or_before", "speech", "Belarus ratified it", "", ""],
        headers=HEADERS,
    )
    result = EventResource().import_data(dataset, dry_run=True)
    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert errors[2]["instrument"] == ["No instrument with slug “no-such-protocol” in the record."]
    assert errors[3]["state"] == ["No member state with ISO code “XYZ” in the record."]
    assert not result.has_errors()


def test_a_file_with_one_bad_row_leaves_the_record_unchanged(db, record):
    existing = make_event(
        instrument=record["instrument"], state=record["states"]["ARM"], source=record["source"], quote="Armenia"
    )
    changed_existing = ["protocol", "ARM", "ratified", "2024-05-01", "on_or_before", "speech", "Armenia", "", ""]
    dataset = tablib.Dataset(changed_existing, GOOD_ROWS[1], BAD_QUOTE_ROW, headers=HEADERS)

    result = EventResource().import_data(dataset, dry_run=False)

    assert result.has_validation_errors()
    assert list(Event.objects.all()) == [existing]
    existing.refresh_from_db()
    assert existing.date == datetime.date(2024, 5, 20)
    assert existing.history.count() == 1


def test_two_rows_for_the_same_event_in_one_file_are_refused_rather_than_the_last_winning(db, record):
    second = GOOD_ROWS[0][:7] + ["", "1"]
    dataset = tablib.Dataset(GOOD_ROWS[0], GOOD_ROWS[1], second, headers=HEADERS)

    result = EventResource().import_data(dataset, dry_run=False)

    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert list(errors) == [3]
    assert (
        "This row names the same event as line 2 (same instrument, state, type and source)" in errors[3]["__all__"][1]
    )
    assert Event.objects.count() == 0


def test_importing_a_file_twice_updates_the_events_instead_of_duplicating_them(db, record):
    EventResource().import_data(tablib.Dataset(*GOOD_ROWS, headers=HEADERS), dry_run=False)
    again = [row[:] + ["1"] for row in GOOD_ROWS]
    again[1][8] = "1"
    result = EventResource().import_data(tablib.Dataset(*again, headers=[*HEADERS, "version"]), dry_run=False)
    assert result.totals["update"] == 1 and result.totals["skip"] == 1
    assert Event.objects.count() == 2
    updated = Event.objects.get(state__iso3="BLR")
    assert updated.inferred and updated.version == 2
    assert updated.history.count() == 2


def test_an_instrument_level_event_is_imported_with_an_empty_state(db, record):
    row = ["protocol", "", "signed", "2024-05-20", "on_or_before", "speech", "The Protocol", "", ""]
    result = EventResource().import_data(tablib.Dataset(row, headers=HEADERS), dry_run=False)
    assert not result.has_validation_errors()
    assert Event.objects.get().state is None


def test_an_xlsx_file_imports_like_a_csv(client, editor, record):
    dataset = tablib.Dataset(*GOOD_ROWS, headers=HEADERS)
    upload = SimpleUploadedFile("events.xlsx", dataset.export("xlsx"))
    client.force_login(editor)
    preview = post_import(client, upload, file_format="1")
    assert preview.context["result"].totals["new"] == 2
    assert not preview.context["result"].has_validation_errors()


def test_the_export_writes_natural_keys_that_import_back(client, editor, record):
    make_event(instrument=record["instrument"], state=record["states"]["BLR"], source=record["source"], quote="Belarus")
    client.force_login(editor)
    response = client.post(reverse("admin:tracker_event_export"), {"format": "0", "resource": "0"} | _all_fields())
    assert response.status_code == 200
    exported = tablib.Dataset().load(io.StringIO(response.content.decode()), format="csv")
    assert exported.dict[0]["instrument"] == "protocol"
    assert exported.dict[0]["state"] == "BLR"
    assert exported.dict[0]["source"] == "speech"
    result = EventResource().import_data(exported, dry_run=True)
    assert result.totals["skip"] == 1 and not result.has_validation_errors()


def test_a_viewer_may_export_but_not_import(client, record):
    viewer = User.objects.create_user("viewer", password="a-long-test-password", is_staff=True)
    viewer.groups.add(Group.objects.get(name="Viewers"))
    client.force_login(viewer)
    assert client.get(reverse("admin:tracker_event_import")).status_code == 403
    assert post_import(client, csv_file(*GOOD_ROWS)).status_code == 403
    assert client.get(reverse("admin:tracker_event_export")).status_code == 200
    assert Event.objects.count() == 0


def _all_fields():
    return {f"eventresource_{name}": "on" for name in EventResource._meta.fields}


def test_a_file_without_the_needed_columns_is_refused_with_their_names_and_no_traceback(client, editor, record):
    client.force_login(editor)
    upload = csv_file(["protocol", "Armenia"], headers=["instrument", "quote"])
    response = post_import(client, upload)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The file has no column state, type, date, precision, source." in page
    assert "Traceback" not in page
    assert Event.objects.count() == 0

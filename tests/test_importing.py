"""The admin's import (issue 17): a confirm that reports the truth, stale updates, the upload folder, size limits."""

import os
import tempfile
import time
import zipfile
from io import BytesIO

import pytest
import tablib
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.builders import make_event
from tracker.importing import remove_abandoned_uploads, upload_folder
from tracker.models import Event, SourceDocument

HEADERS = ["instrument", "state", "type", "date", "precision", "source", "quote"]
ROWS = [
    ["protocol", "ARM", "ratified", "2024-05-20", "on_or_before", "speech", "ratified by Armenia"],
    ["protocol", "BLR", "ratified", "2024-05-20", "on_or_before", "speech", "Belarus ratified it too."],
]


@pytest.fixture
def record(import_record):
    return import_record


@pytest.fixture
def logged_in(client, import_editor):
    client.force_login(import_editor)


def csv_upload(rows, headers=HEADERS):
    return SimpleUploadedFile("events.csv", tablib.Dataset(*rows, headers=headers).export("csv").encode())


def preview(client, upload, file_format="0"):
    return client.post(reverse("admin:tracker_event_import"), {"import_file": upload, "format": file_format})


def confirm(client, response, **changes):
    return client.post(
        reverse("admin:tracker_event_process_import"), response.context["confirm_form"].initial | changes
    )


def page_messages(response):
    return [str(message) for message in response.context["messages"]]


def uploads():
    return sorted(path.name for path in upload_folder().iterdir())


@pytest.fixture
def system_temp(tmp_path, monkeypatch):
    """The system temp folder, made the test's own: django-import-export kept uploads there."""
    folder = tmp_path / "system-temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


# --- The confirm reports what it saved, or saves nothing (item 2) ---


def test_a_confirm_says_exactly_how_many_events_it_saved(client, logged_in, record):
    response = confirm(client, preview(client, csv_upload(ROWS)))

    assert response.status_code == 302
    assert page_messages(client.get(response["Location"])) == [
        "Imported: 2 new events, 0 updated, 0 already recorded as they are."
    ]
    assert Event.objects.count() == 2


def test_a_confirm_after_the_source_changed_saves_nothing_and_says_why_instead_of_finished(client, logged_in, record):
    previewed = preview(client, csv_upload(ROWS))
    assert previewed.context["confirm_form"] is not None
    # Another editor corrects the source meanwhile: the second row's quote is no longer in it.
    SourceDocument.objects.filter(pk=record["source"].pk).update(text="The Protocol has been ratified by Armenia.")

    response = confirm(client, previewed)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was imported: the record is unchanged." in page
    assert "This quote does not appear in the source" in page
    assert "Import finished" not in page
    assert Event.objects.count() == 0


# --- Stale updates (item 3) ---


def test_an_update_from_a_file_exported_before_a_colleagues_correction_is_refused_naming_what_changed(
    client, logged_in, record
):
    event = make_event(
        instrument=record["instrument"], state=record["states"]["ARM"], source=record["source"], quote="Armenia"
    )
    exported_version = event.version
    # A colleague corrects the note in the admin after the export.
    colleague = User.objects.create_superuser("anna", password="another-long-password")
    event.history.filter(version=exported_version).update(history_user=colleague)
    event.note = "Checked with the ministry."
    event.save()
    event.history.filter(version=event.version).update(history_user=colleague)
    row = [*ROWS[0][:6], "Armenia", "An older note.", str(exported_version)]

    response = preview(client, csv_upload([row], headers=[*HEADERS, "note", "version"]))

    assert response.context.get("confirm_form") is None
    page = response.content.decode()
    assert "your copy is version 1, the saved one is version 2" in page
    assert "They changed: note (anna)." in page
    event.refresh_from_db()
    assert event.note == "Checked with the ministry."


def test_an_update_row_without_the_version_is_refused(client, logged_in, record):
    make_event(instrument=record["instrument"], state=record["states"]["ARM"], source=record["source"], quote="Armenia")
    row = [*ROWS[0][:6], "Armenia", "A new note."]

    response = preview(client, csv_upload([row], headers=[*HEADERS, "note"]))

    assert response.context.get("confirm_form") is None
    assert "This event is already recorded (version 1) and this row changes it" in response.content.decode()


def test_a_colleagues_save_between_preview_and_confirm_refuses_the_confirm(client, logged_in, record):
    event = make_event(
        instrument=record["instrument"], state=record["states"]["ARM"], source=record["source"], quote="Armenia"
    )
    row = [*ROWS[0][:6], "Armenia", "From the file.", "1"]
    previewed = preview(client, csv_upload([row], headers=[*HEADERS, "note", "version"]))
    assert previewed.context["confirm_form"] is not None
    event.note = "From a colleague."
    event.save()

    response = confirm(client, previewed)

    assert "Nothing was imported" in response.content.decode()
    event.refresh_from_db()
    assert event.note == "From a colleague."


# --- The upload folder (item 5) ---


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "/etc/passwd", "victim.txt", "0" * 31 + "g", "", "x" * 5000, "a\x00b", "%2e%2e"]
)
def test_a_confirm_naming_a_file_the_import_did_not_create_is_refused_and_the_file_kept(
    client, logged_in, record, name
):
    with tempfile.NamedTemporaryFile(dir=tempfile.gettempdir(), prefix="victim-", delete=False) as victim:
        victim.write(b"instrument,state,type,date,precision,source,quote\n")
    previewed = preview(client, csv_upload(ROWS))
    target = name if name != "victim.txt" else os.path.basename(victim.name)

    response = confirm(client, previewed, import_file_name=target)

    assert response.status_code == 200
    assert list(response.context["errors"]) == ["import_file_name"]
    assert os.path.exists(victim.name)
    assert Event.objects.count() == 0
    os.unlink(victim.name)


def test_a_confirm_naming_an_upload_no_longer_there_says_to_upload_again(client, logged_in, record):
    previewed = preview(client, csv_upload(ROWS))
    (upload_folder() / previewed.context["confirm_form"].initial["import_file_name"]).unlink()

    response = confirm(client, previewed)

    assert "This import’s upload is not there any more (or never was): upload the file again." in (
        response.content.decode().replace("&#x27;", "’")
    )


def test_a_tampered_format_is_refused_with_a_message(client, logged_in, record):
    response = confirm(client, preview(client, csv_upload(ROWS)), format="7")

    assert response.status_code == 200
    assert "Unknown file format" in response.content.decode()


def test_uploads_are_kept_in_the_import_folder_and_removed_once_confirmed(client, logged_in, record):
    previewed = preview(client, csv_upload(ROWS))
    assert uploads() == [previewed.context["confirm_form"].initial["import_file_name"]]

    confirm(client, previewed)

    assert uploads() == []


def test_a_refused_preview_leaves_no_upload_behind(client, logged_in, record, system_temp):
    bad = [[*ROWS[0][:6], "Not in the source."]]

    response = preview(client, csv_upload(bad))

    assert response.context.get("confirm_form") is None
    assert uploads() == []
    assert list(system_temp.iterdir()) == []


def test_a_refused_confirm_leaves_no_upload_behind(client, logged_in, record, system_temp):
    previewed = preview(client, csv_upload(ROWS))
    SourceDocument.objects.filter(pk=record["source"].pk).update(text="Nothing about it.")

    confirm(client, previewed)

    assert uploads() == []
    assert list(system_temp.iterdir()) == []


def test_an_abandoned_preview_is_removed_after_a_day_and_a_fresh_one_kept(client, logged_in, record, settings):
    old = preview(client, csv_upload(ROWS)).context["confirm_form"].initial["import_file_name"]
    fresh = preview(client, csv_upload(ROWS)).context["confirm_form"].initial["import_file_name"]
    day_ago = time.time() - settings.IMPORT_UPLOAD_MAX_AGE - 60
    os.utime(upload_folder() / old, (day_ago, day_ago))

    assert remove_abandoned_uploads() == 1

    assert uploads() == [fresh]


# --- Size limits (item 6) ---


def test_a_file_over_the_size_limit_is_refused_with_its_size_before_it_is_read(client, logged_in, record, settings):
    settings.IMPORT_MAX_BYTES = 1024
    upload = SimpleUploadedFile("events.csv", b"instrument,state\n" + b"x" * 4096)

    response = preview(client, upload)

    assert "The file is 4.0\xa0KB; import at most 1.0\xa0KB at a time" in response.content.decode()
    assert uploads() == []


def test_an_xlsx_that_expands_past_the_limit_is_refused_before_it_is_opened(client, logged_in, record, settings):
    settings.IMPORT_MAX_XLSX_BYTES = 100_000
    content = BytesIO()
    with zipfile.ZipFile(content, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<row/>" * 50_000)
    assert len(content.getvalue()) < settings.IMPORT_MAX_BYTES

    response = preview(client, SimpleUploadedFile("events.xlsx", content.getvalue()), file_format="1")

    assert "The spreadsheet expands to 293.0\xa0KB when opened; import at most 97.7\xa0KB" in response.content.decode()
    assert uploads() == []


def test_a_file_with_more_rows_than_the_limit_is_refused_with_the_count(client, logged_in, record, monkeypatch):
    monkeypatch.setattr("tracker.resources.MAX_ROWS", 1)

    response = preview(client, csv_upload(ROWS))

    assert "The file has 2 rows; import at most 1 at a time." in response.content.decode()
    assert response.context.get("confirm_form") is None

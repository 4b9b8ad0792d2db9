"""backup_record and restore_record: the whole record survives a round trip, byte for byte in every export."""

import datetime
import json
import os
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.builders import empty_the_record, make_event, make_instrument, make_source
from tracker.management.commands.backup_record import backed_up_models
from tracker.management.commands.load_record import RECORD_FIXTURES
from tracker.models import Event, Instrument, MemberState

PROJECT = Path(__file__).resolve().parent.parent

EXPORTS = [
    "/export/status.csv",
    "/export/status.csv?as_of=2001-01-01",
    "/export/status.csv?as_of=2023-05-31",
    "/export/instruments.csv",
    "/export/instruments.csv?as_of=2010-06-30",
    "/export/events.csv",
    "/export/states.csv",
    "/export/sources.csv",
]


def every_export(client) -> dict[str, bytes]:
    exports = {}
    for url in EXPORTS:
        response = client.get(url)
        assert response.status_code == 200, url
        exports[url] = b"".join(response.streaming_content)
    return exports


def build_a_varied_record(six_states):
    """Instruments of several kinds, one amending another, events of every precision, odd characters."""
    charter = make_instrument(title="Charter of the Collective Security Treaty Organization", kind="charter")
    protocol = make_instrument(
        title="Protocol amending the Charter, «2010»",
        kind="protocol",
        part_of=charter,
        eif_rule=Instrument.EntryIntoForceRule.ALL_PARTIES,
        note='A note with "quotes", commas, and a\nline break.',
    )
    decision = make_instrument(title="Decision on the Joint Staff", kind="decision", needs_ratification=False)
    signing = make_source(
        title="Signing ceremony",
        date=datetime.date(2010, 12, 10),
        text="The Protocol was signed in Moscow. Belarus ratified it in May.",
    )
    speech = make_source(
        title="Speech of the Secretary General — 18 May 2023",
        date=datetime.date(2023, 5, 18),
        text="The Protocol has been ratified by the Republic of Belarus. Armenia is still ratifying it.",
    )
    make_event(instrument=charter, source=signing, type=Event.Type.SIGNED, quote="The Protocol was signed in Moscow")
    make_event(instrument=protocol, source=signing, type=Event.Type.SIGNED, precision="day", quote="signed in Moscow")
    make_event(
        instrument=protocol,
        state=six_states["BLR"],
        source=signing,
        date=datetime.date(2010, 5, 1),
        precision="month",
        quote="Belarus ratified it in May",
        inferred=True,
        note='=HYPERLINK("http://x","y")',
    )
    make_event(instrument=protocol, state=six_states["BLR"], source=speech)
    make_event(
        instrument=protocol,
        state=six_states["ARM"],
        source=speech,
        type=Event.Type.RATIFICATION_PENDING,
        quote="Armenia is still ratifying it",
    )
    make_event(
        instrument=decision, source=speech, type=Event.Type.ADOPTED, date=datetime.date(2023, 1, 1), precision="year"
    )
    # An edit by a staff member, so the audit trail names a user.
    editor = User.objects.create_user("archivist", password="not in the backup", is_staff=True)
    protocol.note += " Checked."
    protocol._history_user = editor
    protocol.save()


def round_trip(client, tmp_path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    before = every_export(client)
    backup = tmp_path / "record.json"
    call_command("backup_record", str(backup), stdout=StringIO())
    empty_the_record()
    call_command("restore_record", str(backup), stdout=StringIO())
    return before, every_export(client)


def test_every_export_is_byte_identical_after_backup_empty_and_restore(client, six_states, tmp_path):
    build_a_varied_record(six_states)
    history_before = sorted(Instrument.history.values_list("history_id", "history_type", "note"))

    before, after = round_trip(client, tmp_path)

    assert after == before
    assert b"Protocol amending the Charter" in before["/export/instruments.csv"]
    assert sorted(Instrument.history.values_list("history_id", "history_type", "note")) == history_before
    assert Instrument.history.filter(history_user__username="archivist").exists()


def test_the_curated_record_survives_the_round_trip_byte_for_byte(client, db, tmp_path):
    if not (PROJECT / "fixtures" / "events.json").exists():
        pytest.skip("The curated fixtures (fixtures/*.json) are not in this checkout yet.")
    call_command("load_record", stdout=StringIO())
    assert Event.objects.exists()

    before, after = round_trip(client, tmp_path)

    assert after == before


def test_restored_ids_continue_from_the_backup(six_states, tmp_path):
    build_a_varied_record(six_states)
    highest = Event.objects.order_by("-pk").first().pk
    call_command("backup_record", str(tmp_path / "b.json"), stdout=StringIO())
    empty_the_record()
    call_command("restore_record", str(tmp_path / "b.json"), stdout=StringIO())

    added = make_event(instrument=Instrument.objects.get(kind="decision"), type=Event.Type.SIGNED)

    assert added.pk > highest


def test_an_editor_missing_from_the_database_comes_back_disabled(six_states, tmp_path):
    build_a_varied_record(six_states)
    call_command("backup_record", str(tmp_path / "b.json"), stdout=StringIO())
    empty_the_record()
    User.objects.all().delete()

    call_command("restore_record", str(tmp_path / "b.json"), stdout=StringIO())

    archivist = User.objects.get(username="archivist")
    assert not archivist.is_active
    assert not archivist.has_usable_password()


def test_the_backup_holds_no_password_hashes(six_states, tmp_path):
    build_a_varied_record(six_states)
    call_command("backup_record", str(tmp_path / "b.json"), stdout=StringIO())

    text = (tmp_path / "b.json").read_text()

    assert "pbkdf2" not in text
    assert {row["model"] for row in json.loads(text)} >= {"tracker.memberstate", "tracker.event"}


def test_restore_refuses_a_database_that_already_holds_a_record(six_states, tmp_path):
    build_a_varied_record(six_states)
    call_command("backup_record", str(tmp_path / "b.json"), stdout=StringIO())

    with pytest.raises(CommandError, match="already holds a record.*Restore only into an empty database"):
        call_command("restore_record", str(tmp_path / "b.json"))

    assert MemberState.objects.count() == 6


def test_a_backup_that_fails_half_way_leaves_the_database_as_it_was(six_states, tmp_path):
    build_a_varied_record(six_states)
    call_command("backup_record", str(tmp_path / "b.json"), stdout=StringIO())
    rows = json.loads((tmp_path / "b.json").read_text())
    # The last event points at an instrument that does not exist: the load can only fail at the end.
    last_event = max((row for row in rows if row["model"] == "tracker.event"), key=lambda row: rows.index(row))
    last_event["fields"]["instrument"] = 999_999
    (tmp_path / "broken.json").write_text(json.dumps(rows))
    empty_the_record()
    users_before = User.objects.count()

    with pytest.raises(CommandError, match="could not be restored, so nothing was changed"):
        call_command("restore_record", str(tmp_path / "broken.json"))

    assert not any(model._default_manager.exists() for model in backed_up_models())
    assert User.objects.count() == users_before


def test_a_backup_cannot_smuggle_in_an_account(db, tmp_path):
    rows = [{"model": "auth.user", "pk": 50, "fields": {"username": "intruder", "password": "x", "is_superuser": True}}]
    (tmp_path / "evil.json").write_text(json.dumps(rows))

    with pytest.raises(CommandError, match="not part of the record"):
        call_command("restore_record", str(tmp_path / "evil.json"))

    assert not User.objects.filter(username="intruder").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a readable JSON backup"),
        ('{"model": "tracker.memberstate"}', "expected a JSON list"),
        ('[{"model": "tracker.nosuchmodel", "pk": 1, "fields": {}}]', "not part of the record"),
        ('[{"model": "tracker.memberstate", "pk": 1, "fields": {"name": "X"}}]', "could not be restored"),
        ('[{"model": "tracker.memberstate", "pk": "one", "fields": {}}]', "could not be restored"),
        # Found by tests/test_fuzz.py: a number too large for the database was an OverflowError traceback.
        ('[{"model": "tracker.memberstate", "pk": 1' + "0" * 30 + ', "fields": {}}]', "could not be restored"),
        # Issue 17: each of these was a traceback.
        ('[{"model": "tracker.memberstate", "pk": 1, "fields": {"nosuch": "X"}}]', "has no field nosuch"),
        ('[{"model": "tracker.memberstate", "pk": 1, "fields": [1, 2]}]', "“fields” is not an object"),
        ('[{"model": "tracker.memberstate", "pk": 1, "fields": "name"}]', "“fields” is not an object"),
        ("[" * 100_000 + "]" * 100_000, "nests too deep"),
        (
            '[{"model": "tracker.memberstate", "pk": 1, "fields": ' + '{"a": ' * 100_000 + "1" + "}" * 100_001 + "]",
            "deep",
        ),
    ],
)
def test_a_file_that_is_not_a_backup_is_refused_with_a_clear_message(db, tmp_path, content, message):
    (tmp_path / "bad.json").write_text(content)

    with pytest.raises(CommandError, match=message):
        call_command("restore_record", str(tmp_path / "bad.json"))

    assert not MemberState.objects.exists()


def test_restore_names_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="No backup file at"):
        call_command("restore_record", str(tmp_path / "nowhere.json"))


def test_backup_refuses_a_directory_that_does_not_exist(db, tmp_path):
    with pytest.raises(CommandError, match="No directory"):
        call_command("backup_record", str(tmp_path / "missing" / "b.json"))


# --- Hostile files and targets (issue 17) ---


def test_a_backup_whose_quote_is_not_in_its_source_is_refused(six_states, tmp_path):
    treaty = make_instrument(title="Treaty", slug="treaty")
    make_event(instrument=treaty, state=six_states["BLR"], source=make_source(text="Belarus ratified the Treaty."))
    call_command("backup_record", str(tmp_path / "b.json"), stdout=StringIO())
    rows = json.loads((tmp_path / "b.json").read_text())
    next(row for row in rows if row["model"] == "tracker.event")["fields"]["quote"] = "Armenia ratified it."
    (tmp_path / "b.json").write_text(json.dumps(rows))
    empty_the_record()

    with pytest.raises(CommandError, match="breaks a rule of the record.*quote: This quote does not appear"):
        call_command("restore_record", str(tmp_path / "b.json"))

    assert not Event.objects.exists()


def test_a_restore_cleans_text_as_every_other_door_does(six_states, tmp_path):
    treaty = make_instrument(title="Treaty", slug="treaty")
    make_event(instrument=treaty, state=six_states["BLR"], source=make_source(text="Belarus ratified\nthe Treaty."))
    call_command("backup_record", str(tmp_path / "b.json"), stdout=StringIO())
    rows = json.loads((tmp_path / "b.json").read_text())
    source = next(row for row in rows if row["model"] == "tracker.sourcedocument")
    source["fields"] |= {"text": "Belarus ratified\x0bthe Treaty.\x00", "title": "Speech\x1b"}
    next(row for row in rows if row["model"] == "tracker.event")["fields"]["quote"] = "Belarus ratified\x0bthe Treaty"
    (tmp_path / "b.json").write_text(json.dumps(rows))
    empty_the_record()

    call_command("restore_record", str(tmp_path / "b.json"), stdout=StringIO())

    event = Event.objects.select_related("source").get()
    assert (event.source.text, event.source.title, event.quote) == (
        "Belarus ratified\nthe Treaty.",
        "Speech",
        "Belarus ratified\nthe Treaty",
    )


def test_load_record_cleans_text_and_refuses_a_quote_not_in_its_source(db, tmp_path, monkeypatch):
    (tmp_path / "fixtures").mkdir()
    for path in RECORD_FIXTURES:  # every file load_record reads, the reader's names too (issue 13)
        (tmp_path / path).write_text((PROJECT / path).read_text())
    events = json.loads((tmp_path / "fixtures" / "events.json").read_text())
    events[0]["fields"]["quote"] = "Not a sentence of any source."
    (tmp_path / "fixtures" / "events.json").write_text(json.dumps(events))
    monkeypatch.chdir(tmp_path)

    with pytest.raises(CommandError, match="could not be loaded.*quote: This quote does not appear"):
        call_command("load_record", stdout=StringIO())

    assert not Event.objects.exists()


@pytest.mark.parametrize("kind", ["symlink", "fifo", "device"])
def test_backup_refuses_to_replace_anything_but_a_regular_file(db, tmp_path, kind):
    target = tmp_path / "b.json"
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    if kind == "symlink":
        target.symlink_to(precious)
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target = Path("/dev/null")

    with pytest.raises(CommandError, match="is not a regular file"):
        call_command("backup_record", str(target), stdout=StringIO())

    assert precious.read_text() == "keep me"
    assert target.is_symlink() or not target.is_file()


def test_backup_replaces_an_earlier_backup(six_states, tmp_path):
    (tmp_path / "b.json").write_text("[]")

    call_command("backup_record", str(tmp_path / "b.json"), stdout=StringIO())

    assert json.loads((tmp_path / "b.json").read_text())

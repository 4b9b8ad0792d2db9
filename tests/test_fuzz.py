"""Hostile input at every public URL, the API, the backup loader and the admin importer: never a 500 or a traceback.

Hypothesis throws long strings, unicode, impossible dates, huge and negative page numbers, unknown
sort keys, SQL and HTML metacharacters and repeated parameters. A bad request must get a 4xx with
a message a person can read; nothing may leave the record half-changed.
"""

import datetime
import json
import os
from io import StringIO
from urllib.parse import quote, urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import empty_the_record, make_event, make_instrument, make_source
from tracker.management.commands.backup_record import backed_up_models
from tracker.models import Event, Instrument

# Modest by default so the suite stays quick; FUZZ_EXAMPLES=500 for a deeper local run.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HOSTILE_TEXT = [
    "' OR 1=1 --",
    '"; DROP TABLE tracker_event; --',
    "<script>alert(1)</script>",
    "%00",
    "\x00",
    "\u202e\u0000\ufeff",
    "🇦🇲🇧🇾",
    "../../etc/passwd",
    "{{ settings.SECRET_KEY }}",
    "%(name)s",
    "0000-00-00",
    "2023-02-30",
    "9999-12-31",
    "10000-01-01",
    "-2023-01-01",
    "1900-01-01",
    "2023-13-01",
    "-1",
    "0",
    "1e309",
    str(10**30),
    "NaN",
    "true",
    "false",
    "-title",
    "known_from",
    "__class__",
]
values = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.dates(min_value=datetime.date(1, 1, 1)).map(lambda day: day.isoformat()),
    st.builds(lambda piece, times: piece * times, st.sampled_from(["a", "я", "<", "9", "%"]), st.integers(1000, 20000)),
)

PUBLIC_KEYS = [
    "as_of",
    "compare",
    "kind",
    "needs_ratification",
    "q",
    "state",
    "instrument",
    "type",
    "date_after",
    "date_before",
    "source",
    "inferred",
    "sort",
    "page",
    "per_page",
    "limit",
    "offset",
]
keys = st.one_of(st.sampled_from(PUBLIC_KEYS), st.text(min_size=1, max_size=12))
# Repeated parameters come for free: the same key may be drawn twice with different values.
query_strings = st.lists(st.tuples(keys, values), max_size=6).map(urlencode)

PUBLIC_PATHS = [
    "/",
    "/instruments/",
    "/instruments/fuzz-treaty/",
    "/states/",
    "/states/armenia/",
    "/events/",
    "/sources/",
    "/sources/fuzz-speech/",
    "/export/status.csv",
    "/export/instruments.csv",
    "/export/events.csv",
    "/export/states.csv",
    "/export/sources.csv",
    "/feeds/events.atom",
    "/feeds/instruments/fuzz-treaty.atom",
    "/feeds/states/armenia.atom",
    "/ru/",
    "/ru/events/",
    "/ru/instruments/fuzz-treaty/",
    "/ru/export/status.csv",
    "/en/events/",
]
API_PATHS = [
    "/api/states",
    "/api/states/armenia",
    "/api/instruments",
    "/api/instruments/fuzz-treaty",
    "/api/sources",
    "/api/sources/fuzz-speech",
    "/api/events",
    "/api/status",
]


@pytest.fixture
def small_record(six_states):
    treaty = make_instrument(title="Fuzz treaty", slug="fuzz-treaty")
    source = make_source(slug="fuzz-speech")
    event = make_event(instrument=treaty, state=six_states["ARM"], source=source)
    return event


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def assert_handled(response, url):
    """A success or a client error with a readable message; never a server error or a traceback."""
    body = body_of(response)
    assert response.status_code < 500, url
    assert "Traceback" not in body, url
    if 400 <= response.status_code < 500 and response.status_code != 404:
        assert body.strip(), f"{url}: an error with no message"


@FUZZ
@given(path=st.sampled_from(PUBLIC_PATHS), query=query_strings)
def test_public_pages_answer_hostile_query_strings_with_a_page_or_a_clear_400(client, small_record, path, query):
    url = f"{path}?{query}"

    assert_handled(client.get(url), url)


@FUZZ
@given(path=st.sampled_from(API_PATHS), query=query_strings)
def test_the_api_answers_hostile_query_strings_with_json_or_a_clear_400(client, small_record, path, query):
    url = f"{path}?{query}"
    response = client.get(url)

    assert_handled(response, url)
    if response.status_code == 400:
        assert response.json()["errors"] or response.json().get("detail"), url


@FUZZ
@given(
    pattern=st.sampled_from(
        [
            "/instruments/{}/",
            "/states/{}/",
            "/sources/{}/",
            "/events/{}/",
            "/api/instruments/{}",
            "/api/states/{}",
            "/api/sources/{}",
            "/api/events/{}",
            "/feeds/instruments/{}.atom",
        ]
    ),
    name=values,
)
def test_unknown_or_malformed_names_in_a_path_are_a_404_or_400(client, small_record, pattern, name):
    url = pattern.format(quote(name, safe=""))
    response = client.get(url)

    assert_handled(response, url)
    assert response.status_code in (200, 400, 404), url


def test_a_huge_page_number_shows_the_last_page_or_a_clear_400(client, small_record):
    for page in ["-1", "0", str(10**30), "1e9", "two"]:
        response = client.get(f"/events/?page={page}")

        assert response.status_code in (200, 400)
        if response.status_code == 400:
            assert "page" in response.content.decode().lower()


def test_an_unknown_sort_key_is_named_in_a_400(client, small_record):
    response = client.get("/events/?sort=password")

    assert response.status_code == 400
    assert "password" in response.content.decode()


# --- The backup loader ---

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from(HOSTILE_TEXT) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def record_is_empty() -> bool:
    return not any(model._default_manager.exists() for model in backed_up_models())


@FUZZ
@given(document=json_values)
def test_restore_refuses_any_json_that_is_not_a_backup_with_a_message(db, tmp_path_factory, document):
    path = tmp_path_factory.mktemp("restore") / "backup.json"
    path.write_text(json.dumps(document))

    try:
        call_command("restore_record", str(path), stdout=StringIO())
    except CommandError as error:
        assert str(error)
        assert record_is_empty()
    else:
        empty_the_record()


@pytest.fixture(scope="module")
def good_backup(django_db_setup, django_db_blocker, tmp_path_factory):
    """A valid backup file of a small record, made once and read by each example."""
    from tests.builders import make_six_states

    path = tmp_path_factory.mktemp("good") / "backup.json"
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            states = make_six_states()
            treaty = make_instrument(title="Treaty", slug="treaty")
            make_event(instrument=treaty, state=states["BLR"])
            call_command("backup_record", str(path), stdout=StringIO())
            transaction.set_rollback(True)
    return json.loads(path.read_text())


@FUZZ
@given(data=st.data())
def test_restore_of_a_corrupted_backup_changes_nothing_or_loads_it_whole(db, good_backup, tmp_path_factory, data):
    rows = json.loads(json.dumps(good_backup))
    row = data.draw(st.sampled_from(rows))
    field = data.draw(st.sampled_from(sorted(row["fields"]) + ["pk", "model"]))
    value = data.draw(json_values)
    if field in ("pk", "model"):
        row[field] = value
    else:
        row["fields"][field] = value
    path = tmp_path_factory.mktemp("corrupt") / "backup.json"
    path.write_text(json.dumps(rows))

    try:
        call_command("restore_record", str(path), stdout=StringIO())
    except CommandError as error:
        assert "Traceback" not in str(error)
        assert record_is_empty()
    else:
        # Loaded: then it is all there, not part of it.
        assert Event.objects.count() == 1
        assert Instrument.objects.count() == 1
        empty_the_record()


# --- The fixture loader ---


@FUZZ
@given(data=st.data())
def test_load_record_refuses_a_corrupted_fixture_with_a_message_and_loads_nothing(
    db, tmp_path_factory, monkeypatch, data
):
    root = tmp_path_factory.mktemp("project")
    (root / "fixtures").mkdir()
    for name in ["states", "sources", "instruments", "events"]:
        (root / "fixtures" / f"{name}.json").write_text("[]")
    name = data.draw(st.sampled_from(["states", "sources", "instruments", "events"]))
    document = data.draw(json_values | st.text(max_size=30).map(lambda text: {"raw": text}))
    content = document["raw"] if isinstance(document, dict) and set(document) == {"raw"} else json.dumps(document)
    (root / "fixtures" / f"{name}.json").write_text(content)
    monkeypatch.chdir(root)

    try:
        call_command("load_record", stdout=StringIO())
    except CommandError as error:
        assert "could not be loaded" in str(error)
        assert record_is_empty()
    else:
        empty_the_record()


# --- The admin importer ---

EVENT_COLUMNS = ["instrument", "state", "type", "date", "precision", "source", "quote", "is_paraphrase", "inferred"]


@FUZZ
@given(
    header=st.one_of(st.just(EVENT_COLUMNS), st.lists(st.sampled_from([*EVENT_COLUMNS, "x", ""]), max_size=10)),
    rows=st.lists(st.lists(values, min_size=0, max_size=10), max_size=3),
    raw=st.one_of(st.none(), st.binary(max_size=200)),
)
def test_the_admin_importer_reports_a_hostile_file_without_changing_the_record(
    admin_client, small_record, header, rows, raw
):
    if raw is None:
        lines = [",".join(header)] + [",".join(json.dumps(cell) for cell in row) for row in rows]
        content = "\n".join(lines).encode("utf-8", "surrogatepass")
    else:
        content = raw
    before = sorted(Event.objects.values_list("pk", "quote", "date"))
    upload = SimpleUploadedFile("events.csv", content, content_type="text/csv")

    response = admin_client.post(
        "/admin/tracker/event/import/", {"resource": "0", "format": "0", "import_file": upload}
    )

    assert response.status_code == 200
    assert sorted(Event.objects.values_list("pk", "quote", "date")) == before


def test_the_admin_importer_refuses_a_file_with_no_header_row_with_a_message(admin_client, small_record):
    upload = SimpleUploadedFile("events.csv", b",,\n1,2,3\n", content_type="text/csv")

    response = admin_client.post(
        "/admin/tracker/event/import/", {"resource": "0", "format": "0", "import_file": upload}
    )

    assert response.status_code == 200
    assert "encountered while trying to read file" in response.content.decode()


def test_the_admin_importer_names_missing_columns_without_a_traceback(admin_client, small_record):
    upload = SimpleUploadedFile("events.csv", b"instrument,quote\nfuzz-treaty,x\n", content_type="text/csv")

    response = admin_client.post(
        "/admin/tracker/event/import/", {"resource": "0", "format": "0", "import_file": upload}
    )

    assert response.status_code == 200
    assert "Traceback" not in response.content.decode()
    assert "state" in response.content.decode()

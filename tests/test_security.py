"""Security settings and defences: the deploy check, brute-force lockout, CSV injection, escaping, roles, headers."""

import base64
import csv
import datetime
import hashlib
import io
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.utils import timezone

from tests.builders import make_event, make_instrument, make_source, make_state
from tracker.models import Event, Instrument, MemberState, SourceDocument
from tracker.resources import EventResource
from tracker.spreadsheet_formats import FormulaSafeCSV, FormulaSafeXLSX

PROJECT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh interpreter, so settings are read from exactly this environment."""
    clean = {key: value for key, value in os.environ.items() if key not in _SECURITY_VARIABLES}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


_SECURITY_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "CLIENT_IP_HEADER",
}


def production_env(**overrides: str) -> dict[str, str]:
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "tracker.example.org",
    } | overrides


def test_production_settings_pass_the_deploy_check_with_no_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production_env())

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_ssl_redirect_can_be_switched_off_behind_a_tls_terminating_proxy():
    env = production_env(SECURE_SSL_REDIRECT="0", SECURE_PROXY_SSL_HEADER="1")
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SECURE_SSL_REDIRECT, settings.SECURE_PROXY_SSL_HEADER)",
        **env,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "('HTTP_X_FORWARDED_PROTO',", "'https')"]
    assert run_manage("check", "--deploy", "--fail-level", "WARNING", **env).returncode == 0


def test_production_settings_are_strict_by_default():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
        " s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY,"
        " s.X_FRAME_OPTIONS, s.SECURE_CONTENT_TYPE_NOSNIFF, s.SECURE_PROXY_SSL_HEADER)",
        **production_env(),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "31536000", "True", "True", "True", "True", "DENY", "True", "None"]


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]

    result = run_manage("check", **env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_repositorys_own_development_key():
    result = run_manage(
        "check", **production_env(SECRET_KEY="django-insecure-local-development-key-not-for-production")
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set, to a key of your own" in result.stderr


# --- Staff sessions end when idle ---


def test_a_staff_session_expires_after_an_idle_hour_not_two_weeks(client, editor, settings):
    client.force_login(editor)

    assert client.session.get_expiry_age() == 60 * 60 == settings.SESSION_COOKIE_AGE


def test_each_request_renews_the_session_so_only_an_idle_one_expires(client, editor):
    client.force_login(editor)
    fifty_minutes_on = Session.objects.get().expire_date - datetime.timedelta(minutes=50)
    Session.objects.update(expire_date=fifty_minutes_on)

    assert client.get("/admin/").status_code == 200
    assert Session.objects.get().expire_date - fifty_minutes_on > datetime.timedelta(minutes=49)

    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/admin/").status_code == 302


# --- Password guessing on the admin login (django-axes) ---

ADMIN_LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def editor(db):
    return User.objects.create_user("editor", password="correct horse battery", is_staff=True)


def try_login(client, username, password):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password})


def test_staff_member_signs_in_with_the_right_password_before_any_lockout(client, editor):
    try_login(client, "editor", "wrong")

    response = try_login(client, "editor", "correct horse battery")

    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(editor.pk)


def test_repeated_failed_logins_lock_the_account_out_even_with_the_right_password(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert try_login(client, "editor", "guess").status_code == 200
    assert try_login(client, "editor", "guess").status_code == 429

    response = try_login(client, "editor", "correct horse battery")

    assert response.status_code == 429
    assert b"too many login attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_the_failure_limit_is_configurable(client, editor, settings):
    settings.AXES_FAILURE_LIMIT = 2
    try_login(client, "editor", "guess")
    assert try_login(client, "editor", "correct horse battery").status_code == 302
    client.logout()

    try_login(client, "editor", "guess")
    try_login(client, "editor", "guess")

    assert try_login(client, "editor", "correct horse battery").status_code == 429


def test_staff_sign_in_through_the_russian_admin_too(client, editor):
    response = client.post(
        "/ru/admin/login/?next=/ru/admin/", {"username": "editor", "password": "correct horse battery"}
    )

    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(editor.pk)


def test_guesses_spread_over_many_addresses_lock_the_username_out(client, editor):
    # The attack of issue 17: 80 wrong guesses from 20 addresses, then the right password.
    for n in range(80):
        client.post(ADMIN_LOGIN, {"username": "editor", "password": f"guess {n}"}, REMOTE_ADDR=f"198.51.100.{n % 20}")

    response = client.post(
        ADMIN_LOGIN, {"username": "editor", "password": "correct horse battery"}, REMOTE_ADDR="198.51.100.99"
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_stranger_cannot_lock_an_editor_out_of_an_address_they_signed_in_from(client, editor, settings):
    assert try_login(client, "editor", "correct horse battery").status_code == 302
    client.logout()
    for n in range(settings.AXES_FAILURE_LIMIT * 3):
        client.post(ADMIN_LOGIN, {"username": "editor", "password": "guess"}, REMOTE_ADDR=f"198.51.100.{n}")

    assert try_login(client, "editor", "correct horse battery").status_code == 302


def test_guessing_during_a_lockout_does_not_prolong_it(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        try_login(client, "editor", "guess")
    an_hour_ago = timezone.now() - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=-5)
    AccessAttempt.objects.update(attempt_time=an_hour_ago)
    assert try_login(client, "editor", "still guessing").status_code == 429

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=6))

    assert try_login(client, "editor", "correct horse battery").status_code == 302


def test_behind_a_configured_proxy_each_client_is_known_by_the_address_the_proxy_names(client, editor, settings):
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_REAL_IP", "REMOTE_ADDR")
    for n in range(3):
        client.post(ADMIN_LOGIN, {"username": "editor", "password": "guess"}, HTTP_X_REAL_IP=f"198.51.100.{n}")

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {f"198.51.100.{n}" for n in range(3)}


def test_the_client_address_header_comes_from_the_environment():
    code = "from django.conf import settings; print(*settings.AXES_IPWARE_META_PRECEDENCE_ORDER)"

    behind_proxy = run_manage("shell", "--no-imports", "-c", code, CLIENT_IP_HEADER="X-Real-IP")
    direct = run_manage("shell", "--no-imports", "-c", code)

    assert behind_proxy.stdout.split() == ["HTTP_X_REAL_IP", "REMOTE_ADDR"], behind_proxy.stderr
    assert direct.stdout.split() == ["REMOTE_ADDR"], direct.stderr


# --- CSV formula injection ---

HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)", "\tTabbed"]
PUBLIC_EXPORTS = [
    "/export/status.csv",
    "/export/instruments.csv",
    "/export/events.csv",
    "/export/states.csv",
    "/export/sources.csv",
]


@pytest.fixture
def hostile_record(six_states):
    """Every hostile value as an instrument title, a source title and speaker, an event quote and note."""
    for n, value in enumerate(HOSTILE):
        instrument = make_instrument(title=value, short_title=value, note=value)
        source = make_source(title=value, speaker=value, place=value, text=f"Preamble. {value} Rest.")
        make_event(
            instrument=instrument,
            state=list(six_states.values())[n],
            source=source,
            quote=value,
            note=value,
            place=value,
            precision=Event.Precision.DAY,
        )
    make_state(name="-Minus", official_name="=Official", iso3="ZZZ", slug="minus")


def csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8"))) for cell in row]


def assert_no_live_formula(cells: list[str]):
    live = [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert not live, live


@pytest.mark.parametrize("url", PUBLIC_EXPORTS)
def test_every_public_export_writes_formula_characters_as_text(client, hostile_record, url):
    response = client.get(url)
    cells = csv_cells(b"".join(response.streaming_content))

    assert_no_live_formula(cells)
    if url != "/export/states.csv":
        assert '\'=HYPERLINK("http://x","y")' in cells
    assert "'-1" in cells or "'-Minus" in cells


def test_the_admin_spreadsheet_export_writes_formula_characters_as_text(hostile_record):
    dataset = EventResource().export()

    cells = csv_cells(FormulaSafeCSV().export_data(dataset).encode("utf-8"))

    assert_no_live_formula(cells)
    assert {"'+1", "'-1", "'@SUM(A1)", "'\tTabbed"} <= set(cells)


def test_the_admin_offers_only_the_formula_safe_formats():
    event_admin = admin.site._registry[Event]

    assert set(event_admin.get_export_formats()) == {FormulaSafeCSV, FormulaSafeXLSX}
    assert set(event_admin.get_import_formats()) == {FormulaSafeCSV, FormulaSafeXLSX}


def test_an_admin_export_re_imports_with_the_original_text(hostile_record):
    exported = FormulaSafeCSV().export_data(EventResource().export())

    dataset = FormulaSafeCSV().create_dataset(exported)

    assert set(HOSTILE) <= set(dataset["quote"])


def test_the_xlsx_export_stores_formula_characters_as_plain_text(hostile_record):
    exported = FormulaSafeXLSX().export_data(EventResource().export())
    sheet = openpyxl.load_workbook(io.BytesIO(exported)).active

    cells = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]

    assert all(cell.data_type == "s" for cell in cells)
    assert_no_live_formula([cell.value for cell in cells])


# --- HTML escaping ---

SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def scripted_record(six_states):
    """A <script> in an instrument's titles and note, a source's title and text, and an event's quote and note."""
    instrument = make_instrument(title=f"Treaty {SCRIPT}", short_title=f"T {SCRIPT}", slug="scripted", note=SCRIPT)
    source = make_source(
        title=f"Speech {SCRIPT}", slug="scripted-speech", speaker=SCRIPT, text=f"It said {SCRIPT} then."
    )
    event = make_event(
        instrument=instrument,
        state=six_states["ARM"],
        source=source,
        quote=f"said {SCRIPT}",
        note=SCRIPT,
        precision=Event.Precision.DAY,
    )
    return event


def public_pages_showing(event) -> list[str]:
    return [
        "/",
        "/instruments/",
        f"/instruments/{event.instrument.slug}/",
        f"/states/{event.state.slug}/",
        "/events/",
        f"/events/{event.pk}/",
        "/sources/",
        f"/sources/{event.source.slug}/",
        "/?q=<script>alert(1)</script>",
        "/events/?sort=<script>",
    ]


def test_every_public_page_escapes_a_script_from_the_database(client, scripted_record):
    for url in public_pages_showing(scripted_record):
        response = client.get(url)
        html = response.content.decode()

        assert response.status_code in (200, 400), url
        assert "<script>alert" not in html, url
    # The pages do show the text, escaped, rather than dropping it.
    detail = client.get(f"/instruments/{scripted_record.instrument.slug}/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in detail
    source = client.get(f"/sources/{scripted_record.source.slug}/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in source


def test_the_admin_escapes_a_script_from_the_database(admin_client, scripted_record):
    event = scripted_record
    for url in [
        "/admin/tracker/event/",
        f"/admin/tracker/event/{event.pk}/change/",
        "/admin/tracker/instrument/",
        f"/admin/tracker/instrument/{event.instrument.pk}/change/",
        "/admin/tracker/sourcedocument/",
        f"/admin/tracker/sourcedocument/{event.source.pk}/change/",
        f"/admin/tracker/event/{event.pk}/history/",
    ]:
        response = admin_client.get(url)

        assert response.status_code == 200, url
        assert "<script>alert" not in response.content.decode(), url


# --- Who may write ---

RECORD_MODELS = ["memberstate", "instrument", "sourcedocument", "event"]


@pytest.fixture
def one_of_each(six_states):
    instrument = make_instrument(slug="roles-treaty")
    source = make_source(slug="roles-speech")
    event = make_event(instrument=instrument, state=six_states["KAZ"], source=source)
    return {"memberstate": six_states["KAZ"], "instrument": instrument, "sourcedocument": source, "event": event}


def admin_urls(model: str, pk: int) -> list[str]:
    base = f"/admin/tracker/{model}/"
    return [base, f"{base}add/", f"{base}{pk}/change/", f"{base}{pk}/delete/", f"{base}{pk}/history/"]


def record_snapshot() -> list:
    return [
        list(MemberState.objects.values()),
        list(Instrument.objects.values()),
        list(SourceDocument.objects.values()),
        list(Event.objects.values()),
    ]


def member_of(group_name: str) -> User:
    user = User.objects.create_user(f"{group_name.lower()}-user", password="unused", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.mark.parametrize("model", RECORD_MODELS)
def test_anonymous_visitors_are_sent_to_the_login_for_every_admin_page(client, one_of_each, model):
    for url in admin_urls(model, one_of_each[model].pk):
        response = client.get(url)

        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


@pytest.mark.parametrize("model", RECORD_MODELS)
def test_anonymous_visitors_cannot_add_change_or_delete(client, one_of_each, model):
    before = record_snapshot()
    pk = one_of_each[model].pk
    hostile = {"name": "Changed", "title": "Changed", "quote": "Changed", "post": "yes"}

    for url in admin_urls(model, pk)[1:4]:
        response = client.post(url, hostile)

        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url
    assert record_snapshot() == before


def test_anonymous_visitors_cannot_reach_the_import_or_the_proposer(client, one_of_each):
    for url in [
        "/admin/tracker/event/import/",
        "/admin/tracker/event/export/",
        "/admin/tracker/sourcedocument/add-from-text/",
    ]:
        assert client.get(url).status_code == 302, url
        assert client.post(url, {}).status_code == 302, url


# OPTIONS too: Django answers it by running the view, and the README promises 405 for all but GET and HEAD.
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_the_public_site_and_api_refuse_every_method_but_get_and_head(client, one_of_each, method):
    event = one_of_each["event"]
    before = record_snapshot()
    urls = [
        "/",
        "/instruments/",
        "/instruments/roles-treaty/",
        "/states/kazakhstan/",
        "/events/",
        f"/events/{event.pk}/",
        "/sources/roles-speech/",
        "/export/events.csv",
        "/feeds/events.atom",
        "/api/events",
        f"/api/events/{event.pk}",
        "/api/states/kazakhstan",
        "/ru/",
        "/ru/events/",
        "/ru/export/events.csv",
    ]

    for url in urls:
        assert getattr(client, method)(url).status_code == 405, url
    assert record_snapshot() == before


@pytest.mark.parametrize("model", RECORD_MODELS)
def test_a_viewer_sees_every_record_but_cannot_change_add_or_delete(client, one_of_each, model):
    client.force_login(member_of("Viewers"))
    pk = one_of_each[model].pk
    base = f"/admin/tracker/{model}/"
    before = record_snapshot()

    assert client.get(base).status_code == 200
    change_page = client.get(f"{base}{pk}/change/")
    assert change_page.status_code == 200
    assert 'name="_save"' not in change_page.content.decode()
    assert client.post(f"{base}{pk}/change/", {"name": "Changed", "title": "Changed"}).status_code == 403
    assert client.post(f"{base}add/", {"name": "New", "title": "New"}).status_code == 403
    assert client.post(f"{base}{pk}/delete/", {"post": "yes"}).status_code == 403
    assert record_snapshot() == before


def test_a_viewer_cannot_import_events(client, one_of_each):
    client.force_login(member_of("Viewers"))
    upload = SimpleUploadedFile("events.csv", b"instrument,state,type,source\n", content_type="text/csv")

    response = client.post("/admin/tracker/event/import/", {"resource": "0", "format": "0", "import_file": upload})

    assert response.status_code == 403


def test_a_viewer_cannot_manage_accounts_or_groups(client, one_of_each):
    client.force_login(member_of("Viewers"))

    assert client.get("/admin/auth/user/").status_code == 403
    assert client.post("/admin/auth/group/add/", {"name": "Sneaky"}).status_code == 403
    assert not Group.objects.filter(name="Sneaky").exists()


def test_an_editor_cannot_delete_a_member_state_or_an_instrument(client, one_of_each):
    client.force_login(member_of("Editors"))

    for model in ["memberstate", "instrument", "sourcedocument"]:
        response = client.post(f"/admin/tracker/{model}/{one_of_each[model].pk}/delete/", {"post": "yes"})

        assert response.status_code == 403, model
    assert Instrument.objects.filter(slug="roles-treaty").exists()


# --- Content-Security-Policy and the other security headers ---

INLINE_CODE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I), "inline script"),
    (re.compile(r"<style\b", re.I), "style element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=\s*\"(?!onSelectToggleChange\(event\)\")", re.I), "inline event handler"),
    (re.compile(r"javascript:", re.I), "javascript: address"),
]


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def inline_code_in(html: str, *, kinds=None) -> list[str]:
    return [
        f"{kind}: {html[max(match.start() - 40, 0) : match.end() + 40]!r}"
        for pattern, kind in INLINE_CODE
        if kinds is None or kind in kinds
        for match in pattern.finditer(html)
    ]


def assert_security_headers(response, url):
    policy = csp_directives(response)
    assert policy["default-src"] == ["'self'"], url
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"], url
    assert policy["style-src"] == ["'self'"], url
    assert policy["img-src"] == ["'self'", "data:"], url
    assert policy["frame-ancestors"] == ["'none'"], url
    assert policy["object-src"] == ["'none'"], url
    assert response["Referrer-Policy"] == "same-origin", url
    assert response["X-Content-Type-Options"] == "nosniff", url
    assert response["X-Frame-Options"] == "DENY", url


def public_page_types(event) -> list[str]:
    return [
        "/",
        "/?as_of=2023-05-31&compare=2010-01-01",
        "/instruments/",
        f"/instruments/{event.instrument.slug}/",
        "/states/",
        f"/states/{event.state.slug}/",
        "/events/",
        f"/events/{event.pk}/",
        "/sources/",
        f"/sources/{event.source.slug}/",
        "/?as_of=not-a-date",
        "/ru/",
        f"/ru/instruments/{event.instrument.slug}/",
        "/no-such-page/",
        "/api/docs",
        # Issue 16: the report, the changes and the alerts' form.
        "/reports/outstanding/?since=2020-01-01",
        "/changes/",
        "/alerts/",
    ]


def test_every_public_page_type_has_a_strict_policy_and_no_inline_code(client, scripted_record):
    for url in public_page_types(scripted_record):
        response = client.get(url)

        assert_security_headers(response, url)
        assert not inline_code_in(response.content.decode()), url


def test_exports_feeds_and_the_api_carry_the_same_headers(client, scripted_record):
    for url in ["/export/events.csv", "/export/status.csv", "/feeds/events.atom", "/api/events", "/api/status"]:
        assert_security_headers(client.get(url), url)


def test_the_admin_has_the_same_strict_policy_and_no_inline_script(admin_client, scripted_record):
    event = scripted_record
    for url in [
        "/admin/",
        "/admin/tracker/event/",
        "/admin/tracker/event/add/",
        f"/admin/tracker/event/{event.pk}/change/",
        f"/admin/tracker/instrument/{event.instrument.pk}/change/",
        f"/admin/tracker/sourcedocument/{event.source.pk}/change/",
        "/admin/tracker/sourcedocument/add-from-text/",
        "/admin/tracker/event/import/",
        "/admin/tracker/event/export/",
        f"/admin/tracker/event/{event.pk}/history/",
    ]:
        response = admin_client.get(url)

        assert response.status_code == 200, url
        assert_security_headers(response, url)
        scripts = inline_code_in(
            response.content.decode(), kinds={"inline script", "inline event handler", "javascript: address"}
        )
        assert not scripts, (url, scripts)


def test_the_admin_login_page_works_under_the_policy(client):
    response = client.get("/admin/login/")

    assert_security_headers(response, "/admin/login/")
    assert not inline_code_in(response.content.decode())


def test_the_only_inline_handler_the_policy_allows_is_the_export_pages_select_all(admin_client, db):
    html = admin_client.get("/admin/tracker/event/export/").content.decode()
    handler = re.search(r'onchange="([^"]+)"', html).group(1)
    digest = base64.b64encode(hashlib.sha256(handler.encode()).digest()).decode()

    policy = csp_directives(admin_client.get("/admin/"))

    assert f"'sha256-{digest}'" in policy["script-src"]
    assert [source for source in policy["script-src"] if source.startswith("'sha")] == [f"'sha256-{digest}'"]

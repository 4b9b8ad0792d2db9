"""The Content-Security-Policy and the other security headers, on every page type, export, feed and admin page."""

import base64
import hashlib
import re

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

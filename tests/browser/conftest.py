"""Playwright against pytest-django's live server, on Debian's chromium.

Without /usr/bin/chromium the browser tests skip, saying why, unless
REQUIRE_BROWSER=1 (as in CI), where a missing browser is a failure.
"""

import os
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer
from pytest_django.live_server_helper import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module", autouse=True)
def _orm_beside_playwright():
    """Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM calls from it.

    Set only while browser tests run: left in the environment, it would leak into the
    subprocesses other tests start (and fail ``check --deploy``).
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class OneRequestAtATimeServer(ThreadedWSGIServer):
    """Django's live server, answering one request at a time.

    The server shares the test's in-memory SQLite connection, so two requests handled at once
    (an autocomplete lookup still running when the form is posted, as a browser does) interleave
    their savepoints on that one connection and one of them fails ("no such savepoint", seen in
    CI). Connections are still accepted in parallel, so a browser's idle preconnected socket
    cannot block the others; only the application, and the reading of its body (which may query
    the database as it streams), is taken in turn.
    """

    def set_app(self, application):
        in_turn = threading.Lock()

        def one_at_a_time(environ, start_response):
            with in_turn:
                response = application(environ, start_response)
                try:
                    return list(response)
                finally:
                    response.close()

        super().set_app(one_at_a_time)


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server (same address option), made to answer one request at a time."""
    address = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    server = LiveServer(address, start=False)
    server.thread.server_class = OneRequestAtATimeServer
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def curated_site(transactional_db, live_server):
    call_command("load_record", verbosity=0)
    return live_server


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORTS["desktop"], accept_downloads=True, locale="en-GB")
    page = context.new_page()
    # A wedged page should fail the test, not hang CI.
    page.set_default_timeout(15_000)
    yield page
    # Let the page's last requests finish first: the live server shares the test's in-memory database
    # connection, and a request still running when the next test starts broke its transactions ("no such
    # savepoint", seen in CI).
    page.wait_for_load_state("networkidle")
    context.close()


@pytest.fixture
def screenshot(browser):
    """Saves a page at desktop and phone width under test-artifacts/screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(url: str, name: str, status: int = 200):
        for width_name, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport, locale="en-GB")
            shot = context.new_page()
            response = shot.goto(url)
            assert response.status == status, url
            shot.screenshot(path=str(SCREENSHOTS / f"{name}-{width_name}.png"), full_page=True)
            context.close()

    return take

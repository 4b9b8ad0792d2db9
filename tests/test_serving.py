"""How the site is served (scripts/serve, deploy/nginx.conf): slow clients must not take it offline (issue 17).

These start the real thing, nginx in front of gunicorn, on a throw-away SQLite database. Without nginx they are
skipped, except where REQUIRE_NGINX=1 (CI), where a missing nginx is a failure.
"""

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.fixture(scope="module")
def nginx():
    if not os.access(NGINX, os.X_OK):
        if os.environ.get("REQUIRE_NGINX") == "1":
            pytest.fail("REQUIRE_NGINX=1 but nginx is not installed")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    return NGINX


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str, timeout: float = 10, **headers) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def site(nginx, tmp_path_factory):
    """(port, database file): `scripts/serve` with two workers on a migrated, empty database."""
    directory = tmp_path_factory.mktemp("serve")
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "CLIENT_IP_HEADER"}}
    env |= {
        "DATABASE_URL": f"sqlite:///{directory / 'db.sqlite3'}",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "NGINX": nginx,
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=PROJECT, env=env, check=True, capture_output=True
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=PROJECT,
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    env |= {"LISTEN": f"127.0.0.1:{port}", "WORKERS": "2"}
    with open(directory / "serve.log", "w") as log:
        server = subprocess.Popen(["bash", "scripts/serve"], cwd=PROJECT, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while True:
        try:
            if get(port, "/states/")[0] == 200:
                break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("scripts/serve did not answer:\n" + (directory / "serve.log").read_text())
            time.sleep(0.3)
    yield port, directory / "db.sqlite3"
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)


def slow_loris(port: int, count: int) -> list[socket.socket]:
    """``count`` connections that each send half a request and then nothing."""
    connections = []
    for number in range(count):
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
        if number % 2:
            connection.sendall(b"POST /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\nab")
        else:
            connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n")
        connections.append(connection)
    return connections


def test_twenty_slow_clients_leave_ordinary_requests_answered(site):
    port, _database = site
    connections = slow_loris(port, 20)
    try:
        time.sleep(1)  # with gunicorn alone, by now every worker was waiting on a slow client

        answers = [get(port, path, timeout=10)[0] for path in ["/states/", "/events/", "/api/states", "/states/"]]
    finally:
        for connection in connections:
            connection.close()

    assert answers == [200, 200, 200, 200]


def test_the_lockout_sees_the_address_nginx_sees_not_one_the_client_claims(site):
    port, database = site
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/admin/login/")
    page = connection.getresponse()
    cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie")).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.read()).group(1).decode()
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "someone", "password": "wrong"})
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookie}",
        "Referer": f"http://127.0.0.1:{port}/admin/login/",
        "X-Real-IP": "203.0.113.9",
        "X-Forwarded-For": "203.0.113.9",
    }
    connection.request("POST", "/admin/login/", form, headers)
    assert connection.getresponse().status == 200
    connection.close()

    with sqlite3.connect(database) as db:
        addresses = {row[0] for row in db.execute("SELECT ip_address FROM axes_accessattempt")}

    assert addresses == {"127.0.0.1"}

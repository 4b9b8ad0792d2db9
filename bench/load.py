"""Load and fault test: the site as `make serve` serves it (nginx in front of gunicorn's workers) under mixed
traffic from many concurrent clients (issues 7 and 17).

Run from the project root, on SQLite (a throw-away file) or on a throw-away PostgreSQL:

    .venv/bin/python bench/load.py --faults --slow-clients 20
    bash scripts/with-postgres .venv/bin/python bench/load.py --faults --slow-clients 20

It migrates and loads the curated record into the database, collects static files, starts
the site on loopback with DEBUG off (`scripts/serve`; `--front gunicorn` for gunicorn alone, as
it was served before issue 17), and sends traffic from --clients threads for --duration
seconds: the matrix at random dates, instrument and state pages, filtered event lists, CSV
exports, the API and admin login attempts (wrong passwords, which django-axes locks out with a
429, and right ones). With --faults it kills a gunicorn worker with SIGKILL a third of the way
in and, on PostgreSQL, restarts the database server half way, then reports whether the site
recovered by itself. With --slow-clients N, N more connections send their requests as slowly as a
slow-loris attack does (a header line, or a byte of a POST body, every few seconds, never finishing),
reconnecting whenever the server hangs up. The record's checksum (a backup_record dump) is compared
before and after.

Bounded: loopback only, at most --max-requests requests, and the server is stopped at the end.
"""

import argparse
import hashlib
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"
FIRST_DAY, LAST_DAY = date(1992, 1, 1).toordinal(), date(2026, 12, 31).toordinal()
STAFF = ("bench-staff", "bench-password-" + secrets.token_hex(8))


@dataclass
class Sample:
    started: float
    seconds: float
    kind: str
    status: int  # 0: no HTTP answer (connection refused or reset)


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    faults: list[tuple[float, str]] = field(default_factory=list)
    slow_connections: int = 0

    def add(self, sample: Sample):
        with self.lock:
            self.samples.append(sample)

    def slow_connection_opened(self):
        with self.lock:
            self.slow_connections += 1


def server_env(database_url: str) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        # Plain http on loopback: no TLS here to redirect to or to mark cookies for.
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "ERROR",
    }


def manage(env, *args) -> None:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=PROJECT, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"manage.py {args[0]} failed:\n{result.stderr[-3000:]}")


def record_checksum(env) -> str:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "record.json"
        manage(env, "backup_record", str(path))
        return hashlib.sha256(path.read_bytes()).hexdigest()


def prepare(env):
    manage(env, "migrate", "--noinput")
    manage(env, "load_record")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    manage(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from django.contrib.auth.models import User;"
        f"User.objects.filter(username={STAFF[0]!r}).delete();"
        f"User.objects.create_user({STAFF[0]!r}, password={STAFF[1]!r}, is_staff=True)",
    )


def start_front(env, port: int, workers: int, pidfile: Path) -> tuple[subprocess.Popen, Path]:
    """The site as `make serve` runs it: nginx on the port, gunicorn behind it; (the process, its log)."""
    log = pidfile.with_name("serve.log")
    serve_env = env | {"LISTEN": f"{HOST}:{port}", "WORKERS": str(workers), "PIDFILE": str(pidfile)}
    process = subprocess.Popen(
        ["bash", "scripts/serve"],
        cwd=PROJECT,
        env=serve_env,
        stdout=subprocess.DEVNULL,
        stderr=open(log, "w"),  # noqa: SIM115 (closed with the process)
    )
    wait_until_answering(process, port, log)
    return process, log


def start_gunicorn(env, port: int, workers: int, pidfile: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "tracker.wsgi",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            "--pid",
            str(pidfile),
            "--log-level",
            "warning",
        ],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(pidfile.with_suffix(".log"), "w"),  # noqa: SIM115 (closed with the process)
    )
    wait_until_answering(process, port, pidfile.with_suffix(".log"))
    return process


def wait_until_answering(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if request(port, "GET", "/states/")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"the site did not answer on {HOST}:{port}; see {log}")


def request(port, method, path, body=None, headers=None, timeout=30) -> tuple[int, bytes, http.client.HTTPResponse]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), response
    finally:
        connection.close()


class Traffic:
    """The mix of requests one client sends, drawn at random with fixed weights."""

    def __init__(self, port: int, names: dict[str, list[str]]):
        self.port = port
        self.names = names
        self.kinds = [
            ("matrix", 30, self.matrix),
            ("instrument", 15, self.instrument),
            ("state", 10, self.state),
            ("events", 15, self.events),
            ("export", 10, self.export),
            ("api", 10, self.api),
            ("admin_login", 10, self.admin_login),
        ]

    def pick(self, rng: random.Random):
        return rng.choices(self.kinds, weights=[weight for _, weight, _ in self.kinds])[0]

    @staticmethod
    def day(rng) -> str:
        # Any day from the Collective Security Treaty's year to the end of this one.
        return date.fromordinal(rng.randint(FIRST_DAY, LAST_DAY)).isoformat()

    def matrix(self, rng):
        query = {"as_of": self.day(rng)}
        if rng.random() < 0.3:
            query["compare"] = self.day(rng)
        return self.get("/?" + urllib.parse.urlencode(query))

    def instrument(self, rng):
        return self.get(f"/instruments/{rng.choice(self.names['instruments'])}/?as_of={self.day(rng)}")

    def state(self, rng):
        return self.get(f"/states/{rng.choice(self.names['states'])}/?as_of={self.day(rng)}")

    def events(self, rng):
        query = {"sort": rng.choice(["date", "-date", "instrument", "state"]), "page": rng.randint(1, 3)}
        if rng.random() < 0.5:
            query["state"] = rng.choice(self.names["states"])
        if rng.random() < 0.4:
            query["type"] = rng.choice(["ratified", "signed", "in_force", "adopted"])
        return self.get("/events/?" + urllib.parse.urlencode(query))

    def export(self, rng):
        path = rng.choice(
            [f"/export/status.csv?as_of={self.day(rng)}", "/export/events.csv", "/export/instruments.csv"]
        )
        return self.get(path)

    def api(self, rng):
        return self.get(rng.choice([f"/api/status?as_of={self.day(rng)}", "/api/events?limit=50", "/api/instruments"]))

    def admin_login(self, rng):
        status, body, response = request(self.port, "GET", "/admin/login/")
        if status != 200:
            return status
        cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if not (cookie and token):
            return 599  # a login page without its CSRF token is a failure of ours
        right = rng.random() < 0.2
        username, password = STAFF if right else (f"guesser-{rng.randint(1, 20)}", "wrong-password")
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1).decode(), "username": username, "password": password}
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie.group(1)}",
            "Referer": f"http://{HOST}:{self.port}/admin/login/",
        }
        return request(self.port, "POST", "/admin/login/?next=/admin/", form, headers)[0]

    def get(self, path):
        return request(self.port, "GET", path)[0]


def client_loop(traffic: Traffic, run: Run, seed: int, deadline: float, budget: threading.Semaphore):
    rng = random.Random(seed)
    while time.monotonic() < deadline and budget.acquire(blocking=False):
        kind, _, send = traffic.pick(rng)
        started = time.monotonic()
        try:
            status = send(rng)
        except (OSError, http.client.HTTPException):
            status = 0
        run.add(Sample(started, time.monotonic() - started, kind, status))


# A slow-loris client sends the next piece of its request this often.
SLOW_INTERVAL_S = 2


def slow_client(port: int, run: Run, number: int, deadline: float):
    """One slow-loris connection: a request that never finishes, sent a piece every few seconds; again if cut.

    Half of them trickle header lines of a GET, half the body of a POST whose headers promised 100 kB.
    """
    if number % 2:
        opening = (
            f"POST /admin/login/ HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
        ).encode()
        piece = b"a"
    else:
        opening, piece = f"GET / HTTP/1.1\r\nHost: {HOST}:{port}\r\n".encode(), b"X-Slow: 1\r\n"
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=5) as connection:
                run.slow_connection_opened()
                connection.sendall(opening)
                while time.monotonic() < deadline:
                    time.sleep(SLOW_INTERVAL_S)
                    connection.sendall(piece)
        except OSError:
            time.sleep(0.5)  # the server hung up (nginx's client timeouts): come back, as an attacker would


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def restart_postgres(database_url: str) -> str:
    """Restart the PostgreSQL server behind DATABASE_URL (fast shutdown: open connections are cut)."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        data_directory = connection.execute("SHOW data_directory").fetchone()[0]
    pg_ctl = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")) / "pg_ctl"
    # The new server logs to a file: on a pipe of ours it would keep the pipe open, and us waiting.
    log = Path(data_directory).parent / "restart.log"
    command = [str(pg_ctl), "-D", data_directory, "-l", str(log), "-m", "fast", "-w", "restart"]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    return data_directory


def inject_faults(run: Run, master: int, database_url: str, start: float, duration: float):
    time.sleep(duration / 3)
    victims = worker_pids(master)
    if victims:
        os.kill(victims[0], signal.SIGKILL)
        run.faults.append((time.monotonic() - start, f"SIGKILL gunicorn worker {victims[0]}"))
    if database_url.startswith("postgres"):
        time.sleep(max(duration / 2 - (time.monotonic() - start), 0))
        run.faults.append((time.monotonic() - start, "PostgreSQL restart begins"))
        restart_postgres(database_url)
        run.faults.append((time.monotonic() - start, "PostgreSQL restart done"))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * share), len(ordered) - 1)] if ordered else 0.0


def summarise(run: Run, start: float, duration: float) -> dict:
    samples = run.samples
    latencies = [sample.seconds * 1000 for sample in samples]
    by_status: dict[str, int] = {}
    for sample in samples:
        by_status[str(sample.status)] = by_status.get(str(sample.status), 0) + 1
    failures = [sample for sample in samples if sample.status >= 500 or sample.status == 0]
    last_failure = max((sample.started + sample.seconds - start for sample in failures), default=None)
    by_kind = {}
    for kind in sorted({sample.kind for sample in samples}):
        times = [sample.seconds * 1000 for sample in samples if sample.kind == kind]
        by_kind[kind] = {"count": len(times), "p50_ms": round(statistics.median(times), 1)}
    return {
        "requests": len(samples),
        "requests_per_second": round(len(samples) / duration, 1),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "statuses": dict(sorted(by_status.items())),
        "server_errors_5xx": sum(1 for sample in samples if sample.status >= 500),
        "no_answer": sum(1 for sample in samples if sample.status == 0),
        "last_failure_at_s": round(last_failure, 1) if last_failure is not None else None,
        "faults": [(round(at, 1), what) for at, what in run.faults],
        "by_kind": by_kind,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of traffic")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--max-requests", type=int, default=500_000, help="a hard cap on requests sent")
    parser.add_argument("--faults", action="store_true", help="kill a worker, and restart PostgreSQL, mid-run")
    parser.add_argument("--slow-clients", type=int, default=0, help="slow-loris connections alongside the clients")
    parser.add_argument(
        "--front",
        choices=["nginx", "gunicorn"],
        default="nginx",
        help="nginx in front of gunicorn, as make serve runs it (default), or gunicorn alone, as before issue 17",
    )
    parser.add_argument("--json", type=Path, help="also write the summary here")
    options = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="tracker-load-"))
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{scratch / 'load.sqlite3'}"
    env = server_env(database_url)
    engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"== {engine}: preparing the database", flush=True)
    prepare(env)
    before = record_checksum(env)

    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
    master_pidfile = scratch / "gunicorn.pid"
    if options.front == "nginx":
        server, server_log_path = start_front(env, port, options.workers, master_pidfile)
    else:
        server = start_gunicorn(env, port, options.workers, master_pidfile)
        server_log_path = master_pidfile.with_suffix(".log")
    master = int(master_pidfile.read_text())
    try:
        names = {
            "instruments": [
                item["slug"] for item in json.loads(request(port, "GET", "/api/instruments?limit=500")[1])["items"]
            ],
            "states": [item["slug"] for item in json.loads(request(port, "GET", "/api/states")[1])["items"]],
        }
        traffic = Traffic(port, names)
        run = Run()
        budget = threading.Semaphore(options.max_requests)
        start = time.monotonic()
        deadline = start + options.duration
        print(
            f"== {options.clients} clients and {options.slow_clients} slow ones for {options.duration:.0f} s against"
            f" {options.workers} workers behind {options.front}",
            flush=True,
        )
        threads = [
            threading.Thread(target=slow_client, args=(port, run, number, deadline), daemon=True)
            for number in range(options.slow_clients)
        ]
        threads += [
            threading.Thread(target=client_loop, args=(traffic, run, seed, deadline, budget), daemon=True)
            for seed in range(options.clients)
        ]
        if options.faults:
            threads.append(
                threading.Thread(
                    target=inject_faults, args=(run, master, database_url, start, options.duration), daemon=True
                )
            )
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=options.duration + 120)
        summary = summarise(run, start, time.monotonic() - start)
        # After the run: does the site answer on every page type by itself?
        summary["after_run"] = {
            path: request(port, "GET", path)[0] for path in ["/", "/events/", "/export/events.csv", "/api/status"]
        }
        summary["workers_alive_after"] = len(worker_pids(master))
        summary["slow_connections_opened"] = run.slow_connections
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    summary["record_checksum_before"] = before
    summary["record_checksum_after"] = record_checksum(env)
    summary["record_unchanged"] = summary["record_checksum_before"] == summary["record_checksum_after"]
    summary["engine"] = engine
    summary["clients"], summary["workers"], summary["duration_s"] = options.clients, options.workers, options.duration
    summary["front"], summary["slow_clients"] = options.front, options.slow_clients
    print(json.dumps(summary, indent=2))
    if options.json:
        options.json.write_text(json.dumps(summary, indent=2) + "\n")
    # What the server logged (errors only, LOG_LEVEL=ERROR): every 5xx has its traceback there.
    server_log = server_log_path.read_text(errors="replace")
    if options.json:
        options.json.with_suffix(".server.log").write_text(server_log)
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

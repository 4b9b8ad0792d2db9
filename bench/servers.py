"""Servers the benchmark starts on loopback (gunicorn for the tracker, Datasette), timed requests, and RSS sampling."""

import http.client
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """A child process serving HTTP on 127.0.0.1; stopped (with its children) on ``stop()``."""

    def __init__(self, name: str, command: list[str], *, port: int, env: dict | None = None, cwd: Path | None = None):
        self.name, self.port = name, port
        self.log = open(f"/tmp/bench-{name}-{port}.log", "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_until_up(self, path: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log.name}")
            try:
                status, _, _ = get(self.port, path, timeout=30)
                if status < 500:
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer on port {self.port} within {timeout:.0f} s")

    def worker_pid(self) -> int:
        """The process that serves requests: gunicorn's single worker, or the server itself."""
        children = _children(self.process.pid)
        return children[0] if children else self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces; the parent id follows it.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid:
            found.append(int(entry.name))
    return sorted(found)


def get(port: int, path: str, timeout: float = 600) -> tuple[int, int, float]:
    """GET ``path`` and read the whole body; return (status, bytes, seconds)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": f"{HOST}:{port}"})
        response = connection.getresponse()
        size = 0
        while chunk := response.read(1 << 16):
            size += len(chunk)
        return response.status, size, time.perf_counter() - started
    finally:
        connection.close()


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


class PeakRss:
    """Samples a process's resident memory every few milliseconds while a request runs."""

    def __init__(self, pid: int, interval: float = 0.005):
        self.pid, self.interval = pid, interval
        self.baseline = rss_mb(pid)
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        _reset_peak(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        # The kernel's own high-water mark catches a peak between two samples.
        self.peak = max(self.peak, rss_mb(self.pid, "VmHWM") if _reset_peak.worked else 0.0)

    def _sample(self):
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, rss_mb(self.pid))
            except OSError:
                return
            time.sleep(self.interval)


def _reset_peak(pid: int) -> None:
    # Writing 5 to clear_refs resets VmHWM (Linux >= 4.0); without permission we rely on sampling alone.
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        _reset_peak.worked = True
    except OSError:
        _reset_peak.worked = False


_reset_peak.worked = False


def gunicorn(python: Path, root: Path, database_url: str, name: str) -> Server:
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-key-not-secret-" + "x" * 30,
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "ERROR",
    }
    # The deployment's own settings (the collector's freeze after the worker loads the app), as make serve uses them.
    command = [str(python), "-m", "gunicorn", "tracker.wsgi", "--config", "deploy/gunicorn.conf.py"]
    command += ["--bind", f"{HOST}:{port}", "--workers", "1"]
    command += ["--timeout", "600", "--log-level", "warning"]
    return Server(name, command, port=port, env=env, cwd=root)


def datasette(venv: Path, sqlite_path: Path) -> Server:
    port = free_port()
    command = [str(venv / "bin" / "datasette"), "serve", str(sqlite_path), "-h", HOST, "-p", str(port)]
    # Long enough for the counts on a large filtered table, as on a real deployment.
    command += ["--setting", "sql_time_limit_ms", "20000"]
    return Server("datasette", command, port=port)

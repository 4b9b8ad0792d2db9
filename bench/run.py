"""The scale benchmark (issue 6): the tracker beside Datasette and raw SQL on a UN-sized synthetic record.

    python bench/run.py --db bench/synthetic.sqlite3 [--rounds 10] [--export-rounds 3] [--quick] [--json FILE]
    bash scripts/with-postgres python bench/run.py --db bench/synthetic.sqlite3 --database-url '$DATABASE_URL'

Builds the SQLite files once (full scale, and a tenth for the 1x/10x comparisons), starts the tracker
under gunicorn (one worker, DEBUG off) and Datasette on 127.0.0.1, measures every scenario round by
round, interleaved (tracker, Datasette, raw SQL, next scenario), so that a noisy machine slows all
three alike, and prints the table. Everything it starts, it stops. See bench/README.md.

--quick runs the same scenarios on a tenth of the record (a few minutes); --json FILE also writes the ratios that
the targets are stated in, and every median, for a script to compare runs.
"""

import argparse
import dataclasses
import datetime
import json
import math
import os
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PROJECT_PYTHON = ROOT / ".venv" / "bin" / "python"
BENCH_VENV = BENCH / ".venv"

try:
    import django  # noqa: F401  (only to check we run in the project's environment)
except ImportError:
    # Re-run under the project's virtual environment, which has Django, gunicorn and psycopg.
    os.execv(PROJECT_PYTHON, [str(PROJECT_PYTHON), __file__, *sys.argv[1:]])

sys.path.insert(0, str(BENCH))
import floors  # noqa: E402
from servers import PeakRss, datasette, get, gunicorn  # noqa: E402

FULL = {"states": 200, "instruments": 600, "events": 150_000}
TENTH = {"states": 200, "instruments": 60, "events": 15_000}
# --quick: a tenth of the record, and a tenth of that for the 1x / 10x query counts. The matrix keeps its
# 50 instruments x 200 states, so its figures stay comparable with a full run's.
QUICK = TENTH
QUICK_TENTH = {"states": 200, "instruments": 50, "events": 1_500}
SEED = 1
AS_OF = "2020-01-01"
# 50 instruments (tracker.synthetic.SERIES_SIZE): the first series, the only one whole in every record size,
# so the --quick matrix is 50 x 200 too and the 1x and 10x query counts read the same page.
MATRIX_SERIES = "Series 000"
PAGE_SIZE = 50  # tracker.tables.EventTable.Meta.per_page
DEEP_PAGE = 1500  # of the unfiltered events list (150 with --quick, a tenth as deep)


@dataclasses.dataclass
class Scenario:
    name: str
    rows: int
    tracker: str
    datasette: str | None
    floor: tuple[str, tuple] | None
    rounds: int
    times: dict[str, list[float]] = dataclasses.field(
        default_factory=lambda: {"tracker": [], "datasette": [], "raw": []}
    )
    # Ask for a new address each round, so that the tracker cannot answer from its page cache: a new
    # as-of date for the matrix, a parameter the page ignores for the others.
    uncached: bool = False
    # The name of the ratio this scenario's target is stated in (issue 18), for --json.
    target: str | None = None

    def tracker_url(self, round_number: int) -> str:
        if not self.uncached:
            return self.tracker
        if f"as_of={AS_OF}" in self.tracker:
            day = datetime.date.fromisoformat(AS_OF) + datetime.timedelta(days=round_number + 1)
            return self.tracker.replace(f"as_of={AS_OF}", f"as_of={day.isoformat()}")
        return f"{self.tracker}&fresh={round_number}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, type=Path, help="The full-scale SQLite file (built if missing).")
    parser.add_argument("--rounds", type=int, default=10, help="Requests per page scenario (default 10).")
    parser.add_argument("--export-rounds", type=int, default=3, help="Requests per CSV export (default 3).")
    parser.add_argument("--database-url", help="Run the tracker and the raw SQL on this PostgreSQL database instead.")
    parser.add_argument("--quick", action="store_true", help="A tenth of the record and fewer rounds (minutes).")
    parser.add_argument("--json", type=Path, help="Also write the target ratios and every median to this file.")
    args = parser.parse_args()
    full_size, tenth_size = (QUICK, QUICK_TENTH) if args.quick else (FULL, TENTH)
    if args.quick:
        args.rounds, args.export_rounds = min(args.rounds, 5), min(args.export_rounds, 2)
    args.deep_page = DEEP_PAGE // 10 if args.quick else DEEP_PAGE

    ensure_bench_venv()
    full_sqlite = args.db.resolve()
    if args.quick:
        full_sqlite = full_sqlite.with_name(full_sqlite.stem + "-quick" + full_sqlite.suffix)
    tenth_sqlite = full_sqlite.with_name(full_sqlite.stem + "-tenth" + full_sqlite.suffix)
    build_sqlite(full_sqlite, full_size)
    build_sqlite(tenth_sqlite, tenth_size)
    materialise_status_rows(full_sqlite)
    if args.database_url:
        full_url, tenth_url = args.database_url, tenth_database(args.database_url)
        build_database(full_url, full_size)
        build_database(tenth_url, tenth_size)
        backend = "PostgreSQL"
    else:
        full_url, tenth_url = f"sqlite:///{full_sqlite}", f"sqlite:///{tenth_sqlite}"
        backend = "SQLite"
    manage(full_url, "collectstatic", "--noinput", "--verbosity", "0", extra_env={"DEBUG": "0"})

    floor_db, placeholder = connect(full_url)
    scenarios = build_scenarios(floor_db, placeholder, sqlite3.connect(full_sqlite), full_sqlite.stem, args)
    memory = measure_memory(full_url, tenth_url)
    counts = {
        "1x": query_counts(tenth_url, [s.tracker for s in scenarios]),
        "10x": query_counts(full_url, [s.tracker for s in scenarios]),
    }

    tracker, ds = gunicorn(PROJECT_PYTHON, ROOT, full_url, "tracker"), datasette(BENCH_VENV, full_sqlite)
    try:
        tracker.wait_until_up("/states/")
        ds.wait_until_up("/")
        measure(scenarios, tracker.port, ds.port, floor_db, placeholder)
    finally:
        tracker.stop()
        ds.stop()
    report(backend, scenarios, counts, memory)
    result = figures(backend, scenarios, counts)
    if args.database_url:
        result["database_ms"] = database_times(full_url, full_size)
        report_database_times(result["database_ms"])
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
        print(f"\nFigures written to {args.json}")


# Building -----------------------------------------------------------------


def ensure_bench_venv():
    if (BENCH_VENV / "bin" / "datasette").exists():
        return
    print("Creating bench/.venv with Datasette ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(BENCH_VENV)], check=True)
    pip = [str(BENCH_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "-r", str(BENCH / "requirements.txt")], check=True)


def manage(database_url: str, *command: str, extra_env: dict | None = None):
    env = os.environ | {"DATABASE_URL": database_url} | (extra_env or {})
    if extra_env and extra_env.get("DEBUG") == "0":
        env |= {"SECRET_KEY": "benchmark-only-key-not-secret-" + "x" * 30, "SECURE_SSL_REDIRECT": "0"}
    subprocess.run([str(PROJECT_PYTHON), str(ROOT / "manage.py"), *command], env=env, check=True, cwd=ROOT)


def generate(database_url: str, sizes: dict):
    options = [f"--{name}={value}" for name, value in sizes.items()]
    manage(database_url, "migrate", "--noinput", "--verbosity", "0")
    manage(database_url, "generate_synthetic", f"--seed={SEED}", *options)


def build_sqlite(path: Path, sizes: dict):
    if path.exists():
        # The schema may have moved on since the file was built.
        manage(f"sqlite:///{path}", "migrate", "--noinput", "--verbosity", "0")
        # A file built before the status spans (or by older code) has none written for it yet.
        manage(f"sqlite:///{path}", "rebuild_status_spans", "--if-stale")
        return
    print(f"Building {path.name} ({sizes['events']:,} events) ...", flush=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    generate(f"sqlite:///{partial}", sizes)
    partial.rename(path)


def build_database(url: str, sizes: dict):
    manage(url, "migrate", "--noinput", "--verbosity", "0")
    db, _ = connect(url)
    held = db.cursor().execute("SELECT COUNT(*) FROM tracker_event").fetchone()[0]
    db.close()
    if held != sizes["events"]:
        print(f"Filling {url.rsplit('/', 1)[-1]} ({sizes['events']:,} events) ...", flush=True)
        generate(url, sizes)
    manage(url, "rebuild_status_spans", "--if-stale")
    # The planner's statistics of the tables just filled, as autovacuum gathers them within a minute or so of a bulk
    # write on any server: measured before that, the status export's spans were joined to their events through hash
    # tables spilled to disk, 331 ms of database time against 155 ms a few minutes later (issue 18). VACUUM too, as
    # autovacuum does after a bulk insert (PostgreSQL 13+): until the visibility map is set, an index-only scan
    # visits the table for every row, and the deep events page's keys (OFFSET 74,950 on (known_from, id)) took
    # 51 ms with 75,000 heap fetches against 4 ms with none, its COUNT(*) 29 ms against 7 ms.
    db, _ = connect(url)
    db.execute("VACUUM ANALYZE")
    db.close()


def tenth_database(url: str) -> str:
    """A second PostgreSQL database beside ``url`` for the record a tenth the size; created if missing."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/") + "_tenth"
    with psycopg.connect(url, autocommit=True) as db:
        if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            db.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def materialise_status_rows(path: Path):
    """The status export's rows as a table, so Datasette can stream the same 120,000 rows as CSV."""
    db = sqlite3.connect(path)
    if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'bench_status'").fetchone():
        db.execute("CREATE TABLE bench_status AS " + floors.sql(floors.STATUS_ROWS, "?"), [AS_OF])
        db.commit()
    db.close()


def connect(url: str):
    if url.startswith("sqlite"):
        return sqlite3.connect(url.removeprefix("sqlite:///")), "?"
    import psycopg

    return psycopg.connect(url, autocommit=True), "%s"


# Scenarios ------------------------------------------------------------------


def build_scenarios(db, placeholder, sqlite_db, ds_name, args) -> list[Scenario]:
    one = lambda query, *params: db.cursor().execute(query.replace("?", placeholder), params).fetchone()  # noqa: E731
    # A state with a typical number of signatures, so the filtered list is neither empty nor the largest.
    counts = db.cursor().execute(
        "SELECT state_id, COUNT(*) FROM tracker_event WHERE type = 'signed' AND state_id IS NOT NULL "
        "GROUP BY state_id ORDER BY 2, 1"
    )
    counts = counts.fetchall()
    state_id, signed = counts[len(counts) // 2]
    slug = one("SELECT slug FROM tracker_memberstate WHERE id = ?", state_id)[0]
    last_page = math.ceil(signed / PAGE_SIZE)
    instruments, states = (one(f"SELECT COUNT(*) FROM tracker_{t}")[0] for t in ("instrument", "memberstate"))
    events = one("SELECT COUNT(*) FROM tracker_event")[0]

    # Datasette pages with keyset links: the token names the last row of the page before.
    ds_state_id = sqlite_db.execute("SELECT id FROM tracker_memberstate WHERE slug = ?", [slug]).fetchone()[0]

    def ds_next(where: str, params: list, page: int) -> str:
        query = f"SELECT known_from, id FROM tracker_event {where} ORDER BY known_from, id LIMIT 1 OFFSET ?"
        row = sqlite_db.execute(query, [*params, (page - 1) * PAGE_SIZE - 1]).fetchone()
        return "&_next=" + urllib.parse.quote(f"{row[0]},{row[1]}")

    ds_filter = f"/{ds_name}/tracker_event?state_id={ds_state_id}&type=signed&_sort=known_from&_size={PAGE_SIZE}"
    ds_all = f"/{ds_name}/tracker_event?_sort=known_from&_size={PAGE_SIZE}"
    tracker_filter = f"/events/?state={slug}&type=signed&sort=date"
    query = urllib.parse.quote(MATRIX_SERIES)
    pages, exports = args.rounds, args.export_rounds
    return [
        Scenario(
            f"matrix, 50 instruments x {states} states (repeated: the same date again)",
            50 * states,
            f"/?as_of={AS_OF}&q={query}",
            None,
            (floors.MATRIX, (f"%{MATRIX_SERIES}%", AS_OF)),
            pages,
        ),
        Scenario(
            f"matrix, 50 instruments x {states} states (uncached: a new date each round)",
            50 * states,
            f"/?as_of={AS_OF}&q={query}",
            None,
            (floors.MATRIX, (f"%{MATRIX_SERIES}%", AS_OF)),
            pages,
            uncached=True,
            target="matrix_uncached_vs_raw",
        ),
        Scenario(
            f"status CSV, all {instruments * states:,} pairs",
            instruments * states,
            f"/export/status.csv?as_of={AS_OF}",
            f"/{ds_name}/bench_status.csv?_stream=on&_size=max",
            (floors.STATUS_ROWS, (AS_OF,)),
            exports,
            target="status_csv_vs_datasette",
        ),
        Scenario(
            f"events list, state + type, page 1 of {last_page} (repeated)",
            PAGE_SIZE,
            tracker_filter,
            ds_filter,
            (floors.EVENTS_PAGE, (state_id, "signed", state_id, "signed", 0)),
            pages,
        ),
        Scenario(
            f"events list, state + type, page 1 of {last_page} (uncached)",
            PAGE_SIZE,
            tracker_filter,
            ds_filter,
            (floors.EVENTS_PAGE, (state_id, "signed", state_id, "signed", 0)),
            pages,
            uncached=True,
            target="events_uncached_vs_datasette",
        ),
        Scenario(
            f"events list, state + type, page {last_page} (last, repeated)",
            signed - (last_page - 1) * PAGE_SIZE,
            f"{tracker_filter}&page={last_page}",
            ds_filter + ds_next("WHERE state_id = ? AND type = 'signed'", [ds_state_id], last_page),
            (floors.EVENTS_PAGE, (state_id, "signed", state_id, "signed", (last_page - 1) * PAGE_SIZE)),
            pages,
        ),
        Scenario(
            f"events list, unfiltered, page {args.deep_page} (repeated)",
            PAGE_SIZE,
            f"/events/?sort=date&page={args.deep_page}",
            ds_all + ds_next("", [], args.deep_page),
            (floors.ALL_EVENTS_PAGE, ((args.deep_page - 1) * PAGE_SIZE,)),
            pages,
        ),
        Scenario(
            f"events list, unfiltered, page {args.deep_page} (uncached)",
            PAGE_SIZE,
            f"/events/?sort=date&page={args.deep_page}",
            ds_all + ds_next("", [], args.deep_page),
            (floors.ALL_EVENTS_PAGE, ((args.deep_page - 1) * PAGE_SIZE,)),
            pages,
            uncached=True,
            target="events_deep_uncached_vs_datasette",
        ),
        Scenario(
            f"events CSV, all {events:,} events",
            events,
            "/export/events.csv",
            f"/{ds_name}/tracker_event.csv?_stream=on&_size=max&_sort=known_from",
            (floors.ALL_EVENTS, ()),
            exports,
            target="events_csv_vs_datasette",
        ),
    ]


# Measuring --------------------------------------------------------------------


def measure(scenarios, tracker_port, ds_port, db, placeholder):
    # Warm every path once (templates, caches, page cache) before anything is timed.
    for scenario in scenarios:
        check(get(tracker_port, scenario.tracker), scenario.tracker)
        if scenario.datasette:
            check(get(ds_port, scenario.datasette), scenario.datasette)
    for round_number in range(max(s.rounds for s in scenarios)):
        print(f"\rround {round_number + 1}", end="", file=sys.stderr, flush=True)
        for scenario in scenarios:
            if round_number >= scenario.rounds:
                continue
            url = scenario.tracker_url(round_number)
            scenario.times["tracker"].append(check(get(tracker_port, url), url))
            if scenario.datasette:
                scenario.times["datasette"].append(check(get(ds_port, scenario.datasette), scenario.datasette))
            if scenario.floor:
                started = time.perf_counter()
                floors.run(db, placeholder, *scenario.floor)
                scenario.times["raw"].append(time.perf_counter() - started)
    print(file=sys.stderr)


def check(result, path) -> float:
    status, size, seconds = result
    if status != 200 or size == 0:
        raise RuntimeError(f"{path} answered {status} with {size} bytes")
    return seconds


def measure_memory(full_url: str, tenth_url: str) -> dict:
    """Peak RSS of a fresh gunicorn worker during each export, at a tenth and at the full record."""
    results = {}
    for export, path in [("status CSV", f"/export/status.csv?as_of={AS_OF}"), ("events CSV", "/export/events.csv")]:
        for scale, url in [("10%", tenth_url), ("100%", full_url)]:
            server = gunicorn(PROJECT_PYTHON, ROOT, url, "memory")
            try:
                server.wait_until_up("/states/")
                get(server.port, "/states/")
                with PeakRss(server.worker_pid()) as rss:
                    status, size, seconds = get(server.port, path)
                results[(export, scale)] = {"baseline": rss.baseline, "peak": rss.peak, "bytes": size, "s": seconds}
            finally:
                server.stop()
    return results


def query_counts(url: str, paths: list[str]) -> dict:
    env = os.environ | {"DATABASE_URL": url}
    out = subprocess.run(
        [str(PROJECT_PYTHON), str(BENCH / "counts.py"), *paths], env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def database_times(url: str, sizes: dict) -> dict:
    """PostgreSQL's own time for every pair's status as of the date: the status export, and the API page by page."""
    pages = range(0, sizes["instruments"], 500)  # tracker.api.schemas.MAX_PAGE_SIZE instruments a page
    paths = [f"/export/status.csv?as_of={AS_OF}"]
    paths += [f"/api/status?as_of={AS_OF}&limit=500&offset={offset}" for offset in pages]
    env = os.environ | {"DATABASE_URL": url}
    out = subprocess.run(
        [str(PROJECT_PYTHON), str(BENCH / "database_time.py"), *paths],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# Reporting --------------------------------------------------------------------


def report_database_times(times: dict) -> None:
    print("\nPostgreSQL's own time for every pair's status (EXPLAIN ANALYZE of each query the URL issued):\n")
    print("| URL | queries | planning ms | execution ms | database ms |")
    print("|---|---:|---:|---:|---:|")
    for path, row in times.items():
        total = row["planning_ms"] + row["execution_ms"]
        print(f"| `{path}` | {row['queries']} | {row['planning_ms']:.1f} | {row['execution_ms']:.1f} | {total:.1f} |")


def ms(values):
    if not values:
        return None
    ordered = sorted(values)
    median = statistics.median(ordered) * 1000
    p90 = ordered[min(len(ordered) - 1, math.ceil(0.9 * len(ordered)) - 1)] * 1000
    return median, p90


def fmt(pair):
    return f"{pair[0]:,.0f} / {pair[1]:,.0f}" if pair else "–"


def ratio(a, b):
    return f"{a[0] / b[0]:.2f}x" if a and b else "–"


def figures(backend, scenarios, counts) -> dict:
    """The ratios the targets are stated in, and the medians behind them (milliseconds).

    For pages a ratio is the tracker's median time over the other's (lower is better); for CSV exports it is the
    tracker's rows per second over the other's, that is the other's time over the tracker's (higher is better).
    """
    result = {"backend": backend, "medians_ms": {}, "queries": {}}
    for s in scenarios:
        medians = {k: statistics.median(v) * 1000 for k, v in s.times.items() if v}
        result["medians_ms"][s.name] = medians
        result["queries"][s.name] = {scale: counts[scale][s.tracker]["queries"] for scale in ("1x", "10x")}
        if s.target is None:
            continue
        if "CSV" in s.name:
            result[s.target] = medians["datasette"] / medians["tracker"]
        elif s.target.endswith("_vs_raw"):
            result[s.target] = medians["tracker"] / medians["raw"]
        else:
            result[s.target] = medians["tracker"] / medians["datasette"]
    return result


def report(backend, scenarios, counts, memory):
    print(f"\n## {backend}: tracker (gunicorn, 1 worker, DEBUG off) vs Datasette (SQLite file) vs raw SQL\n")
    print("| scenario | rows | tracker ms (median / p90) | Datasette ms | raw SQL ms | tracker ÷ raw | "
          "tracker ÷ Datasette | queries 1x / 10x |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for s in scenarios:
        tracker, ds, raw = ms(s.times["tracker"]), ms(s.times["datasette"]), ms(s.times["raw"])
        queries = f"{counts['1x'][s.tracker]['queries']} / {counts['10x'][s.tracker]['queries']}"
        print(
            f"| {s.name} | {s.rows:,} | {fmt(tracker)} | {fmt(ds)} | {fmt(raw)} | {ratio(tracker, raw)} | "
            f"{ratio(tracker, ds)} | {queries} |"
        )
    print("\nRows per second of the CSV exports (median):\n")
    print("| export | tracker rows/s | Datasette rows/s | raw SQL rows/s |")
    print("|---|---:|---:|---:|")
    for s in scenarios:
        if "CSV" in s.name:
            speeds = [f"{s.rows / statistics.median(s.times[k]):,.0f}" if s.times[k] else "–" for k in s.times]
            print(f"| {s.name} | " + " | ".join(speeds) + " |")
    print("\nPeak RSS of the gunicorn worker during each export (fresh worker each time):\n")
    print("| export | 10% of rows: peak MB (baseline) | 100% of rows: peak MB (baseline) | growth 10% -> 100% |")
    print("|---|---:|---:|---:|")
    for export in ("status CSV", "events CSV"):
        tenth, full = memory[(export, "10%")], memory[(export, "100%")]
        growth = (full["peak"] - full["baseline"]) - (tenth["peak"] - tenth["baseline"])
        print(
            f"| {export} | {tenth['peak']:.0f} ({tenth['baseline']:.0f}) | {full['peak']:.0f} ({full['baseline']:.0f}) "
            f"| {growth:+.0f} MB |"
        )


if __name__ == "__main__":
    main()

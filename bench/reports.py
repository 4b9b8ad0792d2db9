"""Time the outstanding-ratifications report as a page, a Word document and a PDF, and one digest run (issue 16).

    DATABASE_URL=sqlite:///bench/reports.sqlite3 .venv/bin/python bench/reports.py --synthetic 20,100,10000

Creates the database (migrate), loads the curated record or, with --synthetic STATES,INSTRUMENTS,EVENTS, a
synthetic one, then prints the median wall-clock and CPU time of five requests of each format, with the file
sizes and the PDF's pages.
Not part of the test suite: timings belong here, not in timed tests.
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

RUNS = 5


def median_seconds(fetch) -> tuple[float, float, object]:
    """Median wall-clock and CPU seconds of ``fetch()``: on a shared machine the CPU time is the steadier figure."""
    walls, cpus, result = [], [], None
    for _ in range(RUNS):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fetch()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--synthetic", help="STATES,INSTRUMENTS,EVENTS for a synthetic record instead of the curated one"
    )
    parser.add_argument("--as-of", default="2024-12-31")
    args = parser.parse_args()

    import django

    django.setup()
    import pypdf
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    from tracker.models import Event

    if not Event.objects.exists():
        if args.synthetic:
            states, instruments, events = (int(n) for n in args.synthetic.split(","))
            call_command("generate_synthetic", states=states, instruments=instruments, events=events, verbosity=0)
        else:
            call_command("load_record", verbosity=0)
    print(f"record: {Event.objects.count()} events")
    client = Client()
    query = {"as_of": args.as_of, "since": "2023-01-01"}
    for fmt in ["html", "docx", "pdf"]:
        wall, cpu, response = median_seconds(
            lambda fmt=fmt: client.get("/reports/outstanding/", query | {"format": fmt})
        )
        assert response.status_code == 200, response.status_code
        extra = ""
        if fmt == "pdf":
            extra = f", {len(pypdf.PdfReader(io.BytesIO(response.content)).pages)} pages"
        size = len(response.content) / 1024
        print(f"{fmt}: median {wall:.2f} s wall, {cpu:.2f} s CPU over {RUNS} runs, {size:.0f} KiB{extra}")


if __name__ == "__main__":
    main()

"""The search on the synthetic record (issue 15): one-word queries over 150,000 events, target under 100 ms.

    .venv/bin/python bench/search.py --db bench/synthetic.sqlite3 [--rounds 20]
    bash scripts/with-postgres sh -c '.venv/bin/python bench/search.py --database-url "$DATABASE_URL"'

Builds the record first if the database has none (``migrate`` + ``generate_synthetic``, as bench/run.py
does), then times, in-process and after one warm-up, what /search/?q=<word> asks the database (the ranked
first page of 20 and the counts by kind) and the whole page and /api/search answer through Django's test
client. Prints the median and the slowest round of each, in milliseconds.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A common word (in 1 event in 6), a rarer one, and one in no text.
WORDS = ["ratified", "peacekeeping", "zanzibar"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="A SQLite file (built if it holds no record).")
    parser.add_argument("--database-url", help="Any DATABASE_URL instead of --db.")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    if not (args.db or args.database_url):
        parser.error("give --db or --database-url")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{args.db.resolve()}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.conf import settings

    # Pages name their static files; without collectstatic there is no manifest of hashed names to read.
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }
    from django.core.management import call_command
    from django.test import Client

    from tracker.models import Event, SearchEntry
    from tracker.search import Search

    call_command("migrate", verbosity=0)
    if Event.objects.count() < 100_000:
        print("Building the synthetic record (a few minutes)...", flush=True)
        call_command("generate_synthetic", verbosity=0)
    print(f"{Event.objects.count():,} events, {SearchEntry.objects.count():,} search entries", flush=True)

    client = Client()

    def database_only(word):
        search = Search(word)
        list(search.results()[:20])
        search.counts  # noqa: B018  (computed on first use)

    scenarios = []
    for word in WORDS:
        scenarios += [
            (f"first page + counts, q={word}", lambda w=word: database_only(w)),
            (f"GET /search/?q={word}", lambda w=word: client.get("/search/", {"q": w})),
            (f"GET /api/search?q={word}", lambda w=word: client.get("/api/search", {"q": w})),
        ]
    print(f"{'scenario':<50} {'median ms':>10} {'max ms':>8}  matches")
    for name, run in scenarios:
        run()
        times = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            run()
            times.append((time.perf_counter() - started) * 1000)
        matches = sum(Search(name.rsplit("=", 1)[1]).counts.values())
        print(f"{name:<50} {statistics.median(times):>10.1f} {max(times):>8.1f}  {matches:,}", flush=True)


if __name__ == "__main__":
    main()

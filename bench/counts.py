"""Print, as JSON, how many SQL queries each URL given on the command line issues (run with DATABASE_URL set).

Used by bench/run.py; in-process with Django's test client, reading streamed bodies whole.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")


def read_whole(response) -> None:
    """Read a streamed body to its end and close it.

    An unread export keeps its PostgreSQL server-side cursor open; left to the garbage collector, it was finalised in
    the middle of the next query on the same connection and waited for that connection's lock for ever (issue 18).
    """
    if response.streaming:
        for _ in response.streaming_content:
            pass
    response.close()


def main(paths: list[str]) -> None:
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    client = Client()
    counts = {}
    for path in paths:
        read_whole(client.get(path))  # warm-up: content types and other per-process caches
        # ...but not the rendered matrix: the count is of the work a page does, not of a cache hit.
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
            read_whole(response)
        counts[path] = {"status": response.status_code, "queries": len(queries.captured_queries)}
    print(json.dumps(counts))


if __name__ == "__main__":
    main(sys.argv[1:])

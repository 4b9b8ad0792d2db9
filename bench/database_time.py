"""Print, as JSON, the PostgreSQL time of the queries each URL issues (run with DATABASE_URL set to PostgreSQL).

Issue 18's moonshot is stated in database time: every pair's status as of a date (`/export/status.csv`, and
`/api/status` page by page) in under 150 ms of it. Each URL is requested in-process with Django's test client (body
read whole) and its queries captured; each SELECT is then run again under `EXPLAIN (ANALYZE, FORMAT JSON)`, and the
server's own planning and execution times are added up. That is the time the database spends, not the time the
rows take to travel and be parsed. Used by bench/run.py; a URL whose query is a paged list is given once per page.
"""

import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

from counts import read_whole  # noqa: E402

SERVER_SIDE_CURSOR = re.compile(r'^DECLARE "[^"]+" .*? CURSOR (WITH(OUT)? HOLD )?FOR ')


def main(paths: list[str]) -> None:
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    if connection.vendor != "postgresql":
        sys.exit("database_time.py measures PostgreSQL's own times: set DATABASE_URL to a PostgreSQL database")
    setup_test_environment()
    client = Client()
    times = {}
    for path in paths:
        read_whole(client.get(path))  # warm-up, as for the counts
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
            read_whole(response)
        planning = execution = 0.0
        # A streamed query is logged as the server-side cursor's DECLARE ... FOR SELECT: its SELECT is what runs.
        statements = [SERVER_SIDE_CURSOR.sub("", query["sql"].lstrip()) for query in queries.captured_queries]
        selects = [sql for sql in statements if sql.startswith("SELECT")]
        with connection.cursor() as cursor:
            for sql in selects:
                # The captured text has its parameters filled in by the driver (psycopg's own quoting).
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                (plan,) = cursor.fetchone()[0]
                planning += plan["Planning Time"]
                execution += plan["Execution Time"]
        times[path] = {
            "status": response.status_code,
            "queries": len(queries.captured_queries),
            "planning_ms": round(planning, 1),
            "execution_ms": round(execution, 1),
        }
    print(json.dumps(times))


if __name__ == "__main__":
    main(sys.argv[1:])

"""Answer honestly while the database is away (issue 7: load and faults)."""

import logging
import sqlite3

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


# SQLite's own words for a database it cannot reach for now (a busy writer, a missing or unreadable file).
SQLITE_UNAVAILABLE = ("database is locked", "database table is locked", "unable to open database", "disk I/O error")
# PostgreSQL's SQLSTATEs for a lost or refused connection: class 08, and the server shutting down or starting.
POSTGRES_UNAVAILABLE = ("08", "57P01", "57P02", "57P03")


def is_database_unavailable(exception: BaseException) -> bool:
    """Whether ``exception`` says the database is away for now (worth a retry), not that it refused a query.

    Every OperationalError used to count, so a search SQLite refused as "too complex" was reported as
    "database unavailable, retry in 5 s" for ever (issue 17). Those are errors in the request, answered where
    the input is checked (a 400, a form error); what is left here is a fault to see in the logs, a 500.
    """
    if isinstance(exception, InterfaceError):
        return True  # Django's "connection already closed", psycopg's closed cursor
    if not isinstance(exception, OperationalError):
        return False
    cause = exception.__cause__
    if isinstance(cause, sqlite3.Error):
        return str(cause).startswith(SQLITE_UNAVAILABLE)
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate.startswith(POSTGRES_UNAVAILABLE)
    # No SQLSTATE: psycopg's own report that the connection failed or broke ("server closed the connection").
    return True


class DatabaseUnavailableMiddleware:
    """Turn a lost or refused database connection into a 503 with Retry-After instead of a 500.

    While PostgreSQL restarts, requests in flight fail with OperationalError or
    InterfaceError; connection health checks (CONN_HEALTH_CHECKS) reconnect on the
    next request. A 503 tells clients and crawlers the truth: try again shortly.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_unavailable(exception):
            return None
        logger.warning("Database unavailable for %s %s: %s", request.method, request.path, exception)
        response = HttpResponse(render_to_string("503.html", request=None), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

"""The project's middleware: a read-only public site, and honest answers while the database is away (issue 7)."""

import logging
import sqlite3

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.template.loader import render_to_string
from django.utils.translation import get_language_from_path

from tracker.models import RecordToken

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


class ReadOnlyPublicSite:
    """Answer 405 to any method but GET and HEAD outside the admin.

    The public site, exports, feeds and API only read the record; all writing goes through the
    admin, behind login and permissions. Refusing other methods in one place means a view added
    later cannot quietly accept a POST, and clients get an honest "method not allowed".
    """

    # Not OPTIONS: Django's views answer it by running the view (a whole page's queries), and no client of a
    # read-only site without cross-origin requests needs it (issue 17).
    SAFE_METHODS = frozenset({"GET", "HEAD"})
    # The admin in English (no prefix) and in Russian (issue 10); subscribing to e-mail alerts (issue 16),
    # which writes no part of the record.
    WRITABLE_PREFIX = ("/admin/", "/ru/admin/", "/alerts/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in self.SAFE_METHODS and not self.is_admin(request.path_info):
            return HttpResponseNotAllowed(sorted(self.SAFE_METHODS), "Only GET and HEAD: the public site is read-only.")
        return self.get_response(request)

    def is_admin(self, path: str) -> bool:
        # The admin is also served under a language prefix (/ru/admin/, issue 10).
        language = get_language_from_path(path)
        if language and path.startswith(f"/{language}/"):
            path = path[len(language) + 1 :]
        return path.startswith(self.WRITABLE_PREFIX)


class OneRecordVersionPerRequest:
    """Each request reads the record's version (``RecordToken``) once, however many of its answers are kept by it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with RecordToken.one_per_request():
            return self.get_response(request)

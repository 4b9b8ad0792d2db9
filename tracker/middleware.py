"""Answer honestly while the database is away (issue 7: load and faults)."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


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
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Database unavailable for %s %s: %s", request.method, request.path, exception)
        response = HttpResponse(render_to_string("503.html", request=None), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

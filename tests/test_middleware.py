import sqlite3

import psycopg
import pytest
from django.db import InterfaceError, OperationalError

from tracker.middleware import is_database_unavailable
from tracker.views import matrix as matrix_views

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("error", [OperationalError("server closed the connection"), InterfaceError("closed")])
def test_a_lost_database_connection_is_a_503_with_retry_after_not_a_500(client, monkeypatch, error):
    def unavailable(**kwargs):
        raise error

    monkeypatch.setattr(matrix_views, "status_matrix", unavailable)

    response = client.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"briefly unavailable" in response.content


def test_other_errors_are_not_disguised_as_an_unavailable_database(client, monkeypatch):
    def broken(**kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(matrix_views, "status_matrix", broken)
    client.raise_request_exception = False

    assert client.get("/").status_code == 500


def test_an_export_whose_database_is_down_is_a_503_not_a_broken_download(client, monkeypatch):
    from django.db import connections

    # The exports stream their rows through the connection's chunked cursor (QuerySet.iterator and
    # tracker.db_rows alike): the database goes away as the export's own query starts. The backend's own class,
    # since PostgreSQL's overrides the method (a server-side cursor).
    def unavailable(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(type(connections["default"]), "chunked_cursor", unavailable)

    response = client.get("/export/events.csv")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"


def wrapped(driver_error):
    """The Django error with the driver's error as its cause, as Django's wrapper raises it."""
    try:
        raise OperationalError(*driver_error.args) from driver_error
    except OperationalError as error:
        return error


@pytest.mark.parametrize(
    "driver_error",
    [
        sqlite3.OperationalError("LIKE or GLOB pattern too complex"),
        sqlite3.OperationalError("Expression tree is too large (maximum depth 1000)"),
        psycopg.errors.ProgramLimitExceeded("statement is too complex"),
    ],
)
def test_a_query_the_database_refuses_is_not_reported_as_an_unavailable_database(driver_error):
    assert not is_database_unavailable(wrapped(driver_error))


@pytest.mark.parametrize(
    "driver_error",
    [
        sqlite3.OperationalError("database is locked"),
        sqlite3.OperationalError("unable to open database file"),
        psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly"),
        psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
        psycopg.errors.ConnectionFailure("connection failure"),
    ],
)
def test_a_lost_or_busy_database_is_reported_as_unavailable(driver_error):
    assert is_database_unavailable(wrapped(driver_error))


def test_a_refused_query_is_a_500_to_see_in_the_logs_not_a_503_to_retry(client, monkeypatch):
    def refused(**kwargs):
        raise wrapped(sqlite3.OperationalError("LIKE or GLOB pattern too complex"))

    monkeypatch.setattr(matrix_views, "status_matrix", refused)
    client.raise_request_exception = False

    assert client.get("/").status_code == 500

import pytest
from django.db import InterfaceError, OperationalError

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
    from django.db.models.query import QuerySet

    def unavailable(self, chunk_size=None):
        raise OperationalError("connection refused")
        yield  # pragma: no cover - makes this a generator, as QuerySet.iterator is

    monkeypatch.setattr(QuerySet, "iterator", unavailable)

    response = client.get("/export/events.csv")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"

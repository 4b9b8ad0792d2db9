"""Rows as the database driver gives them (tracker.db_rows), for the exports of the whole record (issue 18)."""

import datetime

import pytest

from tests.builders import make_event, make_instrument, make_source
from tracker.db_rows import driver_rows
from tracker.models import Event

pytestmark = pytest.mark.django_db


def test_the_rows_are_the_ones_django_gives_with_the_same_types(six_states):
    make_event(instrument=make_instrument(), state=six_states["ARM"], source=make_source(), inferred=True)
    fields = ("pk", "date", "inferred", "quote", "source__date", "state__iso3")
    events = Event.objects.order_by("pk").values_list(*fields)

    rows = list(driver_rows(events))

    assert rows == list(events)
    assert [type(value) for value in rows[0]] == [int, datetime.date, bool, str, datetime.date, str]


def test_a_filter_that_can_match_nothing_gives_no_rows():
    assert list(driver_rows(Event.objects.filter(pk__in=[]).values_list("pk"))) == []

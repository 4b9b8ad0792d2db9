"""Rows as the database driver gives them (tracker.db_rows), for the exports of the whole record (issue 18)."""

import datetime

import pytest

from tests.builders import make_event, make_instrument, make_source
from tracker.db_rows import dates_as_text, driver_rows
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


def test_dates_read_as_text_are_their_iso_text_and_the_other_fields_are_read_as_they_are(six_states):
    source = make_source(date=datetime.date(2019, 6, 7))
    make_event(instrument=make_instrument(), state=six_states["ARM"], source=source, date=datetime.date(1992, 5, 15))
    fields = ["pk", "date", "source__date", "quote", "state__iso3"]
    events = Event.objects.order_by("pk")

    (as_text,) = driver_rows(events.values_list(*dates_as_text(Event, fields)))
    (as_given,) = events.values_list(*fields)

    assert as_text == (as_given[0], "1992-05-15", "2019-06-07", as_given[3], "ARM")


def test_a_date_and_time_is_not_read_as_a_dates_text():
    assert dates_as_text(Event, ["created_at", "source__date"])[0] == "created_at"

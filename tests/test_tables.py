"""The public lists' tables (tracker.tables)."""

import django_tables2 as tables
import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.builders import make_event, make_instrument, make_source
from tracker.models import Event, RecordToken
from tracker.record_version import forget_record_answers
from tracker.tables import TABLE_TEMPLATE, EventTable, record_count
from tracker.views.paging import configure_table

pytestmark = pytest.mark.django_db


class EventTableAsDjangoTables2WritesIt(EventTable):
    """The events table with django-tables2 writing every cell itself, as it did before issue 18."""

    class Meta(EventTable.Meta):
        template_name = TABLE_TEMPLATE

    @property
    def paginated_rows(self):
        return tables.Table.paginated_rows.fget(self)


def rendered(table_class, query="") -> str:
    request = RequestFactory().get(f"/events/?{query}")
    table = table_class(Event.objects.select_related("instrument", "state", "source"))
    assert configure_table(table, request).is_valid()
    return table.as_html(request)


@pytest.fixture
def events(six_states):
    charter = make_instrument(title="Charter <of> the Organisation", short_title="Charter & Co")
    speech = make_source(title='A "long" speech ' + "word " * 20)
    make_event(instrument=charter, state=six_states["BLR"], source=speech, quote="Belarus <b>ratified</b> " * 20)
    make_event(instrument=charter, state=None, source=speech, type=Event.Type.SIGNED, inferred=True, quote="Signed.")
    make_event(instrument=charter, state=six_states["RUS"], source=speech, type=Event.Type.SIGNED, quote="Signed too.")


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("query", ["", "sort=-date", "sort=state", "sort=inferred&page=1"])
def test_the_events_table_writes_its_rows_byte_for_byte_as_django_tables2_would(events, language, query):
    with translation.override(language):
        assert rendered(EventTable, query) == rendered(EventTableAsDjangoTables2WritesIt, query)


def queries_of_a_page(client, url) -> int:
    forget_record_answers()  # each page reads its counts and drop-downs afresh, as the first after a write does
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_page_of_fifty_events_needs_no_more_queries_than_a_page_of_one(client, six_states, language):
    # The rows' query reads only EventTable.ROW_FIELDS: a cell that shows a field left out costs a query per row.
    charter = make_instrument(title_ru="Устав", short_title_ru="Устав ОДКБ")
    for state in [*six_states.values(), None]:
        for _ in range(8):
            make_event(instrument=charter, state=state, quote="Ratified.")
    make_event(instrument=charter, state=None, type=Event.Type.SIGNED, quote="Signed.")
    events = f"{'/ru' if language == 'ru' else ''}/events/?sort=date&type="

    assert queries_of_a_page(client, events + "ratified") == queries_of_a_page(client, events + "signed")


def test_an_empty_events_table_still_says_that_no_event_matches(db):
    html = rendered(EventTable)

    assert "No events match these filters." in html
    assert html == rendered(EventTableAsDjangoTables2WritesIt)


def counts_of_events(client, url) -> tuple[str, int]:
    """The number of events the page says it lists, and how many COUNT queries it took to say it."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    said = response.content.decode().split('<span class="muted">')[1].split("</span>")[0].strip()
    return said, sum("COUNT(*)" in query["sql"] for query in queries)


class TestTheEventsCount:
    # Junk parameters make the page cache render every page, as the deep-page benchmark does (issue 18).
    url = "/events/?sort=date&fresh="

    def test_it_is_read_once_per_version_of_the_record(self, client, events):
        assert counts_of_events(client, self.url + "1") == ("3 events", 1)
        assert counts_of_events(client, self.url + "2") == ("3 events", 0)

    def test_each_filter_has_a_count_of_its_own(self, client, events):
        counts_of_events(client, self.url + "1")

        assert counts_of_events(client, self.url + "1&type=signed") == ("2 events", 1)

    def test_a_new_event_is_counted_at_once(self, client, events):
        counts_of_events(client, self.url + "1")
        make_event(instrument=make_instrument(), quote="One more.")

        assert counts_of_events(client, self.url + "2") == ("4 events", 1)

    def test_a_deleted_event_is_no_longer_counted(self, client, events):
        counts_of_events(client, self.url + "1")
        Event.objects.filter(type=Event.Type.SIGNED).delete()

        assert counts_of_events(client, self.url + "2") == ("1 event", 1)

    def test_a_bulk_write_is_counted_once_it_bumps_the_record_token(self, client, events):
        other = make_instrument()
        counts_of_events(client, self.url + "1")
        copy = Event.objects.values(*BULK_FIELDS).first() | {"instrument_id": other.pk}
        Event.objects.bulk_create([Event(**copy)])  # no signals: the token is as it was
        assert counts_of_events(client, self.url + "2") == ("3 events", 0)
        RecordToken.bump()

        assert counts_of_events(client, self.url + "3") == ("4 events", 1)


BULK_FIELDS = ("instrument_id", "state_id", "source_id", "type", "date", "precision", "known_from", "quote", "inferred")


def test_a_filter_that_can_match_nothing_counts_none(events):
    assert record_count(Event.objects.filter(pk__in=[])) == 0
    assert record_count(Event.objects.none()) == 0

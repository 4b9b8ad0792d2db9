"""The public lists' tables (tracker.tables)."""

import django_tables2 as tables
import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.builders import make_event, make_instrument, make_source
from tracker.models import Event
from tracker.tables import TABLE_TEMPLATE, EventTable
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

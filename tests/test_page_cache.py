"""Pages rendered once (the status matrix, the events list) are kept per address and language, and never outlive a
write (issue 6)."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.builders import make_event, make_instrument, make_source, make_state
from tracker.models import Event, RecordToken
from tracker.views.caching import cached_body, page_cache_key

pytestmark = pytest.mark.django_db

AS_OF = "2024-01-01"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pair():
    return make_instrument(short_title="Charter amendment"), make_state(name="Armenia")


def matrix_page(client, **params):
    response = client.get(reverse("tracker:matrix"), {"as_of": AS_OF, **params})
    assert response.status_code == 200
    return response.content.decode()


def statuses_shown(client, **params) -> str:
    """The status classes of the matrix's cells, in order: what a reader would see change."""
    page = matrix_page(client, **params)
    if '<table class="matrix">' not in page:
        # No instrument matches: the page says so instead of drawing an empty table.
        return ""
    table = page.split('<table class="matrix">')[1].split("</table>")[0]
    return " ".join(part.split('"')[0] for part in table.split('<span class="status ')[1:])


class TestTheRecordToken:
    def test_it_changes_when_an_event_is_saved_edited_or_deleted(self, pair):
        instrument, state = pair
        before = RecordToken.current()
        event = make_event(instrument=instrument, state=state)
        after_create = RecordToken.current()
        event.note = "checked against the gazette"
        event.save()
        after_edit = RecordToken.current()
        event.delete()
        assert len({before, after_create, after_edit, RecordToken.current()}) == 4

    def test_it_changes_when_a_state_instrument_or_source_is_saved(self, pair):
        seen = {RecordToken.current()}
        for record in (*pair, make_source()):
            record.save()
            seen.add(RecordToken.current())
        assert len(seen) == 4

    def test_the_synthetic_generator_changes_it_although_it_writes_in_bulk(self):
        before = RecordToken.current()
        call_command("generate_synthetic", states=3, instruments=2, events=10, seed=1, stdout=io.StringIO())
        assert RecordToken.current() != before


class TestOneRecordVersionPerRequest:
    def test_an_uncached_events_page_reads_the_version_once(self, client, pair):
        instrument, state = pair
        make_event(instrument=instrument, state=state)
        # Its page cache key, its count and its two drop-downs are each kept per version of the record.
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("tracker:event_list"), {"sort": "date"}).status_code == 200
        token_reads = [query for query in queries if '"tracker_recordtoken"' in query["sql"]]
        assert len(token_reads) == 1

    def test_a_write_made_while_answering_is_seen_by_the_rest_of_the_answer(self, pair):
        with RecordToken.one_per_request():
            before = RecordToken.current()
            assert RecordToken.current() == before
            instrument, state = pair
            make_event(instrument=instrument, state=state)
            assert RecordToken.current() != before

    def test_outside_a_request_every_read_asks_the_database(self, client):
        assert client.get(reverse("tracker:matrix")).status_code == 200
        RecordToken.bump()
        RecordToken.current()
        RecordToken.objects.filter(pk=1).update(token="changed-behind-its-back")
        assert RecordToken.current() == "changed-behind-its-back"


class TestTheCachedMatrix:
    def test_a_second_request_reads_no_events(self, client, pair):
        make_event(instrument=pair[0], state=pair[1])
        first = matrix_page(client)
        with CaptureQueriesContext(connection) as queries:
            second = matrix_page(client)
        assert second == first
        assert not [query for query in queries.captured_queries if "tracker_event" in query["sql"]]

    def test_a_new_event_shows_at_once(self, client, pair):
        instrument, state = pair
        assert statuses_shown(client) == "status-no-record"
        make_event(instrument=instrument, state=state, type=Event.Type.SIGNED)
        assert statuses_shown(client) == "status-signed"

    def test_a_deleted_event_disappears_at_once(self, client, pair):
        event = make_event(instrument=pair[0], state=pair[1], type=Event.Type.SIGNED)
        assert statuses_shown(client) == "status-signed"
        event.delete()
        assert statuses_shown(client) == "status-no-record"

    def test_a_reverted_event_shows_its_old_status_at_once(self, client, pair):
        event = make_event(instrument=pair[0], state=pair[1], type=Event.Type.SIGNED)
        event.type = Event.Type.RATIFIED
        event.save()
        assert statuses_shown(client) == "status-ratified"
        # What the admin's history page does on "Revert": save the historical instance.
        event.history.earliest().instance.save()
        assert statuses_shown(client) == "status-signed"

    def test_another_workers_write_shows_because_the_version_lives_in_the_database(self, client, pair):
        instrument, state = pair
        assert statuses_shown(client) == "status-no-record"
        # Another process writes (no signal reaches this one) and bumps the version row.
        source = make_source()
        Event.objects.bulk_create(
            [
                Event(
                    instrument=instrument,
                    state=state,
                    source=source,
                    type=Event.Type.SIGNED,
                    date=source.date,
                    precision=Event.Precision.DAY,
                    known_from=source.date,
                    quote=source.text.split(".")[0],
                )
            ]
        )
        RecordToken.objects.filter(pk=1).update(token="written-by-another-worker")
        assert statuses_shown(client) == "status-signed"

    def test_each_date_and_filter_has_its_own_entry(self, client, pair):
        make_event(instrument=pair[0], state=pair[1], type=Event.Type.SIGNED)
        assert statuses_shown(client) == "status-signed"
        assert statuses_shown(client, as_of="2000-01-01") == "status-no-record"
        assert statuses_shown(client, q="no such instrument") == ""

    def test_each_language_has_its_own_entry(self, client, pair):
        make_event(instrument=pair[0], state=pair[1], type=Event.Type.SIGNED)
        english = client.get(reverse("tracker:matrix"), {"as_of": AS_OF}).content.decode()
        russian = client.get("/ru" + reverse("tracker:matrix"), {"as_of": AS_OF}).content.decode()
        assert "Signed" in english
        assert "Подписан" in russian


class TestTheCachedEventsList:
    def events_shown(self, client, **params) -> int:
        response = client.get(reverse("tracker:event_list"), params)
        assert response.status_code == 200
        return response.content.decode().count("<q>")

    def test_a_second_request_reads_no_events(self, client, pair):
        make_event(instrument=pair[0], state=pair[1])
        first = client.get(reverse("tracker:event_list")).content
        with CaptureQueriesContext(connection) as queries:
            second = client.get(reverse("tracker:event_list")).content
        assert second == first
        assert not [query for query in queries.captured_queries if "tracker_event" in query["sql"]]

    def test_a_new_or_deleted_event_shows_at_once(self, client, pair):
        event = make_event(instrument=pair[0], state=pair[1])
        assert self.events_shown(client) == 1
        make_event(instrument=pair[0], state=pair[1], type=Event.Type.SIGNED)
        assert self.events_shown(client) == 2
        event.delete()
        assert self.events_shown(client) == 1

    def test_each_filter_has_its_own_entry(self, client, pair):
        make_event(instrument=pair[0], state=pair[1], type=Event.Type.SIGNED)
        assert self.events_shown(client) == 1
        assert self.events_shown(client, type=Event.Type.RATIFIED) == 0

    def test_a_bad_filter_is_not_kept(self, client, pair):
        make_event(instrument=pair[0], state=pair[1])
        for _ in range(2):
            assert client.get(reverse("tracker:event_list"), {"date_after": "not a date"}).status_code == 400


def test_pages_are_kept_compressed_and_come_back_whole(client, pair):
    make_event(instrument=pair[0], state=pair[1])
    page = client.get(reverse("tracker:event_list")).content
    request = RequestFactory().get(reverse("tracker:event_list"))

    with translation.override("en"):
        key = page_cache_key("events", request)

    assert len(cache.get(key)) < len(page) / 3
    assert cached_body(key) == page


class TestJunkParameters:
    """A query parameter no form reads (?utm_source=N) must not give a page an entry of its own (issue 17)."""

    @pytest.mark.parametrize("url", ["/", "/events/"])
    def test_eighty_tracking_parameters_add_no_entries(self, client, pair, url):
        client.get(url, {"as_of": AS_OF})
        entries = len(cache._cache)

        for n in range(80):
            assert client.get(url, {"as_of": AS_OF, "utm_source": n}).status_code == 200

        assert len(cache._cache) == entries

    def test_a_page_with_a_junk_parameter_is_still_the_page(self, client, pair):
        instrument, state = pair
        make_event(instrument=instrument, state=state, date=datetime.date(2023, 5, 18))

        assert statuses_shown(client, utm_source="mail") == statuses_shown(client)

    def test_every_filter_sort_and_page_of_the_events_list_is_kept(self, client, pair):
        params = {"state": pair[1].slug, "type": "ratified", "date_after": "2020-01-01", "date_before": "2024-01-01"}
        params |= {"inferred": "false", "sort": "-date", "page": "1", "instrument": "", "source": ""}

        assert client.get("/events/", params).status_code == 200

        assert len(cache._cache) == 1

"""Every public page and export issues as many queries on a record ten times larger (issue 6).

Each test writes a small synthetic record, counts the page's queries, writes
one ten times larger and asserts the page needs no more. A page whose count
grows with the data (an N+1 query) fails here long before it is slow in production.
The matrix is held to the same count at both sizes, and to one read of the events per date it shows (issue 18).
"""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tracker.filters import EventFilter
from tracker.models import Event, Instrument, MemberState, SourceDocument
from tracker.record_version import forget_record_answers

pytestmark = pytest.mark.django_db

SMALL = {"states": 6, "instruments": 12, "events": 150}
LARGE = {"states": 20, "instruments": 60, "events": 1500}
AS_OF = "2025-12-31"


def generate(sizes):
    call_command("generate_synthetic", seed=5, stdout=io.StringIO(), **sizes)


def busiest(model, related="events"):
    """The object with the most events: the one whose page would grow the most."""
    return model.objects.annotate(n=Count(related)).order_by("-n", "pk").first()


def events_filter():
    event = Event.objects.filter(state__isnull=False, type=Event.Type.SIGNED).order_by("pk").first()
    return {"state": event.state.slug, "type": Event.Type.SIGNED, "sort": "date"}


# (name, function giving the URL for the record in the database)
MATRIX_PAGES = [
    ("matrix", lambda: reverse("tracker:matrix") + f"?as_of={AS_OF}"),
    ("matrix compared", lambda: reverse("tracker:matrix") + f"?as_of={AS_OF}&compare=2005-01-01"),
    # The benchmark's page: one generated series (tracker.synthetic), which matches instruments at both sizes here.
    ("matrix of one series", lambda: reverse("tracker:matrix") + f"?as_of={AS_OF}&q=Series%20000"),
]
PAGES = [
    *MATRIX_PAGES,
    ("instrument list", lambda: reverse("tracker:instrument_list")),
    ("instrument page", lambda: busiest(Instrument).get_absolute_url() + f"?as_of={AS_OF}"),
    ("state list", lambda: reverse("tracker:state_list")),
    ("state page", lambda: busiest(MemberState).get_absolute_url() + f"?as_of={AS_OF}"),
    ("event list", lambda: reverse("tracker:event_list")),
    ("event list filtered", lambda: _with_query(reverse("tracker:event_list"), events_filter())),
    ("event list last page", lambda: reverse("tracker:event_list") + "?sort=date&page=9999"),
    ("event page", lambda: Event.objects.order_by("-pk").first().get_absolute_url()),
    ("source list", lambda: reverse("tracker:source_list")),
    ("source page", lambda: busiest(SourceDocument).get_absolute_url()),
    ("status export", lambda: reverse("tracker:export_status") + f"?as_of={AS_OF}"),
    ("instruments export", lambda: reverse("tracker:export_instruments")),
    ("events export", lambda: reverse("tracker:export_events")),
]


def _with_query(url, params):
    return url + "?" + "&".join(f"{key}={value}" for key, value in params.items())


def count_queries(client, url) -> list[dict]:
    """The queries of an uncached view of ``url``: the rendered matrix is dropped, since a page served from it would
    hide them; after one view to warm the caches (content types, sessions) so that any two counts are like for like."""
    fetch(client, url)
    forget_rendered()
    with CaptureQueriesContext(connection) as queries:
        fetch(client, url)
    return queries.captured_queries


def forget_rendered():
    """Drop the rendered pages and the answers read once per record version (tracker.record_version): a view is
    then uncached."""
    cache.clear()
    forget_record_answers()


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    # A streamed export runs its queries while it is read.
    if response.streaming:
        b"".join(response.streaming_content)
    else:
        response.content  # noqa: B018
    return response


@pytest.mark.parametrize(("name", "url_for"), PAGES, ids=[name for name, _ in PAGES])
def test_the_page_needs_no_more_queries_on_a_record_ten_times_larger(
    client, django_assert_max_num_queries, name, url_for
):
    generate(SMALL)
    small = count_queries(client, url_for())

    generate(LARGE)
    assert Event.objects.count() == LARGE["events"]
    large_url = url_for()
    forget_rendered()
    with django_assert_max_num_queries(len(small)):
        fetch(client, large_url)


@pytest.mark.parametrize(("name", "url_for"), MATRIX_PAGES, ids=[name for name, _ in MATRIX_PAGES])
def test_the_matrix_needs_the_same_queries_on_a_small_and_a_larger_record(client, name, url_for):
    generate(SMALL)
    small = count_queries(client, url_for())
    generate(LARGE)
    large = count_queries(client, url_for())
    # Equal, not merely no more: a count that differs either way depends on what the record holds.
    assert len(large) == len(small), "\n".join(query["sql"] for query in large)


@pytest.mark.parametrize("path", ["tracker:event_list", "tracker:export_events"])
def test_the_events_need_the_same_queries_whether_the_instruments_are_a_drop_down_or_a_text_box(
    client, monkeypatch, path
):
    # The benchmark's tenth had 60 instruments, a drop-down whose options were one query more than the full record's
    # slug box: 8 queries against 7 (issue 18).
    generate(SMALL)
    url = reverse(path)
    monkeypatch.setattr(EventFilter, "DROP_DOWN_LIMIT", SMALL["instruments"])
    drop_down = count_queries(client, url)
    if path == "tracker:event_list":
        assert '<select name="instrument"' in fetch(client, url).content.decode()

    monkeypatch.setattr(EventFilter, "DROP_DOWN_LIMIT", SMALL["instruments"] - 1)
    text_box = count_queries(client, url)
    if path == "tracker:event_list":
        assert '<input type="text" name="instrument"' in fetch(client, url).content.decode()

    assert len(drop_down) == len(text_box), "\n".join(query["sql"] for query in drop_down)


@pytest.mark.parametrize(
    ("url", "dates"),
    [(f"/?as_of={AS_OF}", 1), (f"/?as_of={AS_OF}&compare=2005-01-01", 2)],
    ids=["one date", "two dates compared"],
)
def test_the_matrix_reads_the_events_once_for_each_date_it_shows(client, url, dates):
    # The table and the chart show the same statuses; each read the events for itself before issue 18.
    generate(SMALL)
    queries = count_queries(client, url)
    assert sum('FROM "tracker_event"' in query["sql"] for query in queries) == dates

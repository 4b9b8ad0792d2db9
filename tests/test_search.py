"""The search: morphology in both languages, filters, grouping, highlighting, and any query answering."""

import datetime
import io

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import make_event, make_instrument, make_source
from tracker.models import SearchEntry, rebuild_search_index
from tracker.search import Search, snippets
from tracker.stemming import MAX_QUERY_WORDS

pytestmark = pytest.mark.django_db


def found(query, **filters):
    return [entry.instrument or entry.source or entry.event for entry in Search(query, **filters).results()]


def test_an_english_word_finds_its_other_forms(record):
    assert set(found("ratify")) == {record["speech"], record["old"], record["belarus"], record["armenia"]}
    assert found("ratifies") == found("ratify")


def test_a_russian_word_finds_its_other_forms(record):
    assert found("миротворческая") == [record["peacekeeping"], record["speech"]]
    assert found("миротворческой") == found("миротворческих")


def test_a_russian_title_is_found_by_its_first_word_in_any_case(record):
    assert found("Договор") == [record["treaty"]]
    assert found("договора") == [record["treaty"]]


def test_aliases_places_and_notes_are_searched(record):
    assert found("Tashkent") == [record["treaty"]]
    assert found("Yerevan") == [record["armenia"]]
    assert found("intent") == [record["armenia"]]


def test_every_word_must_match(record):
    assert found("Belarus ratified") == [record["speech"], record["belarus"]]
    assert found("Belarus Yerevan") == []


def test_results_come_grouped_instruments_then_sources_then_events(record):
    kinds = [entry.kind for entry in Search("treaty").results()]

    assert kinds == ["instrument", "source", "event"]


def test_a_title_match_ranks_above_a_mention_in_the_text(record):
    other = make_instrument(title="Protocol on supplies", short_title="Supplies", aliases="mentions the Treaty once")

    assert found("treaty", kind="instrument") == [record["treaty"], other]


def test_the_state_filter_keeps_that_states_events(record):
    assert found("ratify", state=record["states"]["ARM"]) == [record["armenia"]]


def test_the_date_filters_keep_what_is_dated_between_them(record):
    assert found("ratify", date_after=datetime.date(2020, 1, 1)) == [record["speech"], record["belarus"]]
    assert found("ratify", date_before=datetime.date(2020, 1, 1)) == [record["old"], record["armenia"]]


def test_the_counts_give_every_kind_whatever_kind_is_shown(record):
    assert Search("treaty", kind="event").counts == {"instrument": 1, "source": 1, "event": 1}


def test_the_index_follows_every_save_and_delete(record):
    event = record["armenia"]
    event.quote = "Armenia will ratify the agreement soon"
    event.note = "Confirmed by Yerevan"
    event.save()
    assert found("confirmed") == [event]

    pk = event.pk
    event.delete()
    assert found("confirmed") == []
    assert not SearchEntry.objects.filter(event_id=pk).exists()


def test_rebuilding_the_index_gives_the_same_answers(record):
    before = {q: found(q) for q in ("ratify", "миротворческой", "treaty", "Yerevan")}
    SearchEntry.objects.all().delete()
    assert found("treaty") == []

    assert rebuild_search_index() == 6

    assert {q: found(q) for q in before} == before


def test_a_snippet_marks_every_form_of_the_words_and_escapes_the_rest():
    passages, mentions = snippets("<b>We</b> ratified it & will ratify more.", ["ratification"])

    assert mentions == 0  # "ratification" stems to "ratif", not "ratifi": Snowball's choice, kept on both databases
    passages, mentions = snippets("<b>We</b> ratified it & will ratify more.", ["ratifies"])
    assert mentions == 2
    assert passages == ["&lt;b&gt;We&lt;/b&gt; <mark>ratified</mark> it &amp; will <mark>ratify</mark> more."]


def test_a_long_text_gives_passages_around_its_matches():
    text = " ".join(["filler"] * 200) + " peacekeeping " + " ".join(["filler"] * 200) + " peacekeepers"

    passages, mentions = snippets(text, ["peacekeeping"])

    assert mentions == 2
    assert len(passages) == 2
    assert all(p.startswith("… ") and "<mark>" in p and len(p) < 300 for p in passages)


def test_a_query_uses_its_first_words_only(record):
    question = Search(" ".join(f"word{n}" for n in range(100)) + " treaty")

    assert len(question.words) == MAX_QUERY_WORDS
    assert question.words_dropped


def test_the_search_page_shows_grouped_results_with_marked_words(client, record):
    response = client.get("/search/", {"q": "миротворческих"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>миротворческой</mark>" in html
    assert "<mark>миротворческих</mark>" in html
    assert html.index(">Instrument<") < html.index(">Source<")
    assert 'href="/sources/minsk/"' in html


def test_the_russian_search_page_finds_a_russian_title(client, record):
    response = client.get("/ru/search/", {"q": "Договор"})

    assert response.status_code == 200
    assert "Договор о коллективной безопасности" in response.content.decode()
    assert 'href="/ru/instruments/treaty/"' in response.content.decode()


def test_every_page_has_the_search_box(client, record):
    for url in ("/", "/events/", "/ru/instruments/treaty/", "/sources/minsk/"):
        html = client.get(url).content.decode()
        assert 'role="search"' in html and 'action="' + ("/ru" if url.startswith("/ru") else "") + '/search/"' in html


def test_search_results_are_paged(client, record):
    source = make_source(title="Many", text=". ".join(f"Treaty {n}" for n in range(30)))
    for n in range(25):
        make_event(instrument=make_instrument(), source=source, quote=f"Treaty {n}")

    first = client.get("/search/", {"q": "treaty", "kind": "event"}).content.decode()
    last = client.get("/search/", {"q": "treaty", "kind": "event", "page": 99}).content.decode()

    assert "Page 1 of 2" in first and 'rel="next"' in first
    assert "Page 2 of 2" in last and 'rel="prev"' in last


@pytest.mark.parametrize(
    "params",
    [
        {"date_after": "2023-13-01"},
        {"state": "atlantis"},
        {"kind": "planet"},
        {"page": "0"},
        {"date_after": "2024-01-01", "date_before": "2023-01-01"},
    ],
)
def test_bad_filters_are_a_400_with_the_reason(client, record, params):
    response = client.get("/search/", {"q": "treaty", **params})

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_a_60_kb_query_answers(client, record):
    query = "treaty " + " ".join(f"ратифицирован{n}" for n in range(3_500))
    assert len(query.encode()) > 60_000

    response = client.get("/search/", {"q": query})

    assert response.status_code == 200
    assert "Only the first 32 words were searched for." in response.content.decode()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=300))
def test_any_query_answers_without_error(client, record, query):
    response = client.get("/search/", {"q": query.replace("\x00", "")})

    assert response.status_code == 200


def test_the_rebuild_command_says_how_many_entries_it_wrote(record):
    out = io.StringIO()
    SearchEntry.objects.filter(kind="event").delete()

    call_command("rebuild_search_index", stdout=out)

    assert "Rebuilt the search index: 6 entries." in out.getvalue()
    assert found("Yerevan") == [record["armenia"]]


def test_past_the_rank_limit_a_kind_comes_most_recently_recorded_first(record, monkeypatch):
    monkeypatch.setattr("tracker.search.RANK_LIMIT", 1)

    results = Search("ratify").results()

    assert [entry.source for entry in results[:2]] == [record["old"], record["speech"]]
    assert [entry.event for entry in results[2:]] == [record["armenia"], record["belarus"]]
    assert {entry.rank for entry in results[:4]} == {None}


def test_a_page_of_results_may_span_two_kinds(record):
    results = Search("ratify").results()

    assert len(results) == 4
    assert [entry.kind for entry in results[1:3]] == ["source", "event"]
    assert results[3].kind == "event"


def test_a_passage_stays_within_its_line():
    passages, mentions = snippets(
        "Agreement on Peacekeeping\nСоглашение\nCSTO Peacekeeping Agreement", ["peacekeeping"]
    )

    assert mentions == 2
    assert passages == ["Agreement on <mark>Peacekeeping</mark>", "CSTO <mark>Peacekeeping</mark> Agreement"]

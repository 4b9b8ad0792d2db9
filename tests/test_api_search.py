"""/api/search and the events' q filter, page and API alike: the site's search as data (issue 15)."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_api_search_finds_every_form_of_a_word_grouped_and_marked(client, record):
    response = client.get("/api/search", {"q": "миротворческая"})

    assert response.status_code == 200
    body = response.json()
    assert body["counts"] == {"instrument": 1, "source": 1, "event": 0}
    assert [item["kind"] for item in body["items"]] == ["instrument", "source"]
    assert body["items"][1]["url"] == "http://testserver/sources/minsk/"
    assert "<mark>миротворческих</mark>" in body["items"][1]["snippets"][0]


def test_the_api_search_filters_by_state_and_kind_and_pages(client, record):
    body = client.get("/api/search", {"q": "ratify", "state": "ARM", "kind": "event"}).json()

    assert body["count"] == 1
    assert body["items"][0]["state"] == "armenia"
    assert client.get("/api/search", {"q": "ratify", "limit": 1, "offset": 1}).json()["items"][0]["kind"] == "source"


def test_the_api_search_refuses_an_unknown_state_with_a_400(client, record):
    response = client.get("/api/search", {"q": "ratify", "state": "atlantis"})

    assert response.status_code == 400
    assert "atlantis" in response.content.decode()


def test_the_api_search_answers_a_60_kb_query(client, record):
    response = client.get("/api/search", {"q": " ".join(f"treaty{n}" for n in range(8_000))})

    assert response.status_code == 200
    assert len(response.json()["words"]) == 32


def test_the_events_table_and_api_filter_by_words(client, record):
    page = client.get("/events/", {"q": "ratified"}).content.decode()
    api = client.get("/api/events", {"q": "ratified"}).json()

    assert [item["id"] for item in api["items"]] == [record["armenia"].pk, record["belarus"].pk]
    assert f'href="/events/{record["belarus"].pk}/"' in page
    assert "2 events" in page


def test_the_events_export_keeps_the_words_filter(client, record):
    rows = b"".join(client.get("/export/events.csv", {"q": "Yerevan"}).streaming_content).decode().splitlines()

    assert len(rows) == 2
    assert rows[1].startswith(f"{record['armenia'].pk},")


def test_the_openapi_document_describes_search_and_the_events_q(client):
    schema = client.get("/api/openapi.json").json()

    assert "/api/search" in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/events"]["get"]["parameters"]}
    assert "q" in parameters

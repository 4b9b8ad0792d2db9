"""A renamed instrument, state or source keeps its old addresses: pages, feeds and the API redirect (issue 17)."""

import pytest

from tests.builders import make_instrument, make_source, make_state
from tracker.models.slugs import renamed_from

pytestmark = pytest.mark.django_db


def renamed(make, old: str, new: str):
    thing = make(slug=old)
    thing.slug = new
    thing.save()
    return thing


@pytest.mark.parametrize(
    ("make", "old_address", "new_address"),
    [
        (make_instrument, "/instruments/old/?as_of=2023-05-18", "/instruments/new/?as_of=2023-05-18"),
        (make_instrument, "/ru/instruments/old/", "/ru/instruments/new/"),
        (make_instrument, "/feeds/instruments/old.atom", "/feeds/instruments/new.atom"),
        (make_instrument, "/ru/feeds/instruments/old.atom", "/ru/feeds/instruments/new.atom"),
        (make_instrument, "/api/instruments/old?as_of=2023-05-18", "/api/instruments/new?as_of=2023-05-18"),
        (make_state, "/states/old/", "/states/new/"),
        (make_state, "/feeds/states/old.atom", "/feeds/states/new.atom"),
        (make_state, "/api/states/old", "/api/states/new"),
        (make_source, "/sources/old/", "/sources/new/"),
        (make_source, "/api/sources/old", "/api/sources/new"),
    ],
)
def test_an_old_slug_redirects_permanently_to_the_same_address_under_the_new_one(
    client, make, old_address, new_address
):
    renamed(make, "old", "new")

    response = client.get(old_address)

    assert response.status_code == 301
    assert response["Location"] == new_address
    assert client.get(new_address).status_code == 200


def test_a_slug_renamed_twice_leads_to_the_latest(client):
    instrument = renamed(make_instrument, "first", "second")
    instrument.slug = "third"
    instrument.save()

    assert client.get("/instruments/first/")["Location"] == "/instruments/third/"
    assert client.get("/instruments/second/")["Location"] == "/instruments/third/"


def test_an_old_slug_given_to_another_instrument_is_that_instruments(client):
    renamed(make_instrument, "old", "new")
    newcomer = make_instrument(slug="old", title="The newcomer")

    response = client.get("/instruments/old/")

    assert response.status_code == 200
    assert newcomer.title in response.content.decode()


def test_a_slug_no_instrument_ever_had_is_still_a_404(client):
    make_instrument(slug="real")

    assert client.get("/instruments/never/").status_code == 404
    assert client.get("/api/instruments/never").status_code == 404
    assert client.get("/feeds/instruments/never.atom").status_code == 404


def test_a_deleted_instruments_slug_is_a_404_not_a_redirect(client):
    instrument = renamed(make_instrument, "old", "new")
    instrument.delete()

    assert renamed_from(type(instrument), "old") is None
    assert client.get("/instruments/old/").status_code == 404

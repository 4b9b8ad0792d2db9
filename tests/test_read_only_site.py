"""The read-only public site (tracker.middleware.ReadOnlyPublicSite): only the admin and alerts accept writes."""

import pytest

from tests.builders import record_snapshot


# OPTIONS too: Django answers it by running the view, and the README promises 405 for all but GET and HEAD.
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_the_public_site_and_api_refuse_every_method_but_get_and_head(client, one_of_each, method):
    event = one_of_each["event"]
    before = record_snapshot()
    urls = [
        "/",
        "/instruments/",
        "/instruments/roles-treaty/",
        "/states/kazakhstan/",
        "/events/",
        f"/events/{event.pk}/",
        "/sources/roles-speech/",
        "/export/events.csv",
        "/feeds/events.atom",
        "/api/events",
        f"/api/events/{event.pk}",
        "/api/states/kazakhstan",
        "/ru/",
        "/ru/events/",
        "/ru/export/events.csv",
    ]

    for url in urls:
        assert getattr(client, method)(url).status_code == 405, url
    assert record_snapshot() == before

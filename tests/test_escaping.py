"""HTML escaping: a script stored in the record is shown as text on every public and admin page, never run."""


def public_pages_showing(event) -> list[str]:
    return [
        "/",
        "/instruments/",
        f"/instruments/{event.instrument.slug}/",
        f"/states/{event.state.slug}/",
        "/events/",
        f"/events/{event.pk}/",
        "/sources/",
        f"/sources/{event.source.slug}/",
        "/?q=<script>alert(1)</script>",
        "/events/?sort=<script>",
    ]


def test_every_public_page_escapes_a_script_from_the_database(client, scripted_record):
    for url in public_pages_showing(scripted_record):
        response = client.get(url)
        html = response.content.decode()

        assert response.status_code in (200, 400), url
        assert "<script>alert" not in html, url
    # The pages do show the text, escaped, rather than dropping it.
    detail = client.get(f"/instruments/{scripted_record.instrument.slug}/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in detail
    source = client.get(f"/sources/{scripted_record.source.slug}/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in source


def test_the_admin_escapes_a_script_from_the_database(admin_client, scripted_record):
    event = scripted_record
    for url in [
        "/admin/tracker/event/",
        f"/admin/tracker/event/{event.pk}/change/",
        "/admin/tracker/instrument/",
        f"/admin/tracker/instrument/{event.instrument.pk}/change/",
        "/admin/tracker/sourcedocument/",
        f"/admin/tracker/sourcedocument/{event.source.pk}/change/",
        f"/admin/tracker/event/{event.pk}/history/",
    ]:
        response = admin_client.get(url)

        assert response.status_code == 200, url
        assert "<script>alert" not in response.content.decode(), url

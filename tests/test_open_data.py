"""The Data page and the data package: every export, the API and every feed found from the pages (issue 15)."""

import csv
import io

import frictionless
import pytest
from django.core.management import call_command

from tracker.datapackage import EXPORTS
from tracker.models import Instrument, MemberState

pytestmark = pytest.mark.django_db


def test_every_page_links_to_the_data_page_in_its_language(client, record):
    for url, data in (("/", "/data/"), ("/events/", "/data/"), ("/ru/states/armenia/", "/ru/data/")):
        assert f'<a href="{data}">' in client.get(url).content.decode()


@pytest.mark.parametrize("prefix", ["", "/ru"])
def test_the_data_page_links_every_export_the_api_and_every_feed(client, record, prefix):
    response = client.get(f"{prefix}/data/")

    assert response.status_code == 200
    html = response.content.decode()
    for name in EXPORTS:
        assert f'href="{prefix}/export/{name}.csv"' in html
        assert f'href="{prefix}/export/{name}.xlsx"' in html
    for address in ("/api/docs", "/api/openapi.json", f"{prefix}/data/datapackage.json", f"{prefix}/feeds/events.atom"):
        assert f'href="{address}"' in html
    for state in MemberState.objects.all():
        assert f'href="{prefix}/feeds/states/{state.slug}.atom"' in html
    for instrument in Instrument.objects.all():
        assert f'href="{prefix}/feeds/instruments/{instrument.slug}.atom"' in html


def test_state_and_instrument_pages_show_their_feed(client, record):
    assert (
        'href="/feeds/states/armenia.atom" type="application/atom+xml">'
        in client.get("/states/armenia/").content.decode()
    )
    page = client.get("/ru/instruments/treaty/").content.decode()
    assert 'href="/ru/feeds/instruments/treaty.atom" type="application/atom+xml">Следить за этими событиями' in page


def test_the_data_package_describes_every_column_of_every_csv_export(client, record):
    package = client.get("/data/datapackage.json").json()

    assert [resource["name"] for resource in package["resources"]] == list(EXPORTS)
    for resource in package["resources"]:
        assert resource["path"] == f"http://testserver/export/{resource['name']}.csv"
        response = client.get(resource["path"].removeprefix("http://testserver"))
        header = next(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        fields = resource["schema"]["fields"]
        assert [field["name"] for field in fields] == header
        assert all(field["type"] and field["description"] for field in fields)


def test_the_russian_data_package_points_at_the_russian_exports(client, record):
    package = client.get("/ru/data/datapackage.json").json()

    assert package["resources"][0]["path"] == "http://testserver/ru/export/status.csv"


@pytest.mark.parametrize("prefix", ["", "/ru"])
def test_the_data_package_passes_frictionless_validate_against_the_live_exports(curated_live_server, prefix):
    report = frictionless.validate(f"{curated_live_server.url}{prefix}/data/datapackage.json")

    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.stats["tasks"] == len(EXPORTS)


def test_frictionless_catches_a_column_typed_wrongly(curated_live_server):
    # The check above can fail: a date column declared as an integer is reported.
    package = frictionless.Package(f"{curated_live_server.url}/data/datapackage.json")
    package.get_resource("events").schema.set_field_type("date", "integer")

    assert not frictionless.validate(package).valid


@pytest.fixture
def curated_live_server(transactional_db, live_server):
    call_command("load_record", verbosity=0)
    return live_server

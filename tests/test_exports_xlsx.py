"""The XLSX exports: beside every CSV at the same address ending .xlsx, with its columns, rows and filters."""

import csv
import datetime
import io

import openpyxl
import pytest

from tests.builders import make_event, make_instrument, make_source
from tracker.views.exports import EXPORT_VIEWS

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_rows(client, url, params):
    response = client.get(url, params)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def xlsx_sheet(client, url, params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('.xlsx"')
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def as_csv_text(value) -> str:
    # How the CSV writes each typed value: the XLSX must hold the same thing, typed.
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return str(value)


@pytest.mark.parametrize("name", list(EXPORT_VIEWS))
@pytest.mark.parametrize("prefix", ["", "/ru"])
def test_each_xlsx_holds_the_csvs_header_and_rows(client, record, name, prefix):
    params = {"as_of": "2023-06-01"} if name == "status" else {}

    expected = csv_rows(client, f"{prefix}/export/{name}.csv", params)
    sheet = xlsx_sheet(client, f"{prefix}/export/{name}.xlsx", params)

    assert [[as_csv_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True)] == expected
    assert len(expected) > 1


def test_the_xlsx_keeps_the_pages_filters(client, record):
    params = {"state": "armenia", "as_of": "2019-12-31"}

    sheet = xlsx_sheet(client, "/export/status.xlsx", params)

    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert {row[2] for row in rows} == {"ARM"}
    assert [row[4] for row in rows if row[0] == "peacekeeping"] == ["pending"]


def test_dates_numbers_and_booleans_are_typed(client, record):
    sheet = xlsx_sheet(client, "/export/events.xlsx", {"q": "Yerevan"})

    header = [cell.value for cell in sheet[1]]
    event = dict(zip(header, sheet[2], strict=True))
    assert event["date"].is_date and event["date"].number_format == "yyyy-mm-dd"
    assert event["date"].value == datetime.datetime(2019, 6, 27)
    assert event["event_id"].value == record["armenia"].pk
    assert event["inferred"].value is False
    assert event["quote"].data_type == "s"


def test_formula_characters_stay_text_and_control_characters_are_dropped(client, six_states):
    source = make_source(text='=HYPERLINK("http://evil") said\x01 so. +1 more.')
    make_event(
        instrument=make_instrument(title="@SUM(A1)"), source=source, quote='=HYPERLINK("http://evil") said\x01 so'
    )

    sheet = xlsx_sheet(client, "/export/events.xlsx", {})

    texts = [cell for row in sheet.iter_rows(min_row=2) for cell in row if isinstance(cell.value, str)]
    assert all(cell.data_type == "s" for cell in texts)
    values = {cell.value for cell in texts}
    assert '\'=HYPERLINK("http://evil") said so' in values
    assert "'@SUM(A1)" in values


def test_a_bad_filter_is_a_400_not_a_broken_file(client, record):
    response = client.get("/export/status.xlsx", {"as_of": "2023-02-30"})

    assert response.status_code == 400
    assert "as_of" in response.content.decode()


def test_every_csv_link_on_a_page_has_its_xlsx_beside_it(client, record):
    html = client.get("/states/armenia/").content.decode()

    assert 'href="/export/status.csv?state=armenia&amp;as_of=' in html
    assert 'href="/export/status.xlsx?state=armenia&amp;as_of=' in html
    assert 'href="/export/events.xlsx?state=armenia"' in html

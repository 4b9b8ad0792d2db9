"""Formula injection: the public exports and the admin's formula-safe CSV and XLSX formats write formulas as text."""

import csv
import io

import openpyxl
import pytest
from django.contrib import admin

from tests.builders import make_event, make_instrument, make_source, make_state
from tracker.models import Event
from tracker.resources import EventResource
from tracker.spreadsheet_formats import FormulaSafeCSV, FormulaSafeXLSX

HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)", "\tTabbed"]
PUBLIC_EXPORTS = [
    "/export/status.csv",
    "/export/instruments.csv",
    "/export/events.csv",
    "/export/states.csv",
    "/export/sources.csv",
]


@pytest.fixture
def hostile_record(six_states):
    """Every hostile value as an instrument title, a source title and speaker, an event quote and note."""
    for n, value in enumerate(HOSTILE):
        instrument = make_instrument(title=value, short_title=value, note=value)
        source = make_source(title=value, speaker=value, place=value, text=f"Preamble. {value} Rest.")
        make_event(
            instrument=instrument,
            state=list(six_states.values())[n],
            source=source,
            quote=value,
            note=value,
            place=value,
            precision=Event.Precision.DAY,
        )
    make_state(name="-Minus", official_name="=Official", iso3="ZZZ", slug="minus")


def csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8"))) for cell in row]


def assert_no_live_formula(cells: list[str]):
    live = [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert not live, live


@pytest.mark.parametrize("url", PUBLIC_EXPORTS)
def test_every_public_export_writes_formula_characters_as_text(client, hostile_record, url):
    response = client.get(url)
    cells = csv_cells(b"".join(response.streaming_content))

    assert_no_live_formula(cells)
    if url != "/export/states.csv":
        assert '\'=HYPERLINK("http://x","y")' in cells
    assert "'-1" in cells or "'-Minus" in cells


def test_the_admin_spreadsheet_export_writes_formula_characters_as_text(hostile_record):
    dataset = EventResource().export()

    cells = csv_cells(FormulaSafeCSV().export_data(dataset).encode("utf-8"))

    assert_no_live_formula(cells)
    assert {"'+1", "'-1", "'@SUM(A1)", "'\tTabbed"} <= set(cells)


def test_the_admin_offers_only_the_formula_safe_formats():
    event_admin = admin.site._registry[Event]

    assert set(event_admin.get_export_formats()) == {FormulaSafeCSV, FormulaSafeXLSX}
    assert set(event_admin.get_import_formats()) == {FormulaSafeCSV, FormulaSafeXLSX}


def test_an_admin_export_re_imports_with_the_original_text(hostile_record):
    exported = FormulaSafeCSV().export_data(EventResource().export())

    dataset = FormulaSafeCSV().create_dataset(exported)

    assert set(HOSTILE) <= set(dataset["quote"])


def test_the_xlsx_export_stores_formula_characters_as_plain_text(hostile_record):
    exported = FormulaSafeXLSX().export_data(EventResource().export())
    sheet = openpyxl.load_workbook(io.BytesIO(exported)).active

    cells = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]

    assert all(cell.data_type == "s" for cell in cells)
    assert_no_live_formula([cell.value for cell in cells])

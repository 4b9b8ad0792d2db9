"""CSV injection (tracker.csv_safety): no reader, whatever separator it splits on, sees a cell that is a formula."""

import csv
import io
from datetime import date as D

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.builders import make_event, make_instrument, make_source, make_state
from tracker.csv_safety import neutralise, neutralise_column, restore
from tracker.export_files import PLAIN, TEXT, csv_chunks

# Comma is ours; Excel splits on ";" in Russian and most European locales; a tab is the other common choice.
SEPARATORS = [",", ";", "\t"]


def cells_as_read(body: str, separator: str, *, skip_spaces: bool) -> list[str]:
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=separator, skipinitialspace=skip_spaces)
    return [cell for row in reader for cell in row]


def runs(cell: str) -> bool:
    # Spreadsheets may skip leading spaces, tabs and line breaks (hence tab and CR among the triggers).
    return cell.lstrip(" \t\r\n").startswith(("=", "+", "-", "@"))


def formula_cells(body: str) -> list[tuple[str, str]]:
    """(separator, cell) for every cell of ``body`` that some reader would run as a formula."""
    found = []
    for separator in SEPARATORS:
        for skip_spaces in (False, True):
            found += [
                (separator, cell) for cell in cells_as_read(body, separator, skip_spaces=skip_spaces) if runs(cell)
            ]
        # A reader that ignores quoting and breaks lines itself.
        for line in body.replace("\r", "\n").split("\n"):
            found += [(separator, cell) for cell in line.split(separator) if runs(cell)]
    return found


def written(*cells) -> str:
    return b"".join(csv_chunks(["a"] * len(cells), [cells])).decode("utf-8")


@pytest.mark.parametrize(
    "hostile",
    ["x;=cmd|' /C calc'!A0", "x,=cmd", "x\t=cmd", 'x;"=cmd', "x; =cmd", "x;\t+1", "line one\n@SUM(A1)", "x\r-1"],
)
def test_a_formula_after_a_separator_is_neutralised_for_every_reader(hostile):
    assert formula_cells(written("before", hostile, "after")) == []


def test_the_separator_case_was_open_before_this_rule():
    # What the comma-only rule wrote: a ";" reader sees the formula.
    body = "a\r\nx;=cmd|' /C calc'!A0\r\n"

    assert formula_cells(body) != []


@given(st.lists(st.text(alphabet="=+-@\t\r\n,;\"' ax", max_size=12), min_size=1, max_size=4))
def test_no_text_gives_any_reader_a_formula_cell(cells):
    assert formula_cells(written(*cells)) == []


@given(st.lists(st.one_of(st.none(), st.text(alphabet="=+-@\t\r\n,;\"' ax", max_size=8)), min_size=1, max_size=6))
def test_a_column_of_text_is_written_as_each_of_its_cells_neutralised_would_be(texts):
    # The column is searched as one (neutralise_column); what it writes must be what a call per cell writes.
    def column(cells, kind):
        return b"".join(csv_chunks(["a", "b"], [[cell, "x"] for cell in cells], kinds=[kind, PLAIN]))

    assert column(texts, TEXT) == column([neutralise(text) for text in texts], PLAIN)


@pytest.mark.parametrize(
    ("values", "written"),
    [
        (["fine", False, 0, None], ["fine", "false", "0", ""]),
        (["fine", -1, D(2023, 5, 18), None, "=x"], ["fine", "'-1", "2023-05-18", "", "'=x"]),
    ],
)
def test_a_column_that_is_not_all_text_is_neutralised_cell_by_cell(values, written):
    assert neutralise_column(values) == written


def test_a_column_of_text_that_needs_no_quote_mark_is_given_back_as_it_is():
    texts = ["Minsk, 2023", None, "a - b", ""]

    assert neutralise_column(texts) is texts


@pytest.mark.parametrize("text", ["x;=cmd", "=1+1", "a, -1 and b;@c", "plain, text; ok", "a;\t=x", "-"])
def test_the_import_takes_the_quote_marks_off_again(text):
    assert restore(neutralise(text)) == text


def test_text_without_a_formula_character_after_a_separator_is_unchanged():
    assert neutralise("Armenia; Belarus, Kazakhstan - and a=b") == "Armenia; Belarus, Kazakhstan - and a=b"


@pytest.mark.django_db
def test_the_events_export_gives_a_semicolon_reader_no_formula(client, six_states):
    hostile = "Ratified;=cmd|' /C calc'!A0"
    source = make_source(title="Minsk; @SUM(1)", text=f"{hostile}. And more.")
    make_event(instrument=make_instrument(slug="treaty"), state=six_states["ARM"], source=source, quote=hostile)

    response = client.get(reverse("tracker:export_events"))
    body = b"".join(response.streaming_content).decode("utf-8")

    assert hostile.split(";")[0] in body
    assert formula_cells(body) == []


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("export", ["status", "events", "instruments", "states", "sources"])
def test_no_export_gives_any_reader_a_formula_whichever_text_holds_it(client, export, language):
    # Every text an export writes, from every model, is hostile: a column the exports write as it is (a date, an id,
    # a code: tracker.views.exports.Column.kind) must never be one that holds text (issue 18).
    hostile = "-1;=cmd|' /C calc'!A0"
    state = make_state(name=f"@{hostile}", name_ru=f"+{hostile}", official_name=hostile, iso3="AAA", slug="-state")
    instrument = make_instrument(
        slug="-treaty", title=f"={hostile}", title_ru=hostile, short_title=f"@{hostile}", short_title_ru=hostile
    )
    source = make_source(title=hostile, slug="-source", speaker=hostile, place=hostile, text=f"{hostile}. More.")
    make_event(instrument=instrument, state=state, source=source, quote=hostile, place=hostile, note=hostile)
    prefix = "/ru" if language == "ru" else ""

    response = client.get(f"{prefix}/export/{export}.csv?as_of=2024-01-01")
    body = b"".join(response.streaming_content).decode("utf-8")

    assert response.status_code == 200
    assert "cmd|" in body
    assert formula_cells(body) == []

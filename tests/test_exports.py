"""The CSV exports: a public contract, so their columns, rows, filters and safety are pinned here."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from tests.builders import make_event, make_fourth_protocol_record, make_instrument, make_source
from tracker.export_files import neutralise
from tracker.models import Event, Instrument
from tracker.views.exports import CellsById, QueryColumn, cells_by_column, field, fields_read

pytestmark = pytest.mark.django_db

D = datetime.date

STATUS_CONTRACT = (
    "instrument_slug,instrument,state_code,state,status,since,date_precision,inferred,computed,event_id,source,quote"
)
INSTRUMENTS_CONTRACT = "slug,title,kind,amends,signed_or_adopted_on,place,entry_into_force,needs_ratification"
# The whole header, every column in its place: a new column may only ever be added at the end (README, issue 14).
STATUS_HEADER = (
    STATUS_CONTRACT
    + ",source_slug,source_date,event_url,status_label,computed_from"
    + ",compared_with,compared_status,compared_since,changed"
)
INSTRUMENTS_HEADER = (
    INSTRUMENTS_CONTRACT
    + ",short_title,signed_or_adopted_precision,entry_into_force_uncertain,entry_into_force_rule,ratifications_missing"
    + ",waiting_for,url,kind_label"
)


def download(client, name, params=None):
    response = client.get(reverse(name), params or {})
    assert response.status_code == 200, response.content
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body))), body.splitlines()[0]


@pytest.fixture
def record(six_states):
    record = make_fourth_protocol_record(six_states)
    # The exports' "inferred" column and filter are seen true as well as false on an instrument-level event.
    record["adopted"].inferred = True
    record["adopted"].save()
    return record


class TestStatusExport:
    def test_its_header_starts_with_the_documented_columns_in_order(self, client, record):
        _rows, header = download(client, "tracker:export_status")

        assert header.startswith(STATUS_CONTRACT + ",")

    def test_its_whole_header_is_the_documented_one_column_for_column(self, client, record):
        _rows, header = download(client, "tracker:export_status")

        assert header == STATUS_HEADER

    def test_a_computed_status_names_every_event_it_was_computed_from(self, client, record, six_states):
        speech = record["speech"]
        for iso3 in ("ARM", "KAZ", "KGZ", "RUS", "TJK"):
            make_event(instrument=record["protocol"], state=six_states[iso3], source=speech)
        ratifications = record["protocol"].events.filter(state__isnull=False, type=Event.Type.RATIFIED)
        ids = sorted(ratifications.values_list("pk", flat=True))

        rows, _header = download(client, "tracker:export_status", {"instrument": "fourth-protocol"})

        assert {row["computed"] for row in rows} == {"true"}
        assert all(sorted(int(pk) for pk in row["computed_from"].split()) == ids for row in rows)

    def test_a_reported_status_has_no_computed_from(self, client, record):
        rows, _header = download(client, "tracker:export_status", {"state": "belarus", "instrument": "fourth-protocol"})

        assert [(row["status"], row["computed_from"]) for row in rows] == [("ratified", "")]

    def test_it_has_one_row_per_instrument_and_state_with_the_engines_status(self, client, record):
        rows, _header = download(client, "tracker:export_status", {"as_of": "2023-06-01"})

        assert len(rows) == 3 * 6
        belarus = next(
            row for row in rows if row["instrument_slug"] == "fourth-protocol" and row["state_code"] == "BLR"
        )
        assert belarus == belarus | {
            "instrument": "Fourth Protocol amending the Charter",
            "state": "Belarus",
            "status": "ratified",
            "since": "2023-05-18",
            "date_precision": "on_or_before",
            "inferred": "false",
            "computed": "false",
            "event_id": str(record["ratified"].pk),
            "quote": "The Fourth Protocol has been ratified by the Republic of Belarus.",
            "source_slug": "minsk-2023",
        }
        armenia = next(
            row for row in rows if row["instrument_slug"] == "fourth-protocol" and row["state_code"] == "ARM"
        )
        assert armenia["status"] == "no_record"
        assert armenia["event_id"] == ""

    def test_it_follows_the_as_of_date(self, client, record):
        rows, _header = download(
            client, "tracker:export_status", {"as_of": "2023-05-17", "instrument": "fourth-protocol"}
        )

        assert {row["status"] for row in rows} == {"no_record"}

    def test_it_exports_all_instruments_that_the_matrix_filters_keep(self, client, record):
        rows, _header = download(client, "tracker:export_status", {"kind": "decision", "as_of": "2023-01-01"})

        assert {row["instrument_slug"] for row in rows} == {"peacekeeping-decision"}
        assert {row["status"] for row in rows} == {"adopted"}
        assert {row["inferred"] for row in rows} == {"true"}

    def test_it_can_be_narrowed_to_one_state_as_its_page_shows_it(self, client, record):
        rows, _header = download(client, "tracker:export_status", {"state": "belarus"})

        assert {row["state_code"] for row in rows} == {"BLR"}
        assert len(rows) == 3

    @pytest.mark.parametrize(
        "params", [{"as_of": "2023-13-01"}, {"compare": "soon"}, {"state": "atlantis"}, {"kind": "nonsense"}]
    )
    def test_bad_input_is_a_400_that_says_what_was_wrong(self, client, record, params):
        response = client.get(reverse("tracker:export_status"), params)

        assert response.status_code == 400
        assert "could not be made" in response.content.decode()


class TestInstrumentsExport:
    def test_its_header_starts_with_the_documented_columns_in_order(self, client, record):
        _rows, header = download(client, "tracker:export_instruments")

        assert header.startswith(INSTRUMENTS_CONTRACT + ",")

    def test_its_whole_header_is_the_documented_one_column_for_column(self, client, record):
        _rows, header = download(client, "tracker:export_instruments")

        assert header == INSTRUMENTS_HEADER

    def test_a_decision_waits_for_no_state_and_is_in_force_from_its_adoption(self, client, record):
        rows, _header = download(client, "tracker:export_instruments", {"as_of": "2024-01-01"})
        decision = next(row for row in rows if row["slug"] == "peacekeeping-decision")

        assert (decision["waiting_for"], decision["ratifications_missing"]) == ("", "")
        assert decision["entry_into_force"] == "2022-11-23"

    def test_it_gives_each_instruments_conclusion_amendment_and_entry_into_force(self, client, record):
        rows, _header = download(client, "tracker:export_instruments", {"as_of": "2024-01-01"})

        by_slug = {row["slug"]: row for row in rows}
        assert set(by_slug) == {"charter", "fourth-protocol", "peacekeeping-decision"}
        protocol = by_slug["fourth-protocol"]
        assert protocol == protocol | {
            "title": "Fourth Protocol amending the Charter",
            "kind": "protocol",
            "amends": "charter",
            "signed_or_adopted_on": "2022-11-23",
            "place": "Yerevan",
            "entry_into_force": "",
            "needs_ratification": "true",
            "ratifications_missing": "5",
            "waiting_for": "ARM KAZ KGZ RUS TJK",
        }
        assert by_slug["peacekeeping-decision"]["needs_ratification"] == "false"
        assert by_slug["peacekeeping-decision"]["signed_or_adopted_on"] == "2022-11-23"

    def test_an_instrument_in_force_gives_the_date(self, client, record, six_states):
        source = make_source(date=D(2024, 3, 1), text="All states ratified it.")
        for state in six_states.values():
            if state.iso3 != "BLR":
                make_event(instrument=record["protocol"], state=state, source=source, quote="All states ratified it")

        rows, _header = download(client, "tracker:export_instruments", {"q": "fourth"})

        assert [row["entry_into_force"] for row in rows] == ["2024-03-01"]

    def test_filters_narrow_the_rows(self, client, record):
        rows, _header = download(client, "tracker:export_instruments", {"needs_ratification": "false"})

        assert [row["slug"] for row in rows] == ["peacekeeping-decision"]


class TestEventsExport:
    def test_it_has_a_header_and_every_event(self, client, record):
        rows, header = download(client, "tracker:export_events")

        assert header.startswith("event_id,instrument_slug,instrument,state_code,state,type,date,date_precision")
        assert {int(row["event_id"]) for row in rows} == {
            record["ratified"].pk,
            record["pending"].pk,
            record["signed"].pk,
            record["adopted"].pk,
        }

    def test_it_keeps_the_events_tables_filters_and_ignores_its_paging(self, client, record):
        params = {"source": "yerevan-2022", "inferred": "false", "page": "3", "sort": "-date"}
        rows, _header = download(client, "tracker:export_events", params)

        assert [int(row["event_id"]) for row in rows] == [record["signed"].pk]
        assert rows[0]["state_code"] == ""
        assert rows[0]["place"] == "Yerevan"

    def test_it_exports_all_rows_not_just_one_page(self, client, six_states):
        instrument = make_instrument()
        for _ in range(120):
            make_event(instrument=instrument, state=six_states["ARM"])

        rows, _header = download(client, "tracker:export_events")

        assert len(rows) == 120

    def test_a_bad_filter_is_a_400(self, client, record):
        assert client.get(reverse("tracker:export_events"), {"date_before": "31.12.2023"}).status_code == 400


class TestCellsByColumn:
    # The events export's cells, got a column at a time from the query's rows (issue 18).
    COLUMNS = [
        field("id", "pk"),
        QueryColumn("label", ("title", "pk"), lambda titles, pks, download: list(map("{} {}".format, titles, pks))),
        field("title", "title"),
    ]

    def test_each_column_gets_the_values_of_the_fields_it_reads_and_a_shared_field_is_read_once(self):
        assert fields_read(self.COLUMNS) == ["pk", "title"]

        cells = cells_by_column(self.COLUMNS, iter([(1, "One"), (2, "Two")]), download=None)

        assert list(cells) == [(1, "One 1", "One"), (2, "Two 2", "Two")]

    def test_closing_them_half_read_closes_the_rows_at_once(self):
        closed = []

        def rows():
            try:
                for n in range(10_000):
                    yield (n, "x")
            finally:
                closed.append(True)

        # Held here as a server-side cursor is held by its connection: only closing it closes it.
        source = rows()
        cells = cells_by_column(self.COLUMNS, source, download=None)
        next(cells)
        cells.close()

        assert closed == [True]

    def test_an_instrument_added_after_the_lookups_were_made_is_still_found(self):
        slugs = CellsById(Instrument.objects.all(), lambda instrument: instrument.slug)
        added = make_instrument(slug="added-since")

        assert slugs[added.pk] == "added-since"
        assert slugs[None] is None


class TestOtherExports:
    def test_states_and_sources_export_every_row(self, client, record):
        states, _header = download(client, "tracker:export_states")
        sources, _header = download(client, "tracker:export_sources")

        assert [row["state_code"] for row in states] == ["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"]
        assert {row["slug"] for row in sources} == {"minsk-2023", "yerevan-2022"}


class TestFormulaNeutralisation:
    @pytest.mark.parametrize("dangerous", ["=1+1", "+1", "-1", "@SUM(A1)", "\tcmd", "\rcmd", '=HYPERLINK("x")'])
    def test_a_cell_a_spreadsheet_would_run_is_prefixed_with_a_quote_mark(self, dangerous):
        assert neutralise(dangerous) == "'" + dangerous

    @pytest.mark.parametrize(
        ("value", "expected"),
        [("Belarus", "Belarus"), ("a=b", "a=b"), (None, ""), (True, "true"), (D(2023, 6, 1), "2023-06-01"), (7, "7")],
    )
    def test_ordinary_values_pass_unchanged(self, value, expected):
        assert neutralise(value) == expected

    def test_every_export_neutralises_what_comes_from_the_record(self, client, six_states):
        instrument = make_instrument(title="=cmd|' /C calc'!A0", slug="evil")
        source = make_source(title="@SUM(1+1)", text="-2+3 said the minister. And more.")
        make_event(instrument=instrument, state=six_states["ARM"], source=source, quote="-2+3 said the minister")

        status_rows, _header = download(client, "tracker:export_status", {"q": "cmd"})
        instrument_rows, _header = download(client, "tracker:export_instruments")
        event_rows, _header = download(client, "tracker:export_events")
        source_rows, _header = download(client, "tracker:export_sources")

        assert status_rows[0]["instrument"] == "'=cmd|' /C calc'!A0"
        armenia = next(row for row in status_rows if row["state_code"] == "ARM")
        assert armenia["quote"] == "'-2+3 said the minister"
        assert armenia["source"] == "'@SUM(1+1)"
        assert instrument_rows[0]["title"] == "'=cmd|' /C calc'!A0"
        assert event_rows[0]["quote"] == "'-2+3 said the minister"
        assert source_rows[0]["title"] == "'@SUM(1+1)"


class TestExportsAreUtf8:
    def test_cyrillic_titles_survive_the_export(self, client, six_states):
        make_instrument(title="Устав Организации Договора о коллективной безопасности", slug="ustav")

        rows, _header = download(client, "tracker:export_instruments")

        assert rows[0]["title"] == "Устав Организации Договора о коллективной безопасности"


class TestExportLinks:
    def test_every_table_page_links_to_its_export(self, client, record, six_states):
        pages = {
            reverse("tracker:matrix"): "tracker:export_status",
            reverse("tracker:instrument_list"): "tracker:export_instruments",
            reverse("tracker:state_list"): "tracker:export_states",
            reverse("tracker:event_list"): "tracker:export_events",
            reverse("tracker:source_list"): "tracker:export_sources",
            record["protocol"].get_absolute_url(): "tracker:export_status",
            six_states["BLR"].get_absolute_url(): "tracker:export_status",
        }
        for page, export in pages.items():
            assert reverse(export) in client.get(page).content.decode(), page


class TestTheComparedStatusExport:
    def test_comparing_two_dates_adds_the_other_dates_status_and_since_at_the_end(self, client, record):
        rows, header = download(client, "tracker:export_status", {"as_of": "2023-06-01", "compare": "2023-01-01"})

        # The contract's columns keep their places; the comparison's come after every existing one.
        assert header.startswith(STATUS_CONTRACT)
        assert header.endswith(",status_label,computed_from,compared_with,compared_status,compared_since,changed")
        belarus = next(r for r in rows if r["instrument_slug"] == "fourth-protocol" and r["state_code"] == "BLR")
        assert (belarus["status"], belarus["since"]) == ("ratified", "2023-05-18")
        assert belarus["compared_with"] == "2023-01-01"
        assert (belarus["compared_status"], belarus["compared_since"]) == ("no_record", "")
        assert belarus["changed"] == "true"
        armenia = next(r for r in rows if r["instrument_slug"] == "charter" and r["state_code"] == "ARM")
        assert armenia["changed"] == "false"
        # The same rule as the matrix's outlined cells.
        page = client.get(reverse("tracker:matrix"), {"as_of": "2023-06-01", "compare": "2023-01-01"})
        outlined = {
            (row.instrument.slug, cell.state.iso3) for row in page.context["rows"] for cell in row.cells if cell.changed
        }
        assert {(r["instrument_slug"], r["state_code"]) for r in rows if r["changed"] == "true"} == outlined

    def test_without_a_comparison_the_new_columns_are_empty(self, client, record):
        rows, _header = download(client, "tracker:export_status", {"as_of": "2023-06-01"})

        assert {(r["compared_with"], r["compared_status"], r["compared_since"], r["changed"]) for r in rows} == {
            ("", "", "", "")
        }

"""A visitor's path through the public site in a real browser, on the curated record."""

import csv
import re

from playwright.sync_api import expect

from tracker.models import Event, Instrument, MemberState

FOURTH_PROTOCOL = "fourth-protocol-charter-biosecurity"


def test_a_visitor_changes_the_date_of_the_matrix(curated_site, page):
    page.goto(curated_site.url + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Where each member state stands")

    page.get_by_label("Status as of").fill("2023-06-01")
    page.get_by_role("button", name="Show").click()

    expect(page).to_have_url(re.compile(r"as_of=2023-06-01"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("1 June 2023")
    row = page.get_by_role("row").filter(has_text="Fourth Protocol")
    expect(row).to_contain_text("Ratified")
    expect(row).to_contain_text("Ratification pending")


def test_a_visitor_follows_a_cell_to_its_evidence_and_the_sentence_in_its_source(curated_site, page):
    ratified = Event.objects.get(instrument__slug=FOURTH_PROTOCOL, state__iso3="BLR", type="ratified")
    page.goto(curated_site.url + "/?as_of=2024-01-01")

    row = page.get_by_role("row").filter(has_text="Fourth Protocol")
    row.get_by_role("link", name="Ratified").click()

    expect(page).to_have_url(curated_site.url + ratified.get_absolute_url())
    expect(page.locator("blockquote")).to_contain_text(ratified.quote)
    page.get_by_role("link", name="Read the quote in its full source").click()

    mark = page.locator(f"mark#event-{ratified.pk}")
    expect(mark).to_be_visible()
    expect(mark).to_contain_text("ratified by the Republic of Belarus")
    assert page.url.endswith(f"#event-{ratified.pk}")


def test_a_visitor_filters_the_events(curated_site, page):
    page.goto(curated_site.url + "/events/")
    total = Event.objects.count()
    expect(page.get_by_text(f"{total} events")).to_be_visible()

    page.get_by_label("Member state").select_option(label="Belarus")
    page.get_by_label("Event type").select_option(label="Ratified (internal procedures completed)")
    page.get_by_role("button", name="Filter").click()

    expected = Event.objects.filter(state__iso3="BLR", type="ratified").count()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(expected)
    for index in range(expected):
        expect(rows.nth(index)).to_contain_text("Belarus")


def test_a_visitor_downloads_the_matrix_as_csv(curated_site, page):
    page.goto(curated_site.url + "/?as_of=2023-06-01&kind=charter_amendment")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value

    assert download.suggested_filename == "status-2023-06-01.csv"
    with open(download.path(), encoding="utf-8", newline="") as exported:
        rows = list(csv.DictReader(exported))
    kinds = set(Instrument.objects.filter(kind="charter_amendment").values_list("slug", flat=True))
    assert {row["instrument_slug"] for row in rows} == kinds
    assert len(rows) == len(kinds) * MemberState.objects.count()
    belarus = next(row for row in rows if row["instrument_slug"] == FOURTH_PROTOCOL and row["state_code"] == "BLR")
    assert belarus["status"] == "ratified"

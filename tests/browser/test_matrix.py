"""The matrix task in a real browser (issue 15): a reader finds who has ratified what, and what changed, at a glance."""

import pytest
from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def test_the_legend_comes_first_and_explains_dates_and_inferred_in_words(curated_site, page):
    page.goto(curated_site.url + "/?as_of=2024-01-01")

    legend = page.get_by_role("region", name="How to read the matrix")
    table = page.get_by_role("region", name="Instruments that need ratification")
    assert legend.bounding_box()["y"] < table.bounding_box()["y"]
    expect(legend).to_contain_text("by 18 May 2023")
    expect(legend).to_contain_text("inferred")
    expect(legend).to_contain_text("the source implies this step rather than stating it")
    expect(page.locator("main")).not_to_contain_text("≤")


def test_instruments_that_need_ratification_come_before_the_council_decisions(curated_site, page):
    page.goto(curated_site.url + "/?as_of=2024-01-01")

    ratification = page.get_by_role("region", name="Instruments that need ratification")
    decisions = page.get_by_role("region", name="Council decisions and statements")
    assert ratification.bounding_box()["y"] < decisions.bounding_box()["y"]
    # Grouped by kind, each row with its summary; the Fourth Protocol's cells give their dates in words.
    expect(ratification.get_by_role("rowheader", name="Protocol", exact=True)).to_be_visible()
    protocol = ratification.get_by_role("row").filter(has_text="Fourth Protocol")
    expect(protocol).to_contain_text("of 6 ratified")
    expect(protocol.get_by_role("cell", name="Ratified by 18 May 2023")).to_be_visible()
    # A decision every member adopted the same day is one line.
    expect(decisions).to_contain_text("by all member states")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_both_headers_stay_in_view_while_the_matrix_scrolls(curated_site, browser, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(curated_site.url + "/?as_of=2024-01-01")
    # The page itself never scrolls sideways; the matrix scrolls inside its own box, both ways.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    region = page.get_by_role("region", name="Instruments that need ratification")
    region.scroll_into_view_if_needed()
    region.evaluate("box => { box.scrollTop = 250; box.scrollLeft = 400; }")
    assert region.evaluate("box => box.scrollTop") > 0, "the matrix box should scroll down inside itself"

    box = region.bounding_box()
    corner = region.locator("thead th.instrument-col").bounding_box()
    assert abs(corner["y"] - box["y"]) <= 2 and abs(corner["x"] - box["x"]) <= 2
    # Some state's header is in view at the top of the box, and each row keeps its instrument's name at the left.
    tops = [th.bounding_box() for th in region.locator("thead th.state-col").all()]
    assert any(abs(top["y"] - box["y"]) <= 2 and box["x"] < top["x"] < box["x"] + box["width"] for top in tops)
    visible_rows = [
        th.bounding_box()
        for th in region.locator("tbody th.instrument-col").all()
        if box["y"] < th.bounding_box()["y"] < box["y"] + box["height"]
    ]
    assert visible_rows and all(abs(row["x"] - box["x"]) <= 2 for row in visible_rows)
    context.close()


def test_what_changed_during_2023_is_grouped_by_instrument_with_the_date_of_each_change(curated_site, page):
    page.goto(curated_site.url + "/?as_of=2023-12-31&compare=2023-01-01")

    changes = page.get_by_role("region", name="statuses changed between")
    expect(changes).to_be_visible()
    protocol = changes.locator(".change-list > li").filter(has_text="Fourth Protocol")
    expect(protocol).to_contain_text("Belarus")
    expect(protocol).to_contain_text("No record → Ratified by 18 May 2023")


def test_a_russian_reader_reads_the_matrix_in_russian_words(curated_site, page):
    page.goto(curated_site.url + "/ru/?as_of=2024-01-01")

    ratification = page.get_by_role("region", name="Документы, требующие ратификации")
    # The official Russian title, and a status that agrees with it: "соглашение ратифицировано", "не позднее".
    agreement = ratification.get_by_role("row").filter(has_text="Соглашение о совместном материально-техническом")
    expect(agreement.get_by_role("cell", name="Ратифицировано не позднее 18.05.2023").first).to_be_visible()
    # The founding Treaty binds all six members (inferred from the sources, issue 14).
    treaty = ratification.get_by_role("rowheader").filter(
        has=page.get_by_role("link", name="Договор о коллективной безопасности", exact=True)
    )
    expect(treaty).to_contain_text("Ратифицировали 6 из 6")
    legend = page.get_by_role("region", name="Как читать таблицу")
    expect(legend).to_contain_text("по косвенным данным")
    expect(legend).to_contain_text("в 2023 г.")
    expect(page.get_by_role("region", name="Решения и заявления Совета")).to_contain_text("всеми государствами-членами")


def test_the_matrix_prints_on_a4_landscape_with_every_column_its_date_and_the_legend(curated_site, page):
    # A4 landscape less 10 mm margins is 277 mm: 1047 CSS pixels.
    page.set_viewport_size({"width": 1047, "height": 740})
    page.goto(curated_site.url + "/?as_of=2024-01-01")
    page.emulate_media(media="print")

    expect(page.get_by_role("heading", level=1)).to_contain_text("as of 1 January 2024")
    expect(page.get_by_role("region", name="How to read the matrix")).to_be_visible()
    expect(page.locator("form.filters")).to_be_hidden()
    for table in page.locator("table.matrix").all():
        assert table.evaluate("t => t.scrollWidth") <= 1047
        headers = table.locator("thead th").all()
        assert headers[-1].bounding_box()["x"] + headers[-1].bounding_box()["width"] <= 1047 + 1
    expect(page.locator("table.matrix").first.get_by_role("columnheader", name="Tajikistan")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Entry into force")).to_be_visible()

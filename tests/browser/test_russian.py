"""A Russian reader in a real browser (issue 10): the matrix in Russian; switching language keeps page and filters."""

import re

from playwright.sync_api import expect


def test_a_russian_reader_sees_the_matrix_in_russian_with_russian_dates_and_names(curated_site, page, screenshot):
    page.goto(curated_site.url + "/ru/?as_of=2023-05-18")

    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text("Положение каждого государства-члена на 18 мая 2023 г.")
    ratification = page.get_by_role("region", name="Документы, требующие ратификации")
    expect(ratification.get_by_role("columnheader", name="Армения")).to_be_visible()
    treaty = page.get_by_role("row").filter(has_text="Договор о коллективной безопасности").first
    expect(treaty).to_contain_text("Договор")
    # An instrument with no recorded Russian title is shown in English, and says so.
    fallback = page.locator(".matrix .lang-fallback").first
    expect(fallback).to_have_text("(en)")
    expect(page.get_by_role("heading", name="Как читать таблицу")).to_be_visible()

    screenshot(curated_site.url + "/ru/?as_of=2023-05-18", "matrix-ru")


def test_switching_language_keeps_the_page_and_its_filters(curated_site, page):
    page.goto(curated_site.url + "/ru/events/")
    page.get_by_label("Государство-член").select_option(label="Беларусь")
    page.get_by_label("Тип события").select_option(label="Ратифицирован (внутригосударственные процедуры выполнены)")
    page.get_by_role("button", name="Отобрать").click()
    expect(page).to_have_url(re.compile(r"/ru/events/\?.*state=belarus.*type=ratified"))
    russian_rows = page.locator("table tbody tr").count()

    page.get_by_role("navigation", name="Язык").get_by_role("link", name="English").click()

    expect(page).to_have_url(
        re.compile(r"^" + re.escape(curated_site.url) + r"/events/\?.*state=belarus.*type=ratified")
    )
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_label("Member state")).to_have_value("belarus")
    expect(page.get_by_label("Event type")).to_have_value("ratified")
    expect(page.locator("table tbody tr")).to_have_count(russian_rows)

    page.get_by_role("navigation", name="Language").get_by_role("link", name="Русский").click()

    expect(page).to_have_url(re.compile(r"/ru/events/\?.*state=belarus.*type=ratified"))
    expect(page.get_by_role("heading", level=1)).to_have_text("События")


def test_a_russian_reader_finds_an_agreements_official_title_and_statuses_worded_in_russian(curated_site, page):
    page.goto(curated_site.url + "/ru/instruments/logistical-medical-support-agreement/?as_of=2024-01-01")

    # The official Russian title, not the English one with an "(en)" badge.
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(
        "Соглашение о совместном материально-техническом и медицинском обеспечении Войск (Коллективных сил) "
        "Организации Договора о коллективной безопасности"
    )
    expect(heading.locator(".lang-fallback")).to_have_count(0)
    statuses = page.locator("table.statuses")
    # The header fits every status; the status agrees with "соглашение"; the dates are in Russian words.
    expect(statuses.get_by_role("columnheader", name="Дата")).to_be_visible()
    belarus = statuses.get_by_role("row").filter(has_text="Беларусь")
    expect(belarus).to_contain_text("Ратифицировано")
    expect(belarus).to_contain_text("не позднее 18.05.2023")
    expect(page.locator("main")).not_to_contain_text("выведено")
    expect(page.locator("main")).not_to_contain_text("≤")


def test_a_russian_reader_sees_the_instruments_in_russian_alphabetical_order(curated_site, page):
    page.goto(curated_site.url + "/ru/instruments/")

    titles = [title.strip() for title in page.locator("table tbody tr td:first-child").all_inner_texts()]
    russian = [title for title in titles if title[:1].isalpha() and "А" <= title[0].upper() <= "Я"]
    assert "Договор о коллективной безопасности" in russian
    assert russian == sorted(russian, key=lambda title: title.casefold().replace("ё", "е"))

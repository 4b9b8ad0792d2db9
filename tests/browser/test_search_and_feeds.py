"""Two of a reader's tasks in a real browser, in both languages (issue 15): every mention of peacekeeping in the
source texts, found with the search box; and the Atom feed for Armenia, found from the pages."""

import re
import xml.etree.ElementTree as ET

import pytest
from playwright.sync_api import expect

from tracker.models import SourceDocument

ATOM = "{http://www.w3.org/2005/Atom}"

TASKS = {
    "en": {
        "prefix": "",
        "search_box": "Search the record",
        "search": "Search",
        "sources_tab": re.compile(r"^Source: \d+$"),
        "sources_heading": "Source",
        "mentions": re.compile(r"\d+ mentions?"),
        "states": "Member states",
        "armenia": "Armenia",
        "feed": "Follow these events (Atom feed)",
        "feed_title": "CSTO ratification tracker: events of Armenia",
    },
    "ru": {
        "prefix": "/ru",
        "search_box": "Поиск по базе",
        "search": "Поиск",
        "sources_tab": re.compile(r"^Источник: \d+$"),
        "sources_heading": "Источник",
        "mentions": re.compile(r"\d+ упоминани[еяй]"),
        "states": "Государства-члены",
        "armenia": "Армения",
        "feed": "Следить за этими событиями (лента Atom)",
        "feed_title": "Ратификации документов ОДКБ: события — Армения",
    },
}


@pytest.mark.parametrize("language", list(TASKS))
def test_a_reader_finds_every_mention_of_peacekeeping_in_the_source_texts(curated_site, page, language, screenshot):
    words = TASKS[language]
    page.goto(curated_site.url + words["prefix"] + "/")

    page.get_by_role("search").first.get_by_label(words["search_box"]).fill("peacekeeping")
    page.get_by_role("search").first.get_by_role("button", name=words["search"]).click()
    expect(page).to_have_url(re.compile(re.escape(words["prefix"]) + r"/search/\?q=peacekeeping"))
    page.get_by_role("link", name=words["sources_tab"]).click()

    mentioning = [s for s in SourceDocument.objects.all() if "peacekeeping" in s.text.lower()]
    results = page.locator(".search-result")
    expect(results).to_have_count(len(mentioning))
    expect(page.get_by_role("heading", level=2)).to_have_text(words["sources_heading"])
    for index in range(len(mentioning)):
        result = results.nth(index)
        expect(result.locator("mark").first).to_have_text(re.compile(r"^peacekeep", re.IGNORECASE))
        expect(result).to_contain_text(words["mentions"])
    titles = {results.nth(i).get_by_role("heading").inner_text() for i in range(len(mentioning))}
    assert titles == {source.title for source in mentioning}

    # The first result leads to the whole text of its source.
    results.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(re.escape(words["prefix"]) + r"/sources/[-\w]+/$"))
    expect(page.locator(".source-text")).to_contain_text(re.compile("peacekeeping", re.IGNORECASE))

    screenshot(f"{curated_site.url}{words['prefix']}/search/?q=peacekeeping&kind=source", f"search-{language}")


def test_a_russian_reader_finds_the_agreement_by_another_form_of_its_russian_title(curated_site, page):
    page.goto(curated_site.url + "/ru/events/")

    page.get_by_role("search").first.get_by_label("Поиск по базе").fill("миротворческая")
    page.keyboard.press("Enter")

    first = page.locator(".search-result").first
    expect(first.get_by_role("link")).to_have_text(
        "Соглашение о миротворческой деятельности Организации Договора о коллективной безопасности"
    )
    expect(first.locator("mark").first).to_have_text("миротворческой")


@pytest.mark.parametrize("language", list(TASKS))
def test_a_reader_finds_the_atom_feed_for_armenia_from_the_pages(curated_site, page, language, screenshot):
    words = TASKS[language]
    page.goto(curated_site.url + words["prefix"] + "/")

    page.get_by_role("navigation", name=re.compile("^(Main|Основное меню)$")).get_by_role(
        "link", name=words["states"]
    ).click()
    page.get_by_role("link", name=words["armenia"], exact=True).first.click()
    feed_link = page.get_by_role("link", name=words["feed"])
    expect(feed_link).to_be_visible()
    address = feed_link.get_attribute("href")
    assert address == f"{words['prefix']}/feeds/states/armenia.atom"

    response = page.request.get(curated_site.url + address)
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.body())
    assert feed.findtext(f"{ATOM}title") == words["feed_title"]
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    assert all(words["armenia"] in entry.findtext(f"{ATOM}title") for entry in entries)

    screenshot(f"{curated_site.url}{words['prefix']}/states/armenia/", f"state-feed-{language}")


@pytest.mark.parametrize("prefix", ["", "/ru"])
def test_the_data_page_is_one_click_from_any_page_and_lists_armenias_feed(curated_site, page, prefix, screenshot):
    page.goto(curated_site.url + prefix + "/events/")

    page.get_by_role("link", name=re.compile("^(Data|Данные)$")).click()

    expect(page).to_have_url(curated_site.url + prefix + "/data/")
    armenia = page.locator(f'a[href="{prefix}/feeds/states/armenia.atom"]')
    expect(armenia).to_be_visible()
    screenshot(f"{curated_site.url}{prefix}/data/", f"data{prefix.replace('/', '-') or '-en'}")

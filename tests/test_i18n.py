"""Russian and English (issue 10): every page in both, names with an honest fallback, dates, exports and the admin."""

import csv
import datetime
import html
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from tests.builders import make_event, make_instrument, make_source, make_state
from tracker.models import Event, Instrument, MemberState, SourceDocument
from tracker.views.exports import STATUS_COLUMNS, header

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def curated(django_db_setup, django_db_blocker):
    """The curated record, loaded once for the module inside a transaction rolled back at its end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        call_command("load_record", verbosity=0)
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def record(curated, db):
    return curated


def in_language(language, name, **kwargs):
    with translation.override(language):
        return reverse(name, **kwargs)


def first_event_pk():
    return Event.objects.order_by("pk").values_list("pk", flat=True).first()


def first_source_slug():
    return SourceDocument.objects.order_by("-date").values_list("slug", flat=True).first()


# (URL name, its kwargs, a Russian string only the Russian page has, an English one only the English page has)
PAGES = [
    ("tracker:matrix", {}, "Положение каждого государства-члена", "Where each member state stands"),
    ("tracker:instrument_list", {}, "Договоры, протоколы, соглашения", "Treaties, protocols, agreements"),
    (
        "tracker:instrument_detail",
        {"slug": "csto-charter"},
        "Устав Организации Договора о коллективной безопасности",
        "Charter of the Collective Security Treaty Organization",
    ),
    ("tracker:state_list", {}, "Армения", "Armenia"),
    ("tracker:state_detail", {"slug": "armenia"}, "Республика Армения", "Republic of Armenia"),
    ("tracker:event_list", {}, "Каждый сообщённый шаг", "Every reported step"),
    ("tracker:event_detail", {"pk": first_event_pk}, "Учитывается с", "Counts from"),
    ("tracker:source_list", {}, "Выступления и заявления", "The speeches and statements"),
    ("tracker:source_detail", {"slug": first_source_slug}, "Источники", "Sources"),
]


def resolved(kwargs):
    return {key: value() if callable(value) else value for key, value in kwargs.items()}


class TestEveryPublicPage:
    @pytest.mark.parametrize(("name", "kwargs", "russian", "english"), PAGES, ids=[page[0] for page in PAGES])
    def test_it_renders_in_russian_under_the_ru_prefix_and_in_english_without_one(
        self, client, record, name, kwargs, russian, english
    ):
        kwargs = resolved(kwargs)
        english_url, russian_url = in_language("en", name, kwargs=kwargs), in_language("ru", name, kwargs=kwargs)
        assert russian_url == "/ru" + english_url

        russian_page = client.get(russian_url)
        english_page = client.get(english_url)

        assert russian_page.status_code == english_page.status_code == 200
        russian_html, english_html = russian_page.content.decode(), english_page.content.decode()
        assert '<html lang="ru">' in russian_html and '<html lang="en">' in english_html
        assert russian in russian_html and "Таблица статусов" in russian_html
        assert english in english_html and "Таблица статусов" not in english_html
        # The page's own chrome is all Russian: no English navigation or export link is left.
        for leftover in ("Status matrix", "Export CSV", "Skip to content", "Member states"):
            assert leftover not in russian_html

    def test_the_404_and_400_pages_are_in_the_readers_language(self, client, record):
        missing = client.get("/ru/instruments/no-such-instrument/")
        bad = client.get("/ru/", {"as_of": "18.05.2023"})

        assert missing.status_code == 404 and "Страница не найдена" in missing.content.decode()
        assert bad.status_code == 400
        assert "Введите дату в виде ГГГГ-ММ-ДД" in bad.content.decode()


class TestAddresses:
    def test_english_addresses_have_no_prefix_and_an_en_prefix_leads_to_them_with_the_query(self, client, record):
        response = client.get("/en/events/?state=belarus&type=ratified")

        assert response.status_code == 301
        assert response["Location"] == "/events/?state=belarus&type=ratified"
        assert client.get("/events/", HTTP_ACCEPT_LANGUAGE="ru").content.decode().count('<html lang="en">') == 1

    @pytest.mark.parametrize("path", ["/en//evil.example/", "/en/\\evil.example/", "/en/%2F%2Fevil.example/"])
    def test_the_en_redirect_never_leads_to_another_site(self, client, db, path):
        response = client.get(path)

        location = response.get("Location", "")
        assert not location.startswith(("//", "/\\", "http")), location

    def test_the_api_and_feeds_stay_english_and_unprefixed_whatever_the_browser_asks_for(self, client, record):
        feed = client.get(reverse("feeds:events"), HTTP_ACCEPT_LANGUAGE="ru")
        states = client.get("/api/states", HTTP_ACCEPT_LANGUAGE="ru").json()

        assert feed.status_code == 200
        assert "http://testserver/ru/" not in feed.content.decode()
        assert {item["url"] for item in states["items"]} >= {"http://testserver/states/armenia/"}
        assert client.get("/ru/api/states").status_code == 404


def switcher_links(response) -> dict[str, str]:
    """{language code: href} of the language switcher's links on a page."""
    page = response.content.decode()
    switcher = page[page.index('class="language-switcher"') :]
    switcher = switcher[: switcher.index("</nav>")]
    return {code: html.unescape(href) for href, code in re.findall(r'<a href="([^"]*)" hreflang="([a-z]+)"', switcher)}


class TestLanguageSwitcher:
    def test_it_links_to_the_same_page_and_filters_in_the_other_language(self, client, record):
        filters = "?state=belarus&type=ratified&date_after=2020-01-01"

        from_english = switcher_links(client.get("/events/" + filters))
        from_russian = switcher_links(client.get("/ru/events/" + filters))

        assert from_english == {"ru": "/ru/events/" + filters}
        assert from_russian == {"en": "/events/" + filters}

    def test_it_keeps_the_instrument_and_the_as_of_date(self, client, record):
        links = switcher_links(client.get("/ru/instruments/csto-charter/?as_of=2023-05-18"))

        assert links == {"en": "/instruments/csto-charter/?as_of=2023-05-18"}
        assert client.get(links["en"]).status_code == 200

    def test_the_page_announces_every_language_version_by_absolute_address_with_english_the_default(
        self, client, record
    ):
        page = client.get("/ru/states/armenia/").content.decode()

        assert re.findall(r'<link rel="alternate" hreflang="([a-z-]+)" href="([^"]*)">', page) == [
            ("en", "http://testserver/states/armenia/"),
            ("x-default", "http://testserver/states/armenia/"),
            ("ru", "http://testserver/ru/states/armenia/"),
        ]

    @pytest.mark.parametrize("path", ["//evil.example/", "/\\evil.example/", "//evil.example/ru/", "///evil.example/"])
    def test_no_language_link_of_a_404_page_leads_to_another_site(self, client, db, path):
        response = client.get("/", PATH_INFO=path)
        page = response.content.decode()

        assert response.status_code == 404
        hrefs = re.findall(r'<link rel="alternate" hreflang="[a-z-]+" href="([^"]*)">', page)
        assert len(hrefs) == 3 and all(href.startswith("http://testserver/") for href in hrefs), hrefs
        links = switcher_links(response)
        assert links and all(href.startswith("/") and href[1] not in "/\\" for href in links.values()), links


class TestNamesInTheReadersLanguage:
    def test_a_state_shows_its_russian_name_to_a_russian_reader_and_its_english_one_otherwise(self, db):
        state = make_state(name="Ruritania", official_name="Kingdom of Ruritania", name_ru="Руритания")

        with translation.override("ru"):
            assert (str(state), state.display_name().is_fallback) == ("Руритания", False)
            official = state.display_official_name()
            assert (official.text, official.language, official.is_fallback) == ("Kingdom of Ruritania", "en", True)
        assert (str(state), state.display_name().is_fallback) == ("Ruritania", False)

    def test_an_instruments_short_title_falls_back_to_its_russian_title_before_any_english(self, db):
        instrument = make_instrument(title="Charter", short_title="CSTO Charter", title_ru="Устав ОДКБ")

        with translation.override("ru"):
            assert str(instrument) == "Устав ОДКБ"
        assert str(instrument) == "CSTO Charter"

    def test_an_english_stand_in_on_a_russian_page_is_marked_with_its_language(self, client, record):
        page = client.get("/ru/instruments/fourth-protocol-charter-biosecurity/").content.decode()
        title = Instrument.objects.get(slug="fourth-protocol-charter-biosecurity").title

        assert f'<h1><span lang="en">{title}</span> <small class="lang-fallback"' in page
        assert "(en)</small>" in page

    def test_a_translated_name_carries_no_mark(self, client, record):
        page = client.get("/ru/instruments/csto-charter/").content.decode()

        assert "<h1>Устав Организации Договора о коллективной безопасности</h1>" in page
        assert "Республика Армения" not in page  # the short names stand in the status table
        assert ">Армения</a>" in page

    def test_the_events_filter_offers_the_states_by_their_russian_names(self, client, record):
        page = client.get("/ru/events/").content.decode()

        assert '<option value="belarus">Беларусь</option>' in page


class TestCitations:
    def test_a_citation_on_a_russian_page_stays_english_with_the_english_permanent_address(self, client, record):
        pk = first_event_pk()

        page = client.get(f"/ru/events/{pk}/").content.decode()

        citation = page[page.index('<textarea id="cite-event"') : page.index("</textarea>")]
        assert f"http://testserver/events/{pk}/" in citation and "(accessed " in citation
        assert "/ru/" not in citation


class TestDates:
    def test_a_russian_page_writes_dates_the_russian_way_and_an_english_one_the_english_way(self, client, record):
        russian = client.get("/ru/", {"as_of": "2023-05-18"}).content.decode()
        english = client.get("/", {"as_of": "2023-05-18"}).content.decode()

        assert "на 18 мая 2023 г." in russian
        assert "as of 18 May 2023" in english

    def test_an_event_date_in_a_table_is_short_and_numeric_in_russian(self, db):
        state = make_state()
        instrument = make_instrument()
        event = make_event(
            instrument=instrument, state=state, source=make_source(date=datetime.date(2023, 5, 18)), precision="day"
        )
        with translation.override("ru"):
            assert event.date_display == "18.05.2023"
        assert event.date_display == "18 May 2023"


def read_csv(response):
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))


class TestExportsInRussian:
    def test_the_status_export_has_russian_names_and_labels_and_the_same_codes_and_header(self, client, record):
        english = client.get(reverse("tracker:export_status"), {"as_of": "2024-01-01"})
        russian = client.get("/ru" + reverse("tracker:export_status"), {"as_of": "2024-01-01"})
        english_rows, russian_rows = read_csv(english), read_csv(russian)

        assert list(russian_rows[0]) == list(english_rows[0]) == header(STATUS_COLUMNS)
        stable = ["instrument_slug", "state_code", "status", "since", "date_precision", "inferred", "event_id"]
        assert [[row[c] for c in stable] for row in russian_rows] == [[row[c] for c in stable] for row in english_rows]
        charter_in_armenia = next(
            row for row in russian_rows if row["instrument_slug"] == "csto-charter" and row["state_code"] == "ARM"
        )
        assert charter_in_armenia["instrument"] == "Устав Организации Договора о коллективной безопасности"
        assert charter_in_armenia["state"] == "Армения"
        assert {row["status_label"] for row in russian_rows} >= {"В силе", "Нет данных"}
        assert all(
            row["event_url"].startswith("http://testserver/ru/events/") for row in russian_rows if row["event_url"]
        )
        assert {row["status_label"] for row in english_rows} >= {"In force", "No record"}

    def test_the_events_export_names_states_in_russian_but_keeps_type_codes_and_iso_dates(self, client, record):
        rows = read_csv(client.get("/ru/export/events.csv", {"state": "belarus", "type": "ratified"}))

        assert rows and {row["state"] for row in rows} == {"Беларусь"}
        assert {row["state_code"] for row in rows} == {"BLR"}
        assert {row["type"] for row in rows} == {"ratified"}
        assert {row["type_label"] for row in rows} == {"Ратифицирован (внутригосударственные процедуры выполнены)"}
        assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date"]) for row in rows)

    def test_the_instrument_state_and_source_exports_label_their_kinds_in_russian(self, client, record):
        instruments = read_csv(client.get("/ru/export/instruments.csv"))
        states = read_csv(client.get("/ru/export/states.csv"))
        sources = read_csv(client.get("/ru/export/sources.csv"))

        treaty = next(row for row in instruments if row["slug"] == "collective-security-treaty")
        assert (treaty["kind"], treaty["kind_label"]) == ("treaty", "Договор")
        assert treaty["title"] == "Договор о коллективной безопасности"
        assert {(row["state_code"], row["official_name"]) for row in states} >= {("KGZ", "Кыргызская Республика")}
        assert {row["kind_label"] for row in sources} <= {label for _code, label in russian_labels(SourceDocument.Kind)}


def russian_labels(choices):
    with translation.override("ru"):
        return [(code, str(label)) for code, label in choices.choices]


class TestTheAdminInRussian:
    def test_the_admin_under_ru_is_in_russian_and_staff_can_log_in_there(self, client, db):
        get_user_model().objects.create_superuser("root", "root@example.org", "a long enough password")

        login = client.post("/ru/admin/login/", {"username": "root", "password": "a long enough password"})
        index = client.get("/ru/admin/").content.decode()

        assert login.status_code == 302
        assert "Ведение базы" in index and "Государства-члены" in index and "Выйти" in index

    def test_the_russian_names_are_edited_in_their_own_section(self, admin_client, record):
        armenia = MemberState.objects.get(iso3="ARM")
        page = admin_client.get(f"/ru/admin/tracker/memberstate/{armenia.pk}/change/").content.decode()

        assert "По-русски" in page and "краткое название по-русски" in page.lower()


class TestTranslationsAreComplete:
    def test_makemessages_finds_no_string_without_a_russian_translation(self, tmp_path):
        """Runs makemessages on a copy of the code, so that a new string nobody translated fails here."""
        if not shutil.which("msgattrib"):
            pytest.fail("GNU gettext is needed (apt-get install gettext)")
        for folder in ("tracker", "templates", "locale"):
            shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")

        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", "ru", "--no-location", "--verbosity", "0"],
            cwd=tmp_path,
            check=True,
        )
        catalog = tmp_path / "locale" / "ru" / "LC_MESSAGES" / "django.po"
        untranslated = subprocess.run(
            ["msgattrib", "--untranslated", "--no-obsolete", str(catalog)], capture_output=True, text=True, check=True
        ).stdout
        fuzzy = subprocess.run(
            ["msgattrib", "--only-fuzzy", "--no-obsolete", str(catalog)], capture_output=True, text=True, check=True
        ).stdout

        assert untranslated == "", "untranslated:\n" + untranslated
        assert fuzzy == "", "needs review:\n" + fuzzy

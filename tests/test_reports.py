"""The outstanding-ratifications report as a page, a Word document and a PDF, each read back."""

import datetime
import io
import shutil
import subprocess

import docx
import pypdf
import pytest
from django.core.management import call_command
from PIL import Image

from tests.builders import make_event, make_instrument, make_source
from tracker.models import Event, Instrument

pytestmark = pytest.mark.django_db

D = datetime.date
URL = "/reports/outstanding/"


@pytest.fixture
def awaited_agreement(six_states):
    """An agreement signed in Minsk, ratified by four states; Armenia and Kazakhstan have it pending."""
    for iso, name_ru in [("ARM", "Армения"), ("KAZ", "Казахстан"), ("BLR", "Беларусь")]:
        six_states[iso].name_ru = name_ru
        six_states[iso].save()
    agreement = make_instrument(
        title="Agreement on logistical support", short_title="Logistics Agreement",
        eif_rule=Instrument.EntryIntoForceRule.ALL_PARTIES,
    )  # fmt: skip
    summit = make_source(date=D(2021, 11, 12), text="The Agreement was signed in Minsk.")
    make_event(instrument=agreement, source=summit, type=Event.Type.SIGNED, date=D(2021, 11, 12),
               precision=Event.Precision.DAY)  # fmt: skip
    for iso in ["BLR", "KGZ", "RUS", "TJK"]:
        make_event(instrument=agreement, state=six_states[iso], source=make_source(date=D(2023, 5, 18)))
    speech = make_source(
        date=D(2023, 12, 19), text="Armenia and Kazakhstan are completing national ratification procedures."
    )
    for iso in ["ARM", "KAZ"]:
        make_event(instrument=agreement, state=six_states[iso], source=speech, type=Event.Type.RATIFICATION_PENDING)
    return agreement


class TestReportPage:
    def test_the_page_lists_each_states_outstanding_instrument_with_its_quote(self, client, awaited_agreement):
        response = client.get(URL, {"as_of": "2024-01-31"})

        assert response.status_code == 200
        body = response.content.decode()
        assert "Outstanding ratifications as of 31 January 2024" in body
        assert body.count("Armenia and Kazakhstan are completing national ratification procedures") == 2
        assert "Enters into force when Armenia and Kazakhstan ratify." in body
        assert "2 years 2 months" in body

    def test_the_page_is_in_russian_under_ru(self, client, awaited_agreement):
        body = client.get("/ru" + URL, {"as_of": "2024-01-31"}).content.decode()

        assert "Нератифицированные документы на 31 января 2024 г." in body
        assert "Вступит в силу, когда его ратифицируют Армения и Казахстан." in body
        assert "2 года 2 месяца" in body

    def test_ratified_since_lists_what_to_thank_for(self, client, awaited_agreement):
        body = client.get(URL, {"as_of": "2024-01-31", "since": "2023-01-01"}).content.decode()

        assert "Ratified since 1 January 2023" in body
        assert body.count('<th scope="row">Belarus</th>') == 1

    def test_one_state_only(self, client, awaited_agreement):
        body = client.get(URL, {"as_of": "2024-01-31", "state": "kazakhstan"}).content.decode()

        assert 'id="state-kazakhstan"' in body
        assert 'id="state-armenia"' not in body

    @pytest.mark.parametrize(
        "query",
        [
            {"as_of": "31.01.2024"},
            {"state": "atlantis"},
            {"format": "xls"},
            {"as_of": "2023-01-01", "since": "2024-01-01"},
        ],
    )
    def test_bad_input_is_a_400_with_the_reason(self, client, six_states, query):
        response = client.get(URL, query)

        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()


class TestWordDocument:
    def test_the_document_has_headings_a_table_per_state_and_the_quotes_as_sources(self, client, awaited_agreement):
        response = client.get(URL, {"as_of": "2024-01-31", "since": "2023-01-01", "format": "docx"})

        assert response.status_code == 200
        assert 'filename="outstanding-ratifications-2024-01-31-en.docx"' in response["Content-Disposition"]
        document = docx.Document(io.BytesIO(response.content))
        headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
        assert headings[0] == "Outstanding ratifications as of 31 January 2024"
        assert {"Armenia", "Kazakhstan", "Belarus", "Sources"} <= set(headings)
        armenia = document.tables[0]
        pending = "Ratification pending by 19 Dec 2023"
        assert [cell.text for cell in armenia.rows[1].cells] == [
            "Logistics Agreement", pending, "12 Nov 2021", "2 years 2 months", "[1]",
        ]  # fmt: skip
        sources = [p.text for p in document.paragraphs if p.text.startswith("[1]")]
        assert "Armenia and Kazakhstan are completing national ratification procedures" in sources[0]
        assert "http://testserver/events/" in sources[0]

    def test_the_russian_document_is_in_russian(self, client, awaited_agreement):
        response = client.get("/ru" + URL, {"as_of": "2024-01-31", "format": "docx"})

        document = docx.Document(io.BytesIO(response.content))
        assert document.paragraphs[0].text == "Нератифицированные документы на 31 января 2024 г."
        assert "Армения" in [p.text for p in document.paragraphs]


class TestPdf:
    def test_the_pdf_is_a4_with_the_dates_and_page_numbers_and_the_quotes(self, client, awaited_agreement):
        response = client.get(URL, {"as_of": "2024-01-31", "since": "2023-01-01", "format": "pdf"})

        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        reader = pypdf.PdfReader(io.BytesIO(response.content))
        first = reader.pages[0]
        # A4 is 210 x 297 mm: 595 x 842 points.
        assert (round(first.mediabox.width), round(first.mediabox.height)) == (595, 842)
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert "Outstanding ratifications as of 31 January 2024" in text
        assert "the record as of 31 January 2024" in text
        assert f"1 / {len(reader.pages)}" in text
        assert "Armenia and Kazakhstan are completing" in text

    def test_the_russian_pdf_keeps_its_cyrillic(self, client, awaited_agreement):
        response = client.get("/ru" + URL, {"as_of": "2024-01-31", "format": "pdf"})

        text = pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
        assert "Нератифицированные документы" in text


def test_the_curated_record_report_renders_in_every_format(client, db):
    call_command("load_record", verbosity=0)
    for fmt in ["html", "docx", "pdf"]:
        assert client.get(URL, {"as_of": "2024-01-31", "since": "2023-01-01", "format": fmt}).status_code == 200


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm is not installed (apt-get install poppler-utils)"
)
def test_every_pdf_page_prints_within_the_a4_margins(client, awaited_agreement, tmp_path):
    response = client.get("/ru" + URL, {"as_of": "2024-01-31", "since": "2023-01-01", "format": "pdf"})
    (tmp_path / "report.pdf").write_bytes(response.content)

    # 36 dots per inch: an A4 page is 298 x 421 pixels; 9 pixels are 6 mm, more than a printer leaves blank.
    subprocess.run(["pdftoppm", "-r", "36", "-gray", "-png", "report.pdf", "page"], cwd=tmp_path, check=True)

    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(pypdf.PdfReader(io.BytesIO(response.content)).pages)
    for path in pages:
        image = Image.open(path).convert("L")
        width, height = image.size
        assert (width, height) == (298, 421)
        margin = 9
        inside = image.crop((margin, margin, width - margin, height - margin))
        assert inside.getextrema()[0] < 100, f"{path.name} has no dark text"
        for strip in [(0, 0, width, margin), (0, height - margin, width, height), (0, 0, margin, height)]:
            assert image.crop(strip).getextrema()[0] > 240, f"{path.name} prints into the margin at {strip}"

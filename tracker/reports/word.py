"""The report as a Word document (python-docx), for drafting a speech or a note to a parliament.

Headings, one table per state, and the quoted evidence as a numbered list of
sources at the end, each table cell pointing to its number ("[3]"): python-docx
has no footnote API, and a sources list survives copying into another document.
"""

import io

from django.utils.formats import date_format
from django.utils.translation import gettext
from docx import Document

from tracker.outstanding import OutstandingReport
from tracker.wording import status_label, word_date


class SourcesList:
    """The numbered evidence: each event once, numbered in order of first mention."""

    def __init__(self, request):
        self.request = request
        self.numbers: dict[int, int] = {}
        self.entries = []

    def cite(self, status) -> str:
        event = status.event
        if event.pk not in self.numbers:
            self.numbers[event.pk] = len(self.numbers) + 1
            self.entries.append(status)
        return f"[{self.numbers[event.pk]}]"

    def write(self, document):
        document.add_heading(gettext("Sources"), level=1)
        for number, status in enumerate(self.entries, start=1):
            source = status.source
            document.add_paragraph(
                f"[{number}] “{status.event.quote}” — {source.title}, {date_format(source.date, 'DATE_FORMAT')}. "
                f"{self.request.build_absolute_uri(status.event.get_absolute_url())}"
            )


def report_docx(report: OutstandingReport, context: dict, request) -> bytes:
    document = Document()
    document.core_properties.title = gettext("Outstanding ratifications as of %(date)s") % {
        "date": date_format(report.as_of, "DATE_FORMAT")
    }
    document.add_heading(document.core_properties.title, level=0)
    document.add_paragraph(_made_on(context))
    document.add_paragraph(gettext("Council decisions, strategies and statements that bind on adoption are left out."))
    sources = SourcesList(request)

    document.add_heading(gettext("Awaiting ratification, state by state"), level=1)
    for state, items in report.state_sections():
        document.add_heading(str(state.display_name()), level=2)
        if not items:
            document.add_paragraph(
                gettext("Nothing outstanding: every instrument it has signed is ratified, as far as the record shows.")
            )
            continue
        rows = [
            [
                str(item.instrument.display_short_title()),
                f"{status_label(item.status.code)} {word_date(item.status.since, item.status.precision)}",
                item.signature.display() if item.signature else gettext("not recorded"),
                item.outstanding_for or "—",
                sources.cite(item.status),
            ]
            for item in items
        ]
        headers = [gettext("Instrument"), gettext("Status"), gettext("Signed"), gettext("Outstanding for"), "№"]
        _table(document, headers, rows)

    document.add_heading(gettext("What each instrument not yet in force still needs"), level=1)
    for needs in report.rule_needs:
        paragraph = document.add_paragraph(style="List Bullet")
        paragraph.add_run(f"{needs.instrument.display_short_title()}: ").bold = True
        paragraph.add_run(needs.describe())
        if needs.single_ratification_completes:
            paragraph.add_run(" " + gettext("A single ratification would complete it.")).bold = True
    if not report.rule_needs:
        document.add_paragraph(gettext("Every instrument with something outstanding is in force."))

    if report.since:
        document.add_heading(
            gettext("Ratified since %(date)s") % {"date": date_format(report.since, "DATE_FORMAT")}, level=1
        )
        rows = [
            [
                str(item.state.display_name()),
                str(item.instrument.display_short_title()),
                word_date(item.status.since, item.status.precision),
                sources.cite(item.status),
            ]
            for item in report.ratified_since
        ]
        if rows:
            _table(document, [gettext("Member state"), gettext("Instrument"), gettext("Ratified"), "№"], rows)
        else:
            document.add_paragraph(gettext("No ratification recorded in that period."))

    sources.write(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _made_on(context) -> str:
    return gettext("Made on %(made)s · the record as of %(as_of)s") % {
        "made": date_format(context["made_on"], "DATE_FORMAT"),
        "as_of": date_format(context["report"].as_of, "DATE_FORMAT"),
    }


def _table(document, headers, rows):
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text

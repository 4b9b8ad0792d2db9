"""The report as a PDF (WeasyPrint) that prints cleanly on A4, with the dates and page numbers in the margins.

WeasyPrint needs pango and a font with Cyrillic (fonts-dejavu-core); the README's set-up and CI install them.
"""

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML

PRINT_STYLESHEET = "tracker/report-print.css"


def report_pdf(report, context: dict, request) -> bytes:
    # Links in a printed or mailed file must work outside the site: make them absolute.
    site_root = request.build_absolute_uri("/").rstrip("/")
    html = render_to_string("tracker/reports/outstanding_print.html", context | {"site_root": site_root}, request)
    stylesheet = CSS(filename=finders.find(PRINT_STYLESHEET))
    return HTML(string=html, base_url=site_root).write_pdf(stylesheets=[stylesheet])

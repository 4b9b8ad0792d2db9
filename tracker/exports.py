"""Streamed CSV: the one writer every export uses, with formula neutralisation.

Exports are a public contract (see README, "CSV exports"): columns are only
ever added at the end, never renamed or reordered.
"""

import csv
import datetime
from collections.abc import Iterable

from django.http import StreamingHttpResponse

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """``value`` as CSV text a spreadsheet shows rather than runs: a leading formula character gets a quote mark."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


class _Echo:
    """A file-like object that hands back what is written, so csv.writer can feed a generator."""

    def write(self, value):
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable]):
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([neutralise(value) for value in row])


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """A UTF-8 CSV download streamed row by row, header first; ``rows`` should be a generator."""
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(header, rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

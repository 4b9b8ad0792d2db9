"""The writers every export uses: streamed CSV and XLSX beside it, both with formula neutralisation.

Exports are a public contract (see README, "CSV exports"): columns are only
ever added at the end, never renamed or reordered.
"""

import csv
import datetime
import io
import tempfile
from collections.abc import Iterable
from itertools import islice

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tracker.csv_safety import neutralise

# Rows per piece of the streamed body. One piece per row meant one write to the socket per row, which
# cost as much as building the rows (issue 6); a few hundred rows keep memory flat all the same.
ROWS_PER_CHUNK = 500


def csv_chunks(header: list[str], rows: Iterable[Iterable], rows_per_chunk: int = ROWS_PER_CHUNK):
    """The CSV text as UTF-8 pieces of ``rows_per_chunk`` rows each, the header first.

    Closing the pieces closes ``rows`` too: on PostgreSQL a half-read export holds a server-side cursor, and waiting
    for the garbage collector to finalise it can deadlock another query on the same connection (issue 18).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    rows_left = iter(rows)
    try:
        # A piece's rows go to the writer in one call, each cell through neutralise by map(), rather than a
        # writerow() and a list comprehension per row (issue 18).
        while piece := list(islice(rows_left, rows_per_chunk)):
            writer.writerows([list(map(neutralise, row)) for row in piece])
            if len(piece) < rows_per_chunk:
                break
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue().encode("utf-8")
    finally:
        close_rows = getattr(rows, "close", None)
        if close_rows is not None:
            close_rows()


def _first_then_rest(first: bytes, rest):
    """``first`` and then the rest of the pieces, as a generator whose close() closes ``rest``.

    ``itertools.chain`` has no close(), so a server that closes the response (as WSGI requires) would leave the
    export's cursor open until the garbage collector found it.
    """
    try:
        yield first
        yield from rest
    finally:
        rest.close()


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """A UTF-8 CSV download streamed in pieces of a few hundred rows, header first; ``rows`` should be a generator.

    The first piece is made before the response is returned, so that the export's query runs inside the view: a
    database that is down is then answered with a 503 (``tracker.middleware``), not a broken 200 or a bare 500.
    """
    chunks = csv_chunks(header, rows)
    first = next(chunks)
    response = StreamingHttpResponse(_first_then_rest(first, chunks), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


FILE_FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> FileResponse:
    """An XLSX download with the CSV's header and rows: dates as dates, numbers and booleans typed, text neutralised.

    openpyxl's write-only mode keeps the rows on disk as they are written, so memory stays flat however many
    rows; the finished workbook (a zip, which cannot be streamed while it is written) is sent from a temporary file.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(filename.rsplit(".", 1)[0][:31])
    sheet.append(header)
    for row in rows:
        sheet.append([spreadsheet_cell(sheet, value) for value in row])
    # Not a "with" block: FileResponse reads the file after the view returns, and closes it when done.
    file = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(file)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def spreadsheet_cell(sheet, value):
    """One XLSX cell: typed where the CSV writes a date, number or boolean; otherwise the CSV's neutralised text."""
    kind = type(value)
    if value is None or kind in (bool, int):
        return value
    if kind is datetime.date:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    # Control characters are not allowed in the file's XML: dropped rather than refusing the whole export.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", neutralise(value)))
    # Text stays text, even where it looks like a number or a formula.
    cell.data_type = "s"
    return cell


def table_response(file_format: str, name: str, header: list[str], rows: Iterable[Iterable]):
    """The export ``name`` (without extension) as CSV or XLSX: the same columns and rows in either."""
    if file_format == "xlsx":
        return xlsx_response(f"{name}.xlsx", header, rows)
    return csv_response(f"{name}.csv", header, rows)

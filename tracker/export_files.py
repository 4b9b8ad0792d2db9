"""The writers every export uses: streamed CSV and XLSX beside it, both with formula neutralisation.

Exports are a public contract (see README, "CSV exports"): columns are only
ever added at the end, never renamed or reordered.
"""

import csv
import datetime
import functools
import io
import tempfile
from collections.abc import Iterable
from itertools import islice

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tracker.csv_safety import neutralise, neutralise_column

# Rows per piece of the streamed body. One piece per row meant one write to the socket per row, which
# cost as much as building the rows (issue 6); a few hundred rows keep memory flat all the same.
ROWS_PER_CHUNK = 500


def flag_text(value) -> str:
    """A true/false cell as the CSV writes it (empty where unknown)."""
    return "" if value is None else ("true" if value else "false")


FLAG_TEXTS = {value: flag_text(value) for value in (True, False, None)}
# How a column's cells become CSV text, where the exports declare it (``tracker.views.exports.Column.kind``): text
# is neutralised; a flag is written true/false; a plain cell (a non-negative number, a date, a code from a fixed
# list, or empty) is given to the csv writer as it is, which writes it as neutralise would, without a Python call
# per cell (neutralising every cell of the status export was a third of its time, issue 18).
TEXT, FLAG, PLAIN = neutralise, flag_text, None
# Text cells repeat (an instrument's title on each of its 200 rows, a state's name on each of its 600): each column
# remembers the last texts it neutralised, up to this many, so memory stays flat however long the export.
TEXTS_REMEMBERED = 2000


class _RememberedTexts(dict):
    """``kind`` of a text, looked up by ``map(self.__getitem__, ...)``: a Python call only for a text not yet met."""

    def __init__(self, kind):
        super().__init__()
        self.kind = kind

    def __missing__(self, value):
        # Only text and None are remembered: True == 1 and 1 == 1.0, which a dict would take for one another.
        if value is not None and type(value) is not str:
            return self.kind(value)
        if len(self) >= TEXTS_REMEMBERED:
            self.clear()
        written = self[value] = self.kind(value)
        return written


def _column_writer(kind):
    """How a whole column of a piece of rows is written, for a column of ``kind`` (None: as it is)."""
    if kind is PLAIN:
        return None
    if kind is FLAG:
        return functools.partial(map, FLAG_TEXTS.__getitem__)
    if kind is TEXT:
        return functools.partial(neutralise_column, neutralise_each=_RememberedTexts(kind).__getitem__)
    return functools.partial(map, _RememberedTexts(kind).__getitem__)


def csv_chunks(header: list[str], rows: Iterable[Iterable], rows_per_chunk: int = ROWS_PER_CHUNK, kinds=None):
    """The CSV text as UTF-8 pieces of ``rows_per_chunk`` rows each, the header first.

    ``kinds`` gives each column's kind (``TEXT``, ``FLAG`` or ``PLAIN``); every cell is neutralised where it is not
    given. Closing the pieces closes ``rows`` too: on PostgreSQL a half-read export holds a server-side cursor, and
    waiting for the garbage collector to finalise it can deadlock another query on the same connection (issue 18).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    kinds = list(kinds) if kinds is not None else [TEXT] * len(header)
    writers = [_column_writer(kind) for kind in kinds]
    rows_left = iter(rows)
    try:
        while piece := list(islice(rows_left, rows_per_chunk)):
            # Column by column: each kind's function is mapped over a whole column of the piece, a column of text
            # that needs no quote mark is searched once and passed as it is, and plain columns are not touched at
            # all (issue 18).
            columns = [
                column if write is None else write(column)
                for column, write in zip(zip(*piece, strict=True), writers, strict=True)
            ]
            writer.writerows(zip(*columns, strict=True))
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


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable], kinds=None) -> StreamingHttpResponse:
    """A UTF-8 CSV download streamed in pieces of a few hundred rows, header first; ``rows`` should be a generator.

    The first piece is made before the response is returned, so that the export's query runs inside the view: a
    database that is down is then answered with a 503 (``tracker.middleware``), not a broken 200 or a bare 500.
    """
    chunks = csv_chunks(header, rows, kinds=kinds)
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


def table_response(file_format: str, name: str, header: list[str], rows: Iterable[Iterable], kinds=None):
    """The export ``name`` (without extension) as CSV or XLSX: the same columns and rows in either.

    ``kinds`` (see ``csv_chunks``) only matter to the CSV: the XLSX types every cell by its value.
    """
    if file_format == "xlsx":
        return xlsx_response(f"{name}.xlsx", header, rows)
    return csv_response(f"{name}.csv", header, rows, kinds=kinds)

"""Streamed CSV: the one writer every export uses, with formula neutralisation (``tracker.csv_safety``).

Exports are a public contract (see README, "CSV exports"): columns are only
ever added at the end, never renamed or reordered.
"""

import csv
import io
from collections.abc import Iterable

from django.http import StreamingHttpResponse

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
    try:
        for number, row in enumerate(rows, start=1):
            writer.writerow([neutralise(value) for value in row])
            if number % rows_per_chunk == 0:
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

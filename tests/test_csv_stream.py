"""The one CSV writer behind every export (tracker.export_files)."""

import datetime

from tracker.export_files import csv_chunks, csv_response


def test_the_csv_streams_in_pieces_of_a_few_hundred_rows_header_first():
    rows = ([n, f"row {n}"] for n in range(1, 1201))

    pieces = list(csv_chunks(["n", "label"], rows, rows_per_chunk=500))

    assert [piece.count(b"\r\n") for piece in pieces] == [501, 500, 200]
    assert pieces[0].startswith(b"n,label\r\n1,row 1\r\n")
    assert pieces[-1].endswith(b"1200,row 1200\r\n")


def test_every_cell_is_neutralised_and_written_as_utf8():
    rows = [["=cmd()", "-1", None, True, datetime.date(2023, 5, 18), "Россия", -2, 42]]

    (piece,) = csv_chunks(["a", "b", "c", "d", "e", "f", "g", "h"], rows)

    assert piece.decode("utf-8").splitlines()[1] == "'=cmd(),'-1,,true,2023-05-18,Россия,'-2,42"


def test_closing_a_half_read_export_closes_its_rows_at_once(db):
    # On PostgreSQL the rows come from a server-side cursor; a response closed unread must release it then, not when
    # the garbage collector gets round to it (that deadlocked the benchmark, issue 18). (db: closing a response ends
    # the request, which closes database connections.)
    closed = []

    def rows():
        try:
            for n in range(10_000):
                yield [n]
        finally:
            closed.append(True)

    # Held here as a queryset's iterator is held by its caller: a generator nothing refers to is closed by CPython as
    # soon as the response lets it go, so without this the test would pass with no close() at all.
    held = rows()
    response = csv_response("numbers.csv", ["n"], held)
    next(iter(response.streaming_content))

    response.close()

    assert closed == [True]

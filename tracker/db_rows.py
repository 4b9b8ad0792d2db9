"""Streaming a queryset's rows as the database driver gives them, for the exports of the whole record (issue 18).

Django's ``values_list().iterator()`` passes every row through its converters, one Python call per row and
field; for the columns the exports read they change nothing, because the drivers already give the right types
(psycopg natively; Python's sqlite3 through the "date" and "bool" converters Django registers for declared column
types). On the status export, 163,000 rows, that loop was a fifth of the time.
"""

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import CharField, DateField, DateTimeField, Func
from django.db.models.constants import LOOKUP_SEP

# Rows per fetch: few round trips, and memory flat however large the record.
CHUNK_SIZE = 2000


def driver_rows(queryset, chunk_size: int = CHUNK_SIZE):
    """The rows of ``queryset`` (a ``values_list()`` of plain fields: numbers, text, dates, booleans) as tuples.

    A generator: closing it closes its cursor, a server-side one on PostgreSQL (``chunked_cursor``), at once
    rather than when the garbage collector finds it (issue 18). Fields that need Django's conversion (JSON,
    decimals on SQLite, time zones) must not be read this way.
    """
    query = _sql(queryset)
    if query is None:
        return
    cursor = connections[queryset.db].chunked_cursor()
    try:
        cursor.execute(*query)
        while rows := cursor.fetchmany(chunk_size):
            yield from rows
    finally:
        cursor.close()


def fetched_rows(queryset) -> list[tuple]:
    """Every row of ``queryset``, as ``driver_rows`` gives them, fetched at once: for a read kept whole anyway.

    An ordinary cursor, not a server-side one: declaring, fetching in chunks from and closing a cursor on
    PostgreSQL cost a third of the matrix's read of a page's 5,000 spans (14 ms against 10, issue 18), for memory
    that a list of every row does not save.
    """
    query = _sql(queryset)
    if query is None:
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(*query)
        return cursor.fetchall()


def _sql(queryset) -> tuple[str, tuple] | None:
    try:
        return queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        # A filter that can match nothing (``pk__in=[]``): Django answers it without asking the database.
        return None


class DateText(Func):
    """A date as its ISO text (YYYY-MM-DD), the same on SQLite and PostgreSQL, without a date object made for it.

    Where a date is only ever written out as that text (the CSV), reading it as text spares the driver's date
    converter and the writer's formatting back, one each per cell: 450,000 cells of the events CSV (issue 18).
    """

    output_field = CharField()
    # SQLite keeps a date as this very text; read through a cast it has no declared type, so no converter runs.
    template = "CAST(%(expressions)s AS TEXT)"

    def as_postgresql(self, compiler, connection, **extra_context):
        # to_char rather than a cast, whose text would follow the session's DateStyle.
        return self.as_sql(compiler, connection, template="TO_CHAR(%(expressions)s, 'YYYY-MM-DD')", **extra_context)


def dates_as_text(model, fields: list[str]) -> list:
    """``fields`` (paths from ``model``, as ``values_list()`` takes them), each date field among them a ``DateText``."""
    return [DateText(path) if _is_date(_model_field(model, path)) else path for path in fields]


def _is_date(field) -> bool:
    # A DateTimeField is a DateField too, but its text is not a date's.
    return isinstance(field, DateField) and not isinstance(field, DateTimeField)


def _model_field(model, path: str):
    *relations, name = path.split(LOOKUP_SEP)
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.pk if name == "pk" else model._meta.get_field(name)

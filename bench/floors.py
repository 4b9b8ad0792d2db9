"""Raw-SQL floors: the best single query for what each tracker scenario computes (issue 6).

They read the same tables the tracker does, with window functions for "the latest
event of each pair as of a date", and fetch every row into Python, so they are
the cost of the data alone: no status rules (steps only move forward, entry into
force), no HTML, no CSV. Written once for SQLite and PostgreSQL alike.
"""


def _pair_statuses(chosen: str, columns: str, joins: str) -> str:
    """Every (instrument, state) pair of the ``chosen`` instruments with its latest event known by the as-of date.

    The pairs with no event come from a set difference rather than an outer join:
    SQLite builds no index on a window-function subquery, so a LEFT JOIN onto it
    would scan it once per pair.
    """
    return f"""
WITH chosen AS ({chosen}),
latest AS (
    SELECT instrument_id, state_id, type, known_from, precision, inferred, id, source_id, quote FROM (
        SELECT e.instrument_id, e.state_id, e.type, e.known_from, e.precision, e.inferred, e.id, e.source_id, e.quote,
               ROW_NUMBER() OVER (PARTITION BY e.instrument_id, e.state_id ORDER BY e.known_from DESC, e.id DESC) AS rn
        FROM tracker_event e
        WHERE e.known_from <= {{p}} AND e.state_id IS NOT NULL AND e.instrument_id IN (SELECT id FROM chosen)
    ) ranked WHERE rn = 1
),
cells AS (
    SELECT instrument_id, state_id, type, known_from, precision, inferred, id, source_id, quote FROM latest
    UNION ALL
    SELECT instrument_id, state_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM (
        SELECT i.id AS instrument_id, s.id AS state_id FROM chosen i CROSS JOIN tracker_memberstate s
        EXCEPT SELECT instrument_id, state_id FROM latest
    ) empty
)
SELECT {columns}
FROM cells c
JOIN tracker_instrument i ON i.id = c.instrument_id
JOIN tracker_memberstate s ON s.id = c.state_id
{joins}
ORDER BY i.title, s.name
"""


# The matrix page: the 50 instruments of one series (tracker.synthetic), every state.
MATRIX = _pair_statuses(
    "SELECT id FROM tracker_instrument WHERE aliases LIKE {p}",
    "i.id, i.title, s.id, s.iso3, c.type, c.known_from, c.precision, c.inferred, c.id",
    "",
)

# The status export: every pair, with the evidence's quote and source.
STATUS_ROWS = _pair_statuses(
    "SELECT id FROM tracker_instrument",
    "i.slug, i.title, s.iso3, s.name, c.type, c.known_from, c.precision, c.inferred, c.id, src.title, c.quote,"
    " src.slug, src.date",
    "LEFT JOIN tracker_sourcedocument src ON src.id = c.source_id",
)

EVENT_COLUMNS = """
    e.id, i.slug, i.title, s.iso3, s.name, e.type, e.date, e.precision, e.known_from, e.place, e.inferred, e.quote,
    e.is_paraphrase, src.slug, src.title, src.date, e.note
"""
EVENT_JOINS = """
    FROM tracker_event e
    JOIN tracker_instrument i ON i.id = e.instrument_id
    LEFT JOIN tracker_memberstate s ON s.id = e.state_id
    JOIN tracker_sourcedocument src ON src.id = e.source_id
"""

# One page of the events list, with the total the pager shows (a scalar subquery: a window count
# would make the database build every row before it can skip to the page).
FILTER = "e.state_id = {p} AND e.type = {p}"
EVENTS_PAGE = (
    f"SELECT {EVENT_COLUMNS}, (SELECT COUNT(*) FROM tracker_event e WHERE {FILTER}) {EVENT_JOINS}"
    f" WHERE {FILTER} ORDER BY e.known_from, e.id LIMIT 50 OFFSET {{p}}"
)
ALL_EVENTS_PAGE = (
    f"SELECT {EVENT_COLUMNS}, (SELECT COUNT(*) FROM tracker_event) {EVENT_JOINS}"
    " ORDER BY e.known_from, e.id LIMIT 50 OFFSET {p}"
)
ALL_EVENTS = "SELECT " + EVENT_COLUMNS + EVENT_JOINS + " ORDER BY e.known_from, e.id"


def sql(template: str, placeholder: str) -> str:
    return template.replace("{p}", placeholder)


def run(connection, placeholder: str, template: str, params) -> int:
    """Run one floor query, fetch every row, and return how many there were."""
    cursor = connection.cursor()
    cursor.execute(sql(template, placeholder), params)
    count = 0
    while True:
        rows = cursor.fetchmany(5000)
        if not rows:
            break
        count += len(rows)
    cursor.close()
    return count

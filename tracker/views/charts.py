"""The matrix page's chart (issue 16), rendered once per date, filter and language and kept like the table."""

from collections.abc import Callable

from django.utils.formats import localize
from django.utils.safestring import mark_safe

from tracker.charts import StatusBars, status_counts_chart
from tracker.markup import html_of
from tracker.status import StatusMatrix
from tracker.templatetags.tracker_extras import status_class
from tracker.views.caching import cached_body, keep_body
from tracker.views.rendering import render_and_let_go


def matrix_status_chart(request, table_key: str, statuses: Callable[[], StatusMatrix], *, keep: bool) -> bytes:
    """How many instruments each state has ratified as of the matrix's date, stacked by status, as HTML (UTF-8).

    ``statuses`` gives the table's own ``StatusMatrix``, called only if the chart is not kept.

    Kept under the matrix table's own key (which already names the record's
    version, language, date and filters), so the page asks for the version once; and, like the table, only if
    ``keep`` (a page whose query holds junk parameters is not kept, issue 17).
    """
    key = f"chart-{table_key}"
    chart = cached_body(key)
    if chart is None:
        matrix = statuses()
        bars = status_counts_chart(matrix)
        context = {"chart": bars, "as_of": matrix.as_of, "bar_rows": bar_rows(bars), "figure_rows": figure_rows(bars)}
        chart = render_and_let_go("tracker/includes/status_chart.html", context, request).encode()
        if keep:
            keep_body(key, chart)
    return chart


# The chart's 200 rows (a bar and a line of figures per state) are built here rather than in its template: through
# the template language they were a third of an uncached matrix, one lookup and one filter at a time (issue 18).
# The markup is the template's as it was, to the byte.


def bar_rows(chart: StatusBars) -> str:
    """Each state's name and stacked bar, as SVG: a segment per status, its count written in it where it fits."""
    number = _numbers(chart)
    # Six statuses for 1,000-odd segments: each one's class and label escaped once.
    classes = {code: status_class(code) for code, _label in chart.statuses}
    labels = {code: html_of(label) for code, label in chart.statuses}
    parts = []
    for row in chart.rows:
        name, text_y = html_of(row.name), f"{row.text_y}"
        parts.append(f'\n    <text class="lane-label" x="0" y="{text_y}">{name}</text>\n    ')
        for segment in row.segments:
            count = number[segment.count]
            inside = f'<text x="{int(segment.x) + 4}" y="{text_y}">{count}</text>' if segment.width >= 24 else ""
            parts.append(
                f'\n    <g class="bar {classes[segment.code]}"><title>{name}: {labels[segment.code]} — {count}'
                f'</title>\n      <rect x="{segment.x}" y="{row.y}" width="{segment.width}" height="22"></rect>'
                f"\n      {inside}\n    </g>\n    "
            )
        parts.append("\n    ")
    return mark_safe("".join(parts))


def figure_rows(chart: StatusBars) -> str:
    """The chart's figures as table rows: each state, how many it ratified, and its count at each status."""
    number = _numbers(chart)
    return mark_safe(
        "".join(
            f'<tr><th scope="row">{html_of(row.name)}</th><td><strong>{number[row.ratified]}</strong></td>'
            + "".join(f"<td>{number[row.count_of(code)]}</td>" for code, _ in chart.statuses)
            + "</tr>"
            for row in chart.rows
        )
    )


def _numbers(chart: StatusBars) -> list[str]:
    # Every count is between 0 and the number of instruments: each is written, in the reader's format, once.
    return [localize(n) for n in range(chart.instrument_count + 1)]

"""The matrix page's chart (issue 16), rendered once per date, filter and language and kept like the table."""

from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from tracker.charts import status_counts_chart
from tracker.status import StatusMatrix
from tracker.views.caching import cached_body, keep_body


def matrix_status_chart(request, table_key: str, statuses: Callable[[], StatusMatrix], *, keep: bool) -> str:
    """How many instruments each state has ratified as of the matrix's date, stacked by status, as HTML.

    ``statuses`` gives the table's own ``StatusMatrix``, called only if the chart is not kept.

    Kept under the matrix table's own key (which already names the record's
    version, language, date and filters), so the page asks for the version once; and, like the table, only if
    ``keep`` (a page whose query holds junk parameters is not kept, issue 17).
    """
    key = f"chart-{table_key}"
    chart = cached_body(key)
    if chart is None:
        matrix = statuses()
        context = {"chart": status_counts_chart(matrix), "as_of": matrix.as_of}
        chart = render_to_string("tracker/includes/status_chart.html", context, request).encode()
        if keep:
            keep_body(key, chart)
    return mark_safe(chart.decode())

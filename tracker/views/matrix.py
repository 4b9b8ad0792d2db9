"""The home page: every instrument's status in every member state as of a date, optionally compared with another."""

import dataclasses

from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from tracker.filters import InstrumentFilter
from tracker.forms import AsOfForm
from tracker.models import Instrument, MemberState
from tracker.status import PairStatus, Status, changed_pairs, status_matrix
from tracker.templatetags.tracker_extras import status_badge, status_since
from tracker.views.caching import cached_body, is_worth_keeping, keep_body, page_cache_key, query_parameters
from tracker.views.charts import matrix_status_chart
from tracker.views.paging import render_bad_request


@dataclasses.dataclass(frozen=True)
class MatrixCell:
    state: MemberState
    status: PairStatus
    # The status on the other date, where the page compares two dates and this pair changed.
    earlier: PairStatus | None = None
    later: PairStatus | None = None

    @property
    def changed(self) -> bool:
        return self.earlier is not None


def matrix(request):
    date_form = AsOfForm(request.GET)
    # Instruments that need ratification first: theirs are the statuses that differ from state to state.
    instruments = Instrument.objects.select_related("part_of").order_by("-needs_ratification", "short_title")
    filterset = InstrumentFilter(request.GET, queryset=instruments)
    context = {
        "date_form": date_form,
        "filterset": filterset,
        "forms": [date_form, filterset.form],
        "legend": Status.choices,
    }
    if not (date_form.is_valid() and filterset.is_valid()):
        return render_bad_request(request, "tracker/matrix.html", context)

    as_of, compare_on = date_form.as_of_date, date_form.cleaned_data["compare"]
    context |= {"as_of": as_of, "compare_on": compare_on}
    # The table is the costly part (10,000 cells for 50 instruments x 200 states): it is rendered
    # once per date, filter and language and kept until the record next changes (issue 6).
    key = page_cache_key("matrix", request, as_of.isoformat())
    table = cached_body(key)
    if table is None:
        table = render_to_string(
            "tracker/includes/matrix_table.html", matrix_table_context(as_of, compare_on, filterset.qs), request
        ).encode()
        if is_worth_keeping(request, query_parameters(date_form.fields | filterset.form.fields)):
            keep_body(key, table)
    context["matrix_table"] = mark_safe(table.decode())
    context["status_chart"] = matrix_status_chart(request, key, as_of, filterset.qs)
    return render(request, "tracker/matrix.html", context)


def matrix_table_context(as_of, compare_on, instruments) -> dict:
    # Brief evidence (EventFacts): the page shows of each event only its link and its source's title.
    current = status_matrix(as_of=as_of, instruments=instruments, brief=True)
    changed, earlier, later = set(), None, None
    if compare_on:
        other = status_matrix(as_of=compare_on, instruments=current.instruments, brief=True)
        earlier, later = (other, current) if compare_on <= as_of else (current, other)
        changed = changed_pairs(earlier, later)

    cells = CellRenderer(reverse("tracker:event_list"))
    rows, changes = [], []
    for instrument, statuses in current.rows():
        row_cells = []
        for state, status in zip(current.states, statuses, strict=True):
            cell = MatrixCell(state, status)
            if (instrument.pk, state.pk) in changed:
                cell = MatrixCell(state, status, earlier.status(instrument, state), later.status(instrument, state))
                changes.append((instrument, cell))
            row_cells.append(cell)
        rows.append((instrument, current.entry_into_force(instrument), CellRow(row_cells, cells)))
    return {
        "as_of": as_of,
        "compare_on": compare_on,
        "earlier_date": min(as_of, compare_on) if compare_on else None,
        "later_date": max(as_of, compare_on) if compare_on else None,
        "states": current.states,
        "rows": rows,
        "changes": changes,
        "changed_count": len(changed),
    }


class CellRow(list):
    """One instrument's cells (``MatrixCell``), which the template prints as HTML built in Python."""

    def __init__(self, cells: list[MatrixCell], renderer: "CellRenderer"):
        super().__init__(cells)
        self.renderer = renderer

    def __str__(self) -> str:
        # The template language prints a value through str(), then escapes it unless it is marked safe.
        return mark_safe("".join(self.renderer.render(cell) for cell in self))

    __html__ = __str__


class CellRenderer:
    """Each matrix cell's HTML, built in Python: through the template language, 10,000 cells took a second.

    Most cells of a row share a status and a date, and many share a source, so
    their pieces are built once per page and reused.
    """

    def __init__(self, events_url: str):
        self.events_url = events_url
        self.evidence = gettext("Evidence")
        self.badges: dict[tuple, str] = {}
        self.dates: dict[tuple, str] = {}
        self.titles: dict[int, str] = {}

    def render(self, cell: MatrixCell) -> str:
        status = cell.status
        badge = self.badge(status)
        if status.event is not None:
            href = f"{self.events_url}{status.event.pk}/"
            badge = f'<a class="evidence" href="{href}" title="{self.title(status)}">{badge}</a>'
        if cell.changed:
            change = gettext("%(old)s → %(new)s") % {"old": cell.earlier.label, "new": cell.later.label}
            return format_html(
                '<td class="cell changed">{}<span class="change">{}</span></td>', mark_safe(badge), change
            )
        return f'<td class="cell">{badge}</td>'

    def badge(self, status: PairStatus) -> str:
        # The badge depends on a few marks (a few dozen kinds per page), the date beside it on the date alone.
        uncertain = status.is_uncertain
        key = (status.code, uncertain, status.inferred, status.computed)
        if key not in self.badges:
            self.badges[key] = status_badge(status)
        if not status.since:
            return self.badges[key]
        day = (status.since, uncertain)
        if day not in self.dates:
            self.dates[day] = status_since(status)
        return self.badges[key] + self.dates[day]

    def title(self, status: PairStatus) -> str:
        source = status.source
        if source.pk not in self.titles:
            self.titles[source.pk] = escape(f"{self.evidence}: {source.title}")
        return self.titles[source.pk]

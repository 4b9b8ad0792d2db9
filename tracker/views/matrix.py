"""The home page: every instrument's status in every member state as of a date, optionally compared with another.

Over 300 lines because the matrix is one page with one costly table: its cells, rows and summaries are built
here in Python (the template language took a second for 10,000 cells), beside the view that uses them.
"""

import dataclasses
import datetime
import functools
from typing import NamedTuple

from django.http import HttpResponse
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext

from tracker.filters import InstrumentFilter
from tracker.forms import AsOfForm
from tracker.markup import html_of
from tracker.models import Event, Instrument, MemberState
from tracker.models.languages import in_reading_order
from tracker.status import (
    BOUND_STATUSES,
    EntryIntoForce,
    PairStatus,
    Status,
    StatusMatrix,
    changed_pairs,
    status_matrix,
)
from tracker.templatetags.languages import marked
from tracker.templatetags.tracker_extras import StateLinks, dated_status, fact_marks, status_badge, status_class
from tracker.views.caching import cached_body, is_worth_keeping, keep_body, page_cache_key, query_parameters
from tracker.views.charts import matrix_status_chart
from tracker.views.paging import render_bad_request
from tracker.views.rendering import Slots, render_and_let_go
from tracker.wording import computed_words, inferred_words, russian_gender, status_label, word_date


class MatrixCell(NamedTuple):
    # A tuple rather than a frozen dataclass: 10,000 of them are made for every uncached page (issue 18).
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
    # Rows come in the reader's alphabet, instruments that need ratification first (matrix_table_context).
    instruments = Instrument.objects.select_related("part_of")
    filterset = InstrumentFilter(request.GET, queryset=instruments)
    context = {
        "date_form": date_form,
        "filterset": filterset,
        "forms": [date_form, filterset.form],
        "legend": Status.choices,
    }
    context |= legend_context()
    if not (date_form.is_valid() and filterset.is_valid()):
        return render_bad_request(request, "tracker/matrix.html", context)

    as_of, compare_on = date_form.as_of_date, date_form.cleaned_data["compare"]
    context |= {"as_of": as_of, "compare_on": compare_on}
    # The table is the costly part (10,000 cells for 50 instruments x 200 states): it is rendered
    # once per date, filter and language and kept until the record next changes (issue 6).
    key = page_cache_key("matrix", request, as_of.isoformat())
    worth_keeping = is_worth_keeping(request, query_parameters(date_form.fields | filterset.form.fields))
    # The table and the chart show the same statuses: worked out once, and only if either is not kept. Each worked
    # them out on its own, which doubled the engine's time and queries on an uncached page (issue 18).
    current = functools.cache(lambda: status_matrix(as_of=as_of, instruments=filterset.qs, links=True))
    table = cached_body(key)
    if table is None:
        table = matrix_table(request, current(), compare_on, dated_links=bool(request.GET.get("as_of")))
        if worth_keeping:
            keep_body(key, table)
    # The table and the chart, 2 MB on a 50 x 200 page, go into the page as the bytes they are kept as (Slots).
    page = Slots()
    context["matrix_table"] = page.slot(table)
    context["status_chart"] = page.slot(matrix_status_chart(request, key, current, keep=worth_keeping))
    return HttpResponse(page.fill(render_and_let_go("tracker/matrix.html", context, request)))


# Any day serves as the legend's example; a fixed one keeps the legend the same on every page.
LEGEND_DAY = datetime.date(2023, 5, 18)


def legend_context() -> dict:
    """The legend's examples, worded by the same functions as the cells, so that the two never disagree."""
    day = LEGEND_DAY
    inferred, inferred_meaning = inferred_words()
    computed, computed_meaning = computed_words()
    return {
        "legend_dates": [
            (word_date(day, Event.Precision.DAY), gettext("the status holds from this day")),
            (
                word_date(day, Event.Precision.ON_OR_BEFORE),
                gettext("it held by this date at the latest: the source reports it then and gives no earlier day"),
            ),
            (word_date(day, Event.Precision.MONTH), gettext("the source gives only the month")),
            (word_date(day, Event.Precision.YEAR), gettext("the source gives only the year")),
        ],
        "legend_marks": [(("inferred", inferred), inferred_meaning), (("computed", computed), computed_meaning)],
    }


@dataclasses.dataclass
class MatrixRow:
    """One instrument's line: its cells, its entry into force, and a summary a reader takes in at a glance."""

    instrument: Instrument
    eif: EntryIntoForce
    cells: "CellRow"
    summary: str
    # A decision every member adopted the same day reads as one line rather than six equal cells.
    same_for_all: str = ""


@dataclasses.dataclass
class KindGroup:
    label: str
    rows: list[MatrixRow]


def matrix_table(request, current: StatusMatrix, compare_on, *, dated_links: bool) -> bytes:
    """The table's HTML, as UTF-8: its rows' cells, built in Python, go in as bytes (Slots)."""
    cells = Slots()
    context = matrix_table_context(current, compare_on, dated_links=dated_links, slots=cells)
    return cells.fill(render_and_let_go("tracker/includes/matrix_table.html", context, request))


def matrix_table_context(current: StatusMatrix, compare_on, *, slots: Slots, dated_links: bool = False) -> dict:
    """The table's context from ``current``, the statuses as of the page's date (``status_matrix(links=True)``: the
    page shows of each event only its link and its source's title), compared with those on ``compare_on`` if given.

    With ``dated_links`` (the reader chose the date), the states' and instruments' links keep it. Each row's cells
    print as a marker of ``slots``, for ``slots.fill`` to put in.
    """
    as_of = current.as_of
    link_query = f"?as_of={as_of.isoformat()}" if dated_links else ""
    links = StateLinks()
    changed, earlier, later = set(), None, None
    if compare_on:
        other = status_matrix(as_of=compare_on, instruments=current.instruments, links=True)
        earlier, later = (other, current) if compare_on <= as_of else (current, other)
        changed = changed_pairs(earlier, later)

    cells = CellRenderer(reverse("tracker:event_list"), slots)
    rows, changes = [], []
    for instrument, statuses in current.rows():
        row_changes = {}
        if changed:
            for index, (state, status) in enumerate(zip(current.states, statuses, strict=True)):
                if (instrument.pk, state.pk) in changed:
                    cell = MatrixCell(state, status, earlier.status(instrument, state), later.status(instrument, state))
                    row_changes[index] = cell
        eif = current.entry_into_force(instrument)
        row_cells = CellRow(current.states, statuses, row_changes, cells, instrument)
        row = MatrixRow(instrument, eif, row_cells, row_summary(instrument, statuses, eif))
        if not instrument.needs_ratification:
            row.same_for_all = cells.same_for_all(instrument, statuses, bool(row_changes))
        rows.append(row)
        if row_changes:
            changes.append(InstrumentChanges(instrument, list(row_changes.values()), len(current.states)))
    rows = in_reading_order(rows, lambda row: row.instrument.display_short_title())
    changes = in_reading_order(changes, lambda group: group.instrument.display_short_title())
    return {
        "as_of": as_of,
        "compare_on": compare_on,
        "earlier_date": min(as_of, compare_on) if compare_on else None,
        "later_date": max(as_of, compare_on) if compare_on else None,
        "states": current.states,
        "link_query": link_query,
        "state_headers": state_headers(current.states, link_query, links),
        # Each state's link, for the "not yet ratified by" lists of every instrument (the state_links tag).
        "state_links": links,
        "rows": rows,
        "ratification_groups": kind_groups(row for row in rows if row.instrument.needs_ratification),
        "decision_rows": [row for row in rows if not row.instrument.needs_ratification],
        "changes": changes,
        "changed_count": len(changed),
    }


def state_headers(states, link_query: str, links: StateLinks) -> str:
    """The states' column headers, built once for both tables: through the template, the 200 headers of each table
    cost a ``reverse()``, a date format and four lookups apiece (issue 18). Written with ``html_of`` rather than
    ``format_html``, whose lazy-text checks and safe strings were most of the headers' time."""
    query = html_of(link_query)
    return mark_safe(
        "".join(
            f'<th scope="col" class="state-col"><a href="{html_of(links.url(state))}{query}"'
            f' title="{html_of(state.display_official_name())}">{html_of(marked(state.display_name()))}</a></th>'
            for state in states
        )
    )


def kind_groups(rows) -> list[KindGroup]:
    """Rows grouped by kind, in the order the kinds are declared (treaties first), each group in reading order."""
    by_kind: dict[str, list[MatrixRow]] = {}
    for row in rows:
        by_kind.setdefault(row.instrument.kind, []).append(row)
    return [KindGroup(label, by_kind[code]) for code, label in Instrument.Kind.choices if code in by_kind]


def row_summary(instrument, statuses, eif) -> str:
    """ "4 of 6 ratified" for an instrument that needs ratification; empty for a decision (its line says it all)."""
    if not instrument.needs_ratification:
        return ""
    bound = sum(status.code in BOUND_STATUSES for status in statuses)
    return ngettext("%(bound)d of %(count)d ratified", "%(bound)d of %(count)d ratified", len(statuses)) % {
        "bound": bound,
        "count": len(statuses),
    }


@dataclasses.dataclass
class InstrumentChanges:
    """What changed on one instrument between the two dates compared, state by state."""

    instrument: Instrument
    cells: list[MatrixCell]
    state_count: int

    @property
    def same_for_all(self) -> bool:
        """Every state changed the same way on the same day (a decision adopted by all): one line says it."""
        first = self.cells[0]
        return len(self.cells) == self.state_count and all(
            (cell.earlier.code, cell.later.code, cell.later.since)
            == (first.earlier.code, first.later.code, first.later.since)
            for cell in self.cells
        )


class CellRow:
    """One instrument's cells, which the template prints as HTML built in Python.

    It holds the row's statuses as the engine gave them, and a ``MatrixCell`` only for a pair that changed between
    two compared dates: making a cell for each of 10,000 pairs, only to print it, was a tenth of the table's time
    (issue 18). Iterating it still gives every cell as a ``MatrixCell``.
    """

    def __init__(self, states, statuses, changed: dict[int, MatrixCell], renderer: "CellRenderer", instrument):
        self.states, self.statuses, self.changed = states, statuses, changed
        self.renderer = renderer
        self.instrument = instrument

    def __iter__(self):
        for index, (state, status) in enumerate(zip(self.states, self.statuses, strict=True)):
            yield self.changed.get(index) or MatrixCell(state, status)

    def __len__(self):
        return len(self.statuses)

    def __str__(self) -> str:
        # The template language prints a value through str(), then escapes it unless it is marked safe.
        html = self.renderer.row(self, self.instrument, russian_gender(self.instrument))
        return self.renderer.slots.slot(html)

    __html__ = __str__


# A page names a few thousand sources, and the next page (another date, another filter) mostly the same ones again.
@functools.lru_cache(maxsize=20_000)
def evidence_title(source_title: str, language: str) -> str:
    """The title of a cell's evidence link, escaped for an attribute, in ``language`` (the active one)."""
    return escape(f"{gettext('Evidence')}: {source_title}")


class CellRenderer:
    """Each matrix cell's HTML, built in Python: through the template language, 10,000 cells took a second.

    Most cells of a row share a status and a date, and many share a source, so
    their pieces are built once per page and reused; the words come from
    ``tracker.wording`` through the ``status_badge`` and ``dated`` tags, as on every other page.
    """

    def __init__(self, events_url: str, slots: Slots):
        self.events_url = events_url
        # Where the rows' HTML goes: the template prints each row's marker.
        self.slots = slots
        self.language = get_language()
        self.badges: dict[tuple, str] = {}
        # A cell's badge and date together, by the row's grammatical gender and then by the status's facts.
        self.faces: dict[object, dict[tuple, str]] = {}
        self.titles: dict[int, str] = {}

    def row(self, cells: CellRow, instrument: Instrument, gender) -> str:
        """The HTML of ``cells``, one instrument's, whose status words take ``gender`` in Russian.

        One loop with the page's pieces at hand rather than a few calls per cell: writing 10,000 cells a call at a
        time was a quarter of an uncached matrix (issue 18). Each status is unpacked once, and its badge and date
        looked up together, one lookup a cell rather than two.
        """
        faces = self.faces.get(gender)
        if faces is None:
            faces = self.faces[gender] = {}
        titles, events_url = self.titles, self.events_url
        changed = cells.changed
        html = []
        for index, status in enumerate(cells.statuses):
            code, since, precision, event, inferred, computed, _rests_on = status
            face_key = (code, since, precision, inferred, computed)
            face = faces.get(face_key) or self._face(faces, face_key, status, instrument, gender)
            if event is not None:
                title = titles.get(event.source_id) or self._title(status)
                face = f'<a class="evidence" href="{events_url}{event.pk}/" title="{title}">{face}</a>'
            if changed and index in changed:
                html.append(self._changed(changed[index], face, instrument))
            else:
                html.append(f'<td class="cell">{face}</td>')
        return "".join(html)

    def _changed(self, cell: MatrixCell, badge: str, instrument: Instrument) -> str:
        change = gettext("%(old)s → %(new)s") % {
            "old": status_label(cell.earlier.code, instrument),
            "new": status_label(cell.later.code, instrument),
        }
        return format_html('<td class="cell changed">{}<span class="change">{}</span></td>', mark_safe(badge), change)

    # The badge depends on the status and the instrument's grammatical gender (a few kinds per page), the date beside
    # it on the date, its precision and its marks alone: each pairing is built once per page.
    def _face(self, faces: dict, key: tuple, status: PairStatus, instrument: Instrument, gender) -> str:
        badge = self.badges.get((status.code, gender))
        if badge is None:
            badge = self.badges[(status.code, gender)] = status_badge(status, instrument)
        face = faces[key] = f"{badge}{dated_status(status, self.language)}" if status.since else badge
        return face

    def _title(self, status: PairStatus) -> str:
        title = self.titles[status.event.source_id] = evidence_title(status.event.source_title, self.language)
        return title

    def same_for_all(self, instrument: Instrument, statuses: list[PairStatus], any_changed: bool) -> str:
        """ "Adopted on 23 Nov 2023 by all member states", where every state's status says the same and none changed
        between the dates compared; else empty."""
        first = statuses[0] if statuses else None
        if first is None or any_changed:
            return ""
        if any((status.code, status.since) != (first.code, first.since) for status in statuses):
            return ""
        if first.event is None:
            return format_html(
                '<span class="status {}">{}</span>', status_class(first.code), gettext("No record for any member state")
            )
        when = word_date(first.since, first.precision, after_verb=True)
        line = gettext("%(status)s %(when)s by all member states") % {
            "status": status_label(first.code, instrument),
            "when": when,
        }
        href = f"{self.events_url}{first.event.pk}/"
        return format_html(
            '<a class="evidence" href="{}" title="{}"><span class="status {}">{}</span></a>{}',
            href,
            mark_safe(self.titles.get(first.event.source_id) or self._title(first)),
            status_class(first.code),
            line,
            fact_marks(first),
        )

"""The home page: every instrument's status in every member state as of a date, optionally compared with another."""

import dataclasses

from django.shortcuts import render

from tracker.filters import InstrumentFilter
from tracker.forms import AsOfForm
from tracker.models import Instrument, MemberState
from tracker.status import PairStatus, Status, changed_pairs, status_matrix
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

    as_of = date_form.as_of_date
    current = status_matrix(as_of=as_of, instruments=filterset.qs)
    compare_on = date_form.cleaned_data["compare"]
    changed, earlier, later = set(), None, None
    if compare_on:
        other = status_matrix(as_of=compare_on, instruments=current.instruments)
        earlier, later = (other, current) if compare_on <= as_of else (current, other)
        changed = changed_pairs(earlier, later)

    rows = []
    for instrument, statuses in current.rows():
        cells = []
        for state, status in zip(current.states, statuses, strict=True):
            if (instrument.pk, state.pk) in changed:
                cells.append(
                    MatrixCell(state, status, earlier.status(instrument, state), later.status(instrument, state))
                )
            else:
                cells.append(MatrixCell(state, status))
        rows.append((instrument, current.entry_into_force(instrument), cells))

    context |= {
        "as_of": as_of,
        "compare_on": compare_on,
        "earlier_date": min(as_of, compare_on) if compare_on else None,
        "later_date": max(as_of, compare_on) if compare_on else None,
        "states": current.states,
        "rows": rows,
        "changed_count": len(changed),
    }
    return render(request, "tracker/matrix.html", context)

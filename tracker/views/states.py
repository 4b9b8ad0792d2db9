"""The member states: a list, and one page per state with its status on every instrument and its events."""

from django.shortcuts import get_object_or_404, render

from tracker.charts import signature_to_ratification_chart
from tracker.forms import AsOfForm
from tracker.models import Instrument, MemberState
from tracker.models.languages import sort_key
from tracker.status import status_matrix
from tracker.tables import StateTable
from tracker.views.paging import render_bad_request, render_table_page
from tracker.views.slugs import follows_renamed_slugs


def state_list(request):
    return render_table_page(request, "tracker/state_list.html", StateTable(MemberState.objects.all()))


@follows_renamed_slugs(MemberState)
def state_detail(request, slug):
    state = get_object_or_404(MemberState, slug=slug)
    date_form = AsOfForm(request.GET)
    context = {"state": state, "date_form": date_form, "forms": [date_form]}
    if not date_form.is_valid():
        return render_bad_request(request, "tracker/state_detail.html", context)

    as_of = date_form.as_of_date
    matrix = status_matrix(as_of=as_of, instruments=Instrument.objects.in_matrix_order(), states=[state])
    events = state.events.known_by(as_of).with_evidence().order_by("known_from", "instrument__title", "pk")
    context |= {
        "as_of": as_of,
        # The matrix's order: instruments that need ratification first, each part in the reader's alphabet.
        "statuses": sorted(
            ((instrument, statuses[0]) for instrument, statuses in matrix.rows()),
            key=lambda row: (not row[0].needs_ratification, sort_key(row[0].display_short_title())),
        ),
        "events": events,
        "signature_chart": signature_to_ratification_chart(matrix, state),
    }
    return render(request, "tracker/state_detail.html", context)

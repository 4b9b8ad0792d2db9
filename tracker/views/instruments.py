"""The instruments: a list, and one page per instrument with its statuses, timeline and events."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from tracker.charts import ratifications_chart
from tracker.forms import AsOfForm
from tracker.models import Instrument, MemberState
from tracker.models.languages import in_reading_order
from tracker.status import instrument_history, status_matrix
from tracker.tables import InstrumentTable
from tracker.timeline import build_timeline
from tracker.views.paging import render_bad_request, render_table_page
from tracker.views.slugs import follows_renamed_slugs


def instrument_list(request):
    # Conclusion and entry into force are the engine's answers as of today, for every instrument at once.
    matrix = status_matrix(as_of=timezone.localdate(), instruments=Instrument.objects.in_matrix_order())
    table = InstrumentTable(in_reading_order(matrix.instruments, Instrument.display_title), matrix=matrix)
    return render_table_page(request, "tracker/instrument_list.html", table, {"as_of": matrix.as_of})


@follows_renamed_slugs(Instrument)
def instrument_detail(request, slug):
    instrument = get_object_or_404(Instrument.objects.select_related("part_of"), slug=slug)
    date_form = AsOfForm(request.GET)
    context = {"instrument": instrument, "date_form": date_form, "forms": [date_form]}
    if not date_form.is_valid():
        return render_bad_request(request, "tracker/instrument_detail.html", context)

    as_of = date_form.as_of_date
    history = instrument_history(instrument, as_of=as_of)
    states = list(MemberState.objects.all())
    events = instrument.events.known_by(as_of).with_evidence().order_by("known_from", "state__name", "pk")
    context |= {
        "as_of": as_of,
        "history": history,
        "concluded_by": history.concluded_by,
        "eif": history.entry_into_force,
        "statuses": [(state, history.status_of(state.pk, as_of)) for state in states],
        "amendments": instrument.amendments.all(),
        "timeline": build_timeline(history, states, as_of=as_of),
        "ratifications_chart": ratifications_chart(history, states, as_of=as_of),
        "events": events,
    }
    return render(request, "tracker/instrument_detail.html", context)

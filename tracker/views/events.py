"""The events: a filtered, sortable table of every reported step, and one page per event with its evidence."""

import copy
import functools

from django.shortcuts import get_object_or_404, render

from tracker.filters import EventFilter
from tracker.forms import TablePageForm
from tracker.models import Event
from tracker.tables import EventTable
from tracker.views.caching import cached_page, query_parameters
from tracker.views.paging import render_bad_request, render_table_page


def event_queryset():
    return Event.objects.with_evidence()


@functools.cache
def event_list_parameters() -> frozenset[str]:
    # Fields of copies: a filter keeps the field it first builds, so building them on the class's own filters would
    # fix every later events page's widgets as they are now (the drop-downs became slug boxes).
    filters = {name: copy.deepcopy(event_filter).field for name, event_filter in EventFilter.base_filters.items()}
    return query_parameters(filters | TablePageForm.base_fields)


def event_list(request):
    # Rendering 50 rows through django-tables2 costs several times what the database does (issue 6).
    return cached_page("events", request, lambda: render_event_list(request), event_list_parameters())


def render_event_list(request):
    filterset = EventFilter(request.GET, queryset=event_queryset())
    context = {"filterset": filterset, "forms": [filterset.form]}
    if not filterset.is_valid():
        return render_bad_request(request, "tracker/event_list.html", context)
    return render_table_page(request, "tracker/event_list.html", EventTable(filterset.qs), context, [filterset.form])


def event_detail(request, pk):
    event = get_object_or_404(Event.objects.with_evidence(source_text=True), pk=pk)
    return render(request, "tracker/event_detail.html", {"event": event})

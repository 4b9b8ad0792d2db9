"""The Data page: every export, the API and every feed in one place, and the data package describing the exports."""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tracker.datapackage import EXPORTS
from tracker.datapackage import datapackage as build_datapackage
from tracker.models import Instrument, MemberState

# What each export holds, for the Data page (the data package describes every column).
EXPORT_SUMMARIES = {
    "status": _("Every member state’s status on every instrument, as of a date (add ?as_of=YYYY-MM-DD)."),
    "instruments": _("One row per instrument, with its signature and entry into force."),
    "events": _("One row per event, with its quote, source and dates (the events table’s filters apply)."),
    "states": _("One row per member state."),
    "sources": _("One row per source document."),
}


def open_data(request):
    context = {
        "exports": [(name, EXPORT_SUMMARIES[name]) for name in EXPORTS],
        "states": MemberState.objects.order_by("name"),
        "instruments": Instrument.objects.order_by("title"),
        "datapackage_url": reverse("tracker:datapackage"),
        "api_docs_url": reverse("api:openapi-view"),
        "openapi_url": reverse("api:openapi-json"),
        "api_example": request.build_absolute_uri("/api/search?q=peacekeeping"),
    }
    return render(request, "tracker/open_data.html", context)


def datapackage(request):
    return JsonResponse(build_datapackage(request), json_dumps_params={"ensure_ascii": False, "indent": 2})

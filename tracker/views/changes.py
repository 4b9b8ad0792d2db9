"""Recent changes: what the record learned since a day, newest first, grouped by day (issue 16)."""

from django.shortcuts import render

from tracker.changes import changes_by_day, record_changes
from tracker.forms import ChangesForm
from tracker.views.paging import render_bad_request


def recent_changes(request):
    form = ChangesForm(request.GET)
    context = {"date_form": form, "forms": [form]}
    if not form.is_valid():
        return render_bad_request(request, "tracker/changes.html", context)
    changes = record_changes(since=form.since_moment)
    context |= {"since": form.cleaned_data["since"], "days": changes_by_day(changes), "count": len(changes)}
    return render(request, "tracker/changes.html", context)

"""What ``tracker.record_checks`` finds, shown to staff: a list filter, a list column and warnings after a save."""

from django.contrib import admin, messages
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from tracker import record_checks
from tracker.models import Event


class RecordCheckFilter(admin.SimpleListFilter):
    title = _("record check")
    parameter_name = "check"

    def lookups(self, request, model_admin):
        return [("problems", _("Has problems")), ("clean", _("No problems"))]

    def queryset(self, request, queryset):
        if self.value() not in ("problems", "clean"):
            return queryset
        flagged = {problem.event.pk for problem in record_checks.find_problems()}
        if self.value() == "problems":
            return queryset.filter(pk__in=flagged)
        return queryset.exclude(pk__in=flagged)


class RecordCheckColumn:
    """The changelist's "check" column, filled for the whole page at once rather than row by row."""

    short_description = _("check")
    __name__ = "record_check"

    def __init__(self):
        self._messages = {}

    def check(self, events):
        for problem in record_checks.find_problems(events):
            self._messages.setdefault(problem.event.pk, []).append(problem.message)

    def __call__(self, event):
        found = self._messages.get(event.pk)
        if not found:
            return "✓"
        return format_html_join("", '<p class="errornote tracker-problem">{}</p>', ((m,) for m in found))


def warn_about_problems(request, events):
    """Saved, but doubtful: say so at once, while the source is still in the editor's mind."""
    for event in events:
        for problem in record_checks.problems_for_event(event):
            messages.warning(request, f"{event}: {problem.message}")


def saved_events(formsets):
    # Only the events' rows: an instrument's page also saves its aliases.
    return [
        obj
        for formset in formsets
        if formset.model is Event
        for obj in [*formset.new_objects, *(o for o, _ in formset.changed_objects)]
    ]

"""Sources: the texts events are quoted from; a new one leads straight to the rows for its events."""

from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tracker.admin.events import SourceEventInline
from tracker.admin.history import HistoryAdmin
from tracker.admin.problems import saved_events, warn_about_problems
from tracker.models import SourceDocument


@admin.register(SourceDocument)
class SourceDocumentAdmin(HistoryAdmin):
    list_display = ["title", "date", "kind", "speaker", "place", "event_count"]
    list_filter = ["kind"]
    search_fields = ["title", "speaker", "place", "slug", "text"]
    date_hierarchy = "date"
    prepopulated_fields = {"slug": ["title"]}
    ordering = ["-date", "title"]

    def get_queryset(self, request):
        # The full text is long and only the change page needs it (a deferred field loads on use).
        return super().get_queryset(request).annotate(event_count=Count("events")).defer("text")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "url":
            # Addresses pasted without a scheme are the https ones nowadays (Django 6's default).
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("events"), ordering="event_count")
    def event_count(self, source):
        return source.event_count

    def get_inlines(self, request, obj):
        # Quotes are checked against the saved text, so events are added once the source exists.
        return [SourceEventInline] if obj is not None else []

    def response_add(self, request, obj, post_url_continue=None):
        # A new source is almost always followed by its events: go straight to the rows for them.
        if "_addanother" not in request.POST and "_popup" not in request.POST:
            self.message_user(request, _("Source saved. Now record the events it reports."), messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:tracker_sourcedocument_change", args=[obj.pk]))
        return super().response_add(request, obj, post_url_continue)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        warn_about_problems(request, saved_events(formsets))

"""Instruments: titles in both languages, the entry-into-force rule, aliases, events and the status today."""

from django.contrib import admin
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.admin.events import InstrumentEventInline
from tracker.admin.history import HistoryAdmin
from tracker.admin.problems import saved_events, warn_about_problems
from tracker.models import Instrument, InstrumentAlias, MemberState
from tracker.status import instrument_history
from tracker.text_cleaning import TextCleaningModelForm


class InstrumentAliasInline(admin.TabularInline):
    """The other ways the texts name an instrument, in either language, that the speech reader looks for."""

    model = InstrumentAlias
    form = TextCleaningModelForm
    extra = 1


@admin.register(Instrument)
class InstrumentAdmin(HistoryAdmin):
    list_display = ["short_title", "kind", "needs_ratification", "eif_rule", "eif_threshold", "part_of", "event_count"]
    list_filter = ["kind", "needs_ratification", "eif_rule"]
    search_fields = ["title", "short_title", "title_ru", "short_title_ru", "aliases", "slug"]
    prepopulated_fields = {"slug": ["short_title"]}
    autocomplete_fields = ["part_of"]
    readonly_fields = ["status_now"]
    fieldsets = [
        (None, {"fields": ["title", "short_title", "slug", "kind", "part_of", "needs_ratification", "aliases"]}),
        (_("In Russian"), {"fields": ["title_ru", "short_title_ru", "title_ru_source"]}),
        (_("Entry into force"), {"fields": ["eif_rule", "eif_threshold", "eif_rule_basis"]}),
        (_("Status now"), {"fields": ["status_now"]}),
        (None, {"fields": ["note"]}),
    ]
    inlines = [InstrumentAliasInline, InstrumentEventInline]
    # Meta.ordering is dropped from the grouped query that counts events.
    ordering = ["title"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(event_count=Count("events")).select_related("part_of")

    @admin.display(description=_("events"), ordering="event_count")
    def event_count(self, instrument):
        return instrument.event_count

    @admin.display(description=_("status today"))
    def status_now(self, instrument):
        if instrument.pk is None:
            return _("Shown once the instrument is saved.")
        today = timezone.localdate()
        history = instrument_history(instrument, as_of=today)
        rows = []
        for state in MemberState.objects.all():
            status = history.status_of(state.pk, today)
            rows.append({"state": state, "status": status})
        return render_to_string(
            "admin/tracker/instrument/status_now.html",
            {"rows": rows, "entry_into_force": history.entry_into_force, "today": today, "instrument": instrument},
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        warn_about_problems(request, saved_events(formsets))

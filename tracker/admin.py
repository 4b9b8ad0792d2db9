"""Staff editing (issue 5): fast entry of events from a source, validation, history and bulk import.

Statuses shown here come from ``tracker.status``; record problems from
``tracker.record_checks``. Nothing is worked out twice.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from tracker import record_checks
from tracker.admin_locking import OptimisticLockAdmin
from tracker.importing import CheckedImportAdmin
from tracker.models import Event, Instrument, InstrumentAlias, MemberState, SourceDocument, StateActor
from tracker.resources import EventResource
from tracker.status import instrument_history
from tracker.text_cleaning import TextCleaningForm, TextCleaningModelForm

QUOTE_WIDGET = forms.Textarea(attrs={"rows": 3, "cols": 70, "class": "tracker-quote"})


class HistoryAdmin(OptimisticLockAdmin, SimpleHistoryAdmin):
    """Every change kept with who made it, viewable and revertible from the object's History page."""

    form = TextCleaningModelForm

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a posted revert for anyone allowed to *view* the history;
        # reverting is a change, so it needs the change permission.
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    # Each word of a search is an OR over every search field, and the words are ANDed: SQLite refuses such an
    # expression of a few hundred words ("Expression tree is too large"), which was a 503 (issue 17).
    SEARCH_WORD_LIMIT = 20
    SEARCH_LENGTH_LIMIT = 500

    def get_search_results(self, request, queryset, search_term):
        if len(search_term) > self.SEARCH_LENGTH_LIMIT or len(search_term.split()) > self.SEARCH_WORD_LIMIT:
            message = _(
                "This search is too long: at most %(words)s words and %(characters)s characters. Nothing was searched."
            )
            limits = {"words": self.SEARCH_WORD_LIMIT, "characters": self.SEARCH_LENGTH_LIMIT}
            self.message_user(request, message % limits, messages.WARNING)
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)


# Events ----------------------------------------------------------------------------------------


class EventForm(TextCleaningForm, forms.ModelForm):
    """An event as staff enter it: the date may be left empty to take the source's own date."""

    class Meta:
        model = Event
        fields = [
            "instrument",
            "state",
            "type",
            "date",
            "precision",
            "source",
            "quote",
            "is_paraphrase",
            "inferred",
            "place",
            "note",
        ]
        widgets = {"quote": QUOTE_WIDGET, "note": forms.Textarea(attrs={"rows": 2, "cols": 70})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Most of what staff record from a new speech is "ratified, on or before the speech".
        # (A viewer's form has none of these fields: they are shown read-only.)
        if "type" in self.fields:
            self.fields["type"].initial = Event.Type.RATIFIED
        if "precision" in self.fields:
            self.fields["precision"].initial = Event.Precision.ON_OR_BEFORE
        if "date" in self.fields:
            self.fields["date"].required = False
            self.fields["date"].help_text = _("Leave empty to use the source's date (with “on or before”).")

    def clean(self):
        cleaned = super().clean()
        source = cleaned.get("source")
        if not cleaned.get("date") and "date" not in self.errors:
            if source is None:
                self.add_error("date", _("Give a date, or choose a source to take its date."))
            else:
                cleaned["date"] = source.date
        return cleaned


class EventInlineFormSet(BaseInlineFormSet):
    def clean(self):
        # Each row is checked against the database; two equal rows in the same
        # submission would only meet at the unique constraint, as a server error.
        super().clean()
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.has_changed() or self._should_delete_form(form):
                continue
            instance = form.instance
            key = (instance.instrument_id, instance.state_id, instance.type, instance.source_id)
            if key in seen:
                form.add_error(None, _("This row repeats another row of this form."))
            seen.add(key)


class EventInline(OptimisticLockAdmin, admin.TabularInline):
    model = Event
    form = EventForm
    formset = EventInlineFormSet
    autocomplete_fields = ["instrument", "state", "source"]
    show_change_link = True

    class Media:
        css = {"all": ["admin/tracker/event_rows.css"]}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(getattr(field, "widget", None), RelatedFieldWidgetWrapper):
            # A row of a table has no room for add/change/delete/view icons beside each choice;
            # the row's own link opens the full event.
            field.widget.can_add_related = field.widget.can_change_related = False
            field.widget.can_delete_related = field.widget.can_view_related = False
        if db_field.name == "quote":
            field.widget = forms.Textarea(attrs={"rows": 3, "cols": 50})
        return field


class SourceEventInline(EventInline):
    """The quick way in: having read a speech, record what it says, one row per state."""

    fields = ["instrument", "state", "type", "date", "precision", "quote", "is_paraphrase", "inferred"]
    extra = 3
    verbose_name = _("event this source reports")
    verbose_name_plural = _("events this source reports")


class InstrumentEventInline(EventInline):
    fields = ["state", "type", "date", "precision", "source", "quote", "is_paraphrase", "inferred"]
    extra = 1
    verbose_name_plural = _("events of this instrument")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("state", "source")


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


@admin.register(Event)
class EventAdmin(CheckedImportAdmin, ImportExportModelAdmin, HistoryAdmin):
    form = EventForm
    resource_classes = [EventResource]
    formats = [base_formats.CSV, base_formats.XLSX]
    # The link column is the short date: the admin keeps it on one line, and a long title there squeezes the rest.
    list_display = ["when", "instrument_title", "state", "type", "source_title", "inferred"]
    list_filter = [
        RecordCheckFilter,
        "type",
        "precision",
        "inferred",
        "is_paraphrase",
        ("state", admin.RelatedOnlyFieldListFilter),
        ("instrument", admin.RelatedOnlyFieldListFilter),
        ("source", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["instrument", "state", "source"]
    search_fields = ["quote", "note", "instrument__title", "instrument__short_title", "state__name", "source__title"]
    date_hierarchy = "date"
    autocomplete_fields = ["instrument", "state", "source"]
    readonly_fields = ["record_check", "known_from", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["record_check", "instrument", "state", "type", ("date", "precision", "known_from")]}),
        (_("Evidence"), {"fields": ["source", "quote", "is_paraphrase", "inferred", "place", "note"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    list_per_page = 50

    def get_list_display(self, request):
        return [*super().get_list_display(request), RecordCheckColumn()]

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        for column in changelist.list_display:
            if isinstance(column, RecordCheckColumn):
                column.check(list(changelist.result_list))
        return changelist

    @admin.display(description=_("date"), ordering="date")
    def when(self, event):
        return event.date_display.replace(" ", "\N{NO-BREAK SPACE}")

    @admin.display(description=_("instrument"), ordering="instrument__title")
    def instrument_title(self, event):
        return Truncator(str(event.instrument)).chars(50)

    @admin.display(description=_("source"), ordering="source__date")
    def source_title(self, event):
        return Truncator(event.source.title).chars(40)

    def get_queryset(self, request):
        # The source text can be long and is never shown in the list.
        return super().get_queryset(request).defer("source__text")

    @admin.display(description=_("record check"))
    def record_check(self, event):
        if event.pk is None:
            return _("Checked when saved.")
        problems = record_checks.problems_for_event(event)
        if not problems:
            return _("No problems found.")
        return format_html_join("", '<p class="errornote tracker-problem">{}</p>', ((p.message,) for p in problems))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        warn_about_problems(request, [obj])

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        if "_addanother" in request.POST:
            # The next event is usually the same step from the same source for another state.
            keep = urlencode({"source": obj.source_id, "instrument": obj.instrument_id, "type": obj.type})
            response = HttpResponseRedirect(f"{reverse('admin:tracker_event_add')}?{keep}")
        return response

    def has_import_permission(self, request):
        # An import both adds events and updates those it already finds.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)


def warn_about_problems(request, events):
    """Saved, but doubtful: say so at once, while the source is still in the editor's mind."""
    for event in events:
        for problem in record_checks.problems_for_event(event):
            messages.warning(request, f"{event}: {problem.message}")


# Instruments ------------------------------------------------------------------------------------


class InstrumentAliasInline(admin.TabularInline):
    """The other ways the texts name an instrument, in either language, that the speech reader looks for."""

    model = InstrumentAlias
    form = TextCleaningModelForm
    extra = 1


class StateActorInline(admin.TabularInline):
    """Who speaks for a state in the texts (its names, chambers, president for his term) for the speech reader."""

    model = StateActor
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


def saved_events(formsets):
    # Only the events' rows: an instrument's page also saves its aliases.
    return [
        obj
        for formset in formsets
        if formset.model is Event
        for obj in [*formset.new_objects, *(o for o, _ in formset.changed_objects)]
    ]


# Sources ----------------------------------------------------------------------------------------


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


# Member states ----------------------------------------------------------------------------------


@admin.register(MemberState)
class MemberStateAdmin(HistoryAdmin):
    list_display = ["name", "official_name", "name_ru", "iso3", "member_since", "member_until"]
    search_fields = ["name", "official_name", "name_ru", "official_name_ru", "iso3"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "official_name", "iso3", "slug", "member_since", "member_until"]}),
        (_("In Russian"), {"fields": ["name_ru", "official_name_ru"]}),
    ]
    inlines = [StateActorInline]


admin.site.site_header = _("CSTO ratification tracker")
admin.site.site_title = _("CSTO tracker admin")
admin.site.index_title = _("Keep the record")

# E-mail alerts (issue 16), registered in their own module.
import tracker.alerts.admin  # noqa: E402, F401

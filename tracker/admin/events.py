"""Events as staff enter them: the form, the rows of a source's or an instrument's page, and the events' list."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats

from tracker import record_checks
from tracker.admin.history import HistoryAdmin
from tracker.admin.problems import RecordCheckColumn, RecordCheckFilter, warn_about_problems
from tracker.admin_locking import OptimisticLockAdmin
from tracker.importing import CheckedImportAdmin
from tracker.models import Event
from tracker.resources import EventResource
from tracker.text_cleaning import TextCleaningForm

QUOTE_WIDGET = forms.Textarea(attrs={"rows": 3, "cols": 70, "class": "tracker-quote"})


class EventForm(TextCleaningForm, forms.ModelForm):
    """An event as staff enter it: the date may be left empty to take the source's own date."""

    class Meta:
        model = Event
        fields = list(Event.RECORDED_FIELDS)
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

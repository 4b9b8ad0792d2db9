"""Forms that validate the query string of the public pages, so a malformed date is a clear message, not a 500."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.models import Instrument, MemberState, SearchEntry

# The record starts with the Collective Security Treaty (1992); anything far outside
# this range is a typing slip, and refusing it keeps the timeline's arithmetic sane.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class RecordDateField(forms.DateField):
    """An ISO date (YYYY-MM-DD) within the range the record can mean."""

    widget = DateInput
    default_error_messages = {
        "invalid": _("Enter a date as YYYY-MM-DD, for example 2023-06-01."),
    }

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m-%d"], **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and not (EARLIEST_DATE <= value <= LATEST_DATE):
            raise forms.ValidationError(
                _("Choose a date between %(earliest)s and %(latest)s."),
                code="out_of_range",
                params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
            )


class AsOfForm(forms.Form):
    """The date a page shows statuses for (default: today), and an optional date to compare it with."""

    as_of = RecordDateField(label=_("Status as of"), required=False)
    compare = RecordDateField(
        label=_("Compare with"),
        required=False,
        help_text=_("Optional: highlight what changed between this date and the other."),
    )

    def __init__(self, data=None, **kwargs):
        # Show today's date in the date picker when none was asked for, since that is what the page shows.
        if data is not None and not data.get("as_of"):
            data = data.copy()
            data["as_of"] = timezone.localdate().isoformat()
        super().__init__(data, **kwargs)

    def clean_as_of(self):
        return self.cleaned_data["as_of"] or timezone.localdate()

    @property
    def as_of_date(self) -> datetime.date:
        return self.cleaned_data["as_of"]


class TablePageForm(forms.Form):
    """The sort key and page number of a django-tables2 table, checked against the table's own columns."""

    sort = forms.CharField(label=_("Sort by"), required=False)
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1)

    def __init__(self, *args, table, **kwargs):
        super().__init__(*args, **kwargs)
        self.sort_keys = [column.name for column in table.columns if column.orderable]

    def clean_sort(self):
        sort = self.cleaned_data["sort"]
        if sort and sort.removeprefix("-") not in self.sort_keys:
            raise forms.ValidationError(
                _("“%(value)s” is not a column you can sort by. Use one of: %(keys)s."),
                code="unknown_sort_key",
                params={"value": sort, "keys": ", ".join(self.sort_keys)},
            )
        return sort


class StatusScopeForm(forms.Form):
    """Narrows the status export to one state or one instrument, as its state and instrument pages show it."""

    state = forms.ModelChoiceField(
        label=_("Member state"), queryset=MemberState.objects.all(), to_field_name="slug", required=False
    )
    instrument = forms.ModelChoiceField(
        label=_("Instrument"), queryset=Instrument.objects.all(), to_field_name="slug", required=False
    )


def member_state_field(*, empty_label) -> forms.ModelChoiceField:
    """An optional member state, chosen by slug in the query string or the form."""
    return forms.ModelChoiceField(
        label=_("Member state"),
        queryset=MemberState.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=empty_label,
    )


class OutstandingReportForm(AsOfForm):
    """The outstanding-ratifications report's query: its date, one state or all, "ratified since", the file format."""

    FORMATS = [("html", "HTML"), ("docx", "Word (.docx)"), ("pdf", "PDF")]

    compare = None
    since = RecordDateField(
        label=_("Ratified since"),
        required=False,
        help_text=_("Optional: also list what was ratified from this date to the report's date."),
    )
    state = member_state_field(empty_label=_("All member states"))
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS, required=False)

    def clean(self):
        cleaned = super().clean()
        since, as_of = cleaned.get("since"), cleaned.get("as_of")
        if since and as_of and since > as_of:
            self.add_error("since", _("Choose a date on or before the report's date."))
        return cleaned


class ChangesForm(forms.Form):
    """From which day the recent-changes page lists what the record learned (default: the last 30 days)."""

    DEFAULT_DAYS = 30

    since = RecordDateField(label=_("Changes since"), required=False)

    def __init__(self, data=None, **kwargs):
        if data is not None and not data.get("since"):
            data = data.copy()
            data["since"] = (timezone.localdate() - datetime.timedelta(days=self.DEFAULT_DAYS)).isoformat()
        super().__init__(data, **kwargs)

    @property
    def since_moment(self) -> datetime.datetime:
        """The start of the chosen day, in the site's time zone."""
        day = self.cleaned_data["since"]
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class SearchForm(forms.Form):
    """The search page's question and filters. Any text is a question: no length or character is refused."""

    q = forms.CharField(label=_("Search for"), required=False, strip=True)
    kind = forms.ChoiceField(
        label=_("Show"), required=False, choices=[("", _("Everything")), *SearchEntry.Kind.choices]
    )
    state = member_state_field(empty_label=_("Any state"))
    date_after = RecordDateField(label=_("Dated from"), required=False)
    date_before = RecordDateField(label=_("Dated until"), required=False)
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1)

    def clean(self):
        cleaned = super().clean()
        after, before = cleaned.get("date_after"), cleaned.get("date_before")
        if after and before and after > before:
            raise forms.ValidationError(_("The first date is after the second."), code="dates_reversed")
        return cleaned

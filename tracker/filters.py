"""django-filter FilterSets for the public lists: the matrix's instruments and the events table."""

import django_filters
from django import forms
from django.db.models import Exists, Q
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tracker.markup import html_of
from tracker.models import Event, Instrument, MemberState, SearchEntry, SourceDocument
from tracker.record_version import per_record_version
from tracker.stemming import query_words


class StrictBooleanField(forms.NullBooleanField):
    """``true``, ``false`` or empty (any). Django's NullBooleanField reads anything else as empty, so
    ``?inferred=ture`` silently showed every event instead of the 400 the README promises (issue 17)."""

    ACCEPTED = frozenset({"", "true", "false", "True", "False", "1", "0"})

    def to_python(self, value):
        if value is not None and not isinstance(value, bool) and value not in self.ACCEPTED:
            raise forms.ValidationError(
                _("Enter “true” or “false”, or leave it empty."), code="invalid_boolean", params={"value": value}
            )
        return super().to_python(value)


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


def yes_no_any():
    # NullBooleanField reads "true"/"false"; an empty value means "do not filter".
    return TemplatelessSelect(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))])


class QuickSelect(forms.Select):
    """A drop-down built in Python: through the form templates, a list of 200 states took 40 ms on every events page
    (issue 6). Same markup as ``forms.Select``, without option groups; the options are one join of f-strings, since
    a ``format_html`` per option was still a fifth of the page's drop-downs (issue 18)."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        options = "".join(
            [
                f'<option value="{html_of(key)}"{" selected" if str(key) in selected else ""}>{html_of(label)}</option>'
                for key, label in self.choices
            ]
        )
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{html_of(name)}"{attributes}>{options}</select>')


def attributes_as_django_writes_them(attrs) -> str:
    """A widget's attributes as django/forms/widgets/attrs.html writes them: ``True`` as a bare name, ``False`` left
    out, anything else as text (``stringformat:'s'``, which keeps HTML as it is) in double quotes."""
    return "".join(
        [
            f" {html_of(name)}" if value is True else f' {html_of(name)}="{html_of(value)}"'
            for name, value in attrs.items()
            if value is not False
        ]
    )


class TemplatelessSelect(forms.Select):
    """``forms.Select`` to the byte (its context, so its choice of what is selected, and its templates' whitespace),
    written in Python: the events page's type and yes/no drop-downs through the form templates were a tenth of its
    rendering (issue 18). tests/test_filters.py holds it to Django's own for hostile names, values and labels."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{html_of(widget["name"])}"{attributes_as_django_writes_them(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{html_of(group_name)}">')
            parts.extend(
                f'\n  <option value="{html_of(option["value"])}"{attributes_as_django_writes_them(option["attrs"])}>'
                f"{html_of(option['label'])}</option>\n"
                for option in group_choices
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))


class TemplatelessTextInput(forms.TextInput):
    """``forms.TextInput`` to the byte, written in Python, for the same reason as ``TemplatelessSelect``."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        value_attr = "" if widget["value"] is None else f' value="{html_of(widget["value"])}"'
        attributes = attributes_as_django_writes_them(widget["attrs"])
        return mark_safe(
            f'<input type="{html_of(widget["type"])}" name="{html_of(widget["name"])}"{value_attr}{attributes}>'
        )


class ListedChoices(django_filters.fields.ModelChoiceIterator):
    """A drop-down's options from the objects its filter has already read, rather than from a query of its own."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for instance in self.field.listed:
            yield self.choice(instance)

    def __len__(self):
        return len(self.field.listed) + (self.field.empty_label is not None)


class ListedModelChoiceField(django_filters.fields.ModelChoiceField):
    """A model's choice whose options, when it has any, were read with the decision to offer them (``listed``)."""

    iterator = ListedChoices

    def __init__(self, *args, listed=(), **kwargs):
        self.listed = listed
        super().__init__(*args, **kwargs)


class ListedModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ListedModelChoiceField


class NamedChoices(django_filters.fields.ModelChoiceIterator):
    """A drop-down's options as its queryset's ``display_names()`` gives them, (key, name) pairs read without building
    the objects; the key is the field's ``to_field_name``. Read once per version of the record and language, as the
    other drop-downs are (``EventFilter.short_list``)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        queryset = self.queryset
        yield from per_record_version(queryset, ("display names", get_language()), queryset.display_names)


class NamedModelChoiceField(django_filters.fields.ModelChoiceField):
    """A model's choice whose options are only the keys and names of its queryset (``display_names()``)."""

    iterator = NamedChoices


class NamedModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = NamedModelChoiceField


class NamedDateRange(django_filters.widgets.DateRangeWidget):
    """Two date boxes under one visible name (the fieldset's legend), each also saying which end it is.

    Without a name of its own, each box was a field without a label: axe's one critical finding (issue 15).
    """

    def __init__(self, attrs=None):
        super().__init__(attrs)
        start, end = self.widgets
        start.attrs["aria-label"] = _("Date between: from")
        end.attrs["aria-label"] = _("Date between: to")


class InstrumentFilter(django_filters.FilterSet):
    # Bounded: SQLite refuses a LIKE pattern over 50,000 bytes ("pattern too complex"), which was a 503 (issue 17).
    q = django_filters.CharFilter(label=_("Title contains"), method="filter_title", max_length=200)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Instrument.Kind.choices, empty_label=_("Any kind"))
    needs_ratification = StrictBooleanFilter(label=_("Needs ratification"), widget=yes_no_any())

    class Meta:
        model = Instrument
        fields = ["q", "kind", "needs_ratification"]

    def filter_title(self, queryset, name, value):
        # The sources name instruments in several ways; the aliases hold the other names. Part of a word
        # ("Proto") still matches as typed; whole words match in any form and either language through the
        # search index ("Договор" finds "Договор о коллективной безопасности", "договора" too; issue 15).
        words = value.strip()
        if not words:
            return queryset
        by_words = SearchEntry.objects.matching(query_words(words), SearchEntry.Kind.INSTRUMENT)
        return queryset.filter(
            Q(title__icontains=words)
            | Q(short_title__icontains=words)
            | Q(aliases__icontains=words)
            | Q(pk__in=by_words.values("instrument_id"))
        )


class EventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Words"), method="filter_words", widget=TemplatelessTextInput)
    state = NamedModelChoiceFilter(
        label=_("Member state"),
        queryset=MemberState.objects.all(),
        to_field_name="slug",
        empty_label=_("Any state"),
        widget=QuickSelect,
    )
    instrument = ListedModelChoiceFilter(
        label=_("Instrument"),
        queryset=Instrument.objects.all(),
        to_field_name="slug",
        empty_label=_("Any instrument"),
        # A text box for the instrument's slug where the list is long (see __init__); instrument pages
        # link here with it filled in.
        widget=TemplatelessTextInput(attrs={"placeholder": _("instrument slug")}),
    )
    type = django_filters.ChoiceFilter(
        label=_("Event type"), choices=Event.Type.choices, empty_label=_("Any type"), widget=TemplatelessSelect
    )
    date = django_filters.DateFromToRangeFilter(
        label=_("Date between"),
        widget=NamedDateRange(attrs={"type": "date"}),
    )
    source = ListedModelChoiceFilter(
        label=_("Source"),
        queryset=SourceDocument.objects.defer("text"),
        to_field_name="slug",
        # A text box for the source's slug where the list is long: with tens of thousands of sources a
        # drop-down made every events page render that many options (issue 6). Source pages link here.
        widget=TemplatelessTextInput(attrs={"placeholder": _("source slug")}),
    )
    inferred = StrictBooleanFilter(label=_("Inferred (not stated)"), widget=yes_no_any())

    class Meta:
        model = Event
        fields = ["q", "state", "instrument", "type", "date", "source", "inferred"]

    def filter_words(self, queryset, name, value):
        # The site's search (tracker.search), narrowed to events: any form of each word, in the quote, place or note.
        if not query_words(value):
            return queryset
        return queryset.filter(pk__in=SearchEntry.objects.matching(query_words(value)).values("event_id"))

    # Up to this many instruments or sources, readers pick from a drop-down rather than type a slug:
    # the CSTO's few dozen fit in a list; a depositary's thousands do not (issue 6).
    DROP_DOWN_LIMIT = 200

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("instrument", "source"):
            field_filter = self.filters[name]
            listed = self.short_list(field_filter.queryset)
            if listed:
                field_filter.extra |= {"widget": QuickSelect, "listed": listed}

    @classmethod
    def short_list(cls, queryset) -> list:
        """All of ``queryset`` in its order if it holds at most ``DROP_DOWN_LIMIT`` objects, else nothing: one query.

        Counting first and then reading the options made a page with a short list one query more than a page with a
        long one, so the events page's count changed with the size of the record (issue 18). The query reads at most
        the first ``DROP_DOWN_LIMIT`` rows by key, keeps them only if there is no row after them, and sorts what it
        keeps: sorting every source by date to find that there are more than 200 cost 41 ms on SQLite, and SQLite
        checks a condition such as "no row after them" on every row it reads (5 ms over 21,907 sources). With none
        at all there is nothing to pick from, and the text box is shown.

        The list is read once per version of the record: its two lists' queries, built, run and read on every
        uncached events page, were a tenth of its time at full scale on PostgreSQL (issue 18).
        """
        limit = cls.DROP_DOWN_LIMIT

        def read() -> list:
            unordered = queryset.order_by()
            first = unordered.values("pk")[:limit]
            more_than_limit = Exists(unordered[limit : limit + 1])
            return list(queryset.filter(~more_than_limit, pk__in=first))

        return per_record_version(queryset, ("short list", limit), read)

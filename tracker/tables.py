"""django-tables2 tables for the public lists."""

import django_tables2 as tables
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableQuerysetData

from tracker.models import Event, Instrument, MemberState, SourceDocument
from tracker.templatetags.languages import marked

TABLE_TEMPLATE = "tracker/includes/table.html"
# Columns a phone leaves out, so that the rest fit without scrolling sideways.
WIDE_ONLY = {"th": {"class": "wide-only"}, "td": {"class": "wide-only"}}
# Named, so that each language writes it its own way ("18 May 2023", "18.05.2023").
DATE_FORMAT = "SHORT_DATE_FORMAT"


class PagedByKeys(TableQuerysetData):
    """A queryset paged in two steps inside one query: the page's keys first, then only those rows with their joins.

    With ``OFFSET 74950`` the database otherwise joins every skipped row to its
    instrument, state and source before throwing it away: the events list's page
    1,500 cost 120 ms in the database alone, where the keys alone cost 1 ms (issue 6).
    """

    def __getitem__(self, key):
        if isinstance(key, slice):
            return self.data.filter(pk__in=self.data.values("pk")[key])
        return self.data[key]


class EventTable(tables.Table):
    date = tables.Column(verbose_name=_("Date"), order_by=("known_from", "pk"), attrs={"td": {"class": "nowrap"}})
    instrument = tables.Column(verbose_name=_("Instrument"), linkify=True, order_by=("instrument__short_title",))
    state = tables.Column(
        verbose_name=_("Member state"), linkify=True, order_by=("state__name",), default=_("The instrument itself")
    )
    type = tables.Column(verbose_name=_("Event"))
    quote = tables.Column(verbose_name=_("Quote"), orderable=False)
    source = tables.Column(verbose_name=_("Source"), linkify=True, order_by=("source__date", "source__title"))
    inferred = tables.BooleanColumn(verbose_name=_("Inferred"), yesno=(_("inferred"), _("stated")))
    evidence = tables.LinkColumn(
        "tracker:event_detail",
        args=[tables.A("pk")],
        text=_("Evidence"),
        verbose_name=_("Evidence"),
        orderable=False,
        empty_values=(),
    )

    class Meta:
        model = Event
        fields = ["date", "instrument", "state", "type", "quote", "source", "inferred", "evidence"]
        # On a phone each event is a card (site.css): eight columns were 892 px wide in a 371 px frame (issue 15).
        attrs = {"class": "cards"}
        template_name = TABLE_TEMPLATE
        order_by_field = "sort"
        page_field = "page"
        per_page = 50
        empty_text = _("No events match these filters.")

    def __init__(self, data, **kwargs):
        super().__init__(PagedByKeys(data), **kwargs)

    def render_date(self, record):
        return render_to_string("tracker/includes/event_date.html", {"event": record, "plain": True})

    def render_instrument(self, value):
        return marked(value.display_short_title())

    def render_state(self, value):
        return marked(value.display_name())

    def render_quote(self, value):
        return format_html("<q>{}</q>", Truncator(value).words(30))

    def render_source(self, record):
        return format_html(
            '{}<br><small class="nowrap">{}</small>',
            Truncator(record.source.title).words(10),
            date_format(record.source.date, DATE_FORMAT),
        )


class InstrumentTable(tables.Table):
    title = tables.Column(verbose_name=_("Instrument"), linkify=lambda record: record.get_absolute_url())
    kind = tables.Column(verbose_name=_("Kind"), attrs=WIDE_ONLY)
    part_of = tables.Column(
        verbose_name=_("Amends or belongs to"), linkify=True, order_by=("part_of__title",), attrs=WIDE_ONLY
    )
    needs_ratification = tables.BooleanColumn(verbose_name=_("Needs ratification"), yesno=(_("yes"), _("no")))
    concluded = tables.Column(verbose_name=_("Signed or adopted"), orderable=False, empty_values=())
    entry_into_force = tables.Column(verbose_name=_("Entry into force"), orderable=False, empty_values=())

    class Meta:
        model = Instrument
        fields = ["title", "kind", "part_of", "needs_ratification", "concluded", "entry_into_force"]
        template_name = TABLE_TEMPLATE
        order_by_field = "sort"
        page_field = "page"
        per_page = 100

    def __init__(self, data, *, matrix, **kwargs):
        # The engine's answers for every instrument, computed once for the whole table.
        self.matrix = matrix
        super().__init__(data, **kwargs)

    def render_title(self, record):
        return marked(record.display_title())

    def render_part_of(self, value):
        return marked(value.display_short_title())

    def render_concluded(self, record):
        return render_to_string("tracker/includes/concluded.html", {"event": self.matrix.concluded_by(record)})

    def render_entry_into_force(self, record):
        return render_to_string(
            "tracker/includes/entry_into_force.html",
            {"eif": self.matrix.entry_into_force(record), "instrument": record},
        )


class StateTable(tables.Table):
    name = tables.Column(verbose_name=_("Member state"), linkify=True)
    official_name = tables.Column(verbose_name=_("Official name"), attrs=WIDE_ONLY)
    iso3 = tables.Column(verbose_name=_("ISO code"))
    member_since = tables.DateColumn(DATE_FORMAT, verbose_name=_("Member since"), default="—")
    member_until = tables.DateColumn(DATE_FORMAT, verbose_name=_("Member until"), default="—")

    class Meta:
        model = MemberState
        fields = ["name", "official_name", "iso3", "member_since", "member_until"]
        template_name = TABLE_TEMPLATE
        order_by_field = "sort"
        page_field = "page"
        per_page = 100

    def render_name(self, record):
        return marked(record.display_name())

    def render_official_name(self, record):
        return marked(record.display_official_name())


class SourceTable(tables.Table):
    date = tables.DateColumn(DATE_FORMAT, verbose_name=_("Date"), attrs={"td": {"class": "nowrap"}})
    title = tables.Column(verbose_name=_("Title"), linkify=True)
    kind = tables.Column(verbose_name=_("Kind"), attrs=WIDE_ONLY)
    speaker = tables.Column(verbose_name=_("Speaker"), attrs=WIDE_ONLY)
    place = tables.Column(verbose_name=_("Place"), attrs=WIDE_ONLY)
    event_count = tables.Column(verbose_name=_("Events"))

    class Meta:
        model = SourceDocument
        fields = ["date", "title", "kind", "speaker", "place", "event_count"]
        template_name = TABLE_TEMPLATE
        order_by_field = "sort"
        page_field = "page"
        per_page = 100

"""django-tables2 tables for the public lists."""

import django_tables2 as tables
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableQuerysetData

from tracker.addresses import AddressPattern
from tracker.markup import html_of
from tracker.models import Event, Instrument, MemberState, SourceDocument
from tracker.record_version import per_record_version
from tracker.templatetags.languages import marked
from tracker.templatetags.tracker_extras import dated
from tracker.wording import first_words, word_date

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

    def __len__(self):
        if getattr(self, "_length", None) is None:
            self._length = record_count(self.data)
        return self._length


def record_count(queryset) -> int:
    """``queryset.count()``, read once per version of the record (``RecordToken``) and query, in each process.

    Every uncached events page counted its rows: 2 ms of 150,000 events on SQLite, most of the page's database time
    on PostgreSQL, for a number that changes only when the record does (issue 18).
    """
    unordered = queryset.order_by()
    return per_record_version(unordered, ("count",), unordered.count)


class ListTable(tables.Table):
    """What every public list's table shares: the site's table template, and sorting and paging by ?sort= and ?page=
    (validated by ``tracker.forms.TablePageForm``)."""

    class Meta:
        template_name = TABLE_TEMPLATE
        order_by_field = "sort"
        page_field = "page"
        per_page = 100


class EventCells:
    """The cells of the events table's rows, each written the way its django-tables2 column would write it.

    What is the same for every row (the columns' defaults, words and labels) is looked up once per page.
    """

    # The whitespace around each row and cell is the one django-tables2's table.html writes (its for loop, its row
    # block and its cell loop), so the page stays byte for byte what it was when django-tables2 wrote the rows.
    ROW = (
        "\n                    \n                    <tr {}>\n                        {}"
        "\n                    </tr>\n                    \n                "
    )
    CELL = "\n                            <td {}>{}</td>\n                        "

    def __init__(self, table):
        self.table = table
        columns = table.columns
        self.no_state = html_of(columns["state"].default)
        self.no_quote = html_of(columns["quote"].default)
        self.empty_quotes = columns["quote"].column.empty_values
        # Worded once: a lazy translation is looked up again each time it is written.
        self.evidence = html_of(columns["evidence"].column.text)
        self.inferred = columns["inferred"]
        # Per value, the first time it is met: an event type's label, an "inferred" or "stated" cell.
        self.type_labels, self.inferred_cells = {}, {}
        self.address_of = {
            "instrument": AddressPattern(Instrument),
            "state": AddressPattern(MemberState),
            "source": AddressPattern(SourceDocument),
            "event": AddressPattern(Event),
        }
        self.writers = {
            "date": table.render_date,
            "instrument": self.instrument,
            "state": self.state,
            "type": self.type,
            "quote": self.quote,
            "source": self.source,
            "inferred": self.inferred_cell,
            "evidence": self.evidence_link,
        }

    def row(self, row, columns) -> str:
        """``row`` (a django-tables2 BoundRow) as its ``<tr>``, in the whitespace of table.html's loop around it.

        format_html's checks on the cell's own markup, 450 times a page, cost more than the cells' contents took to
        escape: the attributes are the column's, already HTML, and every writer returns its cell's HTML.
        """
        writers, cell, event = self.writers, self.CELL, row.record
        cells = "".join([cell.format(attrs, writers[name](event)) for name, attrs in columns])
        return self.ROW.format(row.attrs.as_html(), cells)

    # Each writer returns its cell's HTML, its pieces put in with html_of: format_html's argument checks and lazy
    # wrappers, 200 links a page, cost more than the escaping they do (issue 18).

    def instrument(self, event):
        instrument = event.instrument
        address = html_of(self.address_of["instrument"](instrument))
        return f'<a href="{address}">{html_of(self.table.render_instrument(instrument))}</a>'

    def state(self, event):
        state = event.state
        if state is None:
            return self.no_state
        return f'<a href="{html_of(self.address_of["state"](state))}">{html_of(self.table.render_state(state))}</a>'

    def type(self, event):
        if event.type not in self.type_labels:
            self.type_labels[event.type] = html_of(event.get_type_display())
        return self.type_labels[event.type]

    def quote(self, event):
        if event.quote in self.empty_quotes:
            return self.no_quote
        return self.table.render_quote(event.quote)

    def source(self, event):
        return f'<a href="{html_of(self.address_of["source"](event.source))}">{self.table.render_source(event)}</a>'

    def inferred_cell(self, event):
        # BooleanColumn's own markup: the value as a class, the column's word for it as the text.
        if event.inferred not in self.inferred_cells:
            cell = self.inferred.column.render(event.inferred, event, self.inferred)
            self.inferred_cells[event.inferred] = html_of(cell)
        return self.inferred_cells[event.inferred]

    def evidence_link(self, event):
        return f'<a href="{html_of(self.address_of["event"](event))}">{self.evidence}</a>'


class EventTable(ListTable):
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

    class Meta(ListTable.Meta):
        model = Event
        fields = ["date", "instrument", "state", "type", "quote", "source", "inferred", "evidence"]
        # On a phone each event is a card (site.css): eight columns were 892 px wide in a 371 px frame (issue 15).
        attrs = {"class": "cards"}
        # The rows are written by row_cells below; the head and the paging stay django-tables2's.
        template_name = "tracker/includes/event_table.html"
        per_page = 50
        empty_text = _("No events match these filters.")

    # What the cells above show of an event, its instrument, state and source (render_* and EventCells): the rows'
    # query reads only these, not the sources' and instruments' other texts and settings (issue 18). A cell that
    # shows another field names it here, or each row costs a query of its own (tests/test_tables.py).
    ROW_FIELDS = (
        *("date", "precision", "type", "quote", "inferred"),
        *("instrument__slug", "instrument__title", "instrument__short_title"),
        *("instrument__title_ru", "instrument__short_title_ru"),
        *("state__slug", "state__name", "state__name_ru"),
        *("source__slug", "source__title", "source__date"),
    )

    def __init__(self, data, **kwargs):
        super().__init__(PagedByKeys(data.only(*self.ROW_FIELDS)), **kwargs)

    def body_rows(self) -> str:
        """The page's rows, written here in the markup django-tables2's table.html writes for them, or "" if none.

        django-tables2 finds each cell's render method and inspects its signature for every cell: its cell machinery
        was three quarters of an uncached events page, the signature checks a quarter (issue 18). Its template's loop
        then looked up each row's attributes and cells again, 50 times a page: the rows are one string here.
        """
        columns = [(column.name, mark_safe(column.attrs["td"].as_html())) for column in self.columns]
        cells = EventCells(self)
        return mark_safe("".join([cells.row(row, columns) for row in self.paginated_rows]))

    # The render_ methods write HTML (mark_safe of pieces put in with html_of): the events page writes 50 rows of them.

    def render_date(self, record):
        # tracker/includes/event_date.html, written here: rendering the include for each of 50 rows cost more than
        # all the other cells together.
        return mark_safe(f'<span class="event-date">{html_of(dated(record, plain=True))}</span>\n')

    def render_instrument(self, value):
        return marked(value.display_short_title())

    def render_state(self, value):
        return marked(value.display_name())

    def render_quote(self, value):
        return mark_safe(f"<q>{html_of(first_words(value, 30))}</q>")

    def render_source(self, record):
        # The source's day as word_date writes an exact one (the short format), worded once per process and language:
        # through Django's date formatting on every row it was a third of the cells (issue 18).
        title, day = first_words(record.source.title, 10), word_date(record.source.date, Event.Precision.DAY)
        return mark_safe(f'{html_of(title)}<br><small class="nowrap">{html_of(day)}</small>')


class InstrumentTable(ListTable):
    title = tables.Column(verbose_name=_("Instrument"), linkify=lambda record: record.get_absolute_url())
    kind = tables.Column(verbose_name=_("Kind"), attrs=WIDE_ONLY)
    part_of = tables.Column(
        verbose_name=_("Amends or belongs to"), linkify=True, order_by=("part_of__title",), attrs=WIDE_ONLY
    )
    needs_ratification = tables.BooleanColumn(verbose_name=_("Needs ratification"), yesno=(_("yes"), _("no")))
    concluded = tables.Column(verbose_name=_("Signed or adopted"), orderable=False, empty_values=())
    entry_into_force = tables.Column(verbose_name=_("Entry into force"), orderable=False, empty_values=())

    class Meta(ListTable.Meta):
        model = Instrument
        fields = ["title", "kind", "part_of", "needs_ratification", "concluded", "entry_into_force"]

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


class StateTable(ListTable):
    name = tables.Column(verbose_name=_("Member state"), linkify=True)
    official_name = tables.Column(verbose_name=_("Official name"), attrs=WIDE_ONLY)
    iso3 = tables.Column(verbose_name=_("ISO code"))
    member_since = tables.DateColumn(DATE_FORMAT, verbose_name=_("Member since"), default="—")
    member_until = tables.DateColumn(DATE_FORMAT, verbose_name=_("Member until"), default="—")

    class Meta(ListTable.Meta):
        model = MemberState
        fields = ["name", "official_name", "iso3", "member_since", "member_until"]

    def render_name(self, record):
        return marked(record.display_name())

    def render_official_name(self, record):
        return marked(record.display_official_name())


class SourceTable(ListTable):
    date = tables.DateColumn(DATE_FORMAT, verbose_name=_("Date"), attrs={"td": {"class": "nowrap"}})
    title = tables.Column(verbose_name=_("Title"), linkify=True)
    kind = tables.Column(verbose_name=_("Kind"), attrs=WIDE_ONLY)
    speaker = tables.Column(verbose_name=_("Speaker"), attrs=WIDE_ONLY)
    place = tables.Column(verbose_name=_("Place"), attrs=WIDE_ONLY)
    event_count = tables.Column(verbose_name=_("Events"))

    class Meta(ListTable.Meta):
        model = SourceDocument
        fields = ["date", "title", "kind", "speaker", "place", "event_count"]

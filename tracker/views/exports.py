"""CSV and XLSX downloads of every public table, with the same filters and as-of date as the page they come from.

Names and labels are in the language of the address (/ru/export/... is Russian, issue 10); codes, slugs and dates
are the same in every language, so a script reads either file the same way.
"""

from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tracker.exports import table_response
from tracker.filters import EventFilter, InstrumentFilter
from tracker.forms import AsOfForm, StatusScopeForm
from tracker.models import Event, Instrument, MemberState, SourceDocument, in_reader_language
from tracker.status import Status, iter_status_pairs, status_changed, status_matrix
from tracker.views.events import event_queryset

STATUS_COLUMNS = [
    "instrument_slug",
    "instrument",
    "state_code",
    "state",
    "status",
    "since",
    "date_precision",
    "inferred",
    "computed",
    "event_id",
    "source",
    "quote",
    "source_slug",
    "source_date",
    "event_url",
    "status_label",
    "computed_from",
    # Filled where the matrix compares two dates (?compare=): the pair's status on that other date.
    "compared_with",
    "compared_status",
    "compared_since",
    "changed",
]
INSTRUMENT_COLUMNS = [
    "slug",
    "title",
    "kind",
    "amends",
    "signed_or_adopted_on",
    "place",
    "entry_into_force",
    "needs_ratification",
    "short_title",
    "signed_or_adopted_precision",
    "entry_into_force_uncertain",
    "entry_into_force_rule",
    "ratifications_missing",
    "waiting_for",
    "url",
    "kind_label",
]
EVENT_COLUMNS = [
    "event_id",
    "instrument_slug",
    "instrument",
    "state_code",
    "state",
    "type",
    "date",
    "date_precision",
    "known_from",
    "place",
    "inferred",
    "quote",
    "is_paraphrase",
    "source_slug",
    "source",
    "source_date",
    "note",
    "url",
    "type_label",
]
# The database fields behind EVENT_COLUMNS, in the same order (the event's URL is added after them).
EVENT_FIELDS = [
    "pk",
    "instrument__slug",
    "instrument__title",
    "state__iso3",
    "state__name",
    "type",
    "date",
    "precision",
    "known_from",
    "place",
    "inferred",
    "quote",
    "is_paraphrase",
    "source__slug",
    "source__title",
    "source__date",
    "note",
]
STATE_COLUMNS = ["slug", "state_code", "name", "official_name", "member_since", "member_until", "url"]
SOURCE_COLUMNS = ["slug", "title", "kind", "date", "speaker", "place", "original_url", "url", "kind_label"]

# Large enough to keep round trips few, small enough to keep memory flat on a big record.
CHUNK_SIZE = 2000


def labels(choices) -> dict[str, str]:
    """Each code's label in the current language, looked up once: the rows are written after the view returns."""
    return {code: str(label) for code, label in choices}


def form_errors(*forms) -> HttpResponseBadRequest:
    messages = [f"{field}: {error}" for form in forms for field, errors in form.errors.items() for error in errors]
    return HttpResponseBadRequest(
        _("The export could not be made:") + "\n" + "\n".join(messages), content_type="text/plain; charset=utf-8"
    )


def export_status(request, file_format="csv"):
    date_form = AsOfForm(request.GET)
    filterset = InstrumentFilter(request.GET, queryset=Instrument.objects.all())
    scope = StatusScopeForm(request.GET)
    if not (date_form.is_valid() and filterset.is_valid() and scope.is_valid()):
        return form_errors(date_form, filterset.form, scope)
    instruments = filterset.qs
    if scope.cleaned_data["instrument"]:
        instruments = instruments.filter(pk=scope.cleaned_data["instrument"].pk)
    states = [scope.cleaned_data["state"]] if scope.cleaned_data["state"] else None
    as_of, compare_on = date_form.as_of_date, date_form.cleaned_data["compare"]
    # Streamed from the engine one instrument at a time: memory stays flat however large the record (issue 6).
    pairs = iter_status_pairs(as_of=as_of, instruments=instruments, states=states)
    # The other date's statuses come in the same order, so the two streams walk side by side.
    others = iter_status_pairs(as_of=compare_on, instruments=instruments, states=states) if compare_on else None
    event_base_url = request.build_absolute_uri(reverse("tracker:event_list"))
    language, status_labels = get_language(), labels(Status.choices)

    def rows():
        # Names are looked up once per instrument and per state, not once for each of 120,000 pairs.
        titles, names = {}, {}
        for instrument, state, status in pairs:
            other = next(others)[2] if others is not None else None
            if instrument.pk not in titles:
                titles[instrument.pk] = str(instrument.display_title(language))
            if state.pk not in names:
                names[state.pk] = str(state.display_name(language))
            event, source = status.event, status.source
            yield [
                instrument.slug,
                titles[instrument.pk],
                state.iso3,
                names[state.pk],
                status.code,
                status.since,
                status.precision,
                status.inferred,
                status.computed,
                event.pk if event else None,
                source.title if source else None,
                event.quote if event else None,
                source.slug if source else None,
                source.date if source else None,
                f"{event_base_url}{event.pk}/" if event else None,
                status_labels[status.code],
                computed_from(status),
                compare_on,
                other.code if other else None,
                other.since if other else None,
                status_changed(other, status) if other else None,
            ]

    return table_response(file_format, f"status-{as_of.isoformat()}", STATUS_COLUMNS, rows())


def computed_from(status) -> str | None:
    """The ids of every event a computed status rests on, space-separated (issue 14)."""
    if not status.computed:
        return None
    return " ".join(str(event.pk) for event in status.rests_on)


def export_instruments(request, file_format="csv"):
    date_form = AsOfForm(request.GET)
    filterset = InstrumentFilter(request.GET, queryset=Instrument.objects.select_related("part_of"))
    if not (date_form.is_valid() and filterset.is_valid()):
        return form_errors(date_form, filterset.form)
    matrix = status_matrix(as_of=date_form.as_of_date, instruments=filterset.qs)
    language, kind_labels = get_language(), labels(Instrument.Kind.choices)

    def rows():
        for instrument in matrix.instruments:
            concluded = matrix.concluded_by(instrument)
            eif = matrix.entry_into_force(instrument)
            yield [
                instrument.slug,
                instrument.display_title(language),
                instrument.kind,
                instrument.part_of.slug if instrument.part_of else None,
                concluded.date if concluded else None,
                concluded.place if concluded else None,
                eif.date,
                instrument.needs_ratification,
                instrument.display_short_title(language),
                concluded.precision if concluded else None,
                eif.uncertain if eif.date else None,
                instrument.eif_rule,
                eif.missing_count,
                " ".join(state.iso3 for state in eif.waiting_for),
                request.build_absolute_uri(instrument.get_absolute_url()),
                kind_labels[instrument.kind],
            ]

    return table_response(file_format, "instruments", INSTRUMENT_COLUMNS, rows())


def export_events(request, file_format="csv"):
    filterset = EventFilter(request.GET, queryset=event_queryset())
    if not filterset.is_valid():
        return form_errors(filterset.form)
    base_url = request.build_absolute_uri(reverse("tracker:event_list"))

    # Plain tuples rather than model instances: building four objects per row dominated the export (issue 6).
    # The Russian names ride along at the end, for the reader whose language the address asks for.
    columns = filterset.qs.order_by("known_from", "pk").values_list(
        *EVENT_FIELDS, "instrument__title_ru", "state__name_ru"
    )
    language, type_labels = get_language(), labels(Event.Type.choices)
    instrument_at, state_at, type_at = (EVENT_FIELDS.index(f) for f in ("instrument__title", "state__name", "type"))

    def rows():
        for *row, title_ru, name_ru in columns.iterator(chunk_size=CHUNK_SIZE):
            row[instrument_at] = in_reader_language(row[instrument_at], title_ru, language)
            if row[state_at] is not None:
                row[state_at] = in_reader_language(row[state_at], name_ru, language)
            yield [*row, f"{base_url}{row[0]}/", type_labels[row[type_at]]]

    return table_response(file_format, "events", EVENT_COLUMNS, rows())


def export_states(request, file_format="csv"):
    base_url = request.build_absolute_uri(reverse("tracker:state_list"))
    language = get_language()

    def rows():
        for state in MemberState.objects.order_by("name").iterator(chunk_size=CHUNK_SIZE):
            yield [
                state.slug,
                state.iso3,
                state.display_name(language),
                state.display_official_name(language),
                state.member_since,
                state.member_until,
                f"{base_url}{state.slug}/",
            ]

    return table_response(file_format, "states", STATE_COLUMNS, rows())


def export_sources(request, file_format="csv"):
    base_url = request.build_absolute_uri(reverse("tracker:source_list"))
    kind_labels = labels(SourceDocument.Kind.choices)

    def rows():
        for source in SourceDocument.objects.defer("text").order_by("-date", "title").iterator(chunk_size=CHUNK_SIZE):
            yield [
                source.slug,
                source.title,
                source.kind,
                source.date,
                source.speaker,
                source.place,
                source.url,
                f"{base_url}{source.slug}/",
                kind_labels[source.kind],
            ]

    return table_response(file_format, "sources", SOURCE_COLUMNS, rows())


# The exports by name: each is at /export/<name>.csv and /export/<name>.xlsx (tracker.urls), and on the Data page.
EXPORT_VIEWS = {
    "status": export_status,
    "instruments": export_instruments,
    "events": export_events,
    "states": export_states,
    "sources": export_sources,
}

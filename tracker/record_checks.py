"""Data checks: what the record says that cannot be true.

The checks flag, they never refuse: an honest record may carry a doubtful
report, and staff decide what to do with it. Dates are compared with their
precision in mind. An event's latest possible date is its ``known_from``;
its earliest possible date is the first day of its month or year, or the
day itself, while an "on or before" date can be arbitrarily early. So an
"on or before" report never proves that one step came before another: only
a definite date (a day, a month or a year) can.

Two checks set one source against another: a later source that calls a step
pending which an earlier one called done, and a report that an instrument was
not yet in force on a day by which the record (stated or computed by the
status engine) has it in force. Both list the two quotes.
"""

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tracker.models import Event, MemberState, normalise_whitespace
from tracker.status import Status, instrument_history
from tracker.wording import word_date

RATIFICATION_TYPES = {Event.Type.RATIFIED, Event.Type.NOTIFIED}
ORDERED_TYPES = RATIFICATION_TYPES | {Event.Type.SIGNED, Event.Type.IN_FORCE}
# The steps a later "ratification pending" report cannot follow.
DONE_TYPES = RATIFICATION_TYPES | {Event.Type.IN_FORCE}


class Code:
    """Stable problem codes (the admin and the command show them)."""

    RATIFIED_BEFORE_SIGNED = "ratified_before_signed"
    IN_FORCE_BEFORE_RATIFIED = "in_force_before_ratified"
    AFTER_SOURCE = "after_source"
    QUOTE_NOT_IN_SOURCE = "quote_not_in_source"
    VAGUE_DATE_NOT_FIRST = "vague_date_not_first"
    PENDING_AFTER_DONE = "pending_after_done"
    IN_FORCE_BEFORE_NOT_YET = "in_force_before_not_yet"


@dataclasses.dataclass(frozen=True)
class Problem:
    """Something the record says about ``event`` that cannot be true.

    ``related_event`` is the other event of an impossible order (the signature a
    ratification comes before, for example); it is None for single-event checks.
    """

    event: Event
    code: str
    message: str
    related_event: Event | None = None


def find_problems(events: Iterable[Event] | None = None) -> list[Problem]:
    """The problems of the whole record, or of ``events`` (a queryset or a list).

    Orders are checked against every event of the same instrument in the
    database, so a subset is judged with the whole record. Three queries,
    whatever the number of events, and two more for each "not yet in force"
    report (the engine's view of its instrument on that day).
    """
    if events is None:
        flagged = list(_with_relations(Event.objects.all()))
        return _problems(flagged, flagged)
    flagged = _load(events)
    return _problems(flagged, _merged(flagged, _order_events_for(flagged)))


def problems_for_event(event: Event) -> list[Problem]:
    """Every problem ``event`` takes part in: its own, and those it is the other side of.

    Works on an unsaved event too (an admin form being validated).
    """
    # The stored row is replaced by the event as given, which may carry unsaved edits.
    events = _merged([event], _order_events_for([event]))
    every = {id(other) for other in events}
    problems = _single_event_problems(event) + _order_problems(every, events) + _conflict_problems(every, events)
    return [p for p in problems if p.event is event or p.related_event is event]


def _with_relations(events):
    # Sources are fetched once each, not once per event: their texts can be long.
    return events.select_related("instrument", "state").prefetch_related("source")


def _load(events: Iterable[Event]) -> list[Event]:
    if hasattr(events, "model"):  # a queryset: fetch it with what the checks read
        return list(_with_relations(events))
    events = list(events)
    saved = [event.pk for event in events if event.pk is not None]
    fetched = {event.pk: event for event in _with_relations(Event.objects.filter(pk__in=saved))} if saved else {}
    return [fetched.get(event.pk, event) if event.pk is not None else event for event in events]


def _merged(events: list[Event], stored: list[Event]) -> list[Event]:
    """``events`` plus the stored events that are not among them (the same row is one object)."""
    given = {event.pk for event in events if event.pk is not None}
    return events + [other for other in stored if other.pk not in given]


def _order_events_for(events: list[Event]) -> list[Event]:
    """The events of the same instruments that an order check may compare with."""
    instrument_ids = {event.instrument_id for event in events}
    if not instrument_ids:
        return []
    compared = ORDERED_TYPES | {Event.Type.RATIFICATION_PENDING, Event.Type.NOT_IN_FORCE}
    return list(Event.objects.filter(instrument_id__in=instrument_ids, type__in=compared).with_evidence())


def earliest_possible(event: Event) -> datetime.date:
    """The earliest day the event may have happened, given its precision."""
    if event.precision == Event.Precision.MONTH:
        return event.date.replace(day=1)
    if event.precision == Event.Precision.YEAR:
        return event.date.replace(month=1, day=1)
    if event.precision == Event.Precision.ON_OR_BEFORE:
        return datetime.date.min
    return event.date


def latest_possible(event: Event) -> datetime.date:
    """The latest day the event may have happened: the day the sources support it from."""
    return event.known_from or event.compute_known_from()


def definitely_before(later_step: Event, earlier_step: Event) -> bool:
    """Whether ``later_step`` certainly happened before ``earlier_step``, whatever their precisions allow."""
    return latest_possible(later_step) < earliest_possible(earlier_step)


def _problems(flagged: list[Event], order_events: list[Event]) -> list[Problem]:
    problems: list[Problem] = []
    texts: dict[int, str] = {}
    for event in flagged:
        problems.extend(_single_event_problems(event, texts))
    flagged_ids = {id(event) for event in flagged}
    problems.extend(_order_problems(flagged_ids, order_events))
    problems.extend(_conflict_problems(flagged_ids, order_events))
    return problems


def _single_event_problems(event: Event, texts: dict[int, str] | None = None) -> list[Problem]:
    """``texts`` caches each source's normalised text, so a long text is normalised once per check."""
    texts = {} if texts is None else texts
    problems = []
    source = event.source
    if source.pk not in texts or source.pk is None:
        texts[source.pk] = normalise_whitespace(source.text)
    if event.date > source.date:
        problems.append(
            Problem(
                event,
                Code.AFTER_SOURCE,
                _("Dated %(date)s, after its source of %(source_date)s: a source cannot report the future.")
                % {"date": event.date_display, "source_date": date_format(source.date, "SHORT_DATE_FORMAT")},
            )
        )
    if not event.is_paraphrase and normalise_whitespace(event.quote) not in texts[source.pk]:
        problems.append(
            Problem(
                event,
                Code.QUOTE_NOT_IN_SOURCE,
                _("The quote does not appear in “%(source)s”: copy it exactly or mark it a paraphrase.")
                % {"source": source.title},
            )
        )
    if event.precision == Event.Precision.MONTH and event.date.day != 1:
        problems.append(
            Problem(event, Code.VAGUE_DATE_NOT_FIRST, _("A month-precision date must be the 1st of the month."))
        )
    if event.precision == Event.Precision.YEAR and (event.date.month, event.date.day) != (1, 1):
        problems.append(Problem(event, Code.VAGUE_DATE_NOT_FIRST, _("A year-precision date must be 1 January.")))
    return problems


def _order_problems(flagged_ids: set[int], order_events: list[Event]) -> list[Problem]:
    """Ratification before signature, and a state's entry into force before its ratification."""
    signatures_of_instrument: dict[int, list[Event]] = defaultdict(list)
    by_pair: dict[tuple[int, int], dict[str, list[Event]]] = defaultdict(lambda: defaultdict(list))
    for event in order_events:
        if event.state_id is None:
            if event.type == Event.Type.SIGNED:
                # Nobody ratifies an instrument before it exists.
                signatures_of_instrument[event.instrument_id].append(event)
            continue
        step = "ratified" if event.type in RATIFICATION_TYPES else event.type
        by_pair[(event.instrument_id, event.state_id)][step].append(event)

    problems = []
    for (instrument_id, _state_id), steps in by_pair.items():
        signatures = steps[Event.Type.SIGNED] + signatures_of_instrument.get(instrument_id, [])
        for ratification in steps["ratified"]:
            if id(ratification) not in flagged_ids:
                continue
            for signature in signatures:
                if definitely_before(ratification, signature):
                    if signature.state_id:
                        message = _("%(step)s %(date)s, before its signature of %(signed)s (event #%(pk)s).")
                    else:
                        message = _(
                            "%(step)s %(date)s, before the instrument's signature of %(signed)s (event #%(pk)s)."
                        )
                    values = {
                        "step": ratification.get_type_display(),
                        "date": ratification.date_display,
                        "signed": signature.date_display,
                        "pk": signature.pk,
                    }
                    problems.append(
                        Problem(
                            ratification,
                            Code.RATIFIED_BEFORE_SIGNED,
                            message % values,
                            related_event=signature,
                        )
                    )
        for in_force in steps[Event.Type.IN_FORCE]:
            if id(in_force) not in flagged_ids:
                continue
            for ratification in steps["ratified"]:
                if definitely_before(in_force, ratification):
                    problems.append(
                        Problem(
                            in_force,
                            Code.IN_FORCE_BEFORE_RATIFIED,
                            _("In force %(date)s, before its ratification of %(ratified)s (event #%(pk)s).")
                            % {
                                "date": in_force.date_display,
                                "ratified": ratification.date_display,
                                "pk": ratification.pk,
                            },
                            related_event=ratification,
                        )
                    )
    return problems


def _cited(event: Event) -> str:
    return _("“%(quote)s” (%(source)s, %(date)s, event #%(pk)s)") % {
        "quote": event.quote,
        "source": event.source.title,
        "date": date_format(event.source.date, "SHORT_DATE_FORMAT"),
        "pk": event.pk,
    }


def _conflict_problems(flagged_ids: set[int], events: list[Event]) -> list[Problem]:
    """Reports that cannot both be true: each problem names the later report and cites both."""
    done_by_pair: dict[tuple[int, int], list[Event]] = defaultdict(list)
    for event in events:
        if event.state_id is not None and event.type in DONE_TYPES:
            done_by_pair[(event.instrument_id, event.state_id)].append(event)
    problems = []
    for report in events:
        if report.type == Event.Type.RATIFICATION_PENDING:
            for done in done_by_pair.get((report.instrument_id, report.state_id), ()):
                flagged = id(report) in flagged_ids or id(done) in flagged_ids
                # Pending on a day after the step was already done, by another source's account.
                if flagged and report.source_id != done.source_id and report.date > latest_possible(done):
                    message = _(
                        "Reported pending %(date)s, after another source reported it done: %(later)s; %(earlier)s."
                    )
                    values = {"date": report.date_display, "later": _cited(report), "earlier": _cited(done)}
                    problems.append(Problem(report, Code.PENDING_AFTER_DONE, message % values, related_event=done))
        elif report.type == Event.Type.NOT_IN_FORCE and id(report) in flagged_ids:
            problems.extend(_not_yet_problems(report))
    return problems


def _not_yet_problems(report: Event) -> list[Problem]:
    """Every status in force on the day a source says the instrument was not yet in force there."""
    history = instrument_history(report.instrument, as_of=report.date)
    eif = history.entry_into_force
    states = MemberState.objects.in_bulk()
    problems = []
    if report.state_id is None and eif.in_force and not eif.binds_on_adoption:
        evidence = eif.stated_by or eif.rests_on[-1]
        message = _(
            "Reported not yet in force %(date)s, but the record has it in force from %(since)s: %(not_yet)s; %(other)s."
        )
        values = {
            "date": report.date_display,
            "since": date_format(eif.date, "SHORT_DATE_FORMAT"),
            "not_yet": _cited(report),
            "other": _cited(evidence),
        }
        problems.append(Problem(report, Code.IN_FORCE_BEFORE_NOT_YET, message % values, related_event=evidence))
    for state_id in history.transitions:
        if report.state_id not in (None, state_id) or (report.state_id is None and eif.in_force):
            continue
        status = history.status_of(state_id, report.date)
        if status.code == Status.IN_FORCE:
            message = _(
                "Reported not yet in force %(date)s, but the record has it in force for %(state)s from %(since)s:"
                " %(not_yet)s; %(other)s."
            )
            values = {
                "date": report.date_display,
                "state": states[state_id].display_name(),
                "since": word_date(status.since, status.precision),
                "not_yet": _cited(report),
                "other": _cited(status.event),
            }
            problems.append(Problem(report, Code.IN_FORCE_BEFORE_NOT_YET, message % values, related_event=status.event))
    return problems

"""What the record still awaits: ratifications outstanding, what each rule still needs, what was ratified lately.

The questions the Secretary General's status reports answer (issue 16). The
statuses and entry into force are the engine's (``tracker.status``); this
module only selects from them, so the report can never disagree with the matrix.
"""

import dataclasses
import datetime

from django.utils.translation import gettext, ngettext

from tracker.models import Event, Instrument, MemberState
from tracker.status import (
    BOUND_STATUSES,
    EntryIntoForce,
    InstrumentHistory,
    PairStatus,
    Status,
    StatusMatrix,
    status_matrix,
)

# A state that has signed or has its ratification under way, and has not ratified.
OUTSTANDING_STATUSES = {Status.SIGNED, Status.PENDING}


@dataclasses.dataclass(frozen=True)
class Signature:
    """When a state (or the instrument as a whole) signed: the date as the source gives it, with its precision."""

    date: datetime.date
    precision: str
    event: object

    def display(self) -> str:
        return Event(date=self.date, precision=self.precision).date_display

    def years_and_months_until(self, day: datetime.date) -> tuple[int, int]:
        months = (day.year - self.date.year) * 12 + day.month - self.date.month - (day.day < self.date.day)
        months = max(months, 0)
        return months // 12, months % 12

    def outstanding_for(self, day: datetime.date) -> str:
        """How long since the signature, in words: "at least" where it is known only as on or before."""
        years, months = self.years_and_months_until(day)
        span = _years_and_months(years, months)
        if self.precision == Event.Precision.ON_OR_BEFORE:
            return gettext("at least %(span)s") % {"span": span}
        if self.precision != Event.Precision.DAY:
            return gettext("about %(span)s") % {"span": span}
        return span


@dataclasses.dataclass(frozen=True)
class OutstandingRatification:
    instrument: Instrument
    state: MemberState
    # The state's own status (signed or pending), with the event behind it.
    status: PairStatus
    signature: Signature | None
    as_of: datetime.date

    @property
    def outstanding_for(self) -> str:
        """How long since the signature, as of the report's date; empty where no signature is recorded."""
        return self.signature.outstanding_for(self.as_of) if self.signature else ""


@dataclasses.dataclass(frozen=True)
class RuleNeeds:
    """An instrument not yet in force as of the date, and what its rule still needs."""

    instrument: Instrument
    entry_into_force: EntryIntoForce

    @property
    def single_ratification_completes(self) -> bool:
        return self.entry_into_force.missing_count == 1

    def describe(self) -> str:
        """One sentence in the reader's language: "Enters into force when Armenia and Kazakhstan ratify"."""
        eif = self.entry_into_force
        if not eif.rule_recorded:
            return gettext("No entry-into-force rule is recorded, so what it still needs is not known.")
        names = join_names(state.display_name() for state in eif.waiting_for)
        if self.instrument.eif_rule == Instrument.EntryIntoForceRule.ALL_PARTIES:
            if self.single_ratification_completes:
                return gettext("Enters into force when %(states)s ratifies: that one ratification completes it.") % {
                    "states": names
                }
            return gettext("Enters into force when %(states)s ratify.") % {"states": names}
        values = {"count": eif.missing_count, "states": names}
        if self.single_ratification_completes:
            return gettext("Enters into force on one more ratification, by any of: %(states)s.") % values
        return (
            ngettext(
                "Enters into force on %(count)d more ratification; not yet ratified by: %(states)s.",
                "Enters into force on %(count)d more ratifications; not yet ratified by: %(states)s.",
                eif.missing_count,
            )
            % values
        )


@dataclasses.dataclass(frozen=True)
class RecentRatification:
    instrument: Instrument
    state: MemberState
    # The first status of the run in which the state is bound: its ratification (or notification).
    status: PairStatus


@dataclasses.dataclass
class OutstandingReport:
    as_of: datetime.date
    since: datetime.date | None
    states: list[MemberState]
    # For each state shown, in order: what it has signed and not ratified.
    by_state: dict[int, list[OutstandingRatification]]
    rule_needs: list[RuleNeeds]
    ratified_since: list[RecentRatification]

    def state_sections(self):
        """(state, its outstanding ratifications) for each state shown."""
        return [(state, self.by_state.get(state.pk, [])) for state in self.states]

    @property
    def outstanding_count(self) -> int:
        return sum(len(items) for items in self.by_state.values())


def signature_of(history: InstrumentHistory, state_id: int) -> Signature | None:
    """The state's own signature in the record, or else the instrument's conclusion, which all parties signed."""
    for change in history.transitions.get(state_id, ()):
        if change.code == Status.SIGNED and change.event is not None:
            return Signature(change.event.date, change.event.precision, change.event)
    concluded = history.concluded_by
    if concluded is not None and concluded.type == Event.Type.SIGNED:
        return Signature(concluded.date, concluded.precision, concluded)
    return None


def ratification_between(
    history: InstrumentHistory, state_id: int, start: datetime.date, end: datetime.date
) -> PairStatus | None:
    """The status that began the state's current bound run, where it began within ``start``..``end``."""
    run_start = None
    for change in history.transitions.get(state_id, ()):
        if change.since > end:
            break
        # A withdrawal ends the run; the next ratification starts a new one.
        run_start = (run_start or change) if change.code in BOUND_STATUSES else None
    if run_start is not None and start <= run_start.since:
        return run_start
    return None


def outstanding_report(
    *, as_of: datetime.date, since: datetime.date | None = None, state: MemberState | None = None
) -> OutstandingReport:
    """The outstanding-ratifications report as of a date, for every member state or one.

    Only instruments that need ratification count: a decision that binds on
    adoption has nothing outstanding.
    """
    instruments = Instrument.objects.filter(needs_ratification=True).select_related("part_of")
    matrix = status_matrix(as_of=as_of, instruments=instruments.order_by("short_title", "pk"))
    states = [state] if state else [s for s in matrix.states if s.is_member_on(as_of)]
    by_state = _outstanding_by_state(matrix, states)
    return OutstandingReport(
        as_of=as_of,
        since=since,
        states=states,
        by_state=by_state,
        rule_needs=_rule_needs(matrix, states, by_state),
        ratified_since=_ratified_since(matrix, states, since) if since else [],
    )


def _outstanding_by_state(matrix: StatusMatrix, states) -> dict[int, list[OutstandingRatification]]:
    by_state: dict[int, list[OutstandingRatification]] = {}
    for instrument in matrix.instruments:
        history = matrix.histories[instrument.pk]
        for state in states:
            status = matrix.status(instrument, state)
            if status.code in OUTSTANDING_STATUSES:
                item = OutstandingRatification(instrument, state, status, signature_of(history, state.pk), matrix.as_of)
                by_state.setdefault(state.pk, []).append(item)
    return by_state


def _rule_needs(matrix: StatusMatrix, states, by_state) -> list[RuleNeeds]:
    """The instruments not in force whose rule is recorded or on which a state shown is outstanding.

    An instrument with no rule and nothing outstanding (a treaty whose entry into
    force no source states yet) would only be noise in a status report.
    """
    outstanding_on = {item.instrument.pk for items in by_state.values() for item in items}
    shown = {state.pk for state in states}
    needs = []
    for instrument in matrix.instruments:
        eif = matrix.entry_into_force(instrument)
        if eif.in_force:
            continue
        waits_for_shown = any(state.pk in shown for state in eif.waiting_for)
        if instrument.pk in outstanding_on or (eif.rule_recorded and waits_for_shown):
            needs.append(RuleNeeds(instrument, eif))
    return needs


def _ratified_since(matrix: StatusMatrix, states, since: datetime.date) -> list[RecentRatification]:
    found = []
    for instrument in matrix.instruments:
        history = matrix.histories[instrument.pk]
        for state in states:
            status = ratification_between(history, state.pk, since, matrix.as_of)
            if status is not None:
                found.append(RecentRatification(instrument, state, status))
    return sorted(found, key=lambda item: (item.status.since, str(item.state), str(item.instrument)))


def join_names(names) -> str:
    """ "Armenia", "Armenia and Kazakhstan", "Armenia, Belarus and Kazakhstan", in the reader's language."""
    names = [str(name) for name in names]
    if len(names) <= 1:
        return "".join(names)
    return gettext("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def _years_and_months(years: int, months: int) -> str:
    year_words = ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
    month_words = ngettext("%(count)d month", "%(count)d months", months) % {"count": months}
    if years and months:
        return f"{year_words} {month_words}"
    return year_words if years else month_words

"""Server-rendered SVG charts of the record (issue 16), beside the timeline: geometry here, markup in templates.

* ratifications of one instrument over time, a step chart with its entry into force marked;
* how many instruments each state has ratified as of a date, stacked by status (the matrix page);
* one state's time from signature to ratification, instrument by instrument.

Every figure comes from the engine's histories; each chart's template also
prints the figures as a table, its text equivalent.
"""

import dataclasses
import datetime
import operator
from collections import Counter

from tracker.outstanding import OUTSTANDING_STATUSES, Signature, ratification_between, signature_of
from tracker.status import BOUND_STATUSES, InstrumentHistory, Status, StatusMatrix
from tracker.timeline import _year_ticks

WIDTH = 960
LABEL_WIDTH = 230
RIGHT_MARGIN = 16
AXIS_HEIGHT = 24
BAR_HEIGHT = 22
BAR_GAP = 8


@dataclasses.dataclass(frozen=True)
class Step:
    """From ``date`` on, ``count`` states are bound; ``state`` is the one whose step this is."""

    date: datetime.date
    count: int
    state: str
    joined: bool
    precision: str  # of the state's step's date (Event.Precision), for tracker.wording
    x: float
    y: float


@dataclasses.dataclass(frozen=True)
class StepChart:
    steps: list[Step]
    path: str
    ticks: list
    count_ticks: list[tuple[int, float]]
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    entry_into_force: datetime.date | None = None
    entry_into_force_x: float | None = None

    @property
    def is_empty(self) -> bool:
        return not self.steps


def ratifications_chart(history: InstrumentHistory, states, *, as_of: datetime.date, height=200) -> StepChart:
    """How many states are bound by the instrument (ratified or in force) over time, up to ``as_of``."""
    names = {state.pk: str(state.display_name()) for state in states}
    moves = []  # (date, +1 or -1, state name, precision of the date)
    for state_id, changes in history.transitions.items():
        bound = False
        for change in changes:
            if change.since > as_of:
                break
            if (change.code in BOUND_STATUSES) != bound:
                bound = not bound
                moves.append((change.since, 1 if bound else -1, names.get(state_id, ""), change.precision))
    moves.sort(key=lambda move: (move[0], -move[1], move[2]))
    plot_top, plot_bottom = 12, height - AXIS_HEIGHT
    plot_left, plot_right = 40, WIDTH - RIGHT_MARGIN
    most = max(len(states), 1)
    first = moves[0][0] if moves else as_of
    start = datetime.date(first.year, 1, 1)
    end = max(as_of, start + datetime.timedelta(days=1))

    def x_of(day):
        return round(plot_left + (plot_right - plot_left) * (day - start).days / (end - start).days, 1)

    def y_of(count):
        return round(plot_bottom - (plot_bottom - plot_top) * count / most, 1)

    steps, count = [], 0
    for day, move, name, precision in moves:
        count += move
        steps.append(Step(day, count, name, move > 0, precision, x_of(day), y_of(count)))
    path = f"M {x_of(start)} {y_of(0)}"
    for step in steps:
        path += f" H {step.x} V {step.y}"
    path += f" H {x_of(end)}"
    eif = history.entry_into_force.date
    return StepChart(
        steps=steps,
        path=path,
        ticks=_year_ticks(start, end, x_of),
        count_ticks=[(n, y_of(n)) for n in range(0, most + 1)],
        width=WIDTH,
        height=height,
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        entry_into_force=eif if eif and eif <= as_of else None,
        entry_into_force_x=x_of(eif) if eif and start <= eif <= end else None,
    )


STATUS_CODE = operator.attrgetter("code")

# Bound first, so that the bars' left-hand parts are the ratifications and line up from state to state.
STACK_ORDER = [Status.IN_FORCE, Status.RATIFIED, Status.PENDING, Status.SIGNED, Status.WITHDRAWN, Status.NO_RECORD]


@dataclasses.dataclass(frozen=True)
class BarSegment:
    code: str
    label: str
    count: int
    x: float
    width: float


@dataclasses.dataclass(frozen=True)
class BarRow:
    name: str
    y: float
    segments: list[BarSegment]
    counts: dict[str, int]

    @property
    def ratified(self) -> int:
        return sum(self.counts.get(code, 0) for code in BOUND_STATUSES)

    @property
    def text_y(self) -> float:
        return self.y + BAR_HEIGHT / 2 + 4

    def count_of(self, code) -> int:
        return self.counts.get(code, 0)


@dataclasses.dataclass(frozen=True)
class StatusBars:
    rows: list[BarRow]
    statuses: list[tuple[str, str]]
    instrument_count: int
    width: int
    height: int
    label_width: int
    scale: list[tuple[int, float]]


def status_counts_chart(matrix: StatusMatrix) -> StatusBars:
    """Per state, how many of the matrix's instruments that need ratification it is at each status."""
    instruments = [instrument for instrument in matrix.instruments if instrument.needs_ratification]
    total = max(len(instruments), 1)
    plot_width = WIDTH - LABEL_WIDTH - RIGHT_MARGIN
    labels = {code: str(Status(code).label) for code in STACK_ORDER}
    # Counted from the matrix's own rows, a state's column at a time: asking it for each pair, and translating a
    # label for each segment, were a tenth of an uncached matrix page (issue 18); a Counter counts in C.
    ratification_rows = [statuses for instrument, statuses in matrix.rows() if instrument.needs_ratification]
    columns = zip(*ratification_rows, strict=True) if ratification_rows else ([] for _ in matrix.states)
    counts_by_state = [Counter(map(STATUS_CODE, column)) for column in columns]
    rows = []
    for index, (state, counts) in enumerate(zip(matrix.states, counts_by_state, strict=True)):
        x, segments = float(LABEL_WIDTH), []
        for code in STACK_ORDER:
            if counts.get(code):
                width = round(plot_width * counts[code] / total, 1)
                segments.append(BarSegment(code, labels[code], counts[code], round(x, 1), width))
                x += width
        rows.append(BarRow(str(state.display_name()), AXIS_HEIGHT + index * (BAR_HEIGHT + BAR_GAP), segments, counts))
    step = max(1, total // 10)
    return StatusBars(
        rows=rows,
        statuses=[(code, str(Status(code).label)) for code in STACK_ORDER],
        instrument_count=len(instruments),
        width=WIDTH,
        height=AXIS_HEIGHT + len(rows) * (BAR_HEIGHT + BAR_GAP),
        label_width=LABEL_WIDTH,
        scale=[(n, round(LABEL_WIDTH + plot_width * n / total, 1)) for n in range(0, total + 1, step)],
    )


@dataclasses.dataclass(frozen=True)
class DurationRow:
    instrument: object
    signature: Signature
    # The status that began the state's ratification; None while it is still outstanding.
    ratification: object | None
    duration: str
    y: float
    width: float

    @property
    def ongoing(self) -> bool:
        return self.ratification is None

    @property
    def text_y(self) -> float:
        return self.y + BAR_HEIGHT / 2 + 4


@dataclasses.dataclass(frozen=True)
class DurationBars:
    rows: list[DurationRow]
    width: int
    height: int
    label_width: int
    scale: list[tuple[str, float]]

    @property
    def is_empty(self) -> bool:
        return not self.rows


def signature_to_ratification_chart(matrix: StatusMatrix, state) -> DurationBars:
    """For each instrument the state signed, how long it took to ratify, or has taken so far."""
    found = []
    for instrument in matrix.instruments:
        if not instrument.needs_ratification:
            continue
        history = matrix.histories[instrument.pk]
        signature = signature_of(history, state.pk)
        if signature is None:
            continue
        ratification = ratification_between(history, state.pk, signature.date, matrix.as_of)
        # Only where the state's own record says where it stands: a treaty all signed in 1992 with nothing
        # recorded for this state since is a gap in the record, not a ratification 32 years overdue.
        if ratification is None and matrix.status(instrument, state).code not in OUTSTANDING_STATUSES:
            continue
        until = ratification.since if ratification else matrix.as_of
        found.append((instrument, signature, ratification, until))
    longest = max(((until - signature.date).days for _i, signature, _r, until in found), default=365)
    years = max(1, -(-longest // 365))
    plot_width = WIDTH - LABEL_WIDTH - RIGHT_MARGIN
    rows = []
    for index, (instrument, signature, ratification, until) in enumerate(found):
        days = max((until - signature.date).days, 0)
        rows.append(
            DurationRow(
                instrument=instrument,
                signature=signature,
                ratification=ratification,
                duration=signature.outstanding_for(until),
                y=AXIS_HEIGHT + index * (BAR_HEIGHT + BAR_GAP),
                width=max(round(plot_width * days / (years * 365), 1), 2),
            )
        )
    step = max(1, years // 10)
    return DurationBars(
        rows=rows,
        width=WIDTH,
        height=AXIS_HEIGHT + len(rows) * (BAR_HEIGHT + BAR_GAP),
        label_width=LABEL_WIDTH,
        scale=[(str(n), round(LABEL_WIDTH + plot_width * n / years, 1)) for n in range(0, years + 1, step)],
    )

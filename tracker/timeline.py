"""The geometry of an instrument's timeline: one lane per state, one coloured segment per status.

Rendered as inline SVG by the template, so it reads without JavaScript; the
statuses come from the engine's ``InstrumentHistory``, never from here.
"""

import dataclasses
import datetime

from tracker.status import InstrumentHistory
from tracker.wording import status_label, word_date

WIDTH = 960
LABEL_WIDTH = 120
LANE_HEIGHT = 28
LANE_GAP = 6
AXIS_HEIGHT = 26
# A segment narrower than this has no room for its label; its <title> still names it.
MIN_LABELLED_WIDTH = 70
RIGHT_MARGIN = 10


@dataclasses.dataclass(frozen=True)
class Segment:
    x: float
    width: float
    code: str
    label: str
    start: datetime.date
    end: datetime.date
    # When it starts, in words ("by 18 May 2023"), and whether it is inferred: the band's tooltip says both.
    when: str
    inferred: bool

    @property
    def text_x(self) -> float:
        return self.x + 4

    @property
    def shows_label(self) -> bool:
        return self.width >= MIN_LABELLED_WIDTH


@dataclasses.dataclass(frozen=True)
class Lane:
    name: str
    y: float
    segments: list[Segment]

    @property
    def text_y(self) -> float:
        return self.y + LANE_HEIGHT / 2 + 5


@dataclasses.dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclasses.dataclass(frozen=True)
class Timeline:
    start: datetime.date
    end: datetime.date
    lanes: list[Lane]
    ticks: list[Tick]
    width: int
    height: int
    label_width: int
    plot_bottom: float
    # Where the instrument's entry into force falls, if it does within the drawn range.
    entry_into_force_x: float | None = None

    @property
    def plot_width(self) -> int:
        return self.width - self.label_width - RIGHT_MARGIN

    @property
    def is_empty(self) -> bool:
        return not any(lane.segments for lane in self.lanes)


def build_timeline(history: InstrumentHistory, states, *, as_of: datetime.date) -> Timeline:
    """Lay out each state's statuses from the first recorded change to ``as_of``."""
    changes = [change for state in states for change in history.transitions.get(state.pk, ()) if change.since]
    first = min((change.since for change in changes), default=as_of)
    # Start a little before the first change so that its segment does not touch the labels.
    start = datetime.date(first.year, 1, 1) if first < as_of else as_of - datetime.timedelta(days=365)
    end = max(as_of, start + datetime.timedelta(days=1))
    span = (end - start).days
    plot_width = WIDTH - LABEL_WIDTH - RIGHT_MARGIN

    def x_of(day: datetime.date) -> float:
        return round(LABEL_WIDTH + plot_width * (day - start).days / span, 1)

    lanes = []
    for index, state in enumerate(states):
        y = AXIS_HEIGHT + index * (LANE_HEIGHT + LANE_GAP)
        transitions = [change for change in history.transitions.get(state.pk, ()) if change.since <= as_of]
        segments = []
        for position, change in enumerate(transitions):
            until = transitions[position + 1].since if position + 1 < len(transitions) else end
            left, right = x_of(change.since), x_of(until)
            segments.append(
                Segment(
                    x=left,
                    width=max(round(right - left, 1), 2),
                    code=change.code,
                    label=status_label(change.code, history.instrument),
                    start=change.since,
                    end=until,
                    when=word_date(change.since, change.precision),
                    inferred=change.inferred,
                )
            )
        lanes.append(Lane(name=str(state.display_name()), y=y, segments=segments))

    height = AXIS_HEIGHT + len(states) * (LANE_HEIGHT + LANE_GAP)
    eif_date = history.entry_into_force.date
    return Timeline(
        start=start,
        end=end,
        lanes=lanes,
        ticks=_year_ticks(start, end, x_of),
        width=WIDTH,
        height=height,
        label_width=LABEL_WIDTH,
        plot_bottom=height,
        entry_into_force_x=x_of(eif_date) if eif_date and start <= eif_date <= end else None,
    )


def _year_ticks(start: datetime.date, end: datetime.date, x_of) -> list[Tick]:
    years = range(start.year + (start > datetime.date(start.year, 1, 1)), end.year + 1)
    # At most about a dozen labels, whatever the span.
    step = max(1, len(years) // 12 + (len(years) % 12 > 0))
    return [Tick(x=x_of(datetime.date(year, 1, 1)), label=str(year)) for year in years[::step]]

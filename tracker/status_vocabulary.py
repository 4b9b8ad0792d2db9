"""The status engine's vocabulary: the status codes, the order of a state's steps, and the facts it answers with.

A pair's status (``PairStatus``), an instrument's entry into force (``EntryIntoForce``) and history
(``InstrumentHistory``) are facts: dates, precisions, flags and the events they rest on. Nothing here words
them; ``tracker.wording`` does, for the pages, the API and the exports alike. The rules that compute them are
in ``tracker.status_rules``; reading them for many pairs at once is ``tracker.status``.
"""

import dataclasses
import datetime
from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.models import Event, Instrument, MemberState, SourceDocument


class Status(models.TextChoices):
    """Stable public codes: exports and the API use them, so never rename one."""

    NO_RECORD = "no_record", _("No record")
    SIGNED = "signed", _("Signed")
    PENDING = "pending", _("Ratification pending")
    RATIFIED = "ratified", _("Ratified")
    IN_FORCE = "in_force", _("In force")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ADOPTED = "adopted", _("Adopted")


STATUS_OF_EVENT = {
    Event.Type.SIGNED: Status.SIGNED,
    Event.Type.RATIFICATION_PENDING: Status.PENDING,
    Event.Type.RATIFIED: Status.RATIFIED,
    Event.Type.NOTIFIED: Status.RATIFIED,
    Event.Type.IN_FORCE: Status.IN_FORCE,
    Event.Type.ADOPTED: Status.ADOPTED,
    Event.Type.WITHDRAWN: Status.WITHDRAWN,
    Event.Type.SUSPENDED: Status.WITHDRAWN,
}

# How far along the path to being bound each step is. A notification is a step
# beyond domestic ratification, though the status code stays "ratified".
STEP_RANK = {
    Event.Type.SIGNED: 1,
    Event.Type.RATIFICATION_PENDING: 2,
    Event.Type.RATIFIED: 3,
    Event.Type.NOTIFIED: 4,
    Event.Type.IN_FORCE: 5,
    Event.Type.ADOPTED: 5,
}
# Reports that a step has not happened yet: evidence, never a status of their own.
NOT_YET_TYPES = {Event.Type.NOT_IN_FORCE}
ENDING_TYPES = {Event.Type.WITHDRAWN, Event.Type.SUSPENDED}
# An instrument-level event of these types says when and where the instrument was concluded.
CONCLUDING_TYPES = {Event.Type.SIGNED, Event.Type.ADOPTED}
BOUND_STATUSES = {Status.RATIFIED, Status.IN_FORCE}


class SourceFacts(NamedTuple):
    """A source as ``EventFacts.source``: what a status cell, an export row or the status API shows of it."""

    pk: int
    title: str
    slug: str
    date: datetime.date
    speaker: str
    place: str
    # Where the text was published, as ``SourceDocument.url``.
    url: str

    # Its page's address is the model's, the one writer of it: the row has the slug it reads.
    get_absolute_url = SourceDocument.get_absolute_url


class EventFacts(NamedTuple):
    """An event read as a plain row: the fields the engine folds, and what pages and exports show of its evidence.

    Building an ``Event`` and its ``SourceDocument`` for each of 100,000 events
    took most of the whole-record export's time; a row costs a fraction of that
    (issue 6). It answers the same attribute names as ``Event`` for these fields.
    """

    pk: int
    instrument_id: int
    state_id: int | None
    type: str
    date: datetime.date
    precision: str
    known_from: datetime.date
    inferred: bool
    place: str
    quote: str
    is_paraphrase: bool
    # The source's fields last, in SourceFacts' order: a row of the event's own fields and its source's row
    # read on their own make one of these (``tracker.status_reading``).
    source_id: int
    source_title: str
    source_slug: str
    source_date: datetime.date
    source_speaker: str
    source_place: str
    source_url: str

    @property
    def is_uncertain(self) -> bool:
        return self.precision != Event.Precision.DAY

    @property
    def source(self) -> SourceFacts:
        return SourceFacts._make(self[SOURCE_FACTS_START:])

    # Its page's address is the model's, the one writer of it: the row has the pk it reads.
    get_absolute_url = Event.get_absolute_url


class EvidenceLink(NamedTuple):
    """An event as a link to its evidence shows it: its page, its source's title, and whether it is inferred.

    All the matrix shows of the 4,000-odd events behind a 50 x 200 page (each cell links to its event, titled with
    its source), and what it reads with the spans in the same query rather than by id: reading every event's
    facts was a third of the page's engine time (issue 18). ``EventFacts`` answers the same names.
    """

    pk: int
    source_id: int
    source_title: str
    inferred: bool

    get_absolute_url = Event.get_absolute_url


# The database fields behind EventFacts, in its order.
EVENT_FACT_FIELDS = [
    "pk",
    "instrument_id",
    "state_id",
    "type",
    "date",
    "precision",
    "known_from",
    "inferred",
    "place",
    "quote",
    "is_paraphrase",
    "source_id",
    "source__title",
    "source__slug",
    "source__date",
    "source__speaker",
    "source__place",
    "source__url",
]
# Where the source's fields start in EventFacts, and the database fields behind SourceFacts, in its order.
SOURCE_FACTS_START = EventFacts._fields.index("source_id")
SOURCE_FACT_FIELDS = ["pk", *(field.removeprefix("source__") for field in EVENT_FACT_FIELDS[SOURCE_FACTS_START + 1 :])]


class PairStatus(NamedTuple):
    """Where one state stands on one instrument, from a date on, and why.

    A named tuple rather than a frozen dataclass: an uncached matrix page makes 5,000-odd of them and the status
    API 100,000, and a frozen dataclass took four times as long to make (each field set through
    ``object.__setattr__``), about 6 ms of a matrix page (issue 18). Compare statuses with statuses only: as a
    tuple, a status also equals a plain tuple of the same values.
    """

    code: str
    since: datetime.date | None = None
    precision: str | None = None
    # An Event, or EventFacts where the caller asked for brief evidence.
    event: Event | EventFacts | None = None
    inferred: bool = False
    # True where the status follows from the instrument's entry-into-force rule
    # rather than from an event reported for this state.
    computed: bool = False
    # Every event the status rests on: for a reported step the report that dates it and the one
    # shown as evidence; for a computed one also every event its entry into force rests on.
    rests_on: tuple = ()

    @property
    def is_uncertain(self) -> bool:
        return self.precision not in (None, Event.Precision.DAY)

    @property
    def source(self):
        return self.event.source if self.event else None


NO_RECORD = PairStatus(code=Status.NO_RECORD)


def rests_on_ids(own: tuple[int, ...], entry_into_force: tuple[int, ...] = ()) -> tuple[int, ...]:
    """The ids a status rests on: its own events', then those of the entry into force it follows from (a computed
    "in force"), each once, in that order."""
    return tuple(dict.fromkeys(own + entry_into_force))


class StatusLine(NamedTuple):
    """A pair's status flat, as the status export writes it: the status, its evidence event and that event's source.

    The export of every pair reads these straight from the status spans with the evidence joined
    (``tracker.status_reading.SpanLines``), 120,000 of them without building an event or a ``PairStatus`` for
    each (issue 18); ``of`` gives the same line for a ``PairStatus`` the engine folded.
    """

    code: str
    since: datetime.date | None = None
    precision: str | None = None
    inferred: bool = False
    computed: bool = False
    event_id: int | None = None
    quote: str | None = None
    source_title: str | None = None
    source_slug: str | None = None
    source_date: datetime.date | None = None
    # The ids of the events a computed status rests on (``PairStatus.rests_on``); empty for a reported one.
    computed_from: tuple[int, ...] = ()

    @classmethod
    def of(cls, status: PairStatus) -> "StatusLine":
        event, source = status.event, status.source
        return cls(
            code=status.code,
            since=status.since,
            precision=status.precision,
            inferred=status.inferred,
            computed=status.computed,
            event_id=event.pk if event else None,
            quote=event.quote if event else None,
            source_title=source.title if source else None,
            source_slug=source.slug if source else None,
            source_date=source.date if source else None,
            computed_from=tuple(event.pk for event in status.rests_on) if status.computed else (),
        )


NO_RECORD_LINE = StatusLine(code=Status.NO_RECORD)


@dataclasses.dataclass(frozen=True)
class EntryIntoForce:
    """An instrument's entry into force as of a date, or what it still waits for."""

    date: datetime.date | None
    uncertain: bool = False
    stated_by: Event | None = None
    rule_recorded: bool = False
    missing_count: int | None = None
    waiting_for: tuple[MemberState, ...] = ()
    # Some event the date rests on is inferred (weakest link).
    inferred: bool = False
    # The events the date rests on: the stating event, the adoption, or the ratifications the rule counted.
    rests_on: tuple = ()
    # A Council decision or statement: in force from its adoption, no ratification needed.
    binds_on_adoption: bool = False

    @property
    def in_force(self) -> bool:
        return self.date is not None


@dataclasses.dataclass
class InstrumentHistory:
    """Every state's status changes on one instrument, with its entry into force."""

    instrument: Instrument
    transitions: dict[int, list[PairStatus]]
    entry_into_force: EntryIntoForce
    # The instrument-level signature or adoption: when and where it was concluded.
    concluded_by: Event | None = None
    # Reports that it was not yet in force (instrument-wide or for one state), oldest first.
    not_yet: list = dataclasses.field(default_factory=list)

    def status_of(self, state_id: int, as_of: datetime.date | None = None) -> PairStatus:
        current = NO_RECORD
        for change in self.transitions.get(state_id, ()):
            if as_of is not None and change.since > as_of:
                break
            current = change
        return current

"""Writing a planned synthetic record: replacing the earlier one, in bulk and in one transaction.

Bulk writes skip signals, so what the signals would do is done here: each event's ``known_from`` is
computed by the plan (``Event.compute_known_from``), and the record's version is bumped and its search
index rebuilt once everything is written.
"""

import dataclasses
import datetime
import random
from collections.abc import Callable

from django.db import transaction
from django.db.models import Q

from tracker.models import Event, Instrument, MemberState, RecordToken, SourceDocument, rebuild_search_index
from tracker.synthetic.planning import Planner

BATCH_SIZE = 2000


@dataclasses.dataclass
class Summary:
    states: int
    instruments: int
    sources: int
    events: int
    events_asked: int
    seconds: float

    def __str__(self):
        shortfall = ""
        if self.events < self.events_asked:
            shortfall = f" (only {self.events:,} of the {self.events_asked:,} asked fit: add states or instruments)"
        return (
            f"Generated {self.states:,} states, {self.instruments:,} instruments, {self.sources:,} sources and "
            f"{self.events:,} events{shortfall} in {self.seconds:.1f} s."
        )


def real_record_counts(using: str = "default") -> dict[str, int]:
    """How many non-synthetic records the database holds, by kind; a synthetic run must not mix with them."""
    return {
        "member states": MemberState.objects.using(using).filter(is_synthetic=False).count(),
        "instruments": Instrument.objects.using(using).filter(is_synthetic=False).count(),
        "sources": SourceDocument.objects.using(using).filter(is_synthetic=False).count(),
    }


def delete_synthetic_record(using: str = "default") -> None:
    """Remove an earlier synthetic record, children first (the foreign keys protect)."""
    Event.objects.using(using).filter(Q(instrument__is_synthetic=True) | Q(source__is_synthetic=True)).delete()
    instruments = Instrument.objects.using(using).filter(is_synthetic=True)
    # Amendments point at what they amend, so delete the chains from their ends.
    while instruments.exists():
        instruments.filter(amendments__isnull=True).delete()
    SourceDocument.objects.using(using).filter(is_synthetic=True).delete()
    MemberState.objects.using(using).filter(is_synthetic=True).delete()


def generate_synthetic_record(
    *,
    states: int,
    instruments: int,
    events: int,
    seed: int,
    using: str = "default",
    progress: Callable[[str, int, int], None] | None = None,
) -> Summary:
    """Replace any synthetic record in ``using`` with a new one of about the sizes asked.

    ``events`` is met exactly unless the pairs cannot hold that many plausible
    steps. The caller decides whether real records may sit beside it.
    ``progress(stage, done, total)`` is called as rows are written.
    """
    started = datetime.datetime.now()
    plan = Planner(random.Random(seed), using)
    state_rows = plan.states(states)
    instrument_levels = plan.instruments(instruments)
    plan.events(state_rows, [row for level in instrument_levels for row in level], events)
    with transaction.atomic(using=using):
        delete_synthetic_record(using)
        _write(MemberState, state_rows, using, progress, "states")
        for level in instrument_levels:
            _write(Instrument, level, using, progress, "instruments")
        sources = plan.source_documents()
        _write(SourceDocument, sources, using, progress, "sources")
        event_rows = plan.event_rows()
        _write(Event, event_rows, using, progress, "events")
        # bulk_create sends no signals: bump the version cached pages are keyed by (tracker.views.caching); index it.
        RecordToken.bump(using=using)
        rebuild_search_index(using=using)
    return Summary(
        states=len(state_rows),
        instruments=sum(len(level) for level in instrument_levels),
        sources=len(sources),
        events=len(event_rows),
        events_asked=events,
        seconds=(datetime.datetime.now() - started).total_seconds(),
    )


def _write(model, rows, using, progress, stage):
    manager = model.objects.using(using)
    for start in range(0, len(rows), BATCH_SIZE):
        manager.bulk_create(rows[start : start + BATCH_SIZE], batch_size=BATCH_SIZE)
        if progress:
            progress(stage, min(start + BATCH_SIZE, len(rows)), len(rows))

"""Statuses precomputed from the engine's rules: what every pair's status is over each range of as-of dates (issue 18).

Derived data, never edited and never backed up: ``tracker.spans`` writes them from the
events with the engine's own functions (``tracker.status`` still decides), in the same
transaction as every write that touches a pair, and pages, exports and the API read
statuses from them instead of folding every event again on each request.

A span holds from ``valid_from`` (inclusive) to ``valid_to`` (exclusive; empty while it
still holds) in *as-of* time: the range of dates D over which "the status as known on
D" stays the same. Event ids are plain integers, not foreign keys: a deleted event's
spans are rewritten in the same transaction, and raw deletes must not be refused for a
derived table. The one exception is a status span's evidence event, a key with no
constraint in the database (nothing refused, nothing cascaded), so that a query can
join the event's quote and source to the span (the status export, issue 18); and, the same way, its source, whose
title and the event's "inferred" the span keeps, for the matrix's links.
"""

import datetime
import functools

from django.db import models
from django.db.models import Subquery
from django.utils.translation import gettext_lazy as _

from tracker.models.instruments import Instrument
from tracker.models.record_token import RecordToken
from tracker.models.states import MemberState

# Where an instrument's first entry-into-force span starts: before any event, as of any date.
BEGINNING = datetime.date.min


# A read of a page's spans parses each span's ids twice (the events to read, then the status), and the next page's
# read the same spans again: 5,000-odd parses a matrix page were a tenth of its engine's time (issue 18).
@functools.lru_cache(maxsize=65_536)
def event_ids(text: str) -> tuple[int, ...]:
    # map() rather than a generator, for the parses the cache above misses (a new date's spans, issue 18).
    return tuple(map(int, text.split())) if text else ()


def event_ids_text(events) -> str:
    return " ".join(str(event.pk) for event in events)


class SpanQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date):
        """The spans that hold as of ``day``: one per pair (or instrument) at most."""
        return self.filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=day), valid_from__lte=day)


class StatusSpan(models.Model):
    """One pair's status (as ``tracker.status.PairStatus``) over a range of as-of dates.

    A pair without a span on a date has no record then (``Status.NO_RECORD``).
    """

    instrument = models.ForeignKey(
        Instrument, verbose_name=_("instrument"), on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    state = models.ForeignKey(
        MemberState, verbose_name=_("member state"), on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    valid_from = models.DateField(_("holds as of"))
    valid_to = models.DateField(_("holds until"), null=True, help_text=_("Empty while it still holds."))
    code = models.CharField(_("status"), max_length=16)
    since = models.DateField(_("since"))
    precision = models.CharField(_("date precision"), max_length=16)
    # No constraint and no index: deletes are never refused or cascaded here (see the module's docstring), and the
    # joins go from the span to the event's primary key.
    event = models.ForeignKey(
        "tracker.Event",
        verbose_name=_("event"),
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    inferred = models.BooleanField(_("inferred"), default=False)
    computed = models.BooleanField(_("computed from the rule"), default=False)
    rests_on = models.TextField(_("rests on"), help_text=_("The ids of the events it rests on, separated by spaces."))
    # A computed "in force" rests on its entry into force's events too: read from that span, not copied 200 times.
    rests_on_entry_into_force = models.BooleanField(_("also rests on the entry into force"), default=False)
    # What a link to the evidence shows (``tracker.status_vocabulary.EvidenceLink``) and what the status export
    # cites of it (``StatusLine``), kept with the span: joined from the event and its source, the matrix's 5,000-odd
    # links were most of its spans query, 10 ms of 20 on SQLite, and on PostgreSQL a hash of all 150,000 events,
    # 60 ms against 3; the export's one query hashed them all with their quotes, 200 ms of database time against
    # about 100 (issue 18). The event's own save rewrites its spans; a source's new title, slug or date is written
    # to its spans by ``tracker.spans`` (``_source_written``).
    evidence_source = models.ForeignKey(
        "tracker.SourceDocument",
        verbose_name=_("evidence's source"),
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    evidence_title = models.CharField(_("evidence's source title"), max_length=500)
    evidence_inferred = models.BooleanField(_("evidence inferred"), default=False)
    evidence_quote = models.TextField(_("evidence's quote"))
    evidence_source_slug = models.CharField(_("evidence's source slug"), max_length=150)
    evidence_source_date = models.DateField(_("evidence's source date"))

    objects = SpanQuerySet.as_manager()

    class Meta:
        verbose_name = "status span"
        verbose_name_plural = "status spans"
        indexes = [
            # "Spans valid on D" for some instruments (the matrix, the API) or all of them (the exports).
            models.Index(fields=["instrument", "valid_from"], name="statusspan_instrument_from"),
            # One state's row (its page): all instruments, one state.
            models.Index(fields=["state", "valid_from"], name="statusspan_state_from"),
        ]

    def __str__(self):
        return f"{self.instrument_id}/{self.state_id}: {self.code} {self.valid_from}..{self.valid_to or ''}"


class EntryIntoForceSpan(models.Model):
    """One instrument's entry into force (``tracker.status.EntryIntoForce``) and conclusion over a range of as-of dates.

    Where it is not in force, what it waits for (``missing_count``, ``waiting_for``) is
    worked out at read time from the pairs' statuses and membership on the date.
    """

    instrument = models.ForeignKey(
        Instrument, verbose_name=_("instrument"), on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    valid_from = models.DateField(_("holds as of"))
    valid_to = models.DateField(_("holds until"), null=True, help_text=_("Empty while it still holds."))
    date = models.DateField(_("in force from"), null=True)
    uncertain = models.BooleanField(_("uncertain"), default=False)
    stated_by_id = models.PositiveIntegerField(_("stated by event"), null=True)
    inferred = models.BooleanField(_("inferred"), default=False)
    binds_on_adoption = models.BooleanField(_("binds on adoption"), default=False)
    rule_recorded = models.BooleanField(_("rule recorded"), default=False)
    rests_on = models.TextField(_("rests on"), blank=True)
    concluded_by_id = models.PositiveIntegerField(_("concluded by event"), null=True)

    objects = SpanQuerySet.as_manager()

    class Meta:
        verbose_name = "entry-into-force span"
        verbose_name_plural = "entry-into-force spans"
        indexes = [models.Index(fields=["instrument", "valid_from"], name="eifspan_instrument_from")]

    def __str__(self):
        return f"{self.instrument_id}: {self.date or '-'} {self.valid_from}..{self.valid_to or ''}"


class SpanStamp(models.Model):
    """The record token (``RecordToken.token``) the spans were last written for.

    A write that reached the record without its signals (another process's bulk
    write, a raw update) bumps the version but not this stamp: readers then see
    the spans are behind and compute from the events instead.
    """

    token = models.CharField(_("version"), max_length=32)

    class Meta:
        verbose_name = "span stamp"
        verbose_name_plural = "span stamps"

    def __str__(self):
        return self.token

    @classmethod
    def stamp(cls, using: str = "default") -> None:
        """Record that the spans are current for the record as it is now."""
        token = RecordToken.current(using=using)
        if not cls.objects.using(using).filter(pk=1).update(token=token):
            cls.objects.using(using).create(pk=1, token=token)

    @classmethod
    def is_current(cls, using: str = "default") -> bool:
        """Whether the spans were written for the record's current version (one query)."""
        version = RecordToken.objects.using(using).filter(pk=1).values("token")
        row = cls.objects.using(using).filter(pk=1).annotate(version=Subquery(version)).values("token", "version")
        row = row.first()
        return row is not None and row["token"] == (row["version"] or "")

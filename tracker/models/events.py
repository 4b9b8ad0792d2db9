"""The events: each step a source reports, dated with its precision and quoted."""

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker.models.instruments import Instrument
from tracker.models.locking import version_field
from tracker.models.sources import SourceDocument, quote_appears_in
from tracker.models.states import MemberState


class EventQuerySet(models.QuerySet):
    def known_by(self, as_of: datetime.date | None):
        """The events the sources support on ``as_of`` (from their ``known_from``); every event for None.

        A vague date counts from the last day it may mean, so an event "in May 2023" is not known by 10 May.
        """
        if as_of is None:
            return self.all()
        return self.filter(known_from__lte=as_of)

    # The same rule for events already in memory is Event.is_known_by(), below.

    def with_evidence(self, *, source_text: bool = False):
        """Each event with its instrument, state and source, in the same query.

        The source's text is left behind unless ``source_text``: it can run to pages, and a list of events
        shows only the source's title and date.
        """
        events = self.select_related("instrument", "state", "source")
        return events if source_text else events.defer("source__text")


class Event(models.Model):
    # What staff record of an event, in the order the admin form and the spreadsheet file give it.
    RECORDED_FIELDS = (
        "instrument",
        "state",
        "type",
        "date",
        "precision",
        "source",
        "quote",
        "is_paraphrase",
        "inferred",
        "place",
        "note",
    )

    class Type(models.TextChoices):
        SIGNED = "signed", _("Signed")
        ADOPTED = "adopted", _("Adopted")
        RATIFICATION_PENDING = "ratification_pending", _("Ratification pending")
        RATIFIED = "ratified", _("Ratified (internal procedures completed)")
        NOTIFIED = "notified", _("Notification deposited")
        IN_FORCE = "in_force", _("Entered into force")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        SUSPENDED = "suspended", _("Suspended")
        # A source saying a step has not happened yet ("the primary task is the speedy entry into force of the
        # Protocol"): evidence against a computed entry into force, never a status of its own (issue 14).
        NOT_IN_FORCE = "not_in_force", _("Reported not yet in force")

    class Precision(models.TextChoices):
        DAY = "day", _("Exact day")
        MONTH = "month", _("Month")
        YEAR = "year", _("Year")
        ON_OR_BEFORE = "on_or_before", _("On or before")

    instrument = models.ForeignKey(
        Instrument, verbose_name=_("instrument"), on_delete=models.PROTECT, related_name="events"
    )
    state = models.ForeignKey(
        MemberState,
        verbose_name=_("member state"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        help_text=_("Empty for an event of the instrument itself, such as its signature or entry into force."),
    )
    type = models.CharField(_("event type"), max_length=32, choices=Type.choices)
    date = models.DateField(
        _("date"),
        help_text=_(
            "The date as the source gives it. For month or year precision, the first day of that month or year."
            " For “on or before”, the latest date the source supports, usually its own date."
        ),
    )
    precision = models.CharField(_("date precision"), max_length=16, choices=Precision.choices)
    known_from = models.DateField(
        _("holds from"),
        editable=False,
        db_index=True,
        help_text=_("The first day on which the sources support this event: computed from date and precision."),
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    source = models.ForeignKey(
        SourceDocument, verbose_name=_("source"), on_delete=models.PROTECT, related_name="events"
    )
    quote = models.TextField(_("quote"), help_text=_("The sentence of the source this event rests on, verbatim."))
    is_paraphrase = models.BooleanField(
        _("quote is a paraphrase"),
        default=False,
        help_text=_("Tick only if the quote is deliberately not verbatim; it is then not checked against the text."),
    )
    inferred = models.BooleanField(
        _("inferred"),
        default=False,
        help_text=_("The source implies this event rather than stating it."),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)
    version = version_field()
    history = HistoricalRecords()

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["known_from", "instrument__title", "state__name", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["instrument", "known_from"], name="event_instrument_known_from"),
            models.Index(fields=["state", "type", "known_from"], name="event_state_type_known_from"),
            # The events list by date pages in (known_from, id) order. SQLite's index on known_from holds the id
            # already; PostgreSQL's does not, and it sorted all 15,000 events of the tenth record for every page,
            # 7.7 ms of the deep page's key query against 3.5 ms with this index (issue 18).
            models.Index(fields=["known_from", "id"], name="event_known_from_id"),
            # The API's Last-Modified is the newest updated_at (tracker.api.freshness): without an index, a scan of
            # every event on every API request, 29 ms of PostgreSQL's time at 150,000 events (issue 18).
            models.Index(fields=["updated_at"], name="event_updated_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(precision__in=["day", "month", "year", "on_or_before"]), name="event_precision_is_known"
            ),
            models.CheckConstraint(
                condition=Q(
                    type__in=[
                        "signed",
                        "adopted",
                        "ratification_pending",
                        "ratified",
                        "notified",
                        "in_force",
                        "withdrawn",
                        "suspended",
                        "not_in_force",
                    ]
                ),
                name="event_type_is_known",
            ),
            models.CheckConstraint(condition=~Q(quote=""), name="event_quote_is_not_empty"),
            models.CheckConstraint(condition=Q(known_from__gte=models.F("date")), name="event_holds_from_its_date"),
            # The same source reporting the same step for the same pair twice would count it twice.
            models.UniqueConstraint(
                fields=["instrument", "state", "type", "source"],
                condition=Q(state__isnull=False),
                name="event_unique_per_state_and_source",
                violation_error_message=_(
                    "This source already records this step for this state on this instrument: edit that event"
                    " instead of adding a second one."
                ),
            ),
            models.UniqueConstraint(
                fields=["instrument", "type", "source"],
                condition=Q(state__isnull=True),
                name="event_unique_per_instrument_and_source",
                violation_error_message=_(
                    "This source already records this step for the instrument as a whole: edit that event"
                    " instead of adding a second one."
                ),
            ),
        ]

    def __str__(self):
        who = self.state.name if self.state_id else _("all")
        return f"{self.instrument} – {who}: {self.get_type_display()} ({self.date_display})"

    def get_absolute_url(self):
        return reverse("tracker:event_detail", kwargs={"pk": self.pk})

    def clean(self):
        errors = {}
        if self.precision == self.Precision.MONTH and self.date and self.date.day != 1:
            errors["date"] = _("A month-precision date is written as the first day of the month.")
        if self.precision == self.Precision.YEAR and self.date and (self.date.month, self.date.day) != (1, 1):
            errors["date"] = _("A year-precision date is written as 1 January of the year.")
        if self.source_id and self.date and self.date > self.source.date:
            errors["date"] = _("The event is dated after its source (%(date)s): a source cannot report the future.") % {
                "date": self.source.date.isoformat()
            }
        quote_is_checked = self.source_id and self.quote and not self.is_paraphrase
        if quote_is_checked and not quote_appears_in(self.quote, self.source.text):
            errors["quote"] = _(
                "This quote does not appear in the source's text. Copy it exactly, or tick “quote is a paraphrase”."
            )
        if errors:
            raise ValidationError(errors)

    def compute_known_from(self) -> datetime.date:
        """The first day the sources support the event: a vague date is never backdated.

        A month or year counts from its last day, unless the source itself is
        dated sooner; "on or before" counts from the date given.
        """
        if self.precision == self.Precision.MONTH:
            last_day = calendar.monthrange(self.date.year, self.date.month)[1]
            end = self.date.replace(day=last_day)
        elif self.precision == self.Precision.YEAR:
            end = self.date.replace(month=12, day=31)
        else:
            return self.date
        if self.source_id and self.source.date < end:
            return max(self.source.date, self.date)
        return end

    def is_known_by(self, as_of: datetime.date | None) -> bool:
        """Whether the sources support this event on ``as_of``: ``Event.objects.known_by()`` for one event in hand."""
        return as_of is None or self.known_from <= as_of

    @property
    def is_uncertain(self) -> bool:
        return self.precision != self.Precision.DAY

    @property
    def date_display(self) -> str:
        """The date with its precision in words: "in May 2023", "by 18 May 2023" (tracker.wording)."""
        from tracker.wording import word_date

        return word_date(self.date, self.precision)


@receiver(pre_save, sender=Event)
def set_known_from(sender, instance, **kwargs):
    # A signal rather than save(), so that fixture loads (raw saves) compute it too;
    # bulk writers must call compute_known_from() themselves.
    instance.known_from = instance.compute_known_from()

"""The record: member states, instruments, the source texts and the events they report.

Statuses are never stored: they are derived from events by ``tracker.status``.
"""

import calendar
import dataclasses
import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


@dataclasses.dataclass(frozen=True)
class LocalText:
    """A name in the reader's language, or in English where no Russian one is recorded (``language`` says which)."""

    text: str
    language: str

    def __str__(self):
        return self.text

    @property
    def is_fallback(self) -> bool:
        return self.language != (get_language() or "en")


def in_reader_language(english: str, russian: str, language: str | None = None) -> LocalText:
    """``russian`` for a Russian reader when it is recorded, otherwise ``english`` (never a guess)."""
    language = language or get_language() or "en"
    if language.startswith("ru") and russian:
        return LocalText(russian, "ru")
    return LocalText(english, "en")


def version_field():
    return models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Counts the saves of this record, so that a save based on an older version is refused."),
    )


class StaleRecordError(Exception):
    """A save based on a version of the record that someone else has changed since (optimistic locking)."""


class MemberState(models.Model):
    name = models.CharField(_("short name"), max_length=100, unique=True, help_text=_("For example “Armenia”."))
    official_name = models.CharField(
        _("official name"), max_length=200, help_text=_("For example “Republic of Armenia”.")
    )
    name_ru = models.CharField(
        _("short name in Russian"), max_length=100, blank=True, help_text=_("For example “Армения”.")
    )
    official_name_ru = models.CharField(
        _("official name in Russian"),
        max_length=200,
        blank=True,
        help_text=_("For example “Республика Армения”. Leave empty where unsure: pages then show the English name."),
    )
    iso3 = models.CharField(
        _("ISO 3166-1 alpha-3 code"),
        max_length=3,
        unique=True,
        help_text=_("Three capital letters, for example ARM. A stable code used in exports and the API."),
    )
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    member_since = models.DateField(
        _("member since"), null=True, blank=True, help_text=_("Leave empty where no source gives the date.")
    )
    member_until = models.DateField(
        _("member until"), null=True, blank=True, help_text=_("Date membership ended, if it has.")
    )
    is_synthetic = models.BooleanField(
        _("synthetic"), default=False, editable=False, help_text=_("Generated test data, not a real record.")
    )
    version = version_field()
    # Who changed what and when, viewable and revertible from the admin (issue 5).
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("member state")
        verbose_name_plural = _("member states")
        constraints = [
            models.CheckConstraint(condition=Q(iso3__regex=r"^[A-Z]{3}$"), name="state_iso3_is_three_capitals"),
            models.CheckConstraint(
                condition=Q(member_until__isnull=True)
                | Q(member_since__isnull=True)
                | Q(member_until__gte=models.F("member_since")),
                name="state_membership_ends_after_it_starts",
                violation_error_message=_("Membership cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return str(self.display_name())

    def get_absolute_url(self):
        return reverse("tracker:state_detail", kwargs={"slug": self.slug})

    def display_name(self, language: str | None = None) -> LocalText:
        return in_reader_language(self.name, self.name_ru, language)

    def display_official_name(self, language: str | None = None) -> LocalText:
        return in_reader_language(self.official_name, self.official_name_ru, language)

    def is_member_on(self, day: datetime.date) -> bool:
        """Whether the state was a member on ``day``; unknown start dates count as members."""
        if self.member_since and day < self.member_since:
            return False
        return not (self.member_until and day >= self.member_until)


class Instrument(models.Model):
    class Kind(models.TextChoices):
        TREATY = "treaty", _("Treaty")
        CHARTER = "charter", _("Charter")
        AGREEMENT = "agreement", _("Agreement")
        PROTOCOL = "protocol", _("Protocol")
        CHARTER_AMENDMENT = "charter_amendment", _("Charter amendment")
        DECISION = "decision", _("Council decision")
        STRATEGY = "strategy", _("Strategy or programme")
        PLAN = "plan", _("Plan")
        STATEMENT = "statement", _("Statement or declaration")
        OTHER = "other", _("Other")

    class EntryIntoForceRule(models.TextChoices):
        NOT_RECORDED = "", _("Not recorded")
        ALL_PARTIES = "all_parties", _("When all member states have ratified")
        NTH_RATIFICATION = "nth_ratification", _("On the Nth ratification")

    title = models.CharField(_("title"), max_length=500, help_text=_("The title as the sources give it."))
    short_title = models.CharField(_("short title"), max_length=150)
    title_ru = models.CharField(
        _("title in Russian"),
        max_length=500,
        blank=True,
        help_text=_("The official Russian title. Leave empty where unsure: pages then show the English title."),
    )
    short_title_ru = models.CharField(_("short title in Russian"), max_length=150, blank=True)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    part_of = models.ForeignKey(
        "self",
        verbose_name=_("amends or belongs to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
        help_text=_("The instrument this one amends or belongs to, such as the Charter for a protocol amending it."),
    )
    needs_ratification = models.BooleanField(
        _("needs ratification"),
        default=True,
        help_text=_("Off for Council decisions, strategies and statements that bind on adoption."),
    )
    aliases = models.TextField(
        _("other titles"),
        blank=True,
        help_text=_("Other ways the texts name this instrument, one per line."),
    )
    eif_rule = models.CharField(
        _("entry-into-force rule"), max_length=32, choices=EntryIntoForceRule.choices, blank=True
    )
    eif_threshold = models.PositiveSmallIntegerField(
        _("ratifications needed"),
        null=True,
        blank=True,
        help_text=_("For the “Nth ratification” rule: how many ratifications bring it into force."),
    )
    eif_rule_basis = models.TextField(
        _("basis of the rule"),
        blank=True,
        help_text=_("Where the rule comes from, and whether it is stated or inferred."),
    )
    note = models.TextField(_("note"), blank=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False, editable=False)
    version = version_field()
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        constraints = [
            models.CheckConstraint(
                condition=~Q(eif_rule="nth_ratification") | Q(eif_threshold__gte=1),
                name="instrument_nth_rule_has_threshold",
            ),
            models.CheckConstraint(
                condition=Q(eif_rule__in=["", "all_parties", "nth_ratification"]),
                name="instrument_eif_rule_is_known",
            ),
        ]

    def __str__(self):
        return str(self.display_short_title())

    def get_absolute_url(self):
        return reverse("tracker:instrument_detail", kwargs={"slug": self.slug})

    def display_title(self, language: str | None = None) -> LocalText:
        return in_reader_language(self.title, self.title_ru, language)

    def display_short_title(self, language: str | None = None) -> LocalText:
        # A Russian full title beats an English short one: the reader asked for Russian.
        return in_reader_language(self.short_title or self.title, self.short_title_ru or self.title_ru, language)

    def clean(self):
        if self.eif_rule == self.EntryIntoForceRule.NTH_RATIFICATION and not self.eif_threshold:
            raise ValidationError({"eif_threshold": _("Say how many ratifications the rule needs.")})
        if self.part_of_id and self.part_of_id == self.pk:
            raise ValidationError({"part_of": _("An instrument cannot amend itself.")})

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    def entry_into_force_date(self, ratified_on: dict[int, datetime.date], member_ids: list[int]):
        """The date this instrument's rule puts it into force, or None if the rule is not met.

        ``ratified_on`` maps a state id to the date from which that state is known to
        have ratified; ``member_ids`` are the states whose ratification the rule counts.
        """
        dates = sorted(ratified_on[state_id] for state_id in member_ids if state_id in ratified_on)
        if self.eif_rule == self.EntryIntoForceRule.ALL_PARTIES:
            if member_ids and len(dates) == len(member_ids):
                return dates[-1]
        elif self.eif_rule == self.EntryIntoForceRule.NTH_RATIFICATION and 0 < (self.eif_threshold or 0) <= len(dates):
            return dates[self.eif_threshold - 1]
        return None

    def ratifications_missing(self, ratified_state_ids: set[int], member_ids: list[int]) -> int | None:
        """How many more ratifications the rule needs, or None where no rule is recorded."""
        count = len(ratified_state_ids & set(member_ids))
        if self.eif_rule == self.EntryIntoForceRule.ALL_PARTIES:
            return max(len(member_ids) - count, 0)
        if self.eif_rule == self.EntryIntoForceRule.NTH_RATIFICATION and self.eif_threshold:
            return max(self.eif_threshold - count, 0)
        return None


class SourceDocument(models.Model):
    class Kind(models.TextChoices):
        SPEECH = "speech", _("Speech")
        STATEMENT = "statement", _("Statement")
        NEWS = "news", _("News item")
        INTERVIEW = "interview", _("Interview")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=500)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SPEECH)
    date = models.DateField(_("date"), help_text=_("The date of the speech or news item itself."))
    speaker = models.CharField(_("speaker"), max_length=200, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    url = models.URLField(_("original address"), blank=True)
    text = models.TextField(_("full text"))
    is_synthetic = models.BooleanField(_("synthetic"), default=False, editable=False)
    version = version_field()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "title"]
        verbose_name = _("source document")
        verbose_name_plural = _("source documents")
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="source_text_is_not_empty")]

    def __str__(self):
        return f"{self.title} ({date_format(self.date, 'SHORT_DATE_FORMAT')})"

    def get_absolute_url(self):
        return reverse("tracker:source_detail", kwargs={"slug": self.slug})

    def clean(self):
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": _("A source cannot be dated in the future.")})


class Event(models.Model):
    class Type(models.TextChoices):
        SIGNED = "signed", _("Signed")
        ADOPTED = "adopted", _("Adopted")
        RATIFICATION_PENDING = "ratification_pending", _("Ratification pending")
        RATIFIED = "ratified", _("Ratified (internal procedures completed)")
        NOTIFIED = "notified", _("Notification deposited")
        IN_FORCE = "in_force", _("Entered into force")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        SUSPENDED = "suspended", _("Suspended")

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

    class Meta:
        ordering = ["known_from", "instrument__title", "state__name", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["instrument", "known_from"], name="event_instrument_known_from"),
            models.Index(fields=["state", "type", "known_from"], name="event_state_type_known_from"),
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

    @property
    def is_uncertain(self) -> bool:
        return self.precision != self.Precision.DAY

    @property
    def date_display(self) -> str:
        """The date with its precision, in the reader's language: "May 2023", "≤ 18 May 2023", "≤ 18.05.2023"."""
        if self.precision == self.Precision.YEAR:
            return f"{self.date:%Y}"
        if self.precision == self.Precision.MONTH:
            return date_format(self.date, "YEAR_MONTH_FORMAT")
        if self.precision == self.Precision.ON_OR_BEFORE:
            return f"≤ {date_format(self.date, 'SHORT_DATE_FORMAT')}"
        return date_format(self.date, "SHORT_DATE_FORMAT")


@receiver(pre_save, sender=Event)
def set_known_from(sender, instance, **kwargs):
    # A signal rather than save(), so that fixture loads (raw saves) compute it too;
    # bulk writers must call compute_known_from() themselves.
    instance.known_from = instance.compute_known_from()


@receiver(pre_save)
def count_the_version(sender, instance, raw=False, **kwargs):
    """Bump ``version`` on every save of an existing record, refusing one based on an outdated version.

    A form that showed version N sets ``instance.expected_version = N``; the conditional UPDATE
    then succeeds only if nobody saved in between, even when two saves race (issue 7).
    """
    if sender not in VERSIONED_MODELS or raw or instance._state.adding:
        return
    rows = sender._default_manager.filter(pk=instance.pk).order_by()
    expected = getattr(instance, "expected_version", None)
    if expected is None:
        rows.update(version=models.F("version") + 1)
        instance.version = rows.values_list("version", flat=True).first() or 1
        return
    if not rows.filter(version=expected).update(version=expected + 1):
        raise StaleRecordError(f"{sender._meta.verbose_name} {instance.pk} was changed by someone else.")
    instance.version = expected + 1
    del instance.expected_version


VERSIONED_MODELS = (MemberState, Instrument, SourceDocument, Event)


class RecordVersion(models.Model):
    """One row whose token changes on every write to the record, so that every worker's caches can tell (issue 6).

    A per-process cache cannot see another worker's writes; each worker reads this
    token (one cheap query) and keys what it caches by it. The token is random rather
    than a counter, so that a rolled-back write can never bring an old key back.
    """

    token = models.CharField(_("version"), max_length=32)
    changed_at = models.DateTimeField(_("last changed at"), auto_now=True)

    class Meta:
        # Never shown: no admin page lists it.
        verbose_name = "record version"
        verbose_name_plural = "record versions"

    def __str__(self):
        return self.token

    @classmethod
    def current(cls, using="default") -> str:
        """The record's version now; empty before the first write."""
        return cls.objects.using(using).filter(pk=1).values_list("token", flat=True).first() or ""

    @classmethod
    def bump(cls, using="default") -> str:
        """Mark the record as changed. Bulk writers (imports, the synthetic generator) call it themselves."""
        token = uuid.uuid4().hex
        if not cls.objects.using(using).filter(pk=1).update(token=token, changed_at=timezone.now()):
            cls.objects.using(using).create(pk=1, token=token)
        return token


@receiver(post_save)
@receiver(post_delete)
def record_changed(sender, using="default", **kwargs):
    # Saves and deletes of single records, admin bulk deletes and simple-history reverts all end here.
    if sender in VERSIONED_MODELS:
        RecordVersion.bump(using=using)


def normalise_whitespace(text: str) -> str:
    return " ".join(text.split())


def quote_appears_in(quote: str, text: str) -> bool:
    """Whether ``quote`` stands in ``text`` word for word; line breaks and runs of spaces do not count."""
    return normalise_whitespace(quote) in normalise_whitespace(text)

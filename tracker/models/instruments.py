"""The instruments: treaties, agreements, protocols, Charter amendments and the Council's decisions."""

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker.models.languages import LocalText, in_reader_language
from tracker.models.locking import version_field


class InstrumentQuerySet(models.QuerySet):
    def in_matrix_order(self):
        """Instruments as the matrix, the status API and the status export list them: by title, then id.

        The title is the English one, whatever the reader's language: pages re-sort their rows in the
        reader's alphabet (``in_reading_order``), the API and the exports keep this order. Each comes with
        the instrument it amends (``part_of``), so naming that costs no query per row.
        """
        return self.select_related("part_of").order_by("title", "pk")


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
    title_ru_source = models.URLField(
        _("source of the Russian title"),
        max_length=500,
        blank=True,
        help_text=_(
            "The address of the page (a law on ratification, an official gazette, an agency's report) that gives "
            "the Russian title. A title is a fact: record where it comes from."
        ),
    )
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

    objects = InstrumentQuerySet.as_manager()

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

    def entry_into_force_date(self, ratified_on: dict[int, datetime.date], member_ids: Sequence[int]):
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

    def ratifications_missing(self, ratified_state_ids: set[int], member_ids: Sequence[int]) -> int | None:
        """How many more ratifications the rule needs, or None where no rule is recorded."""
        count = len(ratified_state_ids & set(member_ids))
        if self.eif_rule == self.EntryIntoForceRule.ALL_PARTIES:
            return max(len(member_ids) - count, 0)
        if self.eif_rule == self.EntryIntoForceRule.NTH_RATIFICATION and self.eif_threshold:
            return max(self.eif_threshold - count, 0)
        return None

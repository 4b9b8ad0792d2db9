"""How the texts name the record's instruments and member states (issue 13).

The reader finds instruments by their titles and these aliases, and states by
their names and the actors that speak for them (a parliament, a chamber, a
president for his term). Both live in the record so staff can add a wording
the reader missed, beside the instrument or the state, without touching code.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tracker.models.instruments import Instrument
from tracker.models.states import MemberState


class TextLanguage(models.TextChoices):
    ENGLISH = "en", _("English")
    RUSSIAN = "ru", _("Russian")


class InstrumentAlias(models.Model):
    instrument = models.ForeignKey(
        Instrument, verbose_name=_("instrument"), on_delete=models.CASCADE, related_name="alias_set"
    )
    language = models.CharField(_("language"), max_length=2, choices=TextLanguage.choices)
    text = models.CharField(
        _("wording"),
        max_length=500,
        help_text=_("Another way the texts name this instrument, for example “the Peacekeeping Protocol”."),
    )

    class Meta:
        ordering = ["instrument", "language", "text"]
        verbose_name = _("instrument alias")
        verbose_name_plural = _("instrument aliases")
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "language", "text"],
                name="instrument_alias_is_unique",
                violation_error_message=_("This instrument already has this alias."),
            ),
        ]

    def __str__(self):
        return self.text


class StateActor(models.Model):
    class Kind(models.TextChoices):
        NAME = "name", _("Name or adjective of the state")
        PARLIAMENT = "parliament", _("Parliament or chamber")
        HEAD_OF_STATE = "head_of_state", _("Head of state")
        GOVERNMENT = "government", _("Government or ministry")

    state = models.ForeignKey(
        MemberState, verbose_name=_("member state"), on_delete=models.CASCADE, related_name="actors"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(
        _("name"),
        max_length=200,
        help_text=_("As the texts write it, for example “State Duma”, “Жогорку Кенеш” or “Tokayev”."),
    )
    language = models.CharField(_("language"), max_length=2, choices=TextLanguage.choices)
    from_year = models.PositiveSmallIntegerField(
        _("from year"), null=True, blank=True, help_text=_("First year the name speaks for the state (a term).")
    )
    to_year = models.PositiveSmallIntegerField(
        _("to year"), null=True, blank=True, help_text=_("Last year; leave empty while in office.")
    )

    class Meta:
        ordering = ["state", "kind", "language", "name"]
        verbose_name = _("state actor")
        verbose_name_plural = _("state actors")
        constraints = [
            models.UniqueConstraint(
                fields=["state", "name", "language", "from_year"],
                name="state_actor_is_unique",
                violation_error_message=_("This state already has this name for that term."),
            ),
            models.CheckConstraint(
                condition=Q(to_year__isnull=True) | Q(from_year__isnull=True) | Q(to_year__gte=F("from_year")),
                name="state_actor_term_ends_after_it_starts",
                violation_error_message=_("A term cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return self.name

    def speaks_for_state_in(self, year: int) -> bool:
        """Whether the name points to the state in ``year``: a president's name only during his term."""
        return (self.from_year is None or self.from_year <= year) and (self.to_year is None or year <= self.to_year)

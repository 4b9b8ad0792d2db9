"""The member states."""

import datetime

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker.models.languages import LocalText, in_reader_language
from tracker.models.locking import version_field


class MemberStateQuerySet(models.QuerySet):
    def display_names(self) -> list[tuple[str, LocalText]]:
        """Each state's slug and its name in the reader's language (``display_name()``), in the queryset's order.

        What a list of states to pick from shows, read as three columns: the events filter's drop-down built 200
        whole states, every field converted, to write their slugs and names (issue 18).
        """
        language = get_language()
        return [
            (slug, in_reader_language(name, name_ru, language))
            for slug, name, name_ru in self.values_list("slug", "name", "name_ru")
        ]


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

    objects = MemberStateQuerySet.as_manager()

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

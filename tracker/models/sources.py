"""The source documents: the speeches and news items every event quotes."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker.models.locking import version_field


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
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_("What the original page held besides this document and was left out of the text, and why."),
    )
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


def normalise_whitespace(text: str) -> str:
    return " ".join(text.split())


def quote_appears_in(quote: str, text: str) -> bool:
    """Whether ``quote`` stands in ``text`` word for word; line breaks and runs of spaces do not count."""
    return normalise_whitespace(quote) in normalise_whitespace(text)

"""E-mail alerts: confirmed subscriptions and the digests sent to them (issue 16).

An address is stored only once its owner has followed the confirmation link:
until then the request lives in the link itself (signed, with a short expiry),
so an address someone else typed in leaves nothing behind.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tracker.models.instruments import Instrument
from tracker.models.states import MemberState


def new_unsubscribe_token() -> str:
    return secrets.token_urlsafe(32)


class Subscription(models.Model):
    email = models.EmailField(_("e-mail address"))
    state = models.ForeignKey(
        MemberState, verbose_name=_("member state"), null=True, blank=True, on_delete=models.CASCADE
    )
    instrument = models.ForeignKey(
        Instrument, verbose_name=_("instrument"), null=True, blank=True, on_delete=models.CASCADE
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    confirmed_at = models.DateTimeField(_("confirmed at"))
    sent_through = models.DateTimeField(
        _("digests cover changes until"), help_text=_("The next digest reports the changes made from this moment on.")
    )
    unsubscribe_token = models.CharField(max_length=64, unique=True, default=new_unsubscribe_token, editable=False)

    class Meta:
        verbose_name = _("e-mail alert")
        verbose_name_plural = _("e-mail alerts")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__isnull=True) | Q(instrument__isnull=True),
                name="subscription_to_a_state_or_an_instrument_or_everything",
                violation_error_message=_("Subscribe to a state, to an instrument or to everything, not to both."),
            ),
        ]

    def __str__(self):
        return f"{self.email}: {self.scope_display()}"

    def get_unsubscribe_url(self):
        return reverse("tracker:alert_unsubscribe", kwargs={"token": self.unsubscribe_token})

    def scope_display(self) -> str:
        if self.state_id:
            return str(self.state.display_name(self.language))
        if self.instrument_id:
            return str(self.instrument.display_short_title(self.language))
        return str(_("the whole record"))

    def scope_filter(self) -> dict:
        """``record_changes`` keyword arguments for what this subscription follows."""
        if self.state_id:
            return {"state_ids": [self.state_id]}
        if self.instrument_id:
            return {"instrument_ids": [self.instrument_id]}
        return {}


class Digest(models.Model):
    """One digest for one subscriber, covering the changes from ``since`` to ``through``.

    Written before the message is sent, and unique per subscription and start:
    a second run (or a run after a crash) finds the row and never sends that
    period again. A row left "sending" by a crash is at most once: it is not
    resent, since the message may have left before the crash.
    """

    class State(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        INTERRUPTED = "interrupted", _("Interrupted (not resent)")

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="digests")
    since = models.DateTimeField(_("changes from"))
    through = models.DateTimeField(_("changes until"))
    change_count = models.PositiveIntegerField(_("changes"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.SENDING)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "since"], name="digest_once_per_period"),
        ]

    def __str__(self):
        return f"{self.subscription.email} {self.since:%Y-%m-%d %H:%M} – {self.through:%Y-%m-%d %H:%M}"

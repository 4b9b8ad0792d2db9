"""The subscription form, and the signed confirmation request that stands in for an unconfirmed address."""

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from tracker.forms import member_state_field
from tracker.models import Instrument, MemberState

CONFIRMATION_SALT = "tracker.alerts.confirm"


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    state = member_state_field(empty_label=_("Any"))
    instrument = forms.ModelChoiceField(
        label=_("Instrument"),
        queryset=Instrument.objects.order_by("short_title"),
        to_field_name="slug",
        required=False,
        empty_label=_("Any"),
        help_text=_("Leave both at “Any” to hear of every change to the record."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("state") and cleaned.get("instrument"):
            raise forms.ValidationError(_("Choose a member state or an instrument, not both."))
        return cleaned

    def confirmation_token(self, language: str) -> str:
        """The whole request, signed: the address is stored only when this comes back within the expiry."""
        data = self.cleaned_data
        return signing.dumps(
            {
                "email": data["email"],
                "state": data["state"].pk if data["state"] else None,
                "instrument": data["instrument"].pk if data["instrument"] else None,
                "language": language,
            },
            salt=CONFIRMATION_SALT,
            compress=True,
        )


def read_confirmation(token: str) -> dict | None:
    """The request a confirmation link carries, or None if it is forged, garbled or older than the expiry."""
    try:
        data = signing.loads(token, salt=CONFIRMATION_SALT, max_age=settings.ALERT_CONFIRMATION_MAX_AGE)
    except signing.BadSignature:
        return None
    # A state or instrument removed since the request was made: nothing left to subscribe to.
    if data["state"] and not MemberState.objects.filter(pk=data["state"]).exists():
        return None
    if data["instrument"] and not Instrument.objects.filter(pk=data["instrument"]).exists():
        return None
    return data

"""The two messages alerts send: the confirmation link and the digest, each in the subscriber's language."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext


def confirmation_message(*, email: str, token: str, scope: str, language: str) -> EmailMessage:
    with translation.override(language):
        url = settings.SITE_URL + reverse("tracker:alert_confirm", kwargs={"token": token})
        body = render_to_string(
            "tracker/alerts/confirmation_email.txt",
            {"url": url, "scope": scope, "hours": settings.ALERT_CONFIRMATION_MAX_AGE // 3600},
        )
        return EmailMessage(gettext("Confirm your CSTO tracker alert"), body, to=[email])


def digest_message(subscription, changes, *, since, through) -> EmailMessage:
    with translation.override(subscription.language):
        unsubscribe = settings.SITE_URL + subscription.get_unsubscribe_url()
        body = render_to_string(
            "tracker/alerts/digest_email.txt",
            {
                "subscription": subscription,
                "scope": subscription.scope_display(),
                "changes": changes,
                "since": since,
                "through": through,
                "site_root": settings.SITE_URL,
                "changes_url": settings.SITE_URL + reverse("tracker:changes"),
                "unsubscribe_url": unsubscribe,
            },
        )
        subject = ngettext(
            "CSTO tracker, %(scope)s: %(count)d change", "CSTO tracker, %(scope)s: %(count)d changes", len(changes)
        ) % {
            "count": len(changes),
            "scope": subscription.scope_display(),
        }
    # One-click unsubscribe from the mail client (RFC 8058): a POST to the same address.
    headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return EmailMessage(subject, body, to=[subscription.email], headers=headers)

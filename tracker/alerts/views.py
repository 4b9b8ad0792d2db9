"""Subscribe (double opt-in), confirm and unsubscribe: the only public pages that accept a POST."""

from django.conf import settings
from django.db import transaction
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited

from tracker.alerts.forms import SubscribeForm, read_confirmation
from tracker.alerts.mail import confirmation_message
from tracker.models import Subscription


def _email_key(group, request):
    return request.POST.get("email", "").strip().lower()


def subscribe(request):
    if request.method != "POST":
        # A state's or an instrument's page links here with its slug, to start from that choice.
        initial = {name: request.GET[name] for name in ("state", "instrument") if name in request.GET}
        return render(request, "tracker/alerts/subscribe.html", {"form": SubscribeForm(initial=initial)})
    form = SubscribeForm(request.POST)
    # Count every attempt, valid or not, per client and per address typed in.
    limited = [
        is_ratelimited(request, group="alerts-subscribe-client", key="ip", rate=settings.ALERT_RATE_PER_CLIENT,
                       increment=True),
        is_ratelimited(request, group="alerts-subscribe-email", key=_email_key, rate=settings.ALERT_RATE_PER_EMAIL,
                       increment=True),
    ]  # fmt: skip
    if any(limited):
        return render(request, "tracker/alerts/subscribe.html", {"form": form, "rate_limited": True}, status=429)
    if not form.is_valid():
        return render(request, "tracker/alerts/subscribe.html", {"form": form, "bad_request": True}, status=400)
    data = form.cleaned_data
    requested = Subscription(state=data["state"], instrument=data["instrument"], language=get_language())
    message = confirmation_message(
        email=data["email"],
        token=form.confirmation_token(get_language()),
        scope=requested.scope_display(),
        language=get_language(),
    )
    message.send()
    # The same answer whether or not the address is already subscribed: the page tells no one who is.
    return render(request, "tracker/alerts/subscribe_sent.html", {"email": form.cleaned_data["email"]})


def confirm(request, token):
    """GET shows a button, POST subscribes: a mail scanner that follows links must not confirm for the reader."""
    data = read_confirmation(token)
    if data is None:
        return render(request, "tracker/alerts/confirm.html", {"invalid": True}, status=400)
    if request.method != "POST":
        return render(request, "tracker/alerts/confirm.html", {"email": data["email"]})
    now = timezone.now()
    with transaction.atomic():
        subscription, created = Subscription.objects.get_or_create(
            email=data["email"],
            state_id=data["state"],
            instrument_id=data["instrument"],
            defaults={"language": data["language"], "confirmed_at": now, "sent_through": now},
        )
        if not created and subscription.language != data["language"]:
            subscription.language = data["language"]
            subscription.save(update_fields=["language"])
    return render(request, "tracker/alerts/confirm.html", {"subscription": subscription, "done": True})


# The token is the credential; mail clients' one-click unsubscribe (RFC 8058) posts without a CSRF token.
@csrf_exempt
def unsubscribe(request, token):
    subscription = get_object_or_404(Subscription, unsubscribe_token=token)
    if request.method != "POST":
        return render(request, "tracker/alerts/unsubscribe.html", {"subscription": subscription})
    subscription.delete()
    return render(request, "tracker/alerts/unsubscribe.html", {"done": True})

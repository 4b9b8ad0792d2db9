"""E-mail alerts end to end, against a real SMTP server started for each test (aiosmtpd)."""

import datetime
import email
import io
import re
import socket
import time

import pytest
from aiosmtpd.controller import Controller
from django.core import signing
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.builders import make_event, make_instrument, make_source
from tracker.alerts import digests
from tracker.models import Digest, Event, Subscription

pytestmark = pytest.mark.django_db

SUBSCRIBE = "/alerts/"


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 OK"

    def to(self, address):
        return [message for message in self.messages if message["To"] == address]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_USE_TLS = False
    settings.SITE_URL = "http://testserver"
    inbox.controller = controller
    yield inbox
    controller.stop()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def header(message, name) -> str:
    # The parser keeps the space after the colon of an encoded (non-ASCII) header.
    return str(message[name]).strip()


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message, path_part: str) -> str:
    [url] = re.findall(rf"http://testserver(\S*{path_part}\S*)", body_of(message))
    return url


def subscribe(client, address, prefix="", **scope):
    return client.post(prefix + SUBSCRIBE, {"email": address, **scope})


def confirmed(client, smtp, address, prefix="", **scope) -> Subscription:
    subscribe(client, address, prefix, **scope)
    client.post(link_in(smtp.to(address)[-1], "/alerts/confirm/"))
    return Subscription.objects.get(email=address)


def record_a_ratification(state, *, instrument=None, quote="Belarus ratified the Protocol"):
    instrument = instrument or make_instrument(short_title="Biosecurity Protocol")
    source = make_source(text=f"{quote}.", date=datetime.date(2023, 5, 18))
    return make_event(instrument=instrument, state=state, source=source)


def send() -> str:
    out = io.StringIO()
    call_command("send_alert_digests", stdout=out)
    return out.getvalue()


class TestDoubleOptIn:
    def test_subscribing_sends_a_confirmation_link_and_stores_nothing(self, client, smtp, six_states):
        response = subscribe(client, "clerk@example.org")

        assert response.status_code == 200
        assert "Check your inbox" in response.content.decode()
        [message] = smtp.to("clerk@example.org")
        assert "about the whole record" in body_of(message)
        assert "/alerts/confirm/" in body_of(message)
        assert not Subscription.objects.exists()

    def test_opening_the_link_asks_to_confirm_and_only_the_button_subscribes(self, client, smtp, six_states):
        subscribe(client, "clerk@example.org", state="armenia")
        url = link_in(smtp.to("clerk@example.org")[0], "/alerts/confirm/")

        assert client.get(url).status_code == 200
        assert not Subscription.objects.exists()
        response = client.post(url)

        assert "You are subscribed" in response.content.decode()
        subscription = Subscription.objects.get()
        assert (subscription.email, subscription.state, subscription.language) == (
            "clerk@example.org", six_states["ARM"], "en",
        )  # fmt: skip

    def test_confirming_twice_keeps_one_subscription(self, client, smtp, six_states):
        subscribe(client, "clerk@example.org")
        url = link_in(smtp.to("clerk@example.org")[0], "/alerts/confirm/")
        client.post(url)
        client.post(url)

        assert Subscription.objects.count() == 1

    def test_an_expired_link_is_refused_and_stores_nothing(self, client, smtp, six_states, monkeypatch, settings):
        subscribe(client, "clerk@example.org")
        url = link_in(smtp.to("clerk@example.org")[0], "/alerts/confirm/")
        later = time.time() + settings.ALERT_CONFIRMATION_MAX_AGE + 60
        monkeypatch.setattr(signing.time, "time", lambda: later)

        response = client.post(url)

        assert response.status_code == 400
        assert "expired" in response.content.decode()
        assert not Subscription.objects.exists()

    def test_a_tampered_link_is_refused(self, client, smtp, six_states):
        subscribe(client, "clerk@example.org")
        url = link_in(smtp.to("clerk@example.org")[0], "/alerts/confirm/")

        assert client.get(url.replace("/confirm/", "/confirm/x")).status_code == 400

    @pytest.mark.parametrize(
        "data",
        [{"email": "not an address"}, {"email": "a@example.org", "state": "armenia", "instrument": "agreement-x"}],
    )
    def test_a_bad_request_is_a_400_with_the_reason_and_sends_nothing(self, client, smtp, six_states, data):
        make_instrument(slug="agreement-x")

        response = client.post(SUBSCRIBE, data)

        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()
        assert smtp.messages == []

    def test_the_form_answers_in_russian_and_the_link_leads_to_russian_pages(self, client, smtp, six_states):
        subscribe(client, "clerk@example.org", prefix="/ru")

        [message] = smtp.to("clerk@example.org")
        assert header(message, "Subject") == "Подтвердите подписку на уведомления трекера ОДКБ"
        assert "/ru/alerts/confirm/" in body_of(message)
        client.post(link_in(message, "/alerts/confirm/"))
        assert Subscription.objects.get().language == "ru"

    def test_a_state_page_links_to_the_form_with_that_state_chosen(self, client, six_states):
        page = client.get("/states/armenia/").content.decode()
        assert 'href="/alerts/?state=armenia"' in page

        form = client.get("/alerts/", {"state": "armenia"}).content.decode()

        assert '<option value="armenia" selected>' in form


class TestRateLimits:
    def test_one_address_gets_at_most_three_confirmation_messages_a_day(self, client, smtp, six_states):
        answers = [subscribe(client, "victim@example.org").status_code for _ in range(5)]

        assert answers == [200, 200, 200, 429, 429]
        assert len(smtp.to("victim@example.org")) == 3

    def test_one_client_may_ask_ten_times_an_hour(self, client, smtp, six_states):
        answers = [subscribe(client, f"person{n}@example.org").status_code for n in range(12)]

        assert answers.count(429) == 2
        assert len(smtp.messages) == 10

    def test_an_address_written_in_capitals_counts_as_the_same_address(self, client, smtp, six_states):
        for address in ["victim@example.org", "VICTIM@example.org", "Victim@Example.org"]:
            subscribe(client, address)

        assert subscribe(client, "victim@EXAMPLE.ORG").status_code == 429


class TestDigests:
    def test_a_subscriber_gets_one_digest_with_the_new_event_and_an_unsubscribe_link(self, client, smtp, six_states):
        subscription = confirmed(client, smtp, "clerk@example.org")
        event = record_a_ratification(six_states["BLR"])

        send()

        [digest] = [m for m in smtp.to("clerk@example.org") if "/alerts/confirm/" not in body_of(m)]
        text = body_of(digest)
        assert header(digest, "Subject") == "CSTO tracker, the whole record: 1 change"
        assert "Biosecurity Protocol · Belarus" in text
        assert "Belarus ratified the Protocol" in text
        assert f"http://testserver/events/{event.pk}/" in text
        unsubscribe = f"http://testserver/alerts/unsubscribe/{subscription.unsubscribe_token}/"
        assert unsubscribe in text
        assert header(digest, "List-Unsubscribe") == f"<{unsubscribe}>"
        assert header(digest, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"

    def test_running_the_command_twice_sends_nothing_the_second_time(self, client, smtp, six_states):
        confirmed(client, smtp, "clerk@example.org")
        record_a_ratification(six_states["BLR"])

        send()
        count = len(smtp.messages)
        send()

        assert len(smtp.messages) == count
        assert Digest.objects.filter(state=Digest.State.SENT).count() == 1

    def test_the_next_digest_holds_only_what_changed_since_the_last(self, client, smtp, six_states):
        confirmed(client, smtp, "clerk@example.org")
        record_a_ratification(six_states["BLR"], quote="Belarus ratified the Protocol")
        send()
        record_a_ratification(six_states["ARM"], quote="Armenia ratified the Protocol")
        send()

        last = body_of(smtp.to("clerk@example.org")[-1])
        assert "Armenia ratified the Protocol" in last
        assert "Belarus ratified the Protocol" not in last

    def test_a_subscriber_to_a_state_hears_only_of_that_state(self, client, smtp, six_states):
        confirmed(client, smtp, "armenia@example.org", state="armenia")
        record_a_ratification(six_states["BLR"])
        send()
        assert len(smtp.to("armenia@example.org")) == 1  # the confirmation only

        record_a_ratification(six_states["ARM"], quote="Armenia ratified the Protocol")
        send()
        assert "Armenia ratified the Protocol" in body_of(smtp.to("armenia@example.org")[-1])

    def test_a_correction_is_reported_with_what_changed(self, client, smtp, six_states):
        event = record_a_ratification(six_states["BLR"])
        confirmed(client, smtp, "clerk@example.org")
        event.refresh_from_db()
        event.type = Event.Type.NOTIFIED
        event.save()

        send()

        assert "Corrected:" in body_of(smtp.messages[-1])
        assert "changed: event type" in body_of(smtp.messages[-1])

    def test_the_digest_is_in_the_language_the_subscriber_chose(self, client, smtp, six_states):
        six_states["BLR"].name_ru = "Беларусь"
        six_states["BLR"].save()
        confirmed(client, smtp, "clerk@example.org", prefix="/ru")
        record_a_ratification(six_states["BLR"])

        send()

        digest = smtp.to("clerk@example.org")[-1]
        assert header(digest, "Subject") == "Трекер ОДКБ, все данные трекера: 1 изменение"
        assert "Беларусь" in body_of(digest)
        assert "/ru/alerts/unsubscribe/" in body_of(digest)

    def test_a_crash_mid_run_resends_nothing_already_sent(self, client, smtp, six_states, monkeypatch):
        for name in ["first", "second", "third"]:
            confirmed(client, smtp, f"{name}@example.org")
        record_a_ratification(six_states["BLR"])
        real_send = digests.digest_message

        def crash_on_the_second(subscription, *args, **kwargs):
            if subscription.email == "second@example.org":
                raise KeyboardInterrupt("the server was switched off")
            return real_send(subscription, *args, **kwargs)

        monkeypatch.setattr(digests, "digest_message", crash_on_the_second)
        with pytest.raises(KeyboardInterrupt):
            send()
        monkeypatch.setattr(digests, "digest_message", real_send)
        send()
        send()

        digests_to = {name: len(smtp.to(f"{name}@example.org")) - 1 for name in ["first", "second", "third"]}
        assert digests_to == {"first": 1, "second": 0, "third": 1}
        assert Digest.objects.get(subscription__email="second@example.org").state == Digest.State.INTERRUPTED

    def test_a_message_the_server_refuses_is_sent_on_the_next_run(self, client, smtp, six_states, settings):
        confirmed(client, smtp, "clerk@example.org")
        record_a_ratification(six_states["BLR"])
        port = settings.EMAIL_PORT
        settings.EMAIL_PORT = free_port()  # nothing listens there

        with pytest.raises(CommandError):
            send()
        assert not Digest.objects.exists()
        settings.EMAIL_PORT = port
        send()

        assert len(smtp.to("clerk@example.org")) == 2
        assert Digest.objects.get().state == Digest.State.SENT

    def test_nothing_new_sends_nothing(self, client, smtp, six_states):
        confirmed(client, smtp, "clerk@example.org")

        send()

        assert len(smtp.messages) == 1


class TestUnsubscribe:
    def test_the_link_asks_and_the_button_removes_the_address(self, client, smtp, six_states):
        subscription = confirmed(client, smtp, "clerk@example.org")
        url = subscription.get_unsubscribe_url()

        assert "Stop the alerts" in client.get(url).content.decode()
        assert Subscription.objects.exists()
        client.post(url)

        assert not Subscription.objects.exists()

    def test_a_mail_clients_one_click_post_unsubscribes_without_a_csrf_token(self, smtp, six_states, client):
        subscription = confirmed(client, smtp, "clerk@example.org")
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        response = strict.post(subscription.get_unsubscribe_url(), {"List-Unsubscribe": "One-Click"})

        assert response.status_code == 200
        assert not Subscription.objects.exists()

    def test_an_unknown_token_is_a_404(self, client, six_states):
        assert client.get("/alerts/unsubscribe/nope/").status_code == 404


def test_the_subscription_form_needs_its_csrf_token(six_states, smtp):
    from django.test import Client

    assert Client(enforce_csrf_checks=True).post(SUBSCRIBE, {"email": "a@example.org"}).status_code == 403


def test_digests_cover_up_to_the_moment_the_run_started(client, smtp, six_states):
    subscription = confirmed(client, smtp, "clerk@example.org")
    before = timezone.now()

    send()

    subscription.refresh_from_db()
    assert subscription.sent_through >= before


class TestAdmin:
    def test_a_superuser_sees_subscriptions_and_their_digests_but_cannot_add_one(
        self, admin_client, client, smtp, six_states
    ):
        subscription = confirmed(client, smtp, "clerk@example.org")
        record_a_ratification(six_states["BLR"])
        send()

        page = admin_client.get(f"/admin/tracker/subscription/{subscription.pk}/change/")

        assert page.status_code == 200
        assert "clerk@example.org" in page.content.decode()
        assert admin_client.get("/admin/tracker/subscription/add/").status_code == 403
        assert admin_client.get("/admin/tracker/digest/").status_code == 200

    def test_an_editor_does_not_see_the_addresses(self, client, smtp, six_states, django_user_model):
        from django.contrib.auth.models import Group

        editor = django_user_model.objects.create_user("editor", password="a long passphrase", is_staff=True)
        editor.groups.add(Group.objects.get(name="Editors"))
        staff = type(client)()
        staff.force_login(editor)

        assert staff.get("/admin/tracker/subscription/").status_code == 403

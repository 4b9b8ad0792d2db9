"""Staff sign-in: sessions that end when idle, and the lockout of password guessing (django-axes, tracker.logins)."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db.models import F
from django.utils import timezone

# --- Staff sessions end when idle ---


def test_a_staff_session_expires_after_an_idle_hour_not_two_weeks(client, editor, settings):
    client.force_login(editor)

    assert client.session.get_expiry_age() == 60 * 60 == settings.SESSION_COOKIE_AGE


def test_each_request_renews_the_session_so_only_an_idle_one_expires(client, editor):
    client.force_login(editor)
    fifty_minutes_on = Session.objects.get().expire_date - datetime.timedelta(minutes=50)
    Session.objects.update(expire_date=fifty_minutes_on)

    assert client.get("/admin/").status_code == 200
    assert Session.objects.get().expire_date - fifty_minutes_on > datetime.timedelta(minutes=49)

    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/admin/").status_code == 302


# --- Password guessing on the admin login (django-axes) ---


ADMIN_LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def editor(db):
    return User.objects.create_user("editor", password="correct horse battery", is_staff=True)


def try_login(client, username, password):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password})


def test_staff_member_signs_in_with_the_right_password_before_any_lockout(client, editor):
    try_login(client, "editor", "wrong")

    response = try_login(client, "editor", "correct horse battery")

    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(editor.pk)


def test_repeated_failed_logins_lock_the_account_out_even_with_the_right_password(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert try_login(client, "editor", "guess").status_code == 200
    assert try_login(client, "editor", "guess").status_code == 429

    response = try_login(client, "editor", "correct horse battery")

    assert response.status_code == 429
    assert b"too many login attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_the_failure_limit_is_configurable(client, editor, settings):
    settings.AXES_FAILURE_LIMIT = 2
    try_login(client, "editor", "guess")
    assert try_login(client, "editor", "correct horse battery").status_code == 302
    client.logout()

    try_login(client, "editor", "guess")
    try_login(client, "editor", "guess")

    assert try_login(client, "editor", "correct horse battery").status_code == 429


def test_staff_sign_in_through_the_russian_admin_too(client, editor):
    response = client.post(
        "/ru/admin/login/?next=/ru/admin/", {"username": "editor", "password": "correct horse battery"}
    )

    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(editor.pk)


def test_guesses_spread_over_many_addresses_lock_the_username_out(client, editor):
    # The attack of issue 17: 80 wrong guesses from 20 addresses, then the right password.
    for n in range(80):
        client.post(ADMIN_LOGIN, {"username": "editor", "password": f"guess {n}"}, REMOTE_ADDR=f"198.51.100.{n % 20}")

    response = client.post(
        ADMIN_LOGIN, {"username": "editor", "password": "correct horse battery"}, REMOTE_ADDR="198.51.100.99"
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_stranger_cannot_lock_an_editor_out_of_an_address_they_signed_in_from(client, editor, settings):
    assert try_login(client, "editor", "correct horse battery").status_code == 302
    client.logout()
    for n in range(settings.AXES_FAILURE_LIMIT * 3):
        client.post(ADMIN_LOGIN, {"username": "editor", "password": "guess"}, REMOTE_ADDR=f"198.51.100.{n}")

    assert try_login(client, "editor", "correct horse battery").status_code == 302


def test_guessing_during_a_lockout_does_not_prolong_it(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        try_login(client, "editor", "guess")
    an_hour_ago = timezone.now() - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=-5)
    AccessAttempt.objects.update(attempt_time=an_hour_ago)
    assert try_login(client, "editor", "still guessing").status_code == 429

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=6))

    assert try_login(client, "editor", "correct horse battery").status_code == 302


def test_behind_a_configured_proxy_each_client_is_known_by_the_address_the_proxy_names(client, editor, settings):
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_REAL_IP", "REMOTE_ADDR")
    for n in range(3):
        client.post(ADMIN_LOGIN, {"username": "editor", "password": "guess"}, HTTP_X_REAL_IP=f"198.51.100.{n}")

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {f"198.51.100.{n}" for n in range(3)}

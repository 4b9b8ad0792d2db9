"""Public pages are sent compressed; a page holding a CSRF token never is (tracker/compression.py, BREACH)."""

import gzip

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["tracker:matrix", "tracker:event_list", "tracker:instrument_list"])
def test_a_public_page_is_gzipped_for_a_browser_that_accepts_it(client, six_states, name):
    response = client.get(reverse(name), headers={"accept-encoding": "gzip"})

    assert response["Content-Encoding"] == "gzip"
    assert b"<html" in gzip.decompress(response.content)
    assert "Accept-Encoding" in response["Vary"]


def test_a_page_is_plain_for_a_client_that_does_not_accept_gzip(client, six_states):
    response = client.get(reverse("tracker:matrix"))

    assert not response.has_header("Content-Encoding")


def test_the_admin_login_page_with_its_csrf_token_is_never_compressed(client):
    response = client.get(reverse("admin:login"), headers={"accept-encoding": "gzip"})

    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert not response.has_header("Content-Encoding")


def test_an_admin_page_for_a_signed_in_editor_is_never_compressed(client):
    client.force_login(User.objects.create_superuser("staff", "staff@example.org", "pw-for-tests-only"))

    response = client.get(reverse("admin:index"), headers={"accept-encoding": "gzip"})

    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")

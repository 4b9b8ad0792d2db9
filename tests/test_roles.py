"""Who may write: anonymous visitors reach no admin page, viewers only read, editors delete no state or source."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.builders import record_snapshot
from tracker.models import Instrument

RECORD_MODELS = ["memberstate", "instrument", "sourcedocument", "event"]


def admin_urls(model: str, pk: int) -> list[str]:
    base = f"/admin/tracker/{model}/"
    return [base, f"{base}add/", f"{base}{pk}/change/", f"{base}{pk}/delete/", f"{base}{pk}/history/"]


def member_of(group_name: str) -> User:
    user = User.objects.create_user(f"{group_name.lower()}-user", password="unused", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.mark.parametrize("model", RECORD_MODELS)
def test_anonymous_visitors_are_sent_to_the_login_for_every_admin_page(client, one_of_each, model):
    for url in admin_urls(model, one_of_each[model].pk):
        response = client.get(url)

        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


@pytest.mark.parametrize("model", RECORD_MODELS)
def test_anonymous_visitors_cannot_add_change_or_delete(client, one_of_each, model):
    before = record_snapshot()
    pk = one_of_each[model].pk
    hostile = {"name": "Changed", "title": "Changed", "quote": "Changed", "post": "yes"}

    for url in admin_urls(model, pk)[1:4]:
        response = client.post(url, hostile)

        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url
    assert record_snapshot() == before


def test_anonymous_visitors_cannot_reach_the_import_or_the_proposer(client, one_of_each):
    for url in [
        "/admin/tracker/event/import/",
        "/admin/tracker/event/export/",
        "/admin/tracker/sourcedocument/add-from-text/",
    ]:
        assert client.get(url).status_code == 302, url
        assert client.post(url, {}).status_code == 302, url


@pytest.mark.parametrize("model", RECORD_MODELS)
def test_a_viewer_sees_every_record_but_cannot_change_add_or_delete(client, one_of_each, model):
    client.force_login(member_of("Viewers"))
    pk = one_of_each[model].pk
    base = f"/admin/tracker/{model}/"
    before = record_snapshot()

    assert client.get(base).status_code == 200
    change_page = client.get(f"{base}{pk}/change/")
    assert change_page.status_code == 200
    assert 'name="_save"' not in change_page.content.decode()
    assert client.post(f"{base}{pk}/change/", {"name": "Changed", "title": "Changed"}).status_code == 403
    assert client.post(f"{base}add/", {"name": "New", "title": "New"}).status_code == 403
    assert client.post(f"{base}{pk}/delete/", {"post": "yes"}).status_code == 403
    assert record_snapshot() == before


def test_a_viewer_cannot_import_events(client, one_of_each):
    client.force_login(member_of("Viewers"))
    upload = SimpleUploadedFile("events.csv", b"instrument,state,type,source\n", content_type="text/csv")

    response = client.post("/admin/tracker/event/import/", {"resource": "0", "format": "0", "import_file": upload})

    assert response.status_code == 403


def test_a_viewer_cannot_manage_accounts_or_groups(client, one_of_each):
    client.force_login(member_of("Viewers"))

    assert client.get("/admin/auth/user/").status_code == 403
    assert client.post("/admin/auth/group/add/", {"name": "Sneaky"}).status_code == 403
    assert not Group.objects.filter(name="Sneaky").exists()


def test_an_editor_cannot_delete_a_member_state_or_an_instrument(client, one_of_each):
    client.force_login(member_of("Editors"))

    for model in ["memberstate", "instrument", "sourcedocument"]:
        response = client.post(f"/admin/tracker/{model}/{one_of_each[model].pk}/delete/", {"post": "yes"})

        assert response.status_code == 403, model
    assert Instrument.objects.filter(slug="roles-treaty").exists()

"""Optimistic locking: when two staff members edit the same record, the second save does not overwrite the first."""

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from tests.builders import make_event, make_instrument, make_source
from tracker.models import Event, Instrument, MemberState, SourceDocument, StaleRecordError

STALE_MESSAGE = "Someone else saved this record after you opened it"


@pytest.fixture
def record(six_states):
    instrument = make_instrument(slug="locked-treaty")
    source = make_source(slug="locked-speech")
    event = make_event(instrument=instrument, state=six_states["RUS"], source=source)
    return {"memberstate": six_states["RUS"], "instrument": instrument, "sourcedocument": source, "event": event}


def editor(name: str):
    user = User.objects.create_user(name, password="unused", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


def form_data(response) -> dict:
    """What the browser would post back: every field of the change form and its inlines, as rendered."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        forms.extend(inline.formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else str(value)
    return data


CHANGES = {
    "memberstate": ("official_name", "Russian Federation (edited by {})"),
    "instrument": ("note", "Checked by {}"),
    "sourcedocument": ("speaker", "Speaker as {} read it"),
    "event": ("note", "Checked by {}"),
}


@pytest.mark.parametrize("model", ["memberstate", "instrument", "sourcedocument", "event"])
def test_the_second_of_two_staff_saving_the_same_record_is_told_and_does_not_overwrite(record, model):
    url = f"/admin/tracker/{model}/{record[model].pk}/change/"
    field, text = CHANGES[model]
    anna, boris = editor("anna"), editor("boris")
    annas_page, boriss_page = anna.get(url), boris.get(url)

    annas_save = anna.post(url, form_data(annas_page) | {field: text.format("Anna")})
    boriss_save = boris.post(url, form_data(boriss_page) | {field: text.format("Boris")})

    assert annas_save.status_code == 302
    assert boriss_save.status_code == 200
    assert STALE_MESSAGE in boriss_save.content.decode()
    saved = type(record[model]).objects.get(pk=record[model].pk)
    assert getattr(saved, field) == text.format("Anna")


def test_after_reopening_the_record_the_second_editor_can_save(client, record):
    url = f"/admin/tracker/event/{record['event'].pk}/change/"
    client.force_login(User.objects.create_superuser("anna", password="unused"))
    stale = client.get(url)
    client.post(url, form_data(client.get(url)) | {"note": "First"})
    assert client.post(url, form_data(stale) | {"note": "Second"}).status_code == 200

    response = client.post(url, form_data(client.get(url)) | {"note": "Second"})

    assert response.status_code == 302
    assert Event.objects.get(pk=record["event"].pk).note == "Second"


def test_an_event_changed_on_its_own_page_is_not_overwritten_from_the_source_pages_rows(record):
    event = record["event"]
    source_url = f"/admin/tracker/sourcedocument/{record['sourcedocument'].pk}/change/"
    event_url = f"/admin/tracker/event/{event.pk}/change/"
    anna, boris = editor("anna"), editor("boris")
    source_page = boris.get(source_url)
    anna.post(event_url, form_data(anna.get(event_url)) | {"quote": "The Protocol has been ratified"})
    rows = form_data(source_page)
    prefix = next(key for key, value in rows.items() if key.endswith("-id") and value == str(event.pk))[: -len("id")]

    response = boris.post(source_url, rows | {f"{prefix}quote": "The Protocol has been ratified by the Republic"})

    assert response.status_code == 200
    assert STALE_MESSAGE in response.content.decode()
    assert Event.objects.get(pk=event.pk).quote == "The Protocol has been ratified"


def test_every_save_counts_a_version(record):
    instrument = record["instrument"]
    assert instrument.version == 1

    instrument.note = "one"
    instrument.save()
    instrument.note = "two"
    instrument.save()

    assert Instrument.objects.get(pk=instrument.pk).version == 3 == instrument.version


def test_a_save_from_an_outdated_copy_is_refused_even_when_two_saves_race(record):
    first = SourceDocument.objects.get(pk=record["sourcedocument"].pk)
    second = SourceDocument.objects.get(pk=record["sourcedocument"].pk)
    first.expected_version = second.expected_version = first.version
    first.speaker = "First"
    first.save()

    second.speaker = "Second"
    with pytest.raises(StaleRecordError):
        second.save()

    assert SourceDocument.objects.get(pk=first.pk).speaker == "First"


def test_a_change_made_outside_the_admin_also_makes_an_open_form_outdated(client, record):
    url = f"/admin/tracker/memberstate/{record['memberstate'].pk}/change/"
    client.force_login(User.objects.create_superuser("anna", password="unused"))
    page = client.get(url)
    state = MemberState.objects.get(pk=record["memberstate"].pk)
    state.member_since = datetime.date(1992, 5, 15)
    state.save()

    response = client.post(url, form_data(page) | {"official_name": "Changed"})

    assert STALE_MESSAGE in response.content.decode()
    assert MemberState.objects.get(pk=state.pk).member_since == datetime.date(1992, 5, 15)


def test_an_editor_from_the_editors_group_is_protected_the_same_way(record):
    url = f"/admin/tracker/event/{record['event'].pk}/change/"
    clients = []
    for name in ["anna", "boris"]:
        user = User.objects.create_user(name, password="unused", is_staff=True)
        user.groups.add(Group.objects.get(name="Editors"))
        client = Client()
        client.force_login(user)
        clients.append(client)
    pages = [client.get(url) for client in clients]

    clients[0].post(url, form_data(pages[0]) | {"note": "Anna"})
    response = clients[1].post(url, form_data(pages[1]) | {"note": "Boris"})

    assert STALE_MESSAGE in response.content.decode()
    assert Event.objects.get(pk=record["event"].pk).note == "Anna"


# --- A save that does not say its version, and what a stale one is told (issue 17) ---


@pytest.mark.parametrize("model", ["memberstate", "instrument", "sourcedocument", "event"])
@pytest.mark.parametrize("version", [None, ""])
def test_a_change_posted_without_its_version_is_refused_not_saved_unchecked(record, model, version):
    url = f"/admin/tracker/{model}/{record[model].pk}/change/"
    field, text = CHANGES[model]
    anna = editor("anna")
    data = form_data(anna.get(url)) | {field: text.format("Anna")}
    if version is None:
        del data["version"]
    else:
        data["version"] = version

    response = anna.post(url, data)

    assert response.status_code == 200
    assert "This form does not say which version of the record it changes" in response.content.decode()
    saved = type(record[model]).objects.get(pk=record[model].pk)
    assert getattr(saved, field) != text.format("Anna")


def test_a_stale_save_is_told_which_fields_the_other_editor_changed_and_who(record):
    url = f"/admin/tracker/event/{record['event'].pk}/change/"
    anna, boris = editor("anna"), editor("boris")
    annas_page, boriss_page = anna.get(url), boris.get(url)
    anna.post(url, form_data(annas_page) | {"note": "Checked by Anna", "place": "Minsk"})

    response = boris.post(url, form_data(boriss_page) | {"note": "Checked by Boris"})

    assert "They changed: place, note (anna)." in response.content.decode()

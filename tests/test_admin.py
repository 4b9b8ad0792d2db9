"""Staff editing in the admin (issue 5): roles, validation, fast entry, history, record checks."""

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse

from tests.builders import make_event, make_instrument, make_source
from tracker.models import Event, Instrument, MemberState, SourceDocument

SPEECH = (
    "The Agreement on joint training has been ratified by the Republic of Armenia. "
    "The Republic of Belarus has also completed its internal procedures. "
    "Kazakhstan ratified the Agreement last month."
)
SENTENCES = [
    "The Agreement on joint training has been ratified by the Republic of Armenia.",
    "The Republic of Belarus has also completed its internal procedures.",
    "Kazakhstan ratified the Agreement last month.",
]
MODELS = ["event", "instrument", "sourcedocument", "memberstate"]


@pytest.fixture
def record(six_states):
    instrument = make_instrument(
        title="Agreement on joint training", short_title="Training Agreement", slug="training", eif_rule="all_parties"
    )
    source = make_source(
        title="Speech at the Council", slug="council-speech", date=datetime.date(2024, 5, 20), text=SPEECH
    )
    event = make_event(instrument=instrument, state=six_states["ARM"], source=source, quote=SENTENCES[0])
    return {"states": six_states, "instrument": instrument, "source": source, "event": event}


def make_staff(username, group=None, **fields):
    user = User.objects.create_user(username, password="a-long-test-password", is_staff=True, **fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def superuser(db):
    return make_staff("root", is_superuser=True)


@pytest.fixture
def editor(db):
    return make_staff("editor", "Editors")


@pytest.fixture
def viewer(db):
    return make_staff("viewer", "Viewers")


def change_url(obj):
    return reverse(f"admin:tracker_{obj._meta.model_name}_change", args=[obj.pk])


def objects_of(record):
    return {
        "event": record["event"],
        "instrument": record["instrument"],
        "sourcedocument": record["source"],
        "memberstate": record["states"]["ARM"],
    }


def event_form_data(record, **overrides):
    data = {
        "instrument": record["instrument"].pk,
        "state": record["states"]["BLR"].pk,
        "type": "ratified",
        "date": "2024-05-20",
        "precision": "on_or_before",
        "source": record["source"].pk,
        "quote": SENTENCES[1],
        "place": "",
        "note": "",
    }
    return data | overrides


def source_form_data(source, events=(), initial_forms=0):
    """The source change form's POST data, with ``events`` as rows of its events inline."""
    data = {
        "title": source.title,
        "slug": source.slug,
        "kind": source.kind,
        "date": source.date.isoformat(),
        "speaker": source.speaker,
        "place": source.place,
        "url": source.url,
        "text": source.text,
        "version": source.version,
        "events-TOTAL_FORMS": str(len(events)),
        "events-INITIAL_FORMS": str(initial_forms),
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(events):
        for name, value in row.items():
            data[f"events-{n}-{name}"] = value
    return data


# Roles ------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["superuser", "editor", "viewer"])
@pytest.mark.parametrize("model_name", MODELS)
def test_every_changelist_and_change_form_opens_for_every_role(request, record, role, model_name):
    client = request.getfixturevalue("client")
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse(f"admin:tracker_{model_name}_changelist")).status_code == 200
    assert client.get(change_url(objects_of(record)[model_name])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model_name", ["event", "instrument", "sourcedocument"])
def test_editors_may_add_events_sources_and_instruments(client, editor, record, model_name):
    client.force_login(editor)
    assert client.get(reverse(f"admin:tracker_{model_name}_add")).status_code == 200


def test_editors_may_delete_events_but_not_sources_instruments_or_states(client, editor, record):
    client.force_login(editor)
    assert client.get(reverse("admin:tracker_event_delete", args=[record["event"].pk])).status_code == 200
    for model_name, obj in objects_of(record).items():
        if model_name != "event":
            assert client.get(reverse(f"admin:tracker_{model_name}_delete", args=[obj.pk])).status_code == 403
    assert client.get(reverse("admin:tracker_memberstate_add")).status_code == 403


def test_a_viewer_can_neither_add_nor_save_a_change(client, viewer, record):
    client.force_login(viewer)
    assert client.get(reverse("admin:tracker_event_add")).status_code == 403
    response = client.post(change_url(record["event"]), event_form_data(record, state=record["states"]["ARM"].pk))
    assert response.status_code == 403
    assert client.post(reverse("admin:tracker_event_add"), event_form_data(record)).status_code == 403
    assert Event.objects.count() == 1


def test_a_viewer_cannot_revert_an_event_to_an_earlier_version(client, viewer, record):
    event = record["event"]
    event.note = "changed"
    event.save()
    first = event.history.earliest()
    client.force_login(viewer)
    url = reverse("admin:tracker_event_simple_history", args=[event.pk, first.history_id])
    assert client.get(url).status_code == 200
    response = client.post(url, event_form_data(record, state=record["states"]["ARM"].pk, quote=SENTENCES[0]))
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.note == "changed"


@pytest.mark.django_db
@pytest.mark.parametrize("model_name", MODELS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, model_name):
    response = client.get(reverse(f"admin:tracker_{model_name}_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_groups_give_editors_no_delete_on_sources_and_viewers_only_view(db):
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    viewers = set(Group.objects.get(name="Viewers").permissions.values_list("codename", flat=True))
    assert {"add_event", "change_event", "delete_event", "add_sourcedocument", "change_instrument"} <= editors
    assert not {"delete_sourcedocument", "delete_instrument", "change_memberstate"} & editors
    assert viewers == {"view_event", "view_instrument", "view_sourcedocument", "view_memberstate"}


def test_the_first_superuser_is_created_from_environment_variables(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "secretariat")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-deployment-password")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "secretariat@example.org")
    call_command("createsuperuser", interactive=False, verbosity=0)
    user = User.objects.get(username="secretariat")
    assert user.is_superuser and user.is_staff
    assert user.check_password("a-long-deployment-password")


# Validation -------------------------------------------------------------------------------------


def add_event(client, record, **overrides):
    return client.post(reverse("admin:tracker_event_add"), event_form_data(record, **overrides))


def test_a_quote_not_in_the_source_text_is_refused_on_the_quote_field(client, editor, record):
    client.force_login(editor)
    response = add_event(client, record, quote="Belarus ratified everything.")
    assert response.status_code == 200
    assert "This quote does not appear in the source" in str(response.context["adminform"].form.errors["quote"])
    assert Event.objects.count() == 1


def test_ticking_paraphrase_lets_a_quote_not_in_the_text_through(client, editor, record):
    client.force_login(editor)
    response = add_event(client, record, quote="Belarus has ratified.", is_paraphrase="on")
    assert response.status_code == 302
    assert Event.objects.get(state=record["states"]["BLR"]).is_paraphrase


def test_a_date_that_does_not_exist_is_refused(client, editor, record):
    client.force_login(editor)
    response = add_event(client, record, date="2024-02-30")
    assert response.context["adminform"].form.errors["date"] == ["Enter a valid date."]


def test_an_event_dated_after_its_source_is_refused(client, editor, record):
    client.force_login(editor)
    response = add_event(client, record, date="2024-06-01", precision="day")
    assert "a source cannot report the future" in str(response.context["adminform"].form.errors["date"])


def test_a_month_precision_date_that_is_not_the_first_of_the_month_is_refused(client, editor, record):
    client.force_login(editor)
    response = add_event(client, record, date="2024-04-15", precision="month")
    assert "first day of the month" in str(response.context["adminform"].form.errors["date"])


def test_a_year_precision_date_that_is_not_the_first_of_january_is_refused(client, editor, record):
    client.force_login(editor)
    response = add_event(client, record, date="2023-03-01", precision="year")
    assert "1 January" in str(response.context["adminform"].form.errors["date"])


def test_a_duplicate_event_gets_a_message_instead_of_a_server_error(client, editor, record):
    client.force_login(editor)
    response = add_event(client, record, state=record["states"]["ARM"].pk, quote=SENTENCES[0])
    assert response.status_code == 200
    assert "This source already records this step for this state" in response.content.decode()
    assert Event.objects.count() == 1


def test_a_source_dated_in_the_future_is_refused(client, editor, record):
    client.force_login(editor)
    source = record["source"]
    source.date = datetime.date.today() + datetime.timedelta(days=2)
    response = client.post(change_url(source), source_form_data(source))
    assert "A source cannot be dated in the future." in response.context["adminform"].form.errors["date"]


# Fast data entry --------------------------------------------------------------------------------


def test_three_ratifications_are_recorded_from_the_source_page_with_only_state_instrument_and_quote(
    client, editor, record
):
    client.force_login(editor)
    source, states, instrument = record["source"], record["states"], record["instrument"]
    page = client.get(change_url(source))
    inline_form = page.context["inline_admin_formsets"][0].formset.forms[1]
    assert inline_form["type"].value() == "ratified"
    assert inline_form["precision"].value() == "on_or_before"

    rows = [
        {"instrument": instrument.pk, "state": states[iso3].pk, "type": "ratified", "precision": "on_or_before"}
        | {"date": "", "quote": quote}
        for iso3, quote in [("BLR", SENTENCES[1]), ("KAZ", SENTENCES[2]), ("KGZ", "Kazakhstan ratified the Agreement")]
    ]
    response = client.post(change_url(source), source_form_data(source, rows))

    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    added = Event.objects.filter(source=source).exclude(state=states["ARM"])
    assert sorted(event.state.iso3 for event in added) == ["BLR", "KAZ", "KGZ"]
    assert {(event.date, event.precision, event.type) for event in added} == {(source.date, "on_or_before", "ratified")}


def test_a_bad_quote_in_one_row_of_the_source_page_saves_none_of_the_rows(client, editor, record):
    client.force_login(editor)
    source, states, instrument = record["source"], record["states"], record["instrument"]
    rows = [
        {"instrument": instrument.pk, "state": states["BLR"].pk, "type": "ratified", "precision": "on_or_before"}
        | {"quote": SENTENCES[1]},
        {"instrument": instrument.pk, "state": states["KAZ"].pk, "type": "ratified", "precision": "on_or_before"}
        | {"quote": "Kazakhstan ratified it in March."},
    ]
    response = client.post(change_url(source), source_form_data(source, rows))
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert "This quote does not appear in the source" in str(errors[1]["quote"])
    assert Event.objects.count() == 1


def test_two_equal_rows_on_the_source_page_get_a_message_instead_of_a_server_error(client, editor, record):
    client.force_login(editor)
    source, states, instrument = record["source"], record["states"], record["instrument"]
    row = {"instrument": instrument.pk, "state": states["BLR"].pk, "type": "ratified", "precision": "on_or_before"}
    response = client.post(change_url(source), source_form_data(source, [row | {"quote": SENTENCES[1]}] * 2))
    assert response.status_code == 200
    assert "This row repeats another row of this form." in response.content.decode()
    assert Event.objects.count() == 1


def test_saving_a_new_source_leads_straight_to_its_event_rows(client, editor, db):
    client.force_login(editor)
    data = source_form_data(
        SourceDocument(
            title="New speech", slug="new-speech", kind="speech", date=datetime.date(2024, 1, 10), text=SPEECH
        )
    )
    response = client.post(reverse("admin:tracker_sourcedocument_add"), data)
    source = SourceDocument.objects.get(slug="new-speech")
    assert response.status_code == 302
    assert response["Location"] == change_url(source)
    assert client.get(response["Location"]).context["inline_admin_formsets"]


# History ----------------------------------------------------------------------------------------


def test_an_edit_in_the_admin_is_recorded_with_who_made_it_and_what_it_was_before(client, editor, record):
    client.force_login(editor)
    event = record["event"]
    data = event_form_data(record, state=record["states"]["ARM"].pk, quote=SENTENCES[0], note="Checked by phone.")
    data["version"] = event.version
    assert client.post(change_url(event), data).status_code == 302

    latest, before = event.history.all()[:2]
    assert latest.history_user == editor
    assert latest.note == "Checked by phone."
    assert before.note == ""
    assert [change.field for change in latest.diff_against(before).changes] == ["note"]
    page = client.get(reverse("admin:tracker_event_history", args=[event.pk]))
    assert "editor" in page.content.decode()


def test_reverting_to_an_earlier_version_restores_it(client, editor, record):
    client.force_login(editor)
    event = record["event"]
    client.post(
        change_url(event),
        event_form_data(record, state=record["states"]["ARM"].pk, quote=SENTENCES[0], note="x", version=event.version),
    )
    original = event.history.earliest()

    url = reverse("admin:tracker_event_simple_history", args=[event.pk, original.history_id])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    assert client.post(url, data).status_code == 302

    event.refresh_from_db()
    assert event.note == ""
    assert event.history.first().history_user == editor


# Record checks, status, links -------------------------------------------------------------------


def test_the_event_page_and_list_warn_about_a_ratification_dated_before_the_signature(client, editor, record):
    signature_source = make_source(slug="signing", date=datetime.date(2024, 3, 1), text="It was signed on 1 March.")
    make_event(
        instrument=record["instrument"],
        source=signature_source,
        type="signed",
        date=datetime.date(2024, 3, 1),
        precision="day",
        quote="It was signed on 1 March.",
    )
    early = make_event(
        instrument=record["instrument"],
        state=record["states"]["KAZ"],
        source=record["source"],
        date=datetime.date(2024, 1, 1),
        precision="month",
        quote=SENTENCES[2],
    )
    client.force_login(editor)
    assert "before the instrument&#x27;s signature" in client.get(change_url(early)).content.decode()

    flagged = client.get(reverse("admin:tracker_event_changelist"), {"check": "problems"})
    assert list(flagged.context["cl"].result_list) == [early]
    assert "before the instrument&#x27;s signature" in flagged.content.decode()
    clean = client.get(reverse("admin:tracker_event_changelist"), {"check": "clean"})
    assert early not in clean.context["cl"].result_list


def test_saving_a_doubtful_event_warns_at_once(client, editor, record):
    make_event(
        instrument=record["instrument"],
        source=make_source(slug="signing", date=datetime.date(2024, 3, 1), text="Signed on 1 March."),
        type="signed",
        date=datetime.date(2024, 3, 1),
        precision="day",
        quote="Signed on 1 March.",
    )
    client.force_login(editor)
    response = add_event(client, record, date="2024-01-01", precision="month")
    assert response.status_code == 302
    shown = [str(message) for message in client.get(response["Location"]).context["messages"]]
    assert any("before the instrument's signature" in message for message in shown)


def test_the_instrument_page_shows_each_states_status_today_and_what_entry_into_force_waits_for(client, editor, record):
    client.force_login(editor)
    page = client.get(change_url(record["instrument"])).content.decode()
    assert "by 20 May 2024" in page
    assert "Ratified" in page
    assert "5 more ratifications needed" in page
    assert page.count("No record") == 5


def test_each_admin_page_links_to_its_public_page(client, editor, record):
    client.force_login(editor)
    for obj in objects_of(record).values():
        page = client.get(change_url(obj)).content.decode()
        assert "View on site" in page
        link = reverse("admin:view_on_site", args=[_content_type_id(obj), obj.pk])
        assert link in page
        assert client.get(link)["Location"].endswith(obj.get_absolute_url())


def _content_type_id(obj):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


def test_autocomplete_finds_instruments_and_states_by_name(client, editor, record):
    client.force_login(editor)
    url = reverse("admin:autocomplete")
    found = client.get(
        url, {"term": "train", "app_label": "tracker", "model_name": "event", "field_name": "instrument"}
    )
    assert [item["text"] for item in found.json()["results"]] == [str(record["instrument"])]
    found = client.get(url, {"term": "bela", "app_label": "tracker", "model_name": "event", "field_name": "state"})
    assert [item["text"] for item in found.json()["results"]] == ["Belarus"]


def test_an_instrument_and_a_state_keep_their_own_history(db):
    instrument = make_instrument()
    instrument.note = "Amended text"
    instrument.save()
    assert instrument.history.count() == 2
    state = MemberState.objects.create(name="Testland", official_name="Republic of Testland", iso3="TST", slug="t")
    assert state.history.count() == 1
    assert Instrument.history.model.__name__ == "HistoricalInstrument"


def test_the_loaded_record_starts_with_a_first_version_of_every_row_so_a_first_edit_can_be_undone(db):
    call_command("load_record", verbosity=0)
    for model in (MemberState, SourceDocument, Instrument, Event):
        assert model.history.count() == model.objects.count() > 0
    event = Event.objects.first()
    assert event.history.get().history_change_reason == "Loaded from fixtures/"


def test_save_and_add_another_keeps_the_source_instrument_and_type_for_the_next_state(client, editor, record):
    client.force_login(editor)
    response = add_event(client, record, type="ratification_pending", _addanother="1")
    assert response.status_code == 302
    form = client.get(response["Location"]).context["adminform"].form
    assert form["source"].value() == str(record["source"].pk)
    assert form["instrument"].value() == str(record["instrument"].pk)
    assert form["type"].value() == "ratification_pending"
    assert form["state"].value() is None


def test_a_membership_ending_before_it_starts_is_refused_with_a_message(client, superuser, record):
    client.force_login(superuser)
    state = record["states"]["ARM"]
    data = {"name": state.name, "official_name": state.official_name, "iso3": state.iso3, "slug": state.slug}
    response = client.post(change_url(state), data | {"member_since": "2002-10-07", "member_until": "1999-04-02"})
    assert response.status_code == 200
    assert "Membership cannot end before it starts." in response.content.decode()


@pytest.mark.parametrize("model_name", ["event", "sourcedocument", "instrument", "memberstate"])
def test_a_search_of_a_thousand_words_gets_a_message_not_a_database_error(client, editor, record, model_name):
    client.force_login(editor)
    words = " ".join(f"word{n}" for n in range(1000))

    response = client.get(reverse(f"admin:tracker_{model_name}_changelist"), {"q": words})

    assert response.status_code == 200
    assert "This search is too long: at most 20 words and 500 characters." in response.content.decode()


def test_a_search_of_a_few_words_still_finds_the_record(client, editor, record):
    client.force_login(editor)

    response = client.get(reverse("admin:tracker_instrument_changelist"), {"q": "joint training"})

    assert "Training Agreement" in response.content.decode()

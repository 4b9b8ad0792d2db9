import datetime
import io
import json

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.builders import make_event, make_instrument, make_six_states, make_source
from tracker.models import Event, Instrument, InstrumentAlias, SourceDocument, StateActor, quote_appears_in
from tracker.proposal_views import highlight
from tracker.proposals import (
    MAX_TEXT_LENGTH,
    NEW_INSTRUMENT,
    Mention,
    TextTooLong,
    detect_language,
    propose_events,
    split_sentences,
)
from tracker.proposals.language import LONGEST_PIECE
from tracker.status import status_matrix

SPEECH_DAY = datetime.date(2023, 5, 18)
RATIFIED, PENDING = Event.Type.RATIFIED, Event.Type.RATIFICATION_PENDING


# How the seed speeches name the states beyond their short and official names (fixtures/state_actors.json has more).
ADJECTIVES = {
    "ARM": "Armenian",
    "BLR": "Belarusian",
    "KAZ": "Kazakh",
    "KGZ": "Kyrgyz",
    "RUS": "Russian",
    "TJK": "Tajik",
}


@pytest.fixture
def six_states(db):
    states = make_six_states()
    for iso3, adjective in ADJECTIVES.items():
        StateActor.objects.create(state=states[iso3], kind=StateActor.Kind.NAME, name=adjective, language="en")
    return states


@pytest.fixture
def instruments(db):
    peacekeeping = make_instrument(
        title="Agreement on the CSTO Peacekeeping Activities",
        short_title="Peacekeeping Agreement",
        aliases="CSTO Peacekeeping Agreement",
    )
    return {
        "peacekeeping": peacekeeping,
        "protocol": make_instrument(
            title="Protocol amending the Agreement on the CSTO Peacekeeping Activities",
            short_title="Peacekeeping Protocol",
            kind=Instrument.Kind.PROTOCOL,
            part_of=peacekeeping,
            aliases="Protocol amending the CSTO Peacekeeping Agreement",
        ),
        "logistics": make_instrument(
            title="Agreement on joint logistical and medical support for the CSTO Troops",
            short_title="Logistics Agreement",
        ),
        "biosafety": make_instrument(
            title="Fourth Protocol on Amendments to the Charter of the Collective Security Treaty Organization",
            short_title="Fourth Protocol",
            kind=Instrument.Kind.PROTOCOL,
            aliases="Fourth Protocol amending the Charter (on biosafety)\nFourth Protocol (on biosecurity)",
        ),
        "treaty": make_instrument(title="Collective Security Treaty", short_title="CST", kind=Instrument.Kind.TREATY),
        "charter": make_instrument(
            title="Charter of the Collective Security Treaty Organization", short_title="CSTO Charter"
        ),
        "decision": make_instrument(
            title="Decision on measures to develop a crisis response system",
            short_title="Crisis response decision",
            kind=Instrument.Kind.DECISION,
            needs_ratification=False,
        ),
    }


def read(text, day=SPEECH_DAY, **kwargs):
    return propose_events(text, date=day, **kwargs)


def pairs(proposals, event_type=None):
    """(instrument short title, state ISO code or None, type, inferred) for each proposal."""
    return {
        (p.instrument.short_title, p.state.iso3 if p.state else None, p.type, p.inferred)
        for p in proposals
        if event_type is None or p.type == event_type
    }


# Sentence patterns from the seed speeches ------------------------------------------------------


def test_the_protocol_is_ratified_by_each_state_in_the_list_and_it_refers_back_to_the_last_named_instrument(
    six_states, instruments
):
    text = (
        "The primary task is the speedy entry into force of the Protocol amending the CSTO Peacekeeping Agreement. "
        "This document provides for a coordinating state. The Protocol has been ratified by the Republic of Belarus, "
        "the Russian Federation, the Kyrgyz Republic, and the Republic of Tajikistan."
    )
    assert pairs(read(text)) == {
        ("Peacekeeping Protocol", iso3, RATIFIED, False) for iso3 in ("BLR", "RUS", "KGZ", "TJK")
    }


def test_a_request_to_named_parliaments_to_complete_ratification_makes_them_pending(six_states, instruments):
    text = (
        "The Protocol amending the CSTO Peacekeeping Agreement has been ratified by the Republic of Belarus.\n"
        "In this regard, I request the parliamentarians of the Republic of Armenia and the Republic of Kazakhstan "
        "to provide assistance in completing national ratification procedures as soon as possible."
    )
    assert pairs(read(text), PENDING) == {
        ("Peacekeeping Protocol", "ARM", PENDING, False),
        ("Peacekeeping Protocol", "KAZ", PENDING, False),
    }


def test_a_bulleted_list_gives_each_instrument_the_status_in_its_own_parentheses(six_states, instruments):
    text = (
        "Dear parliamentarians,\n"
        "- Agreement on joint logistical and medical support for the CSTO Troops (ratified by the Republic of "
        "Belarus, the Kyrgyz Republic, and the Republic of Tajikistan);\n"
        "- Fourth Protocol on Amendments to the Charter of the Collective Security Treaty Organization "
        "(on biosecurity) (ratified by the Republic of Belarus).\n"
        "I would ask for your assistance in completing the ratification procedures for all these international "
        "instruments as soon as possible."
    )
    proposals = read(text)
    assert pairs(proposals, RATIFIED) == {
        ("Logistics Agreement", "BLR", RATIFIED, False),
        ("Logistics Agreement", "KGZ", RATIFIED, False),
        ("Logistics Agreement", "TJK", RATIFIED, False),
        ("Fourth Protocol", "BLR", RATIFIED, False),
    }
    # "All these instruments": pending for every member not named as having ratified, as an inference.
    assert pairs(proposals, PENDING) == {
        ("Logistics Agreement", iso3, PENDING, True) for iso3 in ("ARM", "KAZ", "RUS")
    } | {("Fourth Protocol", iso3, PENDING, True) for iso3 in ("ARM", "KAZ", "KGZ", "RUS", "TJK")}


def test_not_ratified_by_two_states_makes_them_pending_and_the_other_members_ratified_by_inference(
    six_states, instruments
):
    text = (
        "- Agreement on joint logistical and medical support for the CSTO Troops "
        "(not ratified by the Republic of Armenia and the Republic of Kazakhstan);"
    )
    proposals = read(text)
    assert pairs(proposals, PENDING) == {
        ("Logistics Agreement", "ARM", PENDING, False),
        ("Logistics Agreement", "KAZ", PENDING, False),
    }
    assert pairs(proposals, RATIFIED) == {
        ("Logistics Agreement", iso3, RATIFIED, True) for iso3 in ("BLR", "KGZ", "RUS", "TJK")
    }


def test_consideration_continuing_in_parliament_points_forward_to_the_document_named_next(six_states, instruments):
    text = (
        "At the same time, another document, the consideration of which at the parliamentary level is continuing, "
        "is of great importance.\n"
        "This is the Fourth Protocol amending the Charter of the Collective Security Treaty Organization "
        "(on biosafety)."
    )
    assert pairs(read(text)) == {("Fourth Protocol", iso3, PENDING, True) for iso3 in six_states}


def test_ratification_completed_last_year_is_dated_to_that_year_for_every_member(six_states, instruments):
    text = "Last year, under the Tajik chairmanship, ratification procedures for the CSTO Charter were completed."
    proposals = read(text, day=datetime.date(2022, 5, 16))
    assert pairs(proposals, RATIFIED) == {("CSTO Charter", iso3, RATIFIED, True) for iso3 in six_states}
    assert {(p.date, p.precision) for p in proposals} == {(datetime.date(2021, 1, 1), Event.Precision.YEAR)}


def test_thanks_for_ratifying_a_list_covers_every_member_unless_the_record_already_shows_them_ratified(
    six_states, instruments
):
    text = (
        "Thank you for your work in ratifying important international treaties such as:\n"
        "- Protocol amending the Agreement on the CSTO Peacekeeping Activities;\n"
        "- Agreement on joint logistical and medical support for the CSTO troops."
    )
    day = datetime.date(2023, 12, 19)
    assert pairs(read(text, day=day)) == {
        (short, iso3, RATIFIED, True)
        for short in ("Peacekeeping Protocol", "Logistics Agreement")
        for iso3 in six_states
    }
    earlier = make_source(date=SPEECH_DAY, text="The Protocol has been ratified by Belarus.")
    make_event(instrument=instruments["protocol"], state=six_states["BLR"], source=earlier, quote=earlier.text)

    with_record = read(text, day=day, record=status_matrix(as_of=day))

    assert ("Peacekeeping Protocol", "BLR", RATIFIED, True) not in pairs(with_record)
    assert ("Logistics Agreement", "BLR", RATIFIED, True) in pairs(with_record)


def test_a_dated_entry_into_force_is_an_instrument_event_on_that_day(six_states, instruments):
    proposals = read("On September 18, 2003, the CSTO Charter entered into force.", day=datetime.date(2022, 5, 16))
    assert [(p.instrument, p.state, p.type, p.date, p.precision) for p in proposals] == [
        (instruments["charter"], None, Event.Type.IN_FORCE, datetime.date(2003, 9, 18), Event.Precision.DAY)
    ]


def test_a_council_decision_signed_or_adopted_is_adopted_and_a_treaty_is_never_adopted_by_the_word_alone(
    six_states, instruments
):
    text = (
        "Today the Decision on measures to develop a crisis response system was signed by the Council. "
        "The Charter of the Collective Security Treaty Organization was adopted long ago."
    )
    assert pairs(read(text)) == {("Crisis response decision", None, Event.Type.ADOPTED, False)}


# Tricky cases ------------------------------------------------------------------------------------


def test_a_list_joined_by_and_without_commas_names_both_states(six_states, instruments):
    proposals = read("The Logistics Agreement has been ratified by Armenia and Belarus.")
    assert pairs(proposals) == {
        ("Logistics Agreement", "ARM", RATIFIED, False),
        ("Logistics Agreement", "BLR", RATIFIED, False),
    }


def test_states_before_the_verb_and_adjectives_count_as_names(six_states, instruments):
    proposals = read("The Kyrgyz side and Kazakhstan have ratified the Fourth Protocol (on biosecurity).")
    assert pairs(proposals) == {
        ("Fourth Protocol", "KGZ", RATIFIED, False),
        ("Fourth Protocol", "KAZ", RATIFIED, False),
    }


def test_has_not_ratified_is_pending_never_ratified(six_states, instruments):
    proposals = read("Armenia has not yet ratified the Protocol amending the CSTO Peacekeeping Agreement.")
    assert ("Peacekeeping Protocol", "ARM", PENDING, False) in pairs(proposals)
    assert not any(p.state and p.state.iso3 == "ARM" and p.type == RATIFIED for p in proposals)


def test_a_state_named_twice_is_proposed_once(six_states, instruments):
    proposals = read("The Logistics Agreement has been ratified by Belarus, and by the Republic of Belarus.")
    assert [(p.state.iso3, p.type) for p in proposals] == [("BLR", RATIFIED)]


def test_an_instrument_named_by_its_alias_is_found(six_states, instruments):
    proposals = read("The Fourth Protocol amending the Charter (on biosafety) has been ratified by Russia.")
    assert pairs(proposals) == {("Fourth Protocol", "RUS", RATIFIED, False)}


def test_all_member_states_except_one_makes_that_one_pending(six_states, instruments):
    proposals = read("The Logistics Agreement has been ratified by all member states except Armenia.")
    assert pairs(proposals, PENDING) == {("Logistics Agreement", "ARM", PENDING, True)}
    assert {p.state.iso3 for p in proposals if p.type == RATIFIED} == {"BLR", "KAZ", "KGZ", "RUS", "TJK"}


def test_the_treaty_inside_the_organisations_name_is_not_a_mention_of_the_treaty(six_states, instruments):
    proposals = read("The Collective Security Treaty Organization was ratified by Armenia.")
    assert not [p for p in proposals if p.instrument == instruments["treaty"]]


def test_an_unknown_instrument_like_title_is_offered_as_a_new_instrument(six_states, instruments):
    proposals = read("The Agreement on cooperation in the field of space exploration was signed by Belarus and Russia.")
    assert [(p.type, p.new_title, p.instrument) for p in proposals] == [
        (NEW_INSTRUMENT, "Agreement on cooperation in the field of space exploration", None)
    ]


def test_a_sentence_without_status_wording_proposes_nothing(six_states, instruments):
    assert read("The Belarusian side presented the Logistics Agreement and the Fourth Protocol at length.") == []


def test_every_quote_is_an_exact_piece_of_the_text_and_dated_on_or_before_the_speech(six_states, instruments):
    text = (
        "Dear colleagues,\n\n  The Protocol amending the CSTO Peacekeeping Agreement   has been ratified by Armenia.\n"
        "- Agreement on joint logistical and medical support for the CSTO Troops (ratified by Russia);"
    )
    proposals = read(text)
    assert len(proposals) == 2
    for proposal in proposals:
        assert quote_appears_in(proposal.sentence, text)
        assert (proposal.date, proposal.precision) == (SPEECH_DAY, Event.Precision.ON_OR_BEFORE)


def test_sentences_end_at_line_breaks_and_full_stops():
    text = "First sentence. Second one.\n- A bullet without a stop\nLast"
    assert split_sentences(text) == ["First sentence.", "Second one.", "- A bullet without a stop", "Last"]


def test_highlighting_escapes_the_sentence_and_marks_only_the_matched_words():
    assert highlight("<b>Belarus</b> & co", [Mention(3, 10)]) == "&lt;b&gt;<mark>Belarus</mark>&lt;/b&gt; &amp; co"
    assert highlight("short", [Mention(2, 40)]) == "short"


# The admin's "Add source from text" --------------------------------------------------------------

SPEECH = (
    "The Protocol amending the CSTO Peacekeeping Agreement has been ratified by the Republic of Belarus "
    "and the Russian Federation.\n"
    "The <Kyrgyz> side noted the Logistics Agreement."
)


def source_fields(**overrides):
    return {
        "title": "Statement at the PA Council",
        "kind": SourceDocument.Kind.SPEECH,
        "date": "2023-05-18",
        "speaker": "Secretary General",
        "place": "Minsk",
        "url": "",
        "text": SPEECH,
    } | overrides


def review_rows(response):
    """The POST data of the review page's rows as the page offers them, all ticked as proposed."""
    formset = response.context["formset"]
    data = {
        "proposals-TOTAL_FORMS": str(formset.total_form_count()),
        "proposals-INITIAL_FORMS": "0",
        "proposals-MIN_NUM_FORMS": "0",
        "proposals-MAX_NUM_FORMS": "1000",
    }
    for index, form in enumerate(formset.forms):
        for name, value in form.initial.items():
            if value is None or value is False:
                continue
            key = f"proposals-{index}-{name}"
            data[key] = value.pk if hasattr(value, "pk") else ("on" if value is True else str(value))
    return data


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("chief", "chief@example.org", "pw")


@pytest.fixture
def url():
    return reverse("propose_events")


def test_the_sources_changelist_offers_add_source_from_text(client, superuser, url):
    client.force_login(superuser)
    response = client.get(reverse("admin:tracker_sourcedocument_changelist"))
    assert response.status_code == 200
    assert url in response.content.decode()


def test_proposing_shows_escaped_highlighted_sentences_and_writes_nothing(
    client, superuser, url, six_states, instruments
):
    client.force_login(superuser)
    response = client.post(url, source_fields(propose="1"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<mark>Republic of Belarus</mark>" in page
    assert "<mark>Protocol amending the CSTO Peacekeeping Agreement</mark>" in page
    assert len(response.context["formset"].forms) == 2
    assert SourceDocument.objects.count() == 0 and Event.objects.count() == 0


def test_saving_creates_the_source_and_only_the_ticked_events(client, superuser, url, six_states, instruments):
    client.force_login(superuser)
    review = client.post(url, source_fields(propose="1"))
    rows = review_rows(review)
    del rows["proposals-1-selected"]  # staff untick the Russian Federation
    rows["proposals-0-inferred"] = "on"  # and correct a field

    response = client.post(url, source_fields(save="1") | rows)

    source = SourceDocument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:tracker_sourcedocument_change", args=[source.pk])
    event = Event.objects.get()
    assert (event.instrument, event.state.iso3, event.type, event.inferred) == (
        instruments["protocol"],
        "BLR",
        RATIFIED,
        True,
    )
    assert (event.source, event.date, event.precision) == (source, SPEECH_DAY, Event.Precision.ON_OR_BEFORE)
    assert source.slug and source.text == SPEECH


def test_a_row_that_fails_validation_saves_nothing_and_shows_its_error(client, superuser, url, six_states, instruments):
    client.force_login(superuser)
    rows = review_rows(client.post(url, source_fields(propose="1")))
    rows["proposals-1-quote"] = "A sentence the speech never said."

    response = client.post(url, source_fields(save="1") | rows)

    assert response.status_code == 200
    assert "does not appear in the source" in response.content.decode()
    assert SourceDocument.objects.count() == 0 and Event.objects.count() == 0


def test_the_same_event_ticked_twice_is_refused_without_saving_anything(
    client, superuser, url, six_states, instruments
):
    client.force_login(superuser)
    rows = review_rows(client.post(url, source_fields(propose="1")))
    rows["proposals-1-state"] = rows["proposals-0-state"]

    response = client.post(url, source_fields(save="1") | rows)

    assert response.status_code == 200
    assert response.context["formset"].forms[1].errors
    assert SourceDocument.objects.count() == 0 and Event.objects.count() == 0


def test_a_ticked_new_instrument_row_asks_for_an_instrument(client, superuser, url, six_states, instruments):
    client.force_login(superuser)
    text = "The Agreement on cooperation in the field of space exploration was signed by Belarus."
    review = client.post(url, source_fields(propose="1", text=text))
    assert "New instrument?" in review.content.decode()
    rows = review_rows(review) | {"proposals-0-selected": "on"}

    response = client.post(url, source_fields(save="1", text=text) | rows)

    assert response.status_code == 200
    assert "Choose the instrument" in response.content.decode()
    assert SourceDocument.objects.count() == 0


def test_a_future_date_or_missing_text_is_a_form_error_not_a_crash(client, superuser, url, six_states):
    client.force_login(superuser)
    response = client.post(url, source_fields(propose="1", date="2999-01-01", text=""))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"date", "text"}


def test_staff_who_cannot_add_events_and_sources_are_refused(client, url, db):
    clerk = User.objects.create_user("clerk", password="pw", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="add_sourcedocument"))
    client.force_login(clerk)
    assert client.get(url).status_code == 403
    clerk.user_permissions.add(Permission.objects.get(codename="add_event"))
    clerk = User.objects.get(pk=clerk.pk)  # permissions are cached on the user object
    client.force_login(clerk)
    assert client.get(url).status_code == 200


def test_anonymous_visitors_are_sent_to_the_login_page(client, url, db):
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_a_membership_list_binds_each_named_member_by_the_charter_as_an_inference(six_states, instruments):
    instruments["charter"].kind = Instrument.Kind.CHARTER
    instruments["charter"].save()
    text = "The members of the Collective Security Treaty Organization are: the Republic of Armenia and Belarus."
    assert pairs(read(text)) == {
        ("CSTO Charter", "ARM", Event.Type.IN_FORCE, True),
        ("CSTO Charter", "BLR", Event.Type.IN_FORCE, True),
    }


def test_a_decision_named_by_its_quoted_title_and_date_is_adopted_that_day(six_states, instruments):
    text = "In accordance with the CSC decision of 23 November 2022 “On measures to develop a crisis response system”."
    proposals = read(text)
    assert [(p.instrument, p.type, p.date, p.precision) for p in proposals] == [
        (instruments["decision"], Event.Type.ADOPTED, datetime.date(2022, 11, 23), Event.Precision.DAY)
    ]


def test_implementing_a_decision_shows_it_was_adopted_by_inference(six_states, instruments):
    proposals = read("We are implementing the Decision on measures to develop a crisis response system.")
    assert pairs(proposals) == {("Crisis response decision", None, Event.Type.ADOPTED, True)}


def test_ratification_completed_by_every_member_puts_the_instrument_in_force_by_inference(six_states, instruments):
    text = "Last year ratification procedures for the Logistics Agreement were completed."
    proposals = read(text, day=datetime.date(2022, 5, 16))
    in_force = [p for p in proposals if p.type == Event.Type.IN_FORCE]
    assert [(p.state, p.inferred, p.date, p.precision) for p in in_force] == [
        (None, True, datetime.date(2021, 1, 1), Event.Precision.YEAR)
    ]


def test_the_review_leaves_out_states_the_record_already_shows_as_ratified(
    client, superuser, url, six_states, instruments
):
    earlier = make_source(date=SPEECH_DAY, text="The Logistics Agreement has been ratified by Belarus.")
    make_event(instrument=instruments["logistics"], state=six_states["BLR"], source=earlier, quote=earlier.text)
    client.force_login(superuser)
    text = "Thank you for your work in ratifying the Logistics Agreement."

    response = client.post(url, source_fields(propose="1", date="2023-12-19", text=text))

    states = {form.initial["state"].iso3 for form in response.context["formset"].forms}
    assert states == {"ARM", "KAZ", "KGZ", "RUS", "TJK"}


def test_the_paste_form_opens_and_edit_returns_to_it_with_the_text_kept(client, superuser, url, six_states):
    client.force_login(superuser)
    assert client.get(url).status_code == 200

    response = client.post(url, source_fields(edit="1"))

    assert response.status_code == 200
    assert response.context["form"]["text"].value() == SPEECH
    assert "formset" not in response.context


# Real-world texts in English and Russian (issue 13) ----------------------------------------------


@pytest.fixture
def in_russian(six_states, instruments):
    """The instruments' Russian titles and a few aliases, and the chambers and presidents that act for states."""
    titles = {
        "peacekeeping": "Соглашение о миротворческой деятельности Организации Договора о коллективной безопасности",
        "protocol": "Протокол о внесении изменений в Соглашение о миротворческой деятельности ОДКБ",
        "charter": "Устав Организации Договора о коллективной безопасности",
        "logistics": "Соглашение о совместном тыловом и медицинском обеспечении войск ОДКБ",
    }
    for key, title in titles.items():
        Instrument.objects.filter(pk=instruments[key].pk).update(title_ru=title)
        instruments[key].refresh_from_db()
    Instrument.objects.filter(pk=instruments["charter"].pk).update(kind=Instrument.Kind.CHARTER)
    InstrumentAlias.objects.create(
        instrument=instruments["peacekeeping"], language="ru", text="Соглашение о миротворческой деятельности ОДКБ"
    )
    InstrumentAlias.objects.create(instrument=instruments["charter"], language="ru", text="Устав ОДКБ")
    InstrumentAlias.objects.create(instrument=instruments["charter"], language="en", text="the Charter")
    for iso3, name, language, kind, years in [
        ("RUS", "Государственная дума", "ru", StateActor.Kind.PARLIAMENT, (None, None)),
        ("RUS", "Россия", "ru", StateActor.Kind.NAME, (None, None)),
        ("RUS", "State Duma", "en", StateActor.Kind.PARLIAMENT, (None, None)),
        ("KGZ", "Киргизия", "ru", StateActor.Kind.NAME, (None, None)),
        ("KGZ", "Жогорку Кенеш", "ru", StateActor.Kind.PARLIAMENT, (None, None)),
        ("KAZ", "Казахстан", "ru", StateActor.Kind.NAME, (None, None)),
        ("KAZ", "Mazhilis", "en", StateActor.Kind.PARLIAMENT, (None, None)),
        ("KAZ", "Senate", "en", StateActor.Kind.PARLIAMENT, (None, None)),
        ("KAZ", "Tokayev", "en", StateActor.Kind.HEAD_OF_STATE, (2019, None)),
        ("KAZ", "Nazarbayev", "en", StateActor.Kind.HEAD_OF_STATE, (1991, 2019)),
        ("BLR", "Беларусь", "ru", StateActor.Kind.NAME, (None, None)),
        ("ARM", "Армения", "ru", StateActor.Kind.NAME, (None, None)),
        ("TJK", "Таджикистан", "ru", StateActor.Kind.NAME, (None, None)),
    ]:
        StateActor.objects.create(
            state=six_states[iso3], name=name, language=language, kind=kind, from_year=years[0], to_year=years[1]
        )
    return instruments


def facts(proposals):
    """(instrument short title, state ISO code or None, type, date, precision) for each event proposal."""
    return {
        (p.instrument.short_title, p.state.iso3 if p.state else None, p.type, p.date, p.precision)
        for p in proposals
        if p.type != NEW_INSTRUMENT
    }


DAY, MONTH, YEAR, ON_OR_BEFORE = (Event.Precision.DAY, Event.Precision.MONTH, Event.Precision.YEAR,
                                  Event.Precision.ON_OR_BEFORE)  # fmt: skip


def test_a_russian_chamber_ratifying_in_any_word_form_is_read_with_the_day_it_gives(in_russian):
    text = (
        "Государственная дума на пленарном заседании 5 апреля ратифицировала протокол о внесении изменений "
        "в Соглашение о миротворческой деятельности ОДКБ."
    )
    assert facts(read(text, datetime.date(2024, 4, 8))) == {
        ("Peacekeeping Protocol", "RUS", RATIFIED, datetime.date(2024, 4, 5), DAY)
    }


def test_russian_state_names_match_in_every_case(in_russian):
    text = (
        "Протокол о внесении изменений в Соглашение о миротворческой деятельности ОДКБ ратифицирован Беларусью, "
        "Киргизией и Казахстаном."
    )
    assert {p.state.iso3 for p in read(text)} == {"BLR", "KGZ", "KAZ"}


@pytest.mark.parametrize(
    "text",
    [
        "President Tokayev signed the law on ratification of the Protocol amending the CSTO Peacekeeping Agreement.",
        "President Tokayev signed into law the ratification of a protocol amending the CSTO Peacekeeping Agreement "
        "of October 2007.",
    ],
)
def test_a_president_signing_a_ratification_law_is_ratification_not_a_signature(in_russian, text):
    assert facts(read(text, datetime.date(2024, 6, 14))) == {
        ("Peacekeeping Protocol", "KAZ", RATIFIED, datetime.date(2024, 6, 14), ON_OR_BEFORE)
    }


def test_a_russian_law_ratifying_a_protocol_signed_by_the_president_is_ratification(in_russian):
    text = (
        "Президент России подписал федеральный закон, ратифицирующий протокол о внесении изменений в Соглашение "
        "о миротворческой деятельности ОДКБ."
    )
    assert [(p.state.iso3, p.type) for p in read(text)] == [("RUS", RATIFIED)]


def test_a_presidents_name_points_to_his_state_only_during_his_term(in_russian):
    text = "{} signed the law on ratification of the Logistics Agreement."
    assert [p.state.iso3 for p in read(text.format("Tokayev"), datetime.date(2023, 3, 1))] == ["KAZ"]
    assert read(text.format("Nazarbayev"), datetime.date(2023, 3, 1)) == []
    assert [p.state.iso3 for p in read(text.format("Nazarbayev"), datetime.date(2018, 3, 1))] == ["KAZ"]


def test_the_protocols_amending_an_instrument_are_the_protocol_not_the_instrument_amended(in_russian):
    text = "The State Duma ratified the protocol amending the peacekeeping agreement at a session on 5 April."
    assert facts(read(text, datetime.date(2024, 4, 8))) == {
        ("Peacekeeping Protocol", "RUS", RATIFIED, datetime.date(2024, 4, 5), DAY)
    }


def test_an_instrument_amended_by_several_protocols_is_not_forced_onto_one_of_them(in_russian, instruments):
    text = "The State Duma ratified the protocols amending the Charter."
    first = make_instrument(title="First Protocol", short_title="First", part_of=instruments["charter"])
    assert [p.instrument for p in read(text)] == [first]
    make_instrument(title="Second Protocol", short_title="Second", part_of=instruments["charter"])
    assert read(text) == []


def test_a_date_that_only_names_an_instrument_is_no_events_date_and_no_new_instrument(in_russian):
    text = "The Mazhilis ratified the CSTO Peacekeeping Agreement of 6 October 2007."
    assert facts(read(text, datetime.date(2024, 4, 8))) == {
        ("Peacekeeping Agreement", "KAZ", RATIFIED, datetime.date(2024, 4, 8), ON_OR_BEFORE)
    }


def test_each_event_takes_the_date_nearest_its_own_wording(in_russian):
    text = (
        "The State Duma ratified the Logistics Agreement on 2 April, and the Mazhilis ratified the Peacekeeping "
        "Protocol on 9 April."
    )
    assert facts(read(text, datetime.date(2024, 4, 10))) == {
        ("Logistics Agreement", "RUS", RATIFIED, datetime.date(2024, 4, 2), DAY),
        ("Peacekeeping Protocol", "KAZ", RATIFIED, datetime.date(2024, 4, 9), DAY),
    }


@pytest.mark.parametrize(
    ("words", "date", "precision"),
    [
        ("on 5 April", datetime.date(2024, 4, 5), DAY),
        ("on 20 December", datetime.date(2023, 12, 20), DAY),  # after the text's date: the year before
        ("in January", datetime.date(2024, 1, 1), MONTH),
        ("last month", datetime.date(2024, 3, 1), MONTH),
        ("last year", datetime.date(2023, 1, 1), YEAR),
        ("on Wednesday", datetime.date(2024, 4, 3), DAY),
        ("on 14 March 2022", datetime.date(2022, 3, 14), DAY),
    ],
)
def test_a_date_without_its_year_is_resolved_against_the_texts_date(in_russian, words, date, precision):
    text = f"The State Duma ratified the Logistics Agreement {words}."
    assert facts(read(text, datetime.date(2024, 4, 8))) == {("Logistics Agreement", "RUS", RATIFIED, date, precision)}


@pytest.mark.parametrize(
    ("words", "date", "precision"),
    [
        ("5 апреля", datetime.date(2024, 4, 5), DAY),
        ("в январе", datetime.date(2024, 1, 1), MONTH),
        ("в прошлом году", datetime.date(2023, 1, 1), YEAR),
        ("в среду", datetime.date(2024, 4, 3), DAY),
        ("18.03.2024", datetime.date(2024, 3, 18), DAY),
    ],
)
def test_russian_dates_are_resolved_against_the_texts_date(in_russian, words, date, precision):
    text = (
        f"Государственная дума {words} ратифицировала Соглашение о совместном тыловом и медицинском обеспечении "
        "войск ОДКБ."
    )
    assert facts(read(text, datetime.date(2024, 4, 8))) == {("Logistics Agreement", "RUS", RATIFIED, date, precision)}


def test_several_stages_of_one_ratification_are_one_event_dated_by_the_last_with_the_others_in_its_note(in_russian):
    text = (
        "The Mazhilis approved the bill on ratification of the Peacekeeping Protocol on 14 February. "
        "The Senate approved the law on 29 February. President Tokayev signed the law on 4 March."
    )
    (proposal,) = read(text, datetime.date(2024, 3, 5))
    assert (proposal.state.iso3, proposal.type, proposal.date) == ("KAZ", RATIFIED, datetime.date(2024, 3, 4))
    assert "14 February" in proposal.note and "29 February" in proposal.note


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The government submitted the Logistics Agreement to the State Duma for ratification.", PENDING),
        ("Russia deposited its instrument of ratification of the Logistics Agreement.", Event.Type.NOTIFIED),
        ("Госдума приняла в первом чтении законопроект о ратификации Устава ОДКБ.", PENDING),
        ("Россия уведомила Секретариат о ратификации Устава ОДКБ.", Event.Type.NOTIFIED),
    ],
)
def test_submission_first_reading_and_deposit_are_their_own_steps(in_russian, six_states, text, expected):
    StateActor.objects.create(state=six_states["RUS"], name="Госдума", language="ru", kind=StateActor.Kind.PARLIAMENT)
    assert [(p.state.iso3, p.type) for p in read(text)] == [("RUS", expected)]


def test_all_member_states_except_one_in_russian_makes_that_one_pending(in_russian):
    text = (
        "Протокол о внесении изменений в Соглашение о миротворческой деятельности ОДКБ ратифицирован всеми "
        "государствами-членами, кроме Армении."
    )
    proposals = read(text)
    assert {p.state.iso3 for p in proposals if p.type == RATIFIED} == {"BLR", "KAZ", "KGZ", "RUS", "TJK"}
    assert {p.state.iso3 for p in proposals if p.type == PENDING} == {"ARM"}


def test_not_ratified_by_a_state_implies_the_others_but_a_state_that_has_not_ratified_does_not(in_russian):
    by_list = read(
        "Протокол о внесении изменений в Соглашение о миротворческой деятельности ОДКБ не ратифицирован Арменией."
    )
    assert {p.state.iso3 for p in by_list if p.type == RATIFIED} == {"BLR", "KAZ", "KGZ", "RUS", "TJK"}
    alone = read(
        "Армения не ратифицировала протокол о внесении изменений в Соглашение о миротворческой деятельности ОДКБ."
    )
    assert [(p.state.iso3, p.type) for p in alone] == [("ARM", PENDING)]


def test_a_russian_membership_list_binds_each_named_member_by_the_charter_on_or_before_the_text(in_russian):
    proposals = read("В состав ОДКБ входят Армения, Беларусь, Казахстан, Киргизия, Россия и Таджикистан.")
    assert facts(proposals) == {
        ("CSTO Charter", iso3, Event.Type.IN_FORCE, SPEECH_DAY, ON_OR_BEFORE)
        for iso3 in ("ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK")
    }
    assert all(p.inferred for p in proposals)


def test_an_instrument_the_record_lacks_is_offered_with_the_title_the_text_gives_in_either_language(in_russian):
    (english,) = read("The State Duma ratified the Agreement on the CSTO Air Defence Coordination Centre on 2 May.")
    (russian,) = read("Госдума 2 мая ратифицировала Соглашение о Координационном центре противовоздушной обороны ОДКБ.")
    assert english.type == russian.type == NEW_INSTRUMENT
    assert english.new_title == "Agreement on the CSTO Air Defence Coordination Centre"
    assert russian.new_title == "Соглашение о Координационном центре противовоздушной обороны ОДКБ"


def test_the_language_is_detected_per_text_and_russian_sentences_are_split_by_razdel():
    assert detect_language("The State Duma ratified it.") == "en"
    assert detect_language("Госдума ратифицировала протокол (ОДКБ).") == "ru"
    text = "Закон от 28 декабря 2022 г. № 560-ФЗ принят. Документ подписан президентом.\nВторая строка"
    assert split_sentences(text) == [
        "Закон от 28 декабря 2022 г. № 560-ФЗ принят.",
        "Документ подписан президентом.",
        "Вторая строка",
    ]


def test_a_very_long_line_is_cut_into_bounded_pieces_so_the_cost_stays_linear():
    line = "The State Duma ratified the agreement " * 8_000  # about 300 KB, no full stop at all
    sentences = split_sentences(line)
    assert sum(len(s) for s in sentences) >= len(line.strip()) - len(sentences)
    assert max(len(s) for s in sentences) <= LONGEST_PIECE


def test_a_text_longer_than_the_reader_reads_is_refused_in_words(six_states, instruments):
    with pytest.raises(TextTooLong, match="at most 200,000"):
        read("x" * (MAX_TEXT_LENGTH + 1))


# The admin's "Add source from text" on real texts and bad input (issue 13) --------------------------

NEWS_RU = (
    "МОСКВА, 8 апреля. Государственная дума на пленарном заседании 5 апреля ратифицировала протокол о внесении "
    "изменений в Соглашение о миротворческой деятельности ОДКБ."
)


def test_a_pasted_russian_news_item_proposes_its_event_with_state_instrument_type_and_date(
    client, superuser, url, in_russian
):
    client.force_login(superuser)
    response = client.post(url, source_fields(propose="1", text=NEWS_RU, date="2024-04-08"))
    (row,) = response.context["formset"].forms
    assert (row.initial["instrument"], row.initial["state"].iso3, row.initial["type"]) == (
        in_russian["protocol"],
        "RUS",
        RATIFIED,
    )
    assert (row.initial["date"], row.initial["precision"]) == (datetime.date(2024, 4, 5), Event.Precision.DAY)
    assert "<mark>Государственная дума</mark>" in response.content.decode()


def test_a_paste_longer_than_the_reader_reads_is_a_form_error_with_the_figures(client, superuser, url, six_states):
    client.force_login(superuser)
    response = client.post(url, source_fields(propose="1", text="Belarus ratified it. " * 10_000))
    assert response.status_code == 200
    page = response.content.decode()
    assert "characters long; the reader reads at most 200,000" in page
    assert "formset" not in response.context


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("marks", "0-7,<script>"),
        ("marks", "9" * 40),
        ("new_title", "x" * 600),
        ("date", "2023-02-31"),
        ("instrument", "not-a-pk"),
        ("state", "999999"),
        ("type", "annexed"),
        ("precision", "roughly"),
    ],
)
def test_a_tampered_or_malformed_review_field_is_a_row_error_and_saves_nothing(
    client, superuser, url, six_states, instruments, field, value
):
    client.force_login(superuser)
    rows = review_rows(client.post(url, source_fields(propose="1")))
    rows[f"proposals-0-{field}"] = value

    response = client.post(url, source_fields(save="1") | rows)

    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors
    assert 'class="errorlist' in response.content.decode()
    assert SourceDocument.objects.count() == 0 and Event.objects.count() == 0


@pytest.mark.parametrize("total", ["x", "-1", "100000"])
def test_a_tampered_row_count_is_answered_without_a_crash(client, superuser, url, six_states, instruments, total):
    client.force_login(superuser)
    rows = review_rows(client.post(url, source_fields(propose="1"))) | {"proposals-TOTAL_FORMS": total}
    response = client.post(url, source_fields(save="1") | rows)
    assert response.status_code == 200
    assert SourceDocument.objects.count() == 0


def test_the_earlier_stages_of_a_ratification_reach_the_saved_events_note(client, superuser, url, in_russian):
    text = (
        "The Mazhilis approved the bill on ratification of the Peacekeeping Protocol on 14 February. "
        "President Tokayev signed the law on 4 March."
    )
    client.force_login(superuser)
    rows = review_rows(client.post(url, source_fields(propose="1", text=text, date="2024-03-05")))
    client.post(url, source_fields(save="1", text=text, date="2024-03-05") | rows)
    event = Event.objects.get()
    assert (event.date, event.state.iso3) == (datetime.date(2024, 3, 4), "KAZ")
    assert "14 February" in event.note


def test_aliases_and_state_actors_are_edited_beside_their_instrument_and_state(client, superuser, in_russian):
    client.force_login(superuser)
    instrument_page = client.get(reverse("admin:tracker_instrument_change", args=[in_russian["charter"].pk]))
    state = StateActor.objects.first().state
    state_page = client.get(reverse("admin:tracker_memberstate_change", args=[state.pk]))
    assert "Устав ОДКБ" in instrument_page.content.decode()
    assert 'name="actors-TOTAL_FORMS"' in state_page.content.decode()
    assert StateActor.objects.filter(state=state).first().name in state_page.content.decode()


def test_a_state_actor_speaks_for_its_state_only_within_its_term(six_states):
    actor = StateActor(state=six_states["KAZ"], name="Nazarbayev", kind=StateActor.Kind.HEAD_OF_STATE,
                       language="en", from_year=1991, to_year=2019)  # fmt: skip
    assert actor.speaks_for_state_in(1991) and actor.speaks_for_state_in(2019)
    assert not actor.speaks_for_state_in(1990) and not actor.speaks_for_state_in(2020)
    assert StateActor(state=six_states["KAZ"], name="Kazakh", language="en").speaks_for_state_in(1900)


def test_a_term_that_ends_before_it_starts_is_refused_by_the_database(six_states):
    with pytest.raises(IntegrityError), transaction.atomic():
        StateActor.objects.create(state=six_states["KAZ"], name="X", language="en", from_year=2020, to_year=2010)


def test_editors_keep_instruments_aliases_and_see_state_actors(db):
    editors = Group.objects.get(name="Editors")
    codenames = set(editors.permissions.values_list("codename", flat=True))
    assert {"add_instrumentalias", "change_instrumentalias", "delete_instrumentalias"} <= codenames
    assert "view_stateactor" in codenames and "change_stateactor" not in codenames
    viewers = set(Group.objects.get(name="Viewers").permissions.values_list("codename", flat=True))
    assert {"view_instrumentalias", "view_stateactor"} <= viewers


def test_a_backup_holds_the_aliases_and_state_actors(tmp_path, in_russian):
    path = tmp_path / "record.json"
    call_command("backup_record", str(path), stdout=io.StringIO())
    models = {row["model"] for row in json.loads(path.read_text(encoding="utf-8"))}
    assert {"tracker.instrumentalias", "tracker.stateactor"} <= models

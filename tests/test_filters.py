"""The filter forms of the public lists."""

import pytest
from django import forms
from django.test import SimpleTestCase

from tests.builders import make_instrument, make_source, make_state
from tracker.filters import EventFilter, QuickSelect

pytestmark = pytest.mark.django_db

CHOICES = [("", "Any state"), ("armenia", "Armenia"), ("belarus", "Belarus & <Minsk>")]


@pytest.mark.parametrize("value", [None, "", "belarus"])
def test_the_quick_select_writes_the_same_markup_as_djangos_select(value):
    attrs = {"id": "id_state", "aria-describedby": "state-help"}
    quick = QuickSelect(choices=CHOICES).render("state", value, attrs)
    django = forms.Select(choices=CHOICES).render("state", value, attrs)
    SimpleTestCase().assertHTMLEqual(quick, django)


def test_the_events_filter_keeps_the_chosen_state_selected():
    make_state(name="Armenia", slug="armenia")
    kazakhstan = make_state(name="Kazakhstan", slug="kazakhstan")

    html = str(EventFilter({"state": kazakhstan.slug}).form["state"])

    assert '<option value="kazakhstan" selected>Kazakhstan</option>' in html
    assert '<option value="armenia">Armenia</option>' in html


def test_a_short_list_of_instruments_and_sources_is_a_drop_down_of_their_names():
    instrument = make_instrument(short_title="Peacekeeping Protocol", slug="peacekeeping-protocol")
    source = make_source(title="Minsk statement", slug="minsk-statement")

    form = EventFilter({}).form

    assert f'<option value="{instrument.slug}">Peacekeeping Protocol</option>' in str(form["instrument"])
    assert f'<option value="{source.slug}">' in str(form["source"])


def test_a_long_list_of_instruments_is_a_text_box_taking_the_slug(monkeypatch):
    monkeypatch.setattr(EventFilter, "DROP_DOWN_LIMIT", 2)
    for _ in range(3):
        make_instrument()

    html = str(EventFilter({}).form["instrument"])

    assert 'type="text"' in html
    assert "<option" not in html


def test_the_matrix_title_filter_finds_a_russian_title_in_any_case_and_form(client, searchable_record):
    for words in ("Договор", "договора", "коллективной безопасности"):
        html = client.get("/ru/", {"q": words}).content.decode()
        assert "Договор о коллективной безопасности" in html, words
        assert "Соглашение о миротворческой деятельности" not in html, words

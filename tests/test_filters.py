"""The filter forms of the public lists."""

import pytest
from django import forms
from django.test import SimpleTestCase

from tests.builders import make_state
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


def test_the_events_filter_takes_an_instrument_by_its_slug_in_a_text_box():
    html = str(EventFilter({}).form["instrument"])

    assert 'type="text"' in html
    assert "<option" not in html

"""Pages that link to many objects build each address from one ``reverse()`` a model (tracker.addresses, issue 18).

What they build must be, to the byte, what each model's ``get_absolute_url()`` gives: the model stays the one writer
of its address, in both languages.
"""

import pytest
from django.utils import translation

from tracker.addresses import ADDRESS_KEYS, AddressPattern, PageAddresses
from tracker.models import Event, Instrument, MemberState, SourceDocument
from tracker.status import EventFacts

# Keys as a slug field or an id can hold them, the edges included.
KEYS = {"slug": ["a", "treaty-of-1992", "x_y-2-", "0", "z" * 150], "pk": [1, 42, 9_999_999_999]}


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("model", list(ADDRESS_KEYS), ids=lambda model: model.__name__)
def test_each_models_pattern_gives_the_address_the_model_gives(model, language):
    key = ADDRESS_KEYS[model]
    with translation.override(language):
        pattern = AddressPattern(model)
        for value in KEYS[key]:
            obj = model(**{key: value})
            assert pattern(obj) == obj.get_absolute_url()


def test_every_model_a_page_links_to_in_numbers_has_its_key():
    # The events list links each row to these four; a model missing here would fail on the page's first row.
    assert set(ADDRESS_KEYS) == {Event, Instrument, MemberState, SourceDocument}


def test_a_plain_row_has_the_address_of_the_model_it_stands_for():
    addresses = PageAddresses({EventFacts: Event})
    facts = EventFacts._make(range(len(EventFacts._fields)))._replace(pk=7)

    assert addresses(facts) == Event(pk=7).get_absolute_url()


def test_a_model_with_no_key_is_asked_for_its_own_address():
    class Elsewhere:
        def get_absolute_url(self):
            return "/elsewhere/"

    assert PageAddresses()(Elsewhere()) == "/elsewhere/"

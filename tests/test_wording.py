"""The one writer of dated facts and status words, in both languages (tracker/wording.py, issue 15)."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.text import Truncator
from hypothesis import given
from hypothesis import strategies as st

from tests.builders import make_event, make_instrument, make_source
from tracker.models import Event, Instrument
from tracker.status import EntryIntoForce, PairStatus, Status, instrument_history
from tracker.templatetags.tracker_extras import dated, since_words
from tracker.wording import (
    describe_entry_into_force,
    entry_into_force_grounds,
    first_words,
    russian_gender,
    status_label,
    word_date,
)

D = datetime.date
DAY = D(2023, 5, 18)


@pytest.mark.parametrize(
    ("precision", "english", "russian"),
    [
        (Event.Precision.DAY, "18 May 2023", "18.05.2023"),
        (Event.Precision.ON_OR_BEFORE, "by 18 May 2023", "не позднее 18.05.2023"),
        (Event.Precision.MONTH, "in May 2023", "в мае 2023 г."),
        (Event.Precision.YEAR, "in 2023", "в 2023 г."),
    ],
)
def test_a_date_is_worded_by_its_precision_in_each_language(precision, english, russian):
    with translation.override("en"):
        assert word_date(DAY, precision) == english
    with translation.override("ru"):
        assert word_date(DAY, precision) == russian


def test_every_month_has_its_russian_prepositional_form():
    with translation.override("ru"):
        words = [word_date(D(2023, month, 1), Event.Precision.MONTH) for month in range(1, 13)]
    assert words[0] == "в январе 2023 г." and words[2] == "в марте 2023 г." and words[11] == "в декабре 2023 г."
    assert len(set(words)) == 12


def test_a_long_date_and_a_date_after_a_verb():
    with translation.override("en"):
        assert word_date(DAY, Event.Precision.ON_OR_BEFORE, long=True) == "by 18 May 2023"
        assert word_date(DAY, Event.Precision.DAY, after_verb=True) == "on 18 May 2023"
    with translation.override("ru"):
        assert word_date(DAY, Event.Precision.DAY, long=True) == "18 мая 2023 г."
        assert word_date(DAY, Event.Precision.DAY, after_verb=True) == "18.05.2023"


def test_no_date_is_worded_as_nothing():
    assert word_date(None, None) == ""


@pytest.mark.parametrize(
    ("title_ru", "kind", "ratified"),
    [
        ("Договор о коллективной безопасности", "treaty", "Ратифицирован"),
        ("Соглашение о миротворческой деятельности", "agreement", "Ратифицировано"),
        ("Стратегия коллективной безопасности", "strategy", "Ратифицирована"),
        ("Поправки к Уставу", "charter_amendment", "Ратифицированы"),
        ("Четвёртый протокол о внесении изменений в Устав", "charter_amendment", "Ратифицирован"),
        # No Russian title: the kind names the noun ("соглашение").
        ("", "agreement", "Ратифицировано"),
    ],
)
def test_a_russian_status_agrees_with_the_instruments_gender(title_ru, kind, ratified):
    instrument = Instrument(title="T", short_title="T", title_ru=title_ru, kind=kind)
    with translation.override("ru"):
        assert status_label("ratified", instrument) == ratified
    with translation.override("en"):
        assert status_label("ratified", instrument) == "Ratified"


def test_statuses_that_need_no_agreement_read_the_same_for_every_instrument():
    agreement = Instrument(title="T", short_title="T", kind="agreement")
    treaty = Instrument(title="T", short_title="T", kind="treaty")
    with translation.override("ru"):
        for code in ("no_record", "pending", "in_force", "withdrawn"):
            assert status_label(code, agreement) == status_label(code, treaty)
        assert status_label("adopted", agreement) == "Принято"
        assert status_label("signed", treaty) == "Подписан"


def test_gender_comes_from_the_head_noun_before_the_kind():
    assert russian_gender(Instrument(title_ru="Решение о мерах", kind="plan")) == "n"
    assert russian_gender(Instrument(title_ru="", kind="plan")) == "m"


def test_a_dated_status_says_its_date_and_marks_in_words_without_symbols():
    status = PairStatus(
        code="ratified", since=DAY, precision=Event.Precision.ON_OR_BEFORE, inferred=True, computed=True
    )
    with translation.override("en"):
        html = str(dated(status))
        assert "by 18 May 2023" in html and ">inferred<" in html and ">by rule<" in html
        assert "≤" not in html
        assert "inferred" not in str(dated(status, plain=True))
    with translation.override("ru"):
        html = str(dated(status))
        assert "не позднее 18.05.2023" in html and ">по косвенным данным<" in html and ">по правилу<" in html


def test_a_status_without_markup_says_only_when_it_holds_from():
    status = PairStatus(code="ratified", since=DAY, precision=Event.Precision.ON_OR_BEFORE, inferred=True)
    with translation.override("en"):
        assert since_words(status) == "by 18 May 2023"


STATED = Event(pk=1, inferred=False)
STATED_BY_INFERENCE = Event(pk=2, inferred=True)


@pytest.mark.parametrize(
    ("eif", "grounds"),
    [
        # A decision binds on adoption even where a source also states its entry into force.
        (EntryIntoForce(date=DAY, stated_by=STATED_BY_INFERENCE, binds_on_adoption=True), "binding on adoption"),
        (EntryIntoForce(date=DAY, stated_by=STATED_BY_INFERENCE, inferred=True), "inferred from the source"),
        (EntryIntoForce(date=DAY, stated_by=STATED), "as the source states"),
        (EntryIntoForce(date=DAY, inferred=True), "computed from its rule, from inferred ratifications"),
        (EntryIntoForce(date=DAY), "computed from its rule"),
    ],
)
def test_an_entry_into_force_says_how_it_is_known(eif, grounds):
    with translation.override("en"):
        assert entry_into_force_grounds(eif) == grounds
        assert describe_entry_into_force(eif) == f"In force since 18 May 2023 ({grounds})"


def page_words(eif, instrument) -> str:
    """The entry into force as the instrument pages show it, as text."""
    html = render_to_string("tracker/includes/entry_into_force.html", {"eif": eif, "instrument": instrument})
    return " ".join(strip_tags(html).split())


@pytest.mark.django_db
class TestThePagesAndTheApiWordAnEntryIntoForceAlike:
    def test_a_council_decision_in_force_gives_its_adoption_date_in_both(self, six_states):
        decision = make_instrument(kind=Instrument.Kind.DECISION, needs_ratification=False)
        make_event(
            instrument=decision,
            source=make_source(date=datetime.date(2022, 11, 23)),
            type=Event.Type.ADOPTED,
            precision=Event.Precision.DAY,
        )
        eif = instrument_history(decision, as_of=datetime.date(2023, 1, 1)).entry_into_force

        with translation.override("en"):
            assert page_words(eif, decision) == "In force since 23 Nov 2022 (binding on adoption)"
            assert describe_entry_into_force(eif) == "In force since 23 November 2022 (binding on adoption)"

    def test_a_council_decision_not_yet_adopted_says_so_in_both(self, six_states):
        decision = make_instrument(kind=Instrument.Kind.DECISION, needs_ratification=False)
        eif = instrument_history(decision, as_of=datetime.date(2023, 1, 1)).entry_into_force

        with translation.override("en"):
            assert (
                page_words(eif, decision)
                == describe_entry_into_force(eif)
                == ("Binds on adoption; no adoption recorded")
            )

    def test_a_stated_entry_into_force_links_the_same_grounds_to_its_event(self, six_states):
        treaty = make_instrument()
        stated = make_event(
            instrument=treaty,
            source=make_source(date=datetime.date(2003, 12, 31)),
            type=Event.Type.IN_FORCE,
            inferred=True,
        )
        eif = instrument_history(treaty, as_of=datetime.date(2004, 1, 1)).entry_into_force

        html = render_to_string("tracker/includes/entry_into_force.html", {"eif": eif, "instrument": treaty})
        with translation.override("en"):
            assert page_words(eif, treaty) == "In force by 31 Dec 2003 (inferred from the source)"
            assert describe_entry_into_force(eif) == "In force by 31 December 2003 (inferred from the source)"
        assert f'<a href="{stated.get_absolute_url()}">(' in html


def test_a_date_worded_once_for_an_english_reader_is_worded_again_for_a_russian_one():
    # The matrix's dates are worded once per process (tracker_extras._dated); the language is part of the key.
    status = PairStatus(code=Status.RATIFIED, since=datetime.date(2023, 5, 18), precision=Event.Precision.ON_OR_BEFORE)
    with translation.override("en"):
        english = dated(status)
    with translation.override("ru"):
        russian = dated(status)
    with translation.override("en"):
        assert dated(status) == english

    assert "by 18 May 2023" in english and "не позднее 18.05.2023" in russian


@pytest.mark.parametrize("language", ["en", "ru"])
@given(text=st.text(alphabet=st.sampled_from("ab я\n\t\u00a0\u2003…."), max_size=60), count=st.integers(1, 12))
def test_first_words_cuts_a_text_as_djangos_truncator_does(language, text, count):
    with translation.override(language):
        assert first_words(text, count) == Truncator(text).words(count)

"""The status engine, specified by example."""

import dataclasses
import datetime
import gc
import io

import pytest
from django.core.management import call_command
from django.utils import translation

from tests.builders import make_event, make_instrument, make_source, make_state
from tracker.models import Event, Instrument
from tracker.status import (
    Status,
    changed_pairs,
    instrument_history,
    iter_status_pairs,
    status_as_of,
    status_matrix,
)

pytestmark = pytest.mark.django_db

D = datetime.date


class TestReportsOnOrBeforeADate:
    def test_a_ratification_reported_in_a_speech_holds_from_the_speech_date(self, six_states):
        protocol = make_instrument()
        speech = make_source(date=D(2023, 5, 18))
        make_event(instrument=protocol, state=six_states["BLR"], source=speech)

        status = status_as_of(protocol, six_states["BLR"], D(2023, 5, 18))

        assert status.code == Status.RATIFIED
        assert status.since == D(2023, 5, 18)
        assert status.is_uncertain

    def test_the_report_does_not_change_the_status_before_its_date(self, six_states):
        protocol = make_instrument()
        make_event(instrument=protocol, state=six_states["BLR"], source=make_source(date=D(2023, 5, 18)))

        assert status_as_of(protocol, six_states["BLR"], D(2023, 5, 17)).code == Status.NO_RECORD

    def test_a_year_precision_event_counts_from_the_end_of_that_year(self, six_states):
        instrument = make_instrument()
        source = make_source(date=D(2022, 5, 16))
        make_event(
            instrument=instrument,
            state=six_states["TJK"],
            source=source,
            date=D(2021, 1, 1),
            precision=Event.Precision.YEAR,
        )

        assert status_as_of(instrument, six_states["TJK"], D(2021, 12, 30)).code == Status.NO_RECORD
        assert status_as_of(instrument, six_states["TJK"], D(2021, 12, 31)).code == Status.RATIFIED

    def test_a_year_precision_event_counts_from_its_source_date_when_that_is_sooner(self, six_states):
        instrument = make_instrument()
        source = make_source(date=D(2023, 5, 18))
        event = make_event(
            instrument=instrument, state=six_states["BLR"], source=source, date=D(2023, 1, 1), precision="year"
        )

        assert event.known_from == D(2023, 5, 18)

    def test_a_month_precision_event_counts_from_the_end_of_the_month(self, six_states):
        instrument = make_instrument()
        source = make_source(date=D(2023, 12, 19))
        event = make_event(
            instrument=instrument, state=six_states["BLR"], source=source, date=D(2023, 9, 1), precision="month"
        )

        assert event.known_from == D(2023, 9, 30)


class TestStepsOnlyMoveForward:
    def test_a_later_pending_report_does_not_erase_an_earlier_ratification(self, six_states):
        fourth_protocol = make_instrument()
        belarus = six_states["BLR"]
        make_event(instrument=fourth_protocol, state=belarus, source=make_source(date=D(2023, 5, 18)))
        make_event(
            instrument=fourth_protocol,
            state=belarus,
            source=make_source(date=D(2023, 12, 19)),
            type=Event.Type.RATIFICATION_PENDING,
        )

        status = status_as_of(fourth_protocol, belarus, D(2024, 1, 1))

        assert status.code == Status.RATIFIED
        assert status.since == D(2023, 5, 18)

    def test_signature_then_pending_then_ratification_is_followed_step_by_step(self, six_states):
        agreement = make_instrument()
        armenia = six_states["ARM"]
        for day, event_type in [(D(2020, 1, 10), "signed"), (D(2021, 1, 10), "ratification_pending")]:
            make_event(instrument=agreement, state=armenia, source=make_source(date=day), type=event_type)
        make_event(instrument=agreement, state=armenia, source=make_source(date=D(2022, 1, 10)))

        assert status_as_of(agreement, armenia, D(2020, 6, 1)).code == Status.SIGNED
        assert status_as_of(agreement, armenia, D(2021, 6, 1)).code == Status.PENDING
        assert status_as_of(agreement, armenia, D(2022, 6, 1)).code == Status.RATIFIED

    def test_a_withdrawal_ends_the_status_and_a_later_ratification_starts_again(self, six_states):
        agreement = make_instrument()
        armenia = six_states["ARM"]
        make_event(instrument=agreement, state=armenia, source=make_source(date=D(2020, 1, 1)))
        make_event(instrument=agreement, state=armenia, source=make_source(date=D(2021, 1, 1)), type="withdrawn")
        make_event(instrument=agreement, state=armenia, source=make_source(date=D(2022, 1, 1)))

        assert status_as_of(agreement, armenia, D(2021, 6, 1)).code == Status.WITHDRAWN
        assert status_as_of(agreement, armenia, D(2022, 6, 1)).code == Status.RATIFIED

    def test_a_notification_keeps_the_ratified_code_but_is_the_evidence_shown(self, six_states):
        agreement = make_instrument()
        kyrgyzstan = six_states["KGZ"]
        make_event(instrument=agreement, state=kyrgyzstan, source=make_source(date=D(2020, 1, 1)))
        notice = make_event(
            instrument=agreement, state=kyrgyzstan, source=make_source(date=D(2020, 3, 1)), type="notified"
        )

        status = status_as_of(agreement, kyrgyzstan, D(2020, 6, 1))

        assert status.code == Status.RATIFIED
        assert status.event == notice


class TestEntryIntoForce:
    def test_when_all_parties_must_ratify_the_countdown_names_the_states_still_missing(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.ALL_PARTIES)
        speech = make_source(date=D(2023, 5, 18))
        for code in ["BLR", "RUS", "KGZ", "TJK"]:
            make_event(instrument=protocol, state=six_states[code], source=speech)

        eif = instrument_history(protocol, as_of=D(2023, 6, 1)).entry_into_force

        assert not eif.in_force
        assert eif.missing_count == 2
        assert [state.iso3 for state in eif.waiting_for] == ["ARM", "KAZ"]
        assert eif.describe() == "2 more ratifications needed: Armenia, Kazakhstan"

    def test_the_last_ratification_brings_the_instrument_into_force_for_everyone(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.ALL_PARTIES)
        for code in ["BLR", "RUS", "KGZ", "TJK", "ARM"]:
            make_event(instrument=protocol, state=six_states[code], source=make_source(date=D(2023, 5, 18)))
        make_event(instrument=protocol, state=six_states["KAZ"], source=make_source(date=D(2023, 12, 19)))

        history = instrument_history(protocol, as_of=D(2024, 1, 1))

        assert history.entry_into_force.date == D(2023, 12, 19)
        assert history.entry_into_force.uncertain
        assert history.status_of(six_states["BLR"].pk, D(2023, 12, 18)).code == Status.RATIFIED
        in_force = history.status_of(six_states["BLR"].pk, D(2023, 12, 19))
        assert (in_force.code, in_force.computed) == (Status.IN_FORCE, True)

    def test_the_nth_ratification_rule_puts_later_ratifiers_in_force_on_their_own_date(self, six_states):
        agreement = make_instrument(eif_rule=Instrument.EntryIntoForceRule.NTH_RATIFICATION, eif_threshold=2)
        for day, code in [(D(2020, 1, 1), "BLR"), (D(2020, 2, 1), "RUS"), (D(2021, 3, 1), "TJK")]:
            make_event(instrument=agreement, state=six_states[code], source=make_source(date=day), precision="day")

        history = instrument_history(agreement, as_of=D(2022, 1, 1))

        assert history.entry_into_force.date == D(2020, 2, 1)
        assert not history.entry_into_force.uncertain
        assert history.status_of(six_states["BLR"].pk).since == D(2020, 2, 1)
        assert history.status_of(six_states["TJK"].pk).since == D(2021, 3, 1)

    def test_a_stated_entry_into_force_wins_over_the_rule(self, six_states):
        charter = make_instrument(kind=Instrument.Kind.CHARTER)
        source = make_source(date=D(2022, 5, 16), text="On September 18, 2003, the CSTO Charter entered into force.")
        make_event(
            instrument=charter, source=source, type="in_force", date=D(2003, 9, 18), precision="day", quote=source.text
        )

        eif = instrument_history(charter, as_of=D(2022, 5, 16)).entry_into_force

        assert (eif.date, eif.uncertain, eif.describe()) == (
            D(2003, 9, 18),
            False,
            "In force since 18 September 2003 (as the source states)",
        )

    def test_an_inferred_entry_into_force_is_described_as_inferred_not_as_stated(self, six_states):
        charter = make_instrument(kind=Instrument.Kind.CHARTER)
        source = make_source(date=D(2022, 5, 16), text="The Charter has bound the member states since 2003.")
        make_event(
            instrument=charter,
            source=source,
            type="in_force",
            date=D(2003, 1, 1),
            precision="year",
            quote=source.text,
            inferred=True,
        )

        eif = instrument_history(charter, as_of=D(2022, 5, 16)).entry_into_force

        assert eif.describe() == "In force by 31 December 2003 (inferred from the source)"

    def test_the_description_is_in_the_readers_language_with_russian_plural_forms(self, six_states):
        treaty = make_instrument(eif_rule=Instrument.EntryIntoForceRule.ALL_PARTIES)
        ratifiers = ["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"]
        missing_for = {}
        # Russia has no Russian name recorded here: the sentence falls back to its English one.
        for code in ratifiers:
            state = six_states[code]
            state.name_ru = {"ARM": "Армения", "TJK": "Таджикистан"}.get(code, "")
            state.save()
        for code in ratifiers[1:4]:
            make_event(instrument=treaty, state=six_states[code], source=make_source(date=D(2020, 1, 1)))
        missing_for[3] = instrument_history(treaty, as_of=D(2024, 1, 1)).entry_into_force
        make_event(instrument=treaty, state=six_states["RUS"], source=make_source(date=D(2020, 1, 1)))
        missing_for[2] = instrument_history(treaty, as_of=D(2024, 1, 1)).entry_into_force

        with translation.override("ru"):
            assert missing_for[3].describe() == "Нужны ещё 3 ратификации: Армения, Russia, Таджикистан"
            assert missing_for[2].describe() == "Нужны ещё 2 ратификации: Армения, Таджикистан"
        eleven = dataclasses.replace(missing_for[2], missing_count=11, waiting_for=())
        twenty_one = dataclasses.replace(eleven, missing_count=21)
        with translation.override("ru"):
            assert eleven.describe() == "Нужно ещё 11 ратификаций"
            assert twenty_one.describe() == "Нужна ещё 21 ратификация"
        assert eleven.describe() == "11 more ratifications needed"

    def test_without_a_rule_or_a_stated_date_the_page_says_no_rule_is_recorded(self, six_states):
        eif = instrument_history(make_instrument(), as_of=D(2024, 1, 1)).entry_into_force

        assert eif.describe() == "Not known to be in force; no entry-into-force rule recorded"


class TestCouncilDecisions:
    def test_a_decision_adopted_by_the_council_is_adopted_for_every_member_that_day(self, six_states):
        decision = make_instrument(kind=Instrument.Kind.DECISION, needs_ratification=False)
        make_event(instrument=decision, type="adopted", source=make_source(date=D(2022, 11, 23)), precision="day")
        newcomer = make_state(member_since=D(2024, 1, 1))

        matrix = status_matrix(as_of=D(2024, 6, 1))

        assert {matrix.status(decision, state).code for state in six_states.values()} == {Status.ADOPTED}
        assert matrix.status(decision, newcomer).code == Status.NO_RECORD


class TestTheMatrix:
    def test_every_pair_has_a_status_even_with_no_events(self, six_states):
        make_instrument()
        make_instrument()

        matrix = status_matrix(as_of=D(2024, 1, 1))

        assert len(list(matrix.pairs())) == 12
        assert {status.code for _, _, status in matrix.pairs()} == {Status.NO_RECORD}

    def test_the_matrix_takes_the_same_number_of_queries_whatever_the_size_of_the_record(
        self, six_states, django_assert_num_queries
    ):
        def grow(instruments: int):
            for _ in range(instruments):
                instrument = make_instrument(eif_rule="all_parties")
                for state in six_states.values():
                    make_event(instrument=instrument, state=state, source=make_source())

        grow(2)
        with django_assert_num_queries(3):
            status_matrix(as_of=D(2024, 1, 1))
        grow(20)
        with django_assert_num_queries(3):
            small_then_large = status_matrix(as_of=D(2024, 1, 1))
        assert len(list(small_then_large.pairs())) == 22 * 6

    def test_changed_pairs_lists_only_the_cells_that_differ_between_two_dates(self, six_states):
        protocol = make_instrument()
        make_event(instrument=protocol, state=six_states["KAZ"], source=make_source(date=D(2023, 12, 19)))

        before = status_matrix(as_of=D(2023, 6, 1))
        after = status_matrix(as_of=D(2024, 1, 1))

        assert changed_pairs(before, after) == {(protocol.pk, six_states["KAZ"].pk)}


class TestConclusion:
    def test_the_instrument_level_signature_says_when_and_where_it_was_concluded(self, six_states):
        protocol = make_instrument()
        summit = make_source(date=D(2022, 11, 23))
        make_event(
            instrument=protocol,
            state=six_states["ARM"],
            source=make_source(date=D(2022, 10, 1)),
            type=Event.Type.SIGNED,
        )
        signed = make_event(instrument=protocol, source=summit, type=Event.Type.SIGNED, place="Yerevan")

        history = instrument_history(protocol, as_of=D(2024, 1, 1))

        assert history.concluded_by == signed
        assert status_matrix(as_of=D(2024, 1, 1)).concluded_by(protocol) == signed

    def test_an_instrument_is_not_concluded_before_its_signature_is_known(self, six_states):
        protocol = make_instrument()
        make_event(instrument=protocol, source=make_source(date=D(2022, 11, 23)), type=Event.Type.SIGNED)

        assert instrument_history(protocol, as_of=D(2022, 11, 22)).concluded_by is None


def evidence(status):
    """What a page or an export shows of a status's evidence, whether it came as an Event or as EventFacts."""
    event = status.event
    if event is None:
        return None
    source = event.source
    return (event.pk, event.quote, event.get_absolute_url(), source.pk, source.title, source.slug, source.date)


class TestBriefEvidence:
    """``status_matrix(brief=True)`` reads plain rows instead of model instances, and must answer the same."""

    def test_it_gives_the_same_statuses_dates_marks_and_evidence_as_the_full_matrix(self):
        call_command("generate_synthetic", states=8, instruments=25, events=600, seed=4, stdout=io.StringIO())
        as_of = D(2018, 1, 1)

        def answers(matrix):
            return [
                (i.pk, s.pk, st.code, st.since, st.precision, st.inferred, st.computed, evidence(st))
                for i, s, st in matrix.pairs()
            ]

        full, brief = status_matrix(as_of=as_of), status_matrix(as_of=as_of, brief=True)
        assert answers(brief) == answers(full)
        assert len({answer[2] for answer in answers(full)}) > 3
        for instrument in full.instruments:
            full_eif, brief_eif = full.entry_into_force(instrument), brief.entry_into_force(instrument)
            assert (brief_eif.date, brief_eif.uncertain, brief_eif.describe()) == (
                full_eif.date,
                full_eif.uncertain,
                full_eif.describe(),
            )

    def test_an_instrument_level_entry_into_force_keeps_its_link_and_inferred_mark(self, six_states):
        instrument = make_instrument()
        stated = make_event(instrument=instrument, type=Event.Type.IN_FORCE, inferred=True)

        eif = status_matrix(as_of=D(2024, 1, 1), brief=True).entry_into_force(instrument)

        assert eif.stated_by.get_absolute_url() == stated.get_absolute_url()
        assert eif.stated_by.inferred
        assert eif.stated_by.source.get_absolute_url() == stated.source.get_absolute_url()


class TestStreamedPairs:
    """``iter_status_pairs`` is what the whole-record exports read: the same answers in flat memory."""

    def test_it_gives_the_same_statuses_as_the_matrix_in_title_order(self):
        call_command("generate_synthetic", states=8, instruments=25, events=600, seed=3, stdout=io.StringIO())
        as_of = D(2015, 6, 1)

        streamed = [(i.pk, s.pk, st.code, st.since, evidence(st)) for i, s, st in iter_status_pairs(as_of=as_of)]
        matrix = status_matrix(as_of=as_of, instruments=Instrument.objects.order_by("title", "pk"))
        expected = [(i.pk, s.pk, st.code, st.since, evidence(st)) for i, s, st in matrix.pairs()]

        assert streamed == expected
        assert len({code for _, _, code, _, _ in streamed}) > 3

    def test_it_narrows_to_the_instruments_and_states_asked_for(self, six_states):
        wanted, other = make_instrument(title="B wanted"), make_instrument(title="A other")
        make_event(instrument=wanted, state=six_states["ARM"], source=make_source(date=D(2023, 5, 18)))
        make_event(instrument=other, state=six_states["ARM"], source=make_source(date=D(2023, 5, 18)))

        pairs = list(
            iter_status_pairs(
                as_of=D(2024, 1, 1), instruments=Instrument.objects.filter(pk=wanted.pk), states=[six_states["ARM"]]
            )
        )

        assert [(i, s, status.code) for i, s, status in pairs] == [(wanted, six_states["ARM"], Status.RATIFIED)]

    def test_it_reads_the_record_in_three_queries_however_many_instruments(self, six_states, django_assert_num_queries):
        for n in range(5):
            instrument = make_instrument()
            make_event(instrument=instrument, state=six_states["KAZ"], source=make_source(date=D(2020, 1, n + 1)))

        with django_assert_num_queries(3):
            pairs = list(iter_status_pairs(as_of=D(2024, 1, 1)))

        assert len(pairs) == 5 * 6


def test_the_matrix_leaves_the_garbage_collector_as_it_found_it(six_states):
    make_event(instrument=make_instrument(), state=six_states["ARM"])

    status_matrix(as_of=D(2024, 1, 1))
    assert gc.isenabled()

    gc.disable()
    try:
        status_matrix(as_of=D(2024, 1, 1))
        assert not gc.isenabled()
    finally:
        gc.enable()

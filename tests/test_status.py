"""The status engine, specified by example."""

import ast
import dataclasses
import datetime
import gc
import inspect
import io

import pytest
from django.core.management import call_command
from django.utils import translation

import tracker.status
import tracker.status_rules
import tracker.status_vocabulary
from tests.builders import make_event, make_instrument, make_source, make_state
from tracker.models import Event, Instrument
from tracker.status import (
    EventFacts,
    Status,
    changed_pairs,
    instrument_history,
    iter_status_pairs,
    status_as_of,
    status_matrix,
)
from tracker.wording import describe_entry_into_force

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
        assert describe_entry_into_force(eif) == "2 more ratifications needed: Armenia, Kazakhstan"

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

        assert (eif.date, eif.uncertain, describe_entry_into_force(eif)) == (
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

        assert describe_entry_into_force(eif) == "In force by 31 December 2003 (inferred from the source)"

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
            assert describe_entry_into_force(missing_for[3]) == "Нужны ещё 3 ратификации: Армения, Russia, Таджикистан"
            assert describe_entry_into_force(missing_for[2]) == "Нужны ещё 2 ратификации: Армения, Таджикистан"
        eleven = dataclasses.replace(missing_for[2], missing_count=11, waiting_for=())
        twenty_one = dataclasses.replace(eleven, missing_count=21)
        with translation.override("ru"):
            assert describe_entry_into_force(eleven) == "Нужно ещё 11 ратификаций"
            assert describe_entry_into_force(twenty_one) == "Нужна ещё 21 ратификация"
        assert describe_entry_into_force(eleven) == "11 more ratifications needed"

    def test_without_a_rule_or_a_stated_date_the_page_says_no_rule_is_recorded(self, six_states):
        eif = instrument_history(make_instrument(), as_of=D(2024, 1, 1)).entry_into_force

        assert describe_entry_into_force(eif) == "Not known to be in force; no entry-into-force rule recorded"


class TestCouncilDecisions:
    def test_a_decision_adopted_by_the_council_is_adopted_for_every_member_that_day(self, six_states):
        decision = make_instrument(kind=Instrument.Kind.DECISION, needs_ratification=False)
        make_event(instrument=decision, type="adopted", source=make_source(date=D(2022, 11, 23)), precision="day")
        newcomer = make_state(member_since=D(2024, 1, 1))

        matrix = status_matrix(as_of=D(2024, 6, 1))

        assert {matrix.status(decision, state).code for state in six_states.values()} == {Status.ADOPTED}
        assert matrix.status(decision, newcomer).code == Status.NO_RECORD


class TestTheMatrix:
    def test_it_shows_only_the_states_asked_for_but_counts_every_member_for_the_rule(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.ALL_PARTIES)
        report(protocol, six_states["ARM"], D(2020, 1, 1))

        matrix = status_matrix(as_of=D(2024, 1, 1), states=[six_states["ARM"]])

        assert (matrix.as_of, matrix.states) == (D(2024, 1, 1), [six_states["ARM"]])
        assert [(state, status.code) for _, state, status in matrix.pairs()] == [(six_states["ARM"], Status.RATIFIED)]
        assert not matrix.entry_into_force(protocol).in_force

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

        # States, instruments, the spans' stamp, status spans, entry-into-force spans, their events (issue 18).
        grow(2)
        with django_assert_num_queries(6):
            status_matrix(as_of=D(2024, 1, 1))
        grow(20)
        with django_assert_num_queries(6):
            small_then_large = status_matrix(as_of=D(2024, 1, 1))
        assert len(list(small_then_large.pairs())) == 22 * 6

    def test_changed_pairs_lists_only_the_cells_that_differ_between_two_dates(self, six_states):
        protocol = make_instrument()
        make_event(instrument=protocol, state=six_states["KAZ"], source=make_source(date=D(2023, 12, 19)))

        before = status_matrix(as_of=D(2023, 6, 1))
        after = status_matrix(as_of=D(2024, 1, 1))

        assert changed_pairs(before, after) == {(protocol.pk, six_states["KAZ"].pk)}


def test_one_instruments_history_ignores_the_events_of_the_others(six_states):
    quiet, busy = make_instrument(), make_instrument(eif_rule=Instrument.EntryIntoForceRule.ALL_PARTIES)
    for state in six_states.values():
        report(busy, state, D(2020, 1, 1))

    history = instrument_history(quiet, as_of=D(2024, 1, 1))

    assert history.transitions == {}
    assert status_as_of(quiet, six_states["ARM"], D(2024, 1, 1)).code == Status.NO_RECORD


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
                (
                    (i.pk, s.pk, st.code, st.since, st.precision, st.inferred, st.computed, evidence(st)),
                    [event.pk for event in st.rests_on],
                )
                for i, s, st in matrix.pairs()
            ]

        full, brief = status_matrix(as_of=as_of), status_matrix(as_of=as_of, brief=True)
        assert answers(brief) == answers(full)
        assert len({answer[0][2] for answer in answers(full)}) > 3
        assert any(len(rests_on) > 2 for _answer, rests_on in answers(full))
        for instrument in full.instruments:
            full_eif, brief_eif = full.entry_into_force(instrument), brief.entry_into_force(instrument)
            assert (brief_eif.date, brief_eif.uncertain, describe_entry_into_force(brief_eif)) == (
                full_eif.date,
                full_eif.uncertain,
                describe_entry_into_force(full_eif),
            )

    def test_it_carries_plain_rows_and_the_full_matrix_model_instances(self, six_states):
        instrument = make_instrument()
        make_event(instrument=instrument, state=six_states["ARM"])

        brief = status_matrix(as_of=D(2024, 1, 1), brief=True).status(instrument, six_states["ARM"])
        full = status_matrix(as_of=D(2024, 1, 1)).status(instrument, six_states["ARM"])

        assert isinstance(brief.event, EventFacts) and isinstance(full.event, Event)

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

    def test_instruments_of_the_same_title_keep_their_own_events(self, six_states):
        twins = [make_instrument(title="Twin"), make_instrument(title="Twin")]
        for day in (D(2020, 1, 1), D(2020, 2, 1), D(2020, 3, 1)):
            for twin, iso3 in zip(twins, ("ARM", "BLR"), strict=True):
                report(twin, six_states[iso3], day, Event.Type.SIGNED if day.month < 3 else Event.Type.RATIFIED)

        pairs = {(i.pk, s.iso3): st.code for i, s, st in iter_status_pairs(as_of=D(2021, 1, 1))}

        assert pairs[(twins[0].pk, "ARM")] == pairs[(twins[1].pk, "BLR")] == Status.RATIFIED
        assert pairs[(twins[0].pk, "BLR")] == pairs[(twins[1].pk, "ARM")] == Status.NO_RECORD

    def test_it_reads_only_what_is_known_by_the_date(self, six_states):
        protocol = make_instrument(title="Fourth Protocol", short_title="Fourth Protocol")
        vague = report(protocol, six_states["ARM"], D(2020, 1, 1), text="All these instruments are ratified.")
        report(protocol, six_states["ARM"], D(2022, 1, 1), text="The Fourth Protocol is ratified.")

        assert status_matrix(as_of=D(2021, 1, 1)).status(protocol, six_states["ARM"]).event == vague
        for instruments in (None, Instrument.objects.all()):
            [(_, _, status)] = list(
                iter_status_pairs(as_of=D(2021, 1, 1), instruments=instruments, states=[six_states["ARM"]])
            )
            assert status.event.pk == vague.pk

    def test_a_record_with_instruments_but_no_events_gives_no_record_everywhere(self, six_states):
        make_instrument()

        assert {status.code for _, _, status in iter_status_pairs(as_of=D(2024, 1, 1))} == {Status.NO_RECORD}

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

        # States, instruments, the spans' stamp, then per 100 instruments status spans, entries, events (issue 18).
        with django_assert_num_queries(6):
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


# One test (or one table) per rule of the engine: each fails when its rule is broken (issue 14). The mutation run
# in README ("How the record works") checks that they do.


def report(instrument, state, day, event_type=Event.Type.RATIFIED, *, precision="day", source_day=None, **fields):
    """A report of one step for one state (or for the instrument, with ``state=None``) in its own source."""
    text = fields.pop("text", "The Protocol has been ratified by the Republic of Belarus.")
    source = make_source(date=source_day or day, text=text)
    fields.setdefault("quote", text)
    return make_event(
        instrument=instrument, state=state, source=source, type=event_type, date=day, precision=precision, **fields
    )


def codes_over_time(history, state, days):
    return [history.status_of(state.pk, day).code for day in days]


class TestDatesAndPrecision:
    def test_a_month_precision_event_with_an_earlier_source_date_counts_from_the_source_date(self, six_states):
        protocol = make_instrument()
        event = report(protocol, six_states["BLR"], D(2023, 5, 1), precision="month", source_day=D(2023, 5, 18))

        assert event.known_from == D(2023, 5, 18)
        assert status_as_of(protocol, six_states["BLR"], D(2023, 5, 17)).code == Status.NO_RECORD
        status = status_as_of(protocol, six_states["BLR"], D(2023, 5, 18))
        assert (status.code, status.since, status.precision) == (Status.RATIFIED, D(2023, 5, 18), "month")

    def test_a_status_holds_from_its_day_and_not_the_day_before(self, six_states):
        protocol = make_instrument()
        report(protocol, six_states["BLR"], D(2023, 5, 18))
        history = instrument_history(protocol, as_of=D(2024, 1, 1))

        assert codes_over_time(history, six_states["BLR"], [D(2023, 5, 17), D(2023, 5, 18)]) == [
            Status.NO_RECORD,
            Status.RATIFIED,
        ]

    def test_steps_reported_on_the_same_day_are_taken_in_the_order_of_the_path(self, six_states):
        protocol = make_instrument()
        belarus = six_states["BLR"]
        report(protocol, belarus, D(2023, 5, 18), Event.Type.RATIFIED)
        report(protocol, belarus, D(2023, 5, 18), Event.Type.SIGNED)

        history = instrument_history(protocol, as_of=D(2024, 1, 1))

        assert [change.code for change in history.transitions[belarus.pk]] == [Status.SIGNED, Status.RATIFIED]


class TestRepeatedReports:
    def test_a_repeated_report_of_the_same_step_keeps_the_first_date(self, six_states):
        protocol = make_instrument()
        first = report(protocol, six_states["BLR"], D(2023, 5, 18))
        report(protocol, six_states["BLR"], D(2023, 12, 19))

        status = status_as_of(protocol, six_states["BLR"], D(2024, 1, 1))

        assert (status.code, status.since, status.event) == (Status.RATIFIED, D(2023, 5, 18), first)
        assert len(instrument_history(protocol, as_of=D(2024, 1, 1)).transitions[six_states["BLR"].pk]) == 1

    def test_a_later_sentence_that_names_the_instrument_is_shown_as_evidence_but_the_date_stays(self, six_states):
        protocol = make_instrument(title="Fourth Protocol on Amendments to the Charter", short_title="Fourth Protocol")
        vague = report(
            protocol,
            six_states["KAZ"],
            D(2023, 5, 18),
            Event.Type.RATIFICATION_PENDING,
            text="I would ask for your assistance in completing the ratification procedures.",
        )
        naming = report(
            protocol,
            six_states["KAZ"],
            D(2023, 12, 19),
            Event.Type.RATIFICATION_PENDING,
            text="The consideration of the Fourth Protocol at the parliamentary level is continuing.",
        )

        status = status_as_of(protocol, six_states["KAZ"], D(2024, 1, 1))

        assert (status.code, status.since, status.event) == (Status.PENDING, D(2023, 5, 18), naming)
        assert status.rests_on == (vague, naming)
        assert status_as_of(protocol, six_states["KAZ"], D(2023, 6, 1)).event == vague

    @pytest.mark.parametrize(
        ("first", "second", "shown"),
        [
            # (quote, inferred) of two reports of the same step; which one the status shows.
            (
                ("Ratification of all these instruments is complete.", False),
                ("The Fourth Protocol is ratified.", True),
                2,
            ),
            (("The Fourth Protocol is ratified.", False), ("The Fourth Protocol is ratified by Kazakhstan.", False), 2),
            (("The Fourth Protocol is ratified.", True), ("The Fourth Protocol is ratified.", False), 2),
            (("The Fourth Protocol is ratified by Kazakhstan.", True), ("The Fourth Protocol is ratified.", False), 1),
            (
                ("The Fourth Protocol is ratified.", False),
                ("Ratification of all these instruments is complete.", False),
                1,
            ),
            (("The Fourth Protocol is ratified.", False), ("The Fourth Protocol is ratified.", False), 1),
        ],
    )
    def test_the_strongest_sentence_is_the_evidence(self, six_states, first, second, shown):
        protocol = make_instrument(title="Fourth Protocol on Amendments", short_title="Fourth Protocol")
        events = [
            report(protocol, six_states["KAZ"], day, text=quote, inferred=inferred)
            for day, (quote, inferred) in [(D(2023, 5, 18), first), (D(2023, 12, 19), second)]
        ]

        status = status_as_of(protocol, six_states["KAZ"], D(2024, 1, 1))

        assert status.event == events[shown - 1]
        assert status.since == D(2023, 5, 18)
        assert status.inferred == first[1]

    @pytest.mark.parametrize(
        ("field", "name"), [("official_name", "the Kyrgyz Republic"), ("official_name_ru", "Киргизская Республика")]
    )
    def test_a_state_is_named_by_its_official_name_too(self, six_states, field, name):
        kyrgyzstan = six_states["KGZ"]
        setattr(kyrgyzstan, field, name.removeprefix("the "))
        kyrgyzstan.save()
        protocol = make_instrument(title="Fourth Protocol on Amendments", short_title="Fourth Protocol")
        report(protocol, kyrgyzstan, D(2023, 5, 18), text="The Fourth Protocol is ratified.")
        naming = report(protocol, kyrgyzstan, D(2023, 12, 19), text=f"The Fourth Protocol is ratified by {name}.")

        assert status_as_of(protocol, kyrgyzstan, D(2024, 1, 1)).event == naming


class TestEndingAndRejoining:
    @pytest.mark.parametrize("ending", [Event.Type.WITHDRAWN, Event.Type.SUSPENDED])
    def test_a_withdrawal_or_suspension_ends_the_run(self, six_states, ending):
        agreement = make_instrument()
        armenia = six_states["ARM"]
        report(agreement, armenia, D(2020, 1, 1))
        report(agreement, armenia, D(2021, 1, 1), ending)
        report(agreement, armenia, D(2021, 6, 1), Event.Type.IN_FORCE)

        history = instrument_history(agreement, as_of=D(2022, 1, 1))

        assert codes_over_time(history, armenia, [D(2020, 6, 1), D(2021, 2, 1), D(2021, 7, 1)]) == [
            Status.RATIFIED,
            Status.WITHDRAWN,
            Status.IN_FORCE,
        ]

    def test_a_second_withdrawal_report_does_not_move_the_date_of_the_first(self, six_states):
        agreement = make_instrument()
        armenia = six_states["ARM"]
        report(agreement, armenia, D(2020, 1, 1))
        report(agreement, armenia, D(2021, 1, 1), Event.Type.WITHDRAWN)
        report(agreement, armenia, D(2021, 3, 1), Event.Type.SUSPENDED)

        status = status_as_of(agreement, armenia, D(2022, 1, 1))

        assert (status.code, status.since) == (Status.WITHDRAWN, D(2021, 1, 1))

    def test_a_step_known_the_same_day_as_the_withdrawal_does_not_undo_it_but_a_later_one_does(self, six_states):
        agreement = make_instrument()
        armenia = six_states["ARM"]
        report(agreement, armenia, D(2021, 1, 1), Event.Type.WITHDRAWN)
        report(agreement, armenia, D(2021, 1, 1), Event.Type.RATIFIED)
        report(agreement, armenia, D(2022, 1, 1), Event.Type.RATIFIED)

        history = instrument_history(agreement, as_of=D(2023, 1, 1))

        assert codes_over_time(history, armenia, [D(2021, 6, 1), D(2022, 6, 1)]) == [Status.WITHDRAWN, Status.RATIFIED]

    def test_after_rejoining_steps_only_move_forward_again(self, six_states):
        agreement = make_instrument()
        armenia = six_states["ARM"]
        report(agreement, armenia, D(2020, 1, 1))
        report(agreement, armenia, D(2021, 1, 1), Event.Type.WITHDRAWN)
        report(agreement, armenia, D(2022, 1, 1), Event.Type.RATIFIED)
        report(agreement, armenia, D(2022, 6, 1), Event.Type.RATIFICATION_PENDING)

        status = status_as_of(agreement, armenia, D(2023, 1, 1))

        assert (status.code, status.since) == (Status.RATIFIED, D(2022, 1, 1))

    def test_a_run_with_its_own_in_force_report_does_not_stop_an_earlier_run_from_being_computed(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.NTH_RATIFICATION, eif_threshold=1)
        armenia = six_states["ARM"]
        report(protocol, armenia, D(2019, 1, 1))
        report(protocol, armenia, D(2020, 1, 1), Event.Type.WITHDRAWN)
        report(protocol, armenia, D(2022, 1, 1), Event.Type.IN_FORCE)

        history = instrument_history(protocol, as_of=D(2023, 1, 1))

        assert codes_over_time(history, armenia, [D(2019, 6, 1), D(2021, 1, 1), D(2022, 6, 1)]) == [
            Status.IN_FORCE,
            Status.WITHDRAWN,
            Status.IN_FORCE,
        ]

    def test_a_state_that_withdraws_the_day_the_rule_is_met_is_never_in_force(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.NTH_RATIFICATION, eif_threshold=2)
        armenia = six_states["ARM"]
        report(protocol, armenia, D(2019, 1, 1))
        report(protocol, six_states["BLR"], D(2020, 1, 1))
        report(protocol, six_states["RUS"], D(2020, 1, 1))
        report(protocol, armenia, D(2020, 1, 1), Event.Type.WITHDRAWN)

        history = instrument_history(protocol, as_of=D(2023, 1, 1))

        assert history.entry_into_force.date == D(2020, 1, 1)
        assert [change.code for change in history.transitions[armenia.pk]] == [Status.RATIFIED, Status.WITHDRAWN]

    def test_a_withdrawn_state_does_not_count_toward_an_all_parties_rule(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.ALL_PARTIES)
        report(protocol, six_states["ARM"], D(2019, 1, 1))
        report(protocol, six_states["ARM"], D(2019, 6, 1), Event.Type.WITHDRAWN)
        for iso3 in ("BLR", "KAZ", "KGZ", "RUS", "TJK"):
            report(protocol, six_states[iso3], D(2020, 1, 1))

        eif = instrument_history(protocol, as_of=D(2021, 1, 1)).entry_into_force

        assert not eif.in_force
        assert [state.iso3 for state in eif.waiting_for] == ["ARM"]

    def test_a_state_is_no_longer_counted_on_the_day_it_withdraws(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.ALL_PARTIES)
        report(protocol, six_states["ARM"], D(2019, 1, 1))
        report(protocol, six_states["ARM"], D(2020, 1, 1), Event.Type.WITHDRAWN)
        for iso3 in ("BLR", "KAZ", "KGZ", "RUS", "TJK"):
            report(protocol, six_states[iso3], D(2020, 1, 1))

        assert not instrument_history(protocol, as_of=D(2021, 1, 1)).entry_into_force.in_force

    def test_a_withdrawal_known_the_same_day_as_a_step_is_taken_first(self, six_states):
        agreement = make_instrument()
        armenia = six_states["ARM"]
        report(agreement, armenia, D(2021, 1, 1), Event.Type.SIGNED)
        report(agreement, armenia, D(2021, 1, 1), Event.Type.WITHDRAWN)

        history = instrument_history(agreement, as_of=D(2022, 1, 1))

        assert [change.code for change in history.transitions[armenia.pk]] == [Status.WITHDRAWN]

    def test_a_state_that_ratifies_again_after_withdrawing_is_in_force_from_its_new_ratification(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.NTH_RATIFICATION, eif_threshold=2)
        armenia = six_states["ARM"]
        report(protocol, six_states["BLR"], D(2019, 1, 1))
        report(protocol, six_states["RUS"], D(2019, 2, 1))
        report(protocol, armenia, D(2019, 3, 1))
        report(protocol, armenia, D(2020, 1, 1), Event.Type.WITHDRAWN)
        report(protocol, armenia, D(2022, 1, 1))

        history = instrument_history(protocol, as_of=D(2023, 1, 1))

        assert codes_over_time(history, armenia, [D(2019, 6, 1), D(2021, 1, 1), D(2022, 6, 1)]) == [
            Status.IN_FORCE,
            Status.WITHDRAWN,
            Status.IN_FORCE,
        ]
        assert history.status_of(armenia.pk, D(2022, 6, 1)).since == D(2022, 1, 1)

    def test_an_instrument_in_force_stays_in_force_when_a_party_later_withdraws(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.ALL_PARTIES)
        for iso3 in six_states:
            report(protocol, six_states[iso3], D(2020, 1, 1))
        report(protocol, six_states["ARM"], D(2022, 1, 1), Event.Type.WITHDRAWN)

        history = instrument_history(protocol, as_of=D(2023, 1, 1))

        assert history.entry_into_force.date == D(2020, 1, 1)
        assert history.status_of(six_states["ARM"].pk).code == Status.WITHDRAWN
        assert history.status_of(six_states["BLR"].pk).code == Status.IN_FORCE


class TestMembership:
    def test_a_treaty_in_force_for_all_parties_stays_in_force_when_a_new_member_joins_later(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.ALL_PARTIES)
        for state in six_states.values():
            report(protocol, state, D(2020, 1, 1))
        newcomer = make_state(member_since=D(2022, 1, 1))

        history = instrument_history(protocol, as_of=D(2023, 1, 1))

        assert history.entry_into_force.date == D(2020, 1, 1)
        assert history.status_of(six_states["BLR"].pk).code == Status.IN_FORCE
        assert history.status_of(newcomer.pk).code == Status.NO_RECORD

    def test_a_member_that_joins_before_the_rule_is_met_is_waited_for(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.ALL_PARTIES)
        newcomer = make_state(member_since=D(2019, 1, 1))
        for state in six_states.values():
            report(protocol, state, D(2020, 1, 1))

        eif = instrument_history(protocol, as_of=D(2021, 1, 1)).entry_into_force
        assert (eif.in_force, eif.missing_count, eif.waiting_for) == (False, 1, (newcomer,))

        report(protocol, newcomer, D(2021, 3, 1))
        assert instrument_history(protocol, as_of=D(2022, 1, 1)).entry_into_force.date == D(2021, 3, 1)

    def test_a_state_that_has_left_is_not_waited_for(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.ALL_PARTIES)
        armenia = six_states["ARM"]
        armenia.member_until = D(2019, 1, 1)
        armenia.save()
        for iso3 in ("BLR", "KAZ", "KGZ", "RUS", "TJK"):
            report(protocol, six_states[iso3], D(2020, 1, 1))

        assert instrument_history(protocol, as_of=D(2021, 1, 1)).entry_into_force.date == D(2020, 1, 1)

    def test_a_state_that_has_left_is_not_bound_by_a_decision_adopted_after(self, six_states):
        decision = make_instrument(kind=Instrument.Kind.DECISION, needs_ratification=False)
        armenia = six_states["ARM"]
        armenia.member_until = D(2022, 1, 1)
        armenia.save()
        report(decision, None, D(2022, 11, 23), Event.Type.ADOPTED)
        report(make_instrument(kind=Instrument.Kind.DECISION, needs_ratification=False), None, D(2021, 1, 1), "adopted")

        matrix = status_matrix(as_of=D(2023, 1, 1))

        assert matrix.status(decision, armenia).code == Status.NO_RECORD
        assert matrix.status(decision, six_states["BLR"]).code == Status.ADOPTED
        assert {matrix.status(instrument, armenia).code for instrument in matrix.instruments} == {
            Status.NO_RECORD,
            Status.ADOPTED,
        }


class TestComputedStatuses:
    def all_parties_protocol(self, six_states, inferred_for=()):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.ALL_PARTIES)
        events = {
            iso3: report(protocol, state, D(2023, 5, 18), inferred=iso3 in inferred_for)
            for iso3, state in six_states.items()
        }
        return protocol, events

    def test_a_status_computed_from_stated_ratifications_is_stated_and_exact(self, six_states):
        protocol, events = self.all_parties_protocol(six_states)

        status = status_as_of(protocol, six_states["BLR"], D(2024, 1, 1))

        assert (status.code, status.computed, status.inferred) == (Status.IN_FORCE, True, False)
        assert status.precision == Event.Precision.DAY
        assert set(status.rests_on) == set(events.values())
        assert len(status.rests_on) == 6  # each event once, the state's own ratification too
        assert status.event == events["BLR"]

    def test_an_entry_into_force_computed_from_stated_ratifications_says_so(self, six_states):
        protocol, _events = self.all_parties_protocol(six_states)

        eif = instrument_history(protocol, as_of=D(2024, 1, 1)).entry_into_force

        assert not eif.inferred
        assert describe_entry_into_force(eif) == "In force since 18 May 2023 (computed from its rule)"

    def test_a_status_computed_from_one_inferred_ratification_is_inferred_for_every_state(self, six_states):
        protocol, _events = self.all_parties_protocol(six_states, inferred_for=["ARM"])

        history = instrument_history(protocol, as_of=D(2024, 1, 1))

        assert all(history.status_of(state.pk).inferred for state in six_states.values())
        assert history.entry_into_force.inferred
        assert describe_entry_into_force(history.entry_into_force) == (
            "In force since 18 May 2023 (computed from its rule, from inferred ratifications)"
        )

    def test_a_computed_status_is_on_or_before_when_the_states_own_date_is(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.NTH_RATIFICATION, eif_threshold=1)
        report(protocol, six_states["BLR"], D(2020, 1, 1))
        report(protocol, six_states["RUS"], D(2021, 1, 1), precision="on_or_before")

        history = instrument_history(protocol, as_of=D(2022, 1, 1))

        assert history.status_of(six_states["BLR"].pk).precision == Event.Precision.DAY
        assert history.status_of(six_states["RUS"].pk).precision == Event.Precision.ON_OR_BEFORE
        assert not history.entry_into_force.uncertain

    def test_a_computed_status_is_on_or_before_when_the_entry_into_force_is(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.NTH_RATIFICATION, eif_threshold=2)
        report(protocol, six_states["BLR"], D(2020, 1, 1))
        report(protocol, six_states["RUS"], D(2021, 1, 1), precision="on_or_before")

        history = instrument_history(protocol, as_of=D(2022, 1, 1))

        assert history.entry_into_force.uncertain
        assert history.status_of(six_states["BLR"].pk).precision == Event.Precision.ON_OR_BEFORE
        assert history.status_of(six_states["BLR"].pk).since == D(2021, 1, 1)

    def test_a_state_with_its_own_in_force_report_keeps_it_rather_than_a_computed_one(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.NTH_RATIFICATION, eif_threshold=1)
        own = report(protocol, six_states["BLR"], D(2020, 1, 1), Event.Type.IN_FORCE)
        report(protocol, six_states["RUS"], D(2019, 1, 1))

        status = status_as_of(protocol, six_states["BLR"], D(2022, 1, 1))

        assert (status.code, status.computed, status.event) == (Status.IN_FORCE, False, own)

    def test_the_first_stated_entry_into_force_wins_and_the_status_rests_on_it(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.ALL_PARTIES)
        ratification = report(protocol, six_states["BLR"], D(2019, 1, 1))
        later = report(protocol, None, D(2021, 1, 1), Event.Type.IN_FORCE)
        first = report(protocol, None, D(2020, 1, 1), Event.Type.IN_FORCE, inferred=True)

        history = instrument_history(protocol, as_of=D(2022, 1, 1))
        status = history.status_of(six_states["BLR"].pk)

        assert history.entry_into_force.stated_by == first != later
        assert (history.entry_into_force.inferred, history.entry_into_force.rule_recorded) == (True, True)
        assert (status.since, status.event, status.inferred) == (D(2020, 1, 1), first, True)
        assert status.rests_on == (ratification, first)

    def test_a_notification_after_the_computed_entry_into_force_does_not_step_back_to_ratified(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.NTH_RATIFICATION, eif_threshold=2)
        report(protocol, six_states["RUS"], D(2019, 1, 1))
        report(protocol, six_states["BLR"], D(2020, 1, 1))
        report(protocol, six_states["BLR"], D(2020, 3, 1), Event.Type.NOTIFIED)

        history = instrument_history(protocol, as_of=D(2021, 1, 1))

        assert codes_over_time(history, six_states["BLR"], [D(2019, 6, 1), D(2020, 2, 1), D(2020, 4, 1)]) == [
            Status.NO_RECORD,
            Status.IN_FORCE,
            Status.IN_FORCE,
        ]
        assert [change.code for change in history.transitions[six_states["BLR"].pk]] == [Status.IN_FORCE]

    def test_the_nth_rule_needs_exactly_n_ratifications(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.NTH_RATIFICATION, eif_threshold=3)
        report(protocol, six_states["BLR"], D(2020, 1, 1))
        report(protocol, six_states["RUS"], D(2020, 2, 1))

        short = instrument_history(protocol, as_of=D(2021, 1, 1)).entry_into_force
        report(protocol, six_states["KAZ"], D(2020, 3, 1))
        met = instrument_history(protocol, as_of=D(2021, 1, 1)).entry_into_force

        assert (short.in_force, short.missing_count) == (False, 1)
        assert met.date == D(2020, 3, 1)

    def test_a_notification_counts_as_a_ratification_for_the_rule(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.NTH_RATIFICATION, eif_threshold=1)
        report(protocol, six_states["BLR"], D(2020, 1, 1), Event.Type.NOTIFIED)

        assert instrument_history(protocol, as_of=D(2021, 1, 1)).entry_into_force.date == D(2020, 1, 1)

    @pytest.mark.parametrize("step", [Event.Type.SIGNED, Event.Type.RATIFICATION_PENDING])
    def test_a_signature_or_a_pending_ratification_does_not_count_for_the_rule(self, six_states, step):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.NTH_RATIFICATION, eif_threshold=1)
        report(protocol, six_states["BLR"], D(2020, 1, 1), step)

        assert not instrument_history(protocol, as_of=D(2021, 1, 1)).entry_into_force.in_force


class TestAdoption:
    def test_a_treaty_level_adoption_of_an_instrument_that_needs_ratification_counts_for_no_state(self, six_states):
        agreement = make_instrument(needs_ratification=True)
        report(agreement, None, D(2022, 11, 23), Event.Type.ADOPTED)

        matrix = status_matrix(as_of=D(2023, 1, 1))

        assert {matrix.status(agreement, state).code for state in six_states.values()} == {Status.NO_RECORD}
        assert not matrix.entry_into_force(agreement).in_force

    def test_a_decision_is_in_force_from_its_adoption_and_waits_for_nobody(self, six_states):
        decision = make_instrument(kind=Instrument.Kind.DECISION, needs_ratification=False)
        adoption = report(decision, None, D(2022, 11, 23), Event.Type.ADOPTED, inferred=True)

        eif = instrument_history(decision, as_of=D(2023, 1, 1)).entry_into_force

        assert (eif.date, eif.binds_on_adoption, eif.inferred, eif.waiting_for) == (D(2022, 11, 23), True, True, ())
        assert eif.stated_by is None
        assert eif.rests_on == (adoption,)
        assert describe_entry_into_force(eif) == "In force since 23 November 2022 (binding on adoption)"

    def test_a_decision_whose_entry_into_force_a_source_states_keeps_that_statement(self, six_states):
        decision = make_instrument(kind=Instrument.Kind.DECISION, needs_ratification=False)
        stated = report(decision, None, D(2022, 12, 1), Event.Type.IN_FORCE)
        report(decision, None, D(2022, 12, 2), Event.Type.ADOPTED)

        eif = instrument_history(decision, as_of=D(2023, 1, 1)).entry_into_force

        assert (eif.date, eif.stated_by, eif.binds_on_adoption, eif.rests_on) == (
            D(2022, 12, 1),
            stated,
            True,
            (stated,),
        )
        assert describe_entry_into_force(eif) == "In force since 1 December 2022 (binding on adoption)"

    def test_a_decision_not_yet_adopted_says_so(self, six_states):
        decision = make_instrument(kind=Instrument.Kind.DECISION, needs_ratification=False)

        eif = instrument_history(decision, as_of=D(2023, 1, 1)).entry_into_force

        assert (eif.in_force, eif.missing_count, eif.waiting_for) == (False, None, ())
        assert describe_entry_into_force(eif) == "Binds on adoption; no adoption recorded"

    def test_a_decision_takes_its_first_adoption_report(self, six_states):
        decision = make_instrument(kind=Instrument.Kind.DECISION, needs_ratification=False)
        report(decision, None, D(2023, 12, 19), Event.Type.ADOPTED, precision="on_or_before")
        report(decision, None, D(2022, 11, 23), Event.Type.ADOPTED)

        eif = instrument_history(decision, as_of=D(2024, 1, 1)).entry_into_force

        assert (eif.date, eif.uncertain) == (D(2022, 11, 23), False)


class TestNotYetReports:
    def test_a_not_yet_in_force_report_changes_no_status_and_is_kept_as_evidence(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.NTH_RATIFICATION, eif_threshold=1)
        report(protocol, six_states["BLR"], D(2023, 1, 1))
        not_yet = report(protocol, None, D(2023, 5, 18), Event.Type.NOT_IN_FORCE)
        for_a_state = report(protocol, six_states["ARM"], D(2023, 5, 18), Event.Type.NOT_IN_FORCE)

        history = instrument_history(protocol, as_of=D(2024, 1, 1))

        assert history.not_yet == [not_yet, for_a_state]
        assert history.status_of(six_states["BLR"].pk).code == Status.IN_FORCE
        assert history.status_of(six_states["ARM"].pk).code == Status.NO_RECORD
        assert history.entry_into_force.date == D(2023, 1, 1)


class TestComparingDates:
    def test_a_change_of_date_with_the_same_status_is_a_change(self, six_states):
        agreement = make_instrument()
        armenia = six_states["ARM"]
        report(agreement, armenia, D(2020, 1, 1))
        report(agreement, armenia, D(2021, 1, 1), Event.Type.WITHDRAWN)
        report(agreement, armenia, D(2022, 1, 1))

        before, after = status_matrix(as_of=D(2020, 6, 1)), status_matrix(as_of=D(2022, 6, 1))

        assert before.status(agreement, armenia).code == after.status(agreement, armenia).code
        assert changed_pairs(before, after) == {(agreement.pk, armenia.pk)}

    def test_the_same_status_on_two_dates_is_no_change(self, six_states):
        agreement = make_instrument()
        report(agreement, six_states["ARM"], D(2020, 1, 1))

        assert changed_pairs(status_matrix(as_of=D(2020, 6, 1)), status_matrix(as_of=D(2022, 6, 1))) == set()

    def test_an_instrument_missing_from_the_earlier_matrix_is_skipped_and_the_others_still_compared(self, six_states):
        missing = make_instrument(title="A missing")
        report(missing, six_states["ARM"], D(2020, 1, 1))
        changed = make_instrument(title="B changed")
        report(changed, six_states["ARM"], D(2020, 1, 1))

        before = status_matrix(as_of=D(2019, 1, 1), instruments=[changed])
        after = status_matrix(as_of=D(2022, 1, 1))

        assert changed_pairs(before, after) == {(changed.pk, six_states["ARM"].pk)}


class TestTheEngineReturnsFacts:
    # Presentation imports the engine had before issue 19; the choices' labels (gettext_lazy) are vocabulary.
    PRESENTATION = {"django.urls", "django.utils.formats", "django.template", "tracker.wording", "tracker.templatetags"}
    WORDING_CALLS = {"gettext", "ngettext", "pgettext", "npgettext", "reverse", "date_format"}

    @pytest.mark.parametrize("module", [tracker.status, tracker.status_rules, tracker.status_vocabulary])
    def test_it_imports_no_wording_and_no_addresses(self, module):
        imported = set()
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            if isinstance(node, ast.ImportFrom):
                imported |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}

        assert not {name for name in imported if name.startswith(tuple(self.PRESENTATION))}
        assert not imported & self.WORDING_CALLS

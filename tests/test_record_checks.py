"""The data checks flag what cannot be true, and leave the honest record alone."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from tests.builders import make_event, make_instrument, make_source
from tracker.models import Event, Instrument
from tracker.record_checks import Code, find_problems, problems_for_event

pytestmark = pytest.mark.django_db

D = datetime.date
TEXT = "The Agreement was signed on 10 March 2021. The Republic of Belarus has ratified it."


def codes(problems):
    return sorted(problem.code for problem in problems)


@pytest.fixture
def source():
    return make_source(date=D(2023, 5, 18), text=TEXT)


@pytest.fixture
def agreement():
    return make_instrument()


def signed(agreement, source, state=None, **fields):
    defaults = {"type": Event.Type.SIGNED, "quote": "The Agreement was signed on 10 March 2021"}
    return make_event(instrument=agreement, state=state, source=source, **(defaults | fields))


def ratified(agreement, source, state, **fields):
    defaults = {"type": Event.Type.RATIFIED, "quote": "The Republic of Belarus has ratified it."}
    return make_event(instrument=agreement, state=state, source=source, **(defaults | fields))


class TestTheHonestRecord:
    def test_a_clean_record_has_no_problems(self, six_states, source, agreement):
        signed(agreement, source, date=D(2021, 3, 10), precision="day")
        ratified(agreement, source, six_states["BLR"])

        assert find_problems() == []

    def test_a_ratification_reported_before_a_definite_later_signature_is_flagged(self, six_states, agreement):
        earlier_speech = make_source(date=D(2020, 1, 10), text=TEXT)
        ratified(agreement, earlier_speech, six_states["BLR"])
        # "On or before 10.01.2020" is vague about how early, not about how late.
        signed(agreement, make_source(date=D(2023, 5, 18), text=TEXT), date=D(2021, 3, 10), precision="day")

        assert codes(find_problems()) == [Code.RATIFIED_BEFORE_SIGNED]

    def test_an_on_or_before_signature_can_be_arbitrarily_early_so_it_is_never_after_a_ratification(
        self, six_states, source, agreement
    ):
        ratified(agreement, source, six_states["BLR"], date=D(2021, 1, 1), precision="year")
        signed(agreement, source, state=six_states["BLR"])  # on or before 18.05.2023

        assert find_problems() == []

    def test_a_year_precision_ratification_is_not_before_a_signature_in_the_same_year(
        self, six_states, source, agreement
    ):
        signed(agreement, source, date=D(2021, 3, 10), precision="day")
        ratified(agreement, source, six_states["BLR"], date=D(2021, 1, 1), precision="year")

        assert find_problems() == []


class TestImpossibleOrders:
    def test_a_ratification_definitely_before_the_states_signature_is_flagged(self, six_states, source, agreement):
        belarus = six_states["BLR"]
        signature = signed(agreement, source, state=belarus, date=D(2021, 3, 10), precision="day")
        ratification = ratified(agreement, source, belarus, date=D(2020, 1, 1), precision="year")

        [problem] = find_problems()

        assert problem.event == ratification
        assert problem.related_event == signature
        assert problem.code == Code.RATIFIED_BEFORE_SIGNED
        assert f"event #{signature.pk}" in problem.message

    def test_a_ratification_before_the_instruments_own_signature_is_flagged(self, six_states, source, agreement):
        signed(agreement, source, date=D(2021, 3, 10), precision="day")
        ratified(agreement, source, six_states["KGZ"], date=D(2021, 2, 1), precision="month")

        assert codes(find_problems()) == [Code.RATIFIED_BEFORE_SIGNED]

    def test_a_notification_before_the_signature_is_flagged_like_a_ratification(self, six_states, source, agreement):
        signed(agreement, source, date=D(2021, 3, 10), precision="day")
        ratified(agreement, source, six_states["KGZ"], type=Event.Type.NOTIFIED, date=D(2021, 3, 9), precision="day")

        assert codes(find_problems()) == [Code.RATIFIED_BEFORE_SIGNED]

    def test_another_states_signature_does_not_count(self, six_states, source, agreement):
        signed(agreement, source, state=six_states["RUS"], date=D(2021, 3, 10), precision="day")
        ratified(agreement, source, six_states["BLR"], date=D(2020, 1, 1), precision="year")

        assert find_problems() == []

    def test_entry_into_force_for_a_state_definitely_before_its_ratification_is_flagged(
        self, six_states, source, agreement
    ):
        belarus = six_states["BLR"]
        ratification = ratified(agreement, source, belarus, date=D(2022, 6, 1), precision="month")
        in_force = ratified(agreement, source, belarus, type=Event.Type.IN_FORCE, date=D(2022, 5, 31), precision="day")

        [problem] = find_problems()

        assert (problem.event, problem.related_event, problem.code) == (
            in_force,
            ratification,
            Code.IN_FORCE_BEFORE_RATIFIED,
        )

    def test_entry_into_force_within_the_ratifications_month_is_not_flagged(self, six_states, source, agreement):
        belarus = six_states["BLR"]
        ratified(agreement, source, belarus, date=D(2022, 6, 1), precision="month")
        ratified(agreement, source, belarus, type=Event.Type.IN_FORCE, date=D(2022, 6, 2), precision="day")

        assert find_problems() == []


class TestSingleEventChecks:
    def test_an_event_dated_after_its_source_is_flagged(self, six_states, source, agreement):
        ratified(agreement, source, six_states["BLR"], date=D(2023, 5, 19), precision="day")

        assert codes(find_problems()) == [Code.AFTER_SOURCE]

    def test_a_quote_missing_from_the_source_is_flagged(self, six_states, source, agreement):
        ratified(agreement, source, six_states["BLR"], quote="Belarus ratified it long ago.")

        [problem] = find_problems()

        assert problem.code == Code.QUOTE_NOT_IN_SOURCE
        assert source.title in problem.message

    def test_a_quote_marked_as_a_paraphrase_is_not_checked(self, six_states, source, agreement):
        ratified(agreement, source, six_states["BLR"], quote="Belarus ratified it long ago.", is_paraphrase=True)

        assert find_problems() == []

    def test_a_quote_broken_over_lines_still_matches(self, six_states, source, agreement):
        ratified(agreement, source, six_states["BLR"], quote="The Republic of\n   Belarus has ratified it.")

        assert find_problems() == []

    @pytest.mark.parametrize(
        ("precision", "date"),
        [("month", D(2022, 6, 15)), ("year", D(2021, 3, 1))],
    )
    def test_a_month_or_year_date_not_written_as_the_first_is_flagged(
        self, six_states, source, agreement, precision, date
    ):
        ratified(agreement, source, six_states["BLR"], date=date, precision=precision)

        assert codes(find_problems()) == [Code.VAGUE_DATE_NOT_FIRST]


class TestScope:
    def test_a_subset_is_judged_against_the_whole_record(self, six_states, source, agreement):
        signed(agreement, source, date=D(2021, 3, 10), precision="day")
        early = ratified(agreement, source, six_states["BLR"], date=D(2020, 1, 1), precision="year")
        ratified(agreement, source, six_states["KGZ"], quote="Not in the text.")

        problems = find_problems(Event.objects.filter(pk=early.pk))

        assert [(p.event, p.code) for p in problems] == [(early, Code.RATIFIED_BEFORE_SIGNED)]

    def test_a_list_of_events_works_like_a_queryset(self, six_states, source, agreement):
        bad = ratified(agreement, source, six_states["BLR"], quote="Not in the text.")
        ratified(agreement, source, six_states["KGZ"], quote="Not in the text either.")

        assert [(p.event, p.code) for p in find_problems([bad])] == [(bad, Code.QUOTE_NOT_IN_SOURCE)]

    def test_the_whole_record_is_checked_in_two_queries(self, six_states, agreement, django_assert_num_queries):
        for year in range(2000, 2020):
            text = f"Signed in {year}. Ratified later."
            speech = make_source(date=D(year, 12, 31), text=text)
            for state in six_states.values():
                ratified(agreement, speech, state, quote="Not here.", date=D(year, 1, 1), precision="year")

        with django_assert_num_queries(2):
            problems = find_problems()

        assert len(problems) == 20 * 6

    def test_a_subset_is_checked_in_three_queries(self, six_states, source, agreement, django_assert_num_queries):
        for state in six_states.values():
            ratified(agreement, source, state)

        with django_assert_num_queries(3):
            find_problems(Event.objects.filter(state__iso3__in=["BLR", "KGZ", "TJK"]))

    def test_problems_for_an_event_include_those_it_is_the_other_side_of(self, six_states, source, agreement):
        signature = signed(agreement, source, date=D(2021, 3, 10), precision="day")
        early = ratified(agreement, source, six_states["BLR"], date=D(2020, 1, 1), precision="year")

        assert [(p.event, p.related_event) for p in problems_for_event(signature)] == [(early, signature)]
        assert [p.code for p in problems_for_event(early)] == [Code.RATIFIED_BEFORE_SIGNED]

    def test_problems_for_an_unsaved_event_use_its_edited_values(self, six_states, source, agreement):
        signed(agreement, source, date=D(2021, 3, 10), precision="day")
        draft = Event(
            instrument=agreement,
            state=six_states["BLR"],
            source=source,
            type=Event.Type.RATIFIED,
            date=D(2021, 3, 1),
            precision="day",
            quote="The Republic of Belarus has ratified it.",
        )

        assert [p.code for p in problems_for_event(draft)] == [Code.RATIFIED_BEFORE_SIGNED]


class TestCheckRecordCommand:
    def test_a_clean_record_says_so(self, six_states, source, agreement, capsys):
        ratified(agreement, source, six_states["BLR"])

        call_command("check_record")

        assert "No problems found" in capsys.readouterr().out

    def test_each_problem_is_one_line_with_instrument_state_and_event_and_a_count(
        self, six_states, source, agreement, capsys
    ):
        bad = ratified(agreement, source, six_states["BLR"], quote="Not in the text.")

        call_command("check_record")

        out = capsys.readouterr().out
        assert f"{agreement} | Belarus | event #{bad.pk} | quote_not_in_source:" in out
        assert "1 problem found." in out

    def test_strict_mode_fails_when_there_are_problems(self, six_states, source, agreement):
        ratified(agreement, source, six_states["BLR"], quote="Not in the text.")

        with pytest.raises(CommandError, match="1 problem found") as failure:
            call_command("check_record", "--strict")

        assert failure.value.returncode == 1

    def test_strict_mode_passes_a_clean_record(self, six_states, source, agreement, capsys):
        ratified(agreement, source, six_states["BLR"])

        call_command("check_record", "--strict")

        assert "No problems found" in capsys.readouterr().out


NOT_YET_TEXT = "The primary task is the speedy entry into force of the Protocol. The Protocol has been ratified by all."
PENDING_TEXT = "The ratification of the Agreement by the Republic of Belarus is continuing."


def not_yet(instrument, source, state=None, **fields):
    defaults = {
        "type": Event.Type.NOT_IN_FORCE,
        "precision": Event.Precision.DAY,
        "quote": "The primary task is the speedy entry into force of the Protocol.",
    }
    return make_event(instrument=instrument, state=state, source=source, **(defaults | fields))


class TestConflictingSources:
    def test_a_later_source_calling_pending_what_an_earlier_one_called_done_is_flagged_with_both_quotes(
        self, six_states, source, agreement
    ):
        done = ratified(agreement, source, six_states["BLR"])
        later = make_source(title="December address", date=D(2023, 12, 19), text=PENDING_TEXT)
        pending = make_event(
            instrument=agreement, state=six_states["BLR"], source=later, type="ratification_pending", quote=PENDING_TEXT
        )

        [problem] = find_problems()

        assert (problem.code, problem.event, problem.related_event) == (Code.PENDING_AFTER_DONE, pending, done)
        assert PENDING_TEXT in problem.message and "The Republic of Belarus has ratified it." in problem.message
        assert "December address" in problem.message
        assert codes(problems_for_event(done)) == [Code.PENDING_AFTER_DONE]

    def test_a_pending_report_before_the_ratification_is_the_ordinary_order(self, six_states, agreement):
        earlier = make_source(date=D(2023, 5, 18), text=PENDING_TEXT)
        make_event(instrument=agreement, state=six_states["BLR"], source=earlier, type="ratification_pending")
        ratified(agreement, make_source(date=D(2023, 12, 19), text=TEXT), six_states["BLR"])

        assert find_problems() == []

    def test_a_pending_report_for_another_state_is_no_conflict(self, six_states, source, agreement):
        ratified(agreement, source, six_states["BLR"])
        later = make_source(date=D(2023, 12, 19), text=PENDING_TEXT)
        make_event(instrument=agreement, state=six_states["ARM"], source=later, type="ratification_pending")

        assert find_problems() == []

    def test_one_source_saying_both_is_not_set_against_itself(self, six_states, agreement):
        both = make_source(date=D(2023, 12, 19), text=TEXT + " " + PENDING_TEXT)
        ratified(agreement, both, six_states["BLR"])
        make_event(
            instrument=agreement,
            state=six_states["BLR"],
            source=both,
            type="ratification_pending",
            quote=PENDING_TEXT,
            date=D(2023, 12, 19),
            precision="day",
        )

        assert find_problems() == []


class TestNotYetInForce:
    @pytest.fixture
    def protocol(self):
        return make_instrument(eif_rule=Instrument.EntryIntoForceRule.ALL_PARTIES)

    def ratify_all(self, protocol, six_states, day):
        speech = make_source(title="Ratification report", date=day, text=NOT_YET_TEXT)
        for state in six_states.values():
            ratified(protocol, speech, state, quote="The Protocol has been ratified by all.")

    def test_a_computed_entry_into_force_before_a_not_yet_report_is_flagged_with_both_quotes(
        self, six_states, protocol
    ):
        self.ratify_all(protocol, six_states, D(2023, 1, 10))
        report = not_yet(protocol, make_source(title="May statement", date=D(2023, 5, 18), text=NOT_YET_TEXT))

        [problem] = find_problems()

        assert (problem.code, problem.event) == (Code.IN_FORCE_BEFORE_NOT_YET, report)
        assert problem.related_event.type == Event.Type.RATIFIED
        assert "speedy entry into force" in problem.message and "ratified by all" in problem.message
        assert "May statement" in problem.message and "Ratification report" in problem.message

    def test_a_not_yet_report_before_the_entry_into_force_is_the_ordinary_order(self, six_states, protocol):
        not_yet(protocol, make_source(date=D(2023, 5, 18), text=NOT_YET_TEXT))
        self.ratify_all(protocol, six_states, D(2023, 12, 19))

        assert find_problems() == []

    def test_a_stated_entry_into_force_before_the_report_is_flagged(self, six_states, protocol):
        speech = make_source(date=D(2022, 1, 10), text=NOT_YET_TEXT)
        make_event(instrument=protocol, source=speech, type="in_force", quote="The Protocol has been ratified by all.")
        not_yet(protocol, make_source(date=D(2023, 5, 18), text=NOT_YET_TEXT))

        assert codes(find_problems()) == [Code.IN_FORCE_BEFORE_NOT_YET]

    def test_a_state_reported_not_yet_bound_is_flagged_only_for_that_state(self, six_states, agreement):
        speech = make_source(date=D(2022, 1, 10), text=NOT_YET_TEXT)
        for iso3 in ("ARM", "BLR"):
            make_event(
                instrument=agreement,
                state=six_states[iso3],
                source=speech,
                type="in_force",
                quote="The Protocol has been ratified by all.",
            )
        not_yet(agreement, make_source(date=D(2023, 5, 18), text=NOT_YET_TEXT), state=six_states["BLR"])

        [problem] = find_problems()

        assert problem.code == Code.IN_FORCE_BEFORE_NOT_YET
        assert "Belarus" in problem.message and "Armenia" not in problem.message

    def test_the_command_lists_the_conflict(self, six_states, protocol):
        self.ratify_all(protocol, six_states, D(2023, 1, 10))
        not_yet(protocol, make_source(date=D(2023, 5, 18), text=NOT_YET_TEXT))
        out = io.StringIO()

        call_command("check_record", stdout=out)

        assert "in_force_before_not_yet" in out.getvalue()

"""What the record still awaits: the outstanding-ratifications report's questions, specified by example."""

import datetime

import pytest
from django.utils import translation

from tests.builders import make_event, make_instrument, make_source
from tracker.models import Event, Instrument
from tracker.outstanding import Signature, join_names, outstanding_report
from tracker.status import Status

pytestmark = pytest.mark.django_db

D = datetime.date


SUMMIT_DAY = D(2021, 11, 12)


def make_signed_agreement(states, *, signed_on=SUMMIT_DAY):
    agreement = make_instrument(eif_rule=Instrument.EntryIntoForceRule.ALL_PARTIES)
    summit = make_source(date=signed_on, text="The Agreement was signed in Minsk.")
    make_event(
        instrument=agreement, source=summit, type=Event.Type.SIGNED, date=signed_on, precision=Event.Precision.DAY
    )
    return agreement


def ratify(instrument, state, on):
    source = make_source(date=on, text=f"{state.name} ratified the Agreement.")
    return make_event(instrument=instrument, state=state, source=source)


def sign(instrument, state, on, precision=Event.Precision.DAY):
    source = make_source(date=on, text=f"{state.name} signed the Agreement.")
    return make_event(instrument=instrument, state=state, source=source, type=Event.Type.SIGNED, date=on,
                      precision=precision)  # fmt: skip


class TestOutstandingByState:
    def test_a_state_that_signed_and_did_not_ratify_is_outstanding_with_its_evidence(self, six_states):
        agreement = make_instrument()
        signature = sign(agreement, six_states["ARM"], D(2021, 11, 12))

        report = outstanding_report(as_of=D(2023, 5, 18))

        [item] = report.by_state[six_states["ARM"].pk]
        assert item.instrument == agreement
        assert item.status.code == Status.SIGNED
        assert item.status.event.pk == signature.pk
        assert item.signature.date == D(2021, 11, 12)

    def test_a_pending_ratification_is_outstanding_and_a_ratified_one_is_not(self, six_states):
        agreement = make_instrument()
        make_event(instrument=agreement, state=six_states["KAZ"], type=Event.Type.RATIFICATION_PENDING)
        ratify(agreement, six_states["BLR"], D(2023, 5, 18))

        report = outstanding_report(as_of=D(2023, 6, 1))

        assert [item.status.code for item in report.by_state[six_states["KAZ"].pk]] == [Status.PENDING]
        assert six_states["BLR"].pk not in report.by_state

    def test_a_decision_that_binds_on_adoption_is_left_out(self, six_states):
        decision = make_instrument(kind=Instrument.Kind.DECISION, needs_ratification=False)
        sign(decision, six_states["ARM"], D(2022, 1, 1))

        assert outstanding_report(as_of=D(2023, 1, 1)).outstanding_count == 0

    def test_nothing_reported_after_the_as_of_date_counts(self, six_states):
        agreement = make_instrument()
        sign(agreement, six_states["ARM"], D(2021, 11, 12))
        ratify(agreement, six_states["ARM"], D(2023, 5, 18))

        assert outstanding_report(as_of=D(2023, 5, 17)).outstanding_count == 1
        assert outstanding_report(as_of=D(2023, 5, 18)).outstanding_count == 0

    def test_a_report_for_one_state_shows_only_that_state(self, six_states):
        agreement = make_instrument()
        sign(agreement, six_states["ARM"], D(2021, 11, 12))
        sign(agreement, six_states["KAZ"], D(2021, 11, 12))

        report = outstanding_report(as_of=D(2023, 1, 1), state=six_states["KAZ"])

        assert [state for state, _items in report.state_sections()] == [six_states["KAZ"]]
        assert report.outstanding_count == 1

    def test_the_signature_falls_back_to_the_instruments_own_signing(self, six_states):
        agreement = make_signed_agreement(six_states, signed_on=D(2021, 11, 12))
        make_event(instrument=agreement, state=six_states["TJK"], type=Event.Type.RATIFICATION_PENDING)

        [item] = outstanding_report(as_of=D(2023, 5, 18)).by_state[six_states["TJK"].pk]

        assert item.signature.date == D(2021, 11, 12)


class TestHowLongOutstanding:
    def test_an_exact_signature_gives_years_and_months(self):
        signature = Signature(D(2021, 11, 12), Event.Precision.DAY, None)

        assert signature.outstanding_for(D(2023, 5, 18)) == "1 year 6 months"
        assert signature.outstanding_for(D(2023, 5, 11)) == "1 year 5 months"

    def test_a_signature_known_only_as_on_or_before_gives_at_least(self):
        signature = Signature(D(2022, 5, 16), Event.Precision.ON_OR_BEFORE, None)

        assert signature.outstanding_for(D(2024, 5, 16)) == "at least 2 years"

    def test_a_signature_known_to_the_month_gives_about(self):
        signature = Signature(D(2022, 5, 1), Event.Precision.MONTH, None)

        assert signature.outstanding_for(D(2022, 8, 1)) == "about 3 months"
        assert signature.display() == "in May 2022"

    def test_the_span_is_worded_in_russian_with_its_plural_forms(self):
        signature = Signature(D(2021, 11, 12), Event.Precision.DAY, None)

        with translation.override("ru"):
            assert signature.outstanding_for(D(2023, 5, 18)) == "1 год 6 месяцев"
            assert signature.outstanding_for(D(2024, 1, 12)) == "2 года 2 месяца"


class TestWhatTheRuleStillNeeds:
    def test_an_all_parties_rule_names_the_states_that_have_not_ratified(self, six_states):
        agreement = make_signed_agreement(six_states)
        for iso in ["BLR", "KGZ", "RUS", "TJK"]:
            ratify(agreement, six_states[iso], D(2023, 5, 18))

        [needs] = outstanding_report(as_of=D(2023, 6, 1)).rule_needs

        assert needs.instrument == agreement
        assert needs.describe() == "Enters into force when Armenia and Kazakhstan ratify."
        assert not needs.single_ratification_completes

    def test_a_single_missing_ratification_is_said_to_complete_it(self, six_states):
        agreement = make_signed_agreement(six_states)
        for iso in ["BLR", "KGZ", "RUS", "TJK", "KAZ"]:
            ratify(agreement, six_states[iso], D(2023, 5, 18))

        [needs] = outstanding_report(as_of=D(2023, 6, 1)).rule_needs

        assert needs.single_ratification_completes
        assert needs.describe() == "Enters into force when Armenia ratifies: that one ratification completes it."

    def test_an_nth_ratification_rule_counts_what_is_missing(self, six_states):
        agreement = make_instrument(eif_rule=Instrument.EntryIntoForceRule.NTH_RATIFICATION, eif_threshold=4)
        ratify(agreement, six_states["BLR"], D(2023, 5, 18))

        [needs] = outstanding_report(as_of=D(2023, 6, 1)).rule_needs

        assert needs.entry_into_force.missing_count == 3
        assert needs.describe().startswith("Enters into force on 3 more ratifications; not yet ratified by: Armenia,")

    def test_an_instrument_in_force_needs_nothing(self, six_states):
        agreement = make_signed_agreement(six_states)
        for state in six_states.values():
            ratify(agreement, state, D(2023, 5, 18))

        assert outstanding_report(as_of=D(2023, 6, 1)).rule_needs == []

    def test_an_instrument_without_a_rule_is_listed_only_where_something_is_outstanding(self, six_states):
        quiet = make_instrument()
        ratify(quiet, six_states["BLR"], D(2023, 5, 18))
        awaited = make_instrument()
        sign(awaited, six_states["ARM"], D(2021, 11, 12))

        [needs] = outstanding_report(as_of=D(2023, 6, 1)).rule_needs

        assert needs.instrument == awaited
        assert "No entry-into-force rule is recorded" in needs.describe()

    def test_a_report_for_one_state_lists_only_the_rules_waiting_for_it(self, six_states):
        agreement = make_signed_agreement(six_states)
        for iso in ["BLR", "KGZ", "RUS", "TJK", "KAZ"]:
            ratify(agreement, six_states[iso], D(2023, 5, 18))

        assert outstanding_report(as_of=D(2023, 6, 1), state=six_states["BLR"]).rule_needs == []
        assert len(outstanding_report(as_of=D(2023, 6, 1), state=six_states["ARM"]).rule_needs) == 1


class TestRatifiedSince:
    def test_ratifications_within_the_period_are_listed_oldest_first(self, six_states):
        agreement = make_instrument()
        ratify(agreement, six_states["BLR"], D(2023, 5, 18))
        ratify(agreement, six_states["ARM"], D(2023, 12, 19))
        ratify(agreement, six_states["RUS"], D(2022, 5, 16))

        report = outstanding_report(as_of=D(2024, 1, 1), since=D(2023, 1, 1))

        assert [(item.state.iso3, item.status.since) for item in report.ratified_since] == [
            ("BLR", D(2023, 5, 18)),
            ("ARM", D(2023, 12, 19)),
        ]

    def test_a_ratification_after_the_as_of_date_is_not_listed(self, six_states):
        agreement = make_instrument()
        ratify(agreement, six_states["ARM"], D(2023, 12, 19))

        report = outstanding_report(as_of=D(2023, 12, 18), since=D(2023, 1, 1))

        assert report.ratified_since == []

    def test_a_later_notification_does_not_count_as_a_new_ratification(self, six_states):
        agreement = make_instrument()
        ratify(agreement, six_states["BLR"], D(2022, 5, 16))
        source = make_source(date=D(2023, 5, 18), text="Belarus deposited its notification.")
        make_event(instrument=agreement, state=six_states["BLR"], source=source, type=Event.Type.NOTIFIED)

        assert outstanding_report(as_of=D(2024, 1, 1), since=D(2023, 1, 1)).ratified_since == []

    def test_without_a_since_date_nothing_is_listed(self, six_states):
        ratify(make_instrument(), six_states["BLR"], D(2023, 5, 18))

        assert outstanding_report(as_of=D(2024, 1, 1)).ratified_since == []


class TestJoinNames:
    def test_names_are_joined_with_and_in_the_readers_language(self):
        assert join_names(["Armenia"]) == "Armenia"
        assert join_names(["Armenia", "Belarus", "Kazakhstan"]) == "Armenia, Belarus and Kazakhstan"
        with translation.override("ru"):
            assert join_names(["Армения", "Казахстан"]) == "Армения и Казахстан"

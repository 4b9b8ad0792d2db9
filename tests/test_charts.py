"""The charts' geometry and figures, from the engine's histories (issue 16)."""

import datetime

import pytest

from tests.builders import make_event, make_instrument, make_source
from tracker.charts import (
    ratifications_chart,
    signature_to_ratification_chart,
    status_counts_chart,
)
from tracker.models import Event, Instrument, MemberState
from tracker.status import Status, instrument_history, status_matrix

pytestmark = pytest.mark.django_db

D = datetime.date


def ratify(instrument, state, on, **fields):
    return make_event(instrument=instrument, state=state, source=make_source(date=on), **fields)


def sign(instrument, state, on):
    source = make_source(date=on, text="Signed in Minsk.")
    return make_event(instrument=instrument, state=state, source=source, type=Event.Type.SIGNED, date=on,
                      precision=Event.Precision.DAY)  # fmt: skip


class TestRatificationsChart:
    def test_each_ratification_is_one_step_up_in_date_order(self, six_states):
        protocol = make_instrument()
        ratify(protocol, six_states["BLR"], D(2023, 5, 18))
        ratify(protocol, six_states["ARM"], D(2023, 12, 19))
        states = list(MemberState.objects.all())

        chart = ratifications_chart(instrument_history(protocol, as_of=D(2024, 1, 1)), states, as_of=D(2024, 1, 1))

        assert [(step.date, step.count, step.state) for step in chart.steps] == [
            (D(2023, 5, 18), 1, "Belarus"),
            (D(2023, 12, 19), 2, "Armenia"),
        ]
        assert chart.steps[0].y > chart.steps[1].y  # higher up the chart
        assert chart.path.count(" V ") == 2

    def test_a_withdrawal_is_a_step_down(self, six_states):
        treaty = make_instrument()
        ratify(treaty, six_states["BLR"], D(2020, 1, 1))
        ratify(treaty, six_states["ARM"], D(2021, 1, 1), type=Event.Type.WITHDRAWN)

        history = instrument_history(treaty, as_of=D(2022, 1, 1))
        chart = ratifications_chart(history, list(MemberState.objects.all()), as_of=D(2022, 1, 1))

        assert [step.count for step in chart.steps] == [1]
        ratify(treaty, six_states["ARM"], D(2020, 6, 1))
        history = instrument_history(treaty, as_of=D(2022, 1, 1))
        chart = ratifications_chart(history, list(MemberState.objects.all()), as_of=D(2022, 1, 1))
        assert [(step.count, step.joined) for step in chart.steps] == [(1, True), (2, True), (1, False)]

    def test_entry_into_force_is_marked_and_steps_after_the_date_are_not_drawn(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.NTH_RATIFICATION, eif_threshold=1)
        ratify(protocol, six_states["BLR"], D(2023, 5, 18))
        ratify(protocol, six_states["ARM"], D(2023, 12, 19))
        states = list(MemberState.objects.all())

        chart = ratifications_chart(instrument_history(protocol, as_of=D(2023, 6, 1)), states, as_of=D(2023, 6, 1))

        assert chart.entry_into_force == D(2023, 5, 18)
        assert chart.entry_into_force_x == chart.steps[0].x
        assert len(chart.steps) == 1


class TestStatusCountsChart:
    def test_each_state_has_its_counts_stacked_with_the_ratified_first(self, six_states):
        for _ in range(2):
            ratify(make_instrument(), six_states["BLR"], D(2023, 5, 18))
        make_event(instrument=make_instrument(), state=six_states["BLR"], type=Event.Type.RATIFICATION_PENDING)

        chart = status_counts_chart(status_matrix(as_of=D(2024, 1, 1)))

        belarus = next(row for row in chart.rows if row.name == "Belarus")
        assert belarus.ratified == 2
        assert [(segment.code, segment.count) for segment in belarus.segments] == [
            (Status.RATIFIED, 2),
            (Status.PENDING, 1),
        ]
        assert belarus.segments[1].x == pytest.approx(belarus.segments[0].x + belarus.segments[0].width)

    def test_decisions_that_bind_on_adoption_are_not_counted(self, six_states):
        make_instrument(kind=Instrument.Kind.DECISION, needs_ratification=False)
        ratify(make_instrument(), six_states["BLR"], D(2023, 5, 18))

        chart = status_counts_chart(status_matrix(as_of=D(2024, 1, 1)))

        assert chart.instrument_count == 1

    def test_the_counts_follow_the_as_of_date(self, six_states):
        ratify(make_instrument(), six_states["BLR"], D(2023, 5, 18))

        before = status_counts_chart(status_matrix(as_of=D(2023, 5, 17)))
        after = status_counts_chart(status_matrix(as_of=D(2023, 5, 18)))

        assert [row.ratified for row in before.rows if row.name == "Belarus"] == [0]
        assert [row.ratified for row in after.rows if row.name == "Belarus"] == [1]


class TestSignatureToRatificationChart:
    def test_a_ratified_instrument_shows_the_time_it_took(self, six_states):
        agreement = make_instrument()
        sign(agreement, six_states["ARM"], D(2021, 11, 12))
        ratify(agreement, six_states["ARM"], D(2023, 12, 19), precision=Event.Precision.DAY)

        chart = signature_to_ratification_chart(status_matrix(as_of=D(2024, 6, 1)), six_states["ARM"])

        [row] = chart.rows
        assert not row.ongoing
        assert row.duration == "2 years 1 month"

    def test_an_outstanding_one_runs_to_the_as_of_date(self, six_states):
        agreement = make_instrument()
        sign(agreement, six_states["ARM"], D(2021, 11, 12))

        chart = signature_to_ratification_chart(status_matrix(as_of=D(2023, 11, 12)), six_states["ARM"])

        [row] = chart.rows
        assert row.ongoing
        assert row.duration == "2 years"

    def test_a_signature_by_all_with_nothing_recorded_for_the_state_is_left_out(self, six_states):
        treaty = make_instrument()
        sign(treaty, None, D(1992, 5, 15))

        chart = signature_to_ratification_chart(status_matrix(as_of=D(2024, 1, 1)), six_states["ARM"])

        assert chart.is_empty

    def test_longer_waits_have_longer_bars(self, six_states):
        slow, quick = make_instrument(), make_instrument()
        for instrument in (slow, quick):
            sign(instrument, six_states["ARM"], D(2020, 1, 1))
        ratify(quick, six_states["ARM"], D(2021, 1, 1), precision=Event.Precision.DAY)

        chart = signature_to_ratification_chart(status_matrix(as_of=D(2024, 1, 1)), six_states["ARM"])

        widths = {row.instrument: row.width for row in chart.rows}
        assert widths[slow] > widths[quick] * 3


class TestChartsOnThePages:
    def test_the_matrix_page_shows_the_status_chart_with_its_figures(self, client, six_states):
        ratify(make_instrument(), six_states["BLR"], D(2023, 5, 18))

        body = client.get("/", {"as_of": "2024-01-01"}).content.decode()

        assert '<figure class="chart status-chart"' in body
        assert "Ratifications by member state as of 1 January 2024" in body
        assert "The figures in the chart" in body

    def test_an_instrument_page_shows_its_step_chart_in_russian(self, client, six_states):
        protocol = make_instrument()
        ratify(protocol, six_states["BLR"], D(2023, 5, 18))

        body = client.get(f"/ru/instruments/{protocol.slug}/").content.decode()

        assert '<path class="step-line"' in body
        assert "Ратификации по времени" in body

    def test_a_state_page_shows_its_signature_chart(self, client, six_states):
        sign(make_instrument(), six_states["ARM"], D(2021, 11, 12))

        body = client.get("/states/armenia/").content.decode()

        assert '<figure class="chart signature-chart"' in body

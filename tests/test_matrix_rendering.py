"""The matrix's pieces built in Python once per page (tracker.views.matrix, tracker.views.charts; issue 18).

The markup is the templates' as it was; these tests pin what each piece says and that the page builds each state's
link once however many times it names the state.
"""

import datetime
import re
from unittest import mock

import pytest
from django.core.cache import cache

from tests.builders import make_event, make_instrument, make_source
from tracker.addresses import AddressPattern
from tracker.charts import BarRow, BarSegment, StatusBars
from tracker.models import Instrument, MemberState
from tracker.views.charts import bar_rows, figure_rows

pytestmark = pytest.mark.django_db

D = datetime.date


def ratified_by(state, count=1):
    """``count`` instruments that enter into force when all have ratified, each ratified by ``state`` alone."""
    instruments = [make_instrument(eif_rule=Instrument.EntryIntoForceRule.ALL_PARTIES) for _ in range(count)]
    for instrument in instruments:
        make_event(instrument=instrument, state=state, source=make_source(date=D(2023, 5, 18)))
    return instruments


def waiting_lists(body: str) -> list[str]:
    return re.findall(r'<span class="waiting-for">(.*?)</span>', body)


class TestStateLinks:
    def test_an_instrument_lists_by_name_and_link_the_states_it_still_waits_for(self, client, six_states):
        ratified_by(six_states["BLR"])

        body = client.get("/", {"as_of": "2024-01-01"}).content.decode()

        [waiting] = waiting_lists(body)
        assert waiting.startswith("Not yet ratified by: ")
        assert '<a href="/states/armenia/">Armenia</a>, <a href="/states/kazakhstan/">Kazakhstan</a>, ' in waiting
        assert "belarus" not in waiting

    def test_the_matrix_asks_the_model_for_one_address_however_many_states_and_instruments(self, client, six_states):
        ratified_by(six_states["BLR"], count=4)
        cache.clear()

        with mock.patch.object(MemberState, "get_absolute_url", autospec=True, side_effect=lambda s: f"/s/{s.slug}/"):
            body = client.get("/", {"as_of": "2024-01-01"}).content.decode()
            calls = [call.args[0].slug for call in MemberState.get_absolute_url.call_args_list]

        assert len(waiting_lists(body)) == 4
        # Every state's address, in its column header and in the lists it is in alike, is the model's one address
        # with the slug put in: 26 lookups here before issue 18, then one a state, now one a page.
        assert calls == [AddressPattern.STAND_IN]
        for state in six_states.values():
            assert f'<a href="/s/{state.slug}/?as_of=2024-01-01" title=' in body
        assert '<a href="/s/armenia/">Armenia</a>, ' in body

    def test_the_headers_and_rows_keep_the_date_only_when_the_reader_chose_one(self, client, six_states):
        [protocol] = ratified_by(six_states["BLR"])

        chosen = client.get("/", {"as_of": "2024-01-01"}).content.decode()
        today = client.get("/").content.decode()

        assert 'href="/states/armenia/?as_of=2024-01-01" title="Republic of Armenia"' in chosen
        assert f'href="{protocol.get_absolute_url()}?as_of=2024-01-01"' in chosen
        assert 'href="/states/armenia/" title="Republic of Armenia"' in today
        assert "?as_of=" not in today


class TestChartRows:
    chart = StatusBars(
        rows=[
            BarRow(
                "Bosnia & Herzegovina",
                y=16,
                segments=[
                    BarSegment("ratified", "Ratified", 1, 230.0, 23.9),
                    BarSegment("no_record", "No record", 29, 253.9, 24.0),
                ],
                counts={"ratified": 1, "no_record": 29},
            )
        ],
        statuses=[("ratified", "Ratified"), ("pending", "Pending"), ("no_record", "No record")],
        instrument_count=30,
        width=960,
        height=42,
        label_width=230,
        scale=[],
    )

    def test_a_segment_writes_its_count_inside_only_where_it_fits_24_units_or_more(self):
        svg = bar_rows(self.chart)

        assert '<rect x="230.0" y="16" width="23.9" height="22"></rect>\n      \n    </g>' in svg
        assert '<text x="257" y="31.0">29</text>' in svg

    def test_each_segment_is_titled_with_the_state_its_status_and_its_count_escaped(self):
        svg = bar_rows(self.chart)

        assert '<g class="bar status-no-record"><title>Bosnia &amp; Herzegovina: No record — 29</title>' in svg
        assert "Bosnia & " not in svg

    def test_the_figures_give_the_ratified_total_then_every_status_in_the_charts_order(self):
        assert figure_rows(self.chart) == (
            '<tr><th scope="row">Bosnia &amp; Herzegovina</th><td><strong>1</strong></td>'
            "<td>1</td><td>0</td><td>29</td></tr>"
        )

"""The record's reads: the querysets every view, feed and API endpoint builds on."""

import datetime

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from tests.builders import make_event, make_instrument, make_source, make_state
from tracker.models import Event, Instrument

D = datetime.date


class TestEventsKnownBy(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.state = make_state()
        cls.instrument = make_instrument()
        source = make_source(date=D(2023, 6, 30))
        cls.on_the_day = make_event(
            instrument=cls.instrument, state=cls.state, source=source, date=D(2023, 5, 18), precision="day"
        )
        # "In May 2023" may mean its last day, so it is known from 31 May only.
        cls.in_may = make_event(
            instrument=cls.instrument,
            state=cls.state,
            source=source,
            type=Event.Type.SIGNED,
            date=D(2023, 5, 1),
            precision="month",
        )

    def test_an_event_is_known_from_its_day(self):
        assert list(Event.objects.known_by(D(2023, 5, 18))) == [self.on_the_day]

    def test_an_event_is_not_known_the_day_before(self):
        assert not Event.objects.known_by(D(2023, 5, 17)).exists()

    def test_a_month_precision_event_is_known_only_from_the_month_s_last_day(self):
        assert self.in_may not in Event.objects.known_by(D(2023, 5, 30))
        assert self.in_may in Event.objects.known_by(D(2023, 5, 31))

    def test_no_date_means_every_event(self):
        assert set(Event.objects.known_by(None)) == {self.on_the_day, self.in_may}

    def test_an_event_in_hand_answers_the_same_as_the_queryset(self):
        for day in [D(2023, 5, 17), D(2023, 5, 18), D(2023, 5, 30), D(2023, 5, 31), None]:
            for event in (self.on_the_day, self.in_may):
                assert event.is_known_by(day) == Event.objects.known_by(day).filter(pk=event.pk).exists(), day

    def test_a_related_manager_offers_it_too(self):
        assert list(self.state.events.known_by(D(2023, 5, 18))) == [self.on_the_day]


class TestEventsWithEvidence(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.event = make_event(instrument=make_instrument(), state=make_state())

    def test_instrument_state_and_source_come_in_the_same_query(self):
        with CaptureQueriesContext(connection) as queries:
            event = Event.objects.with_evidence().get(pk=self.event.pk)
            names = (event.instrument.title, event.state.name, event.source.title)
        assert len(queries) == 1
        assert names == (self.event.instrument.title, self.event.state.name, self.event.source.title)

    def test_the_source_s_text_is_left_behind(self):
        event = Event.objects.with_evidence().get(pk=self.event.pk)
        assert "text" in event.source.get_deferred_fields()

    def test_the_source_s_text_comes_when_asked_for(self):
        with CaptureQueriesContext(connection) as queries:
            event = Event.objects.with_evidence(source_text=True).get(pk=self.event.pk)
            text = event.source.text
        assert len(queries) == 1
        assert text == self.event.source.text


class TestInstrumentsInMatrixOrder(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.charter = make_instrument(title="Charter of the Organisation", slug="charter")
        cls.protocol = make_instrument(title="Agreement on the protocol", slug="protocol", part_of=cls.charter)
        # The same title twice: the id decides, so pages of the API never repeat or skip one.
        cls.second = make_instrument(title="Agreement on the protocol", slug="protocol-again")

    def test_instruments_come_by_title_then_id(self):
        assert list(Instrument.objects.in_matrix_order()) == [self.protocol, self.second, self.charter]

    def test_ties_in_title_are_broken_by_id(self):
        # A test database returns ties in insertion order anyway; PostgreSQL need not, so the order is asked for.
        assert Instrument.objects.in_matrix_order().query.order_by == ("title", "pk")

    def test_the_instrument_amended_comes_in_the_same_query(self):
        with CaptureQueriesContext(connection) as queries:
            parents = [instrument.part_of for instrument in Instrument.objects.in_matrix_order()]
        assert len(queries) == 1
        assert parents == [self.charter, None, None]

"""The status spans (issue 18): the engine's answers, stored, and kept current by every write."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.builders import make_event, make_instrument, make_source, make_state
from tracker.models import EntryIntoForceSpan, Event, Instrument, RecordToken, SpanStamp, StatusSpan
from tracker.spans import instrument_spans, rebuild_status_spans, span_updates_deferred
from tracker.status import (
    Status,
    StatusLine,
    build_history,
    instrument_history,
    iter_status_lines,
    iter_status_pairs,
    status_as_of,
    status_matrix,
)
from tracker.status_reading import event_facts, events_for

D = datetime.date
BASE = D(2020, 1, 1)

# -- Random small records -------------------------------------------------------------------------------------

days = st.integers(min_value=0, max_value=500)
# Mostly members throughout, so that rules are met often enough to test what follows from them.
memberships = st.tuples(st.none() | st.none() | days, st.none() | st.none() | st.integers(min_value=0, max_value=300))
# Every type, ratifications most often: they are what entry into force counts.
event_types = st.sampled_from([*Event.Type.values, Event.Type.RATIFIED, Event.Type.RATIFIED, Event.Type.NOTIFIED])
instruments = st.fixed_dictionaries(
    {
        "needs_ratification": st.booleans(),
        "eif_rule": st.sampled_from(["", "all_parties", "nth_ratification"]),
        "eif_threshold": st.integers(min_value=1, max_value=3),
    }
)
events = st.fixed_dictionaries(
    {
        "instrument": st.integers(min_value=0, max_value=1),
        # None: an event of the instrument itself
        "state": st.none() | st.integers(min_value=0, max_value=3),
        "type": event_types,
        "day": days,
        "precision": st.sampled_from(Event.Precision.values),
        "source_later": st.integers(min_value=0, max_value=90),
        "inferred": st.booleans(),
        # How strongly the quote names the step: neither, the instrument, or the instrument and the state.
        "names": st.sampled_from(["neither", "instrument", "both"]),
    }
)
records = st.fixed_dictionaries(
    {
        "states": st.lists(memberships, min_size=1, max_size=4),
        "instruments": st.lists(instruments, min_size=2, max_size=2),
        "events": st.lists(events, max_size=16),
    }
)


def build_record(record):
    states = []
    for since, lasts in record["states"]:
        member_since = BASE + datetime.timedelta(days=since) if since is not None else None
        member_until = member_since + datetime.timedelta(days=lasts) if member_since and lasts is not None else None
        states.append(make_state(member_since=member_since, member_until=member_until))
    built = [
        make_instrument(
            needs_ratification=fields["needs_ratification"],
            eif_rule=fields["eif_rule"],
            eif_threshold=fields["eif_threshold"] if fields["eif_rule"] == "nth_ratification" else None,
        )
        for fields in record["instruments"]
    ]
    for fields in record["events"]:
        instrument = built[fields["instrument"]]
        state = states[fields["state"] % len(states)] if fields["state"] is not None else None
        date = BASE + datetime.timedelta(days=fields["day"])
        if fields["precision"] == Event.Precision.MONTH:
            date = date.replace(day=1)
        elif fields["precision"] == Event.Precision.YEAR:
            date = date.replace(month=1, day=1)
        quote = {
            "neither": "All these instruments are in hand.",
            "instrument": f"The {instrument.title} is in hand.",
            "both": f"The {instrument.title} is in hand in {state.name if state else 'all'}.",
        }[fields["names"]]
        source = make_source(date=date + datetime.timedelta(days=fields["source_later"]), text=quote)
        make_event(
            instrument=instrument,
            state=state,
            source=source,
            type=fields["type"],
            date=date,
            precision=fields["precision"],
            inferred=fields["inferred"],
            quote=quote,
        )
    return states, built


def dates_that_matter(states):
    """Every day an answer can change, the day before each, and a few in between."""
    found = {BASE - datetime.timedelta(days=1), D(2030, 1, 1)}
    for known_from in Event.objects.values_list("known_from", flat=True):
        found |= {known_from, known_from - datetime.timedelta(days=1), known_from + datetime.timedelta(days=17)}
    for state in states:
        for day in (state.member_since, state.member_until):
            if day:
                found |= {day, day - datetime.timedelta(days=1)}
    return sorted(found)


class TestTheSpansAgreeWithTheEngine(TestCase):
    @settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(records)
    def test_every_pair_entry_into_force_and_conclusion_read_from_the_spans_is_the_engines_answer(self, record):
        states, built = build_record(record)
        assert SpanStamp.is_current()
        for as_of in dates_that_matter(states):
            matrix = status_matrix(as_of=as_of)
            brief = status_matrix(as_of=as_of, brief=True)
            # The matrix's: each status's evidence joined to its span, as links (EvidenceLink).
            linked = status_matrix(as_of=as_of, links=True)
            streamed = {(i.pk, s.pk): status for i, s, status in iter_status_pairs(as_of=as_of)}
            # What the status export writes of each pair, read with its evidence joined (SpanLines).
            lines = {(i.pk, s.pk): line for i, s, line in iter_status_lines(as_of=as_of)}
            assert matrix.spans is not None
            for instrument in built:
                history = instrument_history(instrument, as_of=as_of)
                assert matrix.entry_into_force(instrument) == history.entry_into_force, as_of
                assert brief.entry_into_force(instrument).date == history.entry_into_force.date
                assert _entry_links(linked.entry_into_force(instrument)) == _entry_links(history.entry_into_force)
                assert matrix.concluded_by(instrument) == history.concluded_by
                for state in states:
                    expected = history.status_of(state.pk, as_of)
                    assert matrix.status(instrument, state) == expected, (as_of, state.pk)
                    assert _evidence(brief.status(instrument, state)) == _evidence(expected)
                    assert _links(linked.status(instrument, state)) == _links(expected), (as_of, state.pk)
                    assert _evidence(streamed[instrument.pk, state.pk]) == _evidence(expected)
                    assert lines[instrument.pk, state.pk] == StatusLine.of(expected), (as_of, state.pk)


def test_stronger_evidence_for_a_counted_ratification_after_entry_into_force_is_what_it_rests_on(six_states):
    protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.NTH_RATIFICATION, eif_threshold=2)
    vague = "All these instruments are ratified."
    make_event(
        instrument=protocol,
        state=six_states["ARM"],
        source=make_source(date=D(2020, 1, 1), text=vague),
        quote=vague,
        precision="day",
    )
    make_event(instrument=protocol, state=six_states["BLR"], source=make_source(date=D(2020, 6, 1)), precision="day")
    named = f"The {protocol.title} is ratified by Armenia."
    stronger = make_event(
        instrument=protocol,
        state=six_states["ARM"],
        quote=named,
        precision="day",
        source=make_source(date=D(2021, 1, 1), text=named),
    )

    matrix = status_matrix(as_of=D(2021, 6, 1))

    assert stronger in matrix.entry_into_force(protocol).rests_on
    assert matrix.entry_into_force(protocol) == instrument_history(protocol, as_of=D(2021, 6, 1)).entry_into_force
    assert spans_agree(protocol, six_states["BLR"], D(2021, 6, 1))


def _evidence(status):
    """A status with its events as ids, to compare an EventFacts answer with an Event one."""
    event = status.event.pk if status.event else None
    return (status.code, status.since, status.precision, event, status.inferred, status.computed) + tuple(
        event.pk for event in status.rests_on
    )


def _link(event):
    """What a link to an event shows of it, from an Event, EventFacts or EvidenceLink alike."""
    if event is None:
        return None
    title = event.source.title if isinstance(event, Event) else event.source_title
    return (event.pk, event.source_id, title, event.inferred)


def _links(status):
    return _evidence(status) + (_link(status.event),) + tuple(map(_link, status.rests_on))


def _entry_links(eif):
    """An entry into force as the matrix shows it: when, how it is known, and whom it still waits for."""
    waiting = tuple(state.pk for state in eif.waiting_for)
    shown = (eif.date, eif.uncertain, eif.inferred, eif.binds_on_adoption, eif.missing_count, waiting)
    return shown + (_link(eif.stated_by),) + tuple(map(_link, eif.rests_on))


# -- Kept current by every write ------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def spans_agree(instrument, state, as_of):
    matrix = status_matrix(as_of=as_of, instruments=[instrument])
    assert matrix.spans is not None, "the spans should be current after an ordinary write"
    return matrix.status(instrument, state) == status_as_of(instrument, state, as_of)


class TestWritesKeepTheSpansCurrent:
    def test_a_new_event_shows_at_once(self, six_states):
        protocol = make_instrument()
        make_event(instrument=protocol, state=six_states["ARM"], source=make_source(date=D(2023, 5, 18)))

        matrix = status_matrix(as_of=D(2024, 1, 1))

        assert matrix.spans is not None
        assert matrix.status(protocol, six_states["ARM"]).code == Status.RATIFIED

    def test_an_edited_and_a_deleted_event_rewrite_their_instruments_spans(self, six_states):
        protocol = make_instrument()
        event = make_event(instrument=protocol, state=six_states["ARM"], type=Event.Type.SIGNED)
        event.type = Event.Type.RATIFIED
        event.save()
        assert status_matrix(as_of=D(2024, 1, 1)).status(protocol, six_states["ARM"]).code == Status.RATIFIED

        event.delete()

        assert status_matrix(as_of=D(2024, 1, 1)).status(protocol, six_states["ARM"]).code == Status.NO_RECORD
        assert not StatusSpan.objects.filter(instrument=protocol).exists()

    def test_an_event_moved_to_another_instrument_leaves_the_first_ones_pairs(self, six_states):
        first, second = make_instrument(), make_instrument()
        event = make_event(instrument=first, state=six_states["ARM"])
        event.instrument = second
        event.save()

        assert status_matrix(as_of=D(2024, 1, 1)).status(first, six_states["ARM"]).code == Status.NO_RECORD
        assert status_matrix(as_of=D(2024, 1, 1)).status(second, six_states["ARM"]).code == Status.RATIFIED

    def test_a_new_entry_into_force_rule_puts_ratified_states_in_force(self, six_states):
        protocol = make_instrument()
        for state in six_states.values():
            make_event(instrument=protocol, state=state, precision="day")
        protocol.eif_rule = Instrument.EntryIntoForceRule.ALL_PARTIES
        protocol.save()

        matrix = status_matrix(as_of=D(2024, 1, 1))

        assert matrix.entry_into_force(protocol).in_force
        assert matrix.status(protocol, six_states["ARM"]).code == Status.IN_FORCE

    def test_a_membership_date_changes_every_instruments_rule(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.ALL_PARTIES)
        for iso3, state in six_states.items():
            if iso3 != "TJK":
                make_event(instrument=protocol, state=state, precision="day")
        assert not status_matrix(as_of=D(2024, 1, 1)).entry_into_force(protocol).in_force

        six_states["TJK"].member_since = D(2024, 1, 1)
        six_states["TJK"].save()

        assert status_matrix(as_of=D(2023, 12, 31)).entry_into_force(protocol).in_force
        assert spans_agree(protocol, six_states["ARM"], D(2023, 12, 31))

    def test_a_council_decision_binds_a_state_whose_membership_now_covers_its_adoption(self, six_states):
        decision = make_instrument(kind=Instrument.Kind.DECISION, needs_ratification=False)
        make_event(instrument=decision, type="adopted", source=make_source(date=D(2022, 11, 23)), precision="day")
        newcomer = make_state(member_since=D(2024, 1, 1))
        assert status_matrix(as_of=D(2024, 6, 1)).status(decision, newcomer).code == Status.NO_RECORD

        newcomer.member_since = D(2020, 1, 1)
        newcomer.save()

        assert status_matrix(as_of=D(2024, 6, 1)).status(decision, newcomer).code == Status.ADOPTED

    def test_a_reverted_event_shows_its_old_status(self, six_states):
        protocol = make_instrument()
        event = make_event(instrument=protocol, state=six_states["ARM"], type=Event.Type.SIGNED)
        event.type = Event.Type.RATIFIED
        event.save()

        # What the admin's history page does on "Revert": save the historical instance.
        event.history.earliest().instance.save()

        assert status_matrix(as_of=D(2024, 1, 1)).status(protocol, six_states["ARM"]).code == Status.SIGNED

    def test_an_admin_bulk_delete_rewrites_the_spans(self, six_states):
        protocol = make_instrument()
        for state in six_states.values():
            make_event(instrument=protocol, state=state)

        Event.objects.filter(instrument=protocol).delete()

        assert not StatusSpan.objects.filter(instrument=protocol).exists()
        assert status_matrix(as_of=D(2024, 1, 1)).spans is not None

    def test_a_sources_new_title_is_what_the_matrix_links_show(self, six_states):
        protocol, other = make_instrument(), make_instrument()
        source = make_source(title="Speech at the summit")
        make_event(instrument=protocol, state=six_states["ARM"], source=source)
        make_event(instrument=other, state=six_states["BLR"], source=source)

        source.title = "Speech at the Moscow summit"
        source.save()

        linked = status_matrix(as_of=D(2024, 1, 1), links=True)
        assert linked.spans is not None
        assert linked.status(protocol, six_states["ARM"]).event.source_title == "Speech at the Moscow summit"
        assert linked.status(other, six_states["BLR"]).event.source_title == "Speech at the Moscow summit"

    def test_the_matrix_reads_the_other_events_a_status_rests_on_only_when_one_is_looked_at(self, six_states):
        protocol = make_instrument(eif_rule=Instrument.EntryIntoForceRule.ALL_PARTIES)
        belarus = six_states["BLR"]
        make_event(instrument=protocol, state=belarus, source=make_source(date=D(2019, 1, 1)))
        make_event(instrument=protocol, type=Event.Type.IN_FORCE, source=make_source(date=D(2020, 1, 1)))
        expected = status_as_of(protocol, belarus, D(2022, 1, 1))
        assert len(expected.rests_on) == 2  # the ratification, then the statement of entry into force shown

        with CaptureQueriesContext(connection) as showing:
            linked = status_matrix(as_of=D(2022, 1, 1), links=True)
            status = linked.status(protocol, belarus)
            shown = (status.code, status.event.pk, status.event.source_title, len(status.rests_on))
        with CaptureQueriesContext(connection) as looking:
            rests_on = [event.pk for event in status.rests_on]
            [event.pk for event in linked.status(protocol, belarus).rests_on]

        assert shown == (expected.code, expected.event.pk, expected.event.source.title, 2)
        assert rests_on == [event.pk for event in expected.rests_on]
        assert status.rests_on == tuple(linked.status(protocol, belarus).rests_on)
        assert not [query for query in showing.captured_queries if '"tracker_event"' in query["sql"]]
        assert len(looking.captured_queries) == 1

    def test_a_title_changed_in_a_deferred_block_reaches_instruments_the_block_did_not_touch(self, six_states):
        cited, touched = make_instrument(), make_instrument()
        source = make_source(title="Old title")
        make_event(instrument=cited, state=six_states["ARM"], source=source)

        with span_updates_deferred():
            source.title = "New title"
            source.save()
            make_event(instrument=touched, state=six_states["BLR"])

        linked = status_matrix(as_of=D(2024, 1, 1), links=True)
        assert linked.spans is not None
        assert linked.status(cited, six_states["ARM"]).event.source_title == "New title"

    def test_a_sources_new_slug_and_date_are_what_the_status_export_cites(self, six_states):
        protocol, other = make_instrument(), make_instrument()
        source = make_source(title="Speech at the summit", date=D(2019, 5, 1))
        make_event(instrument=protocol, state=six_states["ARM"], source=source)
        make_event(instrument=other, state=six_states["BLR"], source=source)

        source.slug, source.date = "speech-at-the-moscow-summit", D(2019, 5, 2)
        source.save()

        assert SpanStamp.is_current()
        lines = {(i.pk, s.pk): line for i, s, line in iter_status_lines(as_of=D(2024, 1, 1))}
        for pair in [(protocol.pk, six_states["ARM"].pk), (other.pk, six_states["BLR"].pk)]:
            assert (lines[pair].source_slug, lines[pair].source_date) == ("speech-at-the-moscow-summit", D(2019, 5, 2))

    def test_a_slug_changed_in_a_deferred_block_reaches_instruments_the_block_did_not_touch(self, six_states):
        cited, touched = make_instrument(), make_instrument()
        source = make_source(title="A report")
        make_event(instrument=cited, state=six_states["ARM"], source=source)

        with span_updates_deferred():
            source.slug = "a-report-renamed"
            source.save()
            make_event(instrument=touched, state=six_states["BLR"])

        assert SpanStamp.is_current()
        lines = {(i.pk, s.pk): line for i, s, line in iter_status_lines(as_of=D(2024, 1, 1))}
        assert lines[cited.pk, six_states["ARM"].pk].source_slug == "a-report-renamed"

    def test_an_events_corrected_quote_is_what_the_status_export_cites(self, six_states):
        protocol = make_instrument()
        event = make_event(
            instrument=protocol, state=six_states["ARM"], quote=f"Armenia ratified the {protocol.title}."
        )

        event.quote = f"Armenia has ratified the {protocol.title}."
        event.save()

        assert SpanStamp.is_current()
        lines = {(i.pk, s.pk): line for i, s, line in iter_status_lines(as_of=D(2024, 1, 1))}
        assert lines[protocol.pk, six_states["ARM"].pk].quote == f"Armenia has ratified the {protocol.title}."

    def test_an_event_given_another_source_links_to_that_sources_title(self, six_states):
        protocol = make_instrument()
        event = make_event(instrument=protocol, state=six_states["ARM"], source=make_source(title="First report"))

        event.source = make_source(title="Second report", date=event.source.date)
        event.inferred = True
        event.save()

        link = status_matrix(as_of=D(2024, 1, 1), links=True).status(protocol, six_states["ARM"]).event
        assert (link.source_id, link.source_title, link.inferred) == (event.source_id, "Second report", True)

    def test_writes_in_a_deferred_block_rewrite_each_instrument_once_at_its_end(self, six_states, monkeypatch):
        protocol = make_instrument()
        rewrites = []
        monkeypatch.setattr("tracker.spans.rebuild_status_spans", lambda **kw: rewrites.append(kw))
        with span_updates_deferred():
            for state in six_states.values():
                make_event(instrument=protocol, state=state)
            assert rewrites == []

        assert rewrites == [{"instruments": [protocol.pk], "using": "default"}]

    def test_a_write_that_bypassed_the_signals_is_answered_from_the_events(self, six_states):
        protocol = make_instrument()
        source = make_source()
        Event.objects.bulk_create(
            [
                Event(
                    instrument=protocol,
                    state=six_states["ARM"],
                    source=source,
                    type=Event.Type.SIGNED,
                    date=source.date,
                    precision=Event.Precision.DAY,
                    known_from=source.date,
                    quote=source.text.split(".")[0],
                )
            ]
        )
        RecordToken.bump()

        matrix = status_matrix(as_of=D(2024, 1, 1))

        assert matrix.spans is None
        assert matrix.status(protocol, six_states["ARM"]).code == Status.SIGNED


class TestTheRebuild:
    def test_the_command_rewrites_every_span_and_says_how_many(self, six_states):
        protocol = make_instrument()
        make_event(instrument=protocol, state=six_states["ARM"], type=Event.Type.SIGNED)
        make_event(instrument=protocol, state=six_states["ARM"], source=make_source(date=D(2024, 2, 1)))
        StatusSpan.objects.all().delete()
        output = io.StringIO()

        call_command("rebuild_status_spans", stdout=output)

        assert "Wrote 2 status spans and 1 entry-into-force spans" in output.getvalue()
        assert StatusSpan.objects.count() == 2 and EntryIntoForceSpan.objects.count() == 1

    def test_if_stale_rebuilds_only_spans_written_for_an_older_record(self, six_states):
        protocol = make_instrument()
        make_event(instrument=protocol, state=six_states["ARM"], type=Event.Type.SIGNED)
        output = io.StringIO()

        call_command("rebuild_status_spans", "--if-stale", stdout=output)
        assert "current; nothing to rebuild" in output.getvalue()

        RecordToken.bump()  # a write that reached the record without the spans' signals
        StatusSpan.objects.all().delete()
        call_command("rebuild_status_spans", "--if-stale", stdout=io.StringIO())
        assert StatusSpan.objects.count() == 1 and SpanStamp.is_current()

    def test_the_synthetic_record_is_generated_with_its_spans(self):
        call_command("generate_synthetic", states=8, instruments=12, events=300, seed=5, stdout=io.StringIO())

        assert SpanStamp.is_current()
        pairs = {(i.pk, s.pk): _evidence(st) for i, s, st in iter_status_pairs(as_of=D(2015, 6, 1))}
        for instrument in Instrument.objects.all():
            history = instrument_history(instrument, as_of=D(2015, 6, 1))
            for (instrument_id, state_id), evidence in pairs.items():
                if instrument_id == instrument.pk:
                    assert evidence == _evidence(history.status_of(state_id, D(2015, 6, 1)))

    def test_the_loaded_record_has_its_spans(self):
        call_command("load_record", stdout=io.StringIO())

        assert SpanStamp.is_current()
        assert StatusSpan.objects.exists()

    def test_a_span_breaks_only_where_the_answer_changes(self, six_states):
        protocol = make_instrument()
        make_event(
            instrument=protocol, state=six_states["ARM"], type=Event.Type.SIGNED, source=make_source(date=D(2020, 1, 1))
        )
        # A second event for another state: a day on which ARM's answer stays the same.
        make_event(instrument=protocol, state=six_states["BLR"], source=make_source(date=D(2021, 1, 1)))
        # As the writer reads them: rows of facts (EventFacts), the evidence's source title among them.
        events = list(event_facts(events_for([protocol.pk], as_of=None)))

        pairs, entries = instrument_spans(protocol, events, list(six_states.values()))

        assert [(span.state_id, span.valid_from, span.valid_to) for span in pairs] == [
            (six_states["ARM"].pk, D(2020, 1, 1), None),
            (six_states["BLR"].pk, D(2021, 1, 1), None),
        ]
        assert [(span.valid_to, span.date) for span in entries] == [(None, None)]
        assert build_history(protocol, events, list(six_states.values()), D(2024, 1, 1)).entry_into_force.date is None


def test_the_whole_record_is_rebuilt_in_one_transaction_and_stamped(six_states):
    protocol = make_instrument()
    make_event(instrument=protocol, state=six_states["ARM"])
    RecordToken.bump()
    assert not SpanStamp.is_current()

    assert rebuild_status_spans() == (1, 1)
    assert SpanStamp.is_current()

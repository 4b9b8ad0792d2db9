"""The synthetic record generator (issue 6): sizes, refusal to mix with a real record, determinism, plausibility."""

import datetime
import io
import itertools
import re

import pytest
from django.core.management import CommandError, call_command

from tests.builders import make_event, make_instrument, make_source, make_state
from tracker.models import Event, Instrument, MemberState, SourceDocument, quote_appears_in
from tracker.status import STEP_RANK, Status, status_matrix

pytestmark = pytest.mark.django_db

ENDING = {Event.Type.WITHDRAWN, Event.Type.SUSPENDED}


def generate(**sizes) -> str:
    options = {"states": 12, "instruments": 30, "events": 500, "seed": 7} | sizes
    out = io.StringIO()
    call_command("generate_synthetic", stdout=out, **options)
    return out.getvalue()


def snapshot():
    """The record without its primary keys, which differ between runs."""
    return (
        list(MemberState.objects.order_by("iso3").values_list("iso3", "name", "member_since", "member_until")),
        list(
            Instrument.objects.order_by("slug").values_list(
                "slug", "kind", "part_of__slug", "needs_ratification", "eif_rule", "eif_threshold"
            )
        ),
        list(
            Event.objects.order_by("instrument__slug", "state__iso3", "known_from", "type").values_list(
                "instrument__slug", "state__iso3", "type", "date", "precision", "known_from", "source__slug", "quote"
            )
        ),
    )


def pair_runs(events):
    """Each pair's events in date order, cut after each withdrawal or suspension."""
    key = lambda event: (event.instrument_id, event.state_id)  # noqa: E731
    for _, pair_events in itertools.groupby(sorted(events, key=lambda e: (key(e), e.date, e.pk)), key=key):
        run = []
        for event in pair_events:
            run.append(event)
            if event.type in ENDING:
                yield run
                run = []
        if run:
            yield run


def test_it_writes_the_sizes_asked_for_and_says_so_in_one_line():
    output = generate(states=12, instruments=30, events=500)

    assert MemberState.objects.count() == 12
    assert Instrument.objects.count() == 30
    assert Event.objects.count() == 500
    assert re.fullmatch(
        rf"Generated 12 states, 30 instruments, {SourceDocument.objects.count():,} sources and 500 events"
        r" in \d+\.\d s\. \(seed 7\)\n",
        output,
    )
    assert not MemberState.objects.filter(is_synthetic=False).exists()
    assert not Instrument.objects.filter(is_synthetic=False).exists()
    assert not SourceDocument.objects.filter(is_synthetic=False).exists()


def test_it_says_so_when_fewer_events_fit_than_were_asked_for():
    output = generate(states=2, instruments=2, events=1000)

    written = Event.objects.count()
    assert written < 1000
    assert f"only {written:,} of the 1,000 asked fit: add states or instruments" in output


def test_states_have_unique_codes_of_three_capitals():
    generate(states=40, events=200)

    codes = list(MemberState.objects.values_list("iso3", flat=True))
    assert len(set(codes)) == 40
    assert all(re.fullmatch(r"[A-Z]{3}", code) for code in codes)


def test_instruments_come_in_every_kind_with_amendment_chains_and_a_mix_of_rules():
    generate(states=10, instruments=200, events=400)

    kinds = set(Instrument.objects.values_list("kind", flat=True))
    assert kinds == set(Instrument.Kind.values)
    amendments = Instrument.objects.filter(part_of__isnull=False)
    assert amendments.filter(part_of__part_of__isnull=False).exists(), "no chain of two amendments"
    assert all(amendment.part_of.pk != amendment.pk for amendment in amendments)
    assert set(Instrument.objects.values_list("needs_ratification", flat=True)) == {True, False}
    assert set(Instrument.objects.values_list("eif_rule", flat=True)) == set(Instrument.EntryIntoForceRule.values)
    assert not Instrument.objects.filter(eif_rule="nth_ratification", eif_threshold__isnull=True).exists()


def test_events_come_in_every_type_and_precision_with_instrument_level_ones():
    generate(states=30, instruments=60, events=2500)

    # "Reported not yet in force" (issue 14) is evidence only, never a step: the synthetic record has none.
    assert set(Event.objects.values_list("type", flat=True)) == set(Event.Type.values) - {Event.Type.NOT_IN_FORCE}
    assert set(Event.objects.values_list("precision", flat=True)) == set(Event.Precision.values)
    instrument_level = set(Event.objects.filter(state__isnull=True).values_list("type", flat=True))
    assert instrument_level == {Event.Type.SIGNED, Event.Type.ADOPTED, Event.Type.IN_FORCE}


def test_the_same_seed_gives_the_same_record_and_another_seed_a_different_one():
    generate(seed=11)
    first = snapshot()
    generate(seed=11)
    again = snapshot()
    generate(seed=12)
    other = snapshot()

    assert again == first
    assert other != first


def test_running_again_replaces_the_synthetic_record_rather_than_adding_to_it():
    generate(events=500)
    generate(events=300)

    assert Event.objects.count() == 300
    assert MemberState.objects.count() == 12


def test_each_pairs_steps_come_in_order_and_no_ratification_precedes_its_signature():
    generate(states=20, instruments=40, events=1100)

    events = Event.objects.filter(state__isnull=False)
    checked = 0
    for run in pair_runs(events):
        steps = [event for event in run if event.type not in ENDING]
        for earlier, later in itertools.pairwise(run):
            assert earlier.date <= later.date
            assert earlier.known_from <= later.known_from
        ranks = [STEP_RANK[event.type] for event in steps]
        assert ranks == sorted(ranks), [event.type for event in run]
        checked += 1
    assert checked > 300


def test_every_event_passes_the_models_own_checks_and_quotes_its_source_verbatim():
    generate(states=10, instruments=20, events=300)

    events = list(Event.objects.select_related("source"))
    assert len(events) == 300
    for event in events:
        assert quote_appears_in(event.quote, event.source.text)
        assert not event.is_paraphrase
        assert event.date <= event.source.date
        assert event.known_from == event.compute_known_from()
        event.full_clean()


def test_the_status_engine_reads_the_synthetic_record_into_every_kind_of_status():
    generate(states=20, instruments=60, events=1600)

    matrix = status_matrix(as_of=datetime.date(2025, 12, 31))

    codes = {status.code for _, _, status in matrix.pairs()}
    assert codes == set(Status.values)


def test_it_refuses_to_write_beside_a_real_record():
    real_state = make_state(name="Armenia", iso3="ARM")
    make_event(instrument=make_instrument(), state=real_state, source=make_source())

    refusal = r"holds a real record \(1 member states, 1 instruments, 1 sources\).*--force"
    with pytest.raises(CommandError, match=refusal):
        generate()

    assert MemberState.objects.count() == 1
    assert Event.objects.count() == 1


def test_with_force_it_writes_beside_a_real_record_and_leaves_that_record_alone():
    real_state = make_state(name="Armenia", iso3="ARM")
    real_event = make_event(instrument=make_instrument(), state=real_state, source=make_source())

    generate(force=True, events=300)
    generate(force=True, events=200)

    assert MemberState.objects.filter(is_synthetic=False).get() == real_state
    assert Event.objects.filter(instrument__is_synthetic=False).get() == real_event
    assert Event.objects.count() == 201
    assert not MemberState.objects.filter(is_synthetic=True, iso3="ARM").exists()


@pytest.mark.parametrize(
    ("option", "message"),
    [({"states": 0}, "--states must be between"), ({"instruments": 0}, "--instruments must be at least 1")],
)
def test_impossible_sizes_get_a_clear_error(option, message):
    with pytest.raises(CommandError, match=message):
        generate(**option)


def test_instruments_come_in_series_of_fifty_that_the_title_filter_can_select():
    generate(states=3, instruments=120, events=100)

    assert Instrument.objects.filter(aliases__contains="Series 001").count() == 50
    assert Instrument.objects.filter(aliases__contains="Series 002").count() == 20

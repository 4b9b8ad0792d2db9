"""The curated record in fixtures/: it loads, every event rests on its source, and the engine reads it right."""

import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from tests.builders import make_event, make_instrument
from tracker.models import Event, Instrument, MemberState, SourceDocument, quote_appears_in
from tracker.record_checks import find_problems
from tracker.status import Status, instrument_history, status_matrix
from tracker.wording import describe_entry_into_force

D = datetime.date
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EVENT_PKS = [row["pk"] for row in json.loads((FIXTURES / "events.json").read_text(encoding="utf-8"))]

INSTRUMENT_COUNT = 38
EVENT_COUNT = 94


@pytest.fixture(scope="module")
def record(django_db_setup, django_db_blocker):
    """The fixtures loaded once for the module, inside a transaction rolled back at its end."""
    output = StringIO()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        call_command("load_record", stdout=output)
    yield output.getvalue()
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def loaded(record, db):
    return record


def state(iso3):
    return MemberState.objects.get(iso3=iso3)


def statuses(instrument_slug, as_of):
    """{ISO code: status} for one instrument as of a date, from the engine."""
    instrument = Instrument.objects.get(slug=instrument_slug)
    matrix = status_matrix(as_of=as_of, instruments=[instrument])
    return {member.iso3: matrix.status(instrument, member) for member in matrix.states}, matrix, instrument


def codes(instrument_slug, as_of):
    by_state, _, _ = statuses(instrument_slug, as_of)
    return {iso3: status.code for iso3, status in by_state.items()}


class TestLoading:
    def test_the_fixtures_load_into_an_empty_database_with_exact_counts(self, loaded):
        assert "Loaded the CSTO record" in loaded
        assert MemberState.objects.count() == 6
        assert SourceDocument.objects.count() == 5
        assert Instrument.objects.count() == INSTRUMENT_COUNT
        assert Event.objects.count() == EVENT_COUNT == len(EVENT_PKS)

    def test_the_six_states_carry_their_official_names_and_no_invented_membership_dates(self, loaded):
        assert {(s.iso3, s.slug, s.official_name) for s in MemberState.objects.all()} == {
            ("ARM", "armenia", "Republic of Armenia"),
            ("BLR", "belarus", "Republic of Belarus"),
            ("KAZ", "kazakhstan", "Republic of Kazakhstan"),
            ("KGZ", "kyrgyzstan", "Kyrgyz Republic"),
            ("RUS", "russia", "Russian Federation"),
            ("TJK", "tajikistan", "Republic of Tajikistan"),
        }
        assert not MemberState.objects.filter(member_since__isnull=False).exists()
        assert not MemberState.objects.filter(member_until__isnull=False).exists()

    def test_each_source_holds_one_piece_of_its_seed_text_verbatim(self, loaded):
        seeds = sorted((Path(__file__).resolve().parent.parent.parent / "shared" / "seeds").glob("*.txt"))
        if not seeds:
            pytest.skip("the shared seed texts are not beside this checkout")
        texts = [seed.read_text(encoding="utf-8") for seed in seeds]
        for source in SourceDocument.objects.all():
            holders = [text for text in texts if source.text.strip() in text]
            assert len(holders) == 1, source.slug

    @pytest.mark.parametrize(
        "other_item",
        [
            "On May 16, 2024, the CSTO Secretariat hosted a round table",
            "15 May marks the 32nd anniversary",
            "On 24 April 2024, in Moscow",
            "From 1 to 23 April 2024",
            "On 25 July 2024, staff of the CSTO Secretariat",
            "On May 28, 2025, a regular meeting",
            "On June 6, 2024, in Almaty",
            "Sputnik Armenia reports",
        ],
    )
    def test_no_source_carries_the_unrelated_news_items_its_page_bundled(self, loaded, other_item):
        assert not SourceDocument.objects.filter(text__contains=other_item).exists()

    def test_each_source_opens_with_its_own_document_and_notes_what_was_left_out(self, loaded):
        openings = {source.slug: source.text[:40] for source in SourceDocument.objects.all()}

        assert openings["tasmagambetov-pa-council-minsk-2023-05-18"].startswith("Dear Vyacheslav Viktorovich")
        assert openings["cssc-meeting-bishkek-2019-06-27"].startswith("On June 27, 2019, a meeting")
        for source in SourceDocument.objects.all():
            assert "left out of the text" in source.note, source.slug

    def test_each_source_is_dated_by_its_main_item(self, loaded):
        assert sorted(SourceDocument.objects.values_list("date", "place")) == [
            (D(2019, 6, 27), "Bishkek"),
            (D(2022, 5, 16), "Moscow (Kremlin)"),
            (D(2023, 5, 18), "Minsk"),
            (D(2023, 12, 19), "Moscow"),
            (D(2025, 2, 7), "Moscow (State Duma)"),
        ]

    def test_every_event_has_its_holds_from_date_computed_on_load(self, loaded):
        assert not Event.objects.filter(known_from__isnull=True).exists()
        observer = Event.objects.filter(instrument__slug="observer-partner-institutions-instrument").first()
        assert observer.known_from == D(2021, 12, 31)

    def test_records_added_after_loading_get_fresh_ids(self, loaded):
        # loaddata writes explicit ids; PostgreSQL's sequences must have been moved past them.
        instrument = make_instrument()
        event = make_event(instrument=instrument)

        assert instrument.pk > INSTRUMENT_COUNT
        assert event.pk > EVENT_COUNT

    def test_loading_a_second_time_loads_nothing_and_changes_nothing(self, loaded):
        before = list(Event.objects.order_by("pk").values_list("pk", "updated_at", "known_from"))
        output = StringIO()

        call_command("load_record", stdout=output)

        assert "nothing loaded" in output.getvalue()
        assert list(Event.objects.order_by("pk").values_list("pk", "updated_at", "known_from")) == before
        assert Instrument.objects.count() == INSTRUMENT_COUNT


class TestEveryEventRestsOnItsSource:
    @pytest.mark.parametrize("pk", EVENT_PKS)
    def test_the_quote_appears_verbatim_in_the_source_text(self, loaded, pk):
        event = Event.objects.select_related("source").get(pk=pk)

        assert not event.is_paraphrase
        assert quote_appears_in(event.quote, event.source.text)

    def test_no_event_is_dated_after_its_source(self, loaded):
        late = [e.pk for e in Event.objects.select_related("source") if e.date > e.source.date]
        assert late == []

    def test_month_and_year_dates_are_written_as_the_first(self, loaded):
        for event in Event.objects.filter(precision=Event.Precision.MONTH):
            assert event.date.day == 1, event.pk
        years = Event.objects.filter(precision=Event.Precision.YEAR)
        assert years.exists()
        for event in years:
            assert (event.date.month, event.date.day) == (1, 1), event.pk

    def test_every_event_passes_model_validation(self, loaded):
        for event in Event.objects.select_related("source"):
            event.full_clean(validate_unique=False, validate_constraints=False)

    def test_check_record_finds_no_problems_in_the_curated_record(self, loaded):
        assert find_problems() == []


class TestTheSeedsThroughTheEngine:
    def test_as_of_18_may_2023_the_peacekeeping_protocol_is_ratified_by_four_and_pending_for_two(self, loaded):
        assert codes("peacekeeping-agreement-protocol", D(2023, 5, 18)) == {
            "ARM": Status.PENDING,
            "BLR": Status.RATIFIED,
            "KAZ": Status.PENDING,
            "KGZ": Status.RATIFIED,
            "RUS": Status.RATIFIED,
            "TJK": Status.RATIFIED,
        }

    def test_as_of_18_may_2023_the_protocol_still_needs_armenia_and_kazakhstan(self, loaded):
        _, matrix, protocol = statuses("peacekeeping-agreement-protocol", D(2023, 5, 18))

        assert (
            describe_entry_into_force(matrix.entry_into_force(protocol))
            == "2 more ratifications needed: Armenia, Kazakhstan"
        )

    def test_as_of_1_january_2023_nothing_is_known_of_the_peacekeeping_protocol(self, loaded):
        assert set(codes("peacekeeping-agreement-protocol", D(2023, 1, 1)).values()) == {Status.NO_RECORD}

    def test_as_of_1_june_2023_the_fourth_protocol_is_ratified_by_belarus_only(self, loaded):
        by_state = codes("fourth-protocol-charter-biosecurity", D(2023, 6, 1))

        assert by_state.pop("BLR") == Status.RATIFIED
        assert set(by_state.values()) == {Status.PENDING}

    def test_the_charter_is_in_force_from_18_september_2003_as_the_sources_state(self, loaded):
        _, matrix, charter = statuses("csto-charter", D(2004, 1, 1))
        entry = matrix.entry_into_force(charter)

        assert entry.date == D(2003, 9, 18)
        assert not entry.uncertain
        assert entry.stated_by is not None and not entry.stated_by.inferred

    def test_every_member_is_bound_by_the_charter_as_of_the_2019_member_list(self, loaded):
        assert set(codes("csto-charter", D(2019, 6, 27)).values()) == {Status.IN_FORCE}
        before = codes("csto-charter", D(2019, 6, 26))
        assert before.pop("ARM") == Status.IN_FORCE
        assert set(before.values()) == {Status.NO_RECORD}

    def test_armenia_as_a_founding_member_is_bound_by_the_charter_from_its_entry_into_force_inferred(self, loaded):
        by_state, _, _ = statuses("csto-charter", D(2003, 9, 18))

        assert by_state["ARM"].code == Status.IN_FORCE
        assert by_state["ARM"].since == D(2003, 9, 18)
        assert by_state["ARM"].inferred
        assert "founding member" in by_state["ARM"].event.quote
        assert codes("csto-charter", D(2003, 9, 17))["ARM"] == Status.NO_RECORD
        assert {by_state[iso3].code for iso3 in ("BLR", "KAZ", "KGZ", "RUS", "TJK")} == {Status.NO_RECORD}

    def test_the_collective_security_treaty_binds_every_member_as_of_the_2019_member_list_inferred(self, loaded):
        by_state, matrix, treaty = statuses("collective-security-treaty", D(2019, 6, 27))

        assert {status.code for status in by_state.values()} == {Status.IN_FORCE}
        assert all(status.inferred for status in by_state.values())
        assert matrix.entry_into_force(treaty).waiting_for == ()

    def test_the_treaty_is_in_force_by_the_2002_decision_that_speaks_of_its_member_states_inferred(self, loaded):
        _, matrix, treaty = statuses("collective-security-treaty", D(2002, 5, 14))
        entry = matrix.entry_into_force(treaty)

        assert (entry.date, entry.uncertain, entry.inferred) == (D(2002, 5, 14), True, True)
        assert "CST member states" in entry.stated_by.quote
        assert "inferred from the source" in describe_entry_into_force(entry)
        assert not matrix.entry_into_force(treaty).waiting_for
        assert codes("collective-security-treaty", D(2002, 5, 14))["ARM"] == Status.IN_FORCE

    def test_the_collective_security_treaty_was_signed_on_15_may_1992_in_tashkent(self, loaded):
        signatures = Event.objects.filter(instrument__slug="collective-security-treaty", type=Event.Type.SIGNED)

        assert {(e.state, e.date, e.precision, e.place) for e in signatures} == {
            (None, D(1992, 5, 15), Event.Precision.DAY, "Tashkent")
        }

    def test_the_observer_and_partner_instrument_counts_as_ratified_from_the_end_of_2021_not_before(self, loaded):
        before = codes("observer-partner-institutions-instrument", D(2021, 12, 30))
        by_state, matrix, instrument = statuses("observer-partner-institutions-instrument", D(2021, 12, 31))

        assert set(before.values()) == {Status.NO_RECORD}
        assert {status.code for status in by_state.values()} == {Status.IN_FORCE}
        assert all(status.inferred and status.since == D(2021, 12, 31) for status in by_state.values())
        assert matrix.entry_into_force(instrument).date == D(2021, 12, 31)

    def test_after_the_december_2023_thanks_the_peacekeeping_protocol_is_in_force_by_its_rule(self, loaded):
        by_state, matrix, protocol = statuses("peacekeeping-agreement-protocol", D(2024, 1, 1))
        entry = matrix.entry_into_force(protocol)

        assert entry.date == D(2023, 12, 19)
        assert entry.uncertain
        assert entry.stated_by is None
        assert entry.inferred
        assert {status.code for status in by_state.values()} == {Status.IN_FORCE}
        assert by_state["ARM"].inferred and by_state["ARM"].computed

    def test_the_protocol_in_force_for_belarus_rests_on_the_december_inferences_and_says_so(self, loaded):
        by_state, _, _ = statuses("peacekeeping-agreement-protocol", D(2024, 1, 1))
        belarus = by_state["BLR"]

        assert belarus.computed
        assert belarus.inferred
        assert {62, 63} <= {event.pk for event in belarus.rests_on}
        assert {29, 30, 31, 32} <= {event.pk for event in belarus.rests_on}

    def test_the_18_may_2023_statement_is_kept_as_a_report_that_the_protocol_was_not_yet_in_force(self, loaded):
        protocol = Instrument.objects.get(slug="peacekeeping-agreement-protocol")
        history = instrument_history(protocol, as_of=D(2024, 1, 1))

        assert [(event.type, event.date) for event in history.not_yet] == [(Event.Type.NOT_IN_FORCE, D(2023, 5, 18))]
        assert "speedy entry into force" in history.not_yet[0].quote

    def test_as_of_2024_the_fourth_protocol_cells_cite_the_sentence_that_names_it(self, loaded):
        by_state, _, _ = statuses("fourth-protocol-charter-biosecurity", D(2024, 1, 1))

        for iso3 in ("ARM", "KAZ", "KGZ", "RUS", "TJK"):
            assert by_state[iso3].code == Status.PENDING
            assert by_state[iso3].since == D(2023, 5, 18), iso3
            assert "Fourth Protocol" in by_state[iso3].event.quote, iso3
            assert "parliamentary level is continuing" in by_state[iso3].event.quote

    def test_after_the_december_2023_thanks_the_two_agreements_are_ratified_by_all_but_not_in_force(self, loaded):
        for slug in ("logistical-medical-support-agreement", "jurisdiction-legal-assistance-agreement"):
            by_state, matrix, agreement = statuses(slug, D(2024, 1, 1))

            assert {status.code for status in by_state.values()} == {Status.RATIFIED}, slug
            # No entry-into-force rule is recorded for them, so the engine does not guess one.
            assert not matrix.entry_into_force(agreement).in_force
            assert by_state["KAZ"].inferred and by_state["BLR"].since <= D(2023, 5, 18)

    def test_the_fourth_protocol_stays_pending_after_december_2023_for_all_but_belarus(self, loaded):
        by_state = codes("fourth-protocol-charter-biosecurity", D(2024, 1, 1))

        assert by_state.pop("BLR") == Status.RATIFIED
        assert set(by_state.values()) == {Status.PENDING}

    def test_every_decision_and_statement_binds_on_adoption_and_waits_for_no_state(self, loaded):
        matrix = status_matrix(as_of=D(2025, 3, 1))
        no_ratification = [instrument for instrument in matrix.instruments if not instrument.needs_ratification]

        assert len(no_ratification) == 29
        for instrument in no_ratification:
            entry = matrix.entry_into_force(instrument)
            assert entry.binds_on_adoption, instrument.slug
            assert entry.waiting_for == () and entry.missing_count is None, instrument.slug
            assert "no entry-into-force rule" not in describe_entry_into_force(entry), instrument.slug
        adopted = [instrument for instrument in no_ratification if matrix.entry_into_force(instrument).in_force]
        assert len(adopted) == 28

    def test_council_decisions_are_adopted_for_every_member_from_their_date(self, loaded):
        assert set(codes("anniversary-statement-2022", D(2022, 5, 16)).values()) == {Status.ADOPTED}
        assert set(codes("anniversary-statement-2022", D(2022, 5, 15)).values()) == {Status.NO_RECORD}

    def test_instruments_that_need_no_ratification_are_only_adopted_never_ratified(self, loaded):
        no_ratification = Event.objects.filter(instrument__needs_ratification=False)

        assert set(no_ratification.values_list("type", flat=True)) == {Event.Type.ADOPTED}
        assert not Event.objects.filter(instrument__slug="csc-joint-trainings-regulations-draft-decision-2019").exists()
        assert not no_ratification.filter(state__isnull=False).exists()

    def test_the_amending_protocols_belong_to_what_they_amend(self, loaded):
        amends = dict(Instrument.objects.filter(part_of__isnull=False).values_list("slug", "part_of__slug"))

        assert amends["fourth-protocol-charter-biosecurity"] == "csto-charter"
        assert amends["peacekeeping-agreement-protocol"] == "peacekeeping-agreement"

    def test_only_the_peacekeeping_protocol_has_an_entry_into_force_rule(self, loaded):
        with_rule = Instrument.objects.exclude(eif_rule="")

        assert list(with_rule.values_list("slug", "eif_rule")) == [("peacekeeping-agreement-protocol", "all_parties")]
        assert "inferred" in with_rule.get().eif_rule_basis.lower()


class TestWhatIsMissingOrMixedUp:
    def test_all_eight_documents_signed_on_27_june_2019_are_recorded_with_their_titles_as_given(self, loaded):
        from_the_meeting = Instrument.objects.filter(events__source__slug="cssc-meeting-bishkek-2019-06-27").exclude(
            slug__in=["collective-security-treaty", "csc-decision-2002-establish-csto", "csto-charter"]
        )
        draft = Instrument.objects.get(slug="csc-joint-trainings-regulations-draft-decision-2019")

        assert from_the_meeting.distinct().count() + 1 == 8
        assert "On the Regulations on the procedure for preparing and conducting joint trainings" in draft.title
        assert "not report its adoption" in draft.note

    def test_the_2019_draft_title_of_the_tajik_afghan_border_programme_is_another_title_of_the_later_policy(
        self, loaded
    ):
        policy = Instrument.objects.get(slug="tajik-afghan-border-special-interstate-policy")

        assert "Target intergovernmental program of the CSTO to strengthen sections of the Tajik-Afghan border" in (
            policy.alias_list
        )
        assert not Instrument.objects.filter(title__icontains="Target intergovernmental program").exists()

    def test_titles_keep_the_words_of_the_text(self, loaded):
        titles = dict(Instrument.objects.values_list("slug", "title"))

        assert (
            "the mechanisms and cooperation structures of the CST member states"
            in titles["csc-decision-2002-establish-csto"]
        )
        assert "CSC Troops" in titles["troops-composition-decision-2023"]

    @pytest.mark.parametrize("pk", EVENT_PKS)
    def test_an_event_is_inferred_exactly_when_its_note_says_how(self, loaded, pk):
        event = Event.objects.get(pk=pk)

        assert event.inferred == event.note.startswith("Inferred"), event.note

    def test_the_two_documents_of_the_same_2019_sentence_carry_the_same_inferred_flag(self, loaded):
        assert Event.objects.get(pk=10).inferred == Event.objects.get(pk=12).inferred is True

    def test_steps_dated_from_the_context_rather_than_the_quote_are_inferred(self, loaded):
        assert Event.objects.get(pk=55).inferred and Event.objects.get(pk=77).inferred

"""The public pages, read as a visitor would: what they show, what they link to, and how they refuse bad input."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tests.builders import make_event, make_fourth_protocol_record, make_instrument, make_source
from tracker.models import Event, Instrument, MemberState, SourceDocument
from tracker.status import instrument_history
from tracker.templatetags.tracker_extras import highlighted_text
from tracker.timeline import build_timeline
from tracker.wording import status_label

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def record(six_states):
    return make_fourth_protocol_record(six_states)


def text_of(response) -> str:
    """The page's visible text, whitespace collapsed, for assertions about what a reader sees."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    # Tags became spaces; punctuation after a link or badge reads as it does on screen.
    return re.sub(r" ([,.:;)])", r"\1", text).replace("( ", "(")


class TestTheMatrix:
    def test_it_shows_each_instrument_against_the_six_states_with_labels_as_of_the_chosen_date(self, client, record):
        response = client.get(reverse("tracker:matrix"), {"as_of": "2023-06-01"})

        assert response.status_code == 200
        text = text_of(response)
        assert "as of 1 June 2023" in text
        for name in ("Armenia", "Belarus", "Kazakhstan", "Kyrgyzstan", "Russia", "Tajikistan"):
            assert name in text
        assert "Fourth Protocol" in text
        assert "Ratified by 18 May 2023" in text
        assert "Ratification pending by 18 May 2023 inferred" in text
        assert "≤" not in text

    def test_a_status_cell_links_to_the_event_that_is_its_evidence(self, client, record):
        response = client.get(reverse("tracker:matrix"), {"as_of": "2023-06-01"})

        assert f'href="{record["ratified"].get_absolute_url()}"' in response.content.decode()

    def test_before_the_report_the_state_has_no_record(self, client, record):
        response = client.get(reverse("tracker:matrix"), {"as_of": "2023-05-17", "q": "Fourth"})

        [row] = response.context["rows"]
        assert {cell.status.code for cell in row.cells} == {"no_record"}

    def test_it_defaults_to_today(self, client, record):
        response = client.get(reverse("tracker:matrix"))

        assert response.status_code == 200
        assert response.context["as_of"] == datetime.date.today()

    def test_it_says_who_has_not_yet_ratified_an_instrument(self, client, record):
        response = client.get(reverse("tracker:matrix"), {"as_of": "2024-01-01", "q": "fourth"})

        text = text_of(response)
        assert "5 more ratifications needed" in text
        assert "Not yet ratified by: Armenia, Kazakhstan, Kyrgyzstan, Russia, Tajikistan" in text

    def test_a_decision_that_needs_no_ratification_says_it_binds_on_adoption(self, client, record):
        response = client.get(reverse("tracker:matrix"), {"as_of": "2024-01-01", "kind": "decision"})

        assert "These bind on adoption and need no ratification" in text_of(response)

    @pytest.mark.parametrize(
        ("filters", "shown", "hidden"),
        [
            ({"kind": "decision"}, "Peacekeeping decision", "Fourth Protocol"),
            ({"needs_ratification": "false"}, "Peacekeeping decision", "Fourth Protocol"),
            ({"needs_ratification": "true"}, "Fourth Protocol", "Peacekeeping decision"),
            ({"q": "fourth"}, "Fourth Protocol", "Peacekeeping decision"),
            ({"q": "biosafety"}, "Fourth Protocol", "Peacekeeping decision"),
        ],
    )
    def test_filters_narrow_the_instruments(self, client, record, filters, shown, hidden):
        response = client.get(reverse("tracker:matrix"), {"as_of": "2024-01-01"} | filters)

        rows = [row.instrument.short_title for row in response.context["rows"]]
        assert shown in rows
        assert hidden not in rows

    def test_comparing_two_dates_outlines_the_changed_cells_and_says_what_changed(self, client, record):
        response = client.get(reverse("tracker:matrix"), {"as_of": "2023-06-01", "compare": "2023-01-01"})

        assert response.status_code == 200
        changed = [
            (
                row.instrument.short_title,
                cell.state.iso3,
                status_label(cell.earlier.code),
                status_label(cell.later.code),
            )
            for row in response.context["rows"]
            for cell in row.cells
            if cell.changed
        ]
        assert ("Fourth Protocol", "BLR", "No record", "Ratified") in changed
        assert ("Fourth Protocol", "KAZ", "No record", "Ratification pending") in changed
        assert len(changed) == 2
        text = text_of(response)
        assert "2 statuses changed between 1 Jan 2023 and 1 Jun 2023" in text
        assert "No record → Ratified" in text
        assert "Fourth Protocol: Belarus: No record → Ratified by 18 May 2023" in text

    def test_comparing_with_a_later_date_reads_from_the_earlier_to_the_later(self, client, record):
        response = client.get(reverse("tracker:matrix"), {"as_of": "2023-01-01", "compare": "2023-06-01"})

        assert "No record → Ratified" in text_of(response)

    @pytest.mark.parametrize(
        "params",
        [
            {"as_of": "2023-13-45"},
            {"as_of": "yesterday"},
            {"as_of": "0001-01-01"},
            {"compare": "2023-02-30"},
            {"kind": "not-a-kind"},
        ],
    )
    def test_a_malformed_option_is_a_clear_form_error_with_status_400(self, client, record, params):
        response = client.get(reverse("tracker:matrix"), params)

        assert response.status_code == 400
        text = text_of(response)
        assert "could not be used" in text
        assert "Status matrix" in text

    def test_a_malformed_date_names_the_expected_format(self, client, record):
        response = client.get(reverse("tracker:matrix"), {"as_of": "01/06/2023"})

        assert "Enter a date as YYYY-MM-DD" in text_of(response)

    def test_it_has_a_legend_and_an_export_link_with_the_same_filters(self, client, record):
        response = client.get(reverse("tracker:matrix"), {"as_of": "2023-06-01", "kind": "protocol"})

        html = response.content.decode()
        assert "How to read the matrix" in text_of(response)
        assert f"{reverse('tracker:export_status')}?as_of=2023-06-01&amp;kind=protocol" in html


class TestTheInstrumentPage:
    def test_it_shows_what_the_instrument_is_when_it_was_signed_and_what_it_amends(self, client, record):
        response = client.get(record["protocol"].get_absolute_url(), {"as_of": "2024-01-01"})

        assert response.status_code == 200
        text = text_of(response)
        assert "<title>Fourth Protocol ·" in response.content.decode()
        assert "Fourth Protocol amending the Charter" in text
        assert "Signed 23 Nov 2022, Yerevan" in text
        assert "Amends or belongs to CSTO Charter" in text
        assert "5 more ratifications needed" in text

    def test_the_amended_instrument_lists_its_amendments(self, client, record):
        response = client.get(record["charter"].get_absolute_url())

        assert "Amended by Fourth Protocol" in text_of(response)

    def test_it_shows_each_states_status_a_timeline_and_the_quotes(self, client, record):
        response = client.get(record["protocol"].get_absolute_url(), {"as_of": "2024-01-01"})

        html = response.content.decode()
        statuses = {state.iso3: status.code for state, status in response.context["statuses"]}
        assert statuses["BLR"] == "ratified"
        assert statuses["KAZ"] == "pending"
        assert statuses["ARM"] == "no_record"
        assert "<svg" in html
        assert 'class="segment status-ratified"' in html
        assert "Belarus: Ratified" in html
        assert "The Fourth Protocol has been ratified by the Republic of Belarus." in html
        assert f"{record['speech'].get_absolute_url()}#event-{record['ratified'].pk}" in html

    def test_events_not_yet_known_on_the_chosen_date_are_left_out(self, client, record):
        response = client.get(record["protocol"].get_absolute_url(), {"as_of": "2023-01-01"})

        assert "ratified by the Republic of Belarus" not in response.content.decode()

    def test_an_unknown_slug_is_a_404_page(self, client, record):
        response = client.get(reverse("tracker:instrument_detail", kwargs={"slug": "no-such-treaty"}))

        assert response.status_code == 404
        assert "Page not found" in text_of(response)

    def test_a_malformed_date_is_a_400_with_the_message(self, client, record):
        response = client.get(record["protocol"].get_absolute_url(), {"as_of": "2023-99-01"})

        assert response.status_code == 400
        assert "Enter a date as YYYY-MM-DD" in text_of(response)

    def test_the_instrument_list_shows_conclusion_and_entry_into_force(self, client, record):
        response = client.get(reverse("tracker:instrument_list"))

        assert response.status_code == 200
        text = text_of(response)
        assert "Fourth Protocol amending the Charter" in text
        assert "Signed 23 Nov 2022, Yerevan" in text
        # A Council decision is in force from its adoption, as the API says too (issue 19).
        assert "In force since 23 Nov 2022 (binding on adoption)" in text


class TestTheTimeline:
    def test_each_state_gets_a_lane_with_one_segment_per_status_in_date_order(self, record):
        belarus = record["states"]["BLR"]
        make_event(
            instrument=record["protocol"],
            state=belarus,
            source=make_source(date=D(2022, 12, 1), text="Belarus signed it."),
            type=Event.Type.SIGNED,
            quote="Belarus signed it",
        )
        as_of = D(2024, 1, 1)
        states = list(record["states"].values())

        timeline = build_timeline(instrument_history(record["protocol"], as_of=as_of), states, as_of=as_of)

        assert [lane.name for lane in timeline.lanes] == [state.name for state in states]
        lane = next(lane for lane in timeline.lanes if lane.name == "Belarus")
        assert [segment.code for segment in lane.segments] == ["signed", "ratified"]
        signed, ratified = lane.segments
        assert signed.end == ratified.start == D(2023, 5, 18)
        assert signed.x < ratified.x
        assert ratified.x + ratified.width <= timeline.label_width + timeline.plot_width + 0.1
        assert ratified.when == "by 18 May 2023"
        assert timeline.start == D(2022, 1, 1)
        assert timeline.end == as_of
        assert not next(lane for lane in timeline.lanes if lane.name == "Armenia").segments

    def test_entry_into_force_is_marked_when_it_falls_in_the_range(self, record):
        charter = record["charter"]
        source = make_source(date=D(2020, 1, 1), text="The Charter entered into force.")
        make_event(instrument=charter, source=source, type=Event.Type.IN_FORCE, date=D(2019, 6, 1), precision="day")
        make_event(
            instrument=charter, state=record["states"]["ARM"], source=source, date=D(2019, 1, 1), precision="day"
        )
        as_of = D(2024, 1, 1)

        timeline = build_timeline(
            instrument_history(charter, as_of=as_of), list(record["states"].values()), as_of=as_of
        )

        assert timeline.entry_into_force_x is not None
        assert timeline.label_width < timeline.entry_into_force_x < timeline.label_width + timeline.plot_width


class TestTheStatePage:
    def test_it_shows_the_states_status_on_every_instrument_and_its_events_in_date_order(self, client, record):
        belarus = record["states"]["BLR"]
        later = make_source(date=D(2023, 12, 19), text="Belarus completed the procedures.")
        make_event(instrument=record["charter"], state=belarus, source=later, type=Event.Type.RATIFIED)

        response = client.get(belarus.get_absolute_url(), {"as_of": "2024-01-01"})

        assert response.status_code == 200
        statuses = {instrument.slug: status.code for instrument, status in response.context["statuses"]}
        assert statuses == {"charter": "ratified", "fourth-protocol": "ratified", "peacekeeping-decision": "adopted"}
        assert [event.source.date for event in response.context["events"]] == [D(2023, 5, 18), D(2023, 12, 19)]
        assert "Republic of Belarus" in text_of(response)

    def test_an_unknown_state_is_a_404(self, client, record):
        assert client.get(reverse("tracker:state_detail", kwargs={"slug": "atlantis"})).status_code == 404

    def test_a_malformed_date_is_a_400(self, client, record):
        response = client.get(record["states"]["BLR"].get_absolute_url(), {"as_of": "2023-02-29"})

        assert response.status_code == 400

    def test_the_state_list_links_every_state(self, client, record):
        response = client.get(reverse("tracker:state_list"))

        assert response.status_code == 200
        for state in record["states"].values():
            assert f'href="{state.get_absolute_url()}"' in response.content.decode()


class TestTheEventsTable:
    def test_it_lists_the_events_with_their_quotes_and_an_export_link(self, client, record):
        response = client.get(reverse("tracker:event_list"))

        assert response.status_code == 200
        text = text_of(response)
        assert "The Fourth Protocol has been ratified by the Republic of Belarus." in text
        assert "4 events" in text
        assert reverse("tracker:export_events") in response.content.decode()

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"state": "belarus"}, {"ratified"}),
            ({"instrument": "peacekeeping-decision"}, {"adopted"}),
            ({"type": "signed"}, {"signed"}),
            ({"date_after": "2023-01-01"}, {"ratified", "pending"}),
            ({"date_before": "2022-12-31"}, {"signed", "adopted"}),
            ({"source": "minsk-2023"}, {"ratified", "pending"}),
            ({"inferred": "true"}, {"pending"}),
            ({"inferred": "false"}, {"signed", "ratified", "adopted"}),
        ],
    )
    def test_filters_narrow_the_rows(self, client, record, params, expected):
        response = client.get(reverse("tracker:event_list"), params)

        assert response.status_code == 200
        shown = {row.record.pk for row in response.context["table"].page.object_list}
        assert shown == {record[name].pk for name in expected}

    def test_it_sorts_by_a_column_either_way(self, client, record):
        ascending = client.get(reverse("tracker:event_list"), {"sort": "date"})
        descending = client.get(reverse("tracker:event_list"), {"sort": "-date"})

        first = [row.record.pk for row in ascending.context["table"].page.object_list]
        last = [row.record.pk for row in descending.context["table"].page.object_list]
        assert first == list(reversed(last))
        assert record["ratified"].pk in first[2:]

    def test_an_unknown_sort_key_is_a_400_that_names_the_sortable_columns(self, client, record):
        response = client.get(reverse("tracker:event_list"), {"sort": "password"})

        assert response.status_code == 400
        assert "is not a column you can sort by" in text_of(response)

    @pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5"])
    def test_a_malformed_page_number_is_a_400(self, client, record, page):
        response = client.get(reverse("tracker:event_list"), {"page": page})

        assert response.status_code == 400

    def test_a_page_past_the_end_shows_the_last_page(self, client, record):
        response = client.get(reverse("tracker:event_list"), {"page": "99"})

        assert response.status_code == 200
        assert response.context["table"].page.number == 1

    def test_it_paginates_fifty_events_a_page(self, client, six_states):
        instrument = make_instrument()
        for _ in range(55):
            make_event(instrument=instrument, state=six_states["ARM"])

        first = client.get(reverse("tracker:event_list"))
        second = client.get(reverse("tracker:event_list"), {"page": "2"})

        assert len(first.context["table"].page.object_list) == 50
        assert len(second.context["table"].page.object_list) == 5

    @pytest.mark.parametrize(
        "params", [{"state": "atlantis"}, {"type": "eaten"}, {"date_after": "2023-99-01"}, {"source": "nope"}]
    )
    def test_an_unknown_filter_value_is_a_400_with_the_message(self, client, record, params):
        response = client.get(reverse("tracker:event_list"), params)

        assert response.status_code == 400
        assert "could not be used" in text_of(response)


class TestTheEventPage:
    def test_it_shows_the_quote_and_links_to_the_sentence_in_its_source(self, client, record):
        event = record["ratified"]

        response = client.get(event.get_absolute_url())

        assert response.status_code == 200
        html = response.content.decode()
        assert "The Fourth Protocol has been ratified by the Republic of Belarus." in html
        assert f'href="{record["speech"].get_absolute_url()}#event-{event.pk}"' in html
        assert "Belarus: Ratified" in text_of(response)

    def test_an_unknown_event_is_a_404(self, client, record):
        assert client.get(reverse("tracker:event_detail", kwargs={"pk": 999999})).status_code == 404


class TestTheSourcePages:
    def test_the_source_page_marks_each_quoted_sentence_and_links_it_to_its_event(self, client, record):
        response = client.get(record["speech"].get_absolute_url())

        assert response.status_code == 200
        html = response.content.decode()
        ratified, pending = record["ratified"], record["pending"]
        assert (
            f'<mark id="event-{ratified.pk}">The Fourth Protocol has been ratified by the Republic of Belarus.</mark>'
            in html
        )
        assert f'<mark id="event-{pending.pk}">Ratification is continuing in the other states.</mark>' in html
        assert f'href="{ratified.get_absolute_url()}"' in html
        assert "Good afternoon." in html

    def test_the_source_list_links_every_source(self, client, record):
        response = client.get(reverse("tracker:source_list"))

        assert response.status_code == 200
        assert f'href="{record["speech"].get_absolute_url()}"' in response.content.decode()
        assert "Minsk statement" in text_of(response)

    def test_an_unknown_source_is_a_404(self, client, record):
        assert client.get(reverse("tracker:source_detail", kwargs={"slug": "no-speech"})).status_code == 404


class TestQuoteHighlighting:
    def test_markup_in_the_source_text_is_escaped_not_rendered(self):
        source = make_source(text="<script>alert(1)</script> The Protocol was ratified & signed.")
        event = make_event(instrument=make_instrument(), source=source, quote="The Protocol was ratified & signed.")

        html = highlighted_text(source.text, [event])

        assert "<script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert f'<mark id="event-{event.pk}">The Protocol was ratified &amp; signed.</mark>' in html

    def test_a_quote_is_found_across_line_breaks(self):
        source = make_source(text="First line. The Protocol was\n  ratified by Belarus. End.")
        event = make_event(instrument=make_instrument(), source=source, quote="The Protocol was ratified by Belarus.")

        html = highlighted_text(source.text, [event])

        assert f'<mark id="event-{event.pk}">The Protocol was\n  ratified by Belarus.</mark>' in html

    def test_events_quoting_the_same_sentence_share_a_mark_and_each_keeps_an_anchor(self, six_states):
        source = make_source(text="Ratification continues in Armenia and Russia. Thank you.")
        quote = "Ratification continues in Armenia and Russia."
        instrument = make_instrument()
        armenia = make_event(instrument=instrument, source=source, state=six_states["ARM"], quote=quote)
        russia = make_event(instrument=instrument, source=source, state=six_states["RUS"], quote=quote)

        html = highlighted_text(source.text, [armenia, russia])

        assert html.count("<mark") == 1
        assert f'id="event-{armenia.pk}"' in html
        assert f'id="event-{russia.pk}"' in html
        assert html.endswith(" Thank you.")

    def test_overlapping_quotes_are_merged_into_one_mark_never_nested(self, six_states):
        source = make_source(text="Intro. The Protocol was ratified by Belarus and Russia. End.")
        instrument = make_instrument()
        whole = make_event(
            instrument=instrument,
            source=source,
            state=six_states["BLR"],
            quote="The Protocol was ratified by Belarus and Russia.",
        )
        part = make_event(
            instrument=instrument, source=source, state=six_states["RUS"], quote="ratified by Belarus and Russia"
        )

        html = highlighted_text(source.text, [part, whole])

        assert html.count("<mark") == 1
        assert html.startswith(
            f'Intro. <mark id="event-{whole.pk}"><span id="event-{part.pk}" class="anchor"></span>The'
        )

    def test_a_quote_not_found_in_the_text_is_simply_not_marked(self, six_states):
        source = make_source(text="Nothing to see here.")
        event = make_event(instrument=make_instrument(), source=source, quote="Elsewhere.", is_paraphrase=True)

        assert highlighted_text(source.text, [event]) == "Nothing to see here."


class TestEveryPage:
    def test_every_page_has_a_title_and_breadcrumbs(self, client, record):
        urls = [
            reverse("tracker:matrix"),
            reverse("tracker:instrument_list"),
            record["protocol"].get_absolute_url(),
            reverse("tracker:state_list"),
            record["states"]["BLR"].get_absolute_url(),
            reverse("tracker:event_list"),
            record["ratified"].get_absolute_url(),
            reverse("tracker:source_list"),
            record["speech"].get_absolute_url(),
        ]
        for url in urls:
            response = client.get(url)
            html = response.content.decode()
            assert response.status_code == 200, url
            assert re.search(r"<title>[^<]+ · CSTO ratification tracker</title>", html), url
            assert 'aria-label="Breadcrumbs"' in html, url
            assert "style=" not in html, url
            assert "<script" not in html, url


class TestErrorPages:
    def test_the_server_error_page_renders_without_a_request_or_a_database(self):
        # Django renders 500.html with an empty context when something has already gone wrong.
        html = render_to_string("500.html")

        assert "Server error" in html
        assert "<title>Server error · CSTO ratification tracker</title>" in html


class TestQueryCounts:
    """The number of queries a page makes does not grow with the size of the record."""

    def grow(self, six_states, instruments: int):
        source = make_source(date=D(2023, 5, 18))
        for n in range(instruments):
            instrument = make_instrument(part_of=make_instrument() if n % 2 else None)
            for state in six_states.values():
                make_event(instrument=instrument, state=state, source=source)

    @pytest.mark.parametrize("size", [2, 12])
    @pytest.mark.parametrize(
        "page", ["tracker:matrix", "tracker:instrument_list", "tracker:event_list", "tracker:source_list"]
    )
    def test_list_pages_make_a_fixed_number_of_queries(
        self, client, six_states, django_assert_max_num_queries, size, page
    ):
        self.grow(six_states, size)

        # The matrix compares two dates: each reads the states, the spans' stamp, the pairs' and the
        # entries into force's spans (the events behind them once, their sources once): 13 at most, whatever the size.
        with django_assert_max_num_queries(13):
            assert client.get(reverse(page), {"compare": "2023-01-01"}).status_code == 200

    @pytest.mark.parametrize("size", [2, 12])
    def test_detail_pages_make_a_fixed_number_of_queries(self, client, six_states, django_assert_max_num_queries, size):
        self.grow(six_states, size)
        instrument = Instrument.objects.first()
        event = Event.objects.first()
        urls = [
            instrument.get_absolute_url(),
            six_states["BLR"].get_absolute_url(),
            event.get_absolute_url(),
            event.source.get_absolute_url(),
        ]
        # The state page reads its statuses from the spans: their stamp, pairs and entries into force.
        for url in urls:
            with django_assert_max_num_queries(9):
                assert client.get(url).status_code == 200


@pytest.fixture
def curated_record(db):
    call_command("load_record", verbosity=0)


class TestTheCuratedRecord:
    """The issue's "done when", on the real record in fixtures/."""

    def test_who_has_not_ratified_the_fourth_protocol_and_how_we_know_in_two_clicks(self, client, curated_record):
        home = client.get(reverse("tracker:matrix"))
        protocol = Instrument.objects.get(slug="fourth-protocol-charter-biosecurity")
        # Click one: the protocol's row in the matrix.
        assert f'href="{protocol.get_absolute_url()}"' in home.content.decode()

        page = client.get(protocol.get_absolute_url())

        statuses = {state.iso3: status for state, status in page.context["statuses"]}
        not_ratified = {iso3 for iso3, status in statuses.items() if status.code not in ("ratified", "in_force")}
        assert not_ratified == {"ARM", "KAZ", "KGZ", "RUS", "TJK"}
        # How we know: each status links to its event, and the quotes stand beneath.
        html = page.content.decode()
        for iso3 in not_ratified:
            assert f'href="{statuses[iso3].event.get_absolute_url()}"' in html
        assert "Not yet ratified by: Armenia, Kazakhstan, Kyrgyzstan, Russia, Tajikistan" in text_of(page)

    def test_the_matrix_on_1_june_2023_is_one_request_away(self, client, curated_record):
        response = client.get(reverse("tracker:matrix"), {"as_of": "2023-06-01"})

        assert response.status_code == 200
        assert "as of 1 June 2023" in text_of(response)
        rows = {row.instrument.slug: row.cells for row in response.context["rows"]}
        protocol = {cell.state.iso3: cell.status.code for cell in rows["fourth-protocol-charter-biosecurity"]}
        assert protocol["BLR"] == "ratified"
        assert protocol["ARM"] == "pending"

    def test_every_curated_page_renders(self, client, curated_record):
        urls = [
            obj.get_absolute_url() for model in (Instrument, MemberState, SourceDocument) for obj in model.objects.all()
        ]
        urls += [event.get_absolute_url() for event in Event.objects.all()[:10]]
        for url in urls:
            assert client.get(url).status_code == 200, url


class TestReadingOrder:
    """Lists sort by the names the reader sees: Russian pages by the Russian titles (issue 15)."""

    @pytest.fixture
    def two_instruments(self, six_states):
        make_instrument(title="Agreement on everything", short_title="Agreement", title_ru="Соглашение обо всём")
        make_instrument(title="Zeta Treaty", short_title="Zeta Treaty", title_ru="Договор Зета")

    def titles_in(self, response, *titles):
        text = text_of(response)
        return sorted(titles, key=text.index)

    def test_the_english_instrument_list_follows_the_english_titles(self, client, two_instruments):
        response = client.get(reverse("tracker:instrument_list"))

        assert self.titles_in(response, "Agreement on everything", "Zeta Treaty") == [
            "Agreement on everything",
            "Zeta Treaty",
        ]

    def test_the_russian_instrument_list_and_matrix_follow_the_russian_titles(self, client, two_instruments):
        with translation.override("ru"):
            listing = client.get(reverse("tracker:instrument_list"))
            matrix = client.get(reverse("tracker:matrix"))

        assert self.titles_in(listing, "Соглашение обо всём", "Договор Зета") == ["Договор Зета", "Соглашение обо всём"]
        assert [str(row.instrument.display_short_title("ru")) for row in matrix.context["rows"]] == [
            "Договор Зета",
            "Соглашение обо всём",
        ]

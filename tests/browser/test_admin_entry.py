"""The issue's "done when" for staff (issue 5), in a real browser: three ratifications from one speech."""

import datetime

import pytest
from django.contrib.auth.models import Permission, User

from tests.builders import make_instrument, make_six_states, make_source
from tracker.models import Event

SPEECH = (
    "The Agreement on joint training has been ratified by the Republic of Armenia. "
    "Belarus has also completed its internal procedures. "
    "Kazakhstan ratified the Agreement last month."
)


@pytest.fixture
def signed_in_editor(transactional_db, live_server, page):
    user = User.objects.create_user("editor", password="a-long-test-password", is_staff=True)
    # The "Editors" group's own rights; the group itself does not survive the flush between live-server tests.
    editing = ["add_event", "change_event", "view_event", "change_sourcedocument", "view_sourcedocument"]
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=[*editing, "view_instrument", "view_memberstate"])
    )
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    return page


def choose(page, row: int, field: str, typed: str, shown: str):
    """Pick a choice in a row's autocomplete box by typing its first letters, as staff do."""
    page.click(f"#events-{row} .field-{field} .select2-selection")
    page.fill(".select2-container--open .select2-search__field", typed)
    page.locator(".select2-results__option", has_text=shown).first.click()


def test_an_editor_records_three_ratifications_by_choosing_instrument_and_state_and_pasting_quotes(
    signed_in_editor, live_server
):
    page = signed_in_editor
    states = make_six_states()
    instrument = make_instrument(title="Agreement on joint training", short_title="Training Agreement")
    source = make_source(slug="council-speech", date=datetime.date(2024, 5, 20), text=SPEECH)

    page.goto(f"{live_server.url}/admin/tracker/sourcedocument/{source.pk}/change/")
    sentences = SPEECH.split(". ")
    for row, (state, quote) in enumerate(zip(["Armenia", "Belarus", "Kazakhstan"], sentences, strict=True)):
        choose(page, row, "instrument", "train", "Training Agreement")
        choose(page, row, "state", state[:4], state)
        page.fill(f"#id_events-{row}-quote", quote)
    page.click("input[name=_continue]")

    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    recorded = Event.objects.filter(source=source, instrument=instrument).order_by("state__name")
    assert [(e.state, e.type, e.date, e.precision) for e in recorded] == [
        (states[iso3], "ratified", source.date, "on_or_before") for iso3 in ["ARM", "BLR", "KAZ"]
    ]


def test_an_editor_sees_on_the_row_that_a_quote_is_not_in_the_text(signed_in_editor, live_server):
    page = signed_in_editor
    make_six_states()
    make_instrument(short_title="Training Agreement")
    source = make_source(slug="council-speech", date=datetime.date(2024, 5, 20), text=SPEECH)

    page.goto(f"{live_server.url}/admin/tracker/sourcedocument/{source.pk}/change/")
    choose(page, 0, "instrument", "train", "Training Agreement")
    choose(page, 0, "state", "Tajik", "Tajikistan")
    page.fill("#id_events-0-quote", "Tajikistan ratified it in March.")
    page.click("input[name=_continue]")

    assert "This quote does not appear in the source" in page.locator("#events-0").inner_text()
    assert not Event.objects.exists()

"""Recent changes: what the record learned, newest first, grouped by day; its page and its feed."""

import datetime

import pytest
from django.utils import timezone

from tests.builders import make_event, make_instrument, make_source
from tracker.changes import RecordChange, changes_by_day, record_changes
from tracker.models import Event

pytestmark = pytest.mark.django_db


def an_hour_ago():
    return timezone.now() - datetime.timedelta(hours=1)


def ratification(state, instrument=None, text="Belarus ratified the Protocol."):
    return make_event(instrument=instrument or make_instrument(), state=state, source=make_source(text=text))


class TestRecordChanges:
    def test_a_new_event_is_reported_as_new(self, six_states):
        event = ratification(six_states["BLR"])

        [change] = record_changes(since=an_hour_ago())

        assert (change.kind, change.event.pk) == (RecordChange.Kind.NEW, event.pk)

    def test_a_correction_is_reported_with_the_fields_that_changed(self, six_states):
        event = ratification(six_states["BLR"])
        later = timezone.now()
        event.refresh_from_db()
        event.type, event.inferred = Event.Type.NOTIFIED, True
        event.save()

        [change] = record_changes(since=later)

        assert change.kind == RecordChange.Kind.CORRECTED
        assert set(change.changed_fields) == {"event type", "inferred"}

    def test_a_save_that_changes_nothing_is_not_a_correction(self, six_states):
        event = ratification(six_states["BLR"])
        later = timezone.now()
        event.refresh_from_db()
        event.save()

        assert record_changes(since=later) == []

    def test_an_event_new_in_the_period_is_reported_once_as_it_is_now(self, six_states):
        event = ratification(six_states["BLR"])
        event.refresh_from_db()
        event.type = Event.Type.NOTIFIED
        event.save()

        [change] = record_changes(since=an_hour_ago())

        assert change.kind == RecordChange.Kind.NEW
        assert change.event.type == Event.Type.NOTIFIED

    def test_a_removed_event_is_reported_as_it_last_stood(self, six_states):
        event = ratification(six_states["BLR"])
        later = timezone.now()
        pk = event.pk
        event.delete()

        [change] = record_changes(since=later)

        assert (change.kind, change.event.pk, change.has_page) == (RecordChange.Kind.REMOVED, pk, False)

    def test_changes_before_since_or_from_until_are_left_out(self, six_states):
        ratification(six_states["BLR"])
        after = timezone.now()

        assert record_changes(since=after) == []
        assert record_changes(since=an_hour_ago(), until=an_hour_ago()) == []

    def test_a_state_scope_keeps_only_that_states_events(self, six_states):
        ratification(six_states["BLR"])
        armenian = ratification(six_states["ARM"], text="Armenia ratified the Protocol.")

        changes = record_changes(since=an_hour_ago(), state_ids=[six_states["ARM"].pk])

        assert [change.event.pk for change in changes] == [armenian.pk]

    def test_an_instrument_scope_includes_its_instrument_level_events(self, six_states):
        treaty = make_instrument()
        signing = make_event(instrument=treaty, type=Event.Type.SIGNED, source=make_source(text="Signed in Minsk."))
        ratification(six_states["BLR"])

        changes = record_changes(since=an_hour_ago(), instrument_ids=[treaty.pk])

        assert [change.event.pk for change in changes] == [signing.pk]

    def test_changes_come_newest_first_grouped_by_day(self, six_states):
        old = ratification(six_states["BLR"])
        Event.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
        new = ratification(six_states["ARM"], text="Armenia ratified the Protocol.")

        days = changes_by_day(record_changes(since=timezone.now() - datetime.timedelta(days=7)))

        assert [[change.event.pk for change in changes] for _day, changes in days] == [[new.pk], [old.pk]]
        assert days[0][0] - days[1][0] == datetime.timedelta(days=3)


class TestChangesPage:
    def test_the_page_lists_the_changes_under_their_day(self, client, six_states):
        event = ratification(six_states["BLR"])

        body = client.get("/changes/").content.decode()

        assert f'href="/events/{event.pk}/"' in body
        assert timezone.localdate().strftime("%Y-%m-%d") in body
        assert 'href="/feeds/changes.atom"' in body
        assert "New" in body

    def test_the_page_is_in_russian_under_ru(self, client, six_states):
        ratification(six_states["BLR"])

        body = client.get("/ru/changes/").content.decode()

        assert "Что нового в данных с" in body
        assert "Новое" in body

    def test_since_in_the_future_shows_nothing(self, client, six_states):
        ratification(six_states["BLR"])
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)

        body = client.get("/changes/", {"since": tomorrow.isoformat()}).content.decode()

        assert "Nothing has changed in that period." in body

    def test_a_malformed_date_is_a_400(self, client, db):
        assert client.get("/changes/", {"since": "last month"}).status_code == 400


def test_the_feed_carries_new_corrected_and_removed_events(client, six_states):
    kept = ratification(six_states["BLR"])
    gone = ratification(six_states["ARM"], text="Armenia ratified the Protocol.")
    gone.delete()

    feed = client.get("/feeds/changes.atom").content.decode()

    assert feed.count("<entry>") == 2
    assert f"/events/{kept.pk}/" in feed
    assert "Removed: " in feed

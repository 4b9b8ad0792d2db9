"""Atom feeds of new and changed events: all of them, one instrument's, one state's.

Newest change first, so a feed reader sees an event added or corrected in the admin at its
next poll; each entry links to the event's permanent page and carries the quote and its source.
Each entry is dated by the event's own record (created and last changed), which loading a record
keeps from the fixtures or backup, never by the time of the load. /feeds/... is English,
/ru/feeds/... Russian (issue 15).
"""

import datetime

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from tracker.changes import record_changes
from tracker.citation import SITE_NAME
from tracker.models import Event, Instrument, MemberState
from tracker.text_cleaning import clean_text

# Enough to cover a busy week of data entry between two polls.
FEED_LENGTH = 50


class CleanAtom1Feed(Atom1Feed):
    """An Atom feed that drops what XML cannot carry from text stored before it was cleaned at the door (issue 17)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{name: _xml_safe(value) for name, value in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **{name: _xml_safe(value) for name, value in kwargs.items()})


def _xml_safe(value):
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, (list, tuple)):
        return [_xml_safe(item) for item in value]
    return value


def newest_events(events):
    return events.with_evidence().order_by("-updated_at", "-created_at", "-pk")[:FEED_LENGTH]


class EventFeed(Feed):
    feed_type = CleanAtom1Feed
    author_name = SITE_NAME

    def title(self, obj):
        return _("%(site)s: new and changed events") % {"site": _(SITE_NAME)}

    def subtitle(self, obj):
        return _("Every event reported for a CSTO instrument, with the sentence of the source it rests on.")

    def link(self, obj):
        return reverse("tracker:event_list")

    def feed_url(self, obj):
        return reverse("feeds:events")

    def items(self, obj):
        return newest_events(Event.objects.all())

    def item_title(self, event):
        # As str(event), with the names in the feed's language.
        who = event.state.display_name() if event.state_id else _("all")
        return f"{event.instrument} – {who}: {event.get_type_display()} ({event.date_display})"

    def item_description(self, event):
        source = event.source
        return format_html(
            "<blockquote>{quote}</blockquote><p>{kind}{source_label} {title}{speaker}, {date}.</p>",
            quote=event.quote,
            kind=_("Inferred.") + " " if event.inferred else "",
            source_label=_("Source:"),
            title=source.title,
            speaker=f", {source.speaker}" if source.speaker else "",
            date=date_format(source.date, "DATE_FORMAT"),
        )

    def item_link(self, event):
        return event.get_absolute_url()

    def item_pubdate(self, event):
        return event.created_at

    def item_updateddate(self, event):
        return event.updated_at

    def item_categories(self, event):
        return [event.get_type_display(), str(event.instrument)] + (
            [str(event.state.display_name())] if event.state_id else []
        )


class InstrumentEventFeed(EventFeed):
    """The events of one instrument, for readers who follow a single treaty."""

    def get_object(self, request, slug):
        return get_object_or_404(Instrument, slug=slug)

    def title(self, instrument):
        return _("%(site)s: events of %(instrument)s") % {"site": _(SITE_NAME), "instrument": instrument}

    def subtitle(self, instrument):
        return _("New and changed events of %(instrument)s.") % {"instrument": instrument.display_title()}

    def link(self, instrument):
        return instrument.get_absolute_url()

    def feed_url(self, instrument):
        return reverse("feeds:instrument", kwargs={"slug": instrument.slug})

    def items(self, instrument):
        return newest_events(instrument.events.all())


class StateEventFeed(EventFeed):
    """The events of one member state, for readers who follow a single country."""

    def get_object(self, request, slug):
        return get_object_or_404(MemberState, slug=slug)

    def title(self, state):
        return _("%(site)s: events of %(state)s") % {"site": _(SITE_NAME), "state": state.display_name()}

    def subtitle(self, state):
        return _("New and changed events reported for %(state)s.") % {"state": state.display_name()}

    def link(self, state):
        return state.get_absolute_url()

    def feed_url(self, state):
        return reverse("feeds:state", kwargs={"slug": state.slug})

    def items(self, state):
        return newest_events(state.events.all())


class ChangesFeed(Feed):
    """What the record learned in the last 90 days: new, corrected and removed events (the changes page's feed)."""

    feed_type = Atom1Feed
    author_name = SITE_NAME
    DAYS = 90

    def title(self, obj):
        return f"{SITE_NAME}: changes to the record"

    def link(self, obj):
        return reverse("tracker:changes")

    def feed_url(self, obj):
        return reverse("feeds:changes")

    def items(self, obj):
        since = timezone.now() - datetime.timedelta(days=self.DAYS)
        return record_changes(since=since)[:FEED_LENGTH]

    def item_title(self, change):
        return f"{change.label}: {change.event}"

    def item_description(self, change):
        changed = f" Changed: {', '.join(change.changed_fields)}." if change.changed_fields else ""
        return format_html("<blockquote>{}</blockquote><p>{}</p>", change.event.quote, changed)

    def item_link(self, change):
        return change.event.get_absolute_url() if change.has_page else reverse("tracker:changes")

    def item_guid(self, change):
        return f"{reverse('tracker:changes')}#{change.kind}-{change.event.pk}-{change.key}"

    item_guid_is_permalink = False

    def item_updateddate(self, change):
        return change.when

"""Atom feeds of new and changed events: all of them, one instrument's, one state's.

Newest change first, so a feed reader sees an event added or corrected in the admin at its
next poll; each entry links to the event's permanent page and carries the quote and its source.
"""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html

from tracker.citation import SITE_NAME, long_date
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
    return (
        events.select_related("instrument", "state", "source")
        .defer("source__text")
        .order_by("-updated_at", "-created_at", "-pk")[:FEED_LENGTH]
    )


class EventFeed(Feed):
    feed_type = CleanAtom1Feed
    author_name = SITE_NAME

    def title(self, obj):
        return f"{SITE_NAME}: new and changed events"

    def subtitle(self, obj):
        return "Every event reported for a CSTO instrument, with the sentence of the source it rests on."

    def link(self, obj):
        return reverse("tracker:event_list")

    def feed_url(self, obj):
        return reverse("feeds:events")

    def items(self, obj):
        return newest_events(Event.objects.all())

    def item_title(self, event):
        return str(event)

    def item_description(self, event):
        source = event.source
        return format_html(
            "<blockquote>{quote}</blockquote><p>{kind}Source: {title}{speaker}, {date}.</p>",
            quote=event.quote,
            kind="Inferred. " if event.inferred else "",
            title=source.title,
            speaker=f", {source.speaker}" if source.speaker else "",
            date=long_date(source.date),
        )

    def item_link(self, event):
        return event.get_absolute_url()

    def item_pubdate(self, event):
        return event.created_at

    def item_updateddate(self, event):
        return event.updated_at

    def item_categories(self, event):
        return [event.get_type_display(), event.instrument.short_title or event.instrument.title] + (
            [event.state.name] if event.state_id else []
        )


class InstrumentEventFeed(EventFeed):
    """The events of one instrument, for readers who follow a single treaty."""

    def get_object(self, request, slug):
        return get_object_or_404(Instrument, slug=slug)

    def title(self, instrument):
        return f"{SITE_NAME}: events of {instrument}"

    def subtitle(self, instrument):
        return f"New and changed events of {instrument.title}."

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
        return f"{SITE_NAME}: events of {state}"

    def subtitle(self, state):
        return f"New and changed events reported for {state.name}."

    def link(self, state):
        return state.get_absolute_url()

    def feed_url(self, state):
        return reverse("feeds:state", kwargs={"slug": state.slug})

    def items(self, state):
        return newest_events(state.events.all())

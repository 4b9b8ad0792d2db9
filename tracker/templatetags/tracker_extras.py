"""Template helpers for the public site."""

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def quote_pattern(quote: str) -> re.Pattern | None:
    """A pattern that finds ``quote`` in a text however its line breaks and spaces fall (as quote_appears_in does)."""
    words = quote.split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(word) for word in words))


@register.simple_tag
def highlighted_text(text: str, events):
    """The source's full text, escaped, with each event's quote wrapped in <mark id="event-<pk>"> linking to it.

    Events quoting the same sentence share one mark (the first event's id);
    the others get an anchor of their own inside it, so every
    ``#event-<pk>`` lands on its sentence. Paraphrases are not in the text.
    """
    regions: list[tuple[int, int, list]] = []
    for event in events:
        if event.is_paraphrase:
            continue
        pattern = quote_pattern(event.quote)
        match = pattern.search(text) if pattern else None
        if not match:
            continue
        start, end = match.span()
        for region in regions:
            if start < region[1] and region[0] < end:
                # Overlapping quotes join the region they overlap, widened to cover both.
                region[2].append(event)
                regions[regions.index(region)] = (min(start, region[0]), max(end, region[1]), region[2])
                break
        else:
            regions.append((start, end, [event]))

    regions.sort(key=lambda region: region[0])
    parts = []
    position = 0
    for start, end, region_events in regions:
        if start < position:
            # A region widened into its neighbour: leave the overlap unmarked rather than nest marks.
            start = position
        first, *others = region_events
        parts.append(escape(text[position:start]))
        anchors = "".join(format_html('<span id="event-{}" class="anchor"></span>', event.pk) for event in others)
        links = " ".join(
            format_html(
                '<a class="quote-ref" href="{}" title="{}">[{}]</a>',
                event.get_absolute_url(),
                _("Event %(number)s: %(event)s") % {"number": event.pk, "event": event},
                event.pk,
            )
            for event in region_events
        )
        parts.append(
            format_html('<mark id="event-{}">', first.pk)
            + mark_safe(anchors)  # built with format_html above
            + escape(text[start:end])
            + mark_safe("</mark> ")
            + mark_safe(links)  # built with format_html above
        )
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(str(part) for part in parts))  # every piece is escaped or format_html


@register.filter
def status_class(code: str) -> str:
    """The CSS class that colours a status; the label always stands beside the colour."""
    return f"status-{code.replace('_', '-')}"

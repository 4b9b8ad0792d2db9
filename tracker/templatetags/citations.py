"""Citation snippets in templates: ``{% event_citation event as citation %}``, ``{% status_citation ... %}``.

The text comes from ``tracker.citation``; these tags only add what a page knows: the site's
address as the reader reached it, and today's date as the access date. A citation is English on
every page, permalink included: it is a reference to copy, and mixing the page's language into
its English sentences would garble it (issue 10).
"""

from django import template
from django.utils import timezone, translation

from tracker.citation import cite_event, cite_status

register = template.Library()


def _base_url(context) -> str:
    return context["request"].build_absolute_uri("/")


@register.simple_tag(takes_context=True)
def event_citation(context, event):
    with translation.override("en"):
        return cite_event(event, access_date=timezone.localdate(), base_url=_base_url(context))


@register.simple_tag(takes_context=True)
def status_citation(context, instrument, state, status, as_of):
    with translation.override("en"):
        return cite_status(
            instrument, state, status, as_of=as_of, access_date=timezone.localdate(), base_url=_base_url(context)
        )

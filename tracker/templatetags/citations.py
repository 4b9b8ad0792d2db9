"""Citation snippets in templates: ``{% event_citation event as citation %}``, ``{% status_citation ... %}``.

The text comes from ``tracker.citation``; these tags only add what a page knows: the site's
address as the reader reached it, and today's date as the access date.
"""

from django import template
from django.utils import timezone

from tracker.citation import cite_event, cite_status

register = template.Library()


def _base_url(context) -> str:
    return context["request"].build_absolute_uri("/")


@register.simple_tag(takes_context=True)
def event_citation(context, event):
    return cite_event(event, access_date=timezone.localdate(), base_url=_base_url(context))


@register.simple_tag(takes_context=True)
def status_citation(context, instrument, state, status, as_of):
    return cite_status(
        instrument, state, status, as_of=as_of, access_date=timezone.localdate(), base_url=_base_url(context)
    )

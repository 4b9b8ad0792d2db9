"""Languages in templates: the switcher's links, and names marked where they fall back to English (issue 10)."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tracker.models import LocalText

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """(code, name, url, is_current) for every language; each url is this page, with its filters, in that language."""
    request = context.get("request")
    here = request.get_full_path() if request else "/"
    current = get_language()
    return [(code, name, translate_url(here, code), code == current) for code, name in settings.LANGUAGES]


@register.filter
def marked(value):
    """A LocalText as HTML: an English stand-in for a missing translation says so, with lang="en" and a badge."""
    if not isinstance(value, LocalText) or not value.is_fallback:
        return value
    return format_html(
        '<span lang="{}">{}</span> <small class="lang-fallback" title="{}">({})</small>',
        value.language,
        value.text,
        _("Not yet translated; shown in English"),
        value.language,
    )

"""Languages in templates: the switcher's links, and names marked where they fall back to English (issue 10)."""

from typing import NamedTuple

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tracker.models import LocalText

register = template.Library()


class LanguageLink(NamedTuple):
    code: str
    name: str
    url: str  # this page in that language, as a path on this site
    absolute_url: str  # the same with this site's scheme and host, for hreflang (search engines want them whole)
    is_current: bool
    is_default: bool  # the language of unprefixed addresses: hreflang's "x-default"


@register.simple_tag(takes_context=True)
def language_links(context) -> list[LanguageLink]:
    """A LanguageLink for every language: this page, with its filters, in that language; never another site's."""
    request = context.get("request")
    here = request.get_full_path() if request else "/"
    site = f"{request.scheme}://{request.get_host()}" if request else ""
    current = get_language()
    links = []
    for code, name in settings.LANGUAGES:
        # translate_url reads a path such as "//evil.example/" as a host and keeps it ("//evil.example/ru/", an
        # open redirect from the 404 page, issue 17); given this site's address first, it only ever sees a path.
        path = on_this_site(translate_url(site + here, code)[len(site) :])
        links.append(LanguageLink(code, name, path, site + path, code == current, code == settings.LANGUAGE_CODE))
    return links


def on_this_site(path: str) -> str:
    # A path that starts with two slashes or a slash and a backslash is another site's address to a browser.
    return "/" + path.lstrip("/\\")


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

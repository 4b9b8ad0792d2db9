"""Read-mostly pages of a large record, rendered once and kept until the record next changes (issue 6).

Entries are keyed by ``RecordToken``, a database row every write changes, so a
worker never serves a page from before a write, whichever worker made it. The
cache backend is settings.CACHES (per-process memory unless CACHE_URL names
another); see bench/README.md.
"""

import hashlib
import zlib
from collections.abc import Iterable

from django import forms
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language
from django_filters.widgets import SuffixedMultiWidget

from tracker.models import RecordToken


def page_cache_key(name: str, request, *depends_on: str) -> str:
    """Everything a page depends on: the record's version, the language, the address and ``depends_on``."""
    parts = [
        RecordToken.current(),
        get_language(),
        request.path,
        *depends_on,
        *sorted(f"{field}={value}" for field, values in request.GET.lists() for value in values),
    ]
    return f"{name}:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def cached_body(key: str) -> bytes | None:
    packed = cache.get(key)
    return None if packed is None else zlib.decompress(packed)


def keep_body(key: str, body: bytes) -> None:
    # Kept compressed: HTML shrinks ten times or more, and 50 pages of a large record (the whole
    # matrix of 600 instruments is 20 MB) would otherwise fill a worker's memory.
    cache.set(key, zlib.compress(body, 1))


def query_parameters(fields: dict[str, forms.Field]) -> frozenset[str]:
    """The query-string names that fill these form fields (a date range's two boxes are date_after, date_before)."""
    names = set()
    for name, field in fields.items():
        widget = field.widget
        if isinstance(widget, SuffixedMultiWidget):
            names.update(widget.suffixed(name, suffix) for suffix in widget.suffixes)
        elif isinstance(widget, forms.MultiWidget):
            names.update(name + suffix for suffix in widget.widgets_names)
        else:
            names.add(name)
    return frozenset(names)


def is_worth_keeping(request, parameters: Iterable[str]) -> bool:
    """Whether a page for this request may be kept: only if every query parameter is one the page reads.

    Anything else (``?utm_source=N``, a typo) does not change the page, but would give it a key of its own:
    80 such requests made 80 entries, pushing real pages out of a 50-entry cache (issue 17). Such a page is
    rendered and not kept; it cannot share the plain page's entry, since its links keep the whole query.
    """
    return set(request.GET).issubset(parameters)


def cached_page(name: str, request, render_page, parameters: Iterable[str]) -> HttpResponse:
    """``render_page()``'s response, or its body from the cache; only successful pages are kept, and only for
    requests whose query names nothing but ``parameters``."""
    if not is_worth_keeping(request, parameters):
        return render_page()
    key = page_cache_key(name, request)
    body = cached_body(key)
    if body is not None:
        return HttpResponse(body)
    response = render_page()
    if response.status_code == 200:
        keep_body(key, response.content)
    return response

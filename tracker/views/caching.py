"""Read-mostly pages of a large record, rendered once and kept until the record next changes (issue 6).

Entries are keyed by ``RecordVersion``, a database row every write changes, so a
worker never serves a page from before a write, whichever worker made it. The
cache backend is settings.CACHES (per-process memory unless CACHE_URL names
another); see bench/README.md.
"""

import hashlib
import zlib

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

from tracker.models import RecordVersion


def page_cache_key(name: str, request, *depends_on: str) -> str:
    """Everything a page depends on: the record's version, the language, the address and ``depends_on``."""
    parts = [
        RecordVersion.current(),
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


def cached_page(name: str, request, render_page) -> HttpResponse:
    """``render_page()``'s response, or its body from the cache; only successful pages are kept."""
    key = page_cache_key(name, request)
    body = cached_body(key)
    if body is not None:
        return HttpResponse(body)
    response = render_page()
    if response.status_code == 200:
        keep_body(key, response.content)
    return response

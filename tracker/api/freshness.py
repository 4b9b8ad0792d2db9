"""ETag and Last-Modified for the API, so a client that polls gets a 304 until the record changes.

Only ``Event`` has its own ``updated_at``; states, instruments and sources have no timestamp.
What is honest for all four is the audit trail: django-simple-history writes a row, with its
``history_date``, for every save and every deletion made through the ORM (the admin, imports,
scripts), so the newest of those dates is when the published record last changed. A deletion
leaves no ``updated_at`` behind, so the history is the only place it shows.

Rows written without history stand in for themselves: an event always carries its ``updated_at`` (``auto_now``
applies to ``bulk_create`` too, and the importer sets it on its bulk updates), and the models without a
timestamp (states, instruments, sources; the synthetic generator bulk-creates them with no history) are counted.
The events are not counted: every door that adds one moves ``updated_at`` and every ORM deletion writes a history
row, and at 150,000 events their COUNT(*) was 14-19 ms of PostgreSQL's time on every API request, a third of a
page of ``/api/status`` (issue 18). Only SQL written by hand, around Django, could delete an event unseen (it
would leave the page cache's token behind as well).

Why not the page cache's answer, the record's token (``tracker.models.record_token``)? The token says that
a write happened, the audit trail says what the record holds and when it last changed, and clients see the
difference: a record restored from a backup keeps its ETag and its Last-Modified (the history comes back
with it) where a token would be new and dated now, and Last-Modified is when the last edit was made, not when
a bulk import or the synthetic generator last called ``RecordToken.bump()``. The page cache cannot use this
answer either: it costs a query per record model and per history table on every page, against the token's one.
"""

import datetime
import hashlib

from django.db.models import Max
from django.utils import timezone
from django.views.decorators.http import condition

from tracker.models import VERSIONED_MODELS, Event

# Part of every ETag: a new response shape must not be answered with "not modified".
API_REVISION = "1"

# The record models with no timestamp of their own: a row written without history shows only in their counts.
COUNTED_MODELS = tuple(model for model in VERSIONED_MODELS if model is not Event)


def record_last_changed() -> datetime.datetime | None:
    """When anything the API publishes last changed, or None for a record with no trace of a change."""
    stamps = [Event.objects.aggregate(newest=Max("updated_at"))["newest"]]
    stamps += [model.history.aggregate(newest=Max("history_date"))["newest"] for model in VERSIONED_MODELS]
    return max((stamp for stamp in stamps if stamp), default=None)


def _freshness(request, *, follows_today: bool) -> tuple[datetime.datetime | None, str]:
    # condition() asks for the ETag and Last-Modified separately; work them out once per request.
    cached = getattr(request, "_record_freshness", None)
    if cached is not None:
        return cached
    last_changed = record_last_changed()
    if follows_today and "as_of" not in request.GET:
        # Without as_of the answer is "as of today": it may change at midnight with no edit at all.
        midnight = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
        last_changed = max(last_changed, midnight) if last_changed else midnight
    counts = [model.objects.count() for model in COUNTED_MODELS]
    # To the millisecond: a backup keeps no finer times (Django's JSON encoder), and a record restored from one must
    # keep its ETag. Two changes within one millisecond that leave every count as it was would share one.
    stamp = last_changed.isoformat(timespec="milliseconds") if last_changed else ""
    fingerprint = f"{API_REVISION}|{stamp}|{counts}"
    etag = '"' + hashlib.sha256(fingerprint.encode()).hexdigest()[:32] + '"'
    request._record_freshness = (last_changed, etag)
    return request._record_freshness


def conditional(*, follows_today: bool = False):
    """Django's ``condition`` decorator fed with the record's freshness; ``follows_today`` for as_of endpoints."""
    return condition(
        etag_func=lambda request, *args, **kwargs: _freshness(request, follows_today=follows_today)[1],
        last_modified_func=lambda request, *args, **kwargs: _freshness(request, follows_today=follows_today)[0],
    )

"""Whether the record changed: one token that every write to the record replaces, which every cache keys by.

Not to be confused with a row's ``version`` (``tracker.models.locking``), which counts that row's saves. The
API's ETag answers the same question its own way, for reasons given in ``tracker.api.freshness``.
"""

import contextlib
import contextvars
import uuid

from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from tracker.models.record import VERSIONED_MODELS

# The token each database gave the request being answered, where one is (``RecordToken.one_per_request``).
_tokens_seen: contextvars.ContextVar[dict | None] = contextvars.ContextVar("record_tokens_seen", default=None)


class RecordToken(models.Model):
    """One row whose token changes on every write to the record, so that every worker's caches can tell (issue 6).

    A per-process cache cannot see another worker's writes; each worker reads this
    token (one cheap query) and keys what it caches by it. The token is random rather
    than a counter, so that a rolled-back write can never bring an old key back.
    """

    # Never shown, so not translated: no admin page lists it.
    token = models.CharField("token", max_length=32)
    changed_at = models.DateTimeField("last changed at", auto_now=True)

    class Meta:
        verbose_name = "record token"
        verbose_name_plural = "record tokens"

    def __str__(self):
        return self.token

    @classmethod
    def current(cls, using="default") -> str:
        """The record's token now; empty before the first write.

        Within ``one_per_request``, the token as the request first read it, unless the request itself changed
        the record since.
        """
        seen = _tokens_seen.get()
        if seen is not None and using in seen:
            return seen[using]
        token = cls.objects.using(using).filter(pk=1).values_list("token", flat=True).first() or ""
        if seen is not None:
            seen[using] = token
        return token

    @classmethod
    def bump(cls, using="default") -> str:
        """Mark the record as changed. Bulk writers (imports, the synthetic generator) call it themselves."""
        token = uuid.uuid4().hex
        if not cls.objects.using(using).filter(pk=1).update(token=token, changed_at=timezone.now()):
            cls.objects.using(using).create(pk=1, token=token)
        # Read afresh next time rather than kept: the write may yet be rolled back.
        seen = _tokens_seen.get()
        if seen is not None:
            seen.pop(using, None)
        return token

    @staticmethod
    @contextlib.contextmanager
    def one_per_request():
        """Read the token once per database while answering one request (``OneRecordVersionPerRequest``).

        An uncached events page asked for it three times (its page cache key, its count and its drop-downs, each
        kept per version of the record), a query each (issue 18). A request is answered for the version of the
        record it first saw; another worker's write made meanwhile shows from the next request on, as it would
        had it come a moment later.
        """
        reset = _tokens_seen.set({})
        try:
            yield
        finally:
            _tokens_seen.reset(reset)


@receiver(post_save)
@receiver(post_delete)
def record_changed(sender, using="default", **kwargs):
    # Saves and deletes of single records, admin bulk deletes and simple-history reverts all end here.
    if sender in VERSIONED_MODELS:
        RecordToken.bump(using=using)

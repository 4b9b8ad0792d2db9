"""Knowing that the record changed: the save counter of each record and the version token every cache keys by."""

import uuid

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.models.events import Event
from tracker.models.instruments import Instrument
from tracker.models.locking import StaleRecordError
from tracker.models.sources import SourceDocument
from tracker.models.states import MemberState


@receiver(pre_save)
def count_the_version(sender, instance, raw=False, **kwargs):
    """Bump ``version`` on every save of an existing record, refusing one based on an outdated version.

    A form that showed version N sets ``instance.expected_version = N``; the conditional UPDATE
    then succeeds only if nobody saved in between, even when two saves race (issue 7).
    """
    if sender not in VERSIONED_MODELS or raw or instance._state.adding:
        return
    rows = sender._default_manager.filter(pk=instance.pk).order_by()
    expected = getattr(instance, "expected_version", None)
    if expected is None:
        rows.update(version=models.F("version") + 1)
        instance.version = rows.values_list("version", flat=True).first() or 1
        return
    if not rows.filter(version=expected).update(version=expected + 1):
        raise StaleRecordError(f"{sender._meta.verbose_name} {instance.pk} was changed by someone else.")
    instance.version = expected + 1
    del instance.expected_version


VERSIONED_MODELS = (MemberState, Instrument, SourceDocument, Event)


class RecordVersion(models.Model):
    """One row whose token changes on every write to the record, so that every worker's caches can tell (issue 6).

    A per-process cache cannot see another worker's writes; each worker reads this
    token (one cheap query) and keys what it caches by it. The token is random rather
    than a counter, so that a rolled-back write can never bring an old key back.
    """

    token = models.CharField(_("version"), max_length=32)
    changed_at = models.DateTimeField(_("last changed at"), auto_now=True)

    class Meta:
        # Never shown: no admin page lists it.
        verbose_name = "record version"
        verbose_name_plural = "record versions"

    def __str__(self):
        return self.token

    @classmethod
    def current(cls, using="default") -> str:
        """The record's version now; empty before the first write."""
        return cls.objects.using(using).filter(pk=1).values_list("token", flat=True).first() or ""

    @classmethod
    def bump(cls, using="default") -> str:
        """Mark the record as changed. Bulk writers (imports, the synthetic generator) call it themselves."""
        token = uuid.uuid4().hex
        if not cls.objects.using(using).filter(pk=1).update(token=token, changed_at=timezone.now()):
            cls.objects.using(using).create(pk=1, token=token)
        return token


@receiver(post_save)
@receiver(post_delete)
def record_changed(sender, using="default", **kwargs):
    # Saves and deletes of single records, admin bulk deletes and simple-history reverts all end here.
    if sender in VERSIONED_MODELS:
        RecordVersion.bump(using=using)

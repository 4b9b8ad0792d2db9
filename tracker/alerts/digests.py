"""Sending each subscriber one digest of what changed since their last one, at most once (issue 16)."""

import dataclasses
import datetime
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from tracker.alerts.mail import digest_message
from tracker.changes import record_changes
from tracker.models import Digest, Subscription

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class DigestRun:
    sent: list[Digest] = dataclasses.field(default_factory=list)
    nothing_new: int = 0
    failed: list[tuple[Subscription, Exception]] = dataclasses.field(default_factory=list)
    interrupted: list[Digest] = dataclasses.field(default_factory=list)


def send_digests(*, now: datetime.datetime | None = None) -> DigestRun:
    """One digest per confirmed subscriber, for the changes from their ``sent_through`` to ``now``.

    Each digest is recorded (state "sending", unique per subscriber and start)
    and committed before its message leaves, then marked sent and the
    subscriber's ``sent_through`` moved on. So a second run sends nothing
    already sent; a message the SMTP server refused is retried next run; and a
    digest left "sending" by a crash is marked interrupted and not resent,
    because it may have been delivered just before the crash.
    """
    now = now or timezone.now()
    run = DigestRun()
    run.interrupted = _close_interrupted()
    for subscription in Subscription.objects.select_related("state", "instrument").order_by("pk"):
        changes = record_changes(since=subscription.sent_through, until=now, **subscription.scope_filter())
        if not changes:
            run.nothing_new += 1
            Subscription.objects.filter(pk=subscription.pk, sent_through=subscription.sent_through).update(
                sent_through=now
            )
            continue
        try:
            with transaction.atomic():
                digest = Digest.objects.create(
                    subscription=subscription, since=subscription.sent_through, through=now, change_count=len(changes)
                )
        except IntegrityError:
            # Another run is sending this period right now.
            continue
        message = digest_message(subscription, changes, since=subscription.sent_through, through=now)
        try:
            message.send()
        except Exception as error:  # noqa: BLE001 - any refusal: the message did not leave, so try again next run
            logger.warning("Digest to %s not sent: %s", subscription.email, error)
            digest.delete()
            run.failed.append((subscription, error))
            continue
        with transaction.atomic():
            Digest.objects.filter(pk=digest.pk).update(state=Digest.State.SENT, sent_at=timezone.now())
            Subscription.objects.filter(pk=subscription.pk).update(sent_through=now)
        run.sent.append(digest)
    return run


def _close_interrupted() -> list[Digest]:
    """Digests a crash left "sending": never resent, their period counted as done."""
    interrupted = list(Digest.objects.filter(state=Digest.State.SENDING).select_related("subscription"))
    for digest in interrupted:
        with transaction.atomic():
            Digest.objects.filter(pk=digest.pk).update(state=Digest.State.INTERRUPTED)
            Subscription.objects.filter(pk=digest.subscription_id, sent_through=digest.since).update(
                sent_through=digest.through
            )
    return interrupted

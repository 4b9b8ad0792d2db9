"""Send each alert subscriber one digest of what changed since their last one (run it from cron)."""

from django.core.management.base import BaseCommand, CommandError

from tracker.alerts.digests import send_digests


class Command(BaseCommand):
    help = "Send each confirmed alert subscriber one digest of the changes since their last; safe to run twice."

    def handle(self, *args, **options):
        run = send_digests()
        for digest in run.interrupted:
            self.stderr.write(
                f"A digest to {digest.subscription.email} was interrupted by an earlier crash; it is not sent again."
            )
        for subscription, error in run.failed:
            self.stderr.write(f"Not sent to {subscription.email} ({error}); it will be tried again next run.")
        summary = (
            f"{len(run.sent)} digests sent, {run.nothing_new} subscribers with nothing new, {len(run.failed)} failed."
        )
        if run.failed:
            raise CommandError(summary, returncode=1)
        self.stdout.write(summary)

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from tracker.spans import rebuild_status_spans
from tracker.synthetic import generate_synthetic_record, real_record_counts

MAX_STATES = 26**3  # every three-capital code


class Command(BaseCommand):
    help = (
        "Fill the database with a synthetic record for load tests (issue 6), replacing any earlier synthetic one. "
        "Refuses to write beside real records unless --force. Example at UN scale: "
        "--states 200 --instruments 600 --events 150000 --seed 1"
    )

    def add_arguments(self, parser):
        parser.add_argument("--states", type=int, default=200, help="Member states to create (default 200).")
        parser.add_argument("--instruments", type=int, default=600, help="Instruments to create (default 600).")
        parser.add_argument("--events", type=int, default=150_000, help="Events to create (default 150,000).")
        parser.add_argument("--seed", type=int, default=1, help="The same seed gives the same record (default 1).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias to write into.")
        parser.add_argument(
            "--force", action="store_true", help="Write even though the database holds real (non-synthetic) records."
        )

    def handle(self, *args, states, instruments, events, seed, database, force, **options):
        if not 1 <= states <= MAX_STATES:
            raise CommandError(f"--states must be between 1 and {MAX_STATES:,} (one per three-letter code).")
        if instruments < 1 or events < 0:
            raise CommandError("--instruments must be at least 1 and --events at least 0.")
        real = {name: count for name, count in real_record_counts(database).items() if count}
        if real and not force:
            held = ", ".join(f"{count:,} {name}" for name, count in real.items())
            raise CommandError(
                f"The database '{database}' holds a real record ({held}); synthetic data would mix with it. "
                "Use an empty database, or --force if you really mean it."
            )
        progress = self._show_progress if self.stdout.isatty() else None
        summary = generate_synthetic_record(
            states=states, instruments=instruments, events=events, seed=seed, using=database, progress=progress
        )
        # The generator writes in bulk, past the signals that keep the spans current.
        rebuild_status_spans(using=database)
        if progress:
            self.stdout.write("\r\033[K", ending="")
        self.stdout.write(self.style.SUCCESS(f"{summary} (seed {seed})"))

    def _show_progress(self, stage: str, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        bar = "#" * filled + "." * (width - filled)
        self.stdout.write(f"\r\033[K{stage:<12} [{bar}] {done:,}/{total:,}", ending="")
        self.stdout.flush()

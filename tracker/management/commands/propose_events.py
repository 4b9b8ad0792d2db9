import csv
import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.models import Event, MemberState, SourceDocument
from tracker.proposals import NEW_INSTRUMENT, Score, evaluate_sources, propose_events
from tracker.proposals.evaluation import LabelledSetError, evaluate_labelled_set, read_labelled_set
from tracker.proposals.language import TextTooLong, check_length
from tracker.status import status_matrix

RATIFICATION_TYPES = (Event.Type.RATIFIED, Event.Type.RATIFICATION_PENDING)
COLUMNS = ["type", "instrument", "state", "date", "precision", "inferred", "quote"]


class Command(BaseCommand):
    help = (
        "Print the events the proposer reads in a speech (nothing is written), or with --evaluate compare its "
        "proposals for every source in the database with that source's curated events."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="A UTF-8 text file holding the speech.")
        parser.add_argument("--date", help="The speech's date, YYYY-MM-DD: proposals are dated on or before it.")
        parser.add_argument("--title", default="", help="The speech's title, printed above the table.")
        parser.add_argument("--format", choices=["table", "csv"], default="table")
        parser.add_argument(
            "--evaluate",
            action="store_true",
            help="Precision and recall per event type against the curated events of each source in the database.",
        )
        parser.add_argument(
            "--evaluate-set",
            metavar="DIR",
            help=(
                "Precision and recall per language and event type on a labelled set: DIR holds one UTF-8 text "
                "per item and expected.csv (file,text_date,instrument,state,type,date,precision), "
                "as tests/reader_set/README.md describes."
            ),
        )
        parser.add_argument(
            "--with-record",
            action="store_true",
            help=(
                "With --evaluate: replay the sources in date order, reading each with the record of the sources "
                "before it (default: each text alone, as in a database holding only states and instruments). "
                "With FILE: leave out states the database's record already shows as ratified where the text "
                "only implies them."
            ),
        )

    def handle(self, *args, file=None, date=None, title="", format="table", evaluate=False, **options):
        with_record = options.get("with_record", False)
        if options.get("evaluate_set"):
            self.evaluate_set(Path(options["evaluate_set"]))
            return
        if evaluate:
            self.evaluate(with_record=with_record)
            return
        if not file:
            raise CommandError("Give the speech's text file, or --evaluate.")
        text = self.read(file)
        day = self.parse_date(date)
        record = status_matrix(as_of=day) if with_record else None
        proposals = propose_events(text, date=day, record=record)
        rows = [
            [
                p.type_label,
                str(p.instrument) if p.instrument else p.new_title,
                p.state.name if p.state else "",
                p.date.isoformat(),
                p.precision,
                "yes" if p.inferred else "no",
                p.sentence,
            ]
            for p in proposals
        ]
        if format == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow(COLUMNS)
            writer.writerows(rows)
            return
        if title:
            self.stdout.write(f"{title} ({day.isoformat()})")
        self.write_table(rows)
        events = sum(1 for p in proposals if p.type != NEW_INSTRUMENT)
        self.stdout.write(f"{events} proposed events, {len(proposals) - events} possible new instruments.")

    def read(self, file) -> str:
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as error:
            raise CommandError(f"No such file: {file}") from error
        except (IsADirectoryError, PermissionError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file} as UTF-8 text: {error}") from error
        if not text.strip():
            raise CommandError(f"{file} is empty.")
        try:
            check_length(text)
        except TextTooLong as error:
            raise CommandError(f"{file}: {error}") from error
        return text

    def parse_date(self, value) -> datetime.date:
        if not value:
            raise CommandError("Give the speech's date with --date YYYY-MM-DD.")
        try:
            return datetime.date.fromisoformat(value)
        except ValueError as error:
            raise CommandError(f"--date {value!r} is not a date written YYYY-MM-DD.") from error

    def write_table(self, rows):
        widths = [22, 30, 12, 10, 12, 8]
        # Every column but the quote is clipped to its width; the quote runs on in full.
        clipped = [[_clip(cell, w) for cell, w in zip(row, widths, strict=False)] for row in rows]
        for row, full in zip([COLUMNS, *clipped], [COLUMNS, *rows], strict=True):
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*cells, full[-1]]).rstrip())

    def evaluate(self, *, with_record):
        sources = SourceDocument.objects.all()
        if not sources.exists():
            raise CommandError("No source documents to evaluate on: load the record first (manage.py load_record).")
        scores = evaluate_sources(sources, with_record=with_record)
        how = (
            "replayed in date order, each read with the curated record of the sources before it"
            if with_record
            else "each text read alone, as in a database holding only states and instruments"
        )
        self.stdout.write(f"Evaluated on {sources.count()} sources, {how}.")
        self.stdout.write(
            f"{'event type':24}{'proposed':>9}{'correct':>9}{'curated':>9}{'found':>9}{'precision':>11}{'recall':>8}"
        )
        for event_type in Event.Type:
            if event_type.value in scores:
                self.write_score(str(event_type.label), scores[event_type.value])
        ratification, overall = Score(), Score()
        for event_type, score in scores.items():
            overall.add(score)
            if event_type in RATIFICATION_TYPES:
                ratification.add(score)
        self.write_score("ratification (both)", ratification)
        self.stdout.write(f"precision: {overall.precision:.2f}")
        self.stdout.write(f"recall: {overall.recall:.2f}")

    def evaluate_set(self, directory: Path):
        try:
            texts = read_labelled_set(directory)
        except LabelledSetError as error:
            raise CommandError(str(error)) from error
        if not texts:
            raise CommandError(f"{directory}/expected.csv lists no texts.")
        if not MemberState.objects.exists():
            raise CommandError("No member states to read for: load the record first (manage.py load_record).")
        scores = evaluate_labelled_set(texts)
        languages = sorted({language for language, _ in scores})
        counts = ", ".join(f"{sum(t.language == language for t in texts)} in {language}" for language in languages)
        self.stdout.write(f"Evaluated on {len(texts)} labelled texts ({counts}) from {directory}.")
        self.stdout.write(
            f"{'event type':24}{'proposed':>9}{'correct':>9}{'labelled':>9}{'found':>9}{'precision':>11}{'recall':>8}"
        )
        overall = Score()
        for language in languages:
            self.stdout.write(f"{language}:")
            in_language = Score()
            for event_type in [*Event.Type.values, NEW_INSTRUMENT]:
                if (language, event_type) in scores:
                    self.write_score(f"  {event_type}", scores[language, event_type])
                    in_language.add(scores[language, event_type])
            self.write_score(f"  all ({language})", in_language)
            overall.add(in_language)
        by_type: dict[str, Score] = {}
        for (_, event_type), score in scores.items():
            by_type.setdefault(event_type, Score()).add(score)
        self.stdout.write("both languages:")
        for event_type in [*Event.Type.values, NEW_INSTRUMENT]:
            if event_type in by_type:
                self.write_score(f"  {event_type}", by_type[event_type])
        self.stdout.write(f"precision: {overall.precision:.2f}")
        self.stdout.write(f"recall: {overall.recall:.2f}")

    def write_score(self, label, score):
        self.stdout.write(
            f"{label[:23]:24}{score.proposed:>9}{score.matched_proposals:>9}{score.curated:>9}{score.found_events:>9}"
            f"{score.precision:>11.2f}{score.recall:>8.2f}"
        )


def _clip(cell: str, width: int) -> str:
    return cell if len(cell) <= width else cell[: width - 1] + "…"

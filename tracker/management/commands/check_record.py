from django.core.management.base import BaseCommand, CommandError

from tracker.record_checks import find_problems


class Command(BaseCommand):
    help = (
        "Check the record for what cannot be true: a ratification before its signature, entry into force before "
        "ratification, an event dated after its source, a quote missing from its source, a month or year date not "
        "written as the 1st. Prints one line per problem (instrument, state, event id, message) and a count. "
        "Exits 0 even when problems are found, since the checks flag rather than refuse; with --strict it exits 1 "
        "if there is any problem (for CI)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--strict", action="store_true", help="Exit with status 1 if any problem is found.")

    def handle(self, *args, strict=False, **options):
        problems = find_problems()
        for problem in problems:
            event = problem.event
            state = event.state.name if event.state_id else "(all states)"
            self.stdout.write(f"{event.instrument} | {state} | event #{event.pk} | {problem.code}: {problem.message}")
        if not problems:
            self.stdout.write(self.style.SUCCESS("No problems found in the record."))
            return
        noun = "problem" if len(problems) == 1 else "problems"
        summary = f"{len(problems)} {noun} found."
        if strict:
            raise CommandError(summary, returncode=1)
        self.stdout.write(self.style.WARNING(summary))

"""How long the admin's event import takes to preview and to confirm a big file (issue 17, item 6).

    .venv/bin/python bench/import_speed.py [--rows 5000] [--update]

Builds a throw-away SQLite record (six states, 50 instruments, enough sources for the rows), writes
a CSV of ``--rows`` events, and posts it through the admin exactly as a browser would (Django's test
client, logged in as a superuser): the preview (a dry run), then the confirm. With ``--update`` the
record already holds every event and the file changes each one's note, so every row is an update.
Prints the seconds each step took, wall clock and CPU (the CPU figure is steadier on a shared machine), and
the process's peak memory. The worker timeout is 30 s.
"""

import argparse
import datetime
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STATES = ["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"]
INSTRUMENTS = 50


def build_record(rows: int):
    from tracker.models import Instrument, MemberState, SourceDocument

    for iso3 in STATES:
        MemberState.objects.create(name=iso3.title(), official_name=iso3, iso3=iso3, slug=iso3.lower())
    instruments = [
        Instrument.objects.create(title=f"Agreement {n}", short_title=f"A{n}", slug=f"agreement-{n}", kind="agreement")
        for n in range(INSTRUMENTS)
    ]
    per_source = INSTRUMENTS * len(STATES)
    sources = [
        SourceDocument.objects.create(
            title=f"Speech {n}",
            slug=f"speech-{n}",
            date=datetime.date(2024, 5, 20),
            text=" ".join(f"Agreement {i} was ratified by {iso3}." for i in range(INSTRUMENTS) for iso3 in STATES),
        )
        for n in range(-(-rows // per_source))
    ]
    return instruments, sources


def csv_rows(rows: int, sources, note: str, version: str = "") -> list[str]:
    lines = ["instrument,state,type,date,precision,source,quote,note,version"]
    for n in range(rows):
        source = sources[n // (INSTRUMENTS * len(STATES))]
        instrument, iso3 = divmod(n % (INSTRUMENTS * len(STATES)), len(STATES))
        quote = f"Agreement {instrument} was ratified by {STATES[iso3]}."
        lines.append(
            f"agreement-{instrument},{STATES[iso3]},ratified,2024-05-20,on_or_before,{source.slug},{quote},{note},{version}"
        )
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--update", action="store_true", help="every row updates an event already recorded")
    args = parser.parse_args()

    folder = tempfile.TemporaryDirectory(prefix="import-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder.name}/bench.sqlite3"
    os.environ["IMPORT_UPLOAD_DIR"] = f"{folder.name}/uploads"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from tracker.models import Event

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    _, sources = build_record(args.rows)
    client = Client()
    client.force_login(User.objects.create_superuser("bench", password="bench-password-long"))

    def import_file(lines):
        upload = SimpleUploadedFile("events.csv", "\n".join(lines).encode(), content_type="text/csv")
        started, cpu = time.perf_counter(), time.process_time()
        preview = client.post("/admin/tracker/event/import/", {"resource": "0", "format": "0", "import_file": upload})
        previewed = (time.perf_counter() - started, time.process_time() - cpu)
        confirm_form = preview.context.get("confirm_form")
        assert confirm_form is not None, "the preview refused the file"
        started, cpu = time.perf_counter(), time.process_time()
        confirm = client.post("/admin/tracker/event/process_import/", confirm_form.initial)
        confirmed = (time.perf_counter() - started, time.process_time() - cpu)
        assert confirm.status_code == 302, confirm.status_code
        return previewed, confirmed

    if args.update:
        import_file(csv_rows(args.rows, sources, note="first"))
    previewed, confirmed = import_file(csv_rows(args.rows, sources, note="second", version="1" if args.update else ""))
    assert Event.objects.count() == args.rows
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kind = "updated" if args.update else "new"
    print(
        f"{args.rows} rows ({kind}): preview {previewed[0]:.1f} s ({previewed[1]:.1f} s CPU),"
        f" confirm {confirmed[0]:.1f} s ({confirmed[1]:.1f} s CPU), peak memory {peak:.0f} MB"
    )
    folder.cleanup()


if __name__ == "__main__":
    main()

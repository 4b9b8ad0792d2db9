"""The speech reader's cost against the text's length (issue 13): it must grow linearly, and a paste past the cap
must be refused at once.

    .venv/bin/python bench/reader.py            # on the loaded record (make setup)

Texts are the development set's items (tests/reader_set) repeated up to each size, in each language, plus one
line with no line break at all. Prints seconds per size and microseconds per character; equal microseconds per
character at every size is linear cost.
"""

import datetime
import os
import sys
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
django.setup()

from tracker.models import Instrument, MemberState  # noqa: E402
from tracker.proposals import MAX_TEXT_LENGTH, TextTooLong, propose_events  # noqa: E402

SIZES = [25_000, 50_000, 100_000, 200_000]
DAY = datetime.date(2024, 4, 8)


def sample(language: str) -> str:
    return "\n".join(
        path.read_text(encoding="utf-8") for path in sorted((ROOT / "tests/reader_set").glob(f"{language}_*.txt"))
    )


def timed(text: str, instruments, states) -> float:
    start = time.perf_counter()
    propose_events(text, date=DAY, instruments=instruments, states=states)
    return time.perf_counter() - start


def main():
    instruments, states = list(Instrument.objects.all()), list(MemberState.objects.all())
    timed(sample("en")[:2_000] + sample("ru")[:2_000], instruments, states)  # warm the lemma cache and dictionaries
    print(f"{'text':28}{'characters':>12}{'seconds':>10}{'µs/char':>10}")
    for label, base in [("English items", sample("en")), ("Russian items", sample("ru"))]:
        for size in SIZES:
            text = (base * (size // len(base) + 1))[:size]
            seconds = timed(text, instruments, states)
            print(f"{label:28}{size:>12,}{seconds:>10.2f}{seconds / size * 1e6:>10.1f}")
    line = (sample("en").replace("\n", " ") * 40)[: MAX_TEXT_LENGTH - 1]
    seconds = timed(line, instruments, states)
    print(f"{'one line, no line break':28}{len(line):>12,}{seconds:>10.2f}{seconds / len(line) * 1e6:>10.1f}")
    start = time.perf_counter()
    try:
        propose_events("x" * 2_000_000, date=DAY, instruments=instruments, states=states)
    except TextTooLong:
        print(f"{'2 MB paste: refused in':28}{2_000_000:>12,}{time.perf_counter() - start:>10.4f}")


if __name__ == "__main__":
    main()

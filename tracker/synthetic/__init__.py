"""A synthetic record at the scale of a large depositary, for load tests and the benchmark (issue 6).

Everything is drawn from one seeded ``random.Random``, so a seed always gives
the same record. The record is planned in memory first (``planning``, from the
words and proportions in ``vocabulary``), then written with ``bulk_create`` in
one transaction (``writing``): bulk writes skip signals, so each event's
``known_from`` is computed by the plan with ``Event.compute_known_from``.

The data are plausible rather than random noise: each state's steps on an
instrument come in order (signature, pending, ratification, notification,
entry into force; sometimes a withdrawal and a new start), each event rests on
a source dated on or after it whose text holds the event's quote word for word,
and vague dates (month, year, "on or before") never put a step before the one
it follows.
"""

from tracker.synthetic.planning import SERIES_SIZE
from tracker.synthetic.writing import Summary, delete_synthetic_record, generate_synthetic_record, real_record_counts

__all__ = ["SERIES_SIZE", "Summary", "delete_synthetic_record", "generate_synthetic_record", "real_record_counts"]

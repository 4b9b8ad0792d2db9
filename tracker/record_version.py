"""Answers read once per version of the record (``RecordToken``) in each process: what changes only when it does."""

from django.core.exceptions import EmptyResultSet

from tracker.models import RecordToken

# Per process: each answer read since the record's token last changed, by database, token and question.
_answers: dict[tuple, object] = {}
_ANSWERS_KEPT = 1000


def per_record_version(queryset, question: tuple, read):
    """``read()``, an answer about ``queryset``, read once per version of the record, per process.

    The key is the queryset's own SQL (so two lists filtered alike share it) and ``question``, what is asked of it.
    The token is read from the database (one small query), so a write by any worker is seen at once, as the page
    cache sees it. A queryset that can match nothing (``none()``, ``__in=[]``) has no SQL to key on: it is read.
    """
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return read()
    database = queryset.db
    key = (database, RecordToken.current(using=database), question, sql, tuple(params))
    if key not in _answers:
        if len(_answers) >= _ANSWERS_KEPT:
            _answers.clear()
        _answers[key] = read()
    return _answers[key]


def forget_record_answers() -> None:
    """Forget every answer (tests, whose databases start afresh with the same empty token)."""
    _answers.clear()

"""CSV injection: text a spreadsheet shows rather than runs, whichever separator it splits cells on (issue 17).

OWASP's guidance (CSV Injection): no cell may begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return,
and "no cell" means the cells of every reader, not only of ours. Our files are comma-separated, but Excel in a
Russian or most European locales splits on ``;``, and others on a tab, ignoring the commas; a quote
``x;=cmd|' /C calc'!A0`` is then two cells, the second a formula. So a formula character gets a quote mark
wherever a cell may begin: at the start of the text, and after any separator (``,``, ``;``, tab) or line break in
it, with any spaces between (and double quotes: a reader that splits on ``;`` reads ``""=cmd`` as ``=cmd``).

The admin's import takes the quote marks off again (``restore``), so an exported file re-imports unchanged.
"""

import datetime
import functools
import operator
import re
from collections.abc import Callable, Sequence

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Where a cell may begin: the start of the text, or a separator some reader splits on or a line break; then what
# a reader may skip before the cell's text (spaces, and after a separator the quotes of a quoted cell).
_CELL_START = r'(^ *|[,;\t\r\n][" ]*)'
_TRIGGER = "[" + re.escape("".join(FORMULA_TRIGGERS)) + "]"
_FORMULA_AT_CELL_START = re.compile(f"{_CELL_START}(?={_TRIGGER})")
_NEUTRALISED_AT_CELL_START = re.compile(f"{_CELL_START}'(?={_TRIGGER})")
# The same two places, each on its own: searched apart they cost a tenth of the pattern above, which the regex
# engine tries at every position of the text (the sub was 60% of writing the events CSV; issue 18). Almost no
# text needs a quote mark, and for that text these two are all that runs.
_FORMULA_AT_TEXT_START = re.compile(f" *{_TRIGGER}").match
_FORMULA_AFTER_SEPARATOR = re.compile(f'[,;\\t\\r\\n][" ]*{_TRIGGER}').search


def neutralise_text(text: str) -> str:
    """``text`` with a quote mark before each formula character that could begin a cell."""
    if _FORMULA_AT_TEXT_START(text) is None and _FORMULA_AFTER_SEPARATOR(text) is None:
        return text
    return _FORMULA_AT_CELL_START.sub(r"\1'", text)


def neutralise(value) -> str:
    """``value`` as CSV text a spreadsheet shows rather than runs (see the module's docstring)."""
    # The commonest cells first: this runs for every cell of every export (2 million for the status CSV).
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        return neutralise_text(value)
    if kind is int and value >= 0:
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise_text(str(value))


_is_not_none = functools.partial(operator.is_not, None)


def neutralise_column(values: Sequence, neutralise_each: Callable = neutralise) -> Sequence:
    """Each of ``values`` as ``neutralise_each`` (``neutralise``, or a cache of it) writes it, for the csv writer.

    Where every value is text or None and none needs a quote mark, which is almost always and which one search of
    them all tells, ``values`` are given back as they are (the csv writer writes None as empty, as ``neutralise``
    does): a Python call per cell was most of the time of the events CSV's seven text columns (issue 18). Joined by
    line breaks, where a cell may begin anyway, every text that needs a quote mark is still found; the rare false
    alarm (text after a line break of its own that only looks like a new cell) just takes the slow road.
    """
    try:
        joined = "\n".join(filter(_is_not_none, values))
    except TypeError:  # Not all text: each value as neutralise writes its kind.
        return list(map(neutralise_each, values))
    if _FORMULA_AT_TEXT_START(joined) is None and _FORMULA_AFTER_SEPARATOR(joined) is None:
        return values
    return list(map(neutralise_each, values))


def restore(text: str) -> str:
    """Undo ``neutralise_text``: the quote marks it added come off, so an exported cell imports as it was."""
    return _NEUTRALISED_AT_CELL_START.sub(r"\1", text)

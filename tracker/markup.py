"""HTML written in Python, for the pages that write hundreds of pieces of it: the events table, its drop-downs."""

import html

from django.utils.functional import Promise


def html_of(value) -> str:
    """``value`` as HTML: as it is if it is HTML already (it has ``__html__``, as a SafeString does), else escaped.

    ``conditional_escape``'s rule without its lazy-text wrapper and SafeString: called for every cell and option,
    those were a tenth of an uncached events page (issue 18). The caller marks the whole it builds as safe.
    """
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))

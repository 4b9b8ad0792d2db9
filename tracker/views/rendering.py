"""Rendering a large page: its largest pieces put in as bytes (``Slots``), and its context let go of at once.

The template language joins the output of every level of nesting (each for loop, if, include and block) into a new
string, and copies it once more to mark it safe. The matrix's 2 MB of cells, printed inside six such levels, were
copied a dozen times that way: 16 ms of an uncached page's 20 for the page template, and most of its table template
beside the cells themselves (issue 18). Through ``Slots``, the template prints a short marker where each piece
goes; the rendered text is then cut at the markers and the pieces put in as bytes, each copied once.

Django's template context is also a reference cycle (each dict on its stack points back to it), so whatever a page
rendered stays alive after the response, until the garbage collector's next full pass: an uncached matrix left its
15,000 statuses, cells and rows to it each time, and those passes, walking every object the worker holds, took
40-50 ms in two requests of five (issue 18). ``render_and_let_go`` empties the stack once the page is rendered,
and reference counting frees it all there and then.
"""

import re
import secrets

from django.template.context import make_context
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe


class Slots:
    """Pieces of HTML for one rendering: ``slot(piece)`` is what the template prints, ``fill(text)`` the result.

    Each marker names a random token, made anew for each ``Slots``: it is an HTML comment, which no text the
    template escapes can contain, and no other rendering's marker can be taken for one of these.
    """

    def __init__(self):
        self._token = secrets.token_hex(8)
        self._marker = re.compile(f"<!--slot {self._token} ([0-9]+)-->")
        self._pieces: list[bytes] = []

    def slot(self, piece: bytes | str) -> SafeString:
        """The marker to print where ``piece`` (HTML that is safe as it is, as text or UTF-8) goes."""
        self._pieces.append(piece if isinstance(piece, bytes) else piece.encode())
        return mark_safe(f"<!--slot {self._token} {len(self._pieces) - 1}-->")

    def fill(self, text: str) -> bytes:
        """``text`` as UTF-8, with each marker in it replaced by its piece (a piece printed twice goes in twice)."""
        # split() with a group gives the text between the markers, each followed by the number the marker holds.
        parts = self._marker.split(text)
        body = [parts[0].encode()]
        for index in range(1, len(parts), 2):
            body.append(self._pieces[int(parts[index])])
            body.append(parts[index + 1].encode())
        return b"".join(body)


def render_and_let_go(template_name: str, context: dict, request) -> str:
    """``render_to_string(template_name, context, request)``, after which what it rendered can be freed at once."""
    template = get_template(template_name)
    made = make_context(context, request, autoescape=template.backend.engine.autoescape)
    try:
        return template.template.render(made)
    finally:
        # The stacks' dicts are what point back to the context: without them the cycle is gone.
        made.dicts.clear()
        made.render_context.dicts.clear()

"""Large pieces of HTML put into a rendered template as bytes, rather than passed through the template language.

The template language joins the output of every level of nesting (each for loop, if, include and block) into a new
string, and copies it once more to mark it safe. The matrix's 2 MB of cells, printed inside six such levels, were
copied a dozen times that way: 16 ms of an uncached page's 20 for the page template, and most of its table template
beside the cells themselves (issue 18). Through ``Slots``, the template prints a short marker where each piece
goes; the rendered text is then cut at the markers and the pieces put in as bytes, each copied once.
"""

import re
import secrets

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

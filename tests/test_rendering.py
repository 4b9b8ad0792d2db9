"""Rendering a large page (tracker.views.rendering): pieces put in as bytes, and the context let go of at once."""

import gc
import weakref

from django.template import Context, Template
from django.template.loader import render_to_string

from tracker.views.rendering import Slots, render_and_let_go

TEMPLATE = Template("<main>{% for row in rows %}<tr>{{ row }}</tr>{% endfor %}</main><p>{{ note }}</p>")


def test_each_marker_becomes_its_piece_in_the_order_the_template_prints_them():
    slots = Slots()
    rows = [slots.slot("<td>Армения</td>"), slots.slot(b"<td>Belarus</td>")]

    body = slots.fill(TEMPLATE.render(Context({"rows": rows, "note": "ratified"})))

    assert body == "<main><tr><td>Армения</td></tr><tr><td>Belarus</td></tr></main><p>ratified</p>".encode()


def test_a_piece_printed_twice_goes_in_twice():
    slots = Slots()
    header = slots.slot("<th>ARM</th>")

    assert (
        slots.fill(f"<thead>{header}</thead><tfoot>{header}</tfoot>")
        == b"<thead><th>ARM</th></thead><tfoot><th>ARM</th></tfoot>"
    )


def test_text_that_looks_like_a_marker_stays_text():
    # An escaped text cannot hold a marker at all; another rendering's marker is not one of these.
    slots, other = Slots(), Slots()
    slots.slot("<td>piece</td>")
    foreign = other.slot("<td>foreign</td>")
    hostile = "<!--slot 0000000000000000 0-->"

    filled = slots.fill(f"{foreign}{TEMPLATE.render(Context({'rows': [], 'note': hostile}))}")

    assert b"piece" not in filled
    assert filled.startswith(str(foreign).encode())
    assert b"&lt;!--slot 0000000000000000 0--&gt;" in filled


def test_a_page_without_markers_is_its_text_as_utf8():
    assert Slots().fill("Договор о коллективной безопасности") == "Договор о коллективной безопасности".encode()


class Rows(list):
    """A page's large value, which a weak reference can watch (a plain list cannot be weakly referenced)."""


def test_what_a_rendered_context_held_is_freed_without_waiting_for_the_garbage_collector(rf):
    rows = Rows([1, 2, 3])
    watched = weakref.ref(rows)
    gc.disable()
    try:
        render_and_let_go("tracker/includes/crumb_home.html", {"rows": rows}, rf.get("/"))
        del rows
        assert watched() is None
    finally:
        gc.enable()


def test_django_s_own_rendering_keeps_it_until_a_collection(rf):
    # Why render_and_let_go exists: the template context is a reference cycle.
    rows = Rows([1, 2, 3])
    watched = weakref.ref(rows)
    gc.disable()
    try:
        render_to_string("tracker/includes/crumb_home.html", {"rows": rows}, rf.get("/"))
        del rows
        assert watched() is not None
        gc.collect()
        assert watched() is None
    finally:
        gc.enable()

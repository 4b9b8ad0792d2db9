"""Pieces of HTML put into a rendered template as bytes (tracker.views.slots), as the matrix page does."""

from django.template import Context, Template

from tracker.views.slots import Slots

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

"""What every list view does with its django-tables2 table: validated sorting and pagination."""

from django.core.paginator import EmptyPage
from django.shortcuts import render

from tracker.forms import TablePageForm


def configure_table(table, request) -> TablePageForm:
    """Sort and paginate ``table`` from the query string; the returned form says whether the input was valid.

    Done by hand rather than with RequestConfig, which would accept any
    ``per_page`` (including 0) and silently ignore a sort key it does not know.
    """
    form = TablePageForm(request.GET, table=table)
    if not form.is_valid():
        return form
    if form.cleaned_data["sort"]:
        table.order_by = form.cleaned_data["sort"]
    table.request = request
    try:
        table.paginate(page=form.cleaned_data["page"] or 1, per_page=table._meta.per_page)
    except EmptyPage:
        # A page past the end (the data shrank since the link was made) shows the last one.
        table.page = table.paginator.page(table.paginator.num_pages)
    return form


def render_table_page(request, template_name, table, context=None, forms=()):
    """A list page: ``table`` sorted and paged from the query string, or the page with its errors and a 400.

    ``forms`` are the page's other forms (the events' filters), shown with the paging form's errors.
    """
    page_form = configure_table(table, request)
    context = (context or {}) | {"table": table, "page_form": page_form, "forms": [*forms, page_form]}
    if not page_form.is_valid():
        return render_bad_request(request, template_name, context)
    return render(request, template_name, context)


def render_bad_request(request, template_name, context):
    """The page itself, with its form errors shown, and status 400 so that clients know the input was wrong."""
    return render(request, template_name, context | {"bad_request": True}, status=400)

"""The search page: instruments, sources and events matching a reader's words, grouped, ranked and paged."""

from django.core.paginator import Paginator
from django.shortcuts import render

from tracker.forms import SearchForm
from tracker.search import KIND_ORDER, Search, entry_object, snippets
from tracker.views.paging import render_bad_request

RESULTS_PER_PAGE = 20


def search(request):
    form = SearchForm(request.GET)
    context = {"form": form, "forms": [form]}
    if not form.is_valid():
        return render_bad_request(request, "tracker/search.html", context)
    data = form.cleaned_data
    question = Search(data["q"], data["kind"] or None, data["state"], data["date_after"], data["date_before"])
    paginator = Paginator(question.results(), RESULTS_PER_PAGE)
    # A page past the end (the record shrank since the link was made) shows the last one.
    page = paginator.get_page(data["page"] or 1)
    for entry in page:
        entry.object = entry_object(entry)
        entry.snippets, entry.mentions = snippets(f"{entry.title}\n{entry.body}", question.words)
    counts = question.counts
    context |= {
        "search": question,
        "page": page,
        "counts": [(kind, label, counts.get(kind, 0)) for kind, label in form.fields["kind"].choices if kind],
        "total": sum(counts.values()),
        "kinds": KIND_ORDER,
    }
    return render(request, "tracker/search.html", context)

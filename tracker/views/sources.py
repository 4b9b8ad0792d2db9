"""The sources: a list of speeches and statements, and each one's full text with its quoted sentences marked."""

from django.db.models import Count
from django.shortcuts import get_object_or_404, render

from tracker.models import SourceDocument
from tracker.tables import SourceTable
from tracker.views.paging import render_table_page
from tracker.views.slugs import follows_renamed_slugs


def source_list(request):
    sources = SourceDocument.objects.defer("text").annotate(event_count=Count("events")).order_by("-date", "title")
    return render_table_page(request, "tracker/source_list.html", SourceTable(sources))


@follows_renamed_slugs(SourceDocument)
def source_detail(request, slug):
    source = get_object_or_404(SourceDocument, slug=slug)
    events = source.events.select_related("instrument", "state").order_by("pk")
    return render(request, "tracker/source_detail.html", {"source": source, "events": events})

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from tracker.alerts import views as alerts
from tracker.api import api
from tracker.feeds import ChangesFeed, EventFeed, InstrumentEventFeed, StateEventFeed
from tracker.models import Instrument, MemberState
from tracker.proposal_views import propose_view
from tracker.views import changes, events, exports, instruments, matrix, open_data, reports, search, sources, states
from tracker.views.slugs import follows_renamed_slugs

# The public site, in the "tracker" namespace: other modules, the admin's "view on site" and the
# exports' URLs rely on these names, so rename none of them.
public_patterns = [
    path("", matrix.matrix, name="matrix"),
    path("instruments/", instruments.instrument_list, name="instrument_list"),
    path("instruments/<slug:slug>/", instruments.instrument_detail, name="instrument_detail"),
    path("states/", states.state_list, name="state_list"),
    path("states/<slug:slug>/", states.state_detail, name="state_detail"),
    path("events/", events.event_list, name="event_list"),
    path("events/<int:pk>/", events.event_detail, name="event_detail"),
    path("sources/", sources.source_list, name="source_list"),
    path("sources/<slug:slug>/", sources.source_detail, name="source_detail"),
    path("changes/", changes.recent_changes, name="changes"),
    path("alerts/", alerts.subscribe, name="alert_subscribe"),
    path("alerts/confirm/<str:token>/", alerts.confirm, name="alert_confirm"),
    path("alerts/unsubscribe/<str:token>/", alerts.unsubscribe, name="alert_unsubscribe"),
    path("reports/outstanding/", reports.outstanding, name="report_outstanding"),
    path("search/", search.search, name="search"),
    path("data/", open_data.open_data, name="open_data"),
    path("data/datapackage.json", open_data.datapackage, name="datapackage"),
]
# Every export as CSV ("tracker:export_status") and, at the same address ending .xlsx, as a spreadsheet
# ("tracker:export_status_xlsx"): the same filters, columns and rows (issue 15).
public_patterns += [
    path(f"export/{name}.{file_format}", view, {"file_format": file_format}, name=f"export_{name}{suffix}")
    for name, view in exports.EXPORT_VIEWS.items()
    for file_format, suffix in (("csv", ""), ("xlsx", "_xlsx"))
]

# Atom feeds of new and changed events (issue 8), in the "feeds" namespace.
feed_patterns = [
    path("events.atom", EventFeed(), name="events"),
    path("instruments/<slug:slug>.atom", follows_renamed_slugs(Instrument)(InstrumentEventFeed()), name="instrument"),
    path("states/<slug:slug>.atom", follows_renamed_slugs(MemberState)(StateEventFeed()), name="state"),
    path("changes.atom", ChangesFeed(), name="changes"),
]

# The API is a language-neutral contract: unprefixed and always in English.
urlpatterns = [
    path("api/", api.urls),
    # English addresses have no prefix (those already cited, fed and exported keep working); an /en/ link someone
    # writes by analogy with /ru/ lands on the same page (issue 10).
    # The rest may not start with a slash or backslash: "/en//evil.example" must not become "//evil.example".
    re_path(r"^en/(?P<rest>(?![/\\]).*)$", RedirectView.as_view(url="/%(rest)s", permanent=True, query_string=True)),
]
# The public site, its exports and the admin in every language: /ru/... is Russian (issue 10).
urlpatterns += i18n_patterns(
    # Before admin/: the admin would read "add-from-text" as a source's id.
    path("admin/tracker/sourcedocument/add-from-text/", admin.site.admin_view(propose_view), name="propose_events"),
    path("admin/", admin.site.urls),
    path("", include((public_patterns, "tracker"))),
    # Feeds in every language (issue 15): /feeds/... stays English, as published; /ru/feeds/... is Russian.
    path("feeds/", include((feed_patterns, "feeds"))),
    prefix_default_language=False,
)

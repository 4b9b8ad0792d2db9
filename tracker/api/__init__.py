"""The read-only open-data API (issue 8), served under /api/.

django-ninja builds the OpenAPI 3 document (/api/openapi.json) from the typed schemas in
``schemas.py`` and serves Swagger UI (/api/docs) from its own static files, with no CDN.
Every status comes from ``tracker.status``; nothing here works one out.
"""

from django.http import Http404
from ninja import NinjaAPI, Swagger
from ninja.errors import ValidationError
from ninja.renderers import JSONRenderer

from tracker.api import errors, record, search, statuses
from tracker.api.status_report import WrittenJSON


class SiteSwagger(Swagger):
    """Swagger UI in a page of our own: a viewport for phones and a link back to the site (issue 15)."""

    template = "tracker/api/docs.html"


class OpenDataRenderer(JSONRenderer):
    def render(self, request, data, *, response_status):
        # The status report writes its own JSON (tracker.api.status_report): 100,000 statuses are too many to dump.
        if isinstance(data, WrittenJSON):
            return data
        return super().render(request, data, response_status=response_status)


class OpenDataAPI(NinjaAPI):
    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(request, data, status=status, temporal_response=temporal_response)
        # Public, read-only data with no cookies or credentials: a researcher's notebook or a newsroom's
        # page on another site may read it straight from the browser.
        response["Access-Control-Allow-Origin"] = "*"
        return response


api = OpenDataAPI(
    title="CSTO ratification tracker",
    version="1",
    description=(
        "Read-only open data: member states, instruments, sources, events, and every status as of a date"
        " with the event, source and quote it rests on. Lists are paginated with `limit` and `offset`."
        " Responses carry `ETag` and `Last-Modified`: send `If-None-Match` or `If-Modified-Since` to get"
        " a 304 while nothing has changed."
    ),
    urls_namespace="api",
    renderer=OpenDataRenderer(),
    openapi_url="/openapi.json",
    docs_url="/docs",
    # No online validator badge: the docs page must not call out to another site.
    docs=SiteSwagger(settings={"validatorUrl": None}),
)
api.add_exception_handler(ValidationError, lambda request, exc: errors.handle_validation_error(api, request, exc))
api.add_exception_handler(errors.BadParameter, lambda request, exc: errors.handle_bad_parameter(api, request, exc))
api.add_exception_handler(Http404, lambda request, exc: errors.handle_not_found(api, request, exc))
api.add_router("/", record.router, tags=["record"])
api.add_router("/", statuses.router, tags=["status"])
api.add_router("/", search.router, tags=["search"])

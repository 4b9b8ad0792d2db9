"""The pages, feeds and API addresses of a renamed instrument, state or source lead to its new slug (issue 17)."""

import functools

from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse

from tracker.models.slugs import renamed_from


def redirect_to_current_slug(request, model, slug: str) -> HttpResponsePermanentRedirect | None:
    """A 301 to this same address (language, query and all) with the object's slug now, if ``slug`` is a former
    one; None if no object of ``model`` ever had it."""
    current = renamed_from(model, slug)
    if current is None:
        return None
    match = request.resolver_match
    url = reverse(match.view_name, args=match.args, kwargs=match.kwargs | {"slug": current.slug})
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)


def follows_renamed_slugs(model):
    """Decorates a view taking ``slug``: where it finds nothing (404), a former slug of ``model`` is redirected.

    Looked up only after a 404, so the pages of current slugs cost no extra query. The 404 is an Http404 from a
    page or a feed, or the API's 404 answer (django-ninja turns the exception into a response itself).
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                response = view(request, *args, **kwargs)
            except Http404:
                redirect = redirect_to_current_slug(request, model, kwargs["slug"])
                if redirect is None:
                    raise
                return redirect
            if response.status_code == 404:
                return redirect_to_current_slug(request, model, kwargs["slug"]) or response
            return response

        return wrapper

    return decorator

"""Compressed HTML for the public pages, never for a page that holds a secret (issue 15).

Whitenoise compresses only static files; HTML pages went out uncompressed. Compressing a page that
reflects what a visitor sent and also holds a secret lets an attacker who can watch the compressed
sizes guess the secret a byte at a time (BREACH). The public site holds no secret: it is read-only,
has no forms that post and so no CSRF token, and shows nothing that depends on who is signed in. The
admin, the login page and anything else that asked for a CSRF token hold one, so they go out as they are.
"""

from django.conf import settings
from django.middleware.gzip import GZipMiddleware


class PublicPageGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware, skipping the admin and every response whose page asked for a CSRF token.

    A page that asked for a token (``get_token``, as every form that posts does) is sent with the CSRF
    cookie set: that cookie, not a list of addresses, is the sign that the body holds a secret.
    """

    def process_response(self, request, response):
        match = getattr(request, "resolver_match", None)
        if settings.CSRF_COOKIE_NAME in response.cookies or (match and "admin" in match.namespaces):
            return response
        return super().process_response(request, response)

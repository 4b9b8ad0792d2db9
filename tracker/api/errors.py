"""The API's error bodies: a 400 that names each bad parameter, and a 404 that says what was not found.

django-ninja answers invalid input with a 422 by default; the open-data issue asks for a 400,
the status most HTTP clients and researchers' scripts expect for a malformed query.
"""

from django.http import Http404
from ninja.errors import ValidationError


class BadParameter(Exception):
    """A parameter that is well formed but names nothing in the record, such as ``state=XYZ``."""

    def __init__(self, parameter: str, message: str, *, location: str = "query"):
        self.parameter = parameter
        self.message = message
        self.location = location
        super().__init__(f"{parameter}: {message}")


def parameter_errors_response(api, request, errors: list[dict]):
    names = ", ".join(dict.fromkeys(error["parameter"] for error in errors))
    body = {"detail": f"Invalid parameter: {names}.", "errors": errors}
    return api.create_response(request, body, status=400)


def handle_validation_error(api, request, exc: ValidationError):
    errors = []
    for error in exc.errors:
        # ninja's "loc" is (where, name, ...): ("query", "as_of") or ("path", "slug").
        location, *path = error.get("loc", ("query",))
        parameter = ".".join(str(part) for part in path) or location
        errors.append({"parameter": parameter, "location": location, "message": error.get("msg", "Invalid value.")})
    return parameter_errors_response(api, request, errors)


def handle_bad_parameter(api, request, exc: BadParameter):
    error = {"parameter": exc.parameter, "location": exc.location, "message": exc.message}
    return parameter_errors_response(api, request, [error])


def handle_not_found(api, request, exc: Http404):
    # The messages are ours ("No member state with slug ..."), safe to show with DEBUG off.
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)

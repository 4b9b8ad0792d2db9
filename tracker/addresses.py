"""Many pages' addresses built from one ``reverse()``, for the pages that link to hundreds of objects."""

from urllib.parse import quote

from tracker.models import Event, Instrument, MemberState, SourceDocument

# The field each model's page address holds (its get_absolute_url()), for every page and answer that links to many.
ADDRESS_KEYS = {MemberState: "slug", Instrument: "slug", SourceDocument: "slug", Event: "pk"}


class AddressPattern:
    """The addresses of one model's pages, for a page that links to many: ``get_absolute_url()`` is called once, on an
    unsaved object whose key is a stand-in, and each object's key is put in the stand-in's place.

    The events list links each of its 50 rows to an instrument, a state, a source and the event: 200 ``reverse()``
    calls were most of the time its rows took (issue 18). The model's ``get_absolute_url()`` stays the one writer of
    the address; the key is quoted as ``reverse()`` quotes it. One pattern lasts one page (one language).
    """

    STAND_IN = "7305194826"
    # What reverse() leaves unquoted in a path (django.urls.resolvers).
    SAFE = "!$&'()*+,;=/~:@"

    def __init__(self, model):
        self.key = key = ADDRESS_KEYS[model]
        address = model(**{key: self.STAND_IN}).get_absolute_url()
        self.before, stand_in, self.after = address.partition(self.STAND_IN)
        if not stand_in or self.STAND_IN in self.after:
            raise ValueError(f"{model.__name__}'s address does not hold its {key} once: {address}")

    def __call__(self, instance) -> str:
        return f"{self.before}{quote(str(getattr(instance, self.key)), safe=self.SAFE)}{self.after}"


class PageAddresses:
    """Every object's page address for one response, each model's ``AddressPattern`` made the first time it is asked.

    For answers that link to thousands of objects of a few models: the API's status page of 50 instruments called
    ``reverse()`` 42,669 times, 40% of its time (issue 18). ``rows`` names the model each kind of plain row stands
    for; a model with no key in ``ADDRESS_KEYS`` is asked for each object's address.
    """

    def __init__(self, rows: dict[type, type] | None = None):
        # Plain rows that stand for a model's objects (``EventFacts`` for an ``Event``) have the model's address.
        self.rows = rows or {}
        self.patterns: dict[type, AddressPattern] = {}

    def __call__(self, obj) -> str:
        model = self.rows.get(type(obj), type(obj))
        pattern = self.patterns.get(model)
        if pattern is None:
            if model not in ADDRESS_KEYS:
                return obj.get_absolute_url()
            pattern = self.patterns[model] = AddressPattern(model)
        return pattern(obj)

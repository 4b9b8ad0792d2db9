"""Former slugs: an instrument, state or source renamed in the admin keeps its old addresses (issue 17).

Permanent addresses are by slug (README, "Feeds, permalinks and citations"), and they are cited and fed; a slug
corrected in the admin broke every one of them. The audit trail (django-simple-history) already keeps every
version of each object with its slug at the time, so it is the record of former slugs: no second table to keep
in step, and a restored backup brings its history, and so its former slugs, with it.
"""

from django.db import models


def renamed_from(model: type[models.Model], slug: str) -> models.Model | None:
    """The ``model`` object that most recently had ``slug`` and has another one now, or None.

    Only asked once no object has ``slug``: a slug in use always means its current holder.
    """
    former = model.history.filter(slug=slug).order_by("-history_date").values_list("id", flat=True).first()
    if former is None:
        return None
    return model._default_manager.filter(pk=former).exclude(slug=slug).first()

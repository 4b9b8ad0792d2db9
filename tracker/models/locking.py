"""Optimistic locking: every record counts its saves, so a save based on an older version is refused (issue 7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


def version_field():
    return models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Counts the saves of this record, so that a save based on an older version is refused."),
    )


class StaleRecordError(Exception):
    """A save based on a version of the record that someone else has changed since (optimistic locking)."""

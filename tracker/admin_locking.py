"""Optimistic locking in the admin (issue 7): forms carry the version of the record they showed, and refuse
a save if the record moved on since, saying what changed.

The rule itself (each row counts its saves; a save based on an older count fails) is the model's, in
``tracker.models.locking``; this is the admin's side of it.
"""

from django import forms
from django.contrib.admin.utils import flatten_fieldsets
from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tracker.models.locking import changes_since


class VersionCheckedForm(forms.ModelForm):
    """Carries the version of the record the page showed, and refuses a save if the record moved on since.

    Mixed into every admin form by ``OptimisticLockAdmin``. The check here gives staff a message;
    the model's conditional UPDATE (``count_the_version``) closes the gap between check and save.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # A revert starts from an old historical copy; what staff saw is the record as it is now.
    version_from_database = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["version"] = (
                self._saved_version() if self.version_from_database else getattr(self.instance, "version", None)
            )

    def _saved_version(self, *, lock=False) -> int | None:
        # No ordering: the default one joins other tables, which FOR UPDATE cannot lock (PostgreSQL).
        rows = type(self.instance)._default_manager.filter(pk=self.instance.pk).order_by()
        if lock and transaction.get_connection().in_atomic_block:
            # Hold the row until this save commits, so a second save waits and then sees the new version.
            rows = rows.select_for_update()
        return rows.values_list("version", flat=True).first()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        seen = cleaned.get("version")
        if seen is None:
            # Without the version it showed, a save could not be checked: refused, never let through (issue 17).
            raise forms.ValidationError(
                _(
                    "This form does not say which version of the record it changes, so it cannot be checked against"
                    " saves made since. Your changes are not saved: open the record again and make them there."
                ),
                code="no_version",
            )
        saved = self._saved_version(lock=True)
        if saved is not None and saved != seen:
            raise forms.ValidationError(stale_version_message(self.instance, seen=seen, saved=saved))
        self.instance.expected_version = seen
        return cleaned


def stale_version_message(record, *, seen: int, saved: int) -> forms.ValidationError:
    """The refusal of a save based on version ``seen`` of a record now at version ``saved``, naming what changed."""
    message = _(
        "Someone else saved this record after you opened it (your copy is version %(seen)s, the saved"
        " one is version %(saved)s). Your changes are not saved: open the record again to see theirs,"
        " then make yours."
    )
    params = {"seen": seen, "saved": saved}
    changes = changes_since(record, seen)
    if changes:
        message = format_lazy("{} {}", message, _("They changed: %(changes)s."))
        params["changes"] = changes
    return forms.ValidationError(message, code="stale_version", params=params)


def versioned(form_class, *, from_database=False):
    attributes = {"version_from_database": from_database, "__module__": form_class.__module__}
    return type(form_class)(f"Versioned{form_class.__name__}", (VersionCheckedForm, form_class), attributes)


class OptimisticLockAdmin:
    """Mix into a ModelAdmin or inline (before the Django class): its forms carry and check ``version``."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if "version" in flatten_fieldsets(fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, options | {"fields": [*options["fields"], "version"]}), *rest]

    def get_form(self, request, obj=None, **kwargs):
        form = kwargs.pop("form", self.form)
        revert = getattr(request, "tracker_reverting", False)
        fields = self._model_fields(request, obj, kwargs)
        return super().get_form(request, obj, form=versioned(form, from_database=revert), fields=fields, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        form = kwargs.pop("form", self.form)
        fields = self._model_fields(request, obj, kwargs)
        return super().get_formset(request, obj, form=versioned(form), fields=fields, **kwargs)

    def _model_fields(self, request, obj, kwargs) -> list[str] | None:
        # "version" is a declared form field: listed among the model's fields, Django would
        # refuse it as non-editable. (fields=None is Django asking for every editable field.)
        fields = kwargs.pop("fields") if "fields" in kwargs else flatten_fieldsets(self.get_fieldsets(request, obj))
        return None if fields is None else [name for name in fields if name != "version"]

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        request.tracker_reverting = True
        return super().history_form_view(request, object_id, version_id, extra_context)

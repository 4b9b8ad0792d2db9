"""The admin's import of event files around django-import-export (issue 17, items 2, 5 and 6).

- Uploads are kept in a folder of their own (``IMPORT_UPLOAD_DIR``) under random names made here;
  the confirm step accepts only such a name, so its hidden ``import_file_name`` field can no longer
  point the app at other files. An upload is removed once the import is confirmed or refused, and
  one left behind by an abandoned preview is removed after ``IMPORT_UPLOAD_MAX_AGE`` seconds.
- A file over ``IMPORT_MAX_BYTES`` (or an XLSX whose sheets expand past ``IMPORT_MAX_XLSX_BYTES``)
  is refused with its size before anything reads it whole.
- The confirm validates every row again against the record as it is then; if any row fails, nothing
  is saved and the page says so with the reasons, instead of "Import finished".
"""

import re
import time
import uuid
import zipfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.results import RowResult
from import_export.tmp_storages import BaseStorage

UPLOAD_NAME = re.compile(r"[0-9a-f]{32}")


def upload_folder() -> Path:
    folder = Path(settings.IMPORT_UPLOAD_DIR)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def remove_abandoned_uploads(*, now: float | None = None) -> int:
    """Remove uploads older than ``IMPORT_UPLOAD_MAX_AGE`` (a preview nobody confirmed); returns how many."""
    oldest = (now or time.time()) - settings.IMPORT_UPLOAD_MAX_AGE
    removed = 0
    for path in upload_folder().iterdir():
        if UPLOAD_NAME.fullmatch(path.name) and path.is_file() and path.stat().st_mtime < oldest:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


class UploadStorage(BaseStorage):
    """An upload between preview and confirm, in the import folder, under a name made here."""

    def save_chunks(self, chunks) -> None:
        self.name = uuid.uuid4().hex
        with open(self.path(), "xb") as stream:
            for chunk in chunks:
                stream.write(chunk)

    def save(self, data) -> None:
        self.save_chunks([data if isinstance(data, bytes) else data.encode(self.encoding or "utf-8")])

    def read(self):
        with open(self.path(), self.read_mode, encoding=self.encoding) as stream:
            return stream.read()

    def remove(self) -> None:
        self.path().unlink(missing_ok=True)

    def path(self) -> Path:
        if not isinstance(self.name, str) or not UPLOAD_NAME.fullmatch(self.name):
            raise ValueError("Not the name of an upload made by the import.")
        return upload_folder() / self.name


class LimitedImportForm(ImportForm):
    """The upload form, refusing a file too big to read before it is read."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; import at most %(limit)s at a time (split it into several files).")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        if zipfile.is_zipfile(upload):
            expanded = _expanded_size(upload)
            if expanded > settings.IMPORT_MAX_XLSX_BYTES:
                raise forms.ValidationError(
                    _(
                        "The spreadsheet expands to %(size)s when opened; import at most %(limit)s at a time"
                        " (split it into several files)."
                    )
                    % {"size": filesizeformat(expanded), "limit": filesizeformat(settings.IMPORT_MAX_XLSX_BYTES)}
                )
        upload.seek(0)
        return upload


def _expanded_size(upload) -> int:
    # An XLSX is a zip of XML: its central directory gives each part's size without expanding anything.
    try:
        with zipfile.ZipFile(upload) as archive:
            return sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return 0
    finally:
        upload.seek(0)


class UploadConfirmForm(ConfirmImportForm):
    """The confirm step's hidden fields, accepting only an upload name and a format the preview made."""

    def clean_import_file_name(self):
        name = self.cleaned_data["import_file_name"]
        if not UPLOAD_NAME.fullmatch(name) or not (upload_folder() / name).is_file():
            raise forms.ValidationError(
                _("This import’s upload is not there any more (or never was): upload the file again.")
            )
        return name

    def clean_format(self):
        value = self.cleaned_data["format"]
        if not value.isdigit() or int(value) >= len(self.formats):
            raise forms.ValidationError(_("Unknown file format: upload the file again."))
        return value


class CheckedImportAdmin:
    """Mix into an ImportExportModelAdmin (before it): uploads, limits and a confirm that reports the truth."""

    import_form_class = LimitedImportForm
    confirm_form_class = UploadConfirmForm
    tmp_storage_class = UploadStorage

    def create_confirm_form(self, request, import_form=None):
        form = super().create_confirm_form(request, import_form)
        form.formats = self.get_import_formats()
        return form

    def write_to_tmp_storage(self, import_file, input_format):
        # Written as it arrives, never gathered in memory first (django-import-export concatenates the chunks).
        storage = UploadStorage(encoding=None if input_format.is_binary() else self.from_encoding)
        storage.read_mode = input_format.get_read_mode()
        storage.save_chunks(import_file.chunks())
        return storage

    def import_action(self, request, **kwargs):
        remove_abandoned_uploads()
        response = super().import_action(request, **kwargs)
        upload = request.FILES.get("import_file")
        name = getattr(upload, "tmp_storage_name", None)
        context = getattr(response, "context_data", None) or {}
        if name and not context.get("confirm_form"):
            # Refused: there will be no confirm, so the upload goes now rather than piling up.
            UploadStorage(name=name).remove()
        return response

    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = self.create_confirm_form(request)
        if request.method != "POST" or not confirm_form.is_valid():
            return super().process_import(request, **kwargs)
        input_format = self.get_import_formats()[int(confirm_form.cleaned_data["format"])](encoding=self.from_encoding)
        storage = UploadStorage(
            name=confirm_form.cleaned_data["import_file_name"],
            encoding=None if input_format.is_binary() else self.from_encoding,
            read_mode=input_format.get_read_mode(),
        )
        try:
            dataset = input_format.create_dataset(storage.read())
            # Every row is validated again, against the record as it is now: it may have changed since the preview.
            result = self.process_dataset(dataset, confirm_form, request, **kwargs)
        except (OSError, ValueError, LookupError) as error:
            return self._refused(
                request, reason=_("The upload could not be read again (%(error)s).") % {"error": error}
            )
        finally:
            storage.remove()
        if result.has_errors() or result.has_validation_errors():
            return self._refused(request, result=result)
        return self.process_result(result, request)

    def _refused(self, request, *, result=None, reason=""):
        messages.error(
            request,
            " ".join(
                part
                for part in [
                    _("Nothing was imported: the record is unchanged."),
                    reason,
                    _("The rows below do not fit the record as it is now; correct the file and upload it again.")
                    if result is not None
                    else "",
                ]
                if part
            ),
        )
        context = self.get_import_context_data()
        context.update(self.admin_site.each_context(request))
        resource_classes = self.get_import_resource_classes(request)
        form = self.get_import_form_class(request)(self.get_import_formats(), resource_classes)
        resources = [
            resource_class(**self.get_import_resource_kwargs(request, form=form)) for resource_class in resource_classes
        ]
        context |= {
            "title": _("Import"),
            "form": form,
            "opts": self.model._meta,
            "media": self.media + form.media,
            "result": result,
            "fields_list": [
                (resource.get_display_name(), [field.column_name for field in resource.get_user_visible_fields()])
                for resource in resources
            ],
            "import_error_display": self.import_error_display,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    def add_success_message(self, result, request):
        totals = result.totals
        message = _(
            "Imported: %(new)s new events, %(updated)s updated, %(unchanged)s already recorded as they are."
        ) % {
            "new": totals[RowResult.IMPORT_TYPE_NEW],
            "updated": totals[RowResult.IMPORT_TYPE_UPDATE],
            "unchanged": totals[RowResult.IMPORT_TYPE_SKIP],
        }
        messages.success(request, message)

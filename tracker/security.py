"""Defences that are not a library setting (issue 7): formula-safe spreadsheet formats, a read-only public site.

The admin's bulk import and export must not carry a spreadsheet formula. django-import-export's
own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only drops a leading "=", which leaves "+", "-", "@"
and tab live and changes the text. These formats apply the public exports' rule instead
(``tracker.exports.neutralise``: a quote mark before a formula character), and take that quote
mark off again on import, so an exported file re-imports unchanged.
"""

from django.http import HttpResponseNotAllowed
from import_export.formats import base_formats

from tracker.exports import FORMULA_TRIGGERS, neutralise


def _neutralised(dataset):
    for index, row in enumerate(dataset):
        dataset[index] = [neutralise(cell) if isinstance(cell, str) else cell for cell in row]
    return dataset


def _restored(dataset):
    if not dataset.headers or not any(str(header or "").strip() for header in dataset.headers):
        # Without this, django-import-export fails deep inside with a TypeError (a 500).
        raise ValueError("The file has no header row naming its columns.")

    def restore(cell):
        if isinstance(cell, str) and cell.startswith("'") and cell[1:].startswith(FORMULA_TRIGGERS):
            return cell[1:]
        return cell

    for index, row in enumerate(dataset):
        dataset[index] = [restore(cell) for cell in row]
    return dataset


class FormulaSafeCSV(base_formats.CSV):
    def export_data(self, dataset, **kwargs):
        return super().export_data(_neutralised(dataset), **kwargs)

    def create_dataset(self, in_stream, **kwargs):
        return _restored(super().create_dataset(in_stream, **kwargs))


class FormulaSafeXLSX(base_formats.XLSX):
    def export_data(self, dataset, **kwargs):
        return super().export_data(_neutralised(dataset), **kwargs)

    def create_dataset(self, in_stream):
        return _restored(super().create_dataset(in_stream))


class ReadOnlyPublicSite:
    """Answer 405 to any method but GET, HEAD and OPTIONS outside the admin.

    The public site, exports, feeds and API only read the record; all writing goes through the
    admin, behind login and permissions. Refusing other methods in one place means a view added
    later cannot quietly accept a POST, and clients get an honest "method not allowed".
    """

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
    WRITABLE_PREFIX = "/admin/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in self.SAFE_METHODS and not request.path_info.startswith(self.WRITABLE_PREFIX):
            return HttpResponseNotAllowed(sorted(self.SAFE_METHODS), "Only GET and HEAD: the public site is read-only.")
        return self.get_response(request)

"""The admin's spreadsheet formats, formula-safe (issue 7).

The admin's bulk import and export must not carry a spreadsheet formula. django-import-export's
own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only drops a leading "=", which leaves "+", "-", "@"
and tab live and changes the text. These formats apply the public exports' rule instead
(``tracker.csv_safety``: a quote mark before a formula character wherever a cell may begin), and
take those quote marks off again on import, so an exported file re-imports unchanged.
"""

from import_export.formats import base_formats

from tracker.csv_safety import neutralise, restore
from tracker.text_cleaning import clean_text


def _neutralised(dataset):
    for index, row in enumerate(dataset):
        # Cleaned too: openpyxl refuses a control character (issue 17), and a file should re-import as it was.
        dataset[index] = [neutralise(clean_text(cell)) if isinstance(cell, str) else cell for cell in row]
    return dataset


def _restored(dataset):
    if not dataset.headers or not any(str(header or "").strip() for header in dataset.headers):
        # Without this, django-import-export fails deep inside with a TypeError (a 500).
        raise ValueError("The file has no header row naming its columns.")

    for index, row in enumerate(dataset):
        dataset[index] = [restore(cell) if isinstance(cell, str) else cell for cell in row]
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

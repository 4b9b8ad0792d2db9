"""Bulk import and export of events (django-import-export), by natural keys.

A file names instruments by slug, states by ISO code and sources by slug, so
staff can write it by hand or in a spreadsheet. Each row goes through
``Event.full_clean``: the quote check, the date rules and the duplicate rule
apply exactly as in the admin form. A file is imported whole or not at all.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from import_export import fields, resources, results, widgets

from tracker.models import Event, Instrument, MemberState, SourceDocument


class NaturalKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key written as a natural key, with a message naming what was not found."""

    def __init__(self, model, field, noun):
        super().__init__(model, field=field)
        self.noun = noun

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            # A ValueError becomes a message on the cell rather than a traceback.
            raise ValueError(f"No {self.noun} “{value}” in the record.") from None


class UppercaseNaturalKeyWidget(NaturalKeyWidget):
    def clean(self, value, row=None, **kwargs):
        return super().clean(value.strip().upper() if isinstance(value, str) else value, row, **kwargs)


class StaffError(results.Error):
    """An import error as staff see it: the message, without the Python traceback (it is logged)."""

    traceback = ""


class EventResource(resources.ModelResource):
    instrument = fields.Field(
        attribute="instrument",
        column_name="instrument",
        widget=NaturalKeyWidget(Instrument, "slug", "instrument with slug"),
    )
    state = fields.Field(
        attribute="state",
        column_name="state",
        widget=UppercaseNaturalKeyWidget(MemberState, "iso3", "member state with ISO code"),
    )
    source = fields.Field(
        attribute="source",
        column_name="source",
        widget=NaturalKeyWidget(SourceDocument, "slug", "source with slug"),
    )
    date = fields.Field(attribute="date", column_name="date", widget=widgets.DateWidget("%Y-%m-%d"))
    is_paraphrase = fields.Field(
        attribute="is_paraphrase", column_name="is_paraphrase", widget=widgets.BooleanWidget(), default=False
    )
    inferred = fields.Field(attribute="inferred", column_name="inferred", widget=widgets.BooleanWidget(), default=False)

    class Meta:
        model = Event
        fields = (
            "instrument",
            "state",
            "type",
            "date",
            "precision",
            "source",
            "quote",
            "is_paraphrase",
            "inferred",
            "place",
            "note",
        )
        # The natural key of an event (its unique constraints): importing a file twice updates, never duplicates.
        import_id_fields = ("instrument", "state", "type", "source")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    # The columns every row needs; the others may be left out of a file.
    required_columns = ("instrument", "state", "type", "date", "precision", "source", "quote")

    def get_error_result_class(self):
        return StaffError

    def before_import(self, dataset, **kwargs):
        missing = [column for column in self.required_columns if column not in (dataset.headers or [])]
        if missing:
            raise ValueError(
                f"The file has no column {', '.join(missing)}. Its first line must name the columns:"
                f" {', '.join(self._meta.fields)} (state may be empty in a row, for the instrument itself)."
            )

    def import_data(self, dataset, *args, **kwargs):
        # All or nothing: a row refused by validation rolls back the rows before it too.
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, *args, **kwargs)

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            # An unknown slug or code: treat the row as new so the cell's message is
            # reported as a validation error of that row, like every other bad value.
            return None

    def before_import_row(self, row, **kwargs):
        self._row_number = kwargs["row_number"]

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            # Spreadsheets count the header as line 1, so data row N sits on line N + 1.
            where = f"Line {self._row_number + 1} of the file (data row {self._row_number})."
            raise ValidationError(error.update_error_dict({NON_FIELD_ERRORS: [where]})) from error

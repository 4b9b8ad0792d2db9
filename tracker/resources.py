"""Bulk import and export of events (django-import-export), by natural keys.

A file names instruments by slug, states by ISO code and sources by slug, so
staff can write it by hand or in a spreadsheet. Each row goes through
``Event.full_clean``: the quote check and the date rules apply exactly as in the
admin form. A file is imported whole or not at all.

Big files (issue 17, item 6): a 5,000-row file once took 109 s to preview. Now the
instruments, states, sources and the events the file may update are read once per
file, not once per row; the unique constraints are checked in memory (an event the
file names is found by its natural key, and a file may name an event once), so
validation asks nothing of the database row by row; the preview writes nothing;
and the confirm writes all rows with a few bulk statements, history included.

Bulk writes send no ``post_save``, so the status spans' receivers (``tracker.spans``) never hear of them: the
import rewrites the spans of the instruments it touched itself, at its end, inside its transaction.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, instance_loaders, resources, results, widgets
from simple_history.utils import bulk_create_with_history

from tracker.admin_locking import stale_version_message
from tracker.models import Event, Instrument, MemberState, RecordToken, SourceDocument, StaleRecordError
from tracker.spans import spans_touched
from tracker.text_cleaning import clean_text

# The most rows one file may hold; the README promises a 5,000-row file well inside the worker's timeout.
MAX_ROWS = 10_000


class NaturalKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key written as a natural key, looked up in the objects the resource read for the file."""

    def __init__(self, model, field, noun):
        super().__init__(model, field=field)
        self.noun = noun
        self.known = None

    def normalise(self, value):
        return value.strip() if isinstance(value, str) else value

    def clean(self, value, row=None, **kwargs):
        value = self.normalise(value)
        if value in (None, ""):
            return None
        if self.known is None:
            self.known = {getattr(obj, self.field): obj for obj in self.model._default_manager.all()}
        try:
            return self.known[str(value)]
        except KeyError:
            # A ValueError becomes a message on the cell rather than a traceback.
            raise ValueError(f"No {self.noun} “{value}” in the record.") from None


class UppercaseNaturalKeyWidget(NaturalKeyWidget):
    def normalise(self, value):
        return value.strip().upper() if isinstance(value, str) else value


class SourceWidget(NaturalKeyWidget):
    def clean(self, value, row=None, **kwargs):
        if self.known is None:
            # Only the sources the file names, each read once with its text (quotes are checked against it).
            slugs = {str(self.normalise(row_value)) for row_value in self.column_values}
            self.known = {source.slug: source for source in SourceDocument.objects.filter(slug__in=slugs)}
        return super().clean(value, row, **kwargs)


class NaturalKeyInstanceLoader(instance_loaders.BaseInstanceLoader):
    """Finds the event a row names by its natural key among those of the file's sources, read in one query."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.events = None

    def get_instance(self, row):
        key = self.resource.natural_key_of(row)
        if self.events is None:
            sources = {source.pk: source for source in (self.resource.fields["source"].widget.known or {}).values()}
            # With their instrument and state, and the source already read: the preview's diff and each row's
            # description read them, one query each per row otherwise.
            events = Event.objects.filter(source__in=list(sources)).select_related("instrument", "state")
            self.events = {}
            for event in events:
                event.source = sources[event.source_id]
                # The instrument the event had before the file, whose pairs a move would change too. A row cannot
                # move an event while the instrument is part of the key it is found by; this keeps the spans right
                # if that ever changes.
                event.instrument_before_import = event.instrument_id
                self.events[event.instrument_id, event.state_id, event.type, event.source_id] = event
        return self.events.get(key) if key else None


class UnshownDiff(resources.Diff):
    def as_html(self):
        return []


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
        attribute="source", column_name="source", widget=SourceWidget(SourceDocument, "slug", "source with slug")
    )
    date = fields.Field(attribute="date", column_name="date", widget=widgets.DateWidget("%Y-%m-%d"))
    is_paraphrase = fields.Field(
        attribute="is_paraphrase", column_name="is_paraphrase", widget=widgets.BooleanWidget(), default=False
    )
    inferred = fields.Field(attribute="inferred", column_name="inferred", widget=widgets.BooleanWidget(), default=False)
    # Exported so that a file edited and imported back says which version of each event it changes (issue 17).
    version = fields.Field(attribute="version", column_name="version", widget=widgets.IntegerWidget(), readonly=True)

    class Meta:
        model = Event
        fields = (*Event.RECORDED_FIELDS, "version")
        # The natural key of an event (its unique constraints): importing a file twice updates, never duplicates.
        import_id_fields = ("instrument", "state", "type", "source")
        instance_loader_class = NaturalKeyInstanceLoader
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        # Rows are collected and written together by bulk_create / bulk_update below, after every row validated.
        use_bulk = True
        batch_size = None

    # The columns every row needs; the others may be left out of a file.
    required_columns = ("instrument", "state", "type", "date", "precision", "source", "quote")

    def get_error_result_class(self):
        return StaffError

    def before_import(self, dataset, **kwargs):
        self._lines_of = {}
        self._touched_instruments = set()
        self._user = kwargs.get("user")
        headers = dataset.headers or []
        self.fields["source"].widget.column_values = dataset["source"] if "source" in headers else []
        missing = [column for column in self.required_columns if column not in headers]
        if missing:
            raise ValueError(
                f"The file has no column {', '.join(missing)}. Its first line must name the columns:"
                f" {', '.join(self._meta.fields)} (state may be empty in a row, for the instrument itself)."
            )
        if len(dataset) > MAX_ROWS:
            raise ValueError(f"The file has {len(dataset)} rows; import at most {MAX_ROWS} at a time.")
        # Text is cleaned at the door (tracker.text_cleaning), before any value is read or checked.
        for index, row in enumerate(dataset):
            dataset[index] = [clean_text(cell) if isinstance(cell, str) else cell for cell in row]

    def import_data(self, dataset, *args, **kwargs):
        # All or nothing: a row refused by validation rolls back the rows before it too.
        kwargs["rollback_on_validation_errors"] = True
        self._previewing = kwargs.get("dry_run", args[0] if args else False)
        return super().import_data(dataset, *args, **kwargs)

    def get_diff_class(self):
        # Only the preview shows what each row changes; the confirm's page is a redirect.
        return super().get_diff_class() if self._previewing else UnshownDiff

    def natural_key_of(self, row) -> tuple | None:
        """The ids of the instrument, state, type and source a row names: its event's unique key."""
        try:
            instrument, state, source = (self.fields[name].clean(row) for name in ("instrument", "state", "source"))
        except (ValueError, KeyError):
            # An unknown slug or code: the row is new, and the cell's message is reported as a validation error.
            return None
        if instrument is None or source is None:
            return None
        return (instrument.pk, state.pk if state else None, str(row.get("type") or "").strip(), source.pk)

    def before_import_row(self, row, **kwargs):
        self._row_number = kwargs["row_number"]

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        errors.update(self._repeat_errors(instance))
        errors.update(self._version_errors(instance))
        try:
            # The unique constraints are kept in memory (the loader finds each event the file names, and a file
            # names each event once), and the check constraints follow from the fields' own checks, so nothing
            # is asked of the database row by row; it still enforces them all when the rows are written.
            # The related objects the widgets found were read from the database for this file: not asked again.
            found = [name for name in ("instrument", "state", "source") if getattr(instance, f"{name}_id") is not None]
            instance.full_clean(exclude=[*errors, *found], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            # Spreadsheets count the header as line 1, so data row N sits on line N + 1.
            where = f"Line {self._row_number + 1} of the file (data row {self._row_number})."
            raise ValidationError(ValidationError(errors).update_error_dict({NON_FIELD_ERRORS: [where]}))

    def _repeat_errors(self, instance) -> dict:
        # A second row for the same event would silently replace the first (issue 17).
        key = (instance.instrument_id, instance.state_id, instance.type, instance.source_id)
        first = self._lines_of.setdefault(key, self._row_number)
        if first == self._row_number:
            return {}
        return {
            NON_FIELD_ERRORS: [
                f"This row names the same event as line {first + 1} (same instrument, state, type and source):"
                " give each event once."
            ]
        }

    def _version_errors(self, instance) -> dict:
        if instance._state.adding:
            return {}
        try:
            seen = widgets.IntegerWidget().clean(self._row.get("version"))
        except ValueError:
            return {"version": [_("The version must be a whole number, as the export writes it.")]}
        if seen is None:
            return {
                "version": [
                    _(
                        "This event is already recorded (version %(saved)s) and this row changes it, so the row"
                        " must say which version it changes: export the events, edit that file and import it."
                    )
                    % {"saved": instance.version}
                ]
            }
        if seen != instance.version:
            return {"version": stale_version_message(instance, seen=seen, saved=instance.version).messages}
        return {}

    def import_instance(self, instance, row, **kwargs):
        self._row = row
        super().import_instance(instance, row, **kwargs)

    def save_instance(self, instance, is_create, row, **kwargs):
        # Bulk writes skip the pre_save signal that computes "holds from".
        instance.known_from = instance.compute_known_from()
        super().save_instance(instance, is_create, row, **kwargs)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if dry_run or (result is not None and result.has_validation_errors()):
            self.create_instances.clear()
            return
        try:
            bulk_create_with_history(self.create_instances, Event, batch_size=500, default_user=self._user)
            RecordToken.bump()
            self._touched_instruments.update(event.instrument_id for event in self.create_instances)
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if dry_run or (result is not None and result.has_validation_errors()):
            self.update_instances.clear()
            return
        try:
            now = timezone.now()
            names = [
                name for name in self._meta.fields if name not in ("instrument", "state", "type", "source", "version")
            ]
            for event in self.update_instances:
                # Conditional on the version the row was checked against: a save made since refuses the whole file.
                # (One UPDATE per row: Django's bulk_update builds a CASE per field and row, several times slower.)
                values = {name: getattr(event, name) for name in names} | {"known_from": event.known_from}
                rows = Event.objects.filter(pk=event.pk, version=event.version)
                if not rows.update(**values, updated_at=now, version=event.version + 1):
                    raise StaleRecordError(f"{event} was changed by someone else while the file was imported.")
                event.version += 1
                event.updated_at = now
                self._touched_instruments |= {event.instrument_id, event.instrument_before_import}
            Event.history.bulk_history_create(self.update_instances, default_user=self._user)
            RecordToken.bump()
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.update_instances.clear()

    def after_import(self, dataset, result, **kwargs):
        # Without this the readers found the spans behind the record after every import and folded the events
        # instead (right, but slow on a big record) until someone ran rebuild_status_spans. One rewrite per
        # instrument, in the import's transaction: a file that fails rolls its spans back with its rows.
        super().after_import(dataset, result, **kwargs)
        if self._touched_instruments and not result.has_errors() and not result.has_validation_errors():
            spans_touched(sorted(self._touched_instruments))

"""The record: member states, instruments, the source texts and the events they report.

Statuses are never stored: they are derived from events by ``tracker.status``.
"""

from tracker.models.events import Event
from tracker.models.instruments import Instrument
from tracker.models.languages import LocalText, in_reader_language
from tracker.models.locking import StaleRecordError, version_field
from tracker.models.names import InstrumentAlias, StateActor, TextLanguage
from tracker.models.record_version import VERSIONED_MODELS, RecordVersion
from tracker.models.sources import SourceDocument, normalise_whitespace, quote_appears_in
from tracker.models.states import MemberState

__all__ = [
    "VERSIONED_MODELS",
    "Event",
    "Instrument",
    "InstrumentAlias",
    "LocalText",
    "MemberState",
    "RecordVersion",
    "SourceDocument",
    "StaleRecordError",
    "StateActor",
    "TextLanguage",
    "in_reader_language",
    "normalise_whitespace",
    "quote_appears_in",
    "version_field",
]

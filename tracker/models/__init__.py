"""The record: member states, instruments, the source texts and the events they report.

Statuses are derived from events by ``tracker.status``; the status spans store its answers (issue 18).
"""

from tracker.models.alerts import Digest, Subscription
from tracker.models.events import Event
from tracker.models.instruments import Instrument
from tracker.models.languages import LocalText, in_reader_language
from tracker.models.locking import StaleRecordError, version_field
from tracker.models.names import InstrumentAlias, StateActor, TextLanguage
from tracker.models.record import RECORD_MODELS, VERSIONED_MODELS
from tracker.models.record_token import RecordToken
from tracker.models.search import SearchEntry, rebuild_search_index
from tracker.models.sources import SourceDocument, normalise_whitespace, quote_appears_in
from tracker.models.states import MemberState
from tracker.models.status_spans import EntryIntoForceSpan, SpanStamp, StatusSpan

__all__ = [
    "RECORD_MODELS",
    "VERSIONED_MODELS",
    "Digest",
    "EntryIntoForceSpan",
    "Event",
    "Instrument",
    "InstrumentAlias",
    "LocalText",
    "MemberState",
    "RecordToken",
    "SearchEntry",
    "SourceDocument",
    "SpanStamp",
    "StaleRecordError",
    "StateActor",
    "StatusSpan",
    "Subscription",
    "TextLanguage",
    "in_reader_language",
    "normalise_whitespace",
    "quote_appears_in",
    "rebuild_search_index",
    "version_field",
]

"""What "the record" is, as a list of models: one definition for the backup, the loaders and the API's ETag."""

from tracker.models.events import Event
from tracker.models.instruments import Instrument
from tracker.models.locking import counts_its_saves
from tracker.models.names import InstrumentAlias, StateActor
from tracker.models.sources import SourceDocument
from tracker.models.states import MemberState

# In the order their foreign keys need, so a backup restores front to back. The reader's names (issue 13) are
# part of it: a restore without them would lose staff's aliases.
RECORD_MODELS = (MemberState, SourceDocument, Instrument, Event, InstrumentAlias, StateActor)

# The record as staff edit it and the site publishes it: each row counts its saves (optimistic locking) and
# keeps an audit trail. The reader's names are neither: they are edited inline with their instrument or state.
VERSIONED_MODELS = tuple(model for model in RECORD_MODELS if counts_its_saves(model))

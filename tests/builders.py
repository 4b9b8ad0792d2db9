"""Small builders for test data: each makes one valid object, with overrides for what a test cares about."""

import datetime
import itertools

from tracker.management.commands.backup_record import backed_up_models
from tracker.models import Event, Instrument, MemberState, SearchEntry, SourceDocument

_counter = itertools.count(1)

STATES = [
    ("Armenia", "Republic of Armenia", "ARM"),
    ("Belarus", "Republic of Belarus", "BLR"),
    ("Kazakhstan", "Republic of Kazakhstan", "KAZ"),
    ("Kyrgyzstan", "Kyrgyz Republic", "KGZ"),
    ("Russia", "Russian Federation", "RUS"),
    ("Tajikistan", "Republic of Tajikistan", "TJK"),
]


def make_state(**fields) -> MemberState:
    n = next(_counter)
    defaults = {
        "name": f"State {n}",
        "official_name": f"Republic of State {n}",
        "iso3": _iso3(n),
        "slug": f"state-{n}",
    }
    return MemberState.objects.create(**(defaults | fields))


def make_six_states() -> dict[str, MemberState]:
    """The six CSTO member states, keyed by ISO code."""
    return {
        iso3: MemberState.objects.create(name=name, official_name=official, iso3=iso3, slug=name.lower())
        for name, official, iso3 in STATES
    }


def make_instrument(**fields) -> Instrument:
    n = next(_counter)
    defaults = {
        "title": f"Agreement number {n}",
        "short_title": f"Agreement {n}",
        "slug": f"agreement-{n}",
        "kind": Instrument.Kind.AGREEMENT,
    }
    return Instrument.objects.create(**(defaults | fields))


def make_source(**fields) -> SourceDocument:
    n = next(_counter)
    defaults = {
        "title": f"Statement number {n}",
        "slug": f"statement-{n}",
        "date": datetime.date(2023, 5, 18),
        "speaker": "Secretary General",
        "text": "The Protocol has been ratified by the Republic of Belarus.",
    }
    return SourceDocument.objects.create(**(defaults | fields))


def make_event(*, instrument, source=None, state=None, **fields) -> Event:
    source = source or make_source()
    defaults = {
        "type": Event.Type.RATIFIED,
        "date": source.date,
        "precision": Event.Precision.ON_OR_BEFORE,
        "quote": source.text.split(".")[0],
    }
    return Event.objects.create(instrument=instrument, state=state, source=source, **(defaults | fields))


FOURTH_PROTOCOL_SPEECH = (
    "Good afternoon.\n\nThe Fourth Protocol has been ratified by the Republic of Belarus. "
    "Ratification is continuing in the other states.\nThank you."
)


def make_fourth_protocol_record(states: dict[str, MemberState]) -> dict:
    """The Fourth Protocol (amending the Charter) signed in Yerevan, ratified by Belarus, pending in Kazakhstan
    (inferred), and a Council decision adopted at the same summit: every object by name, the states too."""
    charter = make_instrument(title="Charter of the CSTO", short_title="CSTO Charter", slug="charter", kind="charter")
    protocol = make_instrument(
        title="Fourth Protocol amending the Charter",
        short_title="Fourth Protocol",
        slug="fourth-protocol",
        kind=Instrument.Kind.PROTOCOL,
        part_of=charter,
        eif_rule=Instrument.EntryIntoForceRule.ALL_PARTIES,
        aliases="Protocol on biosafety",
    )
    decision = make_instrument(
        title="Decision on peacekeeping forces",
        short_title="Peacekeeping decision",
        slug="peacekeeping-decision",
        kind=Instrument.Kind.DECISION,
        needs_ratification=False,
    )
    speech = make_source(
        title="Minsk statement", slug="minsk-2023", date=datetime.date(2023, 5, 18), text=FOURTH_PROTOCOL_SPEECH
    )
    summit = make_source(
        title="Yerevan summit",
        slug="yerevan-2022",
        date=datetime.date(2022, 11, 23),
        text="The Fourth Protocol was signed.",
    )
    signed = make_event(
        instrument=protocol,
        source=summit,
        type=Event.Type.SIGNED,
        precision=Event.Precision.DAY,
        place="Yerevan",
        quote="The Fourth Protocol was signed.",
    )
    ratified = make_event(
        instrument=protocol,
        state=states["BLR"],
        source=speech,
        quote="The Fourth Protocol has been ratified by the Republic of Belarus.",
    )
    pending = make_event(
        instrument=protocol,
        state=states["KAZ"],
        source=speech,
        type=Event.Type.RATIFICATION_PENDING,
        inferred=True,
        quote="Ratification is continuing in the other states.",
    )
    adopted = make_event(
        instrument=decision,
        source=summit,
        type=Event.Type.ADOPTED,
        precision=Event.Precision.DAY,
        quote="The Fourth Protocol was signed.",
        is_paraphrase=True,
    )
    return {
        "states": states,
        "charter": charter,
        "protocol": protocol,
        "decision": decision,
        "speech": speech,
        "summit": summit,
        "signed": signed,
        "ratified": ratified,
        "pending": pending,
        "adopted": adopted,
    }


def _iso3(n: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "Q" + letters[(n // 26) % 26] + letters[n % 26]


def empty_the_record():
    """Delete every record row and its audit trail without signals, so that no "deleted" history rows are written.

    A raw delete does not cascade, so the search index (derived from the record, and not backed up) goes first.
    """
    SearchEntry.objects.all()._raw_delete(SearchEntry.objects.db)
    for model in reversed(backed_up_models()):
        model._default_manager.all()._raw_delete(model._default_manager.db)
    assert not any(model._default_manager.exists() for model in backed_up_models())


def record_snapshot() -> list:
    """Every row of the record, to compare before and after a request that must not change it."""
    return [
        list(MemberState.objects.values()),
        list(Instrument.objects.values()),
        list(SourceDocument.objects.values()),
        list(Event.objects.values()),
    ]

"""The words and proportions a synthetic record is drawn from: names, fields, kinds, date precisions, quotes."""

import datetime
import random

from tracker.models import Event, Instrument, MemberState

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SYLLABLES = ("ka", "ri", "to", "ma", "ne", "lo", "su", "va", "de", "bo", "ra", "ti", "an", "el", "or", "us", "in")
OFFICIAL_FORMS = ["Republic of {}", "Kingdom of {}", "{} Federation", "Democratic Republic of {}", "State of {}"]
FIELDS = [
    "customs cooperation",
    "collective security",
    "air defence",
    "border protection",
    "peacekeeping operations",
    "military-technical cooperation",
    "the status of forces",
    "the training of military personnel",
    "countering illicit drug trafficking",
    "information security",
    "emergency response",
    "the joint use of military infrastructure",
    "legal assistance",
    "the protection of classified information",
    "mutual recognition of documents",
]
SPEAKERS = ["Secretary General", "Depositary", "Minister of Foreign Affairs", "Chairman of the Council", "Spokesperson"]


# (kind, share of instruments, needs ratification)
KIND_MIX = [
    (Instrument.Kind.TREATY, 0.08, True),
    (Instrument.Kind.AGREEMENT, 0.36, True),
    (Instrument.Kind.PROTOCOL, 0.20, True),
    (Instrument.Kind.CHARTER_AMENDMENT, 0.04, True),
    (Instrument.Kind.DECISION, 0.14, False),
    (Instrument.Kind.STRATEGY, 0.05, False),
    (Instrument.Kind.PLAN, 0.05, False),
    (Instrument.Kind.STATEMENT, 0.05, False),
    (Instrument.Kind.OTHER, 0.03, True),
]
# Kinds that amend or belong to an earlier instrument.
AMENDING_KINDS = {Instrument.Kind.PROTOCOL, Instrument.Kind.CHARTER_AMENDMENT}
PRECISION_MIX = [
    (Event.Precision.DAY, 0.70),
    (Event.Precision.MONTH, 0.12),
    (Event.Precision.YEAR, 0.06),
    (Event.Precision.ON_OR_BEFORE, 0.12),
]
VERBS = {
    Event.Type.SIGNED: "signed",
    Event.Type.ADOPTED: "adopted",
    Event.Type.RATIFICATION_PENDING: "began its internal procedures to ratify",
    Event.Type.RATIFIED: "ratified",
    Event.Type.NOTIFIED: "deposited its notification on",
    Event.Type.IN_FORCE: "brought into force",
    Event.Type.WITHDRAWN: "withdrew from",
    Event.Type.SUSPENDED: "suspended its participation in",
}


def capitalised_word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def event_quote(
    instrument: Instrument, state: MemberState | None, event_type: str, date: datetime.date, precision
) -> str:
    """The sentence a source gives for the event, its date worded as precisely as the event is dated."""
    who = state.official_name if state else "The Organisation"
    when = {
        Event.Precision.DAY: f"on {date:%d %B %Y}",
        Event.Precision.MONTH: f"in {date:%B %Y}",
        Event.Precision.YEAR: f"in {date:%Y}",
        Event.Precision.ON_OR_BEFORE: f"as of {date:%d %B %Y}",
    }[precision]
    return f"{who} {VERBS[event_type]} the {instrument.short_title} {when}."

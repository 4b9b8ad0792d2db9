"""The wording the proposer reads: which phrases report which step, and for which states."""

import datetime
import re

from tracker.models import Event, MemberState

_MONTHS_RE = "January|February|March|April|May|June|July|August|September|October|November|December"
_RATIFIED_BY = re.compile(
    r"\b(?:ratified|ratification procedures? (?:were|was|have been|has been) completed) by\b", re.I
)
_NOT_RATIFIED_BY = re.compile(r"\bnot (?:yet )?(?:been )?ratified by\b", re.I)
_HAVE_RATIFIED = re.compile(r"\b(?:has|have) (?:already |now |also )?ratified\b", re.I)
_HAVE_NOT_RATIFIED = re.compile(r"\b(?:has|have) not (?:yet )?ratified\b", re.I)
_COMPLETE_RATIFICATION = re.compile(
    r"\b(?:complet|finalis|finaliz|speed(?:ing)? up)\w* (?:the |their |its |national |domestic |internal )*"
    r"(?:ratification|ratifying)",
    re.I,
)
_CONTINUING = re.compile(
    r"\b(?:consideration|ratification)\b[^.;]*\b(?:is|are) (?:still )?(?:continuing|under way|underway|ongoing)\b"
    r"|\bpending ratification\b|\bis being ratified\b",
    re.I,
)
_COMPLETED = re.compile(
    r"\bratification procedures?\b[^.;]{0,80}? (?:were|was|have been|has been) completed\b(?! by)", re.I
)
_THANKS_FOR_RATIFYING = re.compile(
    r"\b(?:work|efforts?) (?:in|on|for) ratifying\b|\bthank\w* [^.]*\bfor ratifying\b", re.I
)
_IN_FORCE = re.compile(r"\b(?:entered|came|has come|have come|comes) into force\b", re.I)
_SIGNED = re.compile(r"\b(?:was|were|has been|have been)(?: also| already)? signed\b|\bsigned (?:the|a|an)\b", re.I)
_ADOPTED = re.compile(r"\b(?:adopted|approved|decided)\b|\badoption of\b", re.I)
_DECISION_OF = re.compile(rf"\b(?:decision|declaration|statement)s? of \d{{1,2}} (?:{_MONTHS_RE}) \d{{4}}\b", re.I)
# Carrying out a decision or a plan shows it was adopted, though the text does not say so.
_IMPLEMENTED = re.compile(r"\bimplement(?:ing|ation of|ation plan)\b", re.I)
# Being a member of the Organisation means being bound by its founding charter.
_MEMBERSHIP = re.compile(
    r"\b(?:members|member states) of (?:the )?(?:CSTO|Collective Security Treaty Organi[sz]ation|Organi[sz]ation)"
    r" (?:are|include)\b|\b(?:CSTO|Collective Security Treaty Organi[sz]ation) (?:includes|comprises)\b",
    re.I,
)
ANY_CUE = re.compile(r"ratif|\bsign|adopt|approv|into force", re.I)
ANAPHORA = re.compile(
    r"\b(?:the|this|these|that|those|it|its)\b(?: \w+)? (?:protocols?|agreements?|documents?|treaty|treaties|"
    r"instruments?|conventions?|charter)\b|\bit\b",
    re.I,
)
ALL_THESE = re.compile(r"\ball (?:of )?(?:these|those|the above)\b", re.I)
CATAPHORA = re.compile(r":\s*$|\b(?:another|the following) (?:document|instrument|agreement|protocol)\b", re.I)
_YEAR_WORDS = re.compile(r"\b(last year|this year|in (\d{4}))\b", re.I)
_STATE_LIST_GAP = re.compile(
    r"^\s*(?:side|parliament|authorities)?\s*(?:,|;|:)?\s*(?:and|as well as|or)?\s*(?:by\s+)?(?:the\s+)?$", re.I
)
_ALL_MEMBERS = re.compile(r"^\s*(?:by\s+)?all (?:the )?(?:CSTO )?member(?: state)?s\b", re.I)
_EXCEPT = re.compile(r"^\s*(?:,\s*)?(?:except(?: for)?|but not|with the exception of)\s+(?:the\s+)?", re.I)
# A title: a capitalised instrument word, a joining word or a quote, then words up to a verb or punctuation.
INSTRUMENT_LIKE = re.compile(
    r"\b(?:Agreement|Protocol|Decision|Treaty|Convention|Statement|Declaration|Strategy|Programme|Program|"
    r"Regulations?|Statute|Policy|Plan|Road Map)(?: (?:on|of|amending|to|for|about)\b| ?[\"“«])"
    r"(?:(?! (?:was|were|is|are|has|have|had|will|which|that)\b)[^.;:()])+"
)
_MONTHS = _MONTHS_RE
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}}) ({_MONTHS}),? (\d{{4}})\b")
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTHS}) (\d{{1,2}}),? (\d{{4}})\b")


RATIFICATION_CUES = {"ratified", "not_ratified", "complete", "continuing", "completed", "thanks"}


def cues(sentence: str) -> list[tuple[str, re.Match]]:
    """The status wording in a sentence, in order; a negation hides the positive cue it contains."""
    cues = []
    negated = [m for pattern in (_NOT_RATIFIED_BY, _HAVE_NOT_RATIFIED) for m in pattern.finditer(sentence)]
    cues += [("not_ratified", m) for m in negated]

    def free(match):
        return not any(
            n.start() <= match.start() < n.end() or match.start() <= n.start() < match.end() for n in negated
        )

    for cue_type, pattern in (
        ("ratified", _RATIFIED_BY),
        ("ratified", _HAVE_RATIFIED),
        ("complete", _COMPLETE_RATIFICATION),
        ("continuing", _CONTINUING),
        ("completed", _COMPLETED),
        ("thanks", _THANKS_FOR_RATIFYING),
        ("in_force", _IN_FORCE),
        ("signed", _SIGNED),
    ):
        cues += [(cue_type, m) for m in pattern.finditer(sentence) if free(m)]
    cues += [("membership", m) for m in _MEMBERSHIP.finditer(sentence)]
    if not any(cue_type in RATIFICATION_CUES for cue_type, _ in cues):
        for cue_type, pattern in (("adopted", _ADOPTED), ("adopted", _DECISION_OF), ("implemented", _IMPLEMENTED)):
            cues += [(cue_type, m) for m in pattern.finditer(sentence)][:1]
    return sorted(cues, key=lambda pair: pair[1].start())


def list_cue(sentence: str) -> str | None:
    """The cue of a sentence that introduces a list ("...ratifying treaties such as:")."""
    for cue_type, _ in cues(sentence):
        if cue_type in {"thanks", "ratified", "continuing", "complete"}:
            return "ratified" if cue_type == "thanks" else cue_type
    return None


def state_list(sentence: str, cue: re.Match, mentions) -> tuple[list[MemberState], list[MemberState], bool]:
    """The states a cue is about: a list right after it ("ratified by A, B and C") or right before it
    ("A and B have ratified"); also "all member states except A"."""
    named, excepted = [], []
    tail = sentence[cue.end() :]
    all_members = _ALL_MEMBERS.match(tail)
    position = cue.end()
    if all_members:
        position += all_members.end()
        except_match = _EXCEPT.match(sentence[position:])
        if except_match:
            excepted = _run_of_states(sentence, position + except_match.end(), mentions)
        return [], excepted, True
    named = _run_of_states(sentence, position, mentions) or _run_of_states_before(sentence, cue.start(), mentions)
    return named, [], False


def _run_of_states(sentence, position, mentions) -> list[MemberState]:
    states = []
    for state, mention in mentions:
        if mention.start < position:
            continue
        if not _STATE_LIST_GAP.match(sentence[position : mention.start]):
            break
        if state not in states:
            states.append(state)
        position = mention.end
    return states


def _run_of_states_before(sentence, position, mentions) -> list[MemberState]:
    states = []
    for state, mention in reversed(mentions):
        if mention.end > position:
            continue
        if not _STATE_LIST_GAP.match(sentence[mention.end : position]):
            break
        if state not in states:
            states.insert(0, state)
        position = mention.start
    return states


def year_of(sentence: str, date: datetime.date):
    match = _YEAR_WORDS.search(sentence)
    if not match:
        return None
    words = match.group(1).lower()
    year = date.year - 1 if words == "last year" else date.year if words == "this year" else int(match.group(2))
    if year > date.year:
        return None
    return datetime.date(year, 1, 1), Event.Precision.YEAR


def exact_date(sentence: str) -> datetime.date | None:
    months = _MONTHS.split("|")
    for match in _DAY_MONTH_YEAR.finditer(sentence):
        day, month, year = int(match.group(1)), months.index(match.group(2)) + 1, int(match.group(3))
        return _safe_date(year, month, day)
    for match in _MONTH_DAY_YEAR.finditer(sentence):
        month, day, year = months.index(match.group(1)) + 1, int(match.group(2)), int(match.group(3))
        return _safe_date(year, month, day)
    return None


def _safe_date(year, month, day):
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None

"""The wording the proposer reads: which phrases report which step, and for which states.

Over 300 lines because it is vocabulary more than logic: the patterns of every cue (ratified, pending,
signed, in force, membership, lists), in English and in Russian, each beside the few lines that read it.
"""

import dataclasses
import datetime
import re

from tracker.models import Event, MemberState
from tracker.proposals.language import ENGLISH, RUSSIAN, Words

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
    r"\b(?:members|member states) of (?:the )?(?:CSTO|CST|Collective Security Treaty(?: Organi[sz]ation)?|"
    r"Organi[sz]ation)"
    r" (?:are|include)\b|\b(?:CSTO|Collective Security Treaty Organi[sz]ation) (?:includes|comprises)\b",
    re.I,
)
ANY_CUE = re.compile(r"ratif|\bsign|adopt|approv|into force|ратиф|подпис|вступ|одобр|принят", re.I)
ANAPHORA = re.compile(
    r"\b(?:the|this|these|that|those|it|its)\b(?: \w+)? (?:protocols?|agreements?|documents?|treaty|treaties|"
    r"instruments?|conventions?|charter)\b|\bit\b",
    re.I,
)
ALL_THESE = re.compile(r"\ball (?:of )?(?:these|those|the above)\b", re.I)
CATAPHORA = re.compile(r":\s*$|\b(?:another|the following) (?:document|instrument|agreement|protocol)\b", re.I)
_YEAR_WORDS = re.compile(r"\b(last year|this year|in (\d{4}))\b", re.I)
_STATE_LIST_GAP = re.compile(
    r"^\s*(?:side|parliament|authorities)?\s*(?:,|;|:)?\s*(?:and|as well as|or|и|а также|или)?\s*"
    r"(?:by\s+|in\s+|for\s+|для\s+)?(?:the\s+)?$",
    re.I,
)
_ALL_MEMBERS = re.compile(
    r"^\s*(?:by\s+)?all (?:the )?(?:CSTO )?member(?: state)?s\b|^\s*всеми (?:государствами|странами)[\s–-]*"
    r"(?:членами|участницами)(?: ОДКБ)?",
    re.I,
)
_EXCEPT = re.compile(
    r"^\s*(?:,\s*)?(?:except(?: for)?|but not|with the exception of|за исключением|кроме)\s+(?:the\s+)?", re.I
)
_ALL_MEMBERS_BEFORE = re.compile(
    r"\ball (?:the )?(?:CSTO )?member(?: state)?s\b|\bвсе (?:государства|страны)[\s–-]*(?:члены|участницы)\b", re.I
)
# A title: a capitalised instrument word, a joining word or a quote, then words up to a verb or punctuation.
INSTRUMENT_LIKE = re.compile(
    r"\b(?:Agreement|Protocol|Decision|Treaty|Convention|Statement|Declaration|Strategy|Programme|Program|"
    r"Regulations?|Statute|Policy|Plan|Road Map)(?: (?:on|of|amending|to|for|about)\b| ?[\"“«])"
    r"(?:(?! (?:was|were|is|are|has|have|had|will|which|that)\b)[^.;:()])+"
)
INSTRUMENT_LIKE_RU = re.compile(
    r"\b(?:[Сс]оглашени[еяю]|[Пп]ротокол[а-я]*|[Дд]оговор[а-я]*|[Кк]онвенци[яюи]|Решени[еяю]|Деклараци[яю]|"
    r"Стратеги[яю]|Положени[еяю])\s+(?:о|об|по|между)\s[^.;:()]+"
)


RATIFICATION_CUES = {"ratified", "not_ratified", "complete", "continuing", "completed", "thanks"}
# The steps a chamber, a president or a government takes (issue 13): their states are the ones the sentence (or,
# failing that, the text so far) names, never "every member" by implication.
ACT_CUES = {"ratified_act", "pending_act", "notified", "suspended", "withdrawn"}

# English: a chamber's vote, a ratification law passed or signed. "signed the law on ratification" is the last
# step of ratification, not a signature of the instrument.
_EN_RATIFIED_ACT = re.compile(
    r"\bratif(?:ied|ies)\b(?! by)|\bvoted (?:to ratify|for (?:the )?ratification)\b|\bsigned into law\b"
    r"|\b(?:approved|passed|adopted|endorsed|backed|signed)\b(?: \w+){0,3}? (?:law|bill|act|decree)\b"
    r"|\bLaw\b(?:[^.;]|\bNo\.){0,100}?\bOn (?:the )?ratification\b"
    r"|\bcompleted (?:its|their|the) (?:domestic |internal |national )?ratification\b"
    r"|\b(?:passed|approved|adopted|endorsed|backed|supported) by (?:the )?(?:deputies|senators|lower house|"
    r"upper house|parliament|State Duma|Duma|Federation Council|Mazhilis|Majilis|Senate|Jogorku Kenesh|"
    r"National Assembly|House of Representatives|Council of the Republic|Majlisi)\b"
    r"|^\s*(?:To ratify|On (?:the )?ratification of)\b"
    r"|\b(?:approved|endorsed|backed|supported|voted for|voted in favou?r of)(?: the)? ratification\b"
    r"|\bsigned (?:the|an|its) instruments? of ratification\b"
    # A chamber approving the instrument itself: "the Majlisi Namoyandagon endorsed the protocol".
    r"|\b(?:parliament|chamber|house|Duma|Council of the Republic|Federation Council|Mazhilis|Majilis|Senate|Kenesh|"
    r"National Assembly|Majlisi \w+|Namoyandagon|lawmakers|deputies|senators|MPs)\b(?:(?! and )[^.;]){0,80}?"
    r"\b(?:endorsed|approved|backed|supported)\b",
    re.I,
)
_EN_PENDING_ACT = re.compile(
    r"\bsubmitted\b[^.;]{0,100}?\b(?:for ratification|to (?:the )?(?:parliament|State Duma|Duma|Mazhilis|Majilis|"
    r"Jogorku Kenesh|National Assembly|Majlisi \w+|House of Representatives|Senate|chamber))"
    r"|\b(?:is|are|was|were) (?:now |still )?considering\b|\bunder consideration\b|\bin (?:the )?first reading\b"
    r"|\b(?:began|begun|begin|begins|started|starts) (?:considering|consideration|to consider)\b"
    # A ratification still to come: "plans to ratify", "recommended ratifying", "will ratify".
    r"|\b(?:plans?|planning|intends?|expected|will|would|recommended|recommends|is to|are to|to be)"
    r"(?: \w+)? (?:to )?(?:ratify|ratifying|ratified)\b",
    re.I,
)
_DONE = re.compile(r"(?:completed|completes|finali[sz]ed|finali[sz]es)\b", re.I)
_EN_NOTIFIED = re.compile(r"\bdeposited\b|\bnotified\b|\bnotifications?\b", re.I)
_EN_SUSPENDED = re.compile(r"\bsuspend(?:ed|s)\b", re.I)
_EN_WITHDRAWN = re.compile(r"\bwithdr(?:ew|awn)\b|\bdenounced\b", re.I)
_EN_SIGNED_BY = re.compile(r"\bsigned by\b", re.I)

# Russian, read in lemmas (ратифицировала, ратифицирован -> ратифицировать; ратификации -> ратификация).
_RU_NOT_RATIFIED = re.compile(r"\bне (?:\w+ )?ратифицировать\b")
_RU_PENDING = re.compile(
    r"\b(?:внести|вносить|направить|передать|представить)\b[^.;]{0,80}?"
    r"(?:\bна ратификация\b|\bна рассмотрение\b|\bв (?:парламент|госдума|государственный дума|жогорка|жогорку|"
    r"мажилис|маджлисить|маджлиси|национальный собрание|палата))"
    r"|\bв первый чтение\b|\b(?:находиться )?на рассмотрение\b|\bрассматривать\b|\bприостановить рассмотрение\b"
    r"|\b(?:приступить к|начать) рассмотрение\b"
    r"|\b(?:планировать|намереваться|собираться|рекомендовать|предстоять|предлагаться|предлагать|намерен|"
    r"должный|мочь)\b(?: \w+)? ратифицировать\b"
    r"|\b(?:процедура )?ратификация\b[^.;]{0,40}?\bпродолжаться\b|\bпродолжаться\b[^.;]{0,40}?\bратификация\b"
)
_RU_RATIFIED = re.compile(
    r"\bратифицировать(?:ся)?\b"
    r"|\b(?:закон|законопроект)\b[^.;]{0,40}?\b(?:принять|одобрить|подписать)\b"
    r"|\b(?:принять|одобрить|поддержать)\b(?: \w+){0,2} (?:госдума|государственный дума|совет федерация|мажилис|"
    r"сенат|жогорка|жогорку|палата|парламент|депутат|сенатор|маджлисить|маджлиси|национальный собрание)\b"
    r"|\b(?:одобрить|принять|подписать|утвердить|поддержать)\b[^.;]{0,80}?\b(?:закон|законопроект)\b"
    r"(?:[^.;]{0,40}?\bратификация\b)?"
    r"|\bзакон\b(?:[^.;]|\bг \.){0,120}?\bо ратификация\b"
    r"|\bзавершить\b[^.;]{0,40}?\b(?:ратификация|внутригосударственный процедура)\b"
    r"|\b(?:одобрить|поддержать|утвердить|проголосовать за)\b ратификация\b"
    r"|\bподписать\b[^.;]{0,30}?\bратификационный грамота\b"
    r"|\b(?:парламент|палата|госдума|дума|совет республика|совет федерация|мажилис|сенат|кенеш|собрание|маджлиси|"
    r"маджлисить|намояндагон|милли|депутат|сенатор)\b(?:(?! и )[^.;,]){0,80}?\b(?:одобрить|поддержать|утвердить)\b"
)
_RU_THANKS = re.compile(r"\b(?:благодарить|благодарность|признательность)\b[^.]*?\bза ратификация\b")
_RU_NOTIFIED = re.compile(
    r"\bуведомить\b|\bуведомление\b|\bсдать на хранение\b|\bдепонировать\b"
    r"|\b(?:сдать|передать|вручить)\b[^.;]{0,60}?\b(?:грамота|уведомление)\b"
)
_RU_IN_FORCE = re.compile(r"\bвступить в сила\b")
_RU_SIGNED = re.compile(r"\bподписать\b")
_PARTICIPLE = re.compile(r"подписанн", re.I)
_RU_SUSPENDED = re.compile(r"\bприостановить\b")
_RU_WITHDRAWN = re.compile(r"\bвыйти из\b|\bденонсировать\b")
_RU_MEMBERSHIP = re.compile(
    r"\bв состав (?:одкб|организация)\b(?: \w+){0,3}? входить\b|\bчлен одкб являться\b|\bгосударство - член одкб :"
)


@dataclasses.dataclass(frozen=True)
class Cue:
    """A step's wording found in the lemmas, placed back in the sentence; answers like a regex match."""

    first: int
    last: int

    def start(self) -> int:
        return self.first

    def end(self) -> int:
        return self.last


def cues(sentence: str, words: Words | None = None, language: str = ENGLISH) -> list[tuple[str, re.Match | Cue]]:
    """The status wording in a sentence, in order; a negation hides the positive cue it contains, and a
    ratification law (or a first reading) hides the "signed" (or "ratified") inside it."""
    if language == RUSSIAN:
        return _russian_cues(words or Words.of(sentence))
    # "Russia completed the ratification" is done; "to complete ratification" (the seeds' request) is not.
    seeds = [
        ("ratified_act", m) if t == "complete" and _DONE.match(m.group(0)) else (t, m) for t, m in _seed_cues(sentence)
    ]
    # The seed's "signed the ..." and "adopted" give way to a ratification law or a step a chamber takes.
    found = [(t, m) for t, m in seeds if t not in {"signed", "adopted", "implemented"}]
    for cue_type, pattern in (
        ("pending_act", _EN_PENDING_ACT),
        ("ratified_act", _EN_RATIFIED_ACT),
        ("notified", _EN_NOTIFIED),
        ("suspended", _EN_SUSPENDED),
        ("withdrawn", _EN_WITHDRAWN),
    ):
        found += [(cue_type, m) for m in pattern.finditer(sentence) if not _overlaps(m, found)]
    acts = [(t, m) for t, m in found if t in ACT_CUES]
    if not acts:
        found += [(t, m) for t, m in seeds if t in {"signed", "adopted", "implemented"} and not _overlaps(m, found)]
        if not any(cue_type == "signed" for cue_type, _ in found):
            found += [("signed", m) for m in _EN_SIGNED_BY.finditer(sentence) if not _overlaps(m, found)]
    return sorted(found, key=lambda pair: pair[1].start())


def _seed_cues(sentence: str) -> list[tuple[str, re.Match]]:
    """The wording the seed speeches use (issue 9)."""
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
    return cues


def _russian_cues(words: Words) -> list[tuple[str, Cue]]:
    found: list[tuple[str, Cue]] = []
    for cue_type, pattern in (
        ("not_ratified", _RU_NOT_RATIFIED),
        ("thanks", _RU_THANKS),
        ("pending_act", _RU_PENDING),
        ("membership", _RU_MEMBERSHIP),
        ("ratified_act", _RU_RATIFIED),
        ("notified", _RU_NOTIFIED),
        ("in_force", _RU_IN_FORCE),
        ("suspended", _RU_SUSPENDED),
        ("withdrawn", _RU_WITHDRAWN),
        ("signed", _RU_SIGNED),
    ):
        for match in pattern.finditer(words.lemmas):
            span = words.original_span(match.start(), match.end())
            if cue_type == "signed" and span and _PARTICIPLE.match(words.lemma_source(span[0])):
                continue  # "Соглашение, подписанное в 2017 году": names the instrument, reports no step
            if span and not _overlaps(Cue(*span), found):
                found.append((cue_type, Cue(*span)))
    return sorted(found, key=lambda pair: pair[1].start())


def _overlaps(match, found) -> bool:
    return any(other.start() < match.end() and match.start() < other.end() for _, other in found)


def list_cue(sentence: str) -> str | None:
    """The cue of a sentence that introduces a list ("...ratifying treaties such as:")."""
    for cue_type, _ in cues(sentence):
        if cue_type in {"thanks", "ratified", "continuing", "complete"}:
            return "ratified" if cue_type == "thanks" else cue_type
    return None


def state_list(sentence: str, cue, mentions) -> tuple[list[MemberState], list[MemberState], bool, bool]:
    """The states a cue is about: a list right after it ("ratified by A, B and C") or right before it
    ("A and B have ratified"); also "all member states except A" on either side. The last value says whether
    the list follows the cue ("not ratified by A and B" implies the others have)."""
    tail = sentence[cue.end() :]
    all_members = _ALL_MEMBERS.match(tail)
    position = cue.end()
    if all_members:
        position += all_members.end()
        except_match = _EXCEPT.match(sentence[position:])
        excepted = _run_of_states(sentence, position + except_match.end(), mentions) if except_match else []
        return [], excepted, True, True
    before = _ALL_MEMBERS_BEFORE.search(sentence[: cue.start()])
    if before:
        except_match = _EXCEPT.match(sentence[before.end() :])
        excepted = _run_of_states(sentence, before.end() + except_match.end(), mentions) if except_match else []
        return [], excepted, True, False
    after = _run_of_states(sentence, position, mentions)
    if after:
        return after, [], False, True
    before = _run_of_states_before(sentence, cue.start(), mentions)
    if before:
        return before, [], False, False
    # "thank the parliaments of Belarus and Tajikistan for ratifying": the list sits inside the wording.
    inside = [state for state, m in mentions if cue.start() <= m.start and m.end <= cue.end()]
    return list(dict.fromkeys(inside)), [], False, False


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

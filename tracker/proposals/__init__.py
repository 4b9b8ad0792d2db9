"""Reading new speeches (issue 9): propose events from a pasted text for staff to review.

``reader`` walks the sentences, ``lexicon`` finds the names, ``wording`` the
phrases that report a step, ``evaluation`` compares the proposals with the
curated record.
"""

from tracker.proposals.evaluation import Score, evaluate_sources
from tracker.proposals.language import MAX_TEXT_LENGTH, TextTooLong, detect_language, split_sentences
from tracker.proposals.lexicon import Lexicon, Mention
from tracker.proposals.reader import NEW_INSTRUMENT, Proposal, propose_events

__all__ = [
    "NEW_INSTRUMENT",
    "MAX_TEXT_LENGTH",
    "Lexicon",
    "Mention",
    "Proposal",
    "Score",
    "TextTooLong",
    "detect_language",
    "evaluate_sources",
    "propose_events",
    "split_sentences",
]

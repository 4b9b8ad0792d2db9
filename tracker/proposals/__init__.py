"""Reading new speeches (issue 9): propose events from a pasted text for staff to review.

``reader`` walks the sentences, ``lexicon`` finds the names, ``wording`` the
phrases that report a step, ``evaluation`` compares the proposals with the
curated record.
"""

from tracker.proposals.evaluation import Score, evaluate_sources
from tracker.proposals.lexicon import STATE_WORDS, Lexicon, Mention
from tracker.proposals.reader import NEW_INSTRUMENT, Proposal, propose_events, split_sentences

__all__ = [
    "NEW_INSTRUMENT",
    "STATE_WORDS",
    "Lexicon",
    "Mention",
    "Proposal",
    "Score",
    "evaluate_sources",
    "propose_events",
    "split_sentences",
]

"""Moderation and safety: screening of messages and nicknames, crisis signals.

:func:`kuulolla.moderation.logic.screen` is the entry point; see its module for the
pipeline and the verdicts.
"""

from kuulolla.moderation.crisis import CrisisSignal
from kuulolla.moderation.flood import FloodPolicy, FloodState
from kuulolla.moderation.links import LinkPolicy
from kuulolla.moderation.logic import (
    OFF,
    Action,
    Note,
    Policy,
    Verdict,
    compile_words,
    render_masks,
    screen,
)
from kuulolla.moderation.wordlists import WordList

__all__ = [
    "OFF",
    "Action",
    "CrisisSignal",
    "FloodPolicy",
    "FloodState",
    "LinkPolicy",
    "Note",
    "Policy",
    "Verdict",
    "WordList",
    "compile_words",
    "render_masks",
    "screen",
]

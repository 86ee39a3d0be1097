"""The screening pipeline: what happens to a message or nickname before anyone sees it.

Pure: no I/O, no event loop; time is passed in. The chat endpoint calls
:func:`screen` for every message and nickname and applies the :class:`Verdict`::

    verdict = screen(text, policy=room.policy, state=member.flood, now=clock.monotonic())
    if verdict.action is Action.REFUSE:      # tell the sender verdict.notes, store nothing
    elif verdict.action is Action.HOLD:      # store for the moderators, tell the sender
    else:                                    # deliver verdict.text (masked if need be)
    if verdict.crisis:                       # alert the moderators on duty, show the
                                             # writer the organisation's crisis numbers

Rules, in the order they run (each gives an action; the most severe wins):

=================  ============================================  ====================
rule               what it finds                                  action
=================  ============================================  ====================
flood              cooldown after joining, bursts, repeats        REFUSE
personal data      identity codes, phones, e-mails, IBANs,        DELIVER_MASKED
                   street addresses                               (REFUSE in a nick)
word list          the organisation's words, any inflection       per entry: mask /
                                                                  hold / refuse
links              links not on the room's allow list             HOLD or REFUSE
premoderation      the room holds every message                   HOLD
crisis             suicide, self-harm, violence, abuse            never changes it
=================  ============================================  ====================

Masked text carries neutral tokens (``⟦phone⟧``, ``⟦email⟧``, ``⟦hetu⟧``,
``⟦iban⟧``, ``⟦address⟧``, ``⟦word⟧``) that readers' interfaces show in their own
language (:func:`render_masks`); the stored text is then the same for everyone
and holds no personal data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Literal

from kuulolla.core.finnish import Finnish, analyser
from kuulolla.core.i18n import N_, gettext
from kuulolla.moderation import flood as flood_rules
from kuulolla.moderation import personal_data
from kuulolla.moderation.crisis import CrisisSignal, Detector, detector
from kuulolla.moderation.crisis_model import model as crisis_model
from kuulolla.moderation.links import LinkPolicy, check_links
from kuulolla.moderation.text import Analyser, analyser_for, normalise
from kuulolla.moderation.wordlists import EMPTY, SEVERITY, WordAction, WordList, describe
from kuulolla.moderation.wordlists import Part as WordPart

Kind = Literal["message", "nick"]
WORD_TOKEN = "⟦word⟧"


class Action(IntEnum):
    """What happens to a message; a larger value is more severe."""

    DELIVER = 0
    DELIVER_MASKED = 1
    HOLD = 2
    REFUSE = 3


@dataclass(frozen=True, slots=True)
class Note:
    """Something the sender is told: a message id marked with ``N_`` and its
    parameters. Translate it with :meth:`text` where the locale is known."""

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)

    def text(self, locale: str) -> str:
        return gettext(locale, self.msgid, **self.params)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of screening one text.

    ``text`` is what may be shown (masked when ``action`` is DELIVER_MASKED or when a
    held message had something masked). ``reasons`` are stable codes such as
    "personal_data.phone", "wordlist.hold", "link.blocked", "flood.repeat",
    "room.premoderated", in the order the rules found them. ``crisis`` is set
    whatever the action.
    """

    action: Action
    text: str
    reasons: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()
    crisis: CrisisSignal | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    """How one room (or organisation) screens. Build once, share between messages.

    ``words`` comes from :meth:`WordList.compile`; ``public_numbers`` are phone
    numbers of the organisation (national digits, "0925250111") that are never
    masked; ``flood`` ``None`` turns the flood rules off.
    """

    words: WordList = EMPTY
    links: LinkPolicy = field(default_factory=LinkPolicy)
    flood: flood_rules.FloodPolicy | None = field(default_factory=flood_rules.FloodPolicy)
    personal_data: bool = True
    public_numbers: frozenset[str] = frozenset()
    premoderate: bool = False
    crisis: bool = True


OFF = Policy(links=LinkPolicy("allow"), flood=None, personal_data=False, crisis=False)


# ------------------------------------------------------------------ notes

_MASKED_NOTES: dict[str, str] = {
    "hetu": N_("We hid a personal identity code in your message to protect your privacy."),
    "phone": N_("We hid a phone number in your message to protect your privacy."),
    "email": N_("We hid an e-mail address in your message to protect your privacy."),
    "iban": N_("We hid a bank account number in your message to protect your privacy."),
    "address": N_("We hid a street address in your message to protect your privacy."),
}
_NICK_NOTES: dict[str, str] = {
    "hetu": N_("Do not put a personal identity code in your nickname: stay anonymous."),
    "phone": N_("Do not use a phone number in a nickname: stay anonymous."),
    "email": N_("Do not use an e-mail address as a nickname: stay anonymous."),
    "iban": N_("Do not put a bank account number in your nickname: stay anonymous."),
    "address": N_("Do not put a street address in your nickname: stay anonymous."),
}
_WORD_NOTES: dict[WordAction, str] = {
    "mask": N_("Some words in your message were hidden."),
    "hold": N_("Your message waits for a moderator to read it before others see it."),
    "refuse": N_("Your message was not sent: it uses words not allowed in this room."),
}
NICK_WORD = N_("Choose another nickname: it uses words not allowed here.")
NICK_LINK = N_("A nickname cannot contain a link.")
LINK_HELD = N_("Your message has a link, so a moderator checks it before others see it.")
LINK_BLOCKED = N_("Your message was not sent: links are not allowed in this room.")
PREMODERATED = N_("A moderator reads every message in this room before others see it.")
_FLOOD_NOTES: dict[str, str] = {
    "flood.cooldown": N_("Welcome! You can write in {seconds} seconds."),
    "flood.burst": N_("You are sending messages quickly. Wait {seconds} seconds."),
    "flood.repeat": N_("Your message was not sent: you already sent the same text."),
}
MASK_LABELS: dict[str, str] = {
    personal_data.TOKENS["hetu"]: N_("[identity code hidden]"),
    personal_data.TOKENS["phone"]: N_("[phone number hidden]"),
    personal_data.TOKENS["email"]: N_("[e-mail address hidden]"),
    personal_data.TOKENS["iban"]: N_("[account number hidden]"),
    personal_data.TOKENS["address"]: N_("[address hidden]"),
    WORD_TOKEN: N_("[word hidden]"),
}


def render_masks(text: str, locale: str) -> str:
    """``text`` with its mask tokens in words of ``locale`` (for server-side pages)."""
    if "⟦" not in text:
        return text
    for token, label in MASK_LABELS.items():
        if token in text:
            text = text.replace(token, gettext(locale, label))
    return text


# ------------------------------------------------------------------ pipeline


def screen(
    text: str,
    *,
    policy: Policy,
    state: flood_rules.FloodState | None = None,
    now: float = 0.0,
    kind: Kind = "message",
    finnish: Finnish | None = None,
) -> Verdict:
    """Screen one message or nickname (already cleaned by chat.logic) under ``policy``.

    ``state`` is the author's :class:`~kuulolla.moderation.flood.FloodState` in this
    room and ``now`` a monotonic time in seconds; when the message is not refused the
    state records it, so call this once per message actually sent. Nicknames skip the
    flood rules and are refused rather than masked. ``finnish`` defaults to the
    process's shared analyser (call from the event loop thread only).
    """
    text = normalise(text)
    action = Action.DELIVER
    reasons: list[str] = []
    notes: list[Note] = []
    is_nick = kind == "nick"

    flood_policy = policy.flood if not is_nick and state is not None else None
    if flood_policy is not None and state is not None:
        hit = flood_rules.check(text, flood_policy, state, now)
        if hit is not None:
            reasons.append(hit.reason)
            notes.append(Note(_FLOOD_NOTES[hit.reason], {"seconds": hit.wait} if hit.wait else {}))
            action = Action.REFUSE

    shown = text
    if policy.personal_data:
        found = personal_data.find(text, public_numbers=policy.public_numbers)
        if found:
            for item_kind in dict.fromkeys(f.kind for f in found):
                reasons.append(f"personal_data.{item_kind}")
                notes.append(Note((_NICK_NOTES if is_nick else _MASKED_NOTES)[item_kind]))
            action = max(action, Action.REFUSE if is_nick else Action.DELIVER_MASKED)
            shown = personal_data.mask(text, found)

    words = None
    if policy.words or policy.crisis:
        words = _analyser(finnish).words(shown)

    crisis = None
    if policy.crisis and words is not None:
        crisis, quiet = _detector().examine(words, text=shown)
        if crisis is None and not quiet and not is_nick:
            # The learned second opinion: phrasings the lexicon does not know yet
            # (not asked when the lexicon found an idiom, a joke or a past that is over).
            crisis = crisis_model().detect(words)

    if policy.words and words is not None:
        hits = policy.words.find(words)
        if hits:
            worst: WordAction = max((h.entry.action for h in hits), key=SEVERITY.__getitem__)
            reasons.append(f"wordlist.{worst}")
            if is_nick:
                notes.append(Note(NICK_WORD))
                action = Action.REFUSE
            else:
                notes.append(Note(_WORD_NOTES[worst]))
                action = max(action, _WORD_ACTIONS[worst])
                masked = sorted({(h.start, h.end) for h in hits if h.entry.action == "mask"})
                if masked:
                    shown = _replace(shown, masked, WORD_TOKEN)

    # A nickname never carries a link, whatever the room allows in messages.
    links = LinkPolicy("block", policy.links.allowed) if is_nick else policy.links
    link_mode, refused_links = check_links(shown, links)
    if refused_links:
        if is_nick:
            reasons.append("link.blocked")
            notes.append(Note(NICK_LINK))
            action = Action.REFUSE
        elif link_mode == "block":
            reasons.append("link.blocked")
            notes.append(Note(LINK_BLOCKED))
            action = Action.REFUSE
        else:
            reasons.append("link.held")
            notes.append(Note(LINK_HELD))
            action = max(action, Action.HOLD)

    if policy.premoderate and not is_nick:
        reasons.append("room.premoderated")
        if action < Action.HOLD:
            notes.append(Note(PREMODERATED))
        action = max(action, Action.HOLD)

    if flood_policy is not None and state is not None and action < Action.REFUSE:
        state.record(flood_rules.key_of(text), now, keep=flood_rules.keep_for(flood_policy))

    return Verdict(action, shown, tuple(reasons), tuple(notes), crisis)


_WORD_ACTIONS: dict[WordAction, Action] = {
    "mask": Action.DELIVER_MASKED,
    "hold": Action.HOLD,
    "refuse": Action.REFUSE,
}


def _replace(text: str, spans: list[tuple[int, int]], token: str) -> str:
    parts: list[str] = []
    position = 0
    for start, end in spans:
        if start < position:  # overlapping phrases: the earlier one already covers it
            start = position
        if start >= end:
            continue
        parts.append(text[position:start])
        parts.append(token)
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _analyser(finnish: Finnish | None) -> Analyser:
    return analyser_for(finnish if finnish is not None else analyser())


def _detector() -> Detector:
    return detector()


def compile_words(
    entries: list[tuple[str, WordAction]], *, finnish: Finnish | None = None
) -> WordList:
    """A :class:`WordList` for :class:`Policy` from ``(phrase, action)`` pairs."""
    return WordList.compile(entries, analyser=_analyser(finnish))


def describe_phrase(phrase: str, *, finnish: Finnish | None = None) -> tuple[WordPart, ...] | None:
    """How a word-list entry matches (moderation/wordlists.py: :func:`describe`)."""
    return describe(phrase, analyser=_analyser(finnish))

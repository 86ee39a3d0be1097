"""Help while waiting: what a one-to-one topic's page offers beside the queue, for a
visitor who waits or who finds the chat closed. Pure rules; queue/routes.py gathers what
exists and calls :func:`choose`.

- Only what is open now: group rooms open now (their roster says so and a host is on
  duty), other organisations' topics that take visitors now (the topic's own
  organisation is the queue the visitor is already in).
- In the visitor's language first: a room or topic with its name written in the page's
  language comes before those without (a Swedish page offers Swedish help first), and
  an archive answer in that language before answers in others; otherwise the order
  given (rooms as listed, topics as listed, answers by relevance) is kept.
- Age: a topic says whom it is for (``QueueTopic.audience``: everyone, young people
  or adults; its description says the ages). On a youth topic's page no adults-only topic is offered, and on
  an adults-only topic's page no youth topic; a topic for everyone is offered on every
  page. Rooms say nothing of age: the topic's own organisation's rooms come first
  (they serve its visitors), then the others.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from kuulolla.core.i18n import N_

ROOM_LIMIT = 6
ANSWER_LIMIT = 3

# Whom a topic is for; "all" unless its coordinators say otherwise.
AUDIENCES: dict[str, str] = {
    "all": N_("Everyone"),
    "youth": N_("Young people"),
    "adults": N_("Adults"),
}
# The audiences a topic's page never offers, by the page's topic's audience.
NOT_OFFERED: dict[str, frozenset[str]] = {
    "all": frozenset(),
    "youth": frozenset({"adults"}),
    "adults": frozenset({"youth"}),
}

X = TypeVar("X")
R = TypeVar("R")
T = TypeVar("T")
A = TypeVar("A")


@dataclass(frozen=True, slots=True)
class Offer(Generic[X]):
    """A room or topic that could be offered: ``languages`` it is written in (those of
    its name), whether it is ``open`` now (a room: open on its roster with a host; a
    topic: taking visitors), whose it is and whom it is for."""

    item: X
    languages: frozenset[str]
    open: bool
    organisation_id: int
    audience: str = "all"  # a topic's (AUDIENCES); rooms have none


@dataclass(frozen=True, slots=True)
class HelpNow(Generic[R, T, A]):
    rooms: list[R]
    topics: list[T]
    answers: list[A]


def in_language_first(
    items: Sequence[X], locale: str, languages: Callable[[X], Collection[str]]
) -> list[X]:
    """``items`` with those in ``locale`` first, each group in the order given."""
    return sorted(items, key=lambda item: locale not in languages(item))


def choose(
    *,
    locale: str,
    organisation_id: int,
    rooms: Sequence[Offer[R]],
    topics: Sequence[Offer[T]],
    answers: Sequence[A],
    answer_language: Callable[[A], str],
    audience: str = "all",
) -> HelpNow[R, T, A]:
    """What the page of a topic of ``organisation_id`` for ``audience`` offers (see the
    module's rules): open rooms, the organisation's own first, and other organisations'
    open topics fit for the audience, and the answers, each in ``locale`` first."""
    own_first = sorted(
        (offer for offer in rooms if offer.open),
        key=lambda offer: offer.organisation_id != organisation_id,
    )
    open_rooms = in_language_first(own_first, locale, lambda o: o.languages)
    never = NOT_OFFERED.get(audience, frozenset())
    others = in_language_first(
        [
            o
            for o in topics
            if o.open and o.organisation_id != organisation_id and o.audience not in never
        ],
        locale,
        lambda o: o.languages,
    )
    chosen = in_language_first(answers, locale, lambda a: (answer_language(a),))
    return HelpNow(
        rooms=[offer.item for offer in open_rooms[:ROOM_LIMIT]],
        topics=[offer.item for offer in others],
        answers=list(chosen[:ANSWER_LIMIT]),
    )

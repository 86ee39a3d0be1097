"""The rules of help while waiting (queue/helpnow.py): only what is open now, the other
organisations' topics, and the visitor's language first."""

from __future__ import annotations

from kuulolla.queue import helpnow
from kuulolla.queue.helpnow import Offer

OWN = 1  # the organisation of the topic the visitor is on


def room(
    name: str, *languages: str, open: bool = True, org: int = 2, audience: str = "all"
) -> Offer[str]:
    return Offer(name, frozenset(("fi", *languages)), open, org, audience)


def choose(**given: object) -> helpnow.HelpNow[str, str, tuple[str, str]]:
    options: dict[str, object] = {
        "locale": "fi",
        "organisation_id": OWN,
        "rooms": [],
        "topics": [],
        "answers": [],
        "answer_language": lambda answer: answer[1],
        **given,
    }
    return helpnow.choose(**options)  # type: ignore[arg-type]


def test_a_closed_room_or_topic_is_never_offered() -> None:
    """Rooms and topics closed now are left out; the open ones keep their order."""
    found = choose(
        rooms=[room("a"), room("kiinni", open=False), room("b")],
        topics=[room("t1"), room("t-kiinni", open=False)],
    )
    assert found.rooms == ["a", "b"]
    assert found.topics == ["t1"]


def test_the_visitors_own_organisation_is_not_offered_as_another_chat() -> None:
    """The topic's own organisation is the queue the visitor is in: its other topics are
    not listed as other chats."""
    found = choose(topics=[room("oma", org=OWN), room("muu", org=3)])
    assert found.topics == ["muu"]


def test_a_swedish_page_offers_swedish_help_first() -> None:
    """On a Swedish page, rooms, topics and answers in Swedish come first, the rest after
    them in their own order."""
    found = choose(
        locale="sv",
        rooms=[room("suomi"), room("svenska", "sv"), room("english", "en")],
        topics=[room("t-fi"), room("t-sv", "sv")],
        answers=[("v1", "fi"), ("v2", "sv"), ("v3", "fi"), ("v4", "sv")],
    )
    assert found.rooms == ["svenska", "suomi", "english"]
    assert found.topics == ["t-sv", "t-fi"]
    assert found.answers == [("v2", "sv"), ("v4", "sv"), ("v1", "fi")]


def test_a_finnish_page_keeps_the_order_given() -> None:
    """Everything is written in Finnish: on a Finnish page the order given stays."""
    found = choose(
        rooms=[room("b", "sv"), room("a")],
        answers=[("v1", "sv"), ("v2", "fi")],
    )
    assert found.rooms == ["b", "a"]
    assert found.answers == [("v2", "fi"), ("v1", "sv")]


def test_at_most_six_rooms_and_three_answers() -> None:
    """The list stays short: six open rooms and three answers at most."""
    found = choose(
        rooms=[room(str(n)) for n in range(9)],
        answers=[(str(n), "fi") for n in range(5)],
    )
    assert len(found.rooms) == helpnow.ROOM_LIMIT == 6
    assert len(found.answers) == helpnow.ANSWER_LIMIT == 3


def test_a_youth_topic_never_offers_a_topic_for_adults_only() -> None:
    """On a youth topic's page no adults-only topic is offered, and on an adults' topic's
    page no youth topic; topics for everyone are offered on both."""
    topics = [
        room("aikuisille", audience="adults"),
        room("kaikille"),
        room("nuorille", audience="youth", org=3),
    ]
    assert choose(audience="youth", topics=topics).topics == ["kaikille", "nuorille"]
    assert choose(audience="adults", topics=topics).topics == ["aikuisille", "kaikille"]
    assert choose(audience="all", topics=topics).topics == [
        "aikuisille",
        "kaikille",
        "nuorille",
    ]


def test_the_topics_own_organisations_rooms_come_first() -> None:
    """Rooms say nothing of age: those of the topic's own organisation (which serve its
    visitors) come before the others."""
    found = choose(rooms=[room("muu"), room("oma", org=OWN), room("toinen", org=3)])
    assert found.rooms == ["oma", "muu", "toinen"]

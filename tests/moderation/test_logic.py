"""The screening pipeline: one rule table per verdict, and how verdicts combine."""

from __future__ import annotations

import pytest

from kuulolla.core.finnish import Finnish
from kuulolla.moderation import (
    OFF,
    Action,
    FloodPolicy,
    FloodState,
    LinkPolicy,
    Policy,
    compile_words,
    render_masks,
    screen,
)

FLOOD = FloodPolicy(join_cooldown=0.0, burst_count=3, burst_window=10.0)


@pytest.fixture(scope="module")
def policy(voikko: Finnish) -> Policy:
    """A room with a word list, links held except mieli.fi, and flood rules."""
    words = compile_words(
        [("huora", "refuse"), ("vittu", "mask"), ("kalja", "hold")], finnish=voikko
    )
    return Policy(
        words=words,
        links=LinkPolicy("hold", frozenset({"mieli.fi"})),
        flood=FLOOD,
        public_numbers=frozenset({"0925250111"}),
    )


@pytest.mark.parametrize(
    ("text", "action", "shown", "reasons"),
    [
        # DELIVER
        ("Moi kaikki, mitä kuuluu?", Action.DELIVER, "Moi kaikki, mitä kuuluu?", ()),
        ("Katso https://mieli.fi/apua", Action.DELIVER, "Katso https://mieli.fi/apua", ()),
        ("Soita 09 2525 0111", Action.DELIVER, "Soita 09 2525 0111", ()),  # policy's own
        # DELIVER_MASKED
        ("hetu 131052-308T", Action.DELIVER_MASKED, "hetu ⟦hetu⟧", ("personal_data.hetu",)),
        ("soita 040 123 4567", Action.DELIVER_MASKED, "soita ⟦phone⟧", ("personal_data.phone",)),
        ("aino@gmail.com", Action.DELIVER_MASKED, "⟦email⟧", ("personal_data.email",)),
        (
            "tili FI49 7127 6842 6846 56",
            Action.DELIVER_MASKED,
            "tili ⟦iban⟧",
            ("personal_data.iban",),
        ),
        ("asun Kotikatu 5", Action.DELIVER_MASKED, "asun ⟦address⟧", ("personal_data.address",)),
        ("vitun kiva", Action.DELIVER_MASKED, "⟦word⟧ kiva", ("wordlist.mask",)),
        # HOLD
        ("juodaan kaljaa", Action.HOLD, "juodaan kaljaa", ("wordlist.hold",)),
        ("www.example.com", Action.HOLD, "www.example.com", ("link.held",)),
        (
            "soita 040 123 4567 tai katso bit.ly/x",
            Action.HOLD,
            "soita ⟦phone⟧ tai katso bit.ly/x",
            ("personal_data.phone", "link.held"),
        ),
        # REFUSE
        ("sä oot huora", Action.REFUSE, "sä oot huora", ("wordlist.refuse",)),
        ("vittu sä oot huora", Action.REFUSE, "", ("wordlist.refuse",)),  # the worst entry wins
    ],
)
def test_message_verdicts(
    policy: Policy, voikko: Finnish, text: str, action: Action, shown: str, reasons: tuple
) -> None:
    """Each rule gives its action and reason; the most severe action wins."""
    verdict = screen(text, policy=policy, state=FloodState(), now=0.0, finnish=voikko)
    assert (verdict.action, verdict.reasons) == (action, reasons)
    if action is not Action.REFUSE:
        assert verdict.text == shown


def test_refused_message_with_masked_words_keeps_them_masked(
    policy: Policy, voikko: Finnish
) -> None:
    """A refused message still carries its masked text (it is never shown anyway)."""
    verdict = screen("vittu sä oot huora", policy=policy, finnish=voikko)
    assert verdict.action is Action.REFUSE and verdict.text == "⟦word⟧ sä oot huora"


@pytest.mark.parametrize(
    ("mode", "action", "reason"),
    [
        ("allow", Action.DELIVER, None),
        ("hold", Action.HOLD, "link.held"),
        ("block", Action.REFUSE, "link.blocked"),
    ],
)
def test_link_modes_give_their_verdicts(
    voikko: Finnish, mode: str, action: Action, reason: str | None
) -> None:
    """A link off the allow list is delivered, held or refused as the room says."""
    policy = Policy(links=LinkPolicy(mode), flood=None)  # type: ignore[arg-type]
    verdict = screen("https://example.com", policy=policy, finnish=voikko)
    assert verdict.action is action
    assert verdict.reasons == ((reason,) if reason else ())


def test_premoderated_room_holds_everything(voikko: Finnish) -> None:
    """In a premoderated room every message waits for a moderator, with a note."""
    verdict = screen("moi", policy=Policy(premoderate=True), finnish=voikko)
    assert verdict.action is Action.HOLD
    assert verdict.reasons == ("room.premoderated",)
    assert [n.msgid for n in verdict.notes] == [
        "A moderator reads every message in this room before others see it."
    ]


def test_premoderation_does_not_lower_a_refusal(voikko: Finnish) -> None:
    """The most severe action wins: a blocked link stays refused in a premoderated room."""
    policy = Policy(links=LinkPolicy("block"), premoderate=True)
    verdict = screen("www.example.com", policy=policy, finnish=voikko)
    assert verdict.action is Action.REFUSE
    assert verdict.reasons == ("link.blocked", "room.premoderated")


@pytest.mark.parametrize(
    ("history", "joined_at", "now", "text", "reason", "params"),
    [
        ([], 100.0, 103.0, "moi", "flood.cooldown", {"seconds": 7}),
        ([0.0, 1.0, 2.0], None, 3.0, "uusi", "flood.burst", {"seconds": 7}),
        ([0.0, 1.0], None, 3.0, "sama viesti uudestaan", "flood.repeat", {}),
    ],
)
def test_flood_verdicts(
    voikko: Finnish,
    history: list[float],
    joined_at: float | None,
    now: float,
    text: str,
    reason: str,
    params: dict,
) -> None:
    """Floods are refused with a note that says how long to wait."""
    policy = Policy(flood=FloodPolicy(join_cooldown=10.0, burst_count=3, burst_window=10.0))
    state = FloodState(joined_at=joined_at)
    for when in history:
        screen(
            text if reason == "flood.repeat" else f"viesti {when}",
            policy=policy,
            state=state,
            now=when,
            finnish=voikko,
        )
    verdict = screen(text, policy=policy, state=state, now=now, finnish=voikko)
    assert verdict.action is Action.REFUSE
    assert verdict.reasons == (reason,)
    assert dict(verdict.notes[0].params) == params


def test_only_messages_that_get_through_count_for_floods(voikko: Finnish) -> None:
    """A refused message is not recorded, so refusals do not lengthen the wait."""
    policy = Policy(words=compile_words([("huora", "refuse")], finnish=voikko), flood=FLOOD)
    state = FloodState()
    screen("huora", policy=policy, state=state, now=0.0, finnish=voikko)
    screen("moi", policy=policy, state=state, now=1.0, finnish=voikko)
    assert [key for _, key in state.sent] == ["moi"]


@pytest.mark.parametrize(
    ("nick", "reason"),
    [
        ("Aino", None),
        ("aino@gmail.com", "personal_data.email"),
        ("Aino 0401234567", "personal_data.phone"),
        ("huora", "wordlist.refuse"),
        ("vittu", "wordlist.mask"),  # masking is no use in a name: refused
        ("www.example.com", "link.blocked"),
        ("mieli.fi", None),  # on the allow list
    ],
)
def test_nicknames_are_refused_not_masked(
    policy: Policy, voikko: Finnish, nick: str, reason: str | None
) -> None:
    """A nickname with personal data, listed words or links is refused, never masked."""
    verdict = screen(nick, policy=policy, state=FloodState(), kind="nick", finnish=voikko)
    assert verdict.action is (Action.REFUSE if reason else Action.DELIVER)
    assert verdict.reasons == ((reason,) if reason else ())
    if reason is None:
        assert verdict.text == nick


def test_nickname_links_are_refused_even_where_messages_may_link(voikko: Finnish) -> None:
    """A room that allows links in messages still refuses them in names."""
    policy = Policy(links=LinkPolicy("allow", frozenset({"mieli.fi"})))
    assert (
        screen("www.example.com", policy=policy, kind="nick", finnish=voikko).action
        is Action.REFUSE
    )
    assert screen("mieli.fi", policy=policy, kind="nick", finnish=voikko).action is Action.DELIVER


def test_nicknames_skip_flood_and_premoderation(voikko: Finnish) -> None:
    """Flood rules and premoderation are about messages, not names."""
    policy = Policy(premoderate=True, flood=FloodPolicy(join_cooldown=60.0))
    state = FloodState(joined_at=0.0)
    verdict = screen("Aino", policy=policy, state=state, now=1.0, kind="nick", finnish=voikko)
    assert verdict.action is Action.DELIVER
    assert not state.sent


@pytest.mark.parametrize(
    ("text", "policy", "action"),
    [
        ("haluan kuolla", Policy(), Action.DELIVER),
        ("haluan kuolla, soita 040 123 4567", Policy(), Action.DELIVER_MASKED),
        ("haluan kuolla", Policy(premoderate=True), Action.HOLD),
        ("haluan kuolla www.example.com", Policy(links=LinkPolicy("block")), Action.REFUSE),
    ],
)
def test_crisis_never_changes_the_action(
    voikko: Finnish, text: str, policy: Policy, action: Action
) -> None:
    """A crisis signal comes with whatever verdict the other rules give."""
    verdict = screen(text, policy=policy, finnish=voikko)
    assert verdict.action is action
    assert verdict.crisis is not None and verdict.crisis.category == "suicide"


def test_crisis_is_found_in_a_nickname(voikko: Finnish) -> None:
    """A nickname can carry a crisis signal too."""
    verdict = screen("haluunkuolla", policy=Policy(), kind="nick", finnish=voikko)
    assert verdict.action is Action.DELIVER  # one word: nothing to match
    verdict = screen("haluun kuolla", policy=Policy(), kind="nick", finnish=voikko)
    assert verdict.crisis is not None


def test_off_policy_delivers_everything_untouched(voikko: Finnish) -> None:
    """The empty pipeline (used as the benchmark's baseline) changes nothing."""
    text = "haluan kuolla, soita 040 123 4567 www.example.com"
    verdict = screen(text, policy=OFF, finnish=voikko)
    assert (verdict.action, verdict.text, verdict.reasons, verdict.crisis) == (
        Action.DELIVER,
        text,
        (),
        None,
    )


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("fi", "Soita [puhelinnumero piilotettu]"),
        ("sv", "Soita [telefonnummer dolt]"),
        ("en", "Soita [phone number hidden]"),
    ],
)
def test_masks_render_in_the_readers_language(locale: str, expected: str) -> None:
    """Mask tokens become words of the reader's language."""
    assert render_masks("Soita ⟦phone⟧", locale) == expected


def test_notes_translate_with_their_parameters() -> None:
    """A note's message id and parameters make a translated sentence."""
    from kuulolla.moderation.logic import Note

    note = Note("You are sending messages quickly. Wait {seconds} seconds.", {"seconds": 7})
    assert note.text("en") == "You are sending messages quickly. Wait 7 seconds."
    assert "7" in note.text("fi") and note.text("fi") != note.text("en")

"""The chat socket under the fuzzer: every client frame type with fields of the wrong
type, numbers out of range, deep nesting and strange Unicode, whole frames of random
JSON and text that is no JSON, as a visitor and as a coordinator who moderates.

Properties (tests/security/fuzz.py): never an ``internal`` error and never a close
with 1011, nothing in the error log, and a frame that was only refused changes
nothing in the database. Each frame is followed by a ``ping``: the frames before the
``pong`` are its answer.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from starlette.websockets import WebSocketDisconnect

from kuulolla.chat import decoding
from tests.security import fuzz
from tests.security.conftest import FuzzSite

FRAME_TYPES: dict[str, tuple[str, ...]] = {
    cls.__struct_config__.tag: cls.__struct_fields__ for cls in decoding.AnyClientFrame.__args__
}
# What a right value of a field looks like, so some frames get past the decoder.
REAL: dict[str, list[Any]] = {
    "v": [1],
    "token": ["fuzz-visitor-token-0000000000"],
    "lang": ["fi", "sv", "en"],
    "room": ["alfa-huone", "beeta-huone"],
    "nick": ["Aino", "Moderaattori", "aino"],
    "since": [0, 1, 5],
    "text": ["hei", "en jaksa enää", "soita 040 123 4567", "https://example.com"],
    "ref": ["r1", "r2"],
    "seq": [1, 2, 3],
    "reason": ["spam", "abuse", "worry", "other", ""],
    "kind": ["mute", "remove", "ban"],
    "seconds": [60, 600, 3600],
    "locked": [True, False],
    "slow_mode": [0, 10, -1],
    "premoderated": [True, False],
    "pinned": ["Tervetuloa"],
    "link_mode": ["allow", "hold", "block"],
    "allowed_links": ["example.com"],
    "id": [1, 2],
    "approve": [True, False],
    "to": ["abcdefgh"],
    "note": ["katso tätä"],
    "resolution": ["action", "dismissed"],
}


@st.composite
def frame(draw: Any) -> str:
    """One text frame: a client frame with some fields wrong, random JSON, or not JSON."""
    kind = draw(st.sampled_from(["typed", "typed", "typed", "json", "text"]))
    if kind == "text":
        return draw(fuzz.TEXT)
    if kind == "json":
        return json.dumps(draw(fuzz.ANY))
    tag = draw(st.sampled_from(sorted(FRAME_TYPES)))
    body: dict[str, Any] = {"type": tag}
    for field in FRAME_TYPES[tag]:
        if draw(st.integers(0, 9)) == 0:
            continue  # left out
        body[field] = draw(fuzz.sometimes(REAL.get(field, []), fuzz.ANY))
    if draw(st.integers(0, 9)) == 0:
        body[draw(fuzz.TEXT)] = draw(fuzz.SCALARS)  # an unknown field
    return json.dumps(body)


def answer(ws: Any) -> tuple[list[dict[str, Any]], int | None]:
    """The frames until the ``pong`` of the ping sent after the frame, and the close
    code if the socket was closed instead."""
    ws.send_text('{"type": "ping"}')
    got: list[dict[str, Any]] = []
    while True:
        try:
            message = ws.receive_json()
        except WebSocketDisconnect as closed:
            return got, closed.code
        if message.get("type") == "pong":
            return got, None
        got.append(message)


def test_every_client_frame_type_is_fuzzed() -> None:
    """The fuzzer builds frames of every type the protocol has, moderation included."""
    assert {"hello", "join", "send", "leave", "restrict", "room_settings", "report"} <= set(
        FRAME_TYPES
    )


def test_random_frames_on_the_socket(fuzz_site: FuzzSite) -> None:
    """No internal error, no 1011, nothing logged as an error, and a refused frame
    writes nothing."""
    site = fuzz_site

    @fuzz.PROFILE
    @given(
        who=st.sampled_from(["anonymous", "coordinator-alfa"]),
        hello=st.booleans(),
        join=st.booleans(),
        frames=st.lists(frame(), min_size=1, max_size=4),
    )
    def check(who: str, hello: bool, join: bool, frames: list[str]) -> None:
        headers, _ = site.session(who)
        with (
            fuzz.error_log() as log,
            site.client.websocket_connect("wss://testserver/ws", headers=headers) as ws,
        ):
            if hello:
                ws.send_text('{"type": "hello", "v": 1}')
                assert ws.receive_json()["type"] == "welcome"
                if join:
                    ws.send_text('{"type": "join", "room": "alfa-huone", "nick": "Fuzz"}')
                    answer(ws)
            for text in frames:
                before = fuzz.snapshot(site.db_path)
                ws.send_text(text)
                replies, closed = answer(ws)
                after = fuzz.snapshot(site.db_path)
                where = f"{who}: {text[:300]!r} -> {replies[:3]} closed={closed}"
                assert closed != 1011, where
                assert all(r.get("code") != "internal" for r in replies), where
                if replies and {r.get("type") for r in replies} == {"error"}:
                    assert fuzz.changed(before, after) == [], (where, fuzz.changed(before, after))
                if closed is not None:
                    break
            errors = log.take()
        assert errors == [], errors

    check()

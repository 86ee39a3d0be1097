"""Decoding client frames once into typed frames, and the shape of server frames."""

from __future__ import annotations

import json

import pytest

from kuulolla.chat.decoding import FrameError, decode_client_frame
from kuulolla.chat.protocol import Author, Hello, Join, MessageFrame, Send, encode


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"type":"hello","v":1}', Hello(v=1)),
        (
            '{"type":"hello","v":1,"token":"abcdefghijklmnopqrstu"}',
            Hello(v=1, token="abcdefghijklmnopqrstu"),
        ),
        ('{"type":"join","room":"r","nick":"Aino"}', Join(room="r", nick="Aino")),
        (
            '{"type":"join","room":"r","nick":"Aino","since":5}',
            Join(room="r", nick="Aino", since=5),
        ),
        ('{"type":"send","room":"r","text":"hei","ref":"1"}', Send(room="r", text="hei", ref="1")),
    ],
)
def test_decodes_valid_frames(raw: str, expected: object) -> None:
    """Valid frames decode into their typed structs."""
    assert decode_client_frame(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{not json", "bad_json"),
        ("", "bad_json"),
        ("[]", "bad_frame"),
        ('"hello"', "bad_frame"),
        ('{"type":"nope"}', "bad_frame"),
        ('{"v":1}', "bad_frame"),
        ('{"type":"hello","v":1,"extra":true}', "bad_frame"),  # unknown field
        ('{"type":"send","room":"r","text":5,"ref":"1"}', "bad_frame"),
        ('{"type":"join","room":"r","since":-1}', "bad_frame"),
        ('{"type":"join","room":""}', "bad_frame"),
        ('{"type":"send","room":"r","text":"t","ref":"' + "x" * 65 + '"}', "bad_frame"),
        ('{"type":"hello","v":1,"token":"no spaces allowed here!"}', "bad_frame"),
    ],
)
def test_refuses_bad_frames(raw: str, code: str) -> None:
    """Malformed JSON, wrong types, unknown types and unknown fields are refused with a code."""
    with pytest.raises(FrameError) as info:
        decode_client_frame(raw)
    assert info.value.code == code


def test_message_frame_shape() -> None:
    """A message frame has exactly the fields of the protocol core, with `from` named so."""
    frame = MessageFrame(
        room="r",
        seq=3,
        ts="2026-01-01T00:00:00.000Z",
        from_=Author(nick="Aino", role="visitor"),
        text="hei",
    )
    data = json.loads(encode(frame))
    assert data == {
        "type": "message",
        "room": "r",
        "seq": 3,
        "ts": "2026-01-01T00:00:00.000Z",
        "from": {"nick": "Aino", "role": "visitor"},
        "text": "hei",
    }

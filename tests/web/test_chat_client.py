"""The browser chat client (web/static/js/chat-client.js) against the server's protocol."""

from __future__ import annotations

import re
from pathlib import Path

from kuulolla.chat import moderation_protocol  # noqa: F401 (its frames are ServerFrames too)
from kuulolla.chat.protocol import ServerFrame

CLIENT = (
    Path(__file__).resolve().parents[2] / "kuulolla" / "web" / "static" / "js" / "chat-client.js"
)


def server_frame_types() -> set[str]:
    """The ``type`` of every frame the server can send (chat/protocol.py,
    chat/moderation_protocol.py)."""
    found: set[str] = set()
    pending = list(ServerFrame.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        tag = cls.__struct_config__.tag
        if isinstance(tag, str):
            found.add(tag)
    return found


def client_frame_types() -> set[str]:
    """The frame types the client's built-in handler table (FRAME_HANDLERS) names."""
    source = CLIENT.read_text(encoding="utf-8")
    start = source.index("const FRAME_HANDLERS = {")
    end = source.index("\n};", start)
    return set(re.findall(r"^  (\w+)\(", source[start:end], flags=re.MULTILINE))


def test_the_server_sends_the_frame_types_the_table_expects() -> None:
    """The protocol module's frame types are found (the other test is not vacuous)."""
    assert {"welcome", "joined", "message", "ack", "error", "crisis", "pending"} <= (
        server_frame_types()
    )


def test_every_server_frame_type_has_a_client_handler() -> None:
    """A frame type the server sends and the browser client has no handler for fails."""
    assert sorted(server_frame_types() - client_frame_types()) == []


def test_the_client_names_no_frame_type_the_server_never_sends() -> None:
    """The client's handler table holds no type the server does not have (a renamed frame
    would otherwise leave a dead handler behind)."""
    assert sorted(client_frame_types() - server_frame_types()) == []

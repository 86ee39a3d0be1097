"""Decoding a client frame, once at the edge: any of the chat's frames
(chat/protocol.py) or the moderators' requests (chat/moderation_protocol.py), or a
:class:`FrameError` that says why not."""

from __future__ import annotations

import msgspec

from kuulolla.chat.moderation_protocol import ModerationFrame
from kuulolla.chat.protocol import Hello, Join, Leave, Ping, Refer, Send

AnyClientFrame = Hello | Join | Send | Leave | Ping | Refer | ModerationFrame

_decoder = msgspec.json.Decoder(AnyClientFrame)


class FrameError(ValueError):
    """A frame that is not valid JSON or not a valid client frame."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def decode_client_frame(data: str | bytes) -> AnyClientFrame:
    """Decode one client frame or raise :class:`FrameError` (code ``bad_json`` or ``bad_frame``)."""
    try:
        return _decoder.decode(data)
    except msgspec.ValidationError as exc:
        raise FrameError("bad_frame", str(exc)) from None
    except msgspec.DecodeError as exc:
        raise FrameError("bad_json", str(exc)) from None
    except UnicodeError:  # a lone surrogate (the WebSocket layer refuses invalid UTF-8)
        raise FrameError("bad_json", "not UTF-8") from None

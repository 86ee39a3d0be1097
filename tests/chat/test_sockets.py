"""Outgoing frames: their wire form, and writes gathered while corked."""

from __future__ import annotations

import asyncio

import pytest
from websockets.frames import Frame, Opcode

from kuulolla.chat import store
from kuulolla.chat.sockets import OutFrame, RawSink, corked, seal, text_frame
from kuulolla.core.clock import FrozenClock
from kuulolla.core.db import Database
from tests.helpers import make_room


class Handle:
    """A stand-in for the uvicorn protocol's raw handle that records each write."""

    def __init__(self, *, room: int = 1 << 20) -> None:
        self.writes: list[bytes] = []
        self.room = room
        self.closed_with: int | None = None

    def write(self, wire: bytes, limit: int) -> bool | None:
        if sum(map(len, self.writes)) + len(wire) > self.room:
            self.closed_with = 1013
            return None
        self.writes.append(wire)
        return True

    def overflow_close(self, code: int) -> None:
        self.closed_with = code


def sink(handle: Handle, overflows: list[int] | None = None) -> RawSink:
    return RawSink(
        None,
        handle,
        limit=1 << 20,
        on_overflow=(lambda: overflows.append(1)) if overflows is not None else None,
    )


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_text_frame_is_the_websocket_wire_form(size: int) -> None:
    """A frame's wire bytes are exactly what the websockets library serialises."""
    payload = ("ä" * size).encode()[:size]
    expected = Frame(Opcode.TEXT, payload).serialize(mask=False, extensions=[])
    assert text_frame(payload) == expected


def test_frames_are_written_one_by_one_outside_a_cork() -> None:
    """Without a cork every push is its own write."""
    handle = Handle()
    s = sink(handle)
    s.push(OutFrame(b'{"a":1}'))
    s.push(OutFrame(b'{"b":2}'))
    assert handle.writes == [text_frame(b'{"a":1}'), text_frame(b'{"b":2}')]


def test_a_cork_writes_each_sockets_frames_once_in_order() -> None:
    """Inside a cork a socket's frames go out in one write, in the order pushed."""
    first, second = Handle(), Handle()
    a, b = sink(first), sink(second)
    frames = [OutFrame(b'{"n":%d}' % i) for i in range(3)]
    with corked():
        a.push(frames[0])
        b.push(frames[1])
        a.push(frames[2])
        assert first.writes == [] and second.writes == []
    assert first.writes == [frames[0].wire + frames[2].wire]
    assert second.writes == [frames[1].wire]


def test_a_nested_cork_joins_the_outer_one() -> None:
    """Only the outermost cork writes."""
    handle = Handle()
    s = sink(handle)
    with corked():
        with corked():
            s.push(OutFrame(b"1"))
        assert handle.writes == []
        s.push(OutFrame(b"2"))
    assert handle.writes == [text_frame(b"1") + text_frame(b"2")]


def test_a_corked_socket_over_its_limit_is_closed_once() -> None:
    """A gathered write that does not fit closes the socket and counts one overflow."""
    handle = Handle(room=10)
    overflows: list[int] = []
    s = sink(handle, overflows)
    with corked():
        s.push(OutFrame(b"x" * 8))
        s.push(OutFrame(b"y" * 8))
    assert handle.writes == []
    assert s.closed and overflows == [1]
    s.push(OutFrame(b"z"))
    assert handle.writes == []


@pytest.mark.asyncio
async def test_committer_writes_ack_and_message_to_the_sender_at_once(
    db: Database, clock: FrozenClock
) -> None:
    """The sender's acknowledgement and its own message leave in one write, ack first."""
    room = await make_room(db)
    handle = Handle()
    s = sink(handle)
    committer = store.Committer(
        db,
        clock=clock,
        on_committed=lambda stored: [s.push(OutFrame(b"message %d" % m.seq)) for m in stored],
    )
    committer.start()
    done = asyncio.Event()

    def on_stored(stored: store.Stored) -> None:
        s.push(OutFrame(b"ack %d" % stored.seq))
        done.set()

    committer.enqueue(
        store.Draft(
            room_id=room,
            author_key=b"a" * 16,
            nick="Aino",
            role="visitor",
            text="hei",
            ref_key=None,
        ),
        on_stored=on_stored,
        on_failed=lambda exc: None,
    )
    await asyncio.wait_for(done.wait(), 10)
    await committer.stop()
    assert handle.writes == [text_frame(b"ack 1") + text_frame(b"message 1")]


def test_a_sealed_cork_writes_sockets_without_frames_at_once() -> None:
    """After seal, a socket with nothing gathered is written at once; one with frames
    keeps gathering, so its order holds."""
    sender, reader = Handle(), Handle()
    a, b = sink(sender), sink(reader)
    with corked():
        a.push(OutFrame(b"ack"))
        seal()
        a.push(OutFrame(b"message"))
        b.push(OutFrame(b"message"))
        assert sender.writes == []
        assert reader.writes == [text_frame(b"message")]
    assert sender.writes == [text_frame(b"ack") + text_frame(b"message")]


def test_a_new_cork_starts_unsealed() -> None:
    """Sealing lasts to the end of its block only."""
    handle = Handle()
    s = sink(handle)
    with corked():
        seal()
    with corked():
        s.push(OutFrame(b"1"))
        assert handle.writes == []
    assert handle.writes == [text_frame(b"1")]

"""Background tasks end for certain (kuulolla/core/tasks.py): from outside at shutdown,
and from inside when a round turned the cancellation into an error of its own."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from kuulolla.chat.fanout import Fanout
from kuulolla.chat.server import ChatServer
from kuulolla.chat.store import Committer
from kuulolla.core.clock import Clock
from kuulolla.core.events import Tally
from kuulolla.core.tasks import cancel_and_wait, raise_if_cancelled
from kuulolla.moderation.on_duty import ModeratorStatus
from kuulolla.rooms.nicks import NickClaims
from kuulolla.shifts.rooms import RoomStates
from kuulolla.web import app


@pytest.mark.asyncio
async def test_a_task_that_swallowed_its_first_cancellation_still_ends() -> None:
    """A loop whose first cancellation is taken for a failed round (as a driver's own
    error under cancellation was) and goes back to its long sleep is ended all the same."""
    sleeping = asyncio.Event()

    async def housekeeping() -> None:
        try:
            sleeping.set()
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            pass  # the round "failed"; the loop goes on
        await asyncio.sleep(3600)

    task = asyncio.create_task(housekeeping())
    await sleeping.wait()
    await asyncio.wait_for(cancel_and_wait([task]), timeout=5)
    assert task.cancelled()


# ------------------------------------------------------------------ rounds that go on


class Stuck:
    """A round that waits on the database and, cancelled there, raises the driver's own
    error instead of the cancellation (as aiosqlite did)."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.rounds = 0

    async def __call__(self, *_args: Any, **_kwargs: Any) -> None:
        self.rounds += 1
        self.started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            if self.rounds == 1:
                raise sqlite3.OperationalError("the connection was closed") from None
            raise


def _app_loop(name: str, target: str) -> Callable[[Stuck, pytest.MonkeyPatch], Any]:
    def start(stuck: Stuck, monkeypatch: pytest.MonkeyPatch) -> Any:
        monkeypatch.setattr(app, target, stuck)
        settings = SimpleNamespace(notify_interval=0, purge_interval=0.001, redis_url="")
        loop = getattr(app, name)
        if name == "_housekeeping":
            return loop(None, settings, Clock(), None)
        return loop(None, settings, Clock())

    return start


def _room_watch(stuck: Stuck, monkeypatch: pytest.MonkeyPatch) -> Any:
    states = RoomStates(None, Clock())  # type: ignore[arg-type]
    monkeypatch.setattr(states, "check", stuck)
    return states.watch(list, lambda *_: None, every=0)


def _tally(stuck: Stuck, monkeypatch: pytest.MonkeyPatch) -> Any:
    tally = Tally()
    monkeypatch.setattr(tally, "flush", stuck)
    return tally.run(None, interval=0)  # type: ignore[arg-type]


def _nick_renewal(stuck: Stuck, monkeypatch: pytest.MonkeyPatch) -> Any:
    claims = NickClaims(None, Clock(), renew=0)  # type: ignore[arg-type]
    monkeypatch.setattr(claims, "renew_all", stuck)
    return claims.run()


def _moderator_status(stuck: Stuck, monkeypatch: pytest.MonkeyPatch) -> Any:
    seat = SimpleNamespace(room_id=1)
    socket = SimpleNamespace(user_id=1, rooms={"huone": seat})
    status = ModeratorStatus(
        db=None,  # type: ignore[arg-type]
        clock=Clock(),
        sockets=SimpleNamespace(sockets=lambda: [socket]),  # type: ignore[arg-type]
        policies=None,  # type: ignore[arg-type]
        interval=0,
    )
    monkeypatch.setattr(status, "settle", stuck)
    return status.watch()


def _committer(stuck: Stuck, monkeypatch: pytest.MonkeyPatch) -> Any:
    committer = Committer(
        SimpleNamespace(engine=None),  # type: ignore[arg-type]
        clock=Clock(),
        on_committed=lambda _stored: None,
        writer=SimpleNamespace(),  # type: ignore[arg-type]
    )
    monkeypatch.setattr(committer, "_commit", stuck)
    failed: list[Exception] = []

    async def run() -> None:
        committer.start()
        committer.enqueue(SimpleNamespace(), on_stored=print, on_failed=failed.append)  # type: ignore[arg-type]
        assert committer._task is not None
        await committer._task  # cancelled with the task that waits on it

    return run()


def _fanout_poll(stuck: Stuck, monkeypatch: pytest.MonkeyPatch) -> Any:
    fanout = Fanout.__new__(Fanout)  # only what the poll loop reads
    fanout.poll_interval = 0
    fanout.broker = SimpleNamespace(connected=True)  # type: ignore[assignment]
    monkeypatch.setattr(fanout, "check_all", stuck, raising=False)
    return fanout._poll_loop()


def _session_check(stuck: Stuck, monkeypatch: pytest.MonkeyPatch) -> Any:
    server = ChatServer.__new__(ChatServer)  # only what the session loop reads
    server.settings = SimpleNamespace(session_check_interval=0)  # type: ignore[assignment]
    monkeypatch.setattr(server, "check_sessions", stuck, raising=False)
    return server._session_loop()


LOOPS = {
    "housekeeping": _app_loop("_housekeeping", "do_shift_housekeeping"),
    "notify": _app_loop("_notifying", "do_notify_round"),
    "purge": _app_loop("_purging", "do_purge"),
    "room openings": _room_watch,
    "statistics": _tally,
    "nickname renewal": _nick_renewal,
    "moderator status": _moderator_status,
    "message committer": _committer,
    "fan-out's check": _fanout_poll,
    "session check": _session_check,
}


@pytest.mark.asyncio
@pytest.mark.parametrize("name", list(LOOPS))
async def test_a_round_cancelled_into_a_drivers_error_ends_its_loop(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A background loop whose round turned its cancellation into an error of its own
    ends with the cancellation instead of taking it for a failed round and going on."""
    stuck = Stuck()
    task = asyncio.create_task(LOOPS[name](stuck, monkeypatch))
    await stuck.started.wait()
    task.cancel()
    for _ in range(10):  # a few turns of the loop; no waiting on time
        await asyncio.sleep(0)
    ended = task.done()
    await cancel_and_wait([task])  # a loop that went on ends at its next round
    assert ended and stuck.rounds == 1


@pytest.mark.asyncio
async def test_raise_if_cancelled_only_in_a_cancelled_task() -> None:
    """The check passes in a task nobody cancelled and raises in one that was."""
    raise_if_cancelled()

    async def cancelled_round() -> None:
        with contextlib.suppress(asyncio.CancelledError):  # swallowed, as a driver did
            await asyncio.sleep(3600)
        raise_if_cancelled()

    task = asyncio.create_task(cancelled_round())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

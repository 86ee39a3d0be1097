"""The queue's change notifications (queue/changes.py) as the status and console
streams wait on them: a change between a stream's mark and its wait is not lost, and
another process's change wakes this one's streams."""

from __future__ import annotations

import pytest

from kuulolla.queue.changes import QueueChanges


@pytest.mark.asyncio
async def test_a_change_after_the_mark_ends_the_wait_at_once() -> None:
    """A change that comes after a stream took its mark (while it read) makes its wait
    return at once, even with no time left to wait; with none since, the wait times out."""
    changes = QueueChanges(node="a")
    mark = changes.mark(7)
    changes.changed(7)
    assert await changes.wait(7, timeout=0, since=mark) is True
    assert await changes.wait(7, timeout=0, since=changes.mark(7)) is False


@pytest.mark.asyncio
async def test_a_change_of_another_organisation_does_not_count() -> None:
    """Only the organisation's own changes end its streams' wait."""
    changes = QueueChanges(node="a")
    mine = changes.of(7)
    mark = mine.mark()
    changes.changed(8)
    assert await mine.wait(mark, 0) is False


@pytest.mark.asyncio
async def test_another_processs_change_moves_the_mark_and_its_own_echo_does_not() -> None:
    """A line from another process on the channel counts as a change here; this
    process's own line, coming back from the broker, is not counted twice."""
    sent: list[bytes] = []
    here = QueueChanges(node="here")
    here.attach(channel="k:queue", publish=lambda _channel, data: sent.append(data))
    mark = here.mark(7)
    here.on_message(b"there 7")
    assert here.mark(7) == mark + 1
    here.changed(7)
    here.on_message(sent[-1])
    assert here.mark(7) == mark + 2 and sent == [b"here 7"]

"""What one socket and one network may do on the chat socket.

A review opened 1,000 sockets from one client, joined 130 rooms a second on one socket
(each join writes a row) and put 300 private messages on a coordinator's screen in
3.3 s, where crisis alerts drowned. Each limit here is a setting (docs/operations.md,
"Limits and abuse"); a network is its network-day key (core/bankey.py), never its
address:

- open sockets per network, per process (``KUULOLLA_SOCKETS_PER_NETWORK``), counted
  here; over it a socket gets ``too_many_connections`` and is closed with 1013;
- new sockets (hellos) per network and minute (``KUULOLLA_HELLOS_PER_NETWORK``), on
  the shared limiter, so every process counts them;
- room joins per socket (``KUULOLLA_JOINS_PER_SOCKET`` a minute, a token bucket) and
  per network (``KUULOLLA_JOINS_PER_NETWORK`` a minute, shared);

With Redis, a socket's hello and its first join are counted when the socket is
admitted (no task: ``RedisLimiter.begin``), written to Redis with the counts of the
other sockets admitted in the same turn of the event loop, as the handshake is
answered: the hello frame and the first join then find their verdicts waiting instead
of each waiting for a round trip (a reconnect storm's joins waited on two, one after
the other), and a storm's handshakes cost Redis a write per turn, not one per socket.
An early count Redis did not answer is counted again as its frame comes.
Counted early, an attempt is used only within the window that counted it (later,
it is counted again as it comes), and one the socket never made (it closed first)
is refunded to that window. Between the socket's admission and its hello or join
the network's count is one higher than it would have been: early, never late.
- messages to the moderators and reports, per socket (a burst of
  ``KUULOLLA_MODERATOR_MESSAGES_PER_SOCKET``, then one a minute) and per network
  (``KUULOLLA_MODERATOR_MESSAGES_PER_NETWORK`` per ten minutes, shared).

A refusal is a translated error frame (a :class:`~kuulolla.core.errors.RateLimited`
with a stable code) and changes nothing.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from redis.exceptions import RedisError

from kuulolla.chat.logic import TokenBucket
from kuulolla.chat.protocol import CLOSE_TRY_AGAIN
from kuulolla.core.bankey import BanKeys
from kuulolla.core.clock import Clock
from kuulolla.core.errors import RateLimited
from kuulolla.core.i18n import N_
from kuulolla.core.limits import Limiter, RedisLimiter, Rule, Verdict, minutes
from kuulolla.core.settings import Settings

if TYPE_CHECKING:
    from starlette.websockets import WebSocket


class TooManyConnections(RateLimited):
    code = "too_many_connections"
    close_code = CLOSE_TRY_AGAIN
    default_message = N_(
        "Too many chat windows are open from your network. Close some of them and try again in a minute."
    )


class TooManyJoins(RateLimited):
    code = "too_many_joins"
    default_message = N_("You are joining rooms too fast. Wait {minutes} min and try again.")


class TooManyToModerators(RateLimited):
    code = "too_many_to_moderators"
    default_message = N_(
        "The moderators have your messages. You can send more in {minutes} min. If you need help right now, call one of the crisis numbers on this page."
    )


@dataclass(slots=True)
class SocketBudget:
    """The per-socket buckets of one connection."""

    joins: TokenBucket
    to_moderators: TokenBucket
    network: bytes | None = None
    # Today's and yesterday's digests of the socket's network (today's is ``network``),
    # which a ban made today or yesterday would carry (core/bankey.py, ``candidates``).
    digests: list[bytes] = field(default_factory=list)
    counted: bool = field(default=False)
    # The network's attempts for the hello and the first join, begun at admission.
    hello: asyncio.Future[Verdict] | None = None
    first_join: asyncio.Future[Verdict] | None = None


class ChatLimits:
    def __init__(
        self, *, settings: Settings, limiter: Limiter, bankeys: BanKeys, clock: Clock
    ) -> None:
        self.settings = settings
        self.limiter = limiter
        self.bankeys = bankeys
        self.clock = clock
        self.hello = Rule("chat.hello", settings.hellos_per_network, 60.0)
        self.join = Rule("chat.join", settings.joins_per_network, 60.0)
        self.to_moderators = Rule(
            "chat.to_moderators", settings.moderator_messages_per_network, 600.0
        )
        # Open sockets per network in this process (an honest per-process count).
        self.open: dict[bytes, int] = {}
        # Count a socket's hello and first join as it is admitted (module docstring):
        # only where an attempt costs a round trip and its window's end is known.
        self.early: RedisLimiter | None = limiter if isinstance(limiter, RedisLimiter) else None
        self._refunds: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------ sockets

    async def admit(self, websocket: WebSocket) -> SocketBudget:
        """The new socket's budget, counted against its network's open sockets;
        ``budget.counted`` is False when the network has too many open already."""
        s = self.settings
        budget = SocketBudget(
            joins=TokenBucket(s.joins_per_socket / 60.0, max(1, s.joins_per_socket // 2)),
            to_moderators=TokenBucket(1 / 60.0, s.moderator_messages_per_socket),
        )
        client = websocket.scope.get("client")
        # Both days' digests at once: the socket's joins check them against bans
        # (chat/endpoint.py, ``ban_digests``), and today's is what its network counts by.
        budget.digests = await self.bankeys.candidates(
            client[0] if client else None, now=self.clock.now()
        )
        budget.network = budget.digests[0] if budget.digests else None
        if budget.network is None:
            budget.counted = True  # not an IP address (a test client): nothing to count
            return budget
        count = self.open.get(budget.network, 0)
        if count >= s.sockets_per_network:
            return budget
        self.open[budget.network] = count + 1
        budget.counted = True
        if self.early is not None:
            budget.hello = self.early.begin(self.hello, budget.network)
            budget.first_join = self.early.begin(self.join, budget.network)
        return budget

    def release(self, budget: SocketBudget) -> None:
        if budget.counted and budget.network is not None:
            left = self.open.get(budget.network, 1) - 1
            if left > 0:
                self.open[budget.network] = left
            else:
                self.open.pop(budget.network, None)
            for ahead, rule in ((budget.hello, self.hello), (budget.first_join, self.join)):
                if ahead is not None:  # counted at admission, never made
                    ahead.add_done_callback(partial(self._give_back, rule, budget.network))
            budget.hello = budget.first_join = None

    def _give_back(self, rule: Rule, network: bytes, ahead: asyncio.Future[Verdict]) -> None:
        if ahead.cancelled() or ahead.exception() is not None:
            return
        verdict = ahead.result()
        if verdict.allowed and _current(verdict):
            task = asyncio.get_running_loop().create_task(self.limiter.refund(rule, network))
            self._refunds.add(task)
            task.add_done_callback(self._refunds.discard)

    async def _take(
        self, rule: Rule, network: bytes, ahead: asyncio.Future[Verdict] | None
    ) -> Verdict:
        """The attempt counted at admission while its window lasts; else one now."""
        if ahead is not None:
            try:
                verdict = await ahead
            except (RedisError, OSError):
                pass  # not counted then: count it now (or in process, Redis being down)
            else:
                if verdict.allowed and _current(verdict):
                    return verdict
                # Refused then, or counted in a window that has ended: count it now.
        return await self.limiter.take(rule, network)

    async def check_hello(self, budget: SocketBudget) -> None:
        if budget.network is None:
            return
        ahead, budget.hello = budget.hello, None
        verdict = await self._take(self.hello, budget.network, ahead)
        if not verdict.allowed:
            raise TooManyConnections()

    # ------------------------------------------------------------ actions

    async def check_join(self, budget: SocketBudget) -> None:
        if not budget.joins.take(self.clock.monotonic()):
            raise TooManyJoins(minutes=minutes(budget.joins.retry_after()))
        if budget.network is not None:
            ahead, budget.first_join = budget.first_join, None
            verdict = await self._take(self.join, budget.network, ahead)
            if not verdict.allowed:
                raise TooManyJoins(minutes=minutes(verdict.retry_after))

    async def check_to_moderators(self, budget: SocketBudget) -> None:
        if not budget.to_moderators.take(self.clock.monotonic()):
            raise TooManyToModerators(minutes=minutes(budget.to_moderators.retry_after()))
        if budget.network is not None:
            verdict = await self.limiter.take(self.to_moderators, budget.network)
            if not verdict.allowed:
                raise TooManyToModerators(minutes=minutes(verdict.retry_after))


def _current(verdict: Verdict) -> bool:
    """Whether the window that counted an allowed attempt still runs (with a margin)."""
    return verdict.refund_before is not None and time.monotonic() < verdict.refund_before

"""The ``/ws`` endpoint: one :class:`Connection` per socket.

A connection reads frames one at a time, decodes each once into a typed frame
(chat/protocol.py), applies the pure rules (chat/logic.py, chat/joining.py) and the
store and fan-out (chat/store.py, chat/fanout.py). A connection is the socket
moderation sees through its ports (moderation/ports.py: ``Socket``, and each
:class:`Membership` a ``Seat``). Domain errors become ``error`` frames with a stable
code and a translated message; garbage is answered without harm and repeated garbage
closes the socket with 1008. Nothing here logs what people write.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError
from starlette.websockets import WebSocket

from kuulolla.accounts import crypto
from kuulolla.accounts.permissions import ANONYMOUS, Principal
from kuulolla.chat import entering, logic, store
from kuulolla.chat.decoding import FrameError, decode_client_frame
from kuulolla.chat.joining import (
    Resync,
    RoomClosed,
    RoomFacts,
    StaffElsewhere,
    decide_join,
)
from kuulolla.chat.limits import SocketBudget, TooManyConnections
from kuulolla.chat.membership import Identity, Membership
from kuulolla.chat.moderation_protocol import MODERATION_FRAMES
from kuulolla.chat.protocol import (
    CLOSE_POLICY,
    CLOSE_SERVER_ERROR,
    CLOSE_TOO_BIG,
    CLOSE_TRY_AGAIN,
    CLOSE_UNSUPPORTED,
    PROTOCOL_VERSION,
    Ack,
    ErrorFrame,
    Hello,
    Join,
    Leave,
    Left,
    Me,
    Ping,
    Pong,
    Refer,
    Send,
    ServerFrame,
    Welcome,
)
from kuulolla.chat.server import ChatServer
from kuulolla.chat.sockets import RAW_EXTENSION, AsgiSink, OutFrame, RawSink, Sink
from kuulolla.core import i18n, metrics
from kuulolla.core.errors import (
    AppError,
    BadRequest,
    RateLimited,
    Unavailable,
)
from kuulolla.core.i18n import N_
from kuulolla.core.ids import new_token, token_key
from kuulolla.core.origins import origin_allowed
from kuulolla.directory import referrals
from kuulolla.moderation import commands as moderation_commands
from kuulolla.shifts.availability import RoomNotOpen

log = logging.getLogger(__name__)

MAX_BAD_FRAMES = 20
ADMIN = "admin"

__all__ = ["Connection", "Identity", "Membership", "RoomClosed", "StaffElsewhere"]


async def websocket_endpoint(websocket: WebSocket) -> None:
    server: ChatServer = websocket.state.chat
    settings = server.settings
    headers = websocket.headers
    if not origin_allowed(
        origin=headers.get("origin"),
        host=headers.get("host"),
        scheme="https" if websocket.scope.get("scheme") == "wss" else "http",
        allowed=settings.allowed_origins,
    ):
        # Before accept: the server answers the handshake with 403.
        await websocket.close(code=CLOSE_POLICY)
        return
    budget = await server.limits.admit(websocket)
    await websocket.accept()
    locale = i18n.negotiate(
        [
            websocket.cookies.get("lang"),
            *i18n.parse_accept_language(headers.get("accept-language")),
        ],
        settings.default_locale,
    )
    principal: Principal = getattr(websocket.state, "principal", ANONYMOUS)
    connection = Connection(server, websocket, locale, principal, budget)
    server.connections.add(connection)
    metrics.CONNECTIONS.inc()
    try:
        if budget.counted:
            await connection.run()
        else:  # too many sockets of this network open here (chat/limits.py)
            connection.error(TooManyConnections(), ref=None, room=None)
            await connection.close(CLOSE_TRY_AGAIN)
    finally:
        server.limits.release(budget)
        metrics.CONNECTIONS.dec()
        server.connections.discard(connection)
        await connection.cleanup()


class Connection:
    __slots__ = (
        "bad_frames",
        "bucket",
        "budget",
        "closing",
        "identity",
        "locale",
        "principal",
        "rooms",
        "server",
        "session_id",
        "settings",
        "sink",
        "user_id",
        "websocket",
    )

    def __init__(
        self,
        server: ChatServer,
        websocket: WebSocket,
        locale: str,
        principal: Principal,
        budget: SocketBudget,
    ) -> None:
        self.server = server
        self.budget = budget  # what this socket and its network may still do
        # Staff are recognised once, from the session cookie on the handshake; the
        # session is re-checked while the socket is open (chat/server.py).
        self.principal = principal
        self.user_id = principal.user_id
        self.session_id = principal.session_id if principal.authenticated else None
        self.settings = server.settings
        self.websocket = websocket
        self.locale = locale
        self.identity: Identity | None = None
        self.rooms: dict[str, Membership] = {}
        self.bucket = logic.TokenBucket(self.settings.send_rate, self.settings.send_burst)
        self.bad_frames = 0
        self.closing = False
        raw = websocket.scope.get("extensions", {}).get(RAW_EXTENSION)
        limit = self.settings.outbox_limit_bytes
        self.sink: Sink = (
            RawSink(websocket, raw, limit=limit, on_overflow=self._overflowed)
            if raw is not None
            else AsgiSink(websocket, limit=limit, on_overflow=self._overflowed)
        )

    # ------------------------------------------------------------ loop

    async def run(self) -> None:
        ws = self.websocket
        try:
            # A timer, not wait_for's task per socket.
            async with asyncio.timeout(self.settings.hello_timeout):
                first = await ws.receive()
        except TimeoutError:
            await self.close(CLOSE_POLICY)
            return
        message = first
        while message["type"] == "websocket.receive" and not self.closing:
            text = message.get("text")
            if text is None:
                await self.close(CLOSE_UNSUPPORTED)
                return
            if len(text) > self.settings.max_frame_bytes:
                await self.close(CLOSE_TOO_BIG)
                return
            await self.handle(text)
            if self.closing or self.sink.closed:
                return
            message = await ws.receive()

    async def handle(self, text: str) -> None:
        ref: str | None = None
        room: str | None = None
        try:
            frame = decode_client_frame(text)
            if isinstance(frame, Send):
                ref, room = frame.ref, frame.room
                await self.on_send(frame)
            elif isinstance(frame, Join):
                room = frame.room
                await self.on_join(frame)
            elif isinstance(frame, Hello):
                await self.on_hello(frame)
            elif isinstance(frame, Leave):
                room = frame.room
                self.on_leave(frame)
            elif isinstance(frame, Ping):
                self.push(Pong())
            elif isinstance(frame, MODERATION_FRAMES):
                room = frame.room
                await moderation_commands.handle(self.server.moderation, self, frame)
            elif isinstance(frame, Refer):
                ref, room = frame.ref, frame.room
                await referrals.handle(self, frame)
        except FrameError as exc:
            self.bad_frames += 1
            self.push(
                ErrorFrame(
                    code=exc.code,
                    message=i18n.gettext(
                        self.locale, N_("The frame was not understood: {detail}"), detail=exc.detail
                    ),
                )
            )
            if self.bad_frames > MAX_BAD_FRAMES:
                await self.close(CLOSE_POLICY)
        except (DBAPIError, OSError, TimeoutError) as exc:
            # The database is unreachable (restarting, failing over): nothing changed;
            # the client may try again.
            log.warning(
                "chat.database_unavailable: %s",
                type(exc).__name__,
                extra={"event": "chat.database_unavailable"},
            )
            self.error(Unavailable(), ref=ref, room=room)
        except AppError as exc:
            self.error(exc, ref=ref, room=room)
            if exc.close_code is not None:
                await self.close(exc.close_code)
        except Exception:
            log.exception("chat.handler_failed", extra={"event": "chat.handler_failed"})
            self.push(
                ErrorFrame(
                    code="internal",
                    message=i18n.gettext(self.locale, AppError.default_message),
                    ref=ref,
                )
            )
            await self.close(CLOSE_SERVER_ERROR)

    def error(self, exc: AppError, *, ref: str | None, room: str | None) -> None:
        wait = None
        if ref is not None:
            metrics.MESSAGES_REFUSED.labels(exc.code).inc()
            wait = retry_after(exc)
        self.push(
            ErrorFrame(
                code=exc.code, message=exc.translated(self.locale), ref=ref, room=room, wait=wait
            )
        )

    # ------------------------------------------------------------ frames

    def require_hello(self) -> Identity:
        if self.identity is None:
            raise HelloRequired()
        return self.identity

    async def on_hello(self, frame: Hello) -> None:
        if self.identity is not None:
            raise BadRequest(N_("Hello was already said on this connection."), code="already_hello")
        if frame.v != PROTOCOL_VERSION:
            raise UnsupportedVersion(version=PROTOCOL_VERSION)
        await self.server.limits.check_hello(self.budget)
        if frame.lang:
            self.locale = i18n.negotiate([frame.lang], self.locale)
        token = frame.token or new_token()
        principal = self.principal
        if principal.authenticated and principal.user_id is not None:
            role = ADMIN if principal.is_admin and not principal.roles else principal.highest_role
            self.identity = Identity(
                author_key=crypto.staff_author_key(self.settings.secret_key, principal.user_id),
                kind="staff",
                role=str(role) if role else "staff",
                name=principal.display_name,
            )
            me = Me(kind="staff", name=principal.display_name, role=self.identity.role)
        else:
            self.identity = Identity(author_key=token_key(token), new=frame.token is None)
            me = Me(kind="visitor")
        self.push(Welcome(v=PROTOCOL_VERSION, token=token, me=me))
        self.forget_handshake()

    async def on_join(self, frame: Join) -> None:
        """Gather what the join is decided on, decide it (chat/joining.py), carry it out."""
        identity = self.require_hello()
        server = self.server
        await server.limits.check_join(self.budget)
        room = await server.rooms.get(frame.room, now=server.clock.monotonic())
        staff = identity.kind == "staff"
        try:
            plan = decide_join(
                room=RoomFacts(room.kind, room.organisation_id, room.open) if room else None,
                staff=staff,
                principal=self.principal,
                name=identity.name,
                nick=frame.nick,
                since=frame.since,
                new_visitor=identity.new,
                **await entering.join_facts(
                    self, room, staff=staff, author_key=identity.author_key
                ),
                max_nick_chars=self.settings.max_nick_chars,
            )
        except (Resync, RoomClosed, RoomNotOpen):
            metrics.JOINS.labels("closed").inc()
            raise
        assert room is not None  # decide_join refuses a missing room
        await entering.enter(self, frame, room, plan, identity)

    async def on_send(self, frame: Send) -> None:
        identity = self.require_hello()
        membership = self.rooms.get(frame.room)
        if membership is None:
            raise BadRequest(N_("Join the room before writing in it."), code="not_joined")
        if membership.role == "visitor":
            closed = self.server.room_states.cached_closed(membership.room.id)
            if closed is not None:
                raise RoomNotOpen(closed)
        if not self.bucket.take(self.server.clock.monotonic()):
            raise RateLimited()
        text = logic.clean_text(frame.text, max_chars=self.settings.max_message_chars)
        ref_key = hashlib.sha256(identity.author_key + frame.ref.encode()).digest()[:16]
        ref, room = frame.ref, frame.room
        live = self.server.moderation
        text, verdict = await live.screen_send(
            self, membership, text=text, ref=ref, ref_key=ref_key
        )
        if not text:
            return  # held for a moderator: the sender has been told
        on_stored: Callable[[store.Stored], None] = self._acker(ref)
        if verdict is not None and verdict.crisis is not None:
            author_key = identity.author_key

            def on_stored(stored: store.Stored) -> None:
                self.push(Ack(ref=ref, seq=stored.seq))
                live.after_stored(membership, verdict, seq=stored.seq, author_key=author_key)

        self.server.committer.enqueue(
            store.Draft(
                room_id=membership.room.id,
                author_key=identity.author_key,
                nick=membership.nick,
                role=membership.role,
                text=text,
                ref_key=ref_key,
            ),
            on_stored=on_stored,
            on_failed=lambda exc: self.error(Unavailable(), ref=ref, room=room),
        )

    def _acker(self, ref: str) -> Callable[[store.Stored], None]:
        return lambda stored: self.push(Ack(ref=ref, seq=stored.seq))

    def on_leave(self, frame: Leave) -> None:
        self.require_hello()
        membership = self.rooms.pop(frame.room, None)
        if membership is not None:
            self.server.fanout.detach(membership.hub, self.sink)
            self.server.nicks.drop(self, membership.room.id)
        self.push(Left(room=frame.room))

    def forget_handshake(self) -> None:
        """Drop the handshake's headers (cookies included): everything needed from them
        has been read by now, and a socket may live for hours."""
        ws = self.websocket
        ws.scope["headers"] = []
        for cached in ("_headers", "_cookies", "_url"):
            ws.__dict__.pop(cached, None)

    # ------------------------------------------------------------ moderation's port
    # (moderation/ports.py: Socket)

    @property
    def author_key(self) -> bytes | None:
        return self.identity.author_key if self.identity is not None else None

    def leave(self, slug: str) -> None:
        membership = self.rooms.pop(slug, None)
        if membership is not None:
            self.server.fanout.detach(membership.hub, self.sink)

    def host_present(self, slug: str) -> bool:
        membership = self.rooms.get(slug)
        return membership is not None and self.server.fanout.host_present(membership.hub)

    def set_host(self, slug: str, host: bool) -> None:
        membership = self.rooms.get(slug)
        if membership is not None:
            self.server.fanout.set_host(membership.hub, self.sink, host)

    async def ban_digests(self) -> list[bytes]:
        """Today's and yesterday's digests of the socket's network, made once when the
        socket was admitted (chat/limits.py; the address itself is not kept)."""
        return self.budget.digests

    async def check_to_moderators(self) -> None:
        await self.server.limits.check_to_moderators(self.budget)

    # ------------------------------------------------------------ output

    def push(self, frame: ServerFrame) -> None:
        self.sink.push(OutFrame.of(frame))

    def _overflowed(self) -> None:
        self.server.fanout.metrics.overflows += 1
        metrics.OUTBOX_OVERFLOWS.inc()
        self.closing = True

    async def close(self, code: int) -> None:
        self.closing = True
        await self.sink.close(code)

    async def close_from_server(self, code: int) -> None:
        """Close this connection from elsewhere (sign-out, shutdown)."""
        await self.close(code)

    async def cleanup(self) -> None:
        for membership in self.rooms.values():
            self.server.fanout.detach(membership.hub, self.sink)
        self.rooms.clear()
        self.server.nicks.drop_all(self)
        with contextlib.suppress(Exception):
            await self.sink.close(1000)


def retry_after(exc: AppError) -> int | None:
    """Seconds after which a message refused with ``exc`` may pass when sent again: a
    refusal for now only (too many frames, slow mode, a burst or the newcomer wait), so
    the client keeps the message and sends it then. None: it would be refused again."""
    if isinstance(exc, RateLimited):
        return 1
    seconds = exc.params.get("wait", exc.params.get("seconds"))
    return seconds if isinstance(seconds, int) and seconds > 0 else None


class HelloRequired(AppError):
    code = "hello_required"
    close_code = CLOSE_POLICY
    default_message = N_("Say hello first.")


class UnsupportedVersion(AppError):
    code = "unsupported_version"
    close_code = CLOSE_POLICY
    default_message = N_("This protocol version is not supported; use version {version}.")

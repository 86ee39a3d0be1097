"""The application factory.

``create_app(settings)`` builds the Starlette app; its lifespan owns the resources
(database engine, broker, chat server) and hands them to requests through the
lifespan state. ``app_from_env`` is the factory uvicorn's workers call.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from kuulolla.accounts import routes as accounts
from kuulolla.accounts.passwords import Passwords
from kuulolla.accounts.sessions import do_housekeeping
from kuulolla.accounts.throttle import SignInThrottle
from kuulolla.chat.endpoint import websocket_endpoint
from kuulolla.chat.server import ChatServer
from kuulolla.core import metrics
from kuulolla.core.bankey import make_ban_keys
from kuulolla.core.broker import Broker, MemoryBrokerClient, make_redis_broker
from kuulolla.core.clock import HELSINKI, Clock
from kuulolla.core.db import Database
from kuulolla.core.errors import AppError, InternalError, NotFound
from kuulolla.core.limits import Limiter, make_limiter
from kuulolla.core.logging import REQUEST_ID, configure_logging
from kuulolla.core.settings import Settings
from kuulolla.core.tasks import cancel_and_wait, raise_if_cancelled
from kuulolla.directory import routes as directory
from kuulolla.directory import routes_admin as directory_admin
from kuulolla.directory import routes_import as directory_import
from kuulolla.directory import routes_manage as directory_manage
from kuulolla.embed import routes as embed
from kuulolla.moderation import routes as moderation
from kuulolla.moderation import routes_desk as moderation_desk
from kuulolla.notify import routes as notify
from kuulolla.notify.tasks import do_notify_round
from kuulolla.privacy import routes as privacy
from kuulolla.privacy.service import do_purge
from kuulolla.questions import routes as questions
from kuulolla.questions import routes_ask as questions_ask
from kuulolla.questions import staff_routes as questions_staff
from kuulolla.queue import routes as queue
from kuulolla.queue import routes_console as queue_console
from kuulolla.queue import routes_feedback as queue_feedback
from kuulolla.queue import routes_manage as queue_manage
from kuulolla.queue.changes import QueueChanges
from kuulolla.reports import routes as reports
from kuulolla.rooms import routes as rooms
from kuulolla.shifts import routes as shifts
from kuulolla.shifts import routes_manage as shifts_manage
from kuulolla.shifts import routes_templates as shifts_templates
from kuulolla.shifts.tasks import do_shift_housekeeping
from kuulolla.web import crisis, pages, pwa, seo
from kuulolla.web.access import (
    PrincipalMiddleware,
    public,
    public_app,
    public_socket,
    resolve_scope,
)
from kuulolla.web.bodies import BodyLimitMiddleware
from kuulolla.web.locale import LocaleMiddleware
from kuulolla.web.request_ids import RequestIdMiddleware, new_request_id, route_template
from kuulolla.web.security import SecurityHeadersMiddleware, address_in, bearer_matches
from kuulolla.web.streams import Stopping
from kuulolla.web.templating import render

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"


def _broker_event(name: str) -> None:
    if name == "reconnected":
        metrics.BROKER_RECONNECTS.inc()
    elif name == "publish_failed":
        metrics.BROKER_PUBLISH_FAILURES.inc()


def make_broker(settings: Settings) -> Broker:
    if settings.redis_url:
        return make_redis_broker(
            settings.redis_url, prefix=settings.broker_prefix, on_event=_broker_event
        )
    return MemoryBrokerClient()


async def _queue_changes(chat: ChatServer, settings: Settings) -> QueueChanges:
    """The queue status streams' wake-ups (queue/changes.py), on the chat server's
    broker link: a channel of their own, handed on from the messages that are no room's."""
    changes = QueueChanges(node=chat.fanout.node)
    broker = chat.fanout.broker
    changes.attach(channel=f"{settings.broker_prefix}:queue", publish=broker.publish)
    others = chat.fanout.on_other

    def on_other(channel: str, data: bytes) -> None:
        if channel == changes.channel:
            changes.on_message(data)
        else:
            others(channel, data)

    chat.fanout.on_other = on_other
    await broker.subscribe(changes.channel)
    return changes


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    broker: Broker | None = None,
    database: Database | None = None,
) -> Starlette:
    """Build the application. ``clock``, ``broker`` and ``database`` replace the ones the
    settings describe (tests share one broker between several apps this way)."""
    clock = clock or Clock()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        db = database or Database.from_url(
            settings.effective_database_url, pool_size=settings.effective_db_pool_size
        )
        bankeys = make_ban_keys(redis_url=settings.redis_url, prefix=settings.broker_prefix)
        limiter = make_limiter(
            redis_url=settings.redis_url,
            prefix=settings.broker_prefix,
            db=db,
            wall=lambda: clock.now().timestamp(),
        )
        chat = ChatServer(
            settings=settings,
            db=db,
            broker=broker or make_broker(settings),
            clock=clock,
            bankeys=bankeys,
            limiter=limiter,
        )
        passwords = Passwords.from_settings(settings)
        throttle = SignInThrottle(
            limiter,
            bankeys,
            secret=settings.secret_key,
            free=settings.signin_free_failures,
            client_free=settings.signin_client_free_failures,
            window=settings.signin_window,
            link_attempts=settings.link_attempts,
        )
        await chat.start()
        queue_changes = await _queue_changes(chat, settings)
        stopping = Stopping()
        stopping.on_stop(queue_changes.wake_all)
        # Everything made at start-up (modules, templates, catalogs) lives as long as
        # the process: freeze it so the collector's full passes skip it, and collect
        # the young generation less often. Thousands of sockets each keep a few dozen
        # objects alive; the default thresholds collect far more often than needed,
        # and each pass adds latency to whatever message is being delivered.
        gc.collect()
        gc.freeze()
        gc.set_threshold(*settings.gc_thresholds)
        sys.setswitchinterval(settings.switch_interval)
        housekeeping = asyncio.create_task(
            _housekeeping(db, settings, clock, limiter), name="housekeeping"
        )
        purging = asyncio.create_task(_purging(db, settings, clock), name="purge")
        notifying = asyncio.create_task(_notifying(db, settings, clock), name="notify")
        try:
            yield {
                "settings": settings,
                "db": db,
                "chat": chat,
                # Rooms' openings by their roster (shifts.rooms.RoomOpenings): the chat
                # server's copy, so a roster change seen here reaches joins at once.
                "room_openings": chat.room_states,
                "queue_changes": queue_changes,
                # Set when uvicorn begins a graceful shutdown: page streams end at once.
                "stopping": stopping,
                "clock": clock,
                "passwords": passwords,
                "throttle": throttle,
                "limiter": limiter,
                "bankeys": bankeys,
            }
        finally:
            await cancel_and_wait((housekeeping, purging, notifying))
            await chat.stop()
            await limiter.close()
            await bankeys.close()
            await chat.fanout.broker.close()
            if database is None:
                await db.dispose()
            else:
                # Connections stopped mid-statement by the cancellations above still
                # answer on this event loop; it must outlive them.
                await db.settle()

    # Each domain contributes a ROUTES list from its routes/pages module.
    # Every route declares who may use it (web/access.py); a test walks this table.
    routes = [
        *pages.ROUTES,
        *privacy.ROUTES,
        *questions.ROUTES,
        *questions_ask.ROUTES,
        *questions_staff.ROUTES,
        *queue.ROUTES,
        *queue_console.ROUTES,
        *queue_manage.ROUTES,
        *queue_feedback.ROUTES,
        *accounts.ROUTES,
        *moderation.ROUTES,
        *moderation_desk.ROUTES,
        *notify.ROUTES,
        *directory.ROUTES,
        *directory_manage.ROUTES,
        *directory_import.ROUTES,
        *directory_admin.ROUTES,
        *reports.ROUTES,
        *rooms.ROUTES,
        *shifts.ROUTES,
        *shifts_manage.ROUTES,
        *shifts_templates.ROUTES,
        *embed.ROUTES,
        *seo.ROUTES,
        *pwa.ROUTES,
        Route("/healthz", health, name="healthz"),
        Route("/readyz", ready, name="readyz"),
        *([Route("/metrics", metrics_endpoint, name="metrics")] if settings.metrics else []),
        WebSocketRoute(
            "/ws",
            public_socket(
                websocket_endpoint,
                "open handshake; staff are recognised from the session cookie, and joining a "
                "room as staff needs chat_as_staff in the room's organisation",
            ),
            name="ws",
        ),
        Mount(
            "/static",
            app=public_app(StaticFiles(directory=STATIC_DIR), "read-only files"),
            name="static",
        ),
    ]
    middleware = [
        Middleware(RequestIdMiddleware),
        Middleware(SecurityHeadersMiddleware, hsts=not settings.development),
        Middleware(LocaleMiddleware, default=settings.default_locale),
        Middleware(PrincipalMiddleware, settings=settings, clock=clock),
        # A chat open now for every page's crisis strip (web/crisis.py).
        Middleware(crisis.OpenChatLookup, clock=clock),
        # Bodies are bounded before any route parses them (after the locale and the
        # principal are known, so the refusal is a translated page).
        Middleware(
            BodyLimitMiddleware,
            form_bytes=settings.max_form_bytes,
            json_bytes=settings.max_json_bytes,
            timeout=settings.body_timeout,
            refuse=refuse_request,
            uploads=directory_import.UPLOADS,
        ),
    ]
    app = KuulollaApp(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={
            AppError: app_error,
            404: not_found,
            405: not_found,
            Exception: server_error,
        },
    )
    app.state.settings = settings
    app.state.clock = clock
    # The sitemap's sections, from each domain with indexable pages (web/seo.py).
    app.state.sitemap = [*pages.SITEMAP, *questions.SITEMAP, *directory.SITEMAP]
    return app


HOUSEKEEPING_INTERVAL = 3600.0


async def _housekeeping(db: Database, settings: Settings, clock: Clock, limiter: Limiter) -> None:
    """Delete ended staff sessions, old links, audit events past retention and ended
    limit counters, hourly; generate the shift horizon at start and hourly."""

    while True:
        try:
            await do_shift_housekeeping(db, now=clock.now())
        except Exception:
            raise_if_cancelled()
            log.warning("shifts.housekeeping_failed", extra={"event": "shifts.housekeeping_failed"})
        await asyncio.sleep(HOUSEKEEPING_INTERVAL)
        try:
            await do_housekeeping(db, settings=settings, now=clock.now())
            await limiter.prune()
        except Exception:
            raise_if_cancelled()
            log.warning(
                "accounts.housekeeping_failed", extra={"event": "accounts.housekeeping_failed"}
            )


async def _notifying(db: Database, settings: Settings, clock: Clock) -> None:
    """Escalate crisis alerts nobody took in time and send staff e-mail that is due,
    every ``KUULOLLA_NOTIFY_INTERVAL`` seconds (kuulolla/notify/tasks.py)."""
    while True:
        await asyncio.sleep(settings.notify_interval)
        try:
            await do_notify_round(db, settings=settings, now=clock.now())
        except Exception:
            raise_if_cancelled()
            log.warning("notify.round_failed", extra={"event": "notify.round_failed"})


VACUUM_HOUR = 4


async def _purging(db: Database, settings: Settings, clock: Clock) -> None:
    """Delete data past its retention period (kuulolla/privacy), every
    ``KUULOLLA_PURGE_INTERVAL`` seconds. SQLite is also rebuilt with VACUUM once a day,
    in the night hour (04, Helsinki time) when the rooms are quietest: VACUUM holds the
    write lock while it runs."""

    if settings.purge_interval <= 0:
        return
    redis: Any = None
    if settings.redis_url:
        from kuulolla.core.redis_pool import redis_client

        redis = redis_client(settings.redis_url, socket_connect_timeout=2, socket_timeout=5)
    last_vacuum: float | None = None
    try:
        while True:
            await asyncio.sleep(settings.purge_interval)
            vacuum = clock.now().astimezone(HELSINKI).hour == VACUUM_HOUR and (
                last_vacuum is None or clock.monotonic() - last_vacuum >= 20 * 3600
            )
            try:
                await do_purge(db, settings=settings, now=clock.now(), redis=redis, vacuum=vacuum)
                if vacuum:
                    last_vacuum = clock.monotonic()
            except Exception:
                raise_if_cancelled()
                log.warning("privacy.purge_failed", extra={"event": "privacy.purge_failed"})
    finally:
        if redis is not None:
            await redis.aclose()


class KuulollaApp(Starlette):
    """Starlette, with the chat socket routed past the middleware stack.

    Every middleware layer keeps a coroutine frame alive for as long as a request
    lasts; for a WebSocket that is hours, for thousands of sockets. Of the layers only
    the principal resolution matters to the socket (security headers and locale apply
    to HTTP, errors are handled in the endpoint), so ``/ws`` resolves the session
    cookie itself and goes straight to its endpoint.
    """

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "websocket" and scope["path"] == "/ws":
            scope["app"] = self
            REQUEST_ID.set(new_request_id())
            await resolve_scope(scope, settings=self.state.settings, clock=self.state.clock)
            await websocket_endpoint(WebSocket(scope, receive, send))
            return
        await super().__call__(scope, receive, send)


def app_from_env() -> Starlette:
    """Factory for uvicorn workers: settings from the environment."""
    settings = Settings.from_env()
    configure_logging(settings)
    from kuulolla.web.uvicorn_http import KuulollaHttpProtocol
    from kuulolla.web.uvicorn_ws import KuulollaWebSocketProtocol

    KuulollaWebSocketProtocol.send_buffer_bytes = settings.socket_send_buffer_bytes
    KuulollaHttpProtocol.header_timeout = settings.header_timeout
    KuulollaHttpProtocol.max_connections = settings.max_connections
    return create_app(settings)


# ------------------------------------------------------------------ plain routes


@public
async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


@public
async def metrics_endpoint(request: Request) -> Response:
    """Prometheus metrics for the monitoring system only: a client address in
    ``KUULOLLA_METRICS_ALLOW`` or the bearer token ``KUULOLLA_METRICS_TOKEN``; anyone
    else gets the same 404 as any unknown address."""
    settings: Settings = request.app.state.settings
    client = request.client.host if request.client else None
    if not (
        address_in(client, settings.metrics_allow)
        or bearer_matches(request.headers.get("authorization"), settings.metrics_token)
    ):
        raise NotFound()
    body, content_type = metrics.render()
    return Response(body, media_type=content_type, headers={"cache-control": "no-store"})


@public
async def ready(request: Request) -> Response:
    db: Database = request.state.db
    chat: ChatServer = request.state.chat
    checks = {"database": "ok", "broker": "ok"}
    try:
        await db.ping()
    except Exception:
        checks["database"] = "unavailable"
    try:
        await chat.fanout.broker.ping()
        if not chat.fanout.broker.connected:
            checks["broker"] = "reconnecting"
    except Exception:
        checks["broker"] = "unavailable"
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ok" if ok else "degraded", **checks}, status_code=200 if ok else 503
    )


# ------------------------------------------------------------------ errors


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


async def app_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, AppError):
        exc = InternalError()
    message = exc.translated(request.state.locale)
    if _wants_json(request):
        return JSONResponse(
            {"error": {"code": exc.code, "message": message}}, status_code=exc.status
        )
    return render(
        request, "error.html", {"status": exc.status, "message": message}, status_code=exc.status
    )


async def refuse_request(scope: Scope, receive: Receive, send: Send, exc: AppError) -> None:
    """Answer a request refused before its body was read: the error page (or JSON for a
    JSON request) and ``Connection: close``, so nothing more of the body is read."""
    request = Request(scope, receive)
    if request.headers.get("content-type", "").startswith("application/json"):
        message = exc.translated(request.state.locale)
        response: Response = JSONResponse(
            {"error": {"code": exc.code, "message": message}}, status_code=exc.status
        )
    else:
        response = await app_error(request, exc)
    response.headers["connection"] = "close"
    await response(scope, receive, send)


async def not_found(request: Request, exc: Exception) -> Response:
    return await app_error(request, NotFound())


async def server_error(request: Request, exc: Exception) -> Response:
    log.error(
        "web.unhandled",
        exc_info=exc,
        extra={"event": "web.unhandled", "path": route_template(request.scope)},
    )
    return await app_error(request, InternalError())

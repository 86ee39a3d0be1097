"""The application factory.

``create_app(settings)`` builds the Starlette app; its lifespan owns the resources
(database engine, broker, chat server) and hands them to requests through the
lifespan state. ``app_from_env`` is the factory uvicorn's workers call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from kuulolla.accounts import routes as accounts
from kuulolla.accounts.access import PrincipalMiddleware, public, public_app, public_socket
from kuulolla.accounts.passwords import Passwords
from kuulolla.accounts.sessions import do_housekeeping
from kuulolla.accounts.throttle import (
    MemoryThrottleStore,
    RedisThrottleStore,
    SignInThrottle,
    ThrottleStore,
)
from kuulolla.chat.endpoint import websocket_endpoint
from kuulolla.chat.server import ChatServer
from kuulolla.core.broker import Broker, MemoryBrokerClient, RedisBroker
from kuulolla.core.clock import Clock
from kuulolla.core.db import Database
from kuulolla.core.errors import AppError, InternalError, NotFound
from kuulolla.core.logging import configure_logging
from kuulolla.core.settings import Settings
from kuulolla.web import pages
from kuulolla.web.locale import LocaleMiddleware
from kuulolla.web.security import SecurityHeadersMiddleware
from kuulolla.web.templating import render

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"


def make_broker(settings: Settings) -> Broker:
    if settings.redis_url:
        return RedisBroker(settings.redis_url, prefix=settings.broker_prefix)
    return MemoryBrokerClient()


def make_throttle_store(settings: Settings) -> ThrottleStore:
    if settings.redis_url:
        return RedisThrottleStore(
            settings.redis_url, prefix=settings.broker_prefix, max_delay=settings.signin_max_delay
        )
    return MemoryThrottleStore(max_delay=settings.signin_max_delay)


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
            settings.effective_database_url, pool_size=settings.db_pool_size
        )
        chat = ChatServer(
            settings=settings, db=db, broker=broker or make_broker(settings), clock=clock
        )
        passwords = Passwords.from_settings(settings)
        throttle = SignInThrottle(
            make_throttle_store(settings),
            secret=settings.secret_key,
            free=settings.signin_free_failures,
            client_free=settings.signin_client_free_failures,
            max_delay=settings.signin_max_delay,
            wall=lambda: clock.now().timestamp(),
        )
        await chat.start()
        housekeeping = asyncio.create_task(_housekeeping(db, settings, clock), name="housekeeping")
        try:
            yield {
                "settings": settings,
                "db": db,
                "chat": chat,
                "clock": clock,
                "passwords": passwords,
                "throttle": throttle,
            }
        finally:
            housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await housekeeping
            await chat.stop()
            await throttle.store.close()
            await chat.fanout.broker.close()
            if database is None:
                await db.dispose()

    # Each domain contributes a ROUTES list from its routes/pages module.
    # Every route declares who may use it (accounts/access.py); a test walks this table.
    routes = [
        *pages.ROUTES,
        *accounts.ROUTES,
        Route("/healthz", health, name="healthz"),
        Route("/readyz", ready, name="readyz"),
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
        Middleware(SecurityHeadersMiddleware, hsts=not settings.development),
        Middleware(LocaleMiddleware, default=settings.default_locale),
        Middleware(PrincipalMiddleware, settings=settings, clock=clock),
    ]
    app = Starlette(
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
    return app


HOUSEKEEPING_INTERVAL = 3600.0


async def _housekeeping(db: Database, settings: Settings, clock: Clock) -> None:
    """Delete ended staff sessions, old links and audit events past retention, hourly."""
    while True:
        await asyncio.sleep(HOUSEKEEPING_INTERVAL)
        try:
            await do_housekeeping(db, settings=settings, now=clock.now())
        except Exception:
            log.warning(
                "accounts.housekeeping_failed", extra={"event": "accounts.housekeeping_failed"}
            )


def app_from_env() -> Starlette:
    """Factory for uvicorn workers: settings from the environment."""
    settings = Settings.from_env()
    configure_logging(settings)
    return create_app(settings)


# ------------------------------------------------------------------ plain routes


@public
async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


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


async def not_found(request: Request, exc: Exception) -> Response:
    return await app_error(request, NotFound())


async def server_error(request: Request, exc: Exception) -> Response:
    log.error(
        "web.unhandled", exc_info=exc, extra={"event": "web.unhandled", "path": request.url.path}
    )
    return await app_error(request, InternalError())

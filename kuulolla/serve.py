"""Running the server: uvicorn with the project's WebSocket protocol, one process or
several supervised workers sharing one listening socket."""

from __future__ import annotations

import os
import sys
import tempfile

import uvicorn
from uvicorn.supervisors import Multiprocess

from kuulolla.core.logging import configure_logging
from kuulolla.core.settings import Settings


def uvicorn_config(settings: Settings) -> uvicorn.Config:
    return uvicorn.Config(
        "kuulolla.web.app:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        loop="uvloop" if sys.platform != "win32" else "asyncio",
        http="kuulolla.web.uvicorn_http:KuulollaHttpProtocol",
        ws="kuulolla.web.uvicorn_ws:KuulollaWebSocketProtocol",
        ws_max_size=settings.max_frame_bytes,
        ws_per_message_deflate=False,  # compression off: CPU per message and CRIME-style leaks
        ws_ping_interval=20.0,
        ws_ping_timeout=20.0,
        lifespan="on",
        access_log=False,
        log_config=None,
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=list(settings.forwarded_allow_ips) or None,
        server_header=False,
        date_header=True,
        timeout_graceful_shutdown=int(settings.shutdown_grace) or None,
        timeout_keep_alive=max(1, round(settings.keepalive_timeout)),
    )


def serve(settings: Settings) -> None:
    """Serve until stopped. Workers rebuild the settings from the environment, so the
    settings are exported there first."""
    os.environ.update(settings.to_env())
    configure_logging(settings)
    config = uvicorn_config(settings)
    server = uvicorn.Server(config)
    if settings.workers > 1:
        if settings.metrics and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
            # Each worker writes its metrics to files here; /metrics sums them.
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="kuulolla-metrics-")
        sock = config.bind_socket()
        Multiprocess(config, sockets=[sock]).run()
    else:
        server.run()
        if not server.started:
            raise SystemExit(3)

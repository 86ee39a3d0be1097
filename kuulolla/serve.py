"""Running the server: uvicorn with the project's WebSocket protocol, one process or
several supervised workers sharing one listening socket."""

from __future__ import annotations

import logging
import os
import sys
import tempfile

import uvicorn
from uvicorn.supervisors import Multiprocess

from kuulolla.core.logging import configure_logging
from kuulolla.core.settings import Settings

log = logging.getLogger(__name__)


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


# Descriptors a process needs besides its connections: database pool, Redis links,
# log and data files, the listening socket.
SPARE_FILES = 1024


def raise_open_files(connections: int) -> None:
    """Raise the soft limit of open files to the hard limit, as far as an unprivileged
    process may (workers inherit it), so ``connections`` fit with room to spare; warn
    when the hard limit is too low for them. Past the limit every accept fails, which
    the connection cap (``KUULOLLA_MAX_CONNECTIONS``) is meant to prevent."""
    try:
        import resource
    except ImportError:  # not on Windows
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = connections + SPARE_FILES
    if hard == resource.RLIM_INFINITY:
        # No ceiling to raise to (the kernel's nr_open is one): take what is needed.
        if soft != resource.RLIM_INFINITY and soft < want:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
        return
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < want:
        log.warning(
            "serve.open_file_limit: the hard limit of open files (%d) is below "
            "KUULOLLA_MAX_CONNECTIONS plus %d; lower the setting or raise the limit",
            hard,
            SPARE_FILES,
            extra={"event": "serve.open_file_limit"},
        )


def serve(settings: Settings) -> None:
    """Serve until stopped. Workers rebuild the settings from the environment, so the
    settings are exported there first."""
    os.environ.update(settings.to_env())
    configure_logging(settings)
    raise_open_files(settings.max_connections)
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

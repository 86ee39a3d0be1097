"""Request bodies are bounded before anything parses them.

Without a limit the form parser read whatever came: a review raised a process from
178 to 320 MiB with one 150 MiB form (the CSRF check refused it only after parsing),
had 300 MiB of multipart spooled to the temporary directory and got a 200 for a
150 MiB chunked JSON body. :class:`BodyLimitMiddleware` reads the body itself, up to
the limit of its kind, before the application sees the request:

- ``application/json``: ``KUULOLLA_MAX_JSON_BYTES`` (16 KiB; the largest JSON the
  pages send is a queue entry's answers);
- everything else (HTML forms): ``KUULOLLA_MAX_FORM_BYTES`` (64 KiB; the longest form,
  an answer of 8,000 characters with the question's text, is about 15 KB of Finnish
  once encoded);
- ``multipart/form-data``: refused (415), except on the few paths that take a file
  (``uploads``: a pattern and its own limit, such as the directory's import of open
  data, 4 MiB), where any body may be as large as that path's limit.

A declared ``Content-Length`` over the limit is refused at once (413) without reading;
a chunked body is counted as it comes and refused as soon as it passes the limit. The
whole body must arrive within ``KUULOLLA_BODY_TIMEOUT`` seconds (else 408), so a
client cannot hold a request open by sending a byte at a time. Refusals carry
``Connection: close``: what the client still sends is never read.

The body read here is handed to the application unchanged; after it, the
application's ``receive`` is the server's again (a streaming response still hears a
disconnect).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import ClassVar

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kuulolla.core import metrics
from kuulolla.core.errors import AppError
from kuulolla.core.i18n import N_


class BodyTooLarge(AppError):
    code = "too_large"
    status = 413
    default_message = N_("What you sent is too long. Shorten it and try again.")


class FilesRefused(AppError):
    code = "files_refused"
    status = 415
    default_message = N_("Files cannot be sent here.")


class BodyTimeout(AppError):
    code = "body_timeout"
    status = 408
    default_message = N_("Sending took too long. Check your connection and try again.")


# Writes the refusal (a translated page or JSON) with "Connection: close".
Refuse = Callable[[Scope, Receive, Send, AppError], Awaitable[None]]

JSON_TYPES = ("application/json",)


class BodyLimitMiddleware:
    REASONS: ClassVar[dict[type[AppError], str]] = {
        BodyTooLarge: "body_size",
        FilesRefused: "files",
        BodyTimeout: "body_timeout",
    }

    def __init__(
        self,
        app: ASGIApp,
        *,
        form_bytes: int,
        json_bytes: int,
        timeout: float,
        refuse: Refuse,
        uploads: Sequence[tuple[re.Pattern[str], int]] = (),
    ) -> None:
        self.app = app
        self.form_bytes = form_bytes
        self.json_bytes = json_bytes
        self.timeout = timeout
        self.refuse = refuse
        self.uploads = tuple(uploads)

    def limit_for(self, content_type: str) -> int:
        kind = content_type.split(";", 1)[0].strip().lower()
        return self.json_bytes if kind in JSON_TYPES or kind.endswith("+json") else self.form_bytes

    def upload_limit(self, path: str) -> int | None:
        """The limit of a path that takes files, None for every other path."""
        for pattern, limit in self.uploads:
            if pattern.fullmatch(path):
                return limit
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        if not chunked and (length is None or length.strip() in ("", "0")):
            await self.app(scope, receive, send)  # no body
            return
        content_type = headers.get("content-type", "")
        upload = self.upload_limit(scope["path"])
        if (
            upload is None
            and content_type.split(";", 1)[0].strip().lower() == "multipart/form-data"
        ):
            await self._refuse(scope, receive, send, FilesRefused())
            return
        limit = upload if upload is not None else self.limit_for(content_type)
        if length is not None and (not length.strip().isdigit() or int(length) > limit):
            await self._refuse(scope, receive, send, BodyTooLarge())
            return
        body = bytearray()
        try:
            async with asyncio.timeout(self.timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return  # the client left; nothing to answer
                    body += message.get("body", b"")
                    if len(body) > limit:
                        await self._refuse(scope, receive, send, BodyTooLarge())
                        return
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            await self._refuse(scope, receive, send, BodyTimeout())
            return
        await self.app(scope, _replay(bytes(body), receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, exc: AppError) -> None:
        metrics.REQUESTS_REFUSED.labels(self.REASONS.get(type(exc), exc.code)).inc()
        await self.refuse(scope, receive, send, exc)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the body read already, then the server's own."""
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return replay

"""Request limits: a bounded request body (413) and bounded concurrency (429 + Retry-After).

A pure ASGI middleware in front of the routes:

- **Body size.** A declared ``Content-Length`` over ``MAX_REQUEST_BYTES`` is refused before any
  of the body is read. Otherwise the body is read here, message by message, and the request is
  refused as soon as the running total passes the limit (chunked uploads have no length up
  front), so an oversized body is never held in memory. The app then gets the body already
  read. The 413 closes the connection: the rest of the upload is not waited for.
- **Concurrency.** At most ``MAX_CONCURRENT_REQUESTS`` requests are in flight; more are answered
  at once with 429 and ``Retry-After``, before their body is read. Load balancers and clients
  retry elsewhere or later instead of queueing behind a saturated replica. The probes and
  ``/metrics`` are never shed: a busy replica must not look dead to the kubelet.

Worst-case memory held in request bodies is MAX_CONCURRENT_REQUESTS x MAX_REQUEST_BYTES; real
inference requests are a few kilobytes.
"""

from __future__ import annotations

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Probes and metrics: exempt from shedding (the body limit still applies).
UNSHED_PATHS = frozenset({"/v2/health/live", "/v2/health/ready", "/metrics"})
RETRY_AFTER_SECONDS = 1


def _is_unshed(path: str) -> bool:
    # Model readiness (/v2/models/{name}[/versions/{v}]/ready) is a probe as well.
    return path in UNSHED_PATHS or path.endswith("/ready")


class RequestLimits:
    def __init__(self, app: ASGIApp, max_body_bytes: int, max_concurrent: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_concurrent = max_concurrent
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        shed = not _is_unshed(scope["path"])
        if shed and self.in_flight >= self.max_concurrent:
            await _refuse(
                send,
                429,
                f"too many concurrent requests (limit {self.max_concurrent}); retry later",
                [(b"retry-after", str(RETRY_AFTER_SECONDS).encode())],
            )
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            await self._too_large(send)
            return
        if shed:
            self.in_flight += 1
        try:
            message = await receive()
            if message["type"] == "http.request" and message.get("more_body", False):
                message = await self._read_rest(message, receive)
                if message is None:
                    await self._too_large(send)
                    return
            elif len(message.get("body", b"")) > self.max_body_bytes:
                await self._too_large(send)
                return
            replayed = False

            async def replay() -> Message:
                nonlocal replayed
                if replayed:
                    # Body consumed: from here on the app only waits for a disconnect.
                    return await receive()
                replayed = True
                return message

            await self.app(scope, replay, send)
        finally:
            if shed:
                self.in_flight -= 1

    async def _read_rest(self, first: Message, receive: Receive) -> Message | None:
        """The whole body as one message, or None once it passes the limit (reading stops)."""
        chunks = [first.get("body", b"")]
        total = len(chunks[0])
        message = first
        while message.get("more_body", False):
            if total > self.max_body_bytes:
                return None
            message = await receive()
            if message["type"] != "http.request":
                return message  # the client went away; the app sees the disconnect
            chunk = message.get("body", b"")
            total += len(chunk)
            chunks.append(chunk)
        if total > self.max_body_bytes:
            return None
        return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

    async def _too_large(self, send: Send) -> None:
        await _refuse(
            send,
            413,
            f"request body larger than {self.max_body_bytes} bytes",
            [(b"connection", b"close")],
        )


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the HTTP server rejects malformed lengths itself
    return None


async def _refuse(send: Send, status: int, message: str, headers: list) -> None:
    body = orjson.dumps({"error": message})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

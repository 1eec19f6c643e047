"""Request limits: 413 over MAX_REQUEST_BYTES, 429 + Retry-After over MAX_CONCURRENT_REQUESTS."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
import pytest
from fastapi import FastAPI

from app.settings import Settings
from model.config import ConfigError
from tests.conftest import MODEL_NAME, Exchange, make_app, serving, v2_request

INFER = f"/v2/models/{MODEL_NAME}/infer"


def infer_body(rows) -> bytes:
    return orjson.dumps(v2_request(rows[:1]))


def padded(body: bytes, size: int) -> bytes:
    """The same JSON request, whitespace-padded to exactly ``size`` bytes."""
    assert len(body) <= size
    return body + b" " * (size - len(body))


@pytest.fixture
def run():
    return lambda coro: asyncio.run(coro)


# --- 413 -------------------------------------------------------------------------------------


def test_over_size_by_content_length_is_refused_before_reading(classifier_dir: Path, run) -> None:
    app = make_app(classifier_dir, max_request_bytes=1000)

    async def scenario() -> Exchange:
        async with serving(app):
            # Declares 99 MB; the body itself is never read.
            return await Exchange().run(
                app,
                "POST",
                INFER,
                [b"{" * 10],
                [(b"content-type", b"application/json"), (b"content-length", b"99000000")],
            )

    exchange = run(scenario())
    assert exchange.status == 413
    assert exchange.chunks_read == 0
    assert b"larger than 1000 bytes" in exchange.body
    assert exchange.headers[b"connection"] == b"close"


def test_over_size_streamed_without_length_stops_reading(classifier_dir: Path, run) -> None:
    app = make_app(classifier_dir, max_request_bytes=64 * 1024)
    # 99 chunks of 32 KiB (~3 MiB) streamed with no Content-Length (chunked upload).
    chunks = [b" " * (32 * 1024)] * 99

    async def scenario() -> Exchange:
        async with serving(app):
            return await Exchange().run(app, "POST", INFER, chunks)

    exchange = run(scenario())
    assert exchange.status == 413
    # Stopped just past the limit: 3 chunks (96 KiB), not the whole upload.
    assert exchange.chunks_read == 3
    assert orjson.loads(exchange.body)["error"].startswith("request body larger than")


def test_body_exactly_at_the_limit_is_accepted(classifier_dir: Path, classification_rows) -> None:
    body = infer_body(classification_rows)
    limit = len(body) + 100
    app = make_app(classifier_dir, max_request_bytes=limit)

    async def scenario() -> tuple[int, int, int]:
        async with serving(app) as http:
            at_limit = padded(body, limit)
            ok = await http.post(INFER, content=at_limit)
            # Streamed in pieces without Content-Length, still exactly at the limit.
            pieces = [at_limit[i : i + 500] for i in range(0, limit, 500)]
            streamed = await Exchange().run(app, "POST", INFER, pieces)
            over = await http.post(INFER, content=at_limit + b" ")
            return ok.status_code, streamed.status, over.status_code

    assert asyncio.run(scenario()) == (200, 200, 413)


# --- 429 -------------------------------------------------------------------------------------


def test_concurrency_over_the_limit_is_shed_with_retry_after(
    classifier_dir: Path, classification_rows
) -> None:
    limit = 3
    app = make_app(classifier_dir, max_concurrent_requests=limit)
    body = infer_body(classification_rows)

    async def scenario() -> None:
        release = asyncio.Event()

        async def slow_tail() -> bytes:
            await release.wait()
            return body[10:]

        async with serving(app) as http:
            # `limit` slow requests: each holds its slot until the rest of its body arrives.
            slow = [
                asyncio.create_task(Exchange().run(app, "POST", INFER, [body[:10], slow_tail]))
                for _ in range(limit)
            ]
            while app.middleware_stack is None or _in_flight(app) < limit:
                await asyncio.sleep(0.01)

            # One more: shed at once.
            shed = await Exchange().run(app, "POST", INFER, [body])
            assert shed.status == 429
            assert shed.headers[b"retry-after"] == b"1"
            assert "too many concurrent requests" in orjson.loads(shed.body)["error"]

            # Probes and metrics still answer while shedding.
            assert (await http.get("/v2/health/live")).status_code == 200
            assert (await http.get("/v2/health/ready")).status_code == 200
            assert (await http.get(f"/v2/models/{MODEL_NAME}/ready")).status_code == 200
            metrics = await http.get("/metrics")
            assert metrics.status_code == 200
            assert 'status="429"' in metrics.text

            release.set()
            done = await asyncio.gather(*slow)
            assert [exchange.status for exchange in done] == [200] * limit
            # Capacity is back once they finish.
            assert (await http.post(INFER, content=body)).status_code == 200

    asyncio.run(scenario())


def _in_flight(app: FastAPI) -> int:
    layer = app.middleware_stack
    while layer is not None and not hasattr(layer, "in_flight"):
        layer = getattr(layer, "app", None)
    assert layer is not None, "RequestLimits middleware not found"
    return layer.in_flight


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MAX_REQUEST_BYTES": "0"}, "MAX_REQUEST_BYTES"),
        ({"MAX_CONCURRENT_REQUESTS": "0"}, "MAX_CONCURRENT_REQUESTS"),
    ],
)
def test_limits_must_be_positive(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(environ=env, file_data={})


def test_limits_from_the_environment() -> None:
    settings = Settings.from_env(
        environ={"MAX_REQUEST_BYTES": "1024", "MAX_CONCURRENT_REQUESTS": "7"}, file_data={}
    )
    assert (settings.max_request_bytes, settings.max_concurrent_requests) == (1024, 7)
    assert Settings().max_request_bytes == 1024 * 1024

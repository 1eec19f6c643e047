"""The inference endpoints' fast path answers exactly as the app's own routes do."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import numpy as np
import orjson
import pytest

from app.main import InferenceRoute
from tests.conftest import DISCONNECT, MODEL_NAME, Exchange, make_app, serving, v2_request

INFER = f"/v2/models/{MODEL_NAME}/infer"
JSON = [(b"content-type", b"application/json")]


def cases(rows: np.ndarray) -> list[tuple[str, bytes]]:
    good = v2_request(rows[:2], "req-1")
    return [
        (INFER, orjson.dumps(good)),
        (f"/v2/models/{MODEL_NAME}/versions/1/infer", orjson.dumps(good)),
        (f"/v1/models/{MODEL_NAME}:predict", orjson.dumps({"instances": rows[:3].tolist()})),
        (INFER, b"{"),  # 400 malformed JSON
        (INFER, orjson.dumps(v2_request(rows[:1], datatype="INT64"))),  # 400
        ("/v2/models/other/infer", orjson.dumps(good)),  # 404 model
        (f"/v2/models/{MODEL_NAME}/versions/9/infer", orjson.dumps(good)),  # 404 version
    ]


async def both_ways(app, path: str, body: bytes) -> tuple[Exchange, Exchange]:
    """The same request through the fast path and, behind a root_path, the app's router."""
    fast = await Exchange().run(app, "POST", path, [body], JSON)
    routed = await Exchange().run(app, "POST", path, [body], JSON, root_path="/prefix")
    return fast, routed


@pytest.mark.parametrize("ready", [True, False])
def test_fast_path_answers_as_the_routes_do(
    classifier_dir: Path,
    tmp_path: Path,
    classification_rows: np.ndarray,
    ready: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = make_app(classifier_dir if ready else tmp_path)
    seen: list[tuple[int, int]] = []
    routed_calls: list[str] = []
    handle = InferenceRoute.handle

    async def recording_handle(self: InferenceRoute, scope, receive, send) -> None:
        routed_calls.append(scope["path"])
        await handle(self, scope, receive, send)

    monkeypatch.setattr(InferenceRoute, "handle", recording_handle)

    async def scenario() -> None:
        async with serving(app):
            for path, body in cases(classification_rows):
                fast, routed = await both_ways(app, path, body)
                assert fast.status == routed.status, (path, fast.body, routed.body)
                assert orjson.loads(fast.body) == orjson.loads(routed.body)
                assert fast.headers[b"content-type"] == routed.headers[b"content-type"]
                assert int(fast.headers[b"content-length"]) == len(fast.body)
                seen.append((fast.status, routed.status))

    asyncio.run(scenario())
    statuses = {status for status, _ in seen}
    assert statuses == ({200, 400, 404} if ready else {503, 404})
    # Only the requests behind the root_path went through the router.
    assert routed_calls
    assert all(path.startswith("/prefix/") for path in routed_calls)


def test_fast_path_failure_is_json_500_and_logged(
    classifier_dir: Path, classification_rows: np.ndarray, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(classifier_dir, fast_predict=False)

    def explode(rows: np.ndarray) -> np.ndarray:
        raise RuntimeError("model exploded")

    async def scenario() -> Exchange:
        async with serving(app):
            app.state.server.model.estimator.steps[-1][1].predict = explode
            body = orjson.dumps(v2_request(classification_rows[:1]))
            # (The router's answer is the same JSON 500: test_errors.py. It also re-raises to
            # the server, which this in-process exchange would see as an exception.)
            return await Exchange().run(app, "POST", INFER, [body], JSON)

    with caplog.at_level(logging.ERROR, logger="app"):
        fast = asyncio.run(scenario())
    assert fast.status == 500
    assert orjson.loads(fast.body) == {"error": "internal server error"}
    assert any(
        r.message == "unhandled error" and "model exploded" in str(r.exc_info[1])
        for r in caplog.records
        if r.exc_info
    )


def test_fast_path_is_counted_under_the_route_template(
    classifier_dir: Path, classification_rows: np.ndarray
) -> None:
    app = make_app(classifier_dir)

    async def scenario() -> str:
        async with serving(app) as http:
            body = orjson.dumps(v2_request(classification_rows[:1]))
            assert (await Exchange().run(app, "POST", INFER, [body], JSON)).status == 200
            return (await http.get("/metrics")).text

    text = asyncio.run(scenario())
    route = 'route="/v2/models/{model_name}/infer"'
    assert f'http_requests_total{{method="POST",{route},status="200"}} 1.0' in text


def test_client_gone_before_the_whole_body_gets_no_answer(
    classifier_dir: Path, classification_rows: np.ndarray
) -> None:
    app = make_app(classifier_dir)
    body = orjson.dumps(v2_request(classification_rows[:1]))

    async def scenario() -> tuple[Exchange, int]:
        async with serving(app):
            calls = app.state.server.batcher.predict_calls
            exchange = await Exchange().run(app, "POST", INFER, [body[:10], DISCONNECT])
            return exchange, app.state.server.batcher.predict_calls - calls

    exchange, predict_calls = asyncio.run(scenario())
    assert exchange.status is None
    assert predict_calls == 0


def test_other_methods_and_paths_still_reach_the_router(classifier_dir: Path) -> None:
    app = make_app(classifier_dir)

    async def scenario() -> list[int | None]:
        async with serving(app):
            return [
                (await Exchange().run(app, "GET", INFER, [b""])).status,
                (await Exchange().run(app, "POST", f"{INFER}/extra", [b"{}"])).status,
                (await Exchange().run(app, "GET", "/v2/health/ready", [b""])).status,
            ]

    assert asyncio.run(scenario()) == [405, 404, 200]

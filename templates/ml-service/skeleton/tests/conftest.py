"""Shared fixtures: models trained once per session into temporary directories."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi import FastAPI
from sklearn.datasets import load_breast_cancer, load_diabetes

from app.main import create_app
from app.settings import Settings
from model import train

MODEL_NAME = "test-model"
TRAIN_ENV_VARS = (
    "MODEL_NAME",
    "PROBLEM_TYPE",
    "DATASET_SOURCE",
    "DATASET_URI",
    "QUALITY_THRESHOLD",
    "OUTPUT_DIR",
    "TEST_SIZE",
    "RANDOM_STATE",
)


def isolate_training_env(mp: pytest.MonkeyPatch, config_dir: Path, **env: str) -> None:
    """Point training at no service.yaml and only the given variables, whatever the shell has."""
    for name in TRAIN_ENV_VARS:
        mp.delenv(name, raising=False)
    mp.setenv("SERVICE_CONFIG", str(config_dir / "absent-service.yaml"))
    mp.setenv("MODEL_NAME", MODEL_NAME)
    for name, value in env.items():
        mp.setenv(name, value)


def run_training(output: Path, problem_type: str, threshold: float = 0.0, **env: str) -> int:
    with pytest.MonkeyPatch.context() as mp:
        isolate_training_env(
            mp,
            output,
            PROBLEM_TYPE=problem_type,
            QUALITY_THRESHOLD=str(threshold),
            DATASET_SOURCE=env.pop("DATASET_SOURCE", "sample"),
            **env,
        )
        return train.main(["--output", str(output)])


@pytest.fixture(scope="session")
def classifier_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("classifier")
    assert run_training(output, "classification") == 0
    return output


@pytest.fixture(scope="session")
def regressor_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("regressor")
    assert run_training(output, "regression") == 0
    return output


@pytest.fixture(scope="session")
def classification_rows() -> np.ndarray:
    return load_breast_cancer().data


@pytest.fixture(scope="session")
def regression_rows() -> np.ndarray:
    return load_diabetes().data


def make_app(model_dir: Path, **overrides: object) -> FastAPI:
    return create_app(Settings(model_name=MODEL_NAME, model_dir=model_dir, **overrides))


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and talk to it in-process, in the caller's event loop."""
    async with app.router.lifespan_context(app):
        # Unhandled errors reach the client as the app's JSON 500, as they would over HTTP.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http


class SyncClient:
    """Blocking facade over ``serving``: one event loop kept across calls, like a real server."""

    def __init__(self, app: FastAPI) -> None:
        self._runner = asyncio.Runner()
        self._stack = AsyncExitStack()
        self._http: httpx.AsyncClient = self._runner.run(
            self._stack.enter_async_context(serving(app))
        )

    def request(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        return self._runner.run(self._http.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: object) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: object) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        self._runner.run(self._stack.aclose())
        self._runner.close()


def open_client(model_dir: Path) -> Iterator[SyncClient]:
    client = SyncClient(make_app(model_dir))
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(scope="module")
def client(classifier_dir: Path) -> Iterator[SyncClient]:
    yield from open_client(classifier_dir)


@pytest.fixture(scope="module")
def regression_client(regressor_dir: Path) -> Iterator[SyncClient]:
    yield from open_client(regressor_dir)


@pytest.fixture(scope="module")
def unready_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyncClient]:
    yield from open_client(tmp_path_factory.mktemp("empty"))


def v2_request(rows: np.ndarray, request_id: str | None = None, **tensor: object) -> dict:
    rows = np.atleast_2d(rows)
    body: dict[str, object] = {
        "inputs": [
            {
                "name": "input-0",
                "shape": list(rows.shape),
                "datatype": "FP64",
                "data": rows.ravel().tolist(),
                **tensor,
            }
        ]
    }
    if request_id is not None:
        body["id"] = request_id
    return body


Chunk = Callable[[], Awaitable[bytes]]
DISCONNECT = object()


class Exchange:
    """One request driven straight through the ASGI interface, body chunk by chunk.

    A chunk may be bytes, a coroutine function returning bytes, or DISCONNECT (the client goes
    away). With ``root_path`` the request is addressed as behind a path prefix.
    """

    def __init__(self) -> None:
        self.status: int | None = None
        self.headers: dict[bytes, bytes] = {}
        self.body = b""
        self.chunks_read = 0

    async def run(
        self,
        app: FastAPI,
        method: str,
        path: str,
        chunks: list[bytes | Chunk] = (),
        headers: list[tuple[bytes, bytes]] = (),
        root_path: str = "",
    ) -> Exchange:
        pending = list(chunks)

        async def receive() -> dict:
            if not pending:
                await asyncio.Event().wait()  # no more body: wait (as a live client does)
            chunk = pending.pop(0)
            if chunk is DISCONNECT:
                return {"type": "http.disconnect"}
            body = chunk if isinstance(chunk, bytes) else await chunk()
            self.chunks_read += 1
            return {"type": "http.request", "body": body, "more_body": bool(pending)}

        async def send(message: dict) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
                self.headers = dict(message.get("headers", []))
            else:
                self.body += message.get("body", b"")

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": root_path + path,
            "raw_path": (root_path + path).encode(),
            "root_path": root_path,
            "query_string": b"",
            "headers": [(b"host", b"test"), *headers],
            "client": ("127.0.0.1", 1234),
            "server": ("127.0.0.1", 8080),
        }
        await app(scope, receive, send)
        return self

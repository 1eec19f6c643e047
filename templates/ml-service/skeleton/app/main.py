"""The FastAPI application: Open Inference Protocol V2 and KServe V1 endpoints."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import numpy as np
import orjson
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from app import __version__
from app.batcher import Batcher, BatcherClosedError
from app.limits import RequestLimits
from app.metrics import Metrics, MetricsMiddleware
from app.predictor import INPUT_NAME, OUTPUT_NAME, LoadedModel, ModelLoadError, load_model
from app.protocol import (
    ProtocolError,
    encode_v1_predict,
    encode_v2_infer,
    parse_v1_predict,
    parse_v2_infer,
)
from app.settings import Settings

log = logging.getLogger("app")
JSON = "application/json"


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def json_response(payload: object, status: int = 200) -> Response:
    return Response(orjson.dumps(payload), status_code=status, media_type=JSON)


def error_response(status: int, message: str) -> Response:
    return Response(_error_body(message), status_code=status, media_type=JSON)


@dataclass
class ServerState:
    settings: Settings
    metrics: Metrics = field(default_factory=Metrics)
    model: LoadedModel | None = None
    batcher: Batcher | None = None

    @property
    def ready(self) -> bool:
        return self.model is not None and self.batcher is not None

    def load(self) -> None:
        settings = self.settings
        try:
            self.model = load_model(
                settings.model_dir,
                settings.model_name,
                settings.model_version,
                fast_predict=settings.fast_predict,
            )
        except ModelLoadError as exc:
            log.error("model not loaded", extra={"model": settings.model_name, "error": str(exc)})
        except Exception:
            # Stay up but unready whatever the artifact's problem (a corrupt or incompatible
            # pickle raises almost anything): the probes keep traffic away, the log says why.
            log.exception("model not loaded", extra={"model": settings.model_name})

    def resolve(self, model_name: str, version: str | None = None) -> LoadedModel:
        """The served model, or 404 (unknown name/version) / 503 (not loaded)."""
        settings = self.settings
        if model_name != settings.model_name:
            raise ApiError(404, f"model '{model_name}' not found")
        if version is not None and version != settings.model_version:
            raise ApiError(404, f"model '{model_name}' has no version '{version}'")
        if self.model is None or self.batcher is None:
            raise ApiError(503, f"model '{model_name}' is not ready")
        return self.model

    async def predict(self, model: LoadedModel, rows: np.ndarray) -> np.ndarray:
        if self.batcher is None:
            raise ApiError(503, f"model '{model.info.name}' is not ready")
        try:
            return await self.batcher.submit(rows)
        except BatcherClosedError as exc:
            raise ApiError(503, str(exc)) from exc


def _state(request: Request) -> ServerState:
    return request.app.state.server


router = APIRouter()


@router.get("/v2/health/live")
async def live() -> Response:
    return json_response({"live": True})


@router.get("/v2/health/ready")
async def ready(request: Request) -> Response:
    is_ready = _state(request).ready
    return json_response({"ready": is_ready}, 200 if is_ready else 503)


@router.get("/v2")
async def server_metadata(request: Request) -> Response:
    return json_response(
        {"name": _state(request).settings.model_name, "version": __version__, "extensions": []}
    )


def model_metadata(model: LoadedModel) -> dict[str, object]:
    info = model.info
    return {
        "name": info.name,
        "versions": [info.version],
        "platform": "sklearn",
        "inputs": [
            {
                "name": INPUT_NAME,
                "datatype": "FP64",
                "shape": [-1, info.n_features],
                "parameters": {"feature_names": info.feature_names},
            }
        ],
        "outputs": [{"name": OUTPUT_NAME, "datatype": info.output_datatype, "shape": [-1]}],
        "parameters": {"problem_type": info.problem_type},
    }


@router.get("/v2/models/{model_name}")
async def v2_model_metadata(request: Request, model_name: str) -> Response:
    return json_response(model_metadata(_state(request).resolve(model_name)))


@router.get("/v2/models/{model_name}/versions/{version}")
async def v2_model_version_metadata(request: Request, model_name: str, version: str) -> Response:
    return json_response(model_metadata(_state(request).resolve(model_name, version)))


def model_status(state: ServerState, model_name: str, version: str | None = None) -> Response:
    """Readiness of one model; when not ready the body keeps name and ready beside the error."""
    try:
        state.resolve(model_name, version)
    except ApiError as exc:
        if exc.status != 503:
            raise
        return json_response({"name": model_name, "ready": False, "error": exc.message}, 503)
    return json_response({"name": model_name, "ready": True})


@router.get("/v2/models/{model_name}/ready")
async def v2_model_ready(request: Request, model_name: str) -> Response:
    return model_status(_state(request), model_name)


@router.get("/v2/models/{model_name}/versions/{version}/ready")
async def v2_model_version_ready(request: Request, model_name: str, version: str) -> Response:
    return model_status(_state(request), model_name, version)


@router.get("/v1/models")
async def v1_models(request: Request) -> Response:
    return json_response({"models": [_state(request).settings.model_name]})


@router.get("/v1/models/{model_name}")
async def v1_model_status(request: Request, model_name: str) -> Response:
    return model_status(_state(request), model_name)


# The inference endpoints are served by InferenceEndpoints, a middleware inside the metrics and
# request limits: FastAPI's per-request dependency solving, Starlette's router, Request object,
# exception middleware and exit stack together cost about as much as a small model's predict.
# They read the raw body (orjson + numpy, no pydantic). Each is also a plain Starlette route, so
# routing outside the fast path (a root_path, GET on an inference URL) behaves as before.
Endpoint = Callable[[ServerState, dict[str, str], bytes], Awaitable[bytes]]


async def v2_infer(state: ServerState, params: dict[str, str], body: bytes) -> bytes:
    model = state.resolve(params["model_name"], params.get("version"))
    rows, request_id = parse_v2_infer(body, model.info)
    predictions = await state.predict(model, rows)
    return encode_v2_infer(model.info, predictions, request_id)


async def v1_predict(state: ServerState, params: dict[str, str], body: bytes) -> bytes:
    model = state.resolve(params["model_name"])
    rows = parse_v1_predict(body, model.info)
    predictions = await state.predict(model, rows)
    return encode_v1_predict(predictions)


class InferenceRoute(Route):
    """Records itself as ``scope["route"]`` (as FastAPI routes do) for the metrics labels."""

    def __init__(self, path: str, serve: Endpoint) -> None:
        async def endpoint(request: Request) -> Response:
            content = await serve(_state(request), request.path_params, await request.body())
            return Response(content, media_type=JSON)

        super().__init__(path, endpoint, methods=["POST"])
        self.serve = serve

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["route"] = self
        await super().handle(scope, receive, send)


INFERENCE_ROUTES = [
    InferenceRoute("/v2/models/{model_name}/infer", v2_infer),
    InferenceRoute("/v1/models/{model_name}:predict", v1_predict),
    InferenceRoute("/v2/models/{model_name}/versions/{version}/infer", v2_infer),
]


class InferenceEndpoints:
    """Serves POSTs to the inference routes directly; everything else goes on to the app.

    Answers exactly as the app's routes and error handlers do: the endpoint's JSON, or
    ``{"error": ...}`` with 404/503 (ApiError), 400 (ProtocolError) or 500 (anything else,
    logged). Installed innermost of the middleware, so the request limits, metrics and any
    middleware added later still apply; exception handlers added to the app do not.
    """

    def __init__(self, app: ASGIApp, state: ServerState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # With a root_path, Starlette's router strips it first: leave that case to the router.
        if scope["type"] == "http" and scope["method"] == "POST" and not scope.get("root_path"):
            path = scope["path"]
            for route in INFERENCE_ROUTES:
                match = route.path_regex.match(path)
                if match is not None:
                    scope["route"] = route
                    await self._serve(route.serve, match.groupdict(), receive, send)
                    return
        await self.app(scope, receive, send)

    async def _serve(
        self, serve: Endpoint, params: dict[str, str], receive: Receive, send: Send
    ) -> None:
        body = await _read_body(receive)
        if body is None:
            return  # the client went away before sending the whole body
        status = 200
        try:
            content = await serve(self.state, params, body)
        except ApiError as exc:
            status, content = exc.status, _error_body(exc.message)
        except ProtocolError as exc:
            status, content = 400, _error_body(str(exc))
        except Exception as exc:
            log.error("unhandled error", exc_info=exc)
            status, content = 500, _error_body("internal server error")
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-length", str(len(content)).encode()),
                    (b"content-type", JSON.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": content})


async def _read_body(receive: Receive) -> bytes | None:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _error_body(message: str) -> bytes:
    return orjson.dumps({"error": message})


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    registry = _state(request).metrics
    return Response(registry.render(), media_type=registry.content_type)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> Response:
        return error_response(exc.status, exc.message)

    @app.exception_handler(ProtocolError)
    async def protocol_error(_: Request, exc: ProtocolError) -> Response:
        return error_response(400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> Response:
        return error_response(400, str(exc.errors()))

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> Response:
        return error_response(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected_error(_: Request, exc: Exception) -> Response:
        log.error("unhandled error", exc_info=exc)
        return error_response(500, "internal server error")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    state: ServerState = app.state.server
    state.load()
    if state.model is not None:
        state.batcher = Batcher(
            state.model.predict,
            max_batch_size=state.settings.max_batch_size,
            in_thread=state.settings.predict_in_thread,
            observe=state.metrics.observe_batch,
        )
        state.batcher.start()
    state.metrics.model_ready.set(1 if state.ready else 0)
    # Everything alive now (modules, the model) lives as long as the process. Freezing it keeps
    # full garbage collections from traversing it all: under load those paused the event loop
    # for tens of milliseconds and set the p99 latency.
    gc.collect()
    gc.freeze()
    log.info(
        "server started",
        extra={"model": state.settings.model_name, "ready": state.ready, "version": __version__},
    )
    try:
        yield
    finally:
        state.metrics.model_ready.set(0)
        if state.batcher is not None:
            # uvicorn has stopped accepting and waited for open requests; finish any stragglers.
            await state.batcher.close()
        log.info("server stopped", extra={"model": state.settings.model_name})


# FastAPI's native OpenTelemetry checks its providers on every request; metrics are Prometheus
# here, so it is off unless OTEL_ENABLED=true (then OTEL_* variables configure the exporters).
TELEMETRY_OFF = {"tracing": False, "metrics": False, "logs": False, "auto_configure": False}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(
        telemetry=None if settings.otel_enabled else TELEMETRY_OFF,
        title=f"{settings.model_name} model server",
        version=__version__,
        lifespan=lifespan,
        routes=list(INFERENCE_ROUTES),
    )
    app.state.server = ServerState(settings)
    app.include_router(router)
    _install_error_handlers(app)
    app.add_middleware(InferenceEndpoints, state=app.state.server)
    # Inside the metrics middleware, so refused requests (413/429) are counted too.
    app.add_middleware(
        RequestLimits,
        max_body_bytes=settings.max_request_bytes,
        max_concurrent=settings.max_concurrent_requests,
    )
    app.add_middleware(MetricsMiddleware, metrics=app.state.server.metrics)
    return app

"""Server settings: environment variables over ``service.yaml`` over built-in defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.config import ConfigError, load_service_yaml, parse_bool, setting

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


@dataclass(frozen=True)
class Settings:
    model_name: str = "model"
    model_version: str = "1"
    model_dir: Path = Path("artifacts")
    host: str = "0.0.0.0"
    port: int = 8080
    log_level: str = "info"
    access_log: bool = False
    max_batch_size: int = 256
    predict_in_thread: bool = False
    graceful_shutdown_seconds: float = 20.0
    otel_enabled: bool = False
    fast_predict: bool = True
    # Request bodies over this many bytes are refused with 413 (inference requests are KBs; parsed,
    # a V2 JSON body takes several times its size in memory).
    max_request_bytes: int = 1024 * 1024
    # In-flight requests over this are refused with 429 + Retry-After (probes and /metrics are
    # never refused). Keep it above the clients' total concurrency at the load you plan for.
    max_concurrent_requests: int = 128

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        file_data: Mapping[str, Any] | None = None,
    ) -> Settings:
        data = load_service_yaml() if file_data is None else file_data

        def get(env_var: str, key: str, default: Any, cast: Any = str) -> Any:
            return setting(env_var, data, key, default, cast, environ)

        settings = cls(
            model_name=get("MODEL_NAME", "model.name", cls.model_name),
            model_version=get("MODEL_VERSION", "model.version", cls.model_version),
            model_dir=Path(get("MODEL_DIR", "serving.modelDir", str(cls.model_dir))),
            host=get("HOST", "serving.host", cls.host),
            port=get("PORT", "serving.port", cls.port, int),
            log_level=get("LOG_LEVEL", "serving.logLevel", cls.log_level).lower(),
            access_log=get("ACCESS_LOG", "serving.accessLog", cls.access_log, parse_bool),
            max_batch_size=get("MAX_BATCH_SIZE", "serving.maxBatchSize", cls.max_batch_size, int),
            predict_in_thread=get(
                "PREDICT_IN_THREAD", "serving.predictInThread", cls.predict_in_thread, parse_bool
            ),
            graceful_shutdown_seconds=get(
                "GRACEFUL_SHUTDOWN_SECONDS",
                "serving.gracefulShutdownSeconds",
                cls.graceful_shutdown_seconds,
                float,
            ),
            otel_enabled=get("OTEL_ENABLED", "serving.otelEnabled", cls.otel_enabled, parse_bool),
            fast_predict=get("FAST_PREDICT", "serving.fastPredict", cls.fast_predict, parse_bool),
            max_request_bytes=get(
                "MAX_REQUEST_BYTES", "serving.maxRequestBytes", cls.max_request_bytes, int
            ),
            max_concurrent_requests=get(
                "MAX_CONCURRENT_REQUESTS",
                "serving.maxConcurrentRequests",
                cls.max_concurrent_requests,
                int,
            ),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.log_level not in LOG_LEVELS:
            raise ConfigError(f"LOG_LEVEL must be one of {LOG_LEVELS}, got {self.log_level!r}")
        if not 0 < self.port < 65536:
            raise ConfigError(f"PORT must be 1-65535, got {self.port}")
        for name, value in (
            ("MAX_BATCH_SIZE", self.max_batch_size),
            ("MAX_REQUEST_BYTES", self.max_request_bytes),
            ("MAX_CONCURRENT_REQUESTS", self.max_concurrent_requests),
        ):
            if value < 1:
                raise ConfigError(f"{name} must be at least 1, got {value}")

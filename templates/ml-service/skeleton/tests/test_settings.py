"""Configuration precedence: environment over service.yaml over defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import Settings
from model.config import ConfigError, load_service_yaml, lookup
from tests.conftest import SyncClient, make_app

FILE = {
    "model": {"name": "from-file", "version": "3"},
    "serving": {"port": 9001, "maxBatchSize": 32, "logLevel": "debug", "modelDir": "/models"},
}


def test_defaults_without_file_or_env() -> None:
    assert Settings.from_env(environ={}, file_data={}) == Settings()


def test_file_values_apply() -> None:
    settings = Settings.from_env(environ={}, file_data=FILE)
    assert settings.model_name == "from-file"
    assert settings.model_version == "3"
    assert settings.port == 9001
    assert settings.max_batch_size == 32
    assert settings.log_level == "debug"
    assert settings.model_dir == Path("/models")


def test_environment_overrides_file() -> None:
    env = {
        "MODEL_NAME": "from-env",
        "PORT": "8123",
        "MAX_BATCH_SIZE": "7",
        "LOG_LEVEL": "WARNING",
        "ACCESS_LOG": "true",
        "MODEL_DIR": "/elsewhere",
    }
    settings = Settings.from_env(environ=env, file_data=FILE)
    assert settings.model_name == "from-env"
    assert settings.port == 8123
    assert settings.max_batch_size == 7
    assert settings.log_level == "warning"
    assert settings.access_log is True
    assert settings.model_dir == Path("/elsewhere")
    assert settings.model_version == "3"


@pytest.mark.parametrize(
    "env",
    [{"PORT": "http"}, {"PORT": "70000"}, {"LOG_LEVEL": "loud"}, {"MAX_BATCH_SIZE": "0"}],
)
def test_invalid_values_are_rejected(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        Settings.from_env(environ=env, file_data={})


def test_missing_service_yaml_gives_no_defaults(tmp_path: Path) -> None:
    assert load_service_yaml(tmp_path / "absent.yaml") == {}


def test_lookup_handles_missing_levels() -> None:
    assert lookup(FILE, "serving.port") == 9001
    assert lookup(FILE, "serving.nothing", "d") == "d"
    assert lookup(FILE, "model.name.deeper", "d") == "d"


def test_app_serves_with_fastapi_telemetry_enabled(classifier_dir: Path) -> None:
    client = SyncClient(make_app(classifier_dir, otel_enabled=True))
    try:
        assert client.get("/v2/health/ready").status_code == 200
    finally:
        client.close()

"""Configuration shared by training and serving.

Defaults come from ``service.yaml`` (the one rendered config file); every value can be
overridden by an environment variable, which is how containers and CI configure the service.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_PATH = REPO_ROOT / "service.yaml"
CONFIG_PATH_ENV = "SERVICE_CONFIG"

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(ValueError):
    """A configuration value is missing or invalid."""


def load_service_yaml(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Read ``service.yaml``; a missing file yields no defaults rather than an error."""
    config_path = Path(path or os.environ.get(CONFIG_PATH_ENV) or DEFAULT_CONFIG_PATH)
    if not config_path.is_file():
        return {}
    data = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{config_path}: expected a mapping at the top level")
    return data


def lookup(data: Mapping[str, Any], dotted_key: str, default: Any = None) -> Any:
    """Return ``data['a']['b']`` for ``'a.b'``, or ``default`` when any level is missing."""
    node: Any = data
    for part in dotted_key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return default
        node = node[part]
    return default if node is None else node


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(f"not a boolean: {value!r}")


def setting(
    env_var: str,
    file_data: Mapping[str, Any],
    dotted_key: str,
    default: T,
    cast: Any = str,
    environ: Mapping[str, str] | None = None,
) -> T:
    """Resolve one setting: environment variable, then service.yaml, then ``default``."""
    env = os.environ if environ is None else environ
    raw = env.get(env_var)
    if raw is None or raw == "":
        raw = lookup(file_data, dotted_key, default)
    if raw is None:
        return default
    try:
        return cast(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"invalid value for {env_var} / {dotted_key}: {raw!r} ({exc})") from exc

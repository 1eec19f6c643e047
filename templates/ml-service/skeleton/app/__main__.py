"""``python -m app``: serve the model with uvicorn (one worker; scale with replicas)."""

from __future__ import annotations

import logging.config
import sys

import uvicorn

from app.logs import logging_config
from app.main import create_app
from app.settings import Settings
from model.config import ConfigError


def main() -> int:
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    log_config = logging_config(settings.log_level)
    logging.config.dictConfig(log_config)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        log_config=log_config,
        log_level=settings.log_level,
        access_log=settings.access_log,
        # On SIGTERM uvicorn stops accepting, waits this long for open requests, then runs the
        # lifespan shutdown, which drains the batcher.
        timeout_graceful_shutdown=settings.graceful_shutdown_seconds,
        server_header=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

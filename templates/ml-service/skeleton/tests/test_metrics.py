"""Prometheus metrics and JSON logs."""

from __future__ import annotations

import json
import logging

import numpy as np

from app.logs import JsonFormatter
from tests.conftest import MODEL_NAME, SyncClient, v2_request


def test_metrics_expose_requests_latency_and_batches(
    client: SyncClient, classification_rows: np.ndarray
) -> None:
    infer = f"/v2/models/{MODEL_NAME}/infer"
    assert client.post(infer, json=v2_request(classification_rows[0])).status_code == 200
    assert client.post(infer, content=b"{").status_code == 400

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    route = 'route="/v2/models/{model_name}/infer"'
    assert f'http_requests_total{{method="POST",{route},status="200"}}' in text
    assert f'http_requests_total{{method="POST",{route},status="400"}}' in text
    assert f'http_request_duration_seconds_bucket{{le="0.5",method="POST",{route}' in text
    assert "inference_batch_size_count" in text
    assert "inference_predict_duration_seconds_count" in text
    assert "model_ready 1.0" in text
    # Unknown paths are grouped, so scanners cannot blow up the label cardinality.
    client.get("/does/not/exist")
    assert 'route="unmatched",status="404"' in client.get("/metrics").text


def test_json_log_lines_carry_extra_fields() -> None:
    record = logging.LogRecord("app", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    record.model = "m"
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "hello world"
    assert line["level"] == "info"
    assert line["logger"] == "app"
    assert line["model"] == "m"
    assert line["ts"].endswith("Z")


def test_json_log_lines_include_exceptions() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("app", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = json.loads(JsonFormatter().format(record))
    assert "ValueError: boom" in line["exception"]

"""Error contract: 400 for bad requests, 404 for unknown models, 503 before the model is ready."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import MODEL_NAME, SyncClient, make_app, v2_request

INFER = f"/v2/models/{MODEL_NAME}/infer"
V1_PREDICT = f"/v1/models/{MODEL_NAME}:predict"


def assert_error(response, status: int, fragment: str = "") -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body["error"], str)
    assert fragment in body["error"]


def row(rows: np.ndarray) -> np.ndarray:
    return rows[0]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"shape": [1, 29]}, "input shape must be [n_rows, 30]"),
        ({"shape": [30]}, "input shape must be"),
        ({"shape": [0, 30]}, "n_rows >= 1"),
        ({"shape": [2, 30]}, "has 30 elements"),
        ({"shape": "1x30"}, "input shape must be"),
        ({"name": "input-1"}, "the model's input is 'input-0'"),
        ({"datatype": "INT64"}, "datatype must be one of"),
        ({"datatype": "BYTES"}, "datatype must be one of"),
        ({"data": ["a"] * 30}, "must be numbers"),
        ({"data": [[1.0, 2.0], [3.0]]}, "must be numbers"),
        ({"data": None}, "must be a list of numbers"),
        ({"data": [None] * 30}, "NaN or infinity"),
    ],
)
def test_v2_bad_tensor_is_400(
    client: SyncClient, classification_rows: np.ndarray, change: dict, fragment: str
) -> None:
    response = client.post(INFER, json=v2_request(row(classification_rows), **change))
    assert_error(response, 400, fragment)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"{not json", "malformed JSON"),
        (b'{"inputs": [{"data": [NaN]}]}', "malformed JSON"),
        (b"", "malformed JSON"),
        (b"[1, 2, 3]", "must be a JSON object"),
        (b'{"inputs": []}', "exactly one tensor"),
        (b'{"id": 7, "inputs": []}', "'id' must be a string"),
    ],
)
def test_v2_malformed_body_is_400(client: SyncClient, body: bytes, fragment: str) -> None:
    response = client.post(INFER, content=body, headers={"content-type": "application/json"})
    assert_error(response, 400, fragment)


def test_v2_two_input_tensors_is_400(client: SyncClient, classification_rows) -> None:
    request = v2_request(row(classification_rows))
    request["inputs"] *= 2
    assert_error(client.post(INFER, json=request), 400, "exactly one tensor")


def test_v2_missing_data_is_400(client: SyncClient, classification_rows) -> None:
    request = v2_request(row(classification_rows))
    del request["inputs"][0]["data"]
    assert_error(client.post(INFER, json=request), 400, "must be a list of numbers")


def test_v2_unknown_requested_output_is_400(client: SyncClient, classification_rows) -> None:
    request = {**v2_request(row(classification_rows)), "outputs": [{"name": "proba"}]}
    assert_error(client.post(INFER, json=request), 400, "only output")


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"instances": []}, "non-empty list"),
        ({"rows": [[1.0] * 30]}, "non-empty list"),
        ({"instances": [[1.0] * 29]}, "list of 30 numbers"),
        ({"instances": [[1.0] * 30, "x"]}, "list of 30 numbers"),
        ({"instances": [["x"] * 30]}, "must be numbers"),
    ],
)
def test_v1_bad_instances_is_400(client: SyncClient, body: dict, fragment: str) -> None:
    assert_error(client.post(V1_PREDICT, json=body), 400, fragment)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v2/models/other"),
        ("GET", "/v2/models/other/ready"),
        ("POST", "/v2/models/other/infer"),
        ("GET", f"/v2/models/{MODEL_NAME}/versions/9"),
        ("POST", f"/v2/models/{MODEL_NAME}/versions/9/infer"),
        ("GET", "/v1/models/other"),
        ("POST", "/v1/models/other:predict"),
    ],
)
def test_unknown_model_is_404(client: SyncClient, method: str, path: str) -> None:
    response = client.request(method, path, json={"inputs": [], "instances": []})
    assert_error(response, 404, "not found" if "versions" not in path else "no version")


def test_unknown_route_is_json_404(client: SyncClient) -> None:
    assert_error(client.get("/v3/anything"), 404)


def test_wrong_method_is_json_405(client: SyncClient) -> None:
    assert_error(client.get(INFER), 405)


def test_unready_model(unready_client: SyncClient, classification_rows: np.ndarray) -> None:
    assert unready_client.get("/v2/health/live").status_code == 200
    ready = unready_client.get("/v2/health/ready")
    assert ready.status_code == 503
    assert ready.json() == {"ready": False}
    request = v2_request(row(classification_rows))
    assert_error(unready_client.post(INFER, json=request), 503, "not ready")
    assert_error(unready_client.get(f"/v2/models/{MODEL_NAME}"), 503, "not ready")
    model_ready = unready_client.get(f"/v2/models/{MODEL_NAME}/ready")
    assert_error(model_ready, 503, "not ready")
    assert model_ready.json()["ready"] is False
    assert_error(unready_client.post(V1_PREDICT, json={"instances": [[0.0] * 30]}), 503)
    status = unready_client.get(f"/v1/models/{MODEL_NAME}")
    assert status.status_code == 503
    assert status.json()["ready"] is False
    # An unknown name is still a 404, not a 503.
    assert_error(unready_client.post("/v2/models/other/infer", json=request), 404)


def test_predict_failure_is_json_500(classifier_dir: Path, classification_rows) -> None:
    app = make_app(classifier_dir, fast_predict=False)
    client = SyncClient(app)
    try:

        def explode(rows: np.ndarray) -> np.ndarray:
            raise RuntimeError("model exploded")

        # The final step: the server calls it whether or not it goes through Pipeline.predict.
        app.state.server.model.estimator.steps[-1][1].predict = explode
        response = client.post(INFER, json=v2_request(row(classification_rows)))
        assert_error(response, 500, "internal server error")
        assert client.get("/v2/health/ready").status_code == 200
    finally:
        client.close()

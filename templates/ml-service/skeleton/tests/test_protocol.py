"""The V2 (Open Inference Protocol) and KServe V1 contract on the happy path."""

from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
import pytest

from app import __version__
from model.train import MODEL_FILE
from tests.conftest import MODEL_NAME, SyncClient, v2_request

V2 = f"/v2/models/{MODEL_NAME}"


def expected(model_dir: Path, rows: np.ndarray) -> list:
    return joblib.load(model_dir / MODEL_FILE).predict(np.atleast_2d(rows)).tolist()


def test_health(client: SyncClient) -> None:
    assert client.get("/v2/health/live").json() == {"live": True}
    response = client.get("/v2/health/ready")
    assert response.status_code == 200
    assert response.json() == {"ready": True}


def test_server_metadata(client: SyncClient) -> None:
    assert client.get("/v2").json() == {
        "name": MODEL_NAME,
        "version": __version__,
        "extensions": [],
    }


def test_model_metadata(client: SyncClient) -> None:
    metadata = client.get(V2).json()
    assert metadata["name"] == MODEL_NAME
    assert metadata["versions"] == ["1"]
    assert metadata["platform"] == "sklearn"
    (tensor,) = metadata["inputs"]
    assert tensor["name"] == "input-0"
    assert tensor["datatype"] in {"FP32", "FP64"}
    assert tensor["shape"] == [-1, 30]
    assert len(tensor["parameters"]["feature_names"]) == 30
    assert metadata["outputs"] == [{"name": "predict", "datatype": "INT64", "shape": [-1]}]
    assert client.get(f"{V2}/versions/1").json() == metadata


def test_model_ready(client: SyncClient) -> None:
    assert client.get(f"{V2}/ready").json() == {"name": MODEL_NAME, "ready": True}
    assert client.get(f"{V2}/versions/1/ready").status_code == 200


def test_infer_single_row_echoes_id(
    client: SyncClient, classifier_dir: Path, classification_rows: np.ndarray
) -> None:
    row = classification_rows[0]
    response = client.post(f"{V2}/infer", json=v2_request(row, request_id="req-42"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["id"] == "req-42"
    assert body["model_name"] == MODEL_NAME
    assert body["model_version"] == "1"
    assert body["outputs"] == [
        {
            "name": "predict",
            "datatype": "INT64",
            "shape": [1],
            "data": expected(classifier_dir, row),
        }
    ]


def test_infer_without_id_has_no_id(client: SyncClient, classification_rows: np.ndarray) -> None:
    body = client.post(f"{V2}/infer", json=v2_request(classification_rows[0])).json()
    assert "id" not in body


@pytest.mark.parametrize("datatype", ["FP32", "FP64"])
def test_infer_nested_batch(
    client: SyncClient,
    classifier_dir: Path,
    classification_rows: np.ndarray,
    datatype: str,
) -> None:
    rows = classification_rows[:5]
    request = v2_request(rows, datatype=datatype, data=rows.tolist())
    body = client.post(f"{V2}/versions/1/infer", json=request).json()
    (output,) = body["outputs"]
    assert output["shape"] == [5]
    assert output["data"] == expected(classifier_dir, rows)


def test_infer_accepts_requested_output(client: SyncClient, classification_rows) -> None:
    request = {**v2_request(classification_rows[0]), "outputs": [{"name": "predict"}]}
    assert client.post(f"{V2}/infer", json=request).status_code == 200


def test_regression_outputs_fp64(
    regression_client: SyncClient, regressor_dir: Path, regression_rows: np.ndarray
) -> None:
    assert regression_client.get(V2).json()["inputs"][0]["shape"] == [-1, 10]
    body = regression_client.post(f"{V2}/infer", json=v2_request(regression_rows[:3])).json()
    (output,) = body["outputs"]
    assert output["datatype"] == "FP64"
    assert output["data"] == pytest.approx(expected(regressor_dir, regression_rows[:3]))


def test_v1_status_and_list(client: SyncClient) -> None:
    assert client.get(f"/v1/models/{MODEL_NAME}").json() == {"name": MODEL_NAME, "ready": True}
    assert client.get("/v1/models").json() == {"models": [MODEL_NAME]}


def test_v1_predict(
    client: SyncClient, classifier_dir: Path, classification_rows: np.ndarray
) -> None:
    rows = classification_rows[10:14]
    response = client.post(f"/v1/models/{MODEL_NAME}:predict", json={"instances": rows.tolist()})
    assert response.status_code == 200
    assert response.json() == {"predictions": expected(classifier_dir, rows)}

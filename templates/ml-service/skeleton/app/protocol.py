"""Request parsing and response encoding for the V2 (Open Inference) and V1 protocols.

The hot path avoids pydantic: orjson parses the raw body and numpy validates the tensor once.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import orjson

from app.predictor import INPUT_NAME, OUTPUT_NAME, ModelInfo

ACCEPTED_INPUT_DATATYPES = ("FP32", "FP64")


class ProtocolError(ValueError):
    """The request is malformed; answered with HTTP 400."""


def _load_object(body: bytes) -> dict[str, Any]:
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ProtocolError(f"malformed JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise ProtocolError("the request body must be a JSON object")
    return payload


def to_matrix(data: Any, n_rows: int, n_features: int) -> np.ndarray:
    """Flat or nested numeric data to a finite float64 array of shape (n_rows, n_features)."""
    try:
        array = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ProtocolError(f"tensor data must be numbers in a regular nesting: {exc}") from exc
    if array.size != n_rows * n_features:
        raise ProtocolError(
            f"tensor data has {array.size} elements, shape [{n_rows}, {n_features}] needs "
            f"{n_rows * n_features}"
        )
    array = array.reshape(n_rows, n_features)
    if not np.isfinite(array).all():
        raise ProtocolError("tensor data must not contain NaN or infinity")
    return array


def parse_v2_infer(body: bytes, info: ModelInfo) -> tuple[np.ndarray, str | None]:
    """Returns the input rows and the request id to echo."""
    payload = _load_object(body)
    request_id = payload.get("id")
    if request_id is not None and not isinstance(request_id, str):
        raise ProtocolError("'id' must be a string")
    inputs = payload.get("inputs")
    if not isinstance(inputs, list) or len(inputs) != 1 or not isinstance(inputs[0], dict):
        raise ProtocolError("'inputs' must be a list holding exactly one tensor")
    _check_requested_outputs(payload.get("outputs"))
    tensor = inputs[0]
    if tensor.get("name") != INPUT_NAME:
        raise ProtocolError(
            f"unknown input {tensor.get('name')!r}; the model's input is {INPUT_NAME!r}"
        )
    datatype = tensor.get("datatype")
    if datatype not in ACCEPTED_INPUT_DATATYPES:
        raise ProtocolError(f"input datatype must be one of {ACCEPTED_INPUT_DATATYPES}")
    n_rows = _check_shape(tensor.get("shape"), info.n_features)
    data = tensor.get("data")
    if not isinstance(data, list):
        raise ProtocolError("the input tensor's 'data' must be a list of numbers")
    return to_matrix(data, n_rows, info.n_features), request_id


def _check_shape(shape: Any, n_features: int) -> int:
    if (
        not isinstance(shape, list)
        or len(shape) != 2
        or not all(isinstance(dim, int) and not isinstance(dim, bool) for dim in shape)
    ):
        raise ProtocolError(f"input shape must be [n_rows, {n_features}]")
    n_rows, width = shape
    if n_rows < 1 or width != n_features:
        raise ProtocolError(f"input shape must be [n_rows, {n_features}] with n_rows >= 1")
    return n_rows


def _check_requested_outputs(outputs: Any) -> None:
    if outputs is None:
        return
    if not isinstance(outputs, list) or any(
        not isinstance(item, dict) or item.get("name") != OUTPUT_NAME for item in outputs
    ):
        raise ProtocolError(f"the only output this model has is '{OUTPUT_NAME}'")


def parse_v1_predict(body: bytes, info: ModelInfo) -> np.ndarray:
    payload = _load_object(body)
    instances = payload.get("instances", payload.get("inputs"))
    if not isinstance(instances, list) or not instances:
        raise ProtocolError("'instances' must be a non-empty list of rows")
    if not all(isinstance(row, list) and len(row) == info.n_features for row in instances):
        raise ProtocolError(f"every instance must be a list of {info.n_features} numbers")
    return to_matrix(instances, len(instances), info.n_features)


def _jsonable(predictions: np.ndarray) -> list[Any]:
    values = predictions.tolist()
    if predictions.dtype.kind == "f" and not all(math.isfinite(v) for v in values):
        raise ValueError("the model produced a non-finite prediction")
    return values


def encode_v2_infer(info: ModelInfo, predictions: np.ndarray, request_id: str | None) -> bytes:
    response: dict[str, Any] = {
        "model_name": info.name,
        "model_version": info.version,
        "outputs": [
            {
                "name": OUTPUT_NAME,
                "datatype": info.output_datatype,
                "shape": [len(predictions)],
                "data": _jsonable(predictions),
            }
        ],
    }
    if request_id is not None:
        response["id"] = request_id
    return orjson.dumps(response)


def encode_v1_predict(predictions: np.ndarray) -> bytes:
    return orjson.dumps({"predictions": _jsonable(predictions)})

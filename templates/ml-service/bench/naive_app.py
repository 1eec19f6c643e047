"""Baseline for bench/serve.py: the "obvious" FastAPI model server.

A pydantic request model, a sync ``def`` handler (run in FastAPI's thread pool) and one
``predict`` call per request. Same URL and request body as the generated server's V2 infer.

    MODEL_DIR=artifacts uvicorn naive_app:app --app-dir bench
"""

from __future__ import annotations

import os
from pathlib import Path

import joblib
import numpy as np
from fastapi import FastAPI
from pydantic import BaseModel

model = joblib.load(Path(os.environ.get("MODEL_DIR", "artifacts")) / "model.joblib")
app = FastAPI()


class Tensor(BaseModel):
    name: str
    shape: list[int]
    datatype: str
    data: list[float]


class InferRequest(BaseModel):
    id: str | None = None
    inputs: list[Tensor]


class OutputTensor(BaseModel):
    name: str
    shape: list[int]
    datatype: str
    data: list[float]


class InferResponse(BaseModel):
    model_name: str
    id: str | None = None
    outputs: list[OutputTensor]


@app.get("/v2/health/ready")
def ready() -> dict[str, bool]:
    return {"ready": True}


@app.post("/v2/models/{model_name}/infer")
def infer(model_name: str, request: InferRequest) -> InferResponse:
    tensor = request.inputs[0]
    rows = np.asarray(tensor.data, dtype=np.float64).reshape(tensor.shape)
    prediction = model.predict(rows)
    return InferResponse(
        model_name=model_name,
        id=request.id,
        outputs=[
            OutputTensor(
                name="predict",
                shape=[len(prediction)],
                datatype="FP64",
                data=prediction.astype(float).tolist(),
            )
        ],
    )

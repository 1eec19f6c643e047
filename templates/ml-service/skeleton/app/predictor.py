"""Loading the trained artifact and running predictions."""

from __future__ import annotations

import json
import logging
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.pipeline import Pipeline

from app.compiled import PredictFn, compile_predict
from model.train import METRICS_FILE, MODEL_FILE

log = logging.getLogger(__name__)

INPUT_NAME = "input-0"
OUTPUT_NAME = "predict"


class ModelLoadError(RuntimeError):
    """The artifact directory is missing or inconsistent."""


def v2_datatype(dtype: np.dtype) -> str:
    """Open Inference Protocol tensor datatype for a numpy dtype."""
    if dtype.kind == "b":
        return "BOOL"
    if dtype.kind == "i":
        return f"INT{dtype.itemsize * 8}"
    if dtype.kind == "u":
        return f"UINT{dtype.itemsize * 8}"
    if dtype.kind == "f":
        return f"FP{dtype.itemsize * 8}"
    return "BYTES"


@dataclass(frozen=True)
class ModelInfo:
    name: str
    version: str
    problem_type: str
    feature_names: list[str]
    output_datatype: str

    @property
    def n_features(self) -> int:
        return len(self.feature_names)


# Threads whose scikit-learn configuration has been set for serving (see LoadedModel.predict).
_serving_config = threading.local()


class LoadedModel:
    """A fitted sklearn estimator plus what the protocol layer needs to know about it."""

    def __init__(self, estimator: Any, info: ModelInfo, compiled: PredictFn | None = None) -> None:
        self.estimator = estimator
        self.info = info
        self.compiled = compiled
        self._sklearn_predict = pipeline_steps_predict(estimator) or estimator.predict

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predict rows already checked by the protocol layer (2-D, float64, finite)."""
        if self.compiled is not None:
            return self.compiled(X)
        if not getattr(_serving_config, "set", False):
            # Finiteness was checked once in numpy and the arguments are ours: don't let sklearn
            # scan the array or validate parameters again. scikit-learn's configuration is per
            # thread; setting it once for the thread that predicts (the event loop's, or the
            # predict thread's) spares a config_context (~10 % of a single-row predict) per call.
            sklearn.set_config(assume_finite=True, skip_parameter_validation=True)
            _serving_config.set = True
        return self._sklearn_predict(X)


def pipeline_steps_predict(estimator: Any) -> PredictFn | None:
    """A Pipeline's predict as its steps' own transform and predict calls, or None.

    ``Pipeline.predict`` does exactly this plus per-call bookkeeping (fitted check, metadata
    routing) that costs ~15 % of a single-row predict. Every step still runs scikit-learn's own
    code, input checks included. Exact type only (a subclass may change predict); steps that
    are ``None``/``"passthrough"`` are skipped as Pipeline skips them.
    """
    if type(estimator) is not Pipeline:
        return None
    *transformers, (_, final) = estimator.steps
    if final is None or final == "passthrough" or not hasattr(final, "predict"):
        return None
    transforms = tuple(
        step.transform for _, step in transformers if step is not None and step != "passthrough"
    )

    def predict(X: np.ndarray) -> np.ndarray:
        for transform in transforms:
            X = transform(X)
        return final.predict(X)

    return predict


def load_model(model_dir: Path, name: str, version: str, fast_predict: bool = True) -> LoadedModel:
    model_path, metrics_path = model_dir / MODEL_FILE, model_dir / METRICS_FILE
    for path in (model_path, metrics_path):
        if not path.is_file():
            raise ModelLoadError(f"{path} not found; run `make train` or set MODEL_DIR")
    metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    _warn_on_version_drift(metrics)
    # joblib artifacts are pickles: only load artifacts this service's own pipeline produced.
    estimator = joblib.load(model_path)
    info = ModelInfo(
        name=name,
        version=version,
        problem_type=metrics["problem_type"],
        feature_names=list(metrics["feature_names"]),
        output_datatype=_output_datatype(estimator, metrics["problem_type"]),
    )
    n_expected = getattr(estimator, "n_features_in_", info.n_features)
    if n_expected != info.n_features:
        raise ModelLoadError(
            f"{metrics_path} lists {info.n_features} features, the model expects {n_expected}"
        )
    compiled = compile_predict(estimator) if fast_predict else None
    log.info(
        "model loaded",
        extra={"model": name, "version": version, "closed_form_predict": compiled is not None},
    )
    return LoadedModel(estimator, info, compiled)


def _warn_on_version_drift(metrics: dict[str, Any]) -> None:
    # Pickled estimators are only guaranteed to load correctly with the versions that wrote them.
    running = {
        "sklearn_version": sklearn.__version__,
        "python_version": ".".join(map(str, sys.version_info[:2])),
    }
    trained = {
        "sklearn_version": metrics.get("sklearn_version"),
        "python_version": ".".join(str(metrics.get("python_version", "")).split(".")[:2]),
    }
    if trained != running:
        log.warning(
            "model trained with different versions",
            extra={"trained_with": trained, "running": running},
        )


def _output_datatype(estimator: Any, problem_type: str) -> str:
    if problem_type == "classification":
        return v2_datatype(np.asarray(estimator.classes_).dtype)
    return "FP64"

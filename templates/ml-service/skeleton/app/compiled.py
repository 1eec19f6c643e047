"""Closed-form predict for the pipelines this template trains: StandardScaler + linear model.

scikit-learn spends about half a millisecond per ``predict`` call on input validation and
dispatch, whatever the batch size, while a linear model's arithmetic is one small matrix
product. At load time the scaler is folded into the model's coefficients, and the folded
function is checked against scikit-learn's own predictions before it is used. Anything else
(another estimator, extra steps, multi-output regression) keeps scikit-learn's predict.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

PredictFn = Callable[[np.ndarray], np.ndarray]

_SUPPORTED_MODELS = (LogisticRegression, Ridge, LinearRegression)
_CHECK_ROWS = 512


def compile_predict(estimator: Any, seed: int = 0) -> PredictFn | None:
    """A verified equivalent of ``estimator.predict``, or None when there is none."""
    steps = _scaler_and_linear_model(estimator)
    if steps is None:
        return None
    scaler, model = steps
    n_features = scaler.n_features_in_
    mean = scaler.mean_ if scaler.with_mean else np.zeros(n_features)
    scale = scaler.scale_ if scaler.with_std else np.ones(n_features)
    # (x - mean) / scale @ w + b  ==  x @ (w / scale) + (b - mean @ (w / scale))
    coef = np.atleast_2d(model.coef_) / scale
    intercept = np.atleast_1d(model.intercept_) - coef @ mean
    if isinstance(model, LogisticRegression):
        predict = _classifier(coef, intercept, model.classes_)
    elif np.ndim(model.coef_) == 1:
        predict = _regressor(coef[0], float(intercept[0]))
    else:
        return None

    rows = mean + scale * np.random.default_rng(seed).standard_normal((_CHECK_ROWS, n_features))
    return predict if _agrees(predict(rows), estimator.predict(rows)) else None


def _scaler_and_linear_model(estimator: Any) -> tuple[StandardScaler, Any] | None:
    # Exact types only: a subclass may override the behaviour being folded here.
    if type(estimator) is not Pipeline or len(estimator.steps) != 2:
        return None
    scaler, model = estimator.steps[0][1], estimator.steps[1][1]
    if type(scaler) is not StandardScaler or type(model) not in _SUPPORTED_MODELS:
        return None
    return scaler, model


def _classifier(coef: np.ndarray, intercept: np.ndarray, classes: np.ndarray) -> PredictFn:
    if len(coef) == 1:  # binary: one decision function, positive means classes[1]

        def predict(X: np.ndarray) -> np.ndarray:
            return classes[(X @ coef[0] + intercept[0] > 0).astype(np.intp)]

    else:

        def predict(X: np.ndarray) -> np.ndarray:
            return classes[np.argmax(X @ coef.T + intercept, axis=1)]

    return predict


def _regressor(coef: np.ndarray, intercept: float) -> PredictFn:
    def predict(X: np.ndarray) -> np.ndarray:
        return X @ coef + intercept

    return predict


def _agrees(ours: np.ndarray, reference: np.ndarray) -> bool:
    if ours.shape != reference.shape or ours.dtype.kind != reference.dtype.kind:
        return False
    if reference.dtype.kind == "f":
        return bool(np.allclose(ours, reference, rtol=1e-9, atol=1e-9))
    return bool(np.array_equal(ours, reference))

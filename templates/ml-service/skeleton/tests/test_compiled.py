"""The closed-form predict must match scikit-learn exactly, or not be used at all."""

from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from app.compiled import compile_predict
from app.predictor import load_model
from model.train import MODEL_FILE


@pytest.mark.parametrize("fixture", ["classifier_dir", "regressor_dir"])
def test_trained_pipelines_compile_and_match(fixture: str, request: pytest.FixtureRequest) -> None:
    model_dir: Path = request.getfixturevalue(fixture)
    estimator = joblib.load(model_dir / MODEL_FILE)
    X = np.random.default_rng(1).standard_normal((300, estimator.n_features_in_)) * 50
    compiled = compile_predict(estimator)
    assert compiled is not None
    np.testing.assert_allclose(compiled(X), estimator.predict(X), rtol=1e-9, atol=1e-9)


def test_multiclass_and_string_labels() -> None:
    X, y = load_iris(return_X_y=True)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    estimator = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, labels)
    compiled = compile_predict(estimator)
    assert compiled is not None
    assert compiled(X).tolist() == estimator.predict(X).tolist()


@pytest.mark.parametrize(
    "estimator",
    [
        make_pipeline(MinMaxScaler(), Ridge()),
        make_pipeline(StandardScaler(), DecisionTreeClassifier()),
        make_pipeline(StandardScaler(), StandardScaler(), Ridge()),
        Ridge(),
    ],
    ids=["other-scaler", "other-model", "extra-step", "no-pipeline"],
)
def test_other_estimators_keep_sklearn_predict(estimator: Pipeline) -> None:
    X, y = load_iris(return_X_y=True)
    estimator.fit(X, y)
    assert compile_predict(estimator) is None


def test_multi_output_regression_is_not_compiled() -> None:
    X, y = load_iris(return_X_y=True)
    estimator = make_pipeline(StandardScaler(), LinearRegression()).fit(X, np.column_stack([y, y]))
    assert compile_predict(estimator) is None


def test_fast_predict_can_be_switched_off(classifier_dir: Path) -> None:
    assert load_model(classifier_dir, "m", "1").compiled is not None
    model = load_model(classifier_dir, "m", "1", fast_predict=False)
    assert model.compiled is None
    row = np.zeros((1, model.info.n_features))
    assert model.predict(row).tolist() == load_model(classifier_dir, "m", "1").predict(row).tolist()

"""The scikit-learn predict path (FAST_PREDICT=false): same predictions as the estimator's own."""

from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from app.predictor import load_model, pipeline_steps_predict


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_steps_predict_matches_the_pipeline(
    kind: str, request: pytest.FixtureRequest, classification_rows, regression_rows
) -> None:
    model_dir: Path = request.getfixturevalue(f"{kind}_dir")
    rows = classification_rows if kind == "classifier" else regression_rows
    model = load_model(model_dir, "m", "1", fast_predict=False)
    assert model.compiled is None
    expected = model.estimator.predict(rows)
    np.testing.assert_array_equal(model.predict(rows), expected)
    np.testing.assert_array_equal(model.predict(rows[:1]), expected[:1])


def test_passthrough_steps_are_skipped(classifier_dir: Path, classification_rows) -> None:
    fitted = joblib.load(classifier_dir / "model.joblib")
    pipeline = Pipeline([("nothing", "passthrough"), *fitted.steps])
    predict = pipeline_steps_predict(pipeline)
    assert predict is not None
    np.testing.assert_array_equal(predict(classification_rows), fitted.predict(classification_rows))


def test_only_plain_pipelines_are_unrolled() -> None:
    class CustomPipeline(Pipeline):
        pass

    scaler = StandardScaler().fit(np.eye(3))
    assert pipeline_steps_predict(scaler) is None
    assert pipeline_steps_predict(CustomPipeline([("scale", scaler)])) is None
    assert pipeline_steps_predict(Pipeline([("scale", scaler), ("end", "passthrough")])) is None

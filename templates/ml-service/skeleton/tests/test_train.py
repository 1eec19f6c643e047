"""Training: both problem types, metrics.json, the quality gate and configuration errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest
import sklearn

from model import train
from model.config import REPO_ROOT, load_service_yaml
from model.data import DatasetError, parse_csv, parse_s3_uri
from tests.conftest import MODEL_NAME, isolate_training_env, run_training


def read_metrics(output: Path) -> dict:
    return json.loads((output / train.METRICS_FILE).read_text())


def test_classification_writes_model_and_metrics(classifier_dir: Path) -> None:
    metrics = read_metrics(classifier_dir)
    assert metrics["model_name"] == MODEL_NAME
    assert metrics["problem_type"] == "classification"
    assert metrics["metric"] == "accuracy"
    assert metrics["value"] >= 0.9
    assert metrics["threshold"] == 0.0
    assert metrics["passed"] is True
    assert metrics["n_train"] + metrics["n_test"] == 569
    assert metrics["n_test"] == pytest.approx(569 * 0.2, abs=1)
    assert metrics["sklearn_version"] == sklearn.__version__
    assert len(metrics["feature_names"]) == metrics["n_features"] == 30
    assert metrics["classes"] == [0, 1]
    assert metrics["dataset"] == {"source": "sample", "uri": None}
    model = joblib.load(classifier_dir / train.MODEL_FILE)
    assert model.n_features_in_ == 30


def test_regression_writes_model_and_metrics(regressor_dir: Path) -> None:
    metrics = read_metrics(regressor_dir)
    assert metrics["problem_type"] == "regression"
    assert metrics["metric"] == "r2"
    assert 0.3 <= metrics["value"] <= 1.0
    assert metrics["n_train"] + metrics["n_test"] == 442
    assert metrics["n_features"] == 10
    assert "classes" not in metrics
    assert (regressor_dir / train.MODEL_FILE).is_file()


def test_training_is_reproducible(tmp_path: Path, classifier_dir: Path) -> None:
    assert run_training(tmp_path, "classification") == 0
    assert read_metrics(tmp_path) == read_metrics(classifier_dir)


def test_below_threshold_fails_and_writes_no_model(tmp_path: Path) -> None:
    (tmp_path / train.MODEL_FILE).write_bytes(b"stale model from an earlier run")
    assert run_training(tmp_path, "regression", threshold=0.99) == train.EXIT_BELOW_THRESHOLD
    metrics = read_metrics(tmp_path)
    assert metrics["passed"] is False
    assert metrics["threshold"] == 0.99
    assert metrics["value"] < 0.99
    assert not (tmp_path / train.MODEL_FILE).exists()


def test_cli_exit_code_and_message_below_threshold(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in {"DATASET_URI"}}
    env.update(
        SERVICE_CONFIG=str(tmp_path / "absent.yaml"),
        PROBLEM_TYPE="classification",
        DATASET_SOURCE="sample",
        QUALITY_THRESHOLD="1.01",
    )
    result = subprocess.run(
        [sys.executable, "-m", "model.train", "--output", str(tmp_path)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "quality gate FAILED" in result.stderr
    assert "below the threshold" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PROBLEM_TYPE": "clustering"}, "problem type must be one of"),
        ({"DATASET_SOURCE": "s3"}, "no dataset URI"),
        ({"DATASET_SOURCE": "ftp"}, "dataset source must be one of"),
        ({"QUALITY_THRESHOLD": "high"}, "invalid value for QUALITY_THRESHOLD"),
    ],
)
def test_configuration_errors_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    env: dict[str, str],
    message: str,
) -> None:
    isolate_training_env(monkeypatch, tmp_path, **env)
    assert train.main(["--output", str(tmp_path)]) == train.EXIT_CONFIG_ERROR
    assert message in caplog.text
    assert not (tmp_path / train.METRICS_FILE).exists()


def test_output_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_training_env(
        monkeypatch, tmp_path, PROBLEM_TYPE="regression", OUTPUT_DIR=str(tmp_path / "out")
    )
    assert train.main([]) == 0
    assert (tmp_path / "out" / train.MODEL_FILE).is_file()


def test_parse_csv_keeps_string_labels_and_header() -> None:
    dataset = parse_csv("a,b,label\n1,2,yes\n3,4.5,no\n", "classification")
    assert dataset.feature_names == ["a", "b"]
    assert dataset.target_name == "label"
    np.testing.assert_array_equal(dataset.X, [[1.0, 2.0], [3.0, 4.5]])
    assert dataset.y.tolist() == ["yes", "no"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b,y\n1,2\n", "line 2"),
        ("a,b,y\n1,x,0\n", "must be numeric"),
        ("a,y\n", "header row and at least one data row"),
    ],
)
def test_parse_csv_rejects_bad_layouts(text: str, message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        parse_csv(text, "regression")


def test_parse_s3_uri() -> None:
    assert parse_s3_uri("s3://bucket/path/to/data.csv") == ("bucket", "path/to/data.csv")
    with pytest.raises(DatasetError):
        parse_s3_uri("https://bucket/data.csv")


def test_rendered_service_yaml_is_valid() -> None:
    data = load_service_yaml(REPO_ROOT / "service.yaml")
    settings = train.TrainSettings.resolve(data, environ={})
    assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", settings.model_name)
    assert settings.model_name == data["name"]
    assert settings.dataset_source in {"sample", "s3"}
    if settings.dataset_source == "s3":
        parse_s3_uri(settings.dataset_uri or "")
    assert 0.0 <= settings.quality_threshold <= 1.0

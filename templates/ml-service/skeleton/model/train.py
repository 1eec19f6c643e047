"""Train, evaluate and package the model.

    python -m model.train [--output artifacts/] [--config service.yaml]

Writes ``model.joblib`` and ``metrics.json`` to the output directory. Exits 1 when the held-out
metric is below the quality threshold (metrics.json is still written, the model is not), and 2
on configuration or dataset errors.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from model.config import ConfigError, load_service_yaml, setting
from model.data import PROBLEM_TYPES, Dataset, DatasetError, load_dataset

MODEL_FILE = "model.joblib"
METRICS_FILE = "metrics.json"
EXIT_BELOW_THRESHOLD = 1
EXIT_CONFIG_ERROR = 2

log = logging.getLogger("model.train")


@dataclass(frozen=True)
class TrainSettings:
    model_name: str
    problem_type: str
    dataset_source: str
    dataset_uri: str | None
    quality_threshold: float
    output_dir: Path
    test_size: float
    random_state: int

    @classmethod
    def resolve(
        cls,
        file_data: Mapping[str, Any],
        output: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> TrainSettings:
        def get(env_var: str, key: str, default: Any, cast: Any = str) -> Any:
            return setting(env_var, file_data, key, default, cast, environ)

        settings = cls(
            model_name=get("MODEL_NAME", "model.name", "model"),
            problem_type=get("PROBLEM_TYPE", "model.problemType", "classification"),
            dataset_source=get("DATASET_SOURCE", "dataset.source", "sample"),
            dataset_uri=get("DATASET_URI", "dataset.uri", None),
            quality_threshold=get("QUALITY_THRESHOLD", "training.qualityThreshold", 0.0, float),
            output_dir=Path(output or get("OUTPUT_DIR", "training.outputDir", "artifacts")),
            test_size=get("TEST_SIZE", "training.testSize", 0.2, float),
            random_state=get("RANDOM_STATE", "training.randomState", 42, int),
        )
        if settings.problem_type not in PROBLEM_TYPES:
            raise ConfigError(
                f"problem type must be one of {PROBLEM_TYPES}, got {settings.problem_type!r}"
            )
        if not 0.0 < settings.test_size < 1.0:
            raise ConfigError(f"test size must be between 0 and 1, got {settings.test_size}")
        return settings


@dataclass(frozen=True)
class TrainResult:
    pipeline: Pipeline
    metric: str
    value: float
    n_train: int
    n_test: int

    def passed(self, threshold: float) -> bool:
        return self.value >= threshold


def build_pipeline(problem_type: str, random_state: int) -> Pipeline:
    if problem_type == "classification":
        estimator: Any = LogisticRegression(max_iter=1000, random_state=random_state)
    else:
        estimator = Ridge(alpha=1.0)
    return Pipeline([("scale", StandardScaler()), ("estimator", estimator)])


def train_and_evaluate(dataset: Dataset, settings: TrainSettings) -> TrainResult:
    is_classification = settings.problem_type == "classification"
    X_train, X_test, y_train, y_test = train_test_split(
        dataset.X,
        dataset.y,
        test_size=settings.test_size,
        random_state=settings.random_state,
        stratify=dataset.y if is_classification else None,
    )
    pipeline = build_pipeline(settings.problem_type, settings.random_state)
    pipeline.fit(X_train, y_train)
    predictions = pipeline.predict(X_test)
    if is_classification:
        metric, value = "accuracy", accuracy_score(y_test, predictions)
    else:
        metric, value = "r2", r2_score(y_test, predictions)
    return TrainResult(pipeline, metric, float(value), len(X_train), len(X_test))


def build_metrics(result: TrainResult, dataset: Dataset, settings: TrainSettings) -> dict[str, Any]:
    # No timestamp on purpose: the same data and code give byte-identical artifacts.
    metrics: dict[str, Any] = {
        "model_name": settings.model_name,
        "problem_type": settings.problem_type,
        "metric": result.metric,
        "value": round(result.value, 6),
        "threshold": settings.quality_threshold,
        "passed": result.passed(settings.quality_threshold),
        "n_train": result.n_train,
        "n_test": result.n_test,
        "n_features": len(dataset.feature_names),
        "feature_names": dataset.feature_names,
        "target_name": dataset.target_name,
        "dataset": {"source": settings.dataset_source, "uri": settings.dataset_uri},
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "python_version": ".".join(map(str, sys.version_info[:3])),
    }
    if settings.problem_type == "classification":
        metrics["classes"] = result.pipeline.classes_.tolist()
    return metrics


def write_outputs(output_dir: Path, metrics: dict[str, Any], pipeline: Pipeline | None) -> None:
    output_dir.mkdir(parents=True, exist_ok=True)
    model_path = output_dir / MODEL_FILE
    if pipeline is None:
        # Never leave a stale, previously passing model next to failing metrics.
        model_path.unlink(missing_ok=True)
    else:
        joblib.dump(pipeline, model_path)
    (output_dir / METRICS_FILE).write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Train and evaluate the model.")
    parser.add_argument("--output", help="output directory (env OUTPUT_DIR, default artifacts/)")
    parser.add_argument("--config", help="path to service.yaml (env SERVICE_CONFIG)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = TrainSettings.resolve(load_service_yaml(args.config), output=args.output)
        dataset = load_dataset(settings.problem_type, settings.dataset_source, settings.dataset_uri)
    except (ConfigError, DatasetError) as exc:
        log.error("training aborted: %s", exc)
        return EXIT_CONFIG_ERROR

    log.info(
        "training %s (%s) on %d rows x %d features from %s",
        settings.model_name,
        settings.problem_type,
        dataset.X.shape[0],
        dataset.X.shape[1],
        settings.dataset_source,
    )
    result = train_and_evaluate(dataset, settings)
    passed = result.passed(settings.quality_threshold)
    metrics = build_metrics(result, dataset, settings)
    write_outputs(settings.output_dir, metrics, result.pipeline if passed else None)

    summary = f"{result.metric}={result.value:.4f} (threshold {settings.quality_threshold})"
    if not passed:
        log.error(
            "quality gate FAILED: %s is below the threshold; no model written, see %s",
            summary,
            settings.output_dir / METRICS_FILE,
        )
        return EXIT_BELOW_THRESHOLD
    log.info("quality gate passed: %s; wrote %s", summary, settings.output_dir)
    return 0


if __name__ == "__main__":
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    sys.exit(main())

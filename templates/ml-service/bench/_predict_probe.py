"""Run by bench/serve.py with the generated repo's interpreter, from the repo directory.

Loads the trained model through the server's own loader and prints JSON: a sample row and the
median single-row predict time via plain scikit-learn and via the server's predict path.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from app.predictor import load_model
from app.settings import Settings


def sample_row(n_features: int, problem_type: str) -> list[float]:
    from sklearn.datasets import load_breast_cancer, load_diabetes

    data = (load_breast_cancer if problem_type == "classification" else load_diabetes)().data
    if data.shape[1] == n_features:
        return data[0].tolist()
    return np.random.default_rng(0).standard_normal(n_features).tolist()


def median_seconds(fns: dict, row: np.ndarray, repeats: int, block: int = 50) -> dict:
    """Median single-call time of each function, measured in interleaved blocks so that
    drifting machine load affects all of them alike."""
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():
        for _ in range(200):
            fn(row)
    for _ in range(max(1, repeats // block)):
        for name, fn in fns.items():
            for _ in range(block):
                start = time.perf_counter()
                fn(row)
                samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    model_dir, repeats = Path(sys.argv[1]), int(sys.argv[2])
    # Same choice of predict path as the server (FAST_PREDICT / service.yaml).
    model = load_model(model_dir, "probe", "1", fast_predict=Settings.from_env().fast_predict)
    row = sample_row(model.info.n_features, model.info.problem_type)
    X = np.asarray([row])
    medians = median_seconds(
        {"server_predict_s": model.predict, "sklearn_predict_s": model.estimator.predict},
        X,
        repeats,
    )
    path = "closed form" if model.compiled is not None else "sklearn predict"
    print(json.dumps({"row": row, "server_path": path, **medians}))


if __name__ == "__main__":
    main()

"""Dataset loading: the bundled scikit-learn sample datasets, or a CSV file on S3."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from urllib.parse import urlparse

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes

PROBLEM_TYPES = ("classification", "regression")
DATASET_SOURCES = ("sample", "s3")


class DatasetError(ValueError):
    """The dataset cannot be loaded or has an unusable layout."""


@dataclass(frozen=True)
class Dataset:
    X: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    target_name: str


def load_dataset(problem_type: str, source: str, uri: str | None = None) -> Dataset:
    if problem_type not in PROBLEM_TYPES:
        raise DatasetError(f"problem type must be one of {PROBLEM_TYPES}, got {problem_type!r}")
    if source == "sample":
        return load_sample(problem_type)
    if source == "s3":
        if not uri:
            raise DatasetError("dataset source is 's3' but no dataset URI is configured")
        return parse_csv(read_s3_object(uri), problem_type)
    raise DatasetError(f"dataset source must be one of {DATASET_SOURCES}, got {source!r}")


def load_sample(problem_type: str) -> Dataset:
    """breast_cancer (binary classification) or diabetes (regression), shipped with sklearn."""
    loader = load_breast_cancer if problem_type == "classification" else load_diabetes
    bunch = loader()
    return Dataset(
        X=np.asarray(bunch.data, dtype=np.float64),
        y=np.asarray(bunch.target),
        feature_names=[str(name) for name in bunch.feature_names],
        target_name="target",
    )


def parse_s3_uri(uri: str) -> tuple[str, str]:
    parsed = urlparse(uri)
    bucket, key = parsed.netloc, parsed.path.lstrip("/")
    if parsed.scheme != "s3" or not bucket or not key:
        raise DatasetError(f"expected a URI like s3://bucket/key.csv, got {uri!r}")
    return bucket, key


def read_s3_object(uri: str) -> str:
    # Imported lazily: serving never needs boto3's import cost.
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, key = parse_s3_uri(uri)
    # boto3 itself honours AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_S3 (emulators such as moto),
    # and the usual credential chain (IRSA in the cluster, env or profile locally).
    client = boto3.client("s3")
    try:
        body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
    except (BotoCoreError, ClientError) as exc:
        raise DatasetError(f"cannot read {uri}: {exc}") from exc
    return body.decode("utf-8-sig")


def parse_csv(text: str, problem_type: str) -> Dataset:
    """A CSV with a header row; every column but the last is a numeric feature."""
    rows = [row for row in csv.reader(io.StringIO(text)) if row]
    if len(rows) < 2:
        raise DatasetError("the CSV needs a header row and at least one data row")
    header, records = rows[0], rows[1:]
    if len(header) < 2:
        raise DatasetError("the CSV needs at least one feature column and a target column")
    for line_no, record in enumerate(records, start=2):
        if len(record) != len(header):
            raise DatasetError(
                f"CSV line {line_no}: {len(record)} fields, the header has {len(header)}"
            )
    try:
        X = np.array([record[:-1] for record in records], dtype=np.float64)
    except ValueError as exc:
        raise DatasetError(f"the CSV feature columns must be numeric: {exc}") from exc
    targets = [record[-1].strip() for record in records]
    return Dataset(
        X=X,
        y=_parse_target(targets, problem_type),
        feature_names=[name.strip() for name in header[:-1]],
        target_name=header[-1].strip(),
    )


def _parse_target(values: list[str], problem_type: str) -> np.ndarray:
    if problem_type == "regression":
        try:
            return np.array(values, dtype=np.float64)
        except ValueError as exc:
            raise DatasetError(f"a regression target must be numeric: {exc}") from exc
    # Classification labels stay integers when they look like integers, strings otherwise.
    try:
        return np.array([int(value) for value in values], dtype=np.int64)
    except ValueError:
        return np.array(values, dtype=str)

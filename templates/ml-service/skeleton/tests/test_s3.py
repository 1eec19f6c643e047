"""Training from a CSV on S3, against a local moto server (skipped when moto is absent)."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer

from model import train
from tests.conftest import run_training

BUCKET = "training-data"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"moto_server exited with code {process.returncode}")
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url, timeout=1).close()
            return
        time.sleep(0.2)
    pytest.fail(f"moto_server did not answer on {url} within {timeout:.0f}s")


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    executable = shutil.which("moto_server")
    if executable is None:
        pytest.skip("moto_server is not on PATH (pip install 'moto[server]'); S3 source untested")
    port = free_port()
    process = subprocess.Popen(
        [executable, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{endpoint}/moto-api/", process)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def aws_env(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return s3_endpoint


def breast_cancer_csv() -> bytes:
    bunch = load_breast_cancer()
    buffer = io.StringIO()
    header = [*bunch.feature_names, "diagnosis"]
    buffer.write(",".join(header) + "\n")
    table = np.column_stack([bunch.data, bunch.target])
    np.savetxt(buffer, table, delimiter=",", fmt="%.10g")
    return buffer.getvalue().encode()


def test_trains_from_s3_csv(aws_env: str, tmp_path: Path) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="breast_cancer.csv", Body=breast_cancer_csv())
    uri = f"s3://{BUCKET}/breast_cancer.csv"

    code = run_training(
        tmp_path, "classification", threshold=0.9, DATASET_SOURCE="s3", DATASET_URI=uri
    )

    assert code == 0
    metrics = json.loads((tmp_path / train.METRICS_FILE).read_text())
    assert metrics["dataset"] == {"source": "s3", "uri": uri}
    assert metrics["n_train"] + metrics["n_test"] == 569
    assert metrics["feature_names"][0] == "mean radius"
    assert metrics["target_name"] == "diagnosis"
    assert metrics["passed"] is True


def test_missing_s3_object_is_a_dataset_error(aws_env: str, tmp_path: Path) -> None:
    boto3.client("s3").create_bucket(Bucket="empty-bucket")
    code = run_training(
        tmp_path, "regression", DATASET_SOURCE="s3", DATASET_URI="s3://empty-bucket/none.csv"
    )
    assert code == train.EXIT_CONFIG_ERROR

"""Dynamic batching: concurrent requests share predict calls and get their own results."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

import joblib
import numpy as np
import pytest

from app.batcher import Batcher, BatcherClosedError
from model.train import MODEL_FILE
from tests.conftest import MODEL_NAME, make_app, serving, v2_request


class RecordingPredict:
    """Stands in for a model: predicts the row sum and records every call's batch size."""

    def __init__(self, fail: bool = False) -> None:
        self.batch_sizes: list[int] = []
        self.fail = fail

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        self.batch_sizes.append(len(rows))
        if self.fail:
            raise RuntimeError("model exploded")
        return rows.sum(axis=1)


def test_concurrent_http_requests_share_predict_calls(
    classifier_dir: Path, classification_rows: np.ndarray
) -> None:
    rows = classification_rows[:64]
    want = joblib.load(classifier_dir / MODEL_FILE).predict(rows).tolist()

    async def scenario() -> tuple[list[dict], int]:
        app = make_app(classifier_dir)
        async with serving(app) as http:
            responses = await asyncio.gather(
                *(
                    http.post(f"/v2/models/{MODEL_NAME}/infer", json=v2_request(row, f"r{i}"))
                    for i, row in enumerate(rows)
                )
            )
            return [r.json() for r in responses], app.state.server.batcher.predict_calls

    bodies, predict_calls = asyncio.run(scenario())
    assert predict_calls < len(rows) / 4
    for i, body in enumerate(bodies):
        assert body["id"] == f"r{i}"
        assert body["outputs"][0]["data"] == [want[i]]


def test_batches_respect_max_size_and_slice_results() -> None:
    predict = RecordingPredict()

    async def scenario() -> list[np.ndarray]:
        batcher = Batcher(predict, max_batch_size=8)
        batcher.start()
        requests = [np.full((1 + i % 3, 2), float(i)) for i in range(20)]
        results = await asyncio.gather(*(batcher.submit(rows) for rows in requests))
        await batcher.close()
        for rows, result in zip(requests, results, strict=True):
            np.testing.assert_array_equal(result, rows.sum(axis=1))
        return results

    asyncio.run(scenario())
    assert max(predict.batch_sizes) <= 8
    assert sum(predict.batch_sizes) == sum(1 + i % 3 for i in range(20))
    assert len(predict.batch_sizes) < 20


def test_oversized_request_is_predicted_alone() -> None:
    predict = RecordingPredict()

    async def scenario() -> None:
        batcher = Batcher(predict, max_batch_size=4)
        batcher.start()
        result = await batcher.submit(np.ones((10, 3)))
        await batcher.close()
        assert result.tolist() == [3.0] * 10

    asyncio.run(scenario())
    assert predict.batch_sizes == [10]


def test_batcher_never_waits_on_a_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    """No batching window: the batcher only ever yields to the loop, it never sleeps."""
    delays: list[float] = []
    real_sleep = asyncio.sleep

    async def recording_sleep(delay: float, *args: object) -> object:
        delays.append(delay)
        return await real_sleep(delay, *args)

    monkeypatch.setattr(asyncio, "sleep", recording_sleep)
    predict = RecordingPredict()

    async def scenario() -> None:
        batcher = Batcher(predict)
        batcher.start()
        await batcher.submit(np.ones((1, 3)))
        await asyncio.gather(*(batcher.submit(np.ones((1, 3))) for _ in range(10)))
        await batcher.close()

    asyncio.run(scenario())
    assert delays
    assert set(delays) == {0}


def test_predict_error_reaches_every_request_in_the_batch() -> None:
    predict = RecordingPredict(fail=True)

    async def scenario() -> list[object]:
        batcher = Batcher(predict)
        batcher.start()
        results = await asyncio.gather(
            *(batcher.submit(np.ones((1, 2))) for _ in range(5)), return_exceptions=True
        )
        await batcher.close()
        return results

    results = asyncio.run(scenario())
    assert all(isinstance(r, RuntimeError) for r in results)
    assert predict.batch_sizes == [5]


def test_loop_survives_a_failed_batch() -> None:
    calls = 0

    def flaky(rows: np.ndarray) -> np.ndarray:
        nonlocal calls
        calls += 1
        if calls == 1:
            return np.zeros(0)  # wrong length: the batch fails, the loop must not
        return rows.sum(axis=1)

    async def scenario() -> None:
        batcher = Batcher(flaky)
        batcher.start()
        with pytest.raises(ValueError, match="returned 0 rows"):
            await batcher.submit(np.ones((2, 2)))
        assert (await batcher.submit(np.ones((1, 2)))).tolist() == [2.0]
        await batcher.close()

    asyncio.run(scenario())


def test_close_drains_queued_work_then_refuses_new_work() -> None:
    predict = RecordingPredict()

    async def scenario() -> None:
        batcher = Batcher(predict)
        batcher.start()
        pending = [asyncio.ensure_future(batcher.submit(np.ones((1, 2)))) for _ in range(10)]
        await asyncio.sleep(0)  # queued, not yet predicted
        await batcher.close()
        assert all(task.done() and task.result().tolist() == [2.0] for task in pending)
        with pytest.raises(BatcherClosedError):
            await batcher.submit(np.ones((1, 2)))

    asyncio.run(scenario())
    assert sum(predict.batch_sizes) == 10


def test_cancelled_request_is_skipped() -> None:
    predict = RecordingPredict()

    async def scenario() -> None:
        batcher = Batcher(predict)
        batcher.start()
        doomed = asyncio.ensure_future(batcher.submit(np.ones((1, 2))))
        kept = asyncio.ensure_future(batcher.submit(np.zeros((1, 2))))
        await asyncio.sleep(0)
        doomed.cancel()
        assert (await kept).tolist() == [0.0]
        await batcher.close()

    asyncio.run(scenario())
    assert predict.batch_sizes == [1]


def test_predict_in_thread_gives_same_results() -> None:
    predict = RecordingPredict()

    async def scenario() -> None:
        batcher = Batcher(predict, in_thread=True)
        batcher.start()
        results = await asyncio.gather(*(batcher.submit(np.full((1, 2), i)) for i in range(6)))
        await batcher.close()
        assert [r.tolist() for r in results] == [[2.0 * i] for i in range(6)]

    asyncio.run(scenario())


def test_startup_objects_are_frozen_out_of_gc(classifier_dir: Path) -> None:
    async def scenario() -> int:
        async with serving(make_app(classifier_dir)):
            return gc.get_freeze_count()

    try:
        assert asyncio.run(scenario()) > 0
    finally:
        gc.unfreeze()

"""Dynamic batching: concurrent requests share predict calls and get their own results."""

from __future__ import annotations

import asyncio
import gc
import threading
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


class CallerRecordingPredict(RecordingPredict):
    """Also records which task and thread each predict call ran in."""

    def __init__(self) -> None:
        super().__init__()
        self.tasks: list[str] = []
        self.threads: list[str] = []

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        task = asyncio.current_task() if self._in_loop_thread() else None
        self.tasks.append(task.get_name() if task is not None else "-")
        self.threads.append(threading.current_thread().name)
        return super().__call__(rows)

    @staticmethod
    def _in_loop_thread() -> bool:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return False
        return True


def test_lone_request_is_predicted_inline_when_idle() -> None:
    predict = CallerRecordingPredict()

    async def scenario() -> None:
        batcher = Batcher(predict)
        batcher.start()
        for i in range(3):
            request = asyncio.create_task(batcher.submit(np.full((1, 2), i)), name=f"request-{i}")
            assert (await request).tolist() == [2.0 * i]
        await batcher.close()

    asyncio.run(scenario())
    # Each one ran in its own request's task, not in the batching task.
    assert predict.tasks == ["request-0", "request-1", "request-2"]
    assert predict.batch_sizes == [1, 1, 1]


def test_requests_arriving_together_are_batched_with_the_first() -> None:
    predict = CallerRecordingPredict()

    async def scenario() -> list[np.ndarray]:
        batcher = Batcher(predict)
        batcher.start()
        # All created in one loop pass, as uvicorn does for requests read in one pass.
        results = await asyncio.gather(*(batcher.submit(np.full((1, 2), i)) for i in range(10)))
        await batcher.close()
        return results

    results = asyncio.run(scenario())
    assert [r.tolist() for r in results] == [[2.0 * i] for i in range(10)]
    assert predict.batch_sizes == [10]
    assert predict.tasks == ["batcher"]


def test_inline_predict_runs_in_the_predict_thread_when_configured() -> None:
    predict = CallerRecordingPredict()

    async def scenario() -> None:
        batcher = Batcher(predict, in_thread=True)
        batcher.start()
        assert (await batcher.submit(np.ones((1, 2)))).tolist() == [2.0]
        await batcher.close()

    asyncio.run(scenario())
    assert predict.threads[0].startswith("predict")


@pytest.mark.parametrize("in_thread", [False, True])
def test_close_waits_for_a_request_deciding_to_go_inline(in_thread: bool) -> None:
    predict = RecordingPredict()

    async def scenario() -> None:
        batcher = Batcher(predict, in_thread=in_thread)
        batcher.start()
        request = asyncio.ensure_future(batcher.submit(np.ones((1, 2))))
        await asyncio.sleep(0)  # the request is now looking one pass ahead
        await batcher.close()
        assert request.done()
        assert request.result().tolist() == [2.0]

    asyncio.run(scenario())
    assert predict.batch_sizes == [1]


def test_inline_predict_failure_reaches_the_request_and_is_counted() -> None:
    observed: list[int] = []
    batcher_ref: list[Batcher] = []

    async def scenario() -> None:
        batcher = Batcher(
            RecordingPredict(fail=True), observe=lambda rows, _: observed.append(rows)
        )
        batcher_ref.append(batcher)
        batcher.start()
        with pytest.raises(RuntimeError, match="model exploded"):
            await batcher.submit(np.ones((1, 2)))
        await batcher.close()

    asyncio.run(scenario())
    assert batcher_ref[0].predict_calls == 1
    assert observed == []  # only successful predict calls are observed, as for batches


@pytest.mark.parametrize("fast_predict", [True, False])
def test_inline_and_batched_answers_agree_with_the_model(
    classifier_dir: Path, classification_rows: np.ndarray, fast_predict: bool
) -> None:
    rows = classification_rows[:48]
    want = joblib.load(classifier_dir / MODEL_FILE).predict(rows).tolist()
    infer = f"/v2/models/{MODEL_NAME}/infer"

    async def scenario() -> tuple[list[object], list[object], int]:
        app = make_app(classifier_dir, fast_predict=fast_predict)
        async with serving(app) as http:
            batcher = app.state.server.batcher
            one_by_one = []
            for row in rows:
                response = await http.post(infer, json=v2_request(row))
                one_by_one.append(response.json()["outputs"][0]["data"][0])
            inline_calls = batcher.predict_calls
            responses = await asyncio.gather(
                *(http.post(infer, json=v2_request(row)) for row in rows)
            )
            together = [r.json()["outputs"][0]["data"][0] for r in responses]
            return one_by_one, together, batcher.predict_calls - inline_calls

    one_by_one, together, batched_calls = asyncio.run(scenario())
    assert one_by_one == want
    assert together == want
    assert batched_calls < len(rows) / 4

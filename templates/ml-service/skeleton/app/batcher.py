"""Dynamic batching: concurrent requests share one model predict call.

Requests append their rows to a queue; a single loop takes whatever is queued at that moment
(up to ``max_batch_size`` rows), stacks it, predicts once and hands each request its slice.
There is deliberately no wait window: under load the queue fills while the previous batch is
being predicted, so batches grow with concurrency, and a lone request is never delayed.

When the batcher is idle, a request looks one event-loop pass ahead instead of queueing: the
requests parsed in the same pass as it run in that pass. If none of them submitted, it predicts
inline and returns, skipping the queue, the hand-over to the batching task and its own loop
passes (at one client those cost about as much again as a small model's predict). Otherwise it
joins the queue at the front and is batched with them as before.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

log = logging.getLogger(__name__)

PredictFn = Callable[[np.ndarray], np.ndarray]
BatchObserver = Callable[[int, float], None]

# After a wake-up, the batcher predicts once this many consecutive loop passes bring nothing new,
# and after MAX_YIELDS passes at the latest.
QUIET_YIELDS = 2
MAX_YIELDS = 16


class BatcherClosedError(RuntimeError):
    """The batcher is shutting down and accepts no new work."""


class _Pending:
    __slots__ = ("future", "rows")

    def __init__(self, rows: np.ndarray, future: asyncio.Future[np.ndarray]) -> None:
        self.rows = rows
        self.future = future


class Batcher:
    def __init__(
        self,
        predict: PredictFn,
        *,
        max_batch_size: int = 256,
        in_thread: bool = False,
        observe: BatchObserver | None = None,
    ) -> None:
        self._predict = predict
        self._max_batch_size = max_batch_size
        self._observe = observe
        # A large model would block the event loop (and so all I/O) while predicting; a single
        # worker thread keeps calls serialised while the loop goes on parsing requests.
        self._executor = ThreadPoolExecutor(1, "predict") if in_thread else None
        self._queue: deque[_Pending] = deque()
        self._wakeup = asyncio.Event()
        # True while the batching task has work in hand (from its wake-up until it waits again)
        # and while an idle-time request decides whether to predict inline (see _lead).
        self._active = False
        self._leading = False
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        self.predict_calls = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="batcher")

    async def submit(self, rows: np.ndarray) -> np.ndarray:
        """Queue a 2-D array of rows; returns the predictions for exactly those rows."""
        if self._closing or self._task is None:
            raise BatcherClosedError("the model server is shutting down")
        if not (self._active or self._leading or self._queue):
            return await self._lead(rows)
        return await self._enqueue(rows)

    async def _enqueue(self, rows: np.ndarray, front: bool = False) -> np.ndarray:
        future: asyncio.Future[np.ndarray] = asyncio.get_running_loop().create_future()
        pending = _Pending(rows, future)
        if front:
            self._queue.appendleft(pending)
        else:
            self._queue.append(pending)
        self._wakeup.set()
        return await future

    async def _lead(self, rows: np.ndarray) -> np.ndarray:
        """The batcher is idle: predict inline unless other requests arrive within one pass."""
        self._leading = True
        try:
            # Requests parsed in the same loop pass as this one are already scheduled; this
            # yield lets them run up to their own submit (which queues behind the leader).
            await asyncio.sleep(0)
            if not (self._queue or self._active):
                return await self._predict_inline(rows)
        finally:
            self._leading = False
            if self._closing:
                self._wakeup.set()  # close() waits for the batching task, which waits for us
        return await self._enqueue(rows, front=True)

    async def _predict_inline(self, rows: np.ndarray) -> np.ndarray:
        start = time.perf_counter()
        try:
            predictions = await self._call_predict(rows)
            if len(predictions) != len(rows):
                raise ValueError(f"predict returned {len(predictions)} rows for {len(rows)}")
        except Exception:
            log.exception("predict failed", extra={"requests": 1})
            raise
        finally:
            self.predict_calls += 1
        if self._observe is not None:
            self._observe(len(rows), time.perf_counter() - start)
        return predictions

    async def close(self) -> None:
        """Refuse new work, finish everything already queued, then stop the loop."""
        self._closing = True
        self._wakeup.set()
        if self._task is not None:
            await self._task
        if self._executor is not None:
            self._executor.shutdown(wait=True)

    async def _run(self) -> None:
        while True:
            if not self._queue:
                self._active = False
                # A leader may still hand its request over to this loop (see _lead).
                if self._closing and not self._leading:
                    return
                self._wakeup.clear()
                await self._wakeup.wait()
                self._active = True
                await self._let_arrivals_in()
                continue
            await self._process(self._take_batch())
            if self._queue:
                # Let the finished batch's responses go out before predicting the next one.
                await asyncio.sleep(0)

    async def _let_arrivals_in(self) -> None:
        """Yield to the event loop until it delivers no more requests (no timer involved).

        Requests whose bytes have already arrived need a loop pass or two to be parsed and
        queued; predicting before that would split a burst into many small batches.
        """
        quiet = 0
        for _ in range(MAX_YIELDS):
            queued = len(self._queue)
            await asyncio.sleep(0)
            quiet = quiet + 1 if len(self._queue) == queued else 0
            if quiet >= QUIET_YIELDS or self._queued_rows() >= self._max_batch_size:
                return

    def _queued_rows(self) -> int:
        return sum(len(item.rows) for item in self._queue)

    def _take_batch(self) -> list[_Pending]:
        batch = [self._queue.popleft()]
        n_rows = len(batch[0].rows)
        # A request bigger than max_batch_size still goes through, alone.
        while self._queue and n_rows + len(self._queue[0].rows) <= self._max_batch_size:
            item = self._queue.popleft()
            batch.append(item)
            n_rows += len(item.rows)
        return batch

    async def _process(self, batch: list[_Pending]) -> None:
        live = [item for item in batch if not item.future.cancelled()]
        if not live:
            return
        start = time.perf_counter()
        try:
            X = live[0].rows if len(live) == 1 else np.concatenate([item.rows for item in live])
            predictions = await self._call_predict(X)
            if len(predictions) != len(X):
                raise ValueError(f"predict returned {len(predictions)} rows for {len(X)}")
        except Exception as exc:
            # Fail this batch's requests, never the loop: later requests must still be served.
            log.exception("predict failed", extra={"requests": len(live)})
            for item in live:
                if not item.future.done():
                    item.future.set_exception(exc)
            return
        finally:
            self.predict_calls += 1
        if self._observe is not None:
            self._observe(len(X), time.perf_counter() - start)
        self._resolve(live, predictions)

    async def _call_predict(self, X: np.ndarray) -> np.ndarray:
        if self._executor is None:
            return self._predict(X)
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._predict, X)

    @staticmethod
    def _resolve(batch: list[_Pending], predictions: np.ndarray) -> None:
        offset = 0
        for item in batch:
            n = len(item.rows)
            if not item.future.done():
                item.future.set_result(predictions[offset : offset + n])
            offset += n

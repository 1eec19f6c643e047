"""Closed-loop HTTP/1.1 keep-alive load generator (stdlib asyncio, uvloop when importable).

Each of ``--concurrency`` connections sends one request, waits for the full response, and sends
the next, for ``--duration`` seconds after a ``--warmup``. Only loopback targets are allowed.
Prints one JSON object: requests, errors, rps, p50/p90/p99/max latency in ms, status counts.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import socket
import sys
import time
from collections import Counter


class Stats:
    def __init__(self) -> None:
        self.recording = False
        self.latencies: list[float] = []
        self.statuses: Counter[int] = Counter()
        self.errors = 0


class Connection(asyncio.Protocol):
    def __init__(self, request: bytes, stats: Stats, stop: asyncio.Event) -> None:
        self.request = request
        self.stats = stats
        self.stop = stop
        self.buffer = bytearray()
        self.sent_at = 0.0
        self.transport: asyncio.Transport | None = None
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.send()

    def send(self) -> None:
        self.sent_at = time.perf_counter()
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            message = complete_message(self.buffer)
            if message is None:
                return
            head, total = message
            status = int(head[9:12])
            del self.buffer[:total]
            self.record(status)
            if self.stop.is_set():
                self.transport.close()
                return
            self.send()

    def record(self, status: int) -> None:
        if not self.stats.recording:
            return
        self.stats.latencies.append(time.perf_counter() - self.sent_at)
        self.stats.statuses[status] += 1
        if status >= 400:
            self.stats.errors += 1

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.stop.is_set():
            self.stats.errors += 1
        if not self.closed.done():
            self.closed.set_result(None)


def complete_message(buffer: bytes | bytearray) -> tuple[bytes, int] | None:
    """(lower-cased head, total length) of the first whole HTTP/1.1 message, or None yet."""
    head_end = buffer.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    head = bytes(buffer[:head_end]).lower()
    length = 0
    marker = head.find(b"content-length:")
    if marker >= 0:
        line_end = head.find(b"\r\n", marker)
        length = int(head[marker + 15 : line_end if line_end > 0 else None])
    total = head_end + 4 + length
    return (head, total) if len(buffer) >= total else None


def build_request(host: str, port: int, path: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode() + body


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


async def run(args: argparse.Namespace) -> dict[str, object]:
    body = open(args.body_file, "rb").read()  # noqa: SIM115 - tiny file, read once
    request = build_request(args.host, args.port, args.path, body)
    stats, stop = Stats(), asyncio.Event()
    loop = asyncio.get_running_loop()
    connections = []
    for _ in range(args.concurrency):
        _, protocol = await loop.create_connection(
            lambda: Connection(request, stats, stop), args.host, args.port
        )
        connections.append(protocol)
    await asyncio.sleep(args.warmup)
    stats.recording = True
    started, cpu_started = time.perf_counter(), time.process_time()
    await asyncio.sleep(args.duration)
    stats.recording = False
    elapsed = time.perf_counter() - started
    client_cpu = (time.process_time() - cpu_started) / elapsed
    stop.set()
    # Connections close after their in-flight response; don't wait forever for a stuck server.
    await asyncio.wait([c.closed for c in connections], timeout=5)
    for connection in connections:
        if connection.transport is not None:
            connection.transport.close()
    latencies = sorted(stats.latencies)
    ms = 1000.0
    return {
        "concurrency": args.concurrency,
        "duration_s": round(elapsed, 3),
        "requests": len(latencies),
        "errors": stats.errors,
        "statuses": {str(k): v for k, v in sorted(stats.statuses.items())},
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50) * ms, 3),
        "p90_ms": round(percentile(latencies, 0.90) * ms, 3),
        "p99_ms": round(percentile(latencies, 0.99) * ms, 3),
        "max_ms": round((latencies[-1] if latencies else float("nan")) * ms, 3),
        # Near 1.0 means the client, not the server, may be the bottleneck.
        "client_cpu": round(client_cpu, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--body-file", required=True)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    args = parser.parse_args()
    if not ipaddress.ip_address(socket.gethostbyname(args.host)).is_loopback:
        parser.error("only loopback targets are allowed")
    try:
        import uvloop
    except ImportError:
        runner = asyncio.run
    else:
        runner = uvloop.run
    print(json.dumps(runner(run(args))))
    return 0


if __name__ == "__main__":
    sys.exit(main())

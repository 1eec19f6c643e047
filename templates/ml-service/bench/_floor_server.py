"""Run by bench/serve.py: the loopback floor, an HTTP/1.1 server that does no work at all.

Answers every request with the same small JSON body, straight from an asyncio protocol. What a
client measures against it is the client's own time plus the loopback round trip: the part of
every single-client figure that no model server can remove.

    python _floor_server.py PORT
"""

from __future__ import annotations

import asyncio
import sys

from loadgen import complete_message

BODY = b'{"model_name":"floor","outputs":[]}'
RESPONSE = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
    + str(len(BODY)).encode()
    + b"\r\n\r\n"
    + BODY
)
READY = b'HTTP/1.1 200 OK\r\ncontent-length: 14\r\n\r\n{"ready":true}'


class FloorProtocol(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (message := complete_message(self.buffer)) is not None:
            head, total = message
            self.buffer = self.buffer[total:]
            # GET is the readiness probe (urllib closes its connection after it).
            self.transport.write(READY if head.startswith(b"get ") else RESPONSE)


async def serve(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(FloorProtocol, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def main() -> None:
    try:
        import uvloop
    except ImportError:
        runner = asyncio.run
    else:
        runner = uvloop.run
    runner(serve(int(sys.argv[1])))


if __name__ == "__main__":
    main()

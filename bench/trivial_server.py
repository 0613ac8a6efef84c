"""A server that does nothing but answer: the load generator's ceiling, measured in the same run.

``make bench`` drives this with the same wrk script, the same request file and the same
connections as a cell, so its throughput is what wrk itself can send and read on this machine
while sharing it with a server; a cell well below it is not held back by the load generator.
Every request (any method, any path) gets the same ``200`` of ``--size`` bytes, kept alive; it
parses with httptools on uvloop, as uvicorn does, and does nothing else.

    python bench/trivial_server.py --port 8800 --size 4096
"""

from __future__ import annotations

import argparse
import asyncio

import httptools
import uvloop


def answer(size: int) -> bytes:
    head = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: %d\r\n\r\n" % size
    return head + b"x" * size


class Answering(asyncio.Protocol):
    reply = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.parser = httptools.HttpRequestParser(self)

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.transport.close()

    def on_message_complete(self) -> None:
        self.transport.write(self.reply)


async def serve(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(Answering, "127.0.0.1", port)
    await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--size", type=int, default=4096, help="bytes in each answer's body")
    args = parser.parse_args()
    Answering.reply = answer(args.size)
    uvloop.run(serve(args.port))


if __name__ == "__main__":
    main()

"""Ready answers at the wire: a replayed answer's bytes, written by the HTTP protocol itself.

:mod:`.replay` answers the second identical ``GET`` of a release from the answer the first one
got, without the router or the workers.  What is left of such a request is the way through the
server: uvicorn builds a scope, a request-response cycle and a task for it, and the middlewares
outside the replay (access log, request limits, CORS, budgets, the release hold) each wrap it —
about 0.1 ms of CPU in all, where writing the bytes costs a tenth of that.  For the requests
where none of those layers can change the answer, the protocol
(:class:`.protocol.BoundedHttpToolsProtocol`) records the bytes the whole stack sent once, and
writes them again for the next identical request straight from the parser's callback, with the
current ``Date``.  The answer is the very one the stack gave: it is recorded, never rebuilt.

**Which requests** (:func:`wire_key`): HTTP/1.1 ``GET`` or ``HEAD`` on a kept-alive connection,
nothing else in flight on it, outside ``/sparql`` (ad-hoc queries are charged to their client's
budget, :mod:`.fairness`) and the paths :mod:`.replay` never replays; no conditional or ranged
header (the validators answer those), no body, no ``Expect``.  The key is
the method, the request target as sent, ``Accept``, ``Accept-Encoding`` and whether ``Origin``
was sent (:mod:`.cors`: the one thing the CORS headers depend on) — the replay's own key, on the
raw target.

**When bytes are recorded**: only for an answer :class:`.replay.ReplayAnswers` sent from a
replay (it marks the request's state with :data:`.replay.REPLAYED`), complete, of a declared length,
with the connection kept alive.  They go to the table of the release that answered, so after a
release switch the new release starts with an empty table.  A table is bounded in bytes and
entries; once full it keeps what it has (the replay still answers the rest).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from gcmkg.service.access_log import access_line
from gcmkg.service.access_log import log as access_log
from gcmkg.service.replay import CONDITIONAL, NOT_REPLAYED

# request headers that take a request off the wire lane (see the module docstring)
_UNEVEN = frozenset((*CONDITIONAL, b"content-length", b"transfer-encoding", b"expect", b"upgrade"))
_NOT_ON_WIRE = tuple(p.encode() for p in (*NOT_REPLAYED, "/sparql"))

WireKey = tuple[bytes, bytes, bytes, bytes, bool]


@dataclass(frozen=True)
class WireAnswer:
    """A recorded answer: its status line, its headers after the server's default ones, its body."""

    status: int
    status_line: bytes
    head: bytes  # the headers the application sent, encoded, up to and including the blank line
    body: bytes

    @property
    def size(self) -> int:
        return len(self.status_line) + len(self.head) + len(self.body)


class WireAnswers:
    """The recorded answers of one release, by :func:`wire_key` (only the event loop uses it)."""

    def __init__(self, max_bytes: int = 32 * 2**20, max_entries: int = 20_000) -> None:
        self.max_bytes, self.max_entries = max_bytes, max_entries
        self._answers: dict[WireKey, WireAnswer] = {}
        self._bytes = 0
        self.hits = 0

    def get(self, key: WireKey) -> WireAnswer | None:
        return self._answers.get(key)

    def has_room(self) -> bool:
        return len(self._answers) < self.max_entries and self._bytes < self.max_bytes

    def add(self, key: WireKey, answer: WireAnswer) -> None:
        if key in self._answers or not self.has_room() or self._bytes + answer.size > self.max_bytes:
            return
        self._answers[key] = answer
        self._bytes += answer.size

    def clear(self) -> None:
        self._answers.clear()
        self._bytes = 0

    def status(self) -> dict[str, int]:
        return {"entries": len(self._answers), "bytes": self._bytes, "hits": self.hits}


def wire_key(method: bytes, target: bytes, headers: Sequence[tuple[bytes, bytes]]) -> WireKey | None:
    """The key of a request the wire lane may answer, or None (the module docstring says which).

    ``headers`` are uvicorn's: names in lower case.  The caller has checked the HTTP version and
    the connection; this looks at the request itself, in one pass over its headers."""
    if method != b"GET" and method != b"HEAD":
        return None
    if not target.startswith(b"/") or target.startswith(_NOT_ON_WIRE) or b"#" in target or not target.isascii():
        return None
    accept = encoding = b""
    origin = False
    for name, value in headers:
        if name == b"accept":
            accept = value
        elif name == b"accept-encoding":
            encoding = value
        elif name == b"origin":
            origin = True
        elif name in _UNEVEN:
            return None
    return (method, target, accept, encoding, origin)


def encoded_headers(headers: Sequence[tuple[bytes, bytes]]) -> bytes:
    """Headers as uvicorn writes them (``name: value`` and CRLF each)."""
    return b"".join(b"%s: %s\r\n" % pair for pair in headers)


class Recording:
    """Stands in for the transport of one request-response cycle, keeping what it writes.

    A replayed answer is written as a head and one body (:mod:`.replay` sends one body message),
    so a third write, or more than ``max_bytes`` in all, means an answer the table will not keep
    (a streamed dump, an event stream): what was kept is dropped and nothing more is, so that a
    download is never held in memory for the length of its transfer."""

    def __init__(self, transport: Any, max_bytes: int) -> None:
        self.transport = transport
        self.chunks: list[bytes] = []
        self.max_bytes = max_bytes
        self._size = 0
        self.given_up = False

    def write(self, data: bytes) -> None:
        if not self.given_up:
            self._size += len(data)
            if len(self.chunks) == 2 or self._size > self.max_bytes:
                self.given_up, self.chunks = True, []
            else:
                self.chunks.append(data)
        self.transport.write(data)

    def __getattr__(self, name: str) -> Any:  # close, is_closing, get_extra_info...: the transport's
        return getattr(self.transport, name)


def recorded(chunks: Sequence[bytes], default_headers: Sequence[tuple[bytes, bytes]]) -> WireAnswer | None:
    """The answer in what a cycle wrote (head first, then its body), or None if it is not of the
    expected shape: a status line, the server's default headers, then the application's."""
    if not chunks:
        return None
    head = chunks[0]
    line_end = head.find(b"\r\n") + 2
    if line_end < 2 or not head.startswith(b"HTTP/1.1 ") or not head.endswith(b"\r\n\r\n"):
        return None
    defaults = encoded_headers(default_headers)
    if not head.startswith(defaults, line_end):
        return None
    body = chunks[1] if len(chunks) == 2 else b"".join(chunks[1:])
    return WireAnswer(int(head[9:12]), head[:line_end], head[line_end + len(defaults) :], body)


class DefaultHeaders:
    """The server's default headers (its ``Date``) encoded, redone only when uvicorn renews them."""

    def __init__(self) -> None:
        self._of: object = None
        self._bytes = b""

    def encoded(self, headers: Sequence[tuple[bytes, bytes]]) -> bytes:
        if headers is not self._of:  # uvicorn puts a new list in place each second
            self._of, self._bytes = headers, encoded_headers(headers)
        return self._bytes


def log_wire_answer(
    method: bytes, target: bytes, status: int, ms: float, release: str, client: str, agent: bytes
) -> None:
    """The access-log line of a wire answer: the one :class:`.access_log.AccessLog` writes."""
    raw_path, _, query = target.partition(b"?")
    path = raw_path.decode("ascii")  # as uvicorn decodes it (wire_key took ASCII targets only)
    line = access_line(
        method.decode("ascii"),
        unquote(path) if "%" in path else path,
        query,
        status,
        ms,
        release,
        client,
        agent,
    )
    access_log.info(json.dumps(line, ensure_ascii=False))


def _nothing(scope: Any, receive: Any, send: Any) -> Any:
    async def done() -> None:
        return None

    return done()


ProxyClient = Callable[[tuple[str, int] | None, list[tuple[bytes, bytes]]], str]  # (peer, headers) → client


def proxy_client(forwarded_allow_ips: str | list[str]) -> ProxyClient:
    """The client address the access log names, as uvicorn's own proxy-header middleware sets it
    for the stack (``X-Forwarded-For`` from a trusted proxy, ``--forwarded-allow-ips``): that
    middleware runs on a scope of the request's client and headers, and nothing else."""
    middleware = ProxyHeadersMiddleware(_nothing, trusted_hosts=forwarded_allow_ips)

    def client(peer: tuple[str, int] | None, headers: list[tuple[bytes, bytes]]) -> str:
        scope: dict[str, Any] = {"type": "http", "client": peer, "headers": headers, "scheme": "http"}
        running = middleware(scope, None, None)  # type: ignore[arg-type]  # nothing it awaits suspends
        try:
            running.send(None)
        except StopIteration:
            pass
        else:  # pragma: no cover — a middleware that waits for something: name the peer
            running.close()
            return peer[0] if peer else ""
        return scope["client"][0] if scope["client"] else ""

    return client


def logging_enabled() -> bool:
    return access_log.isEnabledFor(logging.INFO)

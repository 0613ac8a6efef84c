"""uvicorn's HTTP protocol with the two bounds an ASGI app cannot set: a deadline and a head size.

uvicorn closes an *idle* keep-alive connection after ``timeout_keep_alive``, but a client that
trickles a request one byte at a time resets that timer with every byte and holds the
connection for ever (Slowloris); and an ASGI middleware sees a request only once its whole head
has been parsed.  :class:`BoundedHttpToolsProtocol` adds both bounds at the protocol level:

* a **receipt deadline**: from the moment a connection opens, or a new request on it begins,
  the request must have arrived whole (head and body) within ``receipt_timeout_s``; otherwise
  the connection is closed.  Sending the answer is not limited, nor is the time a query runs.
* a **head cap**: a request line longer than ``max_url_bytes`` is answered ``414``, a header
  block larger than ``max_header_bytes`` ``431``, as the bytes arrive, and the connection is
  closed — nothing more of that request is read.

It is also where a replayed answer is written again without the ASGI layers
(:mod:`.wire`): :meth:`BoundedHttpToolsProtocol.on_headers_complete` looks the request up in the
served release's wire table, and records the bytes of a replayed answer for the next time.

``gcmkg serve`` passes it to uvicorn as ``http=``; the limits come from
:class:`~gcmkg.service.request_limits.RequestLimits`, the wire tables from the app's releases.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

from gcmkg.service import wire
from gcmkg.service.replay import REPLAYED
from gcmkg.service.request_limits import RequestLimits

if TYPE_CHECKING:
    from gcmkg.service.serving import Served

log = logging.getLogger("gcmkg.service.protocol")


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """See the module docstring.  The class attributes are set by :func:`bounded_protocol`."""

    receipt_timeout_s: float = 10.0
    max_url_bytes: int = RequestLimits().max_url_bytes
    max_header_bytes: int = RequestLimits().max_header_bytes
    # the release served now, whose wire table the lane reads (Releases.serving_now); None: no lane
    serving_now: Callable[[], Served | None] | None = None
    _defaults = wire.DefaultHeaders()  # one per class: the Date line is the same for every connection
    _proxy_client: wire.ProxyClient | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._url_bytes = 0
        self._header_bytes = 0
        self._refused = False
        self._on_wire = False  # the request being parsed was answered from the wire table

    # the deadline ---------------------------------------------------------------------------
    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.receipt_timeout_s, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            log.info("closed a connection whose request did not arrive within %g s", self.receipt_timeout_s)
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        self._url_bytes = self._header_bytes = 0
        self._on_wire = False
        self._began = time.perf_counter()  # for a wire answer's access-log line
        # a wire answer earlier in the same read armed the idle timer: this request is not idle
        self._unset_keepalive_if_required()
        self._arm()
        super().on_message_begin()

    def on_message_complete(self) -> None:
        self._disarm()
        if not self._on_wire:
            super().on_message_complete()

    def on_body(self, body: bytes) -> None:
        if not self._on_wire:
            super().on_body(body)

    # the wire lane (gcmkg.service.wire) -------------------------------------------------------
    def on_headers_complete(self) -> None:
        key = self._wire_key() if self.serving_now is not None else None
        served = self.serving_now() if key is not None else None  # type: ignore[misc]
        if served is not None:
            answer = served.wire.get(key)  # type: ignore[arg-type]
            if answer is not None:
                served.wire.hits += 1
                self._on_wire = True
                self._write_wire(answer, served.release.id)
                return
        super().on_headers_complete()
        if served is not None and served.wire.has_room():
            self._record(self.cycle, key, served)  # type: ignore[arg-type]

    def _wire_key(self) -> wire.WireKey | None:
        cycle = self.cycle
        if (cycle is not None and not cycle.response_complete) or self.pipeline or self.flow.write_paused:
            return None  # answers on a connection go out in order: this one waits its turn
        if self.limit_concurrency is not None or self.parser.get_http_version() != "1.1":
            return None
        if not self.parser.should_keep_alive() or self.parser.should_upgrade():
            return None
        return wire.wire_key(self.parser.get_method(), self.url, self.headers)

    def _write_wire(self, answer: wire.WireAnswer, release: str) -> None:
        method = self.parser.get_method()
        defaults = self._defaults.encoded(self.server_state.default_headers)
        self.transport.write(b"".join((answer.status_line, defaults, answer.head, answer.body)))  # one send
        if wire.logging_enabled():
            agent = next((v for k, v in self.headers if k == b"user-agent"), b"")
            client = self._client_for_log()
            ms = (time.perf_counter() - self._began) * 1000
            wire.log_wire_answer(method, self.url, answer.status, ms, release, client, agent)
        self.on_response_complete()  # what uvicorn does after an answer: count it, re-arm the idle timer

    def _client_for_log(self) -> str:
        if not self.config.proxy_headers:
            return self.client[0] if self.client else ""
        if self._proxy_client is None:  # once per protocol class: the setting is the server's
            type(self)._proxy_client = staticmethod(wire.proxy_client(self.config.forwarded_allow_ips))
        return self._proxy_client(self.client, self.headers)  # type: ignore[misc]

    def _record(self, cycle: RequestResponseCycle, key: wire.WireKey, served: Served) -> None:
        """Record what ``cycle`` writes; keep it if the replay answered it (see :mod:`.wire`)."""
        recording = wire.Recording(cycle.transport, served.wire.max_bytes)
        cycle.transport = recording  # type: ignore[assignment]
        on_response = cycle.on_response

        def kept() -> None:
            replayed_by = cycle.scope["state"].get(REPLAYED)
            whole = not recording.given_up and cycle.keep_alive and cycle.chunked_encoding is False
            if replayed_by is not None and whole:
                answer = wire.recorded(recording.chunks, cycle.default_headers)
                if answer is not None:
                    replayed_by.wire.add(key, answer)
            on_response()

        cycle.on_response = kept

    # the head cap ---------------------------------------------------------------------------
    def on_url(self, url: bytes) -> None:
        self._url_bytes += len(url)
        if self._url_bytes > self.max_url_bytes:
            self._refuse(414, f"the request target passed {self.max_url_bytes} bytes (send a long query by POST)")
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value) + 4
        if self._header_bytes > self.max_header_bytes:
            self._refuse(431, f"the request headers passed {self.max_header_bytes} bytes")
        super().on_header(name, value)

    def _refuse(self, status: int, message: str) -> None:
        """Answer and close now; the exception stops the parser (uvicorn then sends nothing more)."""
        self._refused = True
        body = (message + "\n").encode()
        reason = {414: b"URI Too Long", 431: b"Request Header Fields Too Large"}[status]
        self.transport.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: %d\r\n"
            b"connection: close\r\n\r\n%s" % (status, reason, len(body), body)
        )
        self.transport.close()
        raise HeadTooLarge(message)

    def data_received(self, data: bytes) -> None:
        if not self._refused:
            super().data_received(data)

    def send_400_response(self, msg: str) -> None:
        if not self._refused:  # the parser's error after a refusal: already answered
            super().send_400_response(msg)


class HeadTooLarge(Exception):
    """Raised inside a parser callback to stop parsing a request head over its cap."""


def bounded_protocol(
    limits: RequestLimits, receipt_timeout_s: float, serving_now: Callable[[], Served | None] | None = None
) -> type[BoundedHttpToolsProtocol]:
    """The protocol class with these limits (uvicorn instantiates it per connection); with
    ``serving_now`` (the app's ``Releases.serving_now``), the wire lane of :mod:`.wire` too."""
    return type(
        "BoundedHttpToolsProtocol",
        (BoundedHttpToolsProtocol,),
        {
            "receipt_timeout_s": receipt_timeout_s,
            "max_url_bytes": limits.max_url_bytes,
            "max_header_bytes": limits.max_header_bytes,
            "serving_now": staticmethod(serving_now) if serving_now is not None else None,
            "_defaults": wire.DefaultHeaders(),
        },
    )

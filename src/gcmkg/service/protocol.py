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

``gcmkg serve`` passes it to uvicorn as ``http=``; the limits come from
:class:`~gcmkg.service.request_limits.RequestLimits`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gcmkg.service.request_limits import RequestLimits

log = logging.getLogger("gcmkg.service.protocol")


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """See the module docstring.  The class attributes are set by :func:`bounded_protocol`."""

    receipt_timeout_s: float = 10.0
    max_url_bytes: int = RequestLimits().max_url_bytes
    max_header_bytes: int = RequestLimits().max_header_bytes

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._url_bytes = 0
        self._header_bytes = 0
        self._refused = False

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
        self._arm()
        super().on_message_begin()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

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


def bounded_protocol(limits: RequestLimits, receipt_timeout_s: float) -> type[BoundedHttpToolsProtocol]:
    """The protocol class with these limits (uvicorn instantiates it per connection)."""
    return type(
        "BoundedHttpToolsProtocol",
        (BoundedHttpToolsProtocol,),
        {
            "receipt_timeout_s": receipt_timeout_s,
            "max_url_bytes": limits.max_url_bytes,
            "max_header_bytes": limits.max_header_bytes,
        },
    )

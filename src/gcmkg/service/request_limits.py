"""Bounded requests: a URL, header block or body over its cap is refused before it is used.

The caps (:class:`RequestLimits`, ``gcmkg serve --max-body-bytes`` …) are checked by an ASGI
middleware in front of everything else:

* the request target (path and query string) over ``max_url_bytes`` → ``414``;
* the header block over ``max_header_bytes`` → ``431``;
* a ``Content-Length`` over ``max_body_bytes`` → ``413`` before a byte of the body is read; a
  body without a length (chunked) is counted as it arrives and refused with ``413`` as soon as it
  passes the cap, so the service never holds more than the cap of any one request;
* a query string that is not UTF-8 once percent-decoded → ``400`` naming the parameter (the
  framework would otherwise replace the bad bytes with U+FFFD and run what is left, where the
  same bytes in a POST body are refused).

The same caps on the request line and headers are also enforced by the HTTP protocol itself, as
the bytes arrive (:mod:`.protocol`), and so is the time a request may take to arrive; an idle
keep-alive connection is closed after ``keep_alive_s`` (uvicorn's own timer).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gcmkg.errors import SettingsError


@dataclass(frozen=True)
class RequestLimits:
    """Caps on what a client may send (documented defaults; ``gcmkg serve --help``)."""

    max_url_bytes: int = 32 * 1024  # a long GET query still fits; browsers send at most about this
    max_header_bytes: int = 32 * 1024
    max_body_bytes: int = 1024 * 1024  # a SPARQL query or a form; the longest saved query is under 4 KiB
    keep_alive_s: int = 5  # seconds an idle connection stays open (uvicorn counts whole seconds)
    receipt_timeout_s: float = 10.0  # a request must have arrived whole this long after it began

    def __post_init__(self) -> None:
        if min(self.max_url_bytes, self.max_header_bytes, self.max_body_bytes) < 1024:
            raise SettingsError(f"request limits out of range (at least 1024 bytes each): {self}")
        if self.keep_alive_s <= 0 or self.receipt_timeout_s <= 0:
            raise SettingsError(f"request time limits must be positive: {self}")


class BodyTooLarge(HTTPException):
    """Raised inside ``receive`` when a body without a length passes the cap.

    An HTTP exception, so the app's own handler answers it (413) wherever the body is read.
    """

    def __init__(self, cap: int) -> None:
        super().__init__(413, f"the request body passed {cap} bytes and was refused")


def not_utf8(query_string: bytes) -> str | None:
    """Why a query string is not UTF-8 once percent-decoded (which parameter, which byte), or None.

    >>> not_utf8(b"query=ASK%20%7B%7D&format=json") is None
    True
    >>> not_utf8(b"query=%22%FF%22")
    "parameter 'query': byte 0xff at 1 is not UTF-8"
    """
    if b"%" not in query_string:  # nothing encoded: UTF-8 as it stands, or not (one C-level check)
        try:
            query_string.decode("utf-8")
            return None
        except UnicodeDecodeError:
            pass
    for part in query_string.split(b"&"):
        name, _, value = part.partition(b"=")
        for piece in (name, value):
            decoded = unquote_to_bytes(piece.replace(b"+", b" "))
            try:
                decoded.decode("utf-8")
            except UnicodeDecodeError as error:
                shown = unquote_to_bytes(name).decode("utf-8", "backslashreplace")[:60]
                shown = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in shown)
                return f"parameter '{shown}': byte 0x{decoded[error.start]:02x} at {error.start} is not UTF-8"
    return None


async def _refuse(send: Send, status: int, message: str) -> None:
    body = (message + "\n").encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BoundedRequests:
    """ASGI middleware that enforces :class:`RequestLimits`."""

    def __init__(self, app: ASGIApp, limits: RequestLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limits = self.limits
        target = len(scope.get("raw_path") or scope["path"].encode()) + len(scope.get("query_string", b""))
        if target > limits.max_url_bytes:
            await _refuse(
                send,
                414,
                f"the request target is {target} bytes; at most {limits.max_url_bytes} are accepted "
                "(send a long SPARQL query by POST)",
            )
            return
        bad_encoding = not_utf8(scope.get("query_string", b""))
        if bad_encoding:
            message = f"the query string is not UTF-8 ({bad_encoding}); percent-encode the UTF-8 bytes of each value"
            await _refuse(send, 400, message)
            return
        size = 0
        length = None
        chunked = False
        for name, value in scope.get("headers", ()):  # one pass: this runs for every request
            size += len(name) + len(value) + 4
            if name == b"content-length":
                length = value
            elif name == b"transfer-encoding":
                chunked = True
        if size > limits.max_header_bytes:
            await _refuse(send, 431, f"the request headers are {size} bytes; at most {limits.max_header_bytes}")
            return
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                await _refuse(send, 400, f"Content-Length is not a number: {length[:40]!r}")
                return
            if declared > limits.max_body_bytes:
                await _refuse(
                    send, 413, f"the request body is {declared} bytes; at most {limits.max_body_bytes} are accepted"
                )
                return
        if not chunked:  # no body, or one of a declared length under the cap (the server holds it to that)
            await self.app(scope, receive, send)
            return

        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limits.max_body_bytes:
                    raise BodyTooLarge(limits.max_body_bytes)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge as error:  # read outside a route (no handler saw it)
            if not started:
                await _refuse(send, 413, str(error.detail))

"""Answers replayed: a GET answer is computed once per release, then sent again as it was.

A release never changes, and the representation of a ``GET`` is a function of the release, the
path and query string and the negotiated headers (:class:`.app.CacheValidators` rests on the same
fact to compute its validators before the request runs).  So :class:`ReplayAnswers` keeps the
status, headers and body of each ``200`` answer in the release's :attr:`.serving.Served.replays`
(bounded in bytes and entries) and sends the same messages for the next request with the same
key, without the router, the thread pool or the query workers: a cached answer costs what a
``304`` costs.

What is not replayed: a streamed answer (more than one body message: the dumps, an event
stream), an answer over the per-entry size bound, any status but 200, and the paths that
describe the process rather than the release (``/health``) or hold a session (``/mcp``).  It sits
outside :class:`.app.CacheValidators` and the negotiation and compression middlewares, so that an
answer is kept with the headers they gave it (validators, ``Vary``, ``Link``, the encoding) and
none of them runs again for a replay; a conditional request (``If-None-Match``,
``If-Modified-Since``) is passed on to the validators, which answer it ``304``.  It sits inside
:class:`.fairness.RefuseOverBudget`, so a client over its budget is refused even for an answer
that is ready.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REPLAYED = "replayed"  # scope["state"] key: the Served whose replay answered the request (for .wire)
NOT_REPLAYED = ("/health", "/mcp")  # paths whose answers are not a function of the release alone
NEGOTIATED = (b"accept", b"accept-encoding")  # the request headers an answer may depend on
CONDITIONAL = (b"if-none-match", b"if-modified-since", b"range", b"if-range")  # answered by the validators


@dataclass(frozen=True)
class Replay:
    """One answer as it was sent: status, headers, and the whole body."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


def replay_key(scope: Scope) -> tuple[object, ...] | None:
    """What the answer to a request depends on, besides the release; None for a conditional or
    ranged request (not replayed).  The headers are read in one pass: this runs for every GET."""
    negotiated = dict.fromkeys(NEGOTIATED, b"")
    for name, value in scope.get("headers", ()):  # ASGI servers give the names in lower case
        if name in negotiated:
            negotiated[name] = value
        elif name in CONDITIONAL:
            return None
    return (scope["method"], scope["path"], scope.get("query_string", b""), *negotiated.values())


class ReplayAnswers:
    """ASGI middleware: the second and later identical ``GET``/``HEAD`` requests of a release are
    answered from the answer the first one got (see the module docstring for what is not)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or scope["path"].startswith(NOT_REPLAYED):
            await self.app(scope, receive, send)
            return
        key = replay_key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        replays = scope["state"]["served"].replays  # of the release this request holds (ServeRelease)
        ready = replays.get(key)
        if isinstance(ready, Replay):
            scope["state"][REPLAYED] = scope["state"]["served"]
            # fresh lists: the middlewares outside add their headers to the message in place
            await send({"type": "http.response.start", "status": ready.status, "headers": list(ready.headers)})
            await send({"type": "http.response.body", "body": ready.body})
            return
        start: Message | None = None
        headers: tuple[tuple[bytes, bytes], ...] = ()
        body: bytes | None = None
        whole = True

        async def keep(message: Message) -> None:
            nonlocal start, headers, body, whole
            if message["type"] == "http.response.start":
                start = message
                headers = tuple(message.get("headers", ()))  # before anything outside adds to them
                whole = message["status"] == 200
            elif message["type"] == "http.response.body" and whole:
                if message.get("more_body", False) or body is not None:
                    whole, body = False, None  # streamed: not kept
                else:
                    body = bytes(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, keep)
        if whole and start is not None and body is not None:
            replays.put(key, Replay(start["status"], headers, body))

"""The access log: one JSON line per request, on the ``gcmkg.access`` logger.

Each line holds the method, the path, the query string (cut at 300 characters), the status, the
time to the last byte in milliseconds, the release that answered, and the client (address and
``User-Agent``).  A client's mistake is one such line with its 4xx status, never a traceback;
a server fault is logged once more by the error handler, with an incident id.
"""

from __future__ import annotations

import json
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("gcmkg.access")
QUERY_MAX = 300


class AccessLog:
    """ASGI middleware writing the access log (outermost, so refusals are logged too)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            served = scope.get("state", {}).get("served")
            client = scope.get("client") or ("", 0)
            agent = next((v for k, v in scope.get("headers", []) if k == b"user-agent"), b"")
            line = access_line(
                scope["method"],
                scope["path"],
                scope.get("query_string", b""),
                status or 500,
                (time.perf_counter() - started) * 1000,
                served.release.id if served is not None else None,
                client[0],
                agent,
            )
            log.info(json.dumps(line, ensure_ascii=False))


def access_line(
    method: str, path: str, query: bytes, status: int, ms: float, release: str | None, client: str, agent: bytes
) -> dict[str, object]:
    """The fields of one access-log line (also written for the answers :mod:`.wire` sends)."""
    return {
        "method": method,
        "path": path,
        "query": query.decode("latin-1")[:QUERY_MAX],
        "status": status,
        "ms": round(ms, 2),
        "release": release,
        "client": client,
        "agent": agent.decode("latin-1")[:200],
    }

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
            log.info(
                json.dumps(
                    {
                        "method": scope["method"],
                        "path": scope["path"],
                        "query": scope.get("query_string", b"").decode("latin-1")[:QUERY_MAX],
                        "status": status or 500,
                        "ms": round((time.perf_counter() - started) * 1000, 2),
                        "release": served.release.id if served is not None else None,
                        "client": client[0],
                        "agent": agent.decode("latin-1")[:200],
                    },
                    ensure_ascii=False,
                )
            )

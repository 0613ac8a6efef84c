"""``/mcp`` in the service without delaying its start: the MCP server is built when first asked for.

Importing the MCP SDK and building the server (:mod:`.http`) takes about as long as starting the
rest of the service and holds about 27 MiB, and none of it is needed for the service's other
answers.  So :class:`McpMount` is a plain ASGI app that imports nothing of the SDK: the service's
lifespan starts it, and it builds the server when the first ``/mcp`` request comes (a service
no assistant talks to never loads the SDK); the SDK's session manager then runs until the
service stops.  A request that comes
while the server is being built waits for it (at most :data:`WAIT_S`, then ``503`` with
``Retry-After``); if it could not be built, ``/mcp`` answers ``503`` saying so, and the rest of
the service is not affected.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from gcmkg.mcp.answers import AnswerLimits
from gcmkg.service import heap

log = logging.getLogger("gcmkg.mcp")

WAIT_S = 30.0  # how long an /mcp request waits for the server being built


class McpMount:
    """The ASGI app of ``/mcp``; :meth:`lifespan` runs it within the service's lifespan."""

    def __init__(self, state: Any, limits: AnswerLimits | None = None) -> None:
        self.state, self.limits = state, limits
        self._app: ASGIApp | None = None
        self._failure: str | None = None
        self._wanted = asyncio.Event()  # an /mcp request is waiting: build now
        self._ready = asyncio.Event()  # built (or failed)
        self._stop = asyncio.Event()

    @contextlib.asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        task = asyncio.create_task(self._serve(), name="gcmkg-mcp")
        try:
            yield
        finally:
            self._stop.set()
            self._wanted.set()  # a build not begun yet ends at once
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _serve(self) -> None:
        await self._wanted.wait()
        if self._stop.is_set():
            self._ready.set()
            return
        try:
            http = await run_in_threadpool(importlib.import_module, "gcmkg.mcp.http")
            app, server = await run_in_threadpool(http.endpoint, self.state, self.limits)
        except Exception as error:  # a fault of the program: logged, /mcp says so, the rest serves on
            log.exception("the MCP server could not be built; /mcp answers 503")
            self._failure = f"{type(error).__name__}: {error}"
            self._ready.set()
            return
        heap.settle()  # the SDK's modules live as long as the process: out of the collector's way
        async with server.session_manager.run():
            self._app = app
            self._ready.set()
            await self._stop.wait()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._ready.is_set():
            self._wanted.set()
            try:
                await asyncio.wait_for(self._ready.wait(), WAIT_S)
            except TimeoutError:
                await _unavailable("the MCP server is still starting; retry shortly")(scope, receive, send)
                return
        if self._app is None:
            await _unavailable(f"the MCP server could not start ({self._failure or 'stopping'})")(scope, receive, send)
            return
        await self._app(scope, receive, send)


def _unavailable(message: str) -> PlainTextResponse:
    return PlainTextResponse(message + "\n", status_code=503, headers={"Retry-After": "2"})

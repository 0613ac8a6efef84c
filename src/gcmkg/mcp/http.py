"""``/mcp`` in the service: the MCP server over streamable HTTP, stateless, answering JSON.

:func:`endpoint` is the ASGI app of ``/mcp`` (the SDK's streamable-HTTP handler) and the server
whose session manager must run meanwhile; :mod:`.mount` builds both when the first ``/mcp``
request comes (importing the SDK takes longer than starting the rest of the service).

Stateless with JSON answers: each POST is one JSON-RPC exchange answered with one JSON body (no
session to keep, no event stream), so any replica behind a load balancer can answer it.  The
server never sends a message of its own, so it offers no event stream: a GET (which the SDK
would answer with a stream that stays open and silent, holding a connection for as long as the
client likes) is ``405`` with ``Allow: POST``, as the MCP transport allows.  The
route is behind the service's middleware like every other (request size and time limits, the
access log, CORS, the release a request holds).  It cannot make the service fetch anything: no
tool takes a URL to read, resource reads are answered from the store only, and ``sparql`` goes
through the endpoint's screening, which refuses ``SERVICE``.  The SDK's DNS-rebinding guard is
on: a ``Host`` or ``Origin`` other than loopback's or the base IRI's is refused (4xx).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from mcp.server import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from gcmkg.mcp.answers import AnswerLimits
from gcmkg.mcp.server import GraphSource, build_server

PATH = "/mcp"
LOOPBACK_HOSTS = ("127.0.0.1:*", "localhost:*", "[::1]:*", "127.0.0.1", "localhost", "[::1]")


def transport_security(base_iri: str) -> TransportSecuritySettings:
    """Hosts and origins the MCP route answers: loopback, and the host of the base IRI."""
    base = urlsplit(base_iri)
    hosts = [*LOOPBACK_HOSTS, base.netloc]
    origins = [f"http://{h}" for h in LOOPBACK_HOSTS] + [f"{base.scheme}://{base.netloc}"]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


class PostOnly:
    """ASGI: POST goes to the SDK's handler; any other method is 405 (no event stream, no sessions)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] != "POST":
            response = PlainTextResponse(
                f"method {scope['method']} is not allowed here; send each JSON-RPC message by POST "
                "(this MCP server is stateless and offers no event stream)\n",
                status_code=405,
                headers={"Allow": "POST"},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def endpoint(state: Any, limits: AnswerLimits | None = None) -> tuple[ASGIApp, MCPServer[Any]]:
    """The ``/mcp`` ASGI app over the service's state (``app.state`` once ``create_app`` has set
    it), its answers held to ``limits``, and its server, whose session manager must run while the
    app answers (:mod:`.mount` runs it)."""
    source = GraphSource.of(state)
    server = build_server(source, limits)
    starlette_app = server.streamable_http_app(
        streamable_http_path=PATH,
        stateless_http=True,
        json_response=True,
        transport_security=transport_security(source.iris.base),
    )
    (handler,) = [r for r in starlette_app.routes if isinstance(r, Route) and r.path == PATH]
    return PostOnly(handler.endpoint), server

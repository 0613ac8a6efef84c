"""``/mcp`` in the service: the MCP server over streamable HTTP, stateless, answering JSON.

:func:`router` is what ``create_app`` includes: one route, ``/mcp``, whose ASGI app is the
SDK's streamable-HTTP handler, and a lifespan that runs the SDK's session manager.  FastAPI
joins an included router's lifespan to the app's, inside it: the service opens its release
first and the MCP session manager stops first.

Stateless with JSON answers: each POST is one JSON-RPC exchange answered with one JSON body (no
session to keep, no event stream), so any replica behind a load balancer can answer it.  The
route is behind the service's middleware like every other (request size and time limits, the
access log, CORS, the release a request holds).  It cannot make the service fetch anything: no
tool takes a URL to read, resource reads are answered from the store only, and ``sparql`` goes
through the endpoint's screening, which refuses ``SERVICE``.  The SDK's DNS-rebinding guard is
on: a ``Host`` or ``Origin`` other than loopback's or the base IRI's is refused (4xx).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter
from mcp.server.transport_security import TransportSecuritySettings

from gcmkg.mcp.server import GraphSource, build_server

PATH = "/mcp"
LOOPBACK_HOSTS = ("127.0.0.1:*", "localhost:*", "[::1]:*", "127.0.0.1", "localhost", "[::1]")


def transport_security(base_iri: str) -> TransportSecuritySettings:
    """Hosts and origins the MCP route answers: loopback, and the host of the base IRI."""
    base = urlsplit(base_iri)
    hosts = [*LOOPBACK_HOSTS, base.netloc]
    origins = [f"http://{h}" for h in LOOPBACK_HOSTS] + [f"{base.scheme}://{base.netloc}"]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


def router(state: Any) -> APIRouter:
    """The ``/mcp`` route over the service's state (``app.state`` once ``create_app`` has set it)."""
    source = GraphSource.of(state)
    server = build_server(source)
    starlette_app = server.streamable_http_app(
        streamable_http_path=PATH,
        stateless_http=True,
        json_response=True,
        transport_security=transport_security(source.iris.base),
    )

    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        async with server.session_manager.run():
            yield

    routes = APIRouter(lifespan=lifespan)
    routes.routes.extend(starlette_app.routes)  # the one Route("/mcp") of the SDK's handler
    return routes

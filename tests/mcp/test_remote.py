"""``/mcp`` over a remote SPARQL backend: the same tools give the same answers as over the embedded store.

The MCP server reads the store through the service (its saved queries and ``sparql`` in the query
workers, its lookups in the web process), so over an Oxigraph server holding the release
(``--sparql-backend``, :mod:`gcmkg.remote`) every answer must equal the embedded service's,
structured content and text alike: the same rows, citations and release.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from mcp import Client

from gcmkg.mcp.tools import tool_name
from gcmkg.settings import Settings
from tests.mcp.checks import check_answer, session, text_of
from tests.mcp.conftest import HTTP_MAX_CHARS, TIMEOUT_S, Provision
from tests.mcp.test_http import REAL, REQUIRED, SAVED
from tests.service.conftest import UNMETERED, Server, free_port, start_engine, start_server, stop_server

pytestmark = pytest.mark.server

# every saved query with its defaults, then the real arguments of test_http (graph tools included)
CALLS = [(tool_name(q), REQUIRED.get(q.name, {})) for q in SAVED.values()] + REAL


@pytest.fixture(scope="module")
def remote_mcp(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``/mcp`` of ``gcmkg serve`` over an Oxigraph server holding the session's release."""
    folder = tmp_path_factory.mktemp("mcp-remote")
    engine = start_engine("oxigraph", built.current.resolve() / "dumps", folder, TIMEOUT_S)
    limits = {"timeout": TIMEOUT_S, "workers": 2, "burst_workers": 2} | UNMETERED
    server: Server | None = None
    try:
        server = start_server(
            built.build_dir, built.base_iri, free_port(), folder / "serve.log", limits, sparql_backend=engine.endpoint
        )
        yield server.url + "mcp"
    finally:
        if server is not None:
            stop_server(server)
        engine.stop()


def test_every_tool_answers_over_the_oxigraph_server_as_over_the_embedded_store(
    mcp_http: str, remote_mcp: str, release_id: str, provisions: dict[str, Provision]
) -> None:
    async def answers(client: Client) -> list[Any]:
        return [await client.call_tool(name, arguments) for name, arguments in CALLS]

    embedded, remote = session(mcp_http, answers), session(remote_mcp, answers)
    for (name, arguments), here, there in zip(CALLS, embedded, remote, strict=True):
        check_answer(there, max_chars=HTTP_MAX_CHARS, release=release_id, provisions=provisions)
        assert there.structured_content == here.structured_content, (name, arguments)
        assert text_of(there) == text_of(here), (name, arguments)

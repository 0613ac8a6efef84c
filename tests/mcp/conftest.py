"""Real MCP servers for the MCP tests, spoken to with the SDK's own client (``mcp.Client``).

* ``mcp_http`` — ``gcmkg serve`` (uvicorn, query workers) over the session's ``built`` graph, on
  a free port; the MCP server is its ``/mcp`` route.  Query time limit ``TIMEOUT_S``, budgets
  out of reach (the suite is one client), answers within the default size.
* ``mcp_stdio`` — the command line of ``gcmkg mcp`` over the same graph, answers within
  ``STDIO_MAX_CHARS``; each test starts it as a subprocess through the client.
* ``provisions`` — every provision IRI of the graph, read from the store independently of the
  server, with its document's symbol and date: what a citation must say.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from mcp.client.stdio import StdioServerParameters

from gcmkg.settings import Settings
from gcmkg.store import GraphStore
from tests.service.conftest import UNMETERED, Server, free_port, start_server, stop_server

TIMEOUT_S = 3.0
HTTP_MAX_CHARS = 24_000  # gcmkg.mcp.answers.AnswerLimits' default, what /mcp answers within
STDIO_MAX_CHARS = 6_000


@dataclass(frozen=True)
class Provision:
    symbol: str | None  # None: the document has no symbol (the citation names it otherwise)
    date: str


@pytest.fixture(scope="session")
def mcp_server(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("mcp-log") / "serve.log"
    limits = {"timeout": TIMEOUT_S, "workers": 2, "burst_workers": 2} | UNMETERED
    server = start_server(built.build_dir, built.base_iri, free_port(), log, limits)
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def mcp_http(mcp_server: Server) -> str:
    """The URL of the mounted MCP server."""
    return mcp_server.url + "mcp"


@pytest.fixture(scope="session")
def release_id(mcp_server: Server) -> str:
    return str(httpx.get(mcp_server.url + "health", timeout=10).json()["release"])


def stdio_parameters(built: Settings, *extra: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        args=[
            "-m",
            "gcmkg.cli",
            "--build-dir",
            str(built.build_dir),
            "--base-iri",
            built.base_iri,
            "mcp",
            "--timeout",
            str(TIMEOUT_S),
            "--max-chars",
            str(STDIO_MAX_CHARS),
            *extra,
        ],
        cwd=str(Path(__file__).resolve().parents[2]),
    )


@pytest.fixture(scope="session")
def mcp_stdio(built: Settings) -> StdioServerParameters:
    return stdio_parameters(built)


@pytest.fixture(scope="session")
def provisions(store: GraphStore) -> dict[str, Provision]:
    """Provision IRI -> its document's symbol and date; findings (also gcm:inDocument) excluded."""
    rows = store.select(
        """PREFIX gcm: <ontology#> PREFIX eli: <http://data.europa.eu/eli/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?p ?symbol ?date WHERE {
          ?p gcm:inDocument ?d . ?d eli:date_document ?date . OPTIONAL { ?d gcm:symbol ?symbol }
          FILTER NOT EXISTS { ?p a/rdfs:subClassOf* gcm:Finding }
        }"""
    )
    return {
        row["p"].value: Provision(row["symbol"].value if "symbol" in row else None, row["date"].value)  # type: ignore[union-attr]
        for row in rows
    }

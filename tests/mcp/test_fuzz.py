"""No 5xx from ``/mcp``: arbitrary bytes, headers and JSON-RPC messages against the running service.

As ``tests/service/test_fuzz.py`` does for the other routes (and with its raw-socket client):
requests written byte for byte — bodies that are not JSON, JSON that is not JSON-RPC, JSON-RPC
calls of every method with arbitrary parameters and tool arguments, and the headers the SDK
reads (``Accept``, ``Content-Type``, ``Origin``, ``MCP-Protocol-Version``, ``Mcp-Session-Id``).
Every answer must be a 2xx or 4xx with no traceback and no installation path, and the server
must log no traceback.  Hypothesis, derandomized, with a fixed number of examples.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gcmkg.mcp.tools import tool_name
from gcmkg.service.saved_query_files import load_catalog
from gcmkg.settings import PROJECT_ROOT
from tests.service.conftest import Server
from tests.service.test_fuzz import _log_offset, _tracebacks_since, assert_plain, exchange, request_bytes

pytestmark = pytest.mark.server

TOOLS = sorted({tool_name(q) for q in load_catalog(PROJECT_ROOT / "queries").values()} | {"sparql", "schema", "x"})
METHODS = [
    "initialize",
    "server/discover",
    "tools/list",
    "tools/call",
    "resources/list",
    "resources/templates/list",
    "resources/read",
    "prompts/list",
    "prompts/get",
    "completion/complete",
    "logging/setLevel",
    "ping",
    "notifications/initialized",
    "nonsense",
]
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
ARGUMENT_NAMES = st.sampled_from(["query", "objective", "offset", "limit", "kind", "provision", "phrase", "document"])
HEADERS = st.lists(
    st.sampled_from(
        [
            (b"Accept", b"application/json, text/event-stream"),
            (b"Accept", b"application/json"),
            (b"Accept", b"*/*"),
            (b"Content-Type", b"application/json"),
            (b"Content-Type", b"application/json; charset=latin-1"),
            (b"Content-Type", b"text/plain"),
            (b"Origin", b"http://evil.example"),
            (b"Origin", b"null"),
            (b"MCP-Protocol-Version", b"2025-06-18"),
            (b"MCP-Protocol-Version", b"2026-07-28"),
            (b"MCP-Protocol-Version", b"1999-01-01"),
            (b"Mcp-Session-Id", b"made-up"),
        ]
    ),
    max_size=4,
    unique_by=lambda header: header[0],
)


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["bytes", "json", "rpc", "call", "batch"]))
    if kind == "bytes":
        return draw(st.binary(max_size=80))
    if kind == "json":
        return json.dumps(draw(JSON_VALUE)).encode()
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": draw(st.one_of(st.integers(), st.text(max_size=5), st.none()))}
    if kind == "call":
        arguments = draw(st.dictionaries(ARGUMENT_NAMES, JSON_VALUE, max_size=3))
        message |= {"method": "tools/call", "params": {"name": draw(st.sampled_from(TOOLS)), "arguments": arguments}}
    else:
        message |= {"method": draw(st.sampled_from(METHODS)), "params": draw(JSON_VALUE)}
    body = json.dumps(message).encode()
    return b"[" + body + b"," + body + b"]" if kind == "batch" else body


@pytest.fixture(scope="module")
def server(mcp_server: Server) -> Server:
    return mcp_server


@settings(
    max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=messages(), headers=HEADERS, method=st.sampled_from(["POST", "POST", "POST", "GET", "DELETE", "PUT"]))
def test_no_5xx_and_no_traceback_from_mcp(
    server: Server, body: bytes, headers: list[tuple[bytes, bytes]], method: str
) -> None:
    offset = _log_offset(server)
    answer = exchange(server.url, request_bytes(method, b"/mcp", headers, body))
    assert_plain(answer, (method, headers, body))
    assert _tracebacks_since(server, offset) == ""

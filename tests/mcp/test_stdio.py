"""``gcmkg mcp`` over stdio, started as a subprocess by the SDK's client (``StdioServerParameters``)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from gcmkg.mcp.tools import tool_name
from gcmkg.releases import current_folder
from gcmkg.service.saved_query_files import load_catalog
from gcmkg.settings import PROJECT_ROOT, Settings
from tests.mcp.checks import check_answer, check_error
from tests.mcp.conftest import STDIO_MAX_CHARS, TIMEOUT_S, Provision
from tests.mcp.test_http import GRAPH_TOOLS

pytestmark = pytest.mark.server

CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_a_session_over_stdio(
    mcp_stdio: StdioServerParameters, built: Settings, provisions: dict[str, Provision]
) -> None:
    """List, call with real and bad arguments, page within the smaller size, stop a pathological query."""
    release = current_folder(built.build_dir).name
    saved = load_catalog(PROJECT_ROOT / "queries")

    async def work() -> None:
        async with Client(mcp_stdio, read_timeout_seconds=60) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            assert names == {tool_name(q) for q in saved.values()} | GRAPH_TOOLS

            for name, arguments in [
                ("query_objective_actions", {"objective": 6}),
                ("query_draft_vs_final_objective", {"objective": 6}),
                ("query_actions_citing_ilo_instruments", {}),
                ("schema", {}),
                ("get_provision", {"provision": "A/73/L.66, annex, objective 6"}),
                ("search", {"text": "migrants", "limit": 50}),
                ("sparql", {"query": "SELECT ?p ?text WHERE { ?p gcm:text ?text } LIMIT 200"}),
            ]:
                answer = check_answer(
                    await client.call_tool(name, arguments),
                    max_chars=STDIO_MAX_CHARS,
                    release=release,
                    provisions=provisions,
                )
                if name in (
                    "query_draft_vs_final_objective",
                    "schema",
                    "sparql",
                    "search",
                ):  # too long for 6,000 characters
                    assert answer["truncated"] and answer["next_offset"], name

            check_error(await client.call_tool("query_objective_actions", {"objective": 0}), "objective", "allowed")
            check_error(await client.call_tool("sparql", {"query": "DROP ALL"}), "refused (403)")

            started = time.monotonic()
            slow, quick = await asyncio.gather(
                client.call_tool("sparql", {"query": CROSS_PRODUCT}),
                client.call_tool("query_objectives", {}),
            )
            check_error(slow, "stopped (503)")
            assert time.monotonic() - started < TIMEOUT_S + 3
            check_answer(quick, max_chars=STDIO_MAX_CHARS, release=release, provisions=provisions)

    asyncio.run(work())


def test_without_a_built_store_it_refuses_with_exit_code_3(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "gcmkg.cli", "--build-dir", str(tmp_path), "mcp"]
    done = subprocess.run(command, input=b"", capture_output=True, timeout=60)
    assert done.returncode == 3, done.stderr
    assert b"build" in done.stderr and done.stdout == b""  # nothing on the protocol's channel

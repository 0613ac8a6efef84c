"""What every MCP answer must satisfy, checked the same way over both transports."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp_types import CallToolResult

from tests.mcp.conftest import Provision

Result = TypeVar("Result")


def session(server: str | StdioServerParameters, work: Callable[[Client], Awaitable[Result]]) -> Result:
    """Run ``work`` with a connected SDK client (a URL: streamable HTTP; parameters: a stdio subprocess)."""

    async def run() -> Result:
        async with Client(server, read_timeout_seconds=60) as client:
            return await work(client)

    return asyncio.run(run())


def text_of(result: CallToolResult) -> str:
    assert len(result.content) == 1, result.content
    return result.content[0].text  # type: ignore[union-attr]


def values(answer: dict[str, Any]) -> list[str]:
    """Every value in the rows (or the examples) of a structured answer."""
    found = [value for row in answer.get("rows", []) for value in row.values()]
    for term in answer.get("terms", []):
        found += [term["example"]["subject"], term["example"]["object"]]
    return found


def check_answer(
    result: CallToolResult, *, max_chars: int, release: str, provisions: dict[str, Provision]
) -> dict[str, Any]:
    """A good answer: not an error, within the size, from the release, every provision cited."""
    assert not result.is_error, text_of(result)
    assert len(text_of(result)) <= max_chars
    answer = result.structured_content
    assert answer is not None
    assert answer["release"] == release
    cited = {c["iri"]: c for c in answer["citations"]}
    named = [v for v in values(answer) if v in provisions]
    assert set(named) == set(cited), "every provision named in the answer, and only those, is cited"
    for iri in named:
        citation, expected = cited[iri], provisions[iri]
        assert (citation["document_symbol"], citation["document_date"]) == (expected.symbol, expected.date)
        assert citation["release"] == release and citation["label"]
    if answer.get("truncated"):
        assert answer["note"] and (answer["next_offset"] is not None or answer["offset"] > 0)
    return answer


def check_error(result: CallToolResult, *expected: str) -> str:
    """A tool error (not a crash) whose text names what was wrong."""
    assert result.is_error
    message = text_of(result)
    for words in expected:
        assert words in message, message
    assert "Traceback" not in message and 'File "/' not in message
    return message

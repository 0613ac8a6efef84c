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
    found += [hit["iri"] for hit in answer.get("hits", [])]
    if "cite_as" in answer:  # get_provision and resolve_citation: the provision and every one it names
        found += [answer["iri"], *_iris(answer)]
    return found


def _iris(value: Any) -> list[str]:
    """Every "iri" of refs nested in an answer (its citations left aside)."""
    if isinstance(value, dict):
        own = [value["iri"]] if isinstance(value.get("iri"), str) else []
        return own + [i for key, v in value.items() if key != "citations" for i in _iris(v)]
    if isinstance(value, list):
        return [i for v in value for i in _iris(v)]
    return []


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
    assert set(named) == set(cited), ("every provision named, and only those, is cited", set(named) ^ set(cited))
    for iri in named:
        citation, expected = cited[iri], provisions[iri]
        assert citation["document_date"] == expected.date
        assert citation["document_symbol"] == expected.symbol if expected.symbol else citation["document_symbol"]
        assert citation["cite_as"].startswith(citation["document_symbol"])
        assert citation["release"] == release and citation["label"]
    if answer.get("truncated"):
        assert answer["note"] and (answer["next_offset"] is not None or answer["offset"] > 0)
    return answer


def count(answer: dict[str, Any]) -> int:
    """How much an answer found: rows, terms, hits, or the one provision it is about."""
    for key in ("row_count", "term_count", "total"):
        if key in answer:
            return int(answer[key]) + (answer.get("boolean") is not None)
    return 1 if answer.get("iri") else 0


def check_error(result: CallToolResult, *expected: str) -> str:
    """A tool error (not a crash) whose text names what was wrong."""
    assert result.is_error
    message = text_of(result)
    for words in expected:
        assert words in message, message
    assert "Traceback" not in message and 'File "/' not in message
    return message

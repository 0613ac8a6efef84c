"""The README's MCP transcript: an assistant-style session with the SDK's client, printed as Markdown.

    .venv/bin/python tests/mcp/transcript.py http://127.0.0.1:8000/mcp

The question: which actions of objective 6 cite ILO instruments, and how did they change since
the Zero Draft?  The "assistant" here is this script: it calls the tools an assistant would call,
in that order, and writes its answer from nothing but what they returned, citing each provision
as the answers' ``citations`` give it.  Not a test (``test_http.py`` checks the same facts).
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from mcp import Client

QUESTION = "Which actions of objective 6 cite ILO instruments, and how did they change since the Zero Draft?"


def _short(arguments: dict[str, Any]) -> str:
    return json.dumps(arguments, ensure_ascii=False)


async def session(url: str) -> list[str]:
    out = [f"> **User:** {QUESTION}", ""]
    async with Client(url) as client:

        async def call(name: str, arguments: dict[str, Any], what: str) -> dict[str, Any]:
            result = await client.call_tool(name, arguments)
            answer = result.structured_content or {}
            out.append(f"*tool call* `{name}({_short(arguments)})` → {what(answer)}")  # type: ignore[operator]
            return answer

        tools = (await client.list_tools()).tools
        out.append(f"*tools/list* → {len(tools)} tools: " + ", ".join(f"`{t.name}`" for t in tools))
        actions = await call(
            "query_objective_actions",
            {"objective": 6},
            lambda a: f"{a['row_count']} rows, release `{a['release']}`",
        )
        own = {row["action"] for row in actions["rows"] if row["version"] == "final"}
        ilo = await call(
            "query_actions_citing_ilo_instruments",
            {},
            lambda a: f"{a['row_count']} actions of A/73/L.66 cite an ILO instrument",
        )
        cited = [row for row in ilo["rows"] if row["action"] in own]
        out.append(f"*assistant:* of these, objective 6's own actions: {len(cited)}; reading each with its lineage.")
        answer = ["", "> **Assistant:**"]
        for row in cited:
            view = await call(
                "get_provision",
                {"provision": row["action"]},
                lambda a: f"`{a['cite_as']}`, {len(a['links'])} links",
            )
            draft = next(link for link in view["links"] if "lineage" in link["kinds"])
            evidence = draft["evidence"][0] if draft["evidence"] else ""
            old = await call(
                "query_actions_citing_ilo_instruments",
                {"document": "id/com-2018-168-annex/en"},
                lambda a: f"{a['row_count']} actions of the Zero Draft Plus cite an ILO instrument",
            )
            draft_cites = [r["instrument_label"] for r in old["rows"] if r["action"] == draft["other"]["iri"]]
            citation = next(c for c in view["citations"] if c["iri"] == view["iri"])
            answer += [
                f"> **{view['cite_as']}** ({citation['document_symbol']}, {citation['document_date']}; "
                f"<{view['iri']}>) cites the *{row['instrument_label']}* in the words “{row['evidence']}”:",
                f"> “{view['text']}”",
                ">",
                f"> It descends from **{draft['other']['cite_as']}** of the Zero Draft Plus (<{draft['other']['iri']}>), "
                f"change: **{draft['change']}** — {evidence.split(';')[1].strip() if ';' in evidence else evidence}. "
                f"The draft read: “{draft['other_text']}”"
                + (f" and already cited the *{draft_cites[0]}*." if draft_cites else "."),
                ">",
            ]
        answer.append(f"> (release `{actions['release']}`; every provision above is in the answers' `citations`.)")
    return out + answer


def main() -> None:
    print("\n".join(asyncio.run(session(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/mcp"))))


if __name__ == "__main__":
    main()

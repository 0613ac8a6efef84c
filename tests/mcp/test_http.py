"""``/mcp`` of the running service, with the SDK's client over streamable HTTP (stateless, JSON)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from mcp import Client

from gcmkg.mcp.tools import tool_name
from gcmkg.service.saved_query_files import load_catalog
from gcmkg.settings import PROJECT_ROOT, Settings
from tests.mcp.checks import check_answer, check_error, count, session, text_of
from tests.mcp.conftest import HTTP_MAX_CHARS, TIMEOUT_S, Provision
from tests.service.test_sparql_refusals import Listener, service_queries

pytestmark = pytest.mark.server

SAVED = load_catalog(PROJECT_ROOT / "queries")
# a value for each parameter that has no default and is required (the others take their defaults)
REQUIRED = {"search": {"phrase": "recruitment"}}
GRAPH_TOOLS = {"sparql", "schema", "search", "get_provision", "resolve_citation"}
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# real arguments beyond the defaults, as an assistant would send them
REAL = [
    ("query_objective_actions", {"objective": 6}),
    ("query_draft_vs_final_objective", {"objective": 6, "limit": 40}),
    ("query_actions_citing_ilo_instruments", {"document": "id/com-2018-168-annex/en"}),
    ("query_provision_text", {"provision": "id/a-73-l-66/en/annex/para/22"}),
    ("query_search", {"phrase": "fair and ethical recruitment"}),
    ("sparql", {"query": "SELECT ?p ?text WHERE { ?p a gcm:Action ; gcm:text ?text } LIMIT 30"}),
    ("sparql", {"query": "ASK { ?p gcm:number '23' }"}),
    ("sparql", {"query": "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p a gcm:Objective ; rdfs:label ?l }"}),
    ("schema", {"kind": "property", "limit": 20}),
    ("search", {"text": "fair and ethical recruitment", "limit": 20}),
    ("search", {"text": "arbetskraftsinvandring", "language": "sv"}),
    ("search", {"text": '"decent work"', "objective": "6", "kind": "Action"}),
    ("get_provision", {"provision": "id/a-73-l-66/en/annex/objective/6"}),
    ("get_provision", {"provision": "Zero Draft Plus, objective 4"}),
    ("resolve_citation", {"citation": "IMRF Progress Declaration para 17"}),
]
BAD = [
    ("query_objective_actions", {"objective": 99}, ["objective", "not one of the allowed values"]),
    ("query_objective_actions", {"objective": "six"}, ["objective", "'six'"]),
    ("query_provision_text", {"provision": "not an iri"}, ["provision", "not allowed in an IRI"]),
    ("query_objective_actions", {"offset": -1}, ["offset", "greater than or equal to 0"]),
    ("query_objective_actions", {"limit": 0}, ["limit"]),
    ("sparql", {}, ["query", "required"]),
    ("sparql", {"query": "SELECT * WHERE { ?s ?p }"}, ["refused (400)"]),
    ("sparql", {"query": "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }"}, ["refused (403)", "read-only"]),
    ("sparql", {"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}, ["refused (403)", "SERVICE"]),
    ("sparql", {"query": "SELECT * WHERE { ?s ?p ?o }"}, ["stopped (413)", "LIMIT"]),
    ("schema", {"kind": "everything"}, ["kind"]),
    ("search", {"text": ""}, ["text"]),
    ("search", {"text": "migrants", "language": "fr"}, ["language", "'fr' is not in this index"]),
    ("search", {"text": "migrants", "limit": 1000}, ["limit"]),
    (
        "get_provision",
        {"provision": "A/73/L.66, para. 999"},
        ["no provision matches", "A/73/L.66, annex, para. 23 (c)"],
    ),
    ("get_provision", {"provision": "id/a-73-l-66/en/annex/para/999"}, ["the graph has no provision"]),
    ("resolve_citation", {"citation": "the moon, para. 1"}, ["no provision matches"]),
]


def test_one_tool_per_saved_query_and_the_graph_tools(mcp_http: str) -> None:
    tools = session(mcp_http, lambda client: client.list_tools()).tools
    names = {tool.name for tool in tools}
    assert names == {tool_name(q) for q in SAVED.values()} | GRAPH_TOOLS
    by_name = {tool.name: tool for tool in tools}
    for tool in tools:
        assert tool.description and tool.output_schema, tool.name
        assert {"release", "citations"} <= set(tool.output_schema["properties"]), tool.name
        assert tool.annotations is not None and tool.annotations.read_only_hint
    objective = by_name["query_objective_actions"].input_schema["properties"]["objective"]
    assert objective["anyOf"][0]["enum"] == list(range(1, 24)) and objective["default"] == 1
    assert "Objective number" in objective["description"]
    assert "SERVICE" in (by_name["sparql"].description or "")


@pytest.mark.parametrize("name", sorted(tool_name(q) for q in SAVED.values()))
def test_each_saved_query_answers_with_its_defaults(
    mcp_http: str, name: str, release_id: str, provisions: dict[str, Provision]
) -> None:
    query = next(q for q in SAVED.values() if tool_name(q) == name)
    arguments = REQUIRED.get(query.name, {})
    assert {p.name for p in query.params if p.required and p.default is None} == set(arguments)
    result = session(mcp_http, lambda client: client.call_tool(name, arguments))
    answer = check_answer(result, max_chars=HTTP_MAX_CHARS, release=release_id, provisions=provisions)
    assert count(answer) >= 1, name


@pytest.mark.parametrize(("name", "arguments"), REAL, ids=[f"{n}-{i}" for i, (n, _) in enumerate(REAL)])
def test_tools_answer_real_arguments(
    mcp_http: str, name: str, arguments: dict[str, Any], release_id: str, provisions: dict[str, Provision]
) -> None:
    result = session(mcp_http, lambda client: client.call_tool(name, arguments))
    answer = check_answer(result, max_chars=HTTP_MAX_CHARS, release=release_id, provisions=provisions)
    assert count(answer) >= 1


def test_the_answers_say_what_the_text_says(mcp_http: str, release_id: str, provisions: dict[str, Provision]) -> None:
    """Objective 6's actions (A/73/L.66, para. 22): 12 lettered actions, (a) as printed, cited."""
    result = session(mcp_http, lambda client: client.call_tool("query_objective_actions", {"objective": 6}))
    answer = check_answer(result, max_chars=HTTP_MAX_CHARS, release=release_id, provisions=provisions)
    final = [row for row in answer["rows"] if row["version"] == "final"]
    assert [row["letter"] for row in final] == list("abcdefghijkl")
    assert final[0]["text"].startswith("Promote signature and ratification of, accession to and implementation")
    first = next(c for c in answer["citations"] if c["iri"] == final[0]["action"])
    assert (first["label"], first["number"], first["document_symbol"], first["document_date"]) == (
        "Action 22 (a)",
        "a",
        "A/73/L.66",
        "2018-12-12",
    )


def test_a_provision_by_its_citation_with_its_links(
    mcp_http: str, built: Settings, release_id: str, provisions: dict[str, Provision]
) -> None:
    """Action 22 (l) cites the ILO fair-recruitment guidelines and descends, reworded, from draft 21 (b)."""

    async def work(client: Client) -> tuple[Any, Any]:
        resolved = await client.call_tool("resolve_citation", {"citation": "a/73/l.66 para 22(l)"})
        provision = await client.call_tool("get_provision", {"provision": "A/73/L.66, para. 22 (l)"})
        return resolved, provision

    resolved, provision = session(mcp_http, work)
    iri = built.base_iri + "id/a-73-l-66/en/annex/para/22/l"
    answer = check_answer(resolved, max_chars=HTTP_MAX_CHARS, release=release_id, provisions=provisions)
    assert (answer["iri"], answer["cite_as"]) == (iri, "A/73/L.66, annex, para. 22 (l)")
    view = check_answer(provision, max_chars=HTTP_MAX_CHARS, release=release_id, provisions=provisions)
    assert view["iri"] == iri and view["context"]["label"] == "Paragraph 22"
    assert view["text"].startswith(
        "Develop and improve national policies and programmes relating to international labour"
    )
    ilo = next(m for m in view["mentions"] if "Fair Recruitment" in m["entity_label"])
    assert view["text"][ilo["start"] : ilo["end"]] == ilo["surface"]
    lineage = next(link for link in view["links"] if "lineage" in link["kinds"])
    assert (lineage["other"]["cite_as"], lineage["change"]) == ("COM(2018) 168 final, annex, para. 21 (b)", "reworded")
    assert lineage["other_text"].startswith("Promote the operationalization of the ILO General Principles")
    assert {c["iri"] for c in view["citations"]} >= {iri, lineage["other"]["iri"]}


@pytest.mark.parametrize(("name", "arguments", "expected"), BAD, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(BAD)])
def test_a_bad_argument_is_a_tool_error_saying_what_was_wrong(
    mcp_http: str, name: str, arguments: dict[str, Any], expected: list[str]
) -> None:
    check_error(session(mcp_http, lambda client: client.call_tool(name, arguments)), *expected)


def test_an_unknown_tool_or_resource_is_an_error_not_a_crash(mcp_http: str, built: Settings) -> None:
    async def work(client: Client) -> None:
        check_error(await client.call_tool("query_no_such_query", {}), "query_no_such_query")
        with pytest.raises(Exception, match="no resource"):
            await client.read_resource(built.base_iri + "id/a-73-l-66/en/annex/para/999")

    session(mcp_http, work)


def test_a_long_result_comes_in_pages_within_the_size(
    mcp_http: str, release_id: str, provisions: dict[str, Provision]
) -> None:
    """Every provision text (over 1,000 rows): each page fits, says truncated, and the pages add up."""
    query = "SELECT ?p ?text WHERE { ?p gcm:text ?text } ORDER BY ?p"

    async def work(client: Client) -> tuple[int, list[str], int]:
        seen: list[str] = []
        offset: int | None = 0
        pages = 0
        total = 0
        while offset is not None:
            result = await client.call_tool("sparql", {"query": query, "offset": offset, "limit": 500})
            answer = check_answer(result, max_chars=HTTP_MAX_CHARS, release=release_id, provisions=provisions)
            total, offset = answer["row_count"], answer["next_offset"]
            assert answer["truncated"] and len(answer["rows"]) < 500  # the size stops a page, not the limit
            seen += [row["p"] for row in answer["rows"]]
            pages += 1
        return total, seen, pages

    total, seen, pages = session(mcp_http, work)
    assert total > 1000 and len(seen) == total == len(set(seen)) and pages > 2


def test_a_pathological_query_is_stopped_within_its_limit_while_other_calls_answer(
    mcp_http: str, release_id: str, provisions: dict[str, Provision]
) -> None:
    async def timed(client: Client, name: str, arguments: dict[str, Any]) -> tuple[float, Any]:
        started = time.monotonic()
        result = await client.call_tool(name, arguments)
        return time.monotonic() - started, result

    async def work() -> list[tuple[float, Any]]:
        async with Client(mcp_http) as slow, Client(mcp_http) as quick:
            return list(
                await asyncio.gather(
                    timed(slow, "sparql", {"query": CROSS_PRODUCT}),
                    timed(quick, "query_objectives", {}),
                    timed(quick, "schema", {"kind": "class"}),
                    timed(quick, "sparql", {"query": "SELECT ?o WHERE { ?o a gcm:Objective } LIMIT 3"}),
                )
            )

    (slow_s, stopped), *others = asyncio.run(work())
    check_error(stopped, "stopped (503)", f"{TIMEOUT_S:g} s limit")
    assert TIMEOUT_S <= slow_s < TIMEOUT_S + 3
    for seconds, result in others:
        check_answer(result, max_chars=HTTP_MAX_CHARS, release=release_id, provisions=provisions)
        assert seconds < slow_s


def test_resources_provisions_documents_and_saved_queries(mcp_http: str, built: Settings, release_id: str) -> None:
    base = built.base_iri

    async def work(client: Client) -> None:
        templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
        assert templates == {base + "id/{document}/{language}", base + "id/{document}/{language}/{+path}"}
        listed = {str(r.uri) for r in (await client.list_resources()).resources}
        assert listed == {base + f"queries/{name}" for name in SAVED}
        text = (await client.read_resource(base + "queries/objective-actions")).contents[0]
        assert text.text == SAVED["objective-actions"].text  # type: ignore[union-attr]
        provision = (await client.read_resource(base + "id/a-73-l-66/en/annex/para/22/l")).contents[0]
        body = provision.text  # type: ignore[union-attr]
        assert '"label": "Action 22 (l)"' in body and '"document_symbol": "A/73/L.66"' in body
        assert f'"release": "{release_id}"' in body and "ILO General Principles" in body
        document = (await client.read_resource(base + "id/a-73-l-66/en")).contents[0]
        assert '"symbol": "A/73/L.66"' in document.text and '"date": "2018-12-12"' in document.text  # type: ignore[union-attr]

    session(mcp_http, work)


def test_the_route_makes_no_outbound_connection(mcp_http: str) -> None:
    """SERVICE in every shape, and a resource read naming the listener: it sees no connection."""
    listener = Listener()
    try:

        async def work(client: Client) -> None:
            for query in service_queries(listener.url):
                result = await client.call_tool("sparql", {"query": query})
                assert result.is_error, (query, text_of(result))
            with pytest.raises(Exception):  # noqa: B017 - any refusal will do; the listener is the proof
                await client.read_resource(listener.url)

        session(mcp_http, work)
        time.sleep(0.5)
        assert listener.connections == 0
    finally:
        listener.close()


def test_mcp_answers_json_and_no_5xx_for_protocol_misuse(mcp_http: str) -> None:
    """Stateless JSON: a POST is answered with one JSON body; a GET (no event stream), a wrong type or a
    foreign Host is a 4xx, at once."""
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}},
    }
    accept = {"Accept": "application/json, text/event-stream"}
    answer = httpx.post(mcp_http, json=init, headers=accept, timeout=10)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/json")
    assert answer.json()["result"]["serverInfo"]["name"] == "gcmkg"
    assert "mcp-session-id" not in answer.headers  # stateless
    refused = httpx.get(mcp_http, headers=accept, timeout=10)
    assert refused.status_code == 405 and refused.headers["allow"] == "POST"
    for response in (
        httpx.delete(mcp_http, timeout=10),
        httpx.post(mcp_http, content=b"{not json", headers={**accept, "Content-Type": "application/json"}, timeout=10),
        httpx.post(mcp_http, content=b"x", headers={**accept, "Content-Type": "text/plain"}, timeout=10),
        httpx.post(mcp_http, json=init, headers={**accept, "Host": "evil.example"}, timeout=10),
        httpx.post(mcp_http, json=init, headers={**accept, "Origin": "http://evil.example"}, timeout=10),
    ):
        assert 400 <= response.status_code < 500, (response.status_code, response.text)


def test_a_browser_based_client_passes_the_cors_preflight(mcp_http: str) -> None:
    """A web page's MCP client sends Content-Type and Mcp-Protocol-Version with each POST: the
    preflight must allow both, or the browser never sends the message."""
    answer = httpx.options(
        mcp_http,
        headers={
            "Origin": "https://assistant.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, mcp-protocol-version",
        },
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    allowed = {h.strip().lower() for h in answer.headers["access-control-allow-headers"].split(",")}
    assert {"content-type", "mcp-protocol-version"} <= allowed
    assert "POST" in answer.headers["access-control-allow-methods"]

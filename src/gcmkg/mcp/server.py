"""The MCP server: its tools (:mod:`.tools`), its resources, and what they read.

:func:`build_server` makes one :class:`~mcp.server.MCPServer` over a :class:`GraphSource` — the
service's state as ``create_app`` leaves it on ``app.state`` (the releases, the saved queries,
the ad-hoc budgets, the per-query limits) — so the mounted server (:mod:`.http`) and the stdio
one (:mod:`.stdio`) are the same server over the same lanes.

Resources: every provision and document IRI, as two resource templates (``{base}id/{document}/
{language}`` and ``{base}id/{document}/{language}/{+path}``) read as JSON with their citation;
and each saved query's text, at ``{base}queries/{name}`` (``application/sparql-query``).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError
from mcp.server.mcpserver.resources import TextResource
from mcp_types import ToolAnnotations
from pydantic import BaseModel, Field
from pyoxigraph import Literal, NamedNode

from gcmkg import __version__
from gcmkg.iris import DCTERMS, ELI, RDF, RDFS, Iris
from gcmkg.mcp.answers import AnswerLimits, cut, fit
from gcmkg.mcp.citations import Citation, provisions
from gcmkg.mcp.lookup import get_provision_tool, resolve_citation_tool, search_tool
from gcmkg.mcp.tools import (
    GraphLanes,
    describe_sparql,
    saved_query_description,
    saved_query_tool,
    schema_tool,
    sparql_tool,
    tool_name,
)
from gcmkg.service.fairness import ClientBudgets
from gcmkg.service.runner import Limits
from gcmkg.service.saved_query_files import SavedQuery
from gcmkg.service.serving import Releases

INSTRUCTIONS = """The Global Compact for Safe, Orderly and Regular Migration (A/73/L.66, 2018), its Zero Draft Plus,
its Swedish translation, the IOM contribution and the 2022 Progress Declaration, as one knowledge graph. Answer from
the tools and cite every provision you rely on with its document symbol, its label or printed number and its IRI
(each answer lists them under 'citations', with the release it came from); quote the text as the tools give it.
Start with a query_* tool when one fits (see each one's description), use schema() before writing sparql(), and
follow next_offset when an answer says truncated."""
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
MAX_PARTS = 200  # parts listed in a resource description (then cut to fit the answer size)


@dataclass(frozen=True)
class GraphSource:
    """What the MCP server reads: the service's state (``app.state`` after ``create_app``)."""

    releases: Releases
    saved: dict[str, SavedQuery]
    budgets: ClientBudgets
    query_limits: Limits
    iris: Iris

    @classmethod
    def of(cls, state: Any) -> GraphSource:
        return cls(state.releases, state.saved_queries, state.budgets, state.limits, state.iris)


class Part(BaseModel):
    iri: str
    label: str


class ResourceDescription(BaseModel):
    """A provision or a document, as a resource: what it says, where it sits, how to cite it."""

    iri: str
    release: str
    types: list[str]
    label: str
    text: str | None = Field(description="A provision's text, as printed (cut when longer than the answer allows)")
    part_of: str | None
    parts: list[Part]
    parts_total: int
    metadata: dict[str, str] = Field(description="A document's symbol, date, title, language and status")
    citation: Citation | None = Field(description="How to cite it (provisions)")


def _first(values: list[Any]) -> str | None:
    english = [v for v in values if not isinstance(v, Literal) or v.language in (None, "en")]
    chosen = english or values
    return str(getattr(chosen[0], "value", chosen[0])) if chosen else None


def describe(lanes: GraphLanes, iris: Iris, iri: str) -> str:
    """The JSON of a provision or document resource; :class:`ResourceError` when the graph does not have it."""
    with lanes.hold() as served:
        store = served.store
        node = NamedNode(iri)
        statements = store.match(node)
        if not statements:
            raise ResourceError(f"the graph has no resource {iri} (release {served.id})")
        by_predicate: dict[str, list[Any]] = {}
        for quad in statements:
            by_predicate.setdefault(quad.predicate.value, []).append(quad.object)
        parts_iris = [
            q.object for q in statements if q.predicate.value == ELI + "has_part" and isinstance(q.object, NamedNode)
        ]
        ordered = sorted(
            parts_iris,
            key=lambda part: int(_first([q.object for q in store.match(part, iris.term("order"))]) or 0),
        )
        parts = [
            Part(iri=p.value, label=_first([q.object for q in store.match(p, NamedNode(RDFS + "label"))]) or p.value)
            for p in ordered[:MAX_PARTS]
        ]
        metadata = {
            name: value
            for name, predicate in (
                ("symbol", iris.term("symbol").value),
                ("date", ELI + "date_document"),
                ("title", ELI + "title"),
                ("language", DCTERMS + "language"),
                ("status", iris.term("status").value),
            )
            if (value := _first(by_predicate.get(predicate, []))) is not None
        }
        text = _first(by_predicate.get(iris.term("text").value, []))
        limits = lanes.limits

        def make(count: int) -> ResourceDescription:
            return ResourceDescription(
                iri=iri,
                release=served.id,
                types=sorted(str(getattr(t, "value", t)) for t in by_predicate.get(RDF + "type", [])),
                label=_first(by_predicate.get(RDFS + "label", [])) or iri,
                text=cut(text, limits.max_chars // 2) if text else None,
                part_of=_first(by_predicate.get(ELI + "is_part_of", [])),
                parts=parts[:count],
                parts_total=len(parts_iris),
                metadata=metadata,
                citation=provisions(served).get(iri),
            )

        return fit(make, len(parts), limits.max_chars).model_dump_json(indent=2)


def build_server(
    source: GraphSource,
    limits: AnswerLimits | None = None,
    *,
    lifespan: Callable[[MCPServer[Any]], AbstractAsyncContextManager[Any]] | None = None,
) -> MCPServer[Any]:
    """The MCP server over ``source``; ``lifespan`` runs around it (stdio: opening the release)."""
    lanes = GraphLanes(source.releases, source.budgets, limits or AnswerLimits())
    server: MCPServer[Any] = MCPServer(
        "gcmkg",
        title="gcmkg — the Global Compact for Migration as a knowledge graph",
        instructions=INSTRUCTIONS,
        version=__version__,
        lifespan=lifespan,
    )
    for query in source.saved.values():
        server.add_tool(
            saved_query_tool(query, lanes),
            name=tool_name(query),
            title=query.summary,
            description=saved_query_description(query),
            annotations=READ_ONLY,
            structured_output=True,
        )
        server.add_resource(
            TextResource(
                uri=source.iris.base + f"queries/{query.name}",
                name=f"queries/{query.name}.rq",
                title=query.summary,
                description=f"The SPARQL text of the saved query behind the tool {tool_name(query)}",
                mime_type="application/sparql-query",
                text=query.text,
            )
        )
    q = source.query_limits
    server.add_tool(
        sparql_tool(lanes),
        name="sparql",
        title="Run a SPARQL query (bounded like /sparql)",
        description=describe_sparql(lanes, q.timeout_s, q.max_rows, q.max_bytes, source.iris.base),
        annotations=READ_ONLY,
        structured_output=True,
    )
    server.add_tool(
        schema_tool(lanes),
        name="schema",
        title="The ontology's classes and properties, with an example each",
        description=(
            "The classes and properties the graph uses (gcm: ontology and the reused ELI, RDFS and SKOS terms), "
            "each with its label, definition and one real statement from the graph as an example, and the prefixes. "
            f"Paged (offset, limit) within {lanes.limits.max_chars} characters. Read it before writing sparql()."
        ),
        annotations=READ_ONLY,
        structured_output=True,
    )

    server.add_tool(
        search_tool(lanes),
        name="search",
        title="Search the provisions of every text (ranked, as /search)",
        description=(
            "Full-text search over every provision of the five texts (English, Swedish, Arabic; stemmed; BM25), "
            'the same ranked search as the site\'s /search: words must all match, "exact phrases" in quotes. '
            "Filters: language (en, sv, ar), document (a key such as a-73-l-66, com-2018-168-annex), kind (Action, "
            "Objective, Paragraph …), objective (1 to 23: its own provisions, and those that review or correspond "
            "to it). Hits with a snippet (matches between **), cited; paged by offset."
        ),
        annotations=READ_ONLY,
        structured_output=True,
    )
    server.add_tool(
        get_provision_tool(lanes),
        name="get_provision",
        title="One provision: text, place, citations inside it, links to the other texts",
        description=(
            "A provision by IRI or by citation ('A/73/L.66, para. 23 (c)'): its text as printed, kind, number, "
            "document, how to cite it, breadcrumbs, the chapeau it continues, previous and next, its parts, the "
            "instruments and actors it names (exact words and offsets), and its links with their evidence: the "
            "Swedish translation, the Zero Draft Plus provision it descends from (with the kind of change), the "
            "Progress Declaration paragraphs that review it, the IOM recommendations that correspond to it."
        ),
        annotations=READ_ONLY,
        structured_output=True,
    )
    server.add_tool(
        resolve_citation_tool(lanes),
        name="resolve_citation",
        title="The IRI of the provision a citation names",
        description=(
            "Turns a citation as people write it ('A/73/L.66, para. 23 (c)', 'a/73/l.66 para 23(c)', 'Zero Draft "
            "Plus, objective 4', 'IMRF Progress Declaration para 17') into the provision's IRI and its citation as "
            "the graph writes it. A citation that names nothing is an error saying how to write one."
        ),
        annotations=READ_ONLY,
        structured_output=True,
    )

    base = source.iris.base

    @server.resource(
        base + "id/{document}/{language}",
        name="document",
        title="A document (language expression)",
        description="A document of the graph, e.g. " + base + "id/a-73-l-66/en: symbol, date, title, its top parts.",
        mime_type="application/json",
    )
    def document(document: str, language: str) -> str:
        return describe(lanes, source.iris, source.iris.document(document, language).value)

    @server.resource(
        base + "id/{document}/{language}/{+path}",
        name="provision",
        title="A provision",
        description=f"A provision, e.g. {base}id/a-73-l-66/en/annex/para/23/c: its text, parent, parts, citation.",
        mime_type="application/json",
    )
    def provision(document: str, language: str, path: str) -> str:
        return describe(lanes, source.iris, source.iris.provision(document, language, tuple(path.split("/"))).value)

    return server

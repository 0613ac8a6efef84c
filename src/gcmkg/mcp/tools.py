"""The MCP tools over the graph: one per saved query, ``sparql`` and ``schema``.

Every tool answers a :class:`Rows` (or :class:`Schema`) — typed, so the SDK publishes its
output schema — that carries the release it came from and the citation of every provision it
names (:mod:`.citations`), and stays within the answer size (:mod:`.answers`), saying when it
was cut and which ``offset`` gives the rest.  A bad argument is a tool error (``isError``) whose
text says what was wrong and what to send; a tool never raises anything else to the SDK.

* **Saved queries** (``queries/*.rq``): each file is the tool ``query_<name>``, its parameters
  and their allowed values taken from the ``#+`` header (the JSON schema of each parameter is
  the one ``/openapi.json`` shows, :func:`gcmkg.service.saved_queries.parameter_schema`), bound
  as RDF terms by :meth:`SavedQuery.bind`, run in the saved-query lane of workers and kept in
  the release's answer cache — as ``/queries/{name}`` does.  A new file is a new tool.
* **sparql** goes through the ad-hoc lane of ``/sparql`` itself
  (:func:`gcmkg.service.sparql.run_ad_hoc`): the same screening (updates and ``SERVICE``
  refused before anything runs, nesting depth), the same supervised workers with their time,
  memory, row and byte limits, the same per-client budgets and answer cache.  Where the endpoint
  answers 413 for a result over its caps, the tool says so and how to narrow the query; it never
  returns a silently cut result.
* **schema**: the vocabulary (:mod:`.vocabulary`), paged like the rows.
"""

from __future__ import annotations

import inspect
import json
import keyword
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field, WithJsonSchema
from pyoxigraph import RdfFormat, parse

from gcmkg.iris import PREFIXES, prefixes_for
from gcmkg.mcp.answers import MAX_PAGE_ROWS, AnswerLimits, cut, fit, shortened_note
from gcmkg.mcp.citations import Citation, citations
from gcmkg.mcp.vocabulary import VocabularyTerm, vocabulary
from gcmkg.representations import SPARQL_JSON
from gcmkg.service.fairness import ClientBudgets, OverBudget, client_key
from gcmkg.service.negotiation import NotAcceptable
from gcmkg.service.runner import QueryLimitExceeded, QueryRejected
from gcmkg.service.saved_queries import parameter_schema
from gcmkg.service.saved_query_files import ParameterError, ParamType, SavedQuery, SavedQueryError
from gcmkg.service.screening import screen
from gcmkg.service.serving import Releases, Served
from gcmkg.service.sparql import AdHoc, run_ad_hoc

# the project prefixes on one line, so that a syntax error's line number is the caller's own
PROLOGUE = "".join(f"PREFIX {p}: <{ns}> " for p, ns in PREFIXES.items())
PAGING = ("offset", "limit")  # tool arguments of their own: no saved query may use these names
STDIO_CLIENT = "mcp-stdio"  # the one client of a `gcmkg mcp` process, for the ad-hoc budget


class Rows(BaseModel):
    """Query results as rows of plain values, with their citations."""

    release: str = Field(description="The release (build) the answer came from")
    source: str = Field(description="What answered: the saved query file, or 'sparql'")
    columns: list[str] = Field(description="The result's variables, in order")
    rows: list[dict[str, str]] = Field(description="One object per result row: variable -> value (IRI or text)")
    boolean: bool | None = Field(default=None, description="The answer of an ASK query")
    row_count: int = Field(description="Rows in the whole result (not only in this answer)")
    offset: int = Field(description="Index of the first row in this answer")
    truncated: bool = Field(description="True when rows of the result are not in this answer")
    next_offset: int | None = Field(description="The offset that gives the next rows, if any")
    note: str = Field(description="What was left out and how to get it; empty when the answer is whole")
    citations: list[Citation] = Field(description="How to cite every provision named in the rows")


class Schema(BaseModel):
    """The vocabulary of the graph, with one example each."""

    release: str
    prefixes: dict[str, str] = Field(description="Prefix -> namespace (predeclared in the sparql tool)")
    terms: list[VocabularyTerm]
    term_count: int = Field(description="Terms of this kind in the whole vocabulary")
    offset: int
    truncated: bool
    next_offset: int | None
    note: str
    citations: list[Citation] = Field(description="How to cite every provision named in the examples")


class _Held:
    """The release current when a call arrives, held to the end of the call (as ServeRelease does for HTTP)."""

    def __init__(self, releases: Releases) -> None:
        self.releases = releases

    def __enter__(self) -> Served:
        self.served = self.releases.acquire()
        return self.served

    def __exit__(self, *exc: object) -> None:
        self.releases.release(self.served)


class GraphLanes:
    """What the tools read: the release being served (held for one call), the answer limits, the budgets."""

    def __init__(self, releases: Releases, budgets: ClientBudgets, limits: AnswerLimits) -> None:
        self.releases, self.budgets, self.limits = releases, budgets, limits

    def hold(self) -> _Held:
        return _Held(self.releases)


Offset = Annotated[int, Field(ge=0, description="Index of the first row to return (0 = the first)")]
Limit = Annotated[
    int,
    Field(ge=1, le=MAX_PAGE_ROWS, description="Rows to return at most (fewer when they do not fit the answer size)"),
]


def rows_answer(
    served: Served, source: str, results: dict[str, Any], offset: int, limit: int, limits: AnswerLimits
) -> Rows:
    """SPARQL JSON results as :class:`Rows`: the page from ``offset``, cut to fit, with citations."""
    columns: list[str] = results.get("head", {}).get("vars", [])
    every = [
        {name: cut(cell["value"], limits.max_value_chars) for name, cell in binding.items()}
        for binding in results.get("results", {}).get("bindings", [])
    ]
    on_offer = every[offset : offset + limit]

    def make(count: int) -> Rows:
        page = on_offer[:count]
        more = offset + count < len(every)
        return Rows(
            release=served.id,
            source=source,
            columns=columns,
            rows=page,
            boolean=results.get("boolean"),
            row_count=len(every),
            offset=offset,
            truncated=more or offset > 0,
            next_offset=offset + count if more else None,
            note=shortened_note(count, offset, len(every), limits.max_chars, limit),
            citations=citations(served, (value for row in page for value in row.values())),
        )

    return fit(make, len(on_offer), limits.max_chars)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# saved queries -----------------------------------------------------------------------------------


def tool_name(query: SavedQuery) -> str:
    """``query_objective_actions`` for ``queries/objective-actions.rq``."""
    return "query_" + query.name.replace("-", "_")


def saved_query_description(query: SavedQuery) -> str:
    """What an assistant reads before it calls the tool: what it answers, and with what."""
    parts = [query.summary + ".", query.description]
    for param in query.params:
        values = ""
        if param.values:
            values = f" One of: {', '.join(param.values[:30])}{' …' if len(param.values) > 30 else ''}."
        default = f" Default: {param.default}." if param.default is not None else ""
        about = param.description or param.name
        parts.append(f"Parameter {param.name} ({param.type.value}): {about}.{values}{default}")
    parts.append(
        f"Saved query queries/{query.name}.rq. Each provision in the rows comes with its citation "
        "(document symbol and date, printed number, IRI, release)."
    )
    return "\n".join(p for p in parts if p)


def saved_query_tool(query: SavedQuery, lanes: GraphLanes) -> Callable[..., Rows]:
    """A function whose signature is the saved query's parameters (the SDK reads the input schema from it)."""
    clash = set(PAGING) & {p.name for p in query.params}
    bad = [p.name for p in query.params if keyword.iskeyword(p.name)]
    if clash or bad:
        raise SavedQueryError(f"{query.path}: parameter name {', '.join(sorted(clash) + bad)} is reserved by the tools")

    def run(**values: Any) -> Rows:
        offset, limit = values.pop("offset"), values.pop("limit")
        given = {name: None if value is None else _as_text(value) for name, value in values.items()}
        with lanes.hold() as served:
            try:
                substitutions = query.bind(given, served.store.base_iri)
            except ParameterError as error:
                raise ToolError(f"{error}; see the tool's input schema for what each parameter takes") from None
            key = ("mcp.saved", query.name, tuple(sorted((k, str(v)) for k, v in substitutions.items())))
            try:
                outcome = served.answers.answer(
                    key,
                    lambda: served.saved_runner.run(query.text, result_format=SPARQL_JSON, substitutions=substitutions),
                )
            except (QueryRejected, QueryLimitExceeded) as error:
                raise ToolError(f"saved query {query.name} was stopped: {error.message}") from None
            results = json.loads(outcome.body)
            return rows_answer(served, f"queries/{query.name}.rq", results, offset, limit, lanes.limits)

    parameters = []
    for param in query.params:
        schema = parameter_schema(param)
        description = param.description or param.name
        if param.type is ParamType.IRI:
            description += " (an IRI; relative ones such as id/a-73-l-66/en resolve against the base IRI)"
        schema["description"] = description
        required = param.required and param.default is None
        default: Any = inspect.Parameter.empty
        if param.default is not None:
            default = int(param.default) if param.type is ParamType.INTEGER else param.default
        elif not required:
            default = None
        parameters.append(
            inspect.Parameter(
                param.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=Annotated[Any, WithJsonSchema(schema)],
                default=default,
            )
        )
    keyword_only = inspect.Parameter.KEYWORD_ONLY
    parameters.append(inspect.Parameter("offset", keyword_only, annotation=Offset, default=0))
    parameters.append(inspect.Parameter("limit", keyword_only, annotation=Limit, default=lanes.limits.default_rows))
    run.__signature__ = inspect.Signature(parameters, return_annotation=Rows)  # type: ignore[attr-defined]
    run.__name__ = tool_name(query)
    return run


# sparql ------------------------------------------------------------------------------------------

SPARQL_DESCRIPTION = """Run one read-only SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE) on the graph.
The default graph is the union of the named graphs. The project prefixes are predeclared ({prefixes}); gcm: is
{gcm}. Bounded exactly like the /sparql endpoint: updates and SERVICE are refused before anything runs, a query
may run {timeout:g} s and return {max_rows} rows (CONSTRUCT/DESCRIBE: triples) or {max_bytes} bytes, and each
client has a budget of query time. A result over those caps is an error, never a silently cut result: add LIMIT
or narrow the pattern. The rows come back a page at a time (offset, limit) within {max_chars} characters, with
row_count and truncated saying what is left. Prefer a saved query (query_* tools) when one fits: they are faster
and already cite. The prefixes are declared on the query's first line: a syntax error's line is your own, but a
character offset counts the {prologue} characters of the declarations too."""


def _client(ctx: Context[Any, Any] | None) -> str:
    request = ctx.request_context.request if ctx is not None else None
    if request is None:
        return STDIO_CLIENT
    client = getattr(request, "client", None)
    headers = getattr(request, "headers", {})
    return client_key(getattr(client, "host", None), headers.get("user-agent"))


def _triples(body: bytes) -> dict[str, Any]:
    """N-Triples as SPARQL-JSON-like results with the columns subject, predicate, object."""
    rows = [
        {
            name: {"value": str(getattr(term, "value", term))}
            for name, term in (("subject", t.subject), ("predicate", t.predicate), ("object", t.object))
        }
        for t in parse(body, format=RdfFormat.N_TRIPLES)
    ]
    return {"head": {"vars": ["subject", "predicate", "object"]}, "results": {"bindings": rows}}


def sparql_tool(lanes: GraphLanes) -> Callable[..., Rows]:
    def sparql(
        query: Annotated[str, Field(min_length=1, description="The SPARQL query (project prefixes predeclared)")],
        offset: Offset = 0,
        limit: Limit = lanes.limits.default_rows,
        ctx: Context[Any, Any] | None = None,
    ) -> Rows:
        text = PROLOGUE + query
        form = screen(text).form
        result_format = "json" if form in ("select", "ask") else "nt" if form in ("construct", "describe") else None
        with lanes.hold() as served:
            lane = AdHoc(served.runner, served.answers, lanes.budgets, _client(ctx))
            try:
                outcome = run_ad_hoc(lane, None, text, [], [result_format] if result_format else [])
            except QueryRejected as error:
                raise ToolError(f"the query was refused ({error.status}): {error.message}") from None
            except QueryLimitExceeded as error:
                advice = f"; retry after {error.retry_after} s" if error.retry_after else ""
                if error.status == 413:
                    advice = "; the whole result must fit these caps: add LIMIT (and OFFSET) or narrow the pattern"
                raise ToolError(f"the query was stopped ({error.status}): {error.message}{advice}") from None
            except OverBudget as error:
                raise ToolError(f"over this client's query budget: {error.message}") from None
            except NotAcceptable as error:
                raise ToolError(error.message) from None
            results = json.loads(outcome.body) if outcome.form in ("select", "ask") else _triples(outcome.body)
            return rows_answer(served, "sparql", results, offset, limit, lanes.limits)

    return sparql


def describe_sparql(lanes: GraphLanes, timeout_s: float, max_rows: int, max_bytes: int, base_iri: str) -> str:
    return SPARQL_DESCRIPTION.format(
        prefixes=", ".join(f"{p}:" for p in PREFIXES),
        gcm=prefixes_for(base_iri)["gcm"],
        timeout=timeout_s,
        max_rows=max_rows,
        max_bytes=max_bytes,
        max_chars=lanes.limits.max_chars,
        prologue=len(PROLOGUE),
    )


# schema ------------------------------------------------------------------------------------------


def schema_tool(lanes: GraphLanes) -> Callable[..., Schema]:
    def schema(
        kind: Annotated[
            Literal["all", "class", "property"], Field(description="Classes, properties, or both (classes first)")
        ] = "all",
        offset: Offset = 0,
        limit: Limit = 100,
    ) -> Schema:
        with lanes.hold() as served:
            terms = [t for t in vocabulary(served) if kind == "all" or t.kind == kind]
            on_offer = terms[offset : offset + limit]

            def make(count: int) -> Schema:
                page = on_offer[:count]
                more = offset + count < len(terms)
                return Schema(
                    release=served.id,
                    prefixes=prefixes_for(served.store.base_iri),
                    terms=page,
                    term_count=len(terms),
                    offset=offset,
                    truncated=more or offset > 0,
                    next_offset=offset + count if more else None,
                    note=shortened_note(count, offset, len(terms), lanes.limits.max_chars, limit),
                    citations=citations(served, _example_values(page)),
                )

            return fit(make, len(on_offer), lanes.limits.max_chars)

    return schema


def _example_values(terms: list[VocabularyTerm]) -> Iterator[str]:
    for term in terms:
        yield term.example.subject
        yield term.example.object

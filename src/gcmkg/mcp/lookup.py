"""The tools that read provisions as a reader does: ``search``, ``get_provision``, ``resolve_citation``.

Thin over the modules that own the facts, so the site and the assistant never disagree:
:mod:`gcmkg.search` (the release's tantivy index, the same ranked search as ``/search``) and
:mod:`gcmkg.provisions` (the provision view of the reader's pages, the citation as people write
it, and its resolution back to an IRI).  Like every tool, each answer names its release, cites
every provision in it (:mod:`.citations`) and stays within the answer size (:mod:`.answers`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from typing import Annotated

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from gcmkg.mcp.answers import cut, fit, shortened_note
from gcmkg.mcp.citations import Citation, citations
from gcmkg.mcp.tools import GraphLanes, Offset
from gcmkg.provisions import ProvisionRef, ProvisionView, provision_view, resolve_citation
from gcmkg.search import INDEX_FOLDER, MAX_LIMIT, NoSearchIndex, SearchError, open_cached
from gcmkg.store import GraphStore

_MARK = re.compile(r"</?mark>")
MAX_CHILDREN = 60  # parts of a provision listed (an objective has about a dozen; a part, hundreds)


class SearchHit(BaseModel):
    iri: str
    document_symbol: str
    number: str = Field(description="As printed ('' for an unnumbered provision)")
    kind: str
    language: str
    label: str
    snippet: str = Field(description="The text around the matches, matches between ** and **")
    score: float


class SearchAnswer(BaseModel):
    release: str
    query: str
    total: int = Field(description="Hits in all")
    offset: int
    truncated: bool
    next_offset: int | None
    note: str
    hits: list[SearchHit]
    citations: list[Citation]


def plain_snippet(snippet: str) -> str:
    """The index's HTML snippet as text, matches between ``**``.

    >>> plain_snippet("fair &amp; <mark>ethical</mark> recruitment")
    'fair & **ethical** recruitment'
    """
    return html.unescape(_MARK.sub("**", snippet))


def search_tool(lanes: GraphLanes) -> Callable[..., SearchAnswer]:
    def search(
        text: Annotated[str, Field(min_length=1, description='Words, and "exact phrases" in double quotes')],
        language: Annotated[str | None, Field(description="en, sv or ar; any when not given")] = None,
        document: Annotated[str | None, Field(description="A document key, e.g. a-73-l-66; any when not given")] = None,
        kind: Annotated[str | None, Field(description="A provision class, e.g. Action, Objective, Paragraph")] = None,
        objective: Annotated[str | None, Field(description="An objective number (1 to 23)")] = None,
        limit: Annotated[int, Field(ge=1, le=MAX_LIMIT, description="Hits to return at most")] = 10,
        offset: Offset = 0,
    ) -> SearchAnswer:
        with lanes.hold() as served:
            try:
                index = open_cached(served.release.folder / INDEX_FOLDER, served.cache)
                results = index.search(
                    text,
                    language=language,
                    document=document,
                    kind=kind,
                    objective=objective,
                    limit=limit,
                    offset=offset,
                )
            except SearchError as error:
                raise ToolError(f"{error.parameter}: {error}") from None
            except NoSearchIndex as error:
                raise ToolError(f"search is not available in release {served.id}: {error}") from None
            hits = [
                SearchHit(
                    iri=h.iri,
                    document_symbol=h.symbol,
                    number=h.number,
                    kind=h.kind,
                    language=h.language,
                    label=h.label,
                    snippet=plain_snippet(h.snippet),
                    score=round(h.score, 3),
                )
                for h in results.hits
            ]

            def make(count: int) -> SearchAnswer:
                more = offset + count < results.total
                return SearchAnswer(
                    release=served.id,
                    query=text,
                    total=results.total,
                    offset=offset,
                    truncated=more or offset > 0,
                    next_offset=offset + count if more else None,
                    note=shortened_note(count, offset, results.total, lanes.limits.max_chars, limit),
                    hits=hits[:count],
                    citations=citations(served, (h.iri for h in hits[:count])),
                )

            return fit(make, len(hits), lanes.limits.max_chars)

    return search


# get_provision -------------------------------------------------------------------------------------


class Ref(BaseModel):
    iri: str
    label: str
    cite_as: str


class Mention(BaseModel):
    entity: str = Field(description="The catalogue entry (instrument or actor) the words name")
    entity_label: str
    surface: str = Field(description="The words of the text, as printed")
    start: int = Field(description="Character offsets of the words in the provision's text")
    end: int
    via_footnote: Ref | None


class Link(BaseModel):
    """A provision of another text linked to this one (translation, lineage, review, correspondence)."""

    kinds: list[str]
    direction: str = Field(description="'from': this provision descends from / reviews the other; 'to': the reverse")
    other: Ref
    other_text: str
    change: str = Field(description="Lineage: unchanged, reworded, merged, split, moved or new")
    evidence: list[str] = Field(description="Why each alignment was made: method, score, shared words")


class ProvisionAnswer(BaseModel):
    release: str
    iri: str
    cite_as: str
    label: str
    kind: str
    number: str
    heading: str
    text: str
    document: Ref
    breadcrumbs: list[Ref] = Field(description="From the top of the document down to the parent")
    context: Ref | None = Field(description="The chapeau this provision continues (an action's commitment)")
    context_text: str
    previous: Ref | None
    next: Ref | None
    children: list[Ref]
    children_total: int
    mentions: list[Mention] = Field(description="Instruments and actors the text names, with the exact words")
    links: list[Link]
    links_total: int
    lines: str = Field(description="Lines of the source text file")
    pages: str = Field(description="Pages of the printed document")
    note: str
    citations: list[Citation]


def _ref(ref: ProvisionRef) -> Ref:
    return Ref(iri=ref.iri, label=ref.label, cite_as=ref.cite)


def _provision_answer(served_id: str, view: ProvisionView, links: int, value_chars: int) -> ProvisionAnswer:
    def evidence(e: object) -> str:
        parts = [getattr(e, "method", ""), getattr(e, "difference", ""), getattr(e, "evidence", "")]
        score = getattr(e, "score", None)
        return cut(
            "; ".join([p for p in parts if p] + ([f"score {score:g}"] if score is not None else [])), value_chars
        )

    kept = view.relations[:links]
    document = view.document
    return ProvisionAnswer(
        release=served_id,
        iri=view.ref.iri,
        cite_as=view.ref.cite,
        label=view.ref.label,
        kind=view.ref.kind,
        number=view.number,
        heading=view.heading,
        text=cut(view.text, value_chars * 2),
        document=Ref(iri=document.iri, label=document.title, cite_as=document.name),
        breadcrumbs=[_ref(r) for r in view.breadcrumbs],
        context=_ref(view.context) if view.context else None,
        context_text=cut(view.context_text, value_chars),
        previous=_ref(view.previous) if view.previous else None,
        next=_ref(view.next) if view.next else None,
        children=[_ref(r) for r in view.children[:MAX_CHILDREN]],
        children_total=len(view.children),
        mentions=[
            Mention(
                entity=m.entity,
                entity_label=m.entity_label,
                surface=m.surface,
                start=m.start,
                end=m.end,
                via_footnote=_ref(m.via_footnote) if m.via_footnote else None,
            )
            for m in view.mentions
        ],
        links=[
            Link(
                kinds=list(r.kinds),
                direction=r.direction,
                other=_ref(r.other),
                other_text=cut(r.other_text, value_chars),
                change=r.change,
                evidence=[evidence(e) for e in r.evidence],
            )
            for r in kept
        ],
        links_total=len(view.relations),
        lines=view.lines,
        pages=view.pages,
        note=""
        if links >= len(view.relations)
        else f"{len(view.relations) - links} of {len(view.relations)} links left out to fit the answer size; "
        "get_provision on a linked provision gives its own links",
        citations=[],
    )


def _named(answer: ProvisionAnswer) -> Iterator[str]:
    yield answer.iri
    for ref in (*answer.breadcrumbs, answer.context, answer.previous, answer.next, *answer.children):
        if ref is not None:
            yield ref.iri
    for mention in answer.mentions:
        if mention.via_footnote is not None:
            yield mention.via_footnote.iri
    for link in answer.links:
        yield link.other.iri


def _iri_or_citation(store: GraphStore, given: str) -> str:
    """An IRI as given (``id/...`` resolved against the base IRI), or the provision a citation names."""
    text = given.strip()
    if text.startswith(("http://", "https://")):
        return text
    if text.startswith("id/"):
        return store.base_iri + text
    found = resolve_citation(store, text)
    if found is None:
        raise ToolError(
            f"no provision matches the citation {given!r}; write it as a reader does, e.g. "
            "'A/73/L.66, annex, para. 23 (c)', 'Zero Draft Plus, objective 4', or give the provision's IRI"
        )
    return found


def get_provision_tool(lanes: GraphLanes) -> Callable[..., ProvisionAnswer]:
    def get_provision(
        provision: Annotated[
            str,
            Field(
                min_length=1,
                max_length=2000,
                description="The provision's IRI (or id/... relative to the base IRI), or a citation such as "
                "'A/73/L.66, para. 23 (c)'",
            ),
        ],
    ) -> ProvisionAnswer:
        with lanes.hold() as served:
            iri = _iri_or_citation(served.store, provision)
            view = provision_view(served.store, iri)
            if view is None:
                raise ToolError(f"the graph has no provision {iri} (release {served.id}); resolve_citation finds one")
            value_chars = lanes.limits.max_value_chars

            def make(links: int) -> ProvisionAnswer:
                answer = _provision_answer(served.id, view, links, value_chars)
                answer.citations = citations(served, _named(answer))
                return answer

            return fit(make, len(view.relations), lanes.limits.max_chars)

    return get_provision


# resolve_citation ----------------------------------------------------------------------------------


class Resolved(BaseModel):
    release: str
    citation: str = Field(description="The citation as given")
    iri: str
    cite_as: str = Field(description="The same provision's citation as the graph writes it")
    citations: list[Citation]


def resolve_citation_tool(lanes: GraphLanes) -> Callable[..., Resolved]:
    def resolve(
        citation: Annotated[
            str,
            Field(
                min_length=1,
                max_length=500,
                description="A citation as people write it: 'A/73/L.66, para. 23 (c)', 'a/73/l.66 para 23(c)', "
                "'Zero Draft Plus, objective 4', 'IMRF Progress Declaration para 17'",
            ),
        ],
    ) -> Resolved:
        with lanes.hold() as served:
            iri = _iri_or_citation(served.store, citation)
            found = citations(served, [iri])
            if not found:
                raise ToolError(f"{iri} is not a provision of the graph (release {served.id})")
            return Resolved(release=served.id, citation=citation, iri=iri, cite_as=found[0].cite_as, citations=found)

    return resolve

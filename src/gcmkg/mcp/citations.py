"""What a citation of a provision needs, for every provision an MCP answer names.

A provision is cited by its document's symbol and date (``corpus/manifest.toml``, carried into
the graph as ``gcm:symbol`` and ``eli:date_document``), its printed number and label, its IRI,
and the release the answer came from (a release never changes, so the IRI and release id are
enough to find the same words again).  The facts for every provision of the release are read
once, with one fixed query on the read-only store, and kept with the release
(``Served.cache``): the corpus has about 1,300 provisions.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field

from gcmkg.iris import sparql_prologue
from gcmkg.service.serving import Served

CACHE_KEY = "mcp.citations"

PROVISIONS = (
    sparql_prologue()
    + """
SELECT ?provision ?document ?symbol ?date ?number ?label WHERE {
  ?provision gcm:inDocument ?document ; a ?kind .
  ?kind rdfs:subClassOf* gcm:Provision .
  ?document gcm:symbol ?symbol .
  OPTIONAL { ?document eli:date_document ?date }
  OPTIONAL { ?provision gcm:number ?number }
  OPTIONAL { ?provision rdfs:label ?label }
}"""
)


class Citation(BaseModel):
    """How to cite one provision: where it is printed, and where to find it again."""

    iri: str = Field(description="The provision's IRI (dereferenceable on the service)")
    label: str = Field(description="The provision as people name it, e.g. 'Action 23 (c)'")
    number: str | None = Field(description="Its number as printed in the text (e.g. '23', 'c'), if it has one")
    document_symbol: str = Field(description="The document's symbol, e.g. 'A/73/L.66'")
    document_date: str | None = Field(description="The document's date (ISO 8601)")
    document: str = Field(description="The IRI of the document (language expression)")
    release: str = Field(description="The id of the release (build) the answer came from")


def _read(served: Served) -> dict[str, Citation]:
    found: dict[str, Citation] = {}
    for terms in served.store.select(PROVISIONS):
        row = {name: str(getattr(term, "value", term)) for name, term in terms.items()}
        iri = row["provision"]
        if iri in found:  # one row per type: the facts are the same
            continue
        found[iri] = Citation(
            iri=iri,
            label=row.get("label", iri.rsplit("/", 1)[-1]),
            number=row.get("number"),
            document_symbol=row["symbol"],
            document_date=row.get("date"),
            document=row["document"],
            release=served.id,
        )
    return found


def provisions(served: Served) -> dict[str, Citation]:
    """Every provision of the release by IRI, with its citation (read once per release)."""
    cached = served.cache.get(CACHE_KEY)
    if cached is None:
        cached = served.cache[CACHE_KEY] = _read(served)
    return cached  # type: ignore[no-any-return]


def citations(served: Served, values: Iterable[str]) -> list[Citation]:
    """The citation of every provision among ``values`` (IRIs and other values), in first-seen order."""
    known = provisions(served)
    seen: dict[str, Citation] = {}
    for value in values:
        if value in known and value not in seen:
            seen[value] = known[value]
    return list(seen.values())

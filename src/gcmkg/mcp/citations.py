"""What a citation of a provision needs, for every provision an MCP answer names.

A provision is cited as a reader writes it (:func:`gcmkg.provisions.cite_as`:
"A/73/L.66, annex, para. 23 (c)"), with its document's symbol and date (``corpus/manifest.toml``, carried into
the graph as ``gcm:symbol`` and ``eli:date_document``; a document without a symbol, such as the
IOM contribution, is named as the reader names it), its printed number and label, its IRI,
and the release the answer came from (a release never changes, so the IRI and release id are
enough to find the same words again).  The facts for every provision of the release are read
once, with one fixed query on the read-only store, and kept with the release
(``Served.cache``): the corpus has about 1,300 provisions.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field

from gcmkg.iris import sparql_prologue
from gcmkg.provisions import provision_ref
from gcmkg.service.serving import Served

CACHE_KEY = "mcp.citations"

PROVISIONS = (
    sparql_prologue()
    + """
SELECT ?provision ?number WHERE {
  ?provision gcm:inDocument ?document ; a ?kind .
  ?kind rdfs:subClassOf* gcm:Provision .
  OPTIONAL { ?provision gcm:number ?number }
}"""
)


class Citation(BaseModel):
    """How to cite one provision: where it is printed, and where to find it again."""

    cite_as: str = Field(description="The citation as a reader writes it, e.g. 'A/73/L.66, annex, para. 23 (c)'")
    iri: str = Field(description="The provision's IRI (dereferenceable on the service)")
    label: str = Field(description="The provision as people name it, e.g. 'Action 23 (c)'")
    number: str | None = Field(description="Its number as printed in the text (e.g. '23', 'c'), if it has one")
    document_symbol: str = Field(
        description="The document's symbol, e.g. 'A/73/L.66' (for a document without one, its name as cited)"
    )
    document_date: str | None = Field(description="The document's date (ISO 8601)")
    document: str = Field(description="The IRI of the document (language expression)")
    release: str = Field(description="The id of the release (build) the answer came from")


def _read(served: Served) -> dict[str, Citation]:
    found: dict[str, Citation] = {}
    for row in served.store.select(PROVISIONS):
        iri = row["provision"].value  # type: ignore[union-attr]
        ref = provision_ref(served.store, iri)
        if iri in found or ref is None:  # one row per type; a provision the reader does not show is not cited
            continue
        number = row.get("number")
        found[iri] = Citation(
            cite_as=ref.cite,
            iri=iri,
            label=ref.label,
            number=number.value if number is not None else None,  # type: ignore[union-attr]
            document_symbol=ref.document.name,
            document_date=ref.document.date or None,
            document=ref.document.iri,
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

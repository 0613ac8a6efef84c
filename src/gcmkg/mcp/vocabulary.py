"""The ontology as an assistant needs it: the classes and properties the graph uses, one example each.

Read from the ontology's named graph (``ontology/gcm.ttl`` as built) and the data of the same
release: every class and property the ontology declares that has at least one instance or use,
plus the reused properties the saved queries walk (ELI's tree, labels, dates, citations).  Each
comes with its label, its definition (cut to :data:`DEFINITION_CHARS`) and one real example from
the graph — an instance of the class, or one statement with the property — so an assistant can
write a query without guessing.  Computed once per release (``Served.cache``).
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from pyoxigraph import Literal, NamedNode

from gcmkg.iris import ELI, OWL, RDF, RDFS, SKOS, Iris, prefixes_for
from gcmkg.mcp.answers import cut
from gcmkg.service.serving import Served

CACHE_KEY = "mcp.vocabulary"
DEFINITION_CHARS = 240
# reused terms the saved queries walk, described here because the ontology only aligns to them
REUSED = {
    ELI + "is_part_of": "The provision (or document) this provision is directly part of (ELI).",
    ELI + "has_part": "A provision directly inside this one (ELI); the inverse of eli:is_part_of.",
    ELI + "date_document": "The date of a document (ELI), as given in corpus/manifest.toml.",
    RDFS + "label": "The name of a resource, e.g. 'Action 23 (c)' for a provision.",
    SKOS + "prefLabel": "The preferred name of an instrument or actor of the catalogue, per language.",
}
DECLARATIONS = ("Class", "ObjectProperty", "DatatypeProperty")


class Example(BaseModel):
    """One real statement of the graph."""

    subject: str = Field(description="An IRI")
    predicate: str = Field(description="The property's IRI (rdf:type for a class)")
    object: str = Field(description="An IRI or a literal's text")


class VocabularyTerm(BaseModel):
    """A class or property, with one example from the graph."""

    name: str = Field(description="Prefixed name, e.g. gcm:Action (prefixes in the answer's 'prefixes')")
    iri: str
    kind: str = Field(description="'class' or 'property'")
    label: str
    definition: str
    example: Example


def _name(iri: str, prefixes: dict[str, str]) -> str:
    for prefix, namespace in prefixes.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def _text(served: Served, subject: NamedNode, predicate: str) -> str:
    values = [q.object for q in served.store.match(subject, NamedNode(predicate))]
    english = [v for v in values if isinstance(v, Literal) and v.language in (None, "en")]
    return english[0].value if english else ""


def _read(served: Served) -> list[VocabularyTerm]:
    prefixes = prefixes_for(served.store.base_iri)
    ontology_graph = Iris(served.store.base_iri).graph("ontology")
    rdf_type = NamedNode(RDF + "type")
    declared: dict[str, str] = {}
    for declaration in DECLARATIONS:
        for quad in served.store.match(None, rdf_type, NamedNode(OWL + declaration), ontology_graph):
            if isinstance(quad.subject, NamedNode):
                declared.setdefault(quad.subject.value, "class" if declaration == "Class" else "property")
    for iri in REUSED:
        declared.setdefault(iri, "property")
    terms = []
    for iri, kind in sorted(declared.items(), key=lambda item: (item[1], _name(item[0], prefixes))):
        node = NamedNode(iri)
        if kind == "class":
            uses = (q for q in served.store.match(None, rdf_type, node) if q.graph_name != ontology_graph)
        else:
            uses = (q for q in served.store.match(None, node, None) if q.graph_name != ontology_graph)
        use = next(uses, None)
        if use is None:
            continue  # declared but unused in this release: not what an assistant needs
        definition = _text(served, node, SKOS + "definition") or _text(served, node, RDFS + "comment")
        terms.append(
            VocabularyTerm(
                name=_name(iri, prefixes),
                iri=iri,
                kind=kind,
                label=_text(served, node, RDFS + "label") or _name(iri, prefixes),
                definition=cut(definition or REUSED.get(iri, ""), DEFINITION_CHARS),
                example=Example(
                    subject=str(getattr(use.subject, "value", use.subject)),
                    predicate=use.predicate.value,
                    object=cut(str(getattr(use.object, "value", use.object)), DEFINITION_CHARS),
                ),
            )
        )
    return terms


def vocabulary(served: Served) -> list[VocabularyTerm]:
    """The classes, then the properties, that matter in this release (read once per release)."""
    cached = served.cache.get(CACHE_KEY)
    if cached is None:
        cached = served.cache[CACHE_KEY] = _read(served)
    return cached  # type: ignore[no-any-return]

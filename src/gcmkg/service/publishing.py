"""What the endpoint publishes for editors and crawlers: partitions, examples, prefixes, completions.

* **VoID partitions** (:func:`partitions`, :func:`partition_triples`): one ``void:classPartition``
  per class with ``void:entities`` (its distinct instances), one ``void:propertyPartition`` per
  property with ``void:triples``, ``void:distinctSubjects`` and ``void:distinctObjects``, counted
  over the default graph the endpoint queries (the union of the named graphs, a triple in two
  graphs counted once).  :mod:`.describe` adds them to the dataset's VoID description.
* **SPARQL examples** (:func:`example_triples`): every saved query (``queries/*.rq``) as an
  ``sh:SPARQLExecutable`` with its text (``sh:select`` / ``sh:ask`` / ``sh:construct``), written
  with absolute IRIs (:meth:`~.saved_query_files.SavedQuery.portable_text`), its title and
  description, the endpoint it runs on (``schema:target``) and the prefixes it may rely on.
  Served at ``/.well-known/sparql-examples`` (:mod:`.editor`) and in the service description.
* **Prefix declarations** (:func:`prefix_triples`): the project prefixes the endpoint
  predeclares (:func:`gcmkg.iris.prefixes_for`), as SHACL ``sh:declare`` / ``sh:prefix`` /
  ``sh:namespace``.
* **Completions** (:func:`completions`): what the editor completes from — the same partitions
  with the labels of their classes and properties, the prefixes, and the display label of every
  labelled resource — as one JSON document per release.

Everything here depends only on the release and the saved queries, so it is computed once per
release (the partitions with the dataset statistics, :class:`~.describe.StatsCache`; the
completions in the release's cache) and never per request.  Reads are trusted fixed queries on
the read-only store, materialised in the calling thread (:mod:`gcmkg.store`, hazard 3).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pyoxigraph import Literal, NamedNode, Triple

from gcmkg.iris import DCTERMS, OWL, RDF, RDFS, SCHEMA, SH, VOID, XSD, Iris, prefixes_for
from gcmkg.service.saved_query_files import SavedQuery
from gcmkg.store import GraphStore

_A = NamedNode(RDF + "type")
_INTEGER = NamedNode(XSD + "integer")

_CLASS_PARTITIONS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?entities) WHERE { ?s a ?class FILTER(isIRI(?class)) }
GROUP BY ?class ORDER BY ?class"""
_PROPERTY_PARTITIONS = """
SELECT ?property (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects) WHERE {
  SELECT DISTINCT ?s ?property ?o WHERE { ?s ?property ?o }
} GROUP BY ?property ORDER BY ?property"""
# rdfs:label before skos:prefLabel, English or untagged before other languages, then the shortest
_LABELS = """
SELECT ?x ?label ?rank WHERE {
  { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?label BIND(0 AS ?rank) }
  UNION { ?x <http://www.w3.org/2004/02/skos/core#prefLabel> ?label BIND(2 AS ?rank) }
  FILTER(isIRI(?x))
}"""

# the SHACL class and text property of each query form (SHACL §5.1); DESCRIBE has none of its own
_FORMS = {
    "select": ("SPARQLSelectExecutable", "select"),
    "ask": ("SPARQLAskExecutable", "ask"),
    "construct": ("SPARQLConstructExecutable", "construct"),
}


@dataclass(frozen=True)
class ClassPartition:
    iri: str
    entities: int


@dataclass(frozen=True)
class PropertyPartition:
    iri: str
    triples: int
    subjects: int
    objects: int


@dataclass(frozen=True)
class Partitions:
    """The dataset's classes and properties with their counts, in IRI order."""

    classes: tuple[ClassPartition, ...]
    properties: tuple[PropertyPartition, ...]


def _int(term: Any) -> int:
    return int(term.value)


def _iri(term: Any) -> str:
    return str(term.value)


def partitions(store: GraphStore) -> Partitions:
    """Count the class and property partitions over the union default graph."""
    classes = tuple(
        ClassPartition(_iri(row["class"]), _int(row["entities"])) for row in store.select(_CLASS_PARTITIONS)
    )
    properties = tuple(
        PropertyPartition(_iri(row["property"]), _int(row["triples"]), _int(row["subjects"]), _int(row["objects"]))
        for row in store.select(_PROPERTY_PARTITIONS)
    )
    return Partitions(classes, properties)


def partition_triples(found: Partitions, iris: Iris) -> list[Triple]:
    """``void:classPartition`` and ``void:propertyPartition`` of the dataset, with their counts."""
    v = lambda name: NamedNode(VOID + name)  # noqa: E731
    count = lambda n: Literal(str(n), datatype=_INTEGER)  # noqa: E731
    dataset = iris.dataset()
    out = []
    for cls in found.classes:
        node = iris.class_partition(cls.iri)
        out += [
            Triple(dataset, v("classPartition"), node),
            Triple(node, _A, v("Dataset")),
            Triple(node, v("class"), NamedNode(cls.iri)),
            Triple(node, v("entities"), count(cls.entities)),
        ]
    for prop in found.properties:
        node = iris.property_partition(prop.iri)
        out += [
            Triple(dataset, v("propertyPartition"), node),
            Triple(node, _A, v("Dataset")),
            Triple(node, v("property"), NamedNode(prop.iri)),
            Triple(node, v("triples"), count(prop.triples)),
            Triple(node, v("distinctSubjects"), count(prop.subjects)),
            Triple(node, v("distinctObjects"), count(prop.objects)),
        ]
    return out


def prefix_triples(iris: Iris) -> list[Triple]:
    """The predeclared prefixes as SHACL prefix declarations (no blank nodes: IRIs under the endpoint)."""
    return list(_prefix_triples(iris.base))


@functools.lru_cache(maxsize=16)  # a few base IRIs at most; the description is asked for often
def _prefix_triples(base_iri: str) -> tuple[Triple, ...]:
    iris = Iris(base_iri)
    sh = lambda name: NamedNode(SH + name)  # noqa: E731
    declarations = iris.prefix_declarations()
    out = [
        Triple(declarations, _A, NamedNode(OWL + "Ontology")),
        Triple(
            declarations,
            NamedNode(RDFS + "comment"),
            Literal(
                "The prefixes this endpoint predeclares: a query may use them without PREFIX lines "
                "(a PREFIX of its own wins). The command line `gcmkg query` predeclares the same.",
                language="en",
            ),
        ),
    ]
    for prefix, namespace in prefixes_for(iris.base).items():
        node = iris.prefix_declaration(prefix)
        out += [
            Triple(declarations, sh("declare"), node),
            Triple(node, sh("prefix"), Literal(prefix)),
            Triple(node, sh("namespace"), Literal(namespace, datatype=NamedNode(XSD + "anyURI"))),
        ]
    return tuple(out)


def example_comment(query: SavedQuery) -> str:
    """The description of a saved query as an example, with how to give its parameters."""
    comment = query.description or query.summary
    if query.params:
        names = ", ".join(
            f"?{p.name}" + (f" (default {p.default})" if p.default is not None else "") for p in query.params
        )
        comment += (
            f" Parameters {names} are bound by the saved-query API (/queries/{query.name}); in this text "
            "they are unbound unless you bind them (a VALUES block at the start of the WHERE clause)."
        )
    return comment


def example_triples(iris: Iris, saved: Iterable[SavedQuery]) -> list[Triple]:
    """Each saved query as an ``sh:SPARQLExecutable``, its text with absolute IRIs."""
    return list(_example_triples(iris.base, tuple(saved)))


@functools.lru_cache(maxsize=16)  # the saved queries are read once, at start: the same few keys
def _example_triples(base_iri: str, saved: tuple[SavedQuery, ...]) -> tuple[Triple, ...]:
    iris = Iris(base_iri)
    sh = lambda name: NamedNode(SH + name)  # noqa: E731
    document = iris.examples()
    out = [
        Triple(document, _A, NamedNode(VOID + "Dataset")),
        Triple(document, NamedNode(RDFS + "label"), Literal("SPARQL examples of the gcmkg endpoint", language="en")),
        Triple(document, NamedNode(SCHEMA + "target"), iris.endpoint()),
    ]
    for query in saved:
        node = iris.example(query.name)
        out += [
            Triple(document, NamedNode(RDFS + "member"), node),
            Triple(node, _A, sh("SPARQLExecutable")),
            Triple(node, NamedNode(RDFS + "label"), Literal(query.summary, language="en")),
            Triple(node, NamedNode(RDFS + "comment"), Literal(example_comment(query), language="en")),
            Triple(node, NamedNode(DCTERMS + "identifier"), Literal(query.name)),
            Triple(node, NamedNode(SCHEMA + "target"), iris.endpoint()),
            Triple(node, sh("prefixes"), iris.prefix_declarations()),
            Triple(node, NamedNode(RDFS + "seeAlso"), iris.saved_query(query.name)),
            *(Triple(node, NamedNode(SCHEMA + "keywords"), Literal(tag)) for tag in query.tags),
        ]
        text = Literal(query.portable_text(iris.base))
        if query.form in _FORMS:
            kind, text_property = _FORMS[query.form]
            out += [Triple(node, _A, sh(kind)), Triple(node, sh(text_property), text)]
        else:  # DESCRIBE: SHACL has no describe executable; the text is still given
            out.append(Triple(node, NamedNode(SCHEMA + "text"), text))
    return tuple(out)


def resource_labels(store: GraphStore) -> dict[str, str]:
    """One display label per labelled IRI: rdfs:label before skos:prefLabel, English or untagged
    before other languages, then the shortest (as the resource pages choose, :mod:`.describe`)."""
    best: dict[str, tuple[int, int, str]] = {}
    for row in store.select(_LABELS):
        label = row["label"]
        if not isinstance(label, Literal):
            continue
        rank = _int(row["rank"]) + (0 if (label.language or "en") == "en" else 1)
        key = (rank, len(label.value), label.value)
        iri = _iri(row["x"])
        if iri not in best or key < best[iri]:
            best[iri] = key
    return {iri: key[2] for iri, key in sorted(best.items())}


def completions(found: Partitions, labels: dict[str, str], iris: Iris, release: str) -> dict[str, Any]:
    """The editor's completion data: prefixes, classes, properties (with counts) and labelled resources."""
    return {
        "release": release,
        "prefixes": prefixes_for(iris.base),
        "classes": [{"iri": c.iri, "label": labels.get(c.iri, ""), "entities": c.entities} for c in found.classes],
        "properties": [
            {"iri": p.iri, "label": labels.get(p.iri, ""), "triples": p.triples} for p in found.properties
        ],
        "resources": [{"iri": iri, "label": label} for iri, label in labels.items()],
    }


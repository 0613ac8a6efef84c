"""What the service says about a resource, a named graph and the dataset (trusted in-process reads).

**A resource's description** (what ``/id/...`` returns as RDF) is, by convention:

1. every quad with the resource as subject (its Concise Bounded Description — the graph has no
   blank nodes, so nothing more is needed to close it);
2. every quad with the resource as object (its incoming links, e.g. ``eli:has_part`` from its
   parent, ``gcm:annotates`` from its footnotes, mentions and alignments that point at it);
3. the labels (``rdfs:label``, and ``skos:prefLabel`` with which the catalogue names instruments
   and actors) of every resource linked in 1 and 2, so that a client can show names without a
   second request.

Triple formats (Turtle, N-Triples, JSON-LD, RDF/XML) carry these statements as triples;
N-Quads and TriG also keep the named graph each one comes from.

Every read binds the resource as an RDF term (``substitutions``), never spliced into the query
text, and each function materialises its rows in the thread that ran the query (:mod:`gcmkg.store`,
hazards 3 and 5), so callers may run it from any worker thread.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Triple, serialize

from gcmkg.iris import DCTERMS, DQV, ELI, RDF, RDFS, SKOS, VOID, XSD, Iris, prefixes_for, sparql_prologue
from gcmkg.representations import DATASETS, JSON_LD, N_QUADS, TURTLE, Representation
from gcmkg.service import jsonld
from gcmkg.service.publishing import Partitions, partition_triples, partitions
from gcmkg.store import GraphStore, Term

RDFS_LABEL = NamedNode(RDFS + "label")
RDF_TYPE = NamedNode(RDF + "type")

# rdfs:label, and skos:prefLabel (the catalogue names instruments and actors that way, in several languages)
_LABELS = """
SELECT ?x ?property ?label ?g WHERE {
  GRAPH ?g { ?x ?property ?label }
  FILTER(?property = <http://www.w3.org/2000/01/rdf-schema#label> || ?property = <http://www.w3.org/2004/02/skos/core#prefLabel>)
}"""
LABEL_PROPERTIES = (RDFS + "label", SKOS + "prefLabel")
_LABEL_NODES = tuple(NamedNode(p) for p in LABEL_PROPERTIES)
_HAS_PART = NamedNode(ELI + "has_part")
_VOCABULARY_LABELS = """
SELECT ?x ?label WHERE { GRAPH <graph/ontology> { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?label } }"""


def value_of(term: Term | None) -> str:
    """The lexical value of a term (an IRI, a literal's text), "" for none."""
    if term is None:
        return ""
    return str(term) if isinstance(term, Triple) else term.value


def string_rows(store: GraphStore, query: str) -> list[dict[str, str]]:
    """A SELECT's rows with every bound term as its lexical value (for pages)."""
    return [{name: value_of(term) for name, term in row.items()} for row in store.select(query)]


def compact(iri: str, prefixes: dict[str, str]) -> str:
    """``gcm:Objective`` for a vocabulary IRI, the IRI itself when no prefix fits."""
    best = ""
    name = ""
    for prefix, namespace in prefixes.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best, name = namespace, prefix
    local = iri[len(best) :]
    if best and local and all(c.isalnum() or c in "-_." for c in local):
        return f"{name}:{local}"
    return iri


def _choose_label(chosen: dict[str, tuple[int, Literal]], iri: str, predicate: str, label: Literal) -> None:
    """Keep one label per IRI: rdfs:label before skos:prefLabel, then as :func:`_prefer` ranks."""
    rank = LABEL_PROPERTIES.index(predicate)
    current = chosen.get(iri)
    if current is None or rank < current[0]:
        chosen[iri] = (rank, label)
    elif rank == current[0]:
        chosen[iri] = (rank, _prefer(current[1], label))


def _prefer(current: Literal | None, candidate: Literal) -> Literal:
    """One display label per resource: English or untagged first, then the shortest."""

    def rank(lit: Literal) -> tuple[int, int, str]:
        lang = lit.language or ""
        return (0 if lang in ("", "en") else 1, len(lit.value), lit.value)

    return candidate if current is None or rank(candidate) < rank(current) else current


@dataclass
class Description:
    """A resource's statements, with display labels for everything they mention."""

    iri: NamedNode
    outgoing: list[Quad]
    incoming: list[Quad]
    neighbour_labels: list[Quad]
    labels: dict[str, str] = field(default_factory=dict)  # IRI -> display label
    children: list[NamedNode] = field(default_factory=list)  # eli:has_part, in gcm:order

    @property
    def exists(self) -> bool:
        return bool(self.outgoing or self.incoming)

    def quads(self) -> list[Quad]:
        """The description as quads, each in its own named graph, without repeats."""
        seen: set[Quad] = set()
        ordered = []
        for quad in [*self.outgoing, *self.incoming, *self.neighbour_labels]:
            if quad not in seen:
                seen.add(quad)
                ordered.append(quad)
        return ordered

    def triples(self) -> list[Triple]:
        seen: set[Triple] = set()
        ordered = []
        for quad in self.quads():
            triple = quad.triple
            if triple not in seen:
                seen.add(triple)
                ordered.append(triple)
        return ordered

    def values(self, predicate: str) -> list[Term]:
        return [q.object for q in self.outgoing if q.predicate.value == predicate]

    def first(self, predicate: str) -> Term | None:
        found = self.values(predicate)
        return found[0] if found else None

    def label(self) -> str:
        return self.labels.get(self.iri.value, "")


def describe(store: GraphStore, iri: NamedNode) -> Description:
    """Read the description of ``iri`` (empty lists when the graph does not have it).

    Every read is an index lookup with bound terms (no SPARQL to parse and plan per request),
    materialised here, in the thread that serves the request.
    """
    outgoing = store.match(subject=iri)
    incoming = store.match(object=iri)
    description = Description(iri, _sorted(outgoing), _sorted(incoming), [])
    if not description.exists:
        return description
    neighbours = dict.fromkeys(
        [q.object for q in outgoing if isinstance(q.object, NamedNode) and q.object != iri]
        + [q.subject for q in incoming if isinstance(q.subject, NamedNode) and q.subject != iri]
    )
    chosen: dict[str, tuple[int, Literal]] = {}
    children = dict.fromkeys(q.object for q in outgoing if q.predicate == _HAS_PART and isinstance(q.object, NamedNode))
    store.prefetch([*neighbours, *children])  # type: ignore[list-item]
    for neighbour in neighbours:
        for predicate in _LABEL_NODES:
            for quad in store.match(subject=neighbour, predicate=predicate):
                description.neighbour_labels.append(quad)
                if isinstance(quad.object, Literal):
                    _choose_label(chosen, neighbour.value, predicate.value, quad.object)
    description.neighbour_labels = _sorted(description.neighbour_labels)
    for quad in outgoing:
        if quad.predicate.value in LABEL_PROPERTIES and isinstance(quad.object, Literal):
            _choose_label(chosen, iri.value, quad.predicate.value, quad.object)
    description.labels = {key: lit.value for key, (_, lit) in chosen.items()}
    order_property = Iris(store.base_iri).term("order")

    def order(child: NamedNode) -> tuple[int, str]:
        for quad in store.match(subject=child, predicate=order_property):
            if isinstance(quad.object, Literal) and quad.object.value.isdigit():
                return int(quad.object.value), child.value
        return 1 << 30, child.value

    description.children = sorted(children, key=order)  # type: ignore[arg-type]
    return description


def _sorted(quads: list[Quad]) -> list[Quad]:
    return sorted(quads, key=lambda q: (str(q.predicate), str(q.subject), str(q.object), str(q.graph_name)))


# RDF output ------------------------------------------------------------------------------------


def rdf_bytes(quads: list[Quad], representation: Representation, base_iri: str) -> bytes:
    """Serialise statements; triple formats get triples (repeats across graphs merged).

    A dataset format (N-Quads, TriG) gets each statement in its named graph *and* the merged
    triples in the default graph: the default graph is the union of the named graphs, as on the
    SPARQL endpoint (``sd:UnionDefaultGraph``), so a client that reads the default graph only
    (Comunica, dereferencing a resource) sees the description, and one that reads graphs sees
    where each statement comes from.
    """
    rdf_format = representation.rdf
    prefixes = prefixes_for(base_iri) if rdf_format in (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.RDF_XML) else None
    # grouped by subject (stable), so that Turtle and TriG write each subject once
    order = {subject: n for n, subject in enumerate(dict.fromkeys(q.subject for q in quads))}
    quads = sorted(quads, key=lambda q: order[q.subject])
    triples = list(dict.fromkeys(quad.triple for quad in quads))  # repeats across graphs merged, order kept
    if representation in DATASETS:
        union = [Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples]
        data = serialize(union + quads, format=rdf_format, prefixes=prefixes)
    else:
        data = serialize(triples, format=rdf_format, prefixes=prefixes)
    assert data is not None
    return jsonld.compact(data, base_iri) if representation is JSON_LD else data


# the ontology ---------------------------------------------------------------------------------

_ONTOLOGY_TERMS = """
SELECT ?term ?type ?label ?comment ?definition ?super ?domain ?range ?g WHERE {
  GRAPH ?g {
    ?term a ?type .
    FILTER(?type IN (owl:Class, rdfs:Class, owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty,
                     rdf:Property, owl:NamedIndividual, skos:Concept, owl:TransitiveProperty))
    OPTIONAL { ?term rdfs:label ?label }
    OPTIONAL { ?term rdfs:comment ?comment }
    OPTIONAL { ?term skos:definition ?definition }
    OPTIONAL { ?term rdfs:subClassOf|rdfs:subPropertyOf ?super FILTER(isIRI(?super)) }
    OPTIONAL { ?term rdfs:domain ?domain FILTER(isIRI(?domain)) }
    OPTIONAL { ?term rdfs:range ?range FILTER(isIRI(?range)) }
  }
}"""


@dataclass
class OntologyTerm:
    iri: str
    kind: str  # "class" | "property" | "individual"
    types: set[str] = field(default_factory=set)
    label: str = ""
    comment: str = ""
    definition: str = ""
    supers: set[str] = field(default_factory=set)
    domains: set[str] = field(default_factory=set)
    ranges: set[str] = field(default_factory=set)

    @property
    def fragment(self) -> str:
        return self.iri.rsplit("#", 1)[-1]


def ontology_terms(store: GraphStore, iris: Iris) -> list[OntologyTerm]:
    """Classes, properties and individuals declared in the ontology graph, in name order."""
    graph = iris.graph("ontology")
    terms: dict[str, OntologyTerm] = {}
    query = sparql_prologue() + _ONTOLOGY_TERMS
    for row in store.select(query):
        if row.get("g") != graph or not isinstance(row["term"], NamedNode):
            continue
        iri = row["term"].value
        if not iri.startswith(iris.vocabulary):
            continue
        type_iri = row["type"].value  # type: ignore[union-attr]
        kind = "class" if type_iri.endswith("Class") else "property" if "Property" in type_iri else "individual"
        term = terms.setdefault(iri, OntologyTerm(iri, kind))
        if kind == "class" or (kind == "property" and term.kind == "individual"):
            term.kind = kind
        term.types.add(type_iri)
        for key in ("label", "comment", "definition"):
            value = row.get(key)
            if isinstance(value, Literal) and (value.language in (None, "en") or not getattr(term, key)):
                setattr(term, key, value.value)
        for key, target in (("super", term.supers), ("domain", term.domains), ("range", term.ranges)):
            value = row.get(key)
            if isinstance(value, NamedNode):
                target.add(value.value)
    return sorted(terms.values(), key=lambda t: (t.kind, t.fragment.lower()))


def vocabulary_labels(store: GraphStore) -> dict[str, str]:
    """Display labels of every term the ontology graph labels (classes, properties, concepts)."""
    found: dict[str, Literal] = {}
    for row in store.select(_VOCABULARY_LABELS):
        if isinstance(row["label"], Literal):
            found[row["x"].value] = _prefer(found.get(row["x"].value), row["label"])  # type: ignore[union-attr]
    return {k: v.value for k, v in found.items()}


def all_labels(store: GraphStore, iris: list[str]) -> dict[str, str]:
    """Display labels for a handful of IRIs (one query each, bound as terms)."""
    found: dict[str, tuple[int, Literal]] = {}
    for iri in dict.fromkeys(iris):
        for row in store.select(_LABELS, substitutions={"x": NamedNode(iri)}):
            if isinstance(row["label"], Literal):
                _choose_label(found, iri, row["property"].value, row["label"])  # type: ignore[union-attr]
    return {k: v.value for k, (_, v) in found.items()}


# VoID -----------------------------------------------------------------------------------------

_VOID_COUNTS = {
    "triples": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
    "distinctSubjects": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }",
    "distinctObjects": "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }",
    "properties": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }",
    "classes": "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }",
}
# ``<id/>`` is relative: it resolves against the base IRI, the start of every minted resource IRI.
_ENTITIES = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), STR(<id/>))) }"
_GRAPH_COUNTS = """
SELECT ?g (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?subjects) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"""
_NAMESPACES = "SELECT DISTINCT ?term WHERE { { ?s ?term ?o } UNION { ?s a ?term } }"
_DOCUMENTS = """
SELECT ?doc ?label WHERE {
  ?doc a <ontology#Document> OPTIONAL { ?doc <http://www.w3.org/2000/01/rdf-schema#label> ?label }
} ORDER BY ?doc"""
DUMPS = (N_QUADS, TURTLE)  # the release's whole-dataset dumps, gcmkg.nq and gcmkg.ttl (see gcmkg.build)
_GRAPH_LABELS = {
    "ontology": "The gcmkg ontology (classes and properties)",
    "catalogue": "Catalogue of instruments and actors, and the Global Compact as a work",
    "findings": "Data-quality findings about the source texts",
    "mentions": "Mentions of instruments and actors in provisions, with character offsets",
    "alignments": "Alignments between provisions of different texts",
    "quality": "Accuracy of the links, measured against hand-checked samples (W3C DQV)",
}
# The linkers' figures (graph/quality, written by gcmkg.build): one row per linker and metric
_QUALITY = """
PREFIX dqv: <http://www.w3.org/ns/dqv#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX gcm: <ontology#>
SELECT ?measurement ?metric ?linker ?name ?value ?target ?hits ?total ?meets ?sample ?entries ?note WHERE {
  GRAPH <graph/quality> {
    ?measurement a dqv:QualityMeasurement ; dqv:isMeasurementOf ?metric ; dqv:value ?value ;
      gcm:hits ?hits ; gcm:total ?total ; gcm:meetsTarget ?meets ; prov:wasDerivedFrom ?s .
    ?metric gcm:linker ?linker ; gcm:target ?target ; <http://www.w3.org/2000/01/rdf-schema#label> ?label .
    ?s dcterms:identifier ?sample ; gcm:entryCount ?entries .
    OPTIONAL { ?measurement <http://www.w3.org/2000/01/rdf-schema#comment> ?note }
    BIND(STRAFTER(STR(?label), ": ") AS ?name)
  }
} ORDER BY ?linker ?measurement"""


@dataclass
class GraphStats:
    iri: str
    name: str
    triples: int
    subjects: int
    title: str
    dump: str | None  # file name in the dumps folder, when there is one


@dataclass
class QualityRow:
    """One linker's figure on its hand-checked sample, as graph/quality holds it."""

    measurement: str
    metric: str
    linker: str
    name: str  # the metric's name, e.g. "recall:sdg"
    value: float
    target: float
    hits: int
    total: int
    meets_target: bool
    sample: str  # file name in samples/
    entries: int
    note: str


def quality_rows(store: GraphStore) -> list[QualityRow]:
    """The measurements of graph/quality, by linker (empty when the build measured nothing)."""
    rows = []
    for row in string_rows(store, _QUALITY):
        rows.append(
            QualityRow(
                measurement=row["measurement"],
                metric=row["metric"],
                linker=row["linker"],
                name=row["name"],
                value=float(row["value"]),
                target=float(row["target"]),
                hits=int(row["hits"]),
                total=int(row["total"]),
                meets_target=row["meets"] == "true",
                sample=row["sample"],
                entries=int(row["entries"]),
                note=row.get("note", ""),
            )
        )
    return rows


@dataclass
class DatasetStats:
    """Statistics of the whole store, computed once (the data only changes on rebuild)."""

    iri: str
    counts: dict[str, int]
    quads: int
    graphs: list[GraphStats]
    vocabularies: list[str]
    documents: list[tuple[str, str]]
    dumps: list[str]
    modified: str | None
    seconds: float
    triples_: list[Triple] = field(default_factory=list)
    vocabulary_labels: dict[str, str] = field(default_factory=dict)  # labels of ontology terms
    quality: list[QualityRow] = field(default_factory=list)  # the linkers' figures (graph/quality)
    partitions: Partitions = field(default_factory=lambda: Partitions((), ()))  # VoID class/property partitions

    @property
    def below_target(self) -> list[QualityRow]:
        return [q for q in self.quality if not q.meets_target]

    def graph(self, name: str) -> GraphStats | None:
        return next((g for g in self.graphs if g.name == name), None)


def _count(store: GraphStore, query: str, substitutions: dict[str, Term] | None = None) -> int:
    rows = store.select(query, substitutions=substitutions)
    return int(rows[0]["n"].value) if rows and "n" in rows[0] else 0  # type: ignore[union-attr]


def graph_title(iris: Iris, graph_iri: str, documents: list[tuple[str, str]]) -> str:
    name = iris.graph_name(graph_iri)
    if name in _GRAPH_LABELS:
        return _GRAPH_LABELS[name]
    for doc, label in documents:
        key = iris.document_key(doc)
        if key is not None and iris.text_graph(*key).value == graph_iri:
            return f"Text of {label}"
    return name


def dataset_stats(store: GraphStore, iris: Iris, dumps_dir: Path, modified: datetime | None = None) -> DatasetStats:
    """Count everything VoID reports, and build the VoID description as triples.

    ``modified``: when the release was built (its ``dcterms:modified``; recorded in the release, so
    every replica of it says the same).
    """
    started = time.perf_counter()
    counts = {key: _count(store, query) for key, query in _VOID_COUNTS.items()}
    counts["entities"] = _count(store, _ENTITIES)
    documents = [(r["doc"], r.get("label") or r["doc"]) for r in string_rows(store, _DOCUMENTS)]
    dumps = sorted(p.name for p in dumps_dir.iterdir() if p.is_file()) if dumps_dir.is_dir() else []
    graphs = []
    for row in store.select(_GRAPH_COUNTS):
        graph_iri = row["g"].value  # type: ignore[union-attr]
        name = iris.graph_name(graph_iri)
        dump = f"graph-{name}{N_QUADS.suffix}"
        graphs.append(
            GraphStats(
                iri=graph_iri,
                name=name,
                triples=int(row["n"].value),  # type: ignore[union-attr]
                subjects=int(row["subjects"].value),  # type: ignore[union-attr]
                title=graph_title(iris, graph_iri, documents),
                dump=dump if dump in dumps else None,
            )
        )
    namespaces: set[str] = set()
    for row in store.select(_NAMESPACES):
        value = row["term"].value  # type: ignore[union-attr]
        cut = max(value.rfind("#"), value.rfind("/"))
        namespaces.add(value[: cut + 1])
    stats = DatasetStats(
        iri=iris.dataset().value,
        counts=counts,
        quads=len(store),
        graphs=graphs,
        vocabularies=sorted(namespaces),
        documents=documents,
        dumps=dumps,
        modified=modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if modified else None,
        seconds=0.0,
        quality=quality_rows(store),
    )
    stats.partitions = partitions(store)
    stats.triples_ = void_triples(stats, iris) + partition_triples(stats.partitions, iris)
    stats.vocabulary_labels = vocabulary_labels(store)
    stats.seconds = time.perf_counter() - started
    return stats


def void_triples(stats: DatasetStats, iris: Iris) -> list[Triple]:
    """The VoID description of the dataset and of each named graph (a void:subset).

    The endpoint and the dumps are those of the service at the base IRI (where the graph's
    IRIs dereference).
    """
    d = NamedNode(stats.iri)
    v = lambda name: NamedNode(VOID + name)  # noqa: E731
    dc = lambda name: NamedNode(DCTERMS + name)  # noqa: E731
    integer = lambda n: Literal(str(n), datatype=NamedNode(XSD + "integer"))  # noqa: E731
    out = [
        Triple(d, RDF_TYPE, v("Dataset")),
        Triple(d, RDFS_LABEL, Literal("gcmkg: the Global Compact for Migration knowledge graph", language="en")),
        Triple(d, dc("title"), Literal("gcmkg: the Global Compact for Migration knowledge graph", language="en")),
        Triple(
            d,
            dc("description"),
            Literal(
                "The Global Compact for Safe, Orderly and Regular Migration (A/73/L.66) and related texts — its "
                "Zero Draft Plus, a Swedish translation, an IOM contribution and the Progress Declaration of the "
                "International Migration Review Forum — as one RDF graph: every paragraph, objective, commitment, "
                "action and footnote with its text and source location, one named graph per text.",
                language="en",
            ),
        ),
        Triple(d, v("sparqlEndpoint"), iris.endpoint()),
        Triple(d, v("rootResource"), iris.compact()),
        Triple(d, v("uriSpace"), Literal(iris.id_space)),
        Triple(d, v("triples"), integer(stats.counts["triples"])),
        Triple(d, v("entities"), integer(stats.counts["entities"])),
        Triple(d, v("classes"), integer(stats.counts["classes"])),
        Triple(d, v("properties"), integer(stats.counts["properties"])),
        Triple(d, v("distinctSubjects"), integer(stats.counts["distinctSubjects"])),
        Triple(d, v("distinctObjects"), integer(stats.counts["distinctObjects"])),
        *(Triple(d, v("feature"), NamedNode(dump.format_iri)) for dump in DUMPS if dump.format_iri),
        Triple(d, dc("publisher"), Literal("gcmkg")),
    ]
    if stats.modified:
        out.append(Triple(d, dc("modified"), Literal(stats.modified, datatype=NamedNode(XSD + "dateTime"))))
    for doc, _ in stats.documents:
        out.append(Triple(d, dc("source"), NamedNode(doc)))
    for row in stats.quality:
        out.append(Triple(d, NamedNode(DQV + "hasQualityMeasurement"), NamedNode(row.measurement)))
    for vocabulary in stats.vocabularies:
        out.append(Triple(d, v("vocabulary"), NamedNode(vocabulary)))
    for dump in DUMPS:
        if f"gcmkg{dump.suffix}" in stats.dumps:
            out.append(Triple(d, v("dataDump"), iris.dump(f"gcmkg{dump.suffix}")))
    for graph in stats.graphs:
        g = NamedNode(graph.iri)
        out += [
            Triple(d, v("subset"), g),
            Triple(g, RDF_TYPE, v("Dataset")),
            Triple(g, RDFS_LABEL, Literal(graph.title, language="en")),
            Triple(g, dc("title"), Literal(graph.title, language="en")),
            Triple(g, v("triples"), integer(graph.triples)),
            Triple(g, v("distinctSubjects"), integer(graph.subjects)),
            Triple(g, v("sparqlEndpoint"), iris.endpoint()),
        ]
        if graph.dump:
            out.append(Triple(g, v("dataDump"), iris.dump(graph.dump)))
    return out


class StatsCache:
    """The statistics of one served store: computed by the first request that needs them, then kept.

    The release never changes while it is served, so nothing ever invalidates them.
    """

    def __init__(self, store: GraphStore, iris: Iris, dumps_dir: Path, modified: datetime | None = None) -> None:
        self._store, self._iris, self._dumps_dir, self._modified = store, iris, dumps_dir, modified
        self._lock = threading.Lock()
        self._stats: DatasetStats | None = None

    def get(self) -> DatasetStats:
        with self._lock:
            if self._stats is None:
                self._stats = dataset_stats(self._store, self._iris, self._dumps_dir, self._modified)
            return self._stats

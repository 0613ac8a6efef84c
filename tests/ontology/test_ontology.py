"""The ontology parses, has its header, declares every gcm: term the project uses, and says what each means.

"Used" means: in the built graph (types, predicates, objects), in the shapes and checks, in
the saved queries, and in the document model's kinds and statuses.  Each declared term has
one English label and one English definition.  Alignment targets are real terms of ELI,
PROV-O, Web Annotation, SKOS, DCTERMS and FOAF (the lists below are copied from those
specifications), so a misspelt external term fails here rather than silently dangling.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode, RdfFormat, Store
from rdflib import OWL, RDF, RDFS, SKOS, Literal, URIRef
from rdflib.namespace import DCTERMS

from gcmkg.corpus import read_manifest
from gcmkg.links import CHANGE_KINDS, SHORTCUTS
from gcmkg.model import FindingKind, ProvisionKind
from gcmkg.settings import PROJECT_ROOT, Settings
from gcmkg.store import GraphStore

BASE = "http://127.0.0.1:8000/"
ONTOLOGY = PROJECT_ROOT / "ontology" / "gcm.ttl"
GCM = BASE + "ontology#"
ELI = "http://data.europa.eu/eli/ontology#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
FOAF = "http://xmlns.com/foaf/0.1/"
SKOS_NS = str(SKOS)
DCT = str(DCTERMS)

# Terms of the reused vocabularies that the ontology may align to, as their specifications
# name them (ELI ontology 1.x, PROV-O, Web Annotation Vocabulary, SKOS, DCMI terms, FOAF).
KNOWN_EXTERNAL = {
    ELI: {
        "LegalResource",
        "LegalExpression",
        "Format",
        "LegalResourceSubdivision",
        "is_part_of",
        "has_part",
        "realizes",
        "is_realized_by",
        "embodies",
        "is_embodied_by",
        "title",
        "date_document",
        "id_local",
        "number",
        "cites",
        "format",
    },
    PROV: {"Entity", "Agent", "Activity", "wasDerivedFrom", "wasRevisionOf", "wasQuotedFrom"},
    OA: {"Annotation", "hasBody", "hasTarget", "exact", "start", "end", "TextPositionSelector", "TextQuoteSelector"},
    SKOS_NS: {
        "Concept",
        "ConceptScheme",
        "inScheme",
        "topConceptOf",
        "hasTopConcept",
        "prefLabel",
        "altLabel",
        "definition",
        "notation",
        "broader",
        "narrower",
    },
    DCT: {
        "title",
        "description",
        "license",
        "created",
        "isPartOf",
        "isVersionOf",
        "relation",
        "references",
        "language",
        "identifier",
    },
    FOAF: {"page", "Agent", "Organization", "Group"},
}


def value(term: object) -> str:
    """The lexical value of an IRI or literal from a query row."""
    assert isinstance(term, (NamedNode, OxLiteral)), term
    return term.value


def parse(base: str = BASE) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(ONTOLOGY, format="turtle", publicID=base)
    return graph


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return parse()


def local(term: rdflib.term.Node) -> str:
    return str(term)[len(GCM) :]


def declared(ontology: rdflib.Graph) -> set[str]:
    """Local names of every gcm: resource the ontology describes."""
    return {local(s) for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(GCM)}


# ------------------------------------------------------------------------------------------
# Parsing and header
# ------------------------------------------------------------------------------------------


def test_parses_with_rdflib_and_pyoxigraph_alike(ontology: rdflib.Graph) -> None:
    store = Store()
    store.load(path=str(ONTOLOGY), format=RdfFormat.TURTLE, base_iri=BASE, to_graph=NamedNode(BASE + "graph/ontology"))
    assert len(store) == len(ontology) > 500


def test_vocabulary_follows_the_base_iri() -> None:
    """Relative IRIs: the same file gives the vocabulary under any base."""
    other = parse("https://gcm.example.org/kg/")
    assert (URIRef("https://gcm.example.org/kg/ontology#Objective"), RDF.type, OWL.Class) in other
    assert not any(str(s).startswith(BASE) for s in other.subjects())


def test_header(ontology: rdflib.Graph) -> None:
    header = URIRef(BASE + "ontology")
    assert (header, RDF.type, OWL.Ontology) in ontology
    assert list(ontology.subjects(RDF.type, OWL.Ontology)) == [header]
    version = ontology.value(header, OWL.versionIRI)
    assert version is not None and re.fullmatch(re.escape(BASE) + r"ontology/\d+\.\d+\.\d+", str(version))
    assert str(version).rsplit("/", 1)[1] == str(ontology.value(header, OWL.versionInfo))
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.license):
        literal = ontology.value(header, predicate)
        assert isinstance(literal, Literal) and literal.language == "en" and len(literal) > 10, predicate
    created = ontology.value(header, DCTERMS.created)
    assert isinstance(created, Literal) and created.datatype == rdflib.XSD.date


# ------------------------------------------------------------------------------------------
# Every term has one English label and one English definition
# ------------------------------------------------------------------------------------------


def test_every_term_has_a_label_and_a_definition(ontology: rdflib.Graph) -> None:
    missing = []
    for name in sorted(declared(ontology)):
        term = URIRef(GCM + name)
        for predicate in (RDFS.label, SKOS.definition):
            values = list(ontology.objects(term, predicate))
            english = [v for v in values if isinstance(v, Literal) and v.language == "en"]
            if len(english) != 1 or not str(english[0]).strip():
                missing.append(f"{name} {predicate.n3(ontology.namespace_manager)}")
    assert missing == []


def test_labels_are_kept_apart_by_language(ontology: rdflib.Graph) -> None:
    """At most one label per term and language, and every label has a language."""
    for name in declared(ontology):
        labels = list(ontology.objects(URIRef(GCM + name), RDFS.label))
        languages = [label.language for label in labels if isinstance(label, Literal)]
        assert None not in languages, name
        assert len(languages) == len(set(languages)), name


def test_every_term_is_typed(ontology: rdflib.Graph) -> None:
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.Concept, SKOS.ConceptScheme}
    untyped = [name for name in declared(ontology) if not set(ontology.objects(URIRef(GCM + name), RDF.type)) & kinds]
    assert untyped == []


def test_internal_references_are_declared(ontology: rdflib.Graph) -> None:
    """Superclasses, domains, ranges, inverses and schemes named in gcm: are themselves declared."""
    names = declared(ontology)
    predicates = (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf, SKOS.inScheme)
    dangling = {
        local(o)
        for predicate in predicates
        for o in ontology.objects(None, predicate)
        if str(o).startswith(GCM) and local(o) not in names
    }
    assert dangling == set()


def test_alignment_targets_are_real_external_terms(ontology: rdflib.Graph) -> None:
    unknown = set()
    for predicate in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, RDFS.seeAlso):
        for o in ontology.objects(None, predicate):
            for namespace, terms in KNOWN_EXTERNAL.items():
                if str(o).startswith(namespace) and str(o)[len(namespace) :] not in terms:
                    unknown.add(str(o))
    assert unknown == set()


def test_alignments_the_design_asks_for(ontology: rdflib.Graph) -> None:
    expected = {
        ("Work", RDFS.subClassOf, ELI + "LegalResource"),
        ("Document", RDFS.subClassOf, ELI + "LegalExpression"),
        ("Document", RDFS.subClassOf, PROV + "Entity"),
        ("Provision", RDFS.subClassOf, ELI + "LegalResourceSubdivision"),
        ("Provision", RDFS.subClassOf, PROV + "Entity"),
        ("cites", RDFS.subPropertyOf, ELI + "cites"),
        ("numberLabel", RDFS.subPropertyOf, ELI + "number"),  # the designation; gcm:number is typed
        ("Mention", RDFS.subClassOf, OA + "Annotation"),
        ("mentionOf", RDFS.subPropertyOf, OA + "hasBody"),
        ("mentionIn", RDFS.subPropertyOf, OA + "hasTarget"),
        ("documentPage", RDFS.subPropertyOf, FOAF + "page"),
        ("SDGTarget", RDFS.subClassOf, SKOS_NS + "Concept"),
    }
    missing = {(s, p, o) for s, p, o in expected if (URIRef(GCM + s), p, URIRef(o)) not in ontology}
    assert missing == set()


# ------------------------------------------------------------------------------------------
# The model, the shapes, the checks and the queries use only declared terms
# ------------------------------------------------------------------------------------------


def subclasses(ontology: rdflib.Graph, parent: str) -> set[str]:
    found = ontology.transitive_subjects(RDFS.subClassOf, URIRef(GCM + parent))
    return {local(s) for s in found if s is not None} - {parent}


def test_provision_kinds_are_the_provision_classes(ontology: rdflib.Graph) -> None:
    assert {kind.value for kind in ProvisionKind} == subclasses(ontology, "Provision")


def test_finding_kinds_are_the_finding_classes(ontology: rdflib.Graph) -> None:
    assert {kind.value for kind in FindingKind} == subclasses(ontology, "Finding")


def test_alignment_kinds_and_change_kinds(ontology: rdflib.Graph) -> None:
    assert set(SHORTCUTS) == subclasses(ontology, "Alignment")
    names = declared(ontology)
    assert set(SHORTCUTS.values()) <= names
    scheme = URIRef(GCM + "ChangeKindScheme")
    assert {local(c) for c in ontology.subjects(SKOS.inScheme, scheme)} == {f"change-{k}" for k in CHANGE_KINDS}


def test_every_manifest_status_is_a_status_concept(ontology: rdflib.Graph) -> None:
    scheme = URIRef(GCM + "DocumentStatusScheme")
    concepts = {local(c) for c in ontology.subjects(SKOS.inScheme, scheme)}
    statuses = {document.status for entry in read_manifest(PROJECT_ROOT / "corpus") for document in entry.documents}
    assert {f"status-{s}" for s in statuses} <= concepts
    assert "status-letter" in concepts  # cover letters are documents of their own (model.Document.status)


GCM_TERM = re.compile(r"\bgcm:([A-Za-z][A-Za-z0-9_-]*[A-Za-z0-9])")


def project_files() -> list[Path]:
    roots = [PROJECT_ROOT / "shapes", PROJECT_ROOT / "queries"]
    return sorted(p for root in roots if root.is_dir() for p in root.rglob("*") if p.suffix in (".ttl", ".rq"))


@pytest.mark.parametrize("path", project_files(), ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_shapes_checks_and_queries_use_declared_terms(path: Path, ontology: rdflib.Graph) -> None:
    text = "\n".join(
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")
    )
    used = set(GCM_TERM.findall(text))
    # placeholders a saved query documents as parameters are not terms
    assert used - declared(ontology) == set()


def test_the_built_graph_uses_declared_terms(store: GraphStore, ontology: rdflib.Graph) -> None:
    rows = store.select(
        """
        SELECT DISTINCT ?term WHERE {
          { ?s ?term ?o } UNION { ?s a ?term } UNION { ?s ?p ?term }
          FILTER (isIRI(?term) && STRSTARTS(STR(?term), STR(<ontology#>)))
        }
        """
    )
    used = {str(value(row["term"]))[len(GCM) :] for row in rows}
    assert used, "the built graph uses no gcm: term"
    assert used - declared(ontology) == set()


def test_the_built_graph_holds_the_ontology(store: GraphStore, built: Settings) -> None:
    rows = store.select(
        "PREFIX owl: <http://www.w3.org/2002/07/owl#> SELECT ?version WHERE { GRAPH <graph/ontology> { <ontology> owl:versionIRI ?version } }"
    )
    assert [str(value(r["version"])) for r in rows] == [
        str(parse(built.base_iri).value(URIRef(built.base_iri + "ontology"), OWL.versionIRI))
    ]


def _violating(store: GraphStore, query: str) -> list[str]:
    rows = store.select(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> PREFIX gcm: <ontology#> " + query
    )
    return sorted(f"{value(r['p'])} {value(r['c'])}: {value(r['n'])} e.g. {r['e']}" for r in rows)


def test_domains_hold_in_the_built_graph(store: GraphStore) -> None:
    """A domain the data does not meet would make a reasoner infer wrong types."""
    assert (
        _violating(
            store,
            """SELECT ?p ?c (COUNT(DISTINCT ?x) AS ?n) (SAMPLE(?x) AS ?e) WHERE {
                 ?p rdfs:domain ?c . FILTER (STRSTARTS(STR(?p), STR(gcm:)))
                 ?x ?p ?o . FILTER NOT EXISTS { ?x a ?t . ?t rdfs:subClassOf* ?c }
               } GROUP BY ?p ?c""",
        )
        == []
    )


def test_ranges_hold_in_the_built_graph(store: GraphStore) -> None:
    assert (
        _violating(
            store,
            """SELECT ?p ?c (COUNT(DISTINCT ?x) AS ?n) (SAMPLE(?x) AS ?e) WHERE {
                 ?p rdfs:range ?c . FILTER (STRSTARTS(STR(?p), STR(gcm:)))
                 ?s ?p ?x .
                 FILTER (IF(isLiteral(?x), DATATYPE(?x) != ?c,
                            NOT EXISTS { ?x a ?t . ?t rdfs:subClassOf* ?c }))
               } GROUP BY ?p ?c""",
        )
        == []
    )

"""The store facade: in memory and on disk, read-only, the union default graph, bound terms, lookups."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, QueryBoolean, QuerySolutions, QueryTriples, RdfFormat

from gcmkg.errors import NoStoreError
from gcmkg.store import GraphStore

BASE = "http://example.org/"
P = NamedNode(BASE + "ontology#p")
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
G1, G2 = NamedNode(BASE + "graph/one"), NamedNode(BASE + "graph/two")
A, B = NamedNode(BASE + "id/a"), NamedNode(BASE + "id/b")
QUADS = [
    Quad(A, P, B, G1),
    Quad(A, LABEL, Literal("a", language="en"), G1),
    Quad(B, LABEL, Literal("b"), G2),
    Quad(B, P, Literal("2"), G2),
]


@pytest.fixture
def memory() -> GraphStore:
    store = GraphStore.in_memory(BASE)
    store.add(QUADS)
    return store


@pytest.fixture
def on_disk(tmp_path: Path) -> Path:
    store = GraphStore.create(tmp_path / "store", BASE)
    store.add(QUADS)
    store.flush()
    del store  # pyoxigraph releases the folder's lock when the store is gone
    return tmp_path / "store"


def test_in_memory_holds_what_was_added(memory: GraphStore) -> None:
    assert len(memory) == 4
    assert memory.path is None and memory.base_iri == BASE
    assert memory.named_graphs() == [G1, G2]  # sorted by IRI
    assert sorted(memory.quads(G2), key=str) == sorted(QUADS[2:], key=str)
    assert len(memory.quads()) == 4


def test_on_disk_reopens_read_only(on_disk: Path) -> None:
    store = GraphStore.open_read_only(on_disk, BASE)
    assert len(store) == 4 and store.path == on_disk
    assert set(store.quads()) == set(QUADS)


def test_read_only_refuses_writes(on_disk: Path, tmp_path: Path) -> None:
    store = GraphStore.open_read_only(on_disk, BASE)
    with pytest.raises(RuntimeError, match="read-write"):
        store.add([Quad(B, P, A, G1)])
    turtle = tmp_path / "more.ttl"
    turtle.write_text("<id/c> <ontology#p> <id/a> .\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="read-write"):
        store.load(turtle, graph=G1)
    assert len(store) == 4


def test_no_store_is_the_projects_own_error(tmp_path: Path) -> None:
    with pytest.raises(NoStoreError, match="no built store here; run `make build`"):
        GraphStore.open_read_only(tmp_path / "missing", BASE)
    assert NoStoreError.exit_code == 3


def test_create_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "something").write_text("x")
    with pytest.raises(FileExistsError, match="not empty"):
        GraphStore.create(tmp_path / "store", BASE)


def test_load_resolves_relative_iris_against_the_base(tmp_path: Path) -> None:
    turtle = tmp_path / "data.ttl"
    turtle.write_text("PREFIX gcm: <ontology#>\n<id/c> gcm:p <id/a> .\n", encoding="utf-8")
    store = GraphStore.in_memory(BASE)
    store.load(turtle, graph=G1, rdf_format=RdfFormat.TURTLE)
    assert store.quads() == [Quad(NamedNode(BASE + "id/c"), P, A, G1)]


def test_the_default_graph_is_the_union(memory: GraphStore) -> None:
    assert memory.select("SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?s") == [
        {"s": A},
        {"s": B},
    ]
    # a chosen default graph, or none for a query with its own FROM
    one = memory.query("SELECT ?s WHERE { ?s ?p ?o }", default_graph=[G2])
    assert isinstance(one, QuerySolutions) and {row["s"] for row in one} == {B}
    own = memory.query("SELECT ?s WHERE { ?s ?p ?o }", union_default_graph=False)
    assert isinstance(own, QuerySolutions) and list(own) == []  # the store's own default graph is empty
    named = memory.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", default_graph=[], named_graphs=[G1])
    assert isinstance(named, QuerySolutions) and {row["g"] for row in named} == {G1}


def test_relative_iris_in_queries_resolve_against_the_base(memory: GraphStore) -> None:
    assert memory.select("PREFIX gcm: <ontology#> SELECT ?o WHERE { <id/a> gcm:p ?o }") == [{"o": B}]


def test_substitutions_bind_terms(memory: GraphStore) -> None:
    query = "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    assert memory.select(query, substitutions={"s": B}) == [{"s": B, "l": Literal("b")}]
    assert memory.select(query, substitutions={"l": Literal('b" } ; DROP ALL ; { "')}) == []
    assert len(memory) == 4


def test_select_leaves_unbound_variables_out(memory: GraphStore) -> None:
    rows = memory.select(
        "SELECT ?s ?n WHERE { ?s ?p ?o OPTIONAL { ?s <ontology#p> ?n FILTER(isLiteral(?n)) } } ORDER BY ?s LIMIT 1"
    )
    assert rows == [{"s": A}]


def test_select_needs_a_select_query(memory: GraphStore) -> None:
    with pytest.raises(TypeError, match="SELECT"):
        memory.select("ASK { ?s ?p ?o }")
    assert memory.query("ASK { <id/a> ?p ?o }") and not memory.query("ASK { <id/z> ?p ?o }")
    assert isinstance(memory.query("ASK {}"), QueryBoolean)
    assert isinstance(memory.query("CONSTRUCT WHERE { ?s ?p ?o }"), QueryTriples)


def test_match_is_a_lookup_in_the_named_graphs(memory: GraphStore) -> None:
    assert sorted(memory.match(subject=A), key=str) == sorted(QUADS[:2], key=str)
    assert memory.match(object=B) == [QUADS[0]]
    assert memory.match(subject=B, predicate=LABEL) == [QUADS[2]]
    assert memory.match(predicate=LABEL, graph=G2) == [QUADS[2]]
    assert memory.match(subject=NamedNode(BASE + "id/z")) == []
    memory.add([Quad(A, P, Literal("in the default graph"), DefaultGraph())])
    assert all(isinstance(q.graph_name, NamedNode) for q in memory.match(subject=A))


def test_serialize_the_union_as_turtle(memory: GraphStore) -> None:
    union = GraphStore.in_memory(BASE)
    union.add(Quad(q.subject, q.predicate, q.object, DefaultGraph()) for q in memory.quads())
    data = union.serialize(RdfFormat.TURTLE, graph=DefaultGraph(), prefixes={"gcm": BASE + "ontology#"}).decode()
    assert data.startswith("@prefix gcm: <http://example.org/ontology#> .")
    assert "gcm:p" in data and '"a"@en' in data
    per_graph = memory.serialize(RdfFormat.N_QUADS, graph=G1).decode()
    assert per_graph.count("\n") == 2

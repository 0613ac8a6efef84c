"""The dumps of :mod:`gcmkg.dumps` are what the build wrote before it wrote them once, from files.

The N-Quads dumps are the sorted ``str`` lines of the store's quads; the Turtle dump is
pyoxigraph's serialisation of an in-memory union of the named graphs, filled in the on-disk
store's order; and a triple in several graphs is written once, where that union puts it.
"""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat

from gcmkg import dumps
from gcmkg.store import GraphStore

BASE = "http://example.org/"


def _quads() -> list[Quad]:
    g1, g2, g3 = (NamedNode(f"{BASE}graph/{name}") for name in ("one", "two", "three"))
    p, q = NamedNode(f"{BASE}ontology#p"), NamedNode(f"{BASE}ontology#q")
    quads = []
    for n in range(40):
        s = NamedNode(f"{BASE}id/s{n}")
        quads += [
            Quad(s, p, Literal(f"text {n} é", language="fr"), g1),
            Quad(s, q, NamedNode(f"{BASE}id/o{n % 7}"), g2),
        ]
        quads.append(Quad(s, p, Literal(str(n), datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer")), g3))
    # the same triples in two and in three graphs
    quads += [Quad(NamedNode(f"{BASE}id/s3"), q, NamedNode(f"{BASE}id/o3"), g) for g in (g1, g3)]
    quads += [Quad(NamedNode(f"{BASE}id/s5"), p, Literal("text 5 é", language="fr"), g) for g in (g2, g3)]
    return quads


def _on_disk(tmp_path: Path) -> GraphStore:
    store = GraphStore.create(tmp_path / "store", BASE)
    store.add(_quads())
    return store


def test_the_dumps_are_the_sorted_lines_and_the_union_the_build_wrote_before(tmp_path: Path) -> None:
    store = _on_disk(tmp_path)
    folder = tmp_path / "dumps"
    counts = dumps.write_graph_dumps(store, folder, store.named_graphs())
    files = [folder / dumps.graph_file(graph) for graph in store.named_graphs()]
    repeated = dumps.write_merged(files, folder / dumps.MERGED)

    every = store.quads()
    assert (folder / dumps.MERGED).read_text(encoding="utf-8") == "".join(sorted(f"{q} .\n" for q in every))
    for graph in store.named_graphs():
        expected = sorted(f"{q} .\n" for q in every if q.graph_name == graph)
        assert (folder / dumps.graph_file(graph)).read_text(encoding="utf-8") == "".join(expected)
        assert counts[graph.value] == len(expected)
    assert dumps.file_digest(files) == dumps.digest([dumps.sorted_graph_lines(store, g) for g in store.named_graphs()])

    s3, s5 = f"<{BASE}id/s3> <{BASE}ontology#q> <{BASE}id/o3>", f'<{BASE}id/s5> <{BASE}ontology#p> "text 5 é"@fr'
    assert repeated == {
        s3: {f"{BASE}graph/one", f"{BASE}graph/two", f"{BASE}graph/three"},
        s5: {f"{BASE}graph/one", f"{BASE}graph/two", f"{BASE}graph/three"},
    }

    dumps.write_turtle(store, folder / dumps.UNION, repeated)
    union = GraphStore.in_memory(BASE)  # how the build made gcmkg.ttl before
    union.add(Quad(q.subject, q.predicate, q.object) for q in every)
    before = union.serialize(RdfFormat.TURTLE, graph=DefaultGraph(), prefixes=dumps.turtle_prefixes(BASE))
    assert (folder / dumps.UNION).read_bytes() == before
    # read backwards 64 bytes at a time (less than a line): the same union
    dumps.write_turtle(store, tmp_path / "small-blocks.ttl", repeated, block=64)
    assert (tmp_path / "small-blocks.ttl").read_bytes() == before


def test_the_store_writer_loads_the_merged_dump_and_writes_the_same_turtle(tmp_path: Path) -> None:
    source = _on_disk(tmp_path)
    folder = tmp_path / "dumps"
    dumps.write_graph_dumps(source, folder, source.named_graphs())
    files = [folder / dumps.graph_file(graph) for graph in source.named_graphs()]
    repeated = dumps.write_merged(files, folder / dumps.MERGED)
    dumps.write_turtle(source, tmp_path / "expected.ttl", repeated)

    writer = dumps.start_store_writer(folder / dumps.MERGED, tmp_path / "written", BASE, folder / dumps.UNION, repeated)
    assert writer.wait() == 0
    written = GraphStore.open_read_only(tmp_path / "written", BASE)
    assert sorted(map(str, written.quads())) == sorted(map(str, source.quads()))
    assert (folder / dumps.UNION).read_bytes() == (tmp_path / "expected.ttl").read_bytes()


def test_lines_backwards_gives_every_line_last_first_whatever_the_block(tmp_path: Path) -> None:
    lines = [f"line {n} {'x' * (n * 7 % 50)}\n".encode() for n in range(60)]
    path = tmp_path / "lines.txt"
    path.write_bytes(b"".join(lines))
    size = path.stat().st_size
    for block in (1, 10, 64, 1000, size):
        blocks = list(dumps.lines_backwards(path, block))
        assert [line for each in blocks for line in each] == lines[::-1]
        assert len(blocks) == 1 if block == size else len(blocks) > 1


def test_a_store_loaded_in_slices_holds_every_quad_once(tmp_path: Path) -> None:
    source = _on_disk(tmp_path)
    folder = tmp_path / "dumps"
    dumps.write_graph_dumps(source, folder, source.named_graphs())
    dumps.write_merged([folder / dumps.graph_file(g) for g in source.named_graphs()], folder / dumps.MERGED)
    size = (folder / dumps.MERGED).stat().st_size
    for slice_bytes in (1, 500, size - 1, size, 10 * size):  # a line each, several lines, the last cut, all
        store = GraphStore.create(tmp_path / f"sliced-{slice_bytes}", BASE)
        dumps.bulk_load_in_slices(store, folder / dumps.MERGED, slice_bytes)
        assert sorted(map(str, store.quads())) == sorted(map(str, source.quads()))

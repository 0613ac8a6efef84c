"""The release's dumps, written once: N-Quads per named graph, all graphs merged, the union as Turtle.

* ``graph-<name>.nq``: one named graph, its N-Quads lines sorted (:func:`write_graph_dumps`);
* ``gcmkg.nq``: every named graph, the merge of those sorted files (:func:`write_merged`), so
  no second sort and no list of every quad of the dataset in memory;
* ``gcmkg.ttl``: the union of the named graphs as one graph (:func:`write_turtle`).

Lines are sorted as bytes; UTF-8 orders like the code points of the text, so the order is that of
the sorted ``str`` lines the build wrote before.  The same graph gives byte-identical dumps.

Memory holds one named graph's lines at a time; the merges stream the files.  The digest of the
release (:func:`digest`) is the SHA-256 of the merged lines, read from the same files.

The Turtle dump keeps the order the build always gave it: it was pyoxigraph's serialisation
of an in-memory store filled with the on-disk store's quads (named graph by named graph, in the
store's order) as triples, and such a store gives its triples back in the reverse of the order they
were first added (measured with pyoxigraph 0.5.13; ``tests/test_dumps.py`` compares the two).  So
:func:`write_turtle` walks the graphs of the on-disk store backwards and each graph's quads
backwards, and writes a triple that stands in several graphs once, where the store's first graph
holding it puts it.  A triple in several graphs sorts into adjacent lines of ``gcmkg.nq`` (after
the object comes ``" <"``, and no other character of an N-Quads line sorts before a space), so
:func:`write_merged` finds them without a set of every triple.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Triple, serialize

from gcmkg.iris import PREFIXES
from gcmkg.store import GraphStore

MERGED = "gcmkg.nq"
UNION = "gcmkg.ttl"

# A triple that stands in several named graphs: its N-Triples text (``"<s> <p> <o>"``) → those graphs' IRIs.
Repeated = dict[str, set[str]]


def graph_file(graph: NamedNode) -> str:
    """The dump file of one named graph: ``graph-{last path segment}.nq``."""
    return f"graph-{graph.value.rsplit('/', 1)[-1]}.nq"


def sorted_graph_lines(store: GraphStore, graph: NamedNode) -> list[bytes]:
    """One named graph as N-Quads lines, sorted: pyoxigraph's N-Triples with the graph name added."""
    suffix = f" <{graph.value}> .\n".encode()
    triples = store.serialize(RdfFormat.N_TRIPLES, graph=graph).splitlines()
    # each line is "<s> <p> <o> ."; dropping " ." and adding " <g> .\n" gives its N-Quads line
    return sorted(line[:-2] + suffix for line in triples)


def write_graph_dumps(store: GraphStore, folder: Path, graphs: Iterable[NamedNode]) -> dict[str, int]:
    """``graph-<name>.nq`` for each of ``graphs``, its lines sorted; quads per graph IRI."""
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for graph in graphs:
        lines = sorted_graph_lines(store, graph)
        counts[graph.value] = len(lines)
        with (folder / graph_file(graph)).open("wb") as out:
            out.writelines(lines)
    return counts


def merged_lines(files: Iterable[Path]) -> Iterator[bytes]:
    """The lines of several sorted files as one sorted stream (the files are read as it goes)."""
    with ExitStack() as stack:
        yield from heapq.merge(*(stack.enter_context(path.open("rb")) for path in files))


def digest(runs: Iterable[Iterable[bytes]]) -> str:
    """SHA-256 (16 hex digits) of the merge of sorted runs of lines: the digest of the release."""
    sha = hashlib.sha256()
    for line in heapq.merge(*runs):
        sha.update(line)
    return sha.hexdigest()[:16]


def file_digest(files: Iterable[Path]) -> str:
    """:func:`digest` of sorted dump files."""
    with ExitStack() as stack:
        return digest([stack.enter_context(path.open("rb")) for path in files])


def _triple_and_graph(line: bytes) -> tuple[bytes, bytes]:
    # "<s> <p> <o> <g> .\n": the graph is the last IRI; an IRI holds no space, so split there
    triple, graph = line[:-3].rsplit(b" ", 1)
    return triple, graph


def write_merged(files: Iterable[Path], target: Path) -> Repeated:
    """``target``: the merge of the sorted graph dumps ``files``; returns the triples found in several graphs."""
    repeated: Repeated = defaultdict(set)
    previous, previous_graph = b"", b""
    with target.open("wb") as out:
        for line in merged_lines(files):
            out.write(line)
            triple, graph = _triple_and_graph(line)
            if triple == previous:
                repeated[triple.decode()] |= {previous_graph.decode()[1:-1], graph.decode()[1:-1]}
            previous, previous_graph = triple, graph
    return dict(repeated)


def turtle_prefixes(base_iri: str) -> dict[str, str]:
    """The prefixes of ``gcmkg.ttl``: the project's, relative namespaces resolved against the base IRI."""
    return {p: (ns if ns.startswith("http") else base_iri + ns) for p, ns in PREFIXES.items()}


def union_triples(store: GraphStore, repeated: Repeated) -> Iterator[Triple]:
    """The union of the store's named graphs, in the order the Turtle dump has (module docstring)."""
    graphs = store.named_graphs(store_order=True)
    rank = {graph.value: number for number, graph in enumerate(graphs)}
    first = {triple: min(holders, key=rank.__getitem__) for triple, holders in repeated.items()}
    for graph in reversed(graphs):
        for quad in reversed(store.quads(graph)):
            if first and first.get(f"{quad.subject} {quad.predicate} {quad.object}", graph.value) != graph.value:
                continue  # written where the first graph holding it puts it
            yield Triple(quad.subject, quad.predicate, quad.object)


def write_turtle(store: GraphStore, target: Path, repeated: Repeated) -> None:
    """``gcmkg.ttl``: the union of the named graphs of ``store`` (an on-disk store), streamed to ``target``."""
    serialize(union_triples(store, repeated), target, RdfFormat.TURTLE, prefixes=turtle_prefixes(store.base_iri))


def write_store(nquads: Path, store_dir: Path, base_iri: str, turtle: Path, repeated: Repeated) -> None:
    """The release's on-disk store, bulk-loaded from its ``gcmkg.nq``, then ``gcmkg.ttl`` in that store's order."""
    store = GraphStore.create(store_dir, base_iri)
    store.bulk_load(nquads, RdfFormat.N_QUADS)
    store.flush()
    write_turtle(store, turtle, repeated)


def start_store_writer(
    nquads: Path, store_dir: Path, base_iri: str, turtle: Path, repeated: Repeated
) -> subprocess.Popen[bytes]:
    """:func:`write_store` in a process of its own (``python -m gcmkg.dumps``), started and not waited for.

    The build validates and indexes the same quads in memory meanwhile, on the other core.  A
    fresh interpreter, not a fork of the build: it needs none of the build's heap, and it imports
    nothing of the caller's main module.  The triples in several graphs come on its standard input.
    """
    argv = [sys.executable, "-m", "gcmkg.dumps", str(nquads), str(store_dir), base_iri, str(turtle)]
    process = subprocess.Popen(argv, stdin=subprocess.PIPE)
    assert process.stdin is not None
    with process.stdin:
        process.stdin.write(json.dumps({triple: sorted(graphs) for triple, graphs in repeated.items()}).encode())
    return process


if __name__ == "__main__":
    nquads, store_dir, base_iri, turtle = sys.argv[1:]
    repeated = {triple: set(graphs) for triple, graphs in json.load(sys.stdin).items()}
    write_store(Path(nquads), Path(store_dir), base_iri, Path(turtle), repeated)

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
:func:`write_turtle` walks the on-disk store's N-Quads dump (graph by graph in the store's order)
backwards, line by line, and writes a triple that stands in several graphs once, where the store's
first graph holding it puts it.  A triple in several graphs sorts into adjacent lines of
``gcmkg.nq`` (after the object comes ``" <"``, and no other character of an N-Quads line sorts
before a space), so :func:`write_merged` finds them without a set of every triple.

The store writer (:func:`write_store`) holds no more for a bigger corpus once ``gcmkg.nq`` is over
one slice: it bulk-loads ``gcmkg.nq`` in slices of :data:`LOAD_SLICE` bytes, since pyoxigraph's
loader holds what one call loads (measured at 16×, 617,000 quads: 605 MiB in one call, 178 MiB in
slices of 32 MiB, the same CPU time within the noise), and it reads the store's dump backwards
:data:`TURTLE_BLOCK` bytes at a time, instead of a list of each graph's quads (the mentions graph
grows with the corpus).
"""

from __future__ import annotations

import hashlib
import heapq
import io
import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, BinaryIO

from pyoxigraph import NamedNode, Quad, RdfFormat, parse, serialize

from gcmkg.iris import PREFIXES
from gcmkg.store import GraphStore

MERGED = "gcmkg.nq"
UNION = "gcmkg.ttl"
# Bytes of N-Quads per bulk load (about 135,000 quads of this graph): the real corpus's
# gcmkg.nq (9 MB) is one slice, as it always was; a bigger one is loaded in several.
LOAD_SLICE = 32 * 2**20
# Bytes of the store's dump read at a time, backwards, for the Turtle dump.
TURTLE_BLOCK = 4 * 2**20

# A triple that stands in several named graphs: its N-Triples text (``"<s> <p> <o>"``) → those graphs' IRIs.
Repeated = dict[str, set[str]]


def graph_file(graph: NamedNode) -> str:
    """The dump file of one named graph: ``graph-{last path segment}.nq``."""
    return f"graph-{graph.value.rsplit('/', 1)[-1]}.nq"


def sorted_graph_lines(store: GraphStore, graph: NamedNode) -> list[bytes]:
    """One named graph as N-Quads lines, sorted: pyoxigraph's N-Triples with the graph name added."""
    suffix = f" <{graph.value}> .\n".encode()
    lines = store.serialize(RdfFormat.N_TRIPLES, graph=graph).splitlines()
    # each line is "<s> <p> <o> ."; dropping " ." and adding " <g> .\n" gives its N-Quads line;
    # in place, so that memory holds one list of the graph's lines, not two (the alignments graph
    # grows with the corpus: about 820,000 lines at 64×)
    for number, line in enumerate(lines):
        lines[number] = line[:-2] + suffix
    lines.sort()
    return lines


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


def lines_backwards(path: Path, block: int = TURTLE_BLOCK) -> Iterator[list[bytes]]:
    """The lines of ``path``, last first, in lists of about ``block`` bytes (a line longer than that is one list)."""
    with path.open("rb") as source:
        end = source.seek(0, os.SEEK_END)
        tail = b""  # the end of a line whose start is in the bytes before
        while end > 0:
            start = max(0, end - block)
            source.seek(start)
            chunk = source.read(end - start) + tail
            end = start
            if start > 0:
                cut = chunk.find(b"\n") + 1
                if cut == 0:
                    tail = chunk
                    continue
                tail, chunk = chunk[:cut], chunk[cut:]
            lines = chunk.splitlines(keepends=True)
            lines.reverse()
            yield lines


def union_triples(
    nquads: Path, graphs: list[NamedNode], repeated: Repeated, block: int = TURTLE_BLOCK
) -> Iterator[Quad]:
    """The union of the named graphs of a store's N-Quads dump ``nquads``, in the order of ``gcmkg.ttl``.

    ``graphs`` are the store's named graphs in its order (module docstring); the triples come
    as quads of the default graph, parsed ``block`` bytes of the dump at a time.
    """
    rank = {graph.value: number for number, graph in enumerate(graphs)}
    first = {t.encode(): f"<{min(holders, key=rank.__getitem__)}>".encode() for t, holders in repeated.items()}
    for lines in lines_backwards(nquads, block):
        triples = []
        for line in lines:
            triple, graph = _triple_and_graph(line)
            if first and first.get(triple, graph) != graph:
                continue  # written where the first graph holding it puts it
            triples.append(triple + b" .\n")
        yield from parse(b"".join(triples), RdfFormat.N_TRIPLES)


def write_turtle(store: GraphStore, target: Path, repeated: Repeated, block: int = TURTLE_BLOCK) -> None:
    """``gcmkg.ttl``: the union of the named graphs of ``store`` (an on-disk store), streamed to ``target``.

    The store's N-Quads dump is written beside ``target`` first (streamed, and removed after).
    """
    nquads = target.with_name(target.name + ".store-order.nq")
    try:
        store.dump(nquads, RdfFormat.N_QUADS)
        triples = union_triples(nquads, store.named_graphs(store_order=True), repeated, block)
        serialize(triples, target, RdfFormat.TURTLE, prefixes=turtle_prefixes(store.base_iri))
    finally:
        nquads.unlink(missing_ok=True)


class _Slice(io.RawIOBase):
    """The bytes of an open file from where it stands to ``end``: what the bulk loader reads of one slice."""

    def __init__(self, source: BinaryIO, end: int) -> None:
        self._source, self._end = source, end

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._source.read(min(len(buffer), self._end - self._source.tell()))
        buffer[: len(data)] = data
        return len(data)


def bulk_load_in_slices(store: GraphStore, nquads: Path, size: int = LOAD_SLICE) -> None:
    """``nquads`` into ``store`` by pyoxigraph's bulk loader, about ``size`` bytes (whole lines) at a time.

    Each slice is read from the file as the loader goes, so memory holds one loader's batch.
    """
    with nquads.open("rb") as source:
        total, ends = source.seek(0, os.SEEK_END), [0]
        while ends[-1] < total:
            source.seek(min(ends[-1] + size, total))
            source.readline()
            ends.append(source.tell())
        source.seek(0)
        for end in ends[1:]:
            store.bulk_load(io.BufferedReader(_Slice(source, end)), RdfFormat.N_QUADS)


def write_store(nquads: Path, store_dir: Path, base_iri: str, turtle: Path, repeated: Repeated) -> None:
    """The release's on-disk store, bulk-loaded from its ``gcmkg.nq``, then ``gcmkg.ttl`` in that store's order."""
    store = GraphStore.create(store_dir, base_iri)
    bulk_load_in_slices(store, nquads)
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

"""The one facade over the RDF store (core: the build writes through it, the service reads).

Everything that reads or writes the graph goes through :class:`GraphStore`, so that a remote
SPARQL engine can stand behind the same reading methods (:class:`gcmkg.remote.RemoteStore`,
chosen by ``GCMKG_SPARQL_BACKEND``).  The default backend is pyoxigraph on disk.  Queries
resolve relative IRIs (``PREFIX gcm: <ontology#>``) against the base IRI, and the default graph
is the union of all named graphs.

Hazards of pyoxigraph 0.5.13, measured; this facade does *not* solve them, and the modules
that work around them cite them by number:

1. ``Store.query`` executes ``SERVICE`` clauses over HTTP and Python cannot switch that off:
   an endpoint that passes queries through must refuse ``SERVICE`` before evaluation.
2. A query has no timeout and cannot be cancelled; one that exhausts memory aborts the
   process (no Python exception).  Untrusted queries run in a supervised worker process
   with a memory limit (:mod:`gcmkg.service.runner`).
3. Query result objects are bound to the thread that made them: consume them there
   (:meth:`GraphStore.select` materialises its rows where it runs).
4. Streaming results before the query has finished turns a timeout into a truncated ``200``:
   finish under a row and byte cap, then send.
5. ``substitutions`` bind a variable to a term safely, but only a variable of the SELECT
   projection; never splice a value into query text.
6. The query parser crashes (segfault) from about 2,500 nested braces or parentheses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    Variable,
)

from gcmkg.errors import NoStoreError

Term = NamedNode | BlankNode | Literal | Triple


class GraphStore:
    """An RDF dataset with a base IRI.

    >>> store = GraphStore.in_memory("http://example.org/")
    >>> store.add([Quad(NamedNode("http://example.org/id/x"), NamedNode("http://example.org/ontology#p"),
    ...                 Literal("1"), NamedNode("http://example.org/graph/g"))])
    >>> store.select("PREFIX gcm: <ontology#> SELECT ?s WHERE { ?s gcm:p ?o }")
    [{'s': <NamedNode value=http://example.org/id/x>}]
    """

    def __init__(self, store: Store, base_iri: str, path: Path | None = None) -> None:
        self._store = store
        self.base_iri = base_iri
        self.path = path

    # construction -------------------------------------------------------------------------
    @classmethod
    def in_memory(cls, base_iri: str) -> GraphStore:
        return cls(Store(), base_iri)

    @classmethod
    def create(cls, path: Path, base_iri: str) -> GraphStore:
        """A new writable store in an empty (or missing) folder."""
        if path.exists() and any(path.iterdir()):
            raise FileExistsError(f"{path}: refusing to write a store into a folder that is not empty")
        path.mkdir(parents=True, exist_ok=True)
        return cls(Store(str(path)), base_iri, path)

    @classmethod
    def open_read_only(cls, path: Path, base_iri: str) -> GraphStore:
        if not path.is_dir():
            raise NoStoreError(f"{path}: no built store here; run `make build` (or `gcmkg build`) first")
        return cls(Store.read_only(str(path)), base_iri, path)

    # writing -------------------------------------------------------------------------------
    def add(self, quads: Iterable[Quad]) -> None:
        self._store.extend(quads)

    def load(self, path: Path, *, graph: NamedNode | None = None, rdf_format: RdfFormat | None = None) -> None:
        """Parse an RDF file into the store, relative IRIs resolved against the base IRI."""
        self._store.load(path=str(path), format=rdf_format, base_iri=self.base_iri, to_graph=graph)

    def bulk_load(self, source: Path | BinaryIO, rdf_format: RdfFormat) -> None:
        """A dataset (a file, or a binary stream) into the store: pyoxigraph's loader for big ones, no transaction."""
        if not isinstance(source, Path):
            self._store.bulk_load(source, format=rdf_format, base_iri=self.base_iri)
        else:
            self._store.bulk_load(path=str(source), format=rdf_format, base_iri=self.base_iri)

    def flush(self) -> None:
        self._store.flush()
        self._store.optimize()

    # reading -------------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Term] | None = None,
        default_graph: list[NamedNode] | None = None,
        named_graphs: list[NamedNode] | None = None,
        union_default_graph: bool = True,
        prefixes: Mapping[str, str] | None = None,
        timeout_s: float | None = None,
        max_rows: int | None = None,
    ) -> QuerySolutions | QueryBoolean | QueryTriples:
        """Run a query; results are bound to this thread (materialise them here).

        The default graph is the union of the named graphs unless ``default_graph`` is given,
        or ``union_default_graph`` is false (for a query whose own ``FROM`` clauses say what
        its dataset is).  ``prefixes`` (name → absolute namespace) are predeclared: the query
        may use them without ``PREFIX`` lines, and a ``PREFIX`` of its own wins.  The parser
        takes them as options, so line and column numbers in its errors are those of the text.
        ``timeout_s`` and ``max_rows`` are for a remote backend (:mod:`gcmkg.remote`: its deadline,
        and the caller's row cap, which the engine may apply); an embedded query cannot be stopped
        (hazard 2) and its rows are counted as they are read, so here they are not used.
        """
        options: dict[str, Any] = {"base_iri": self.base_iri}
        if prefixes:
            options["prefixes"] = dict(prefixes)
        if default_graph is not None:
            options["default_graph"] = default_graph
        elif union_default_graph:
            options["use_default_graph_as_union"] = True
        if named_graphs is not None:
            options["named_graphs"] = named_graphs
        if substitutions:
            options["substitutions"] = {Variable(name): term for name, term in substitutions.items()}
        return self._store.query(sparql, **options)

    def select(self, sparql: str, *, substitutions: Mapping[str, Term] | None = None) -> list[dict[str, Term]]:
        """A SELECT query's rows as dicts of bound variables, materialised."""
        result = self.query(sparql, substitutions=substitutions)
        if not isinstance(result, QuerySolutions):
            raise TypeError("select() needs a SELECT query")
        names = [v.value for v in result.variables]
        rows = []
        for solution in result:
            rows.append({name: solution[name] for name in names if solution[name] is not None})
        return rows

    def match(
        self,
        subject: NamedNode | None = None,
        predicate: NamedNode | None = None,
        object: Term | None = None,  # noqa: A002 (the RDF name)
        graph: NamedNode | None = None,
    ) -> list[Quad]:
        """Quads in named graphs matching a pattern (None matches anything): an index lookup.

        Cheaper than a SPARQL query with one bound term, which pyoxigraph must parse and plan.
        """
        found = self._store.quads_for_pattern(subject, predicate, object, graph)
        return [q for q in found if isinstance(q.graph_name, NamedNode)]

    def prefetch(self, nodes: Iterable[NamedNode]) -> None:
        """A hint: the statements of ``nodes`` (as subjects) are about to be read, one :meth:`match`
        each.  The embedded store reads them from its indexes when asked; a remote one
        (:class:`gcmkg.remote.RemoteStore`) fetches them all in one query, not one per node."""

    def quads(self, graph: NamedNode | None = None) -> list[Quad]:
        return list(self._store.quads_for_pattern(None, None, None, graph))

    def named_graphs(self, *, store_order: bool = False) -> list[NamedNode]:
        """The named graphs by IRI, or in the order the store gives them (that of :meth:`quads`)."""
        graphs = [g for g in self._store.named_graphs() if isinstance(g, NamedNode)]
        return graphs if store_order else sorted(graphs, key=lambda g: g.value)

    def __len__(self) -> int:
        return len(self._store)

    def dump(self, target: Path, rdf_format: RdfFormat) -> None:
        """The whole dataset into the file ``target``, streamed (in the store's order)."""
        self._store.dump(str(target), format=rdf_format)

    def serialize(
        self,
        rdf_format: RdfFormat,
        *,
        graph: NamedNode | DefaultGraph | None = None,
        prefixes: dict[str, str] | None = None,
    ) -> bytes:
        data = self._store.dump(format=rdf_format, from_graph=graph, prefixes=prefixes)
        assert data is not None
        return data

"""SELECT results to bytes: gcmkg's capped writer against pyoxigraph's serialiser alone.

Not a test: it prints figures.  Over a built release, each query is run and its solutions
written in each SELECT format, once by :func:`gcmkg.service.results.serialize_solutions` (what a
query worker does, under the service's row and byte caps) and once by pyoxigraph's
``QuerySolutions.serialize`` with no cap at all; the figures are the process's CPU milliseconds,
the fastest of the runs (query evaluation included: both consume the same lazy solutions), which
another program on the busy machine disturbs least.  ``capped ÷ bare`` is what the caps cost.

    nice -n 10 .venv/bin/python bench/results_writer.py --build-dir build [--runs 50]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from pyoxigraph import QuerySolutions

from gcmkg.releases import CURRENT
from gcmkg.representations import CSV, SPARQL_JSON, SPARQL_XML, TSV, Representation
from gcmkg.service.results import serialize_solutions
from gcmkg.service.runner import Limits
from gcmkg.store import GraphStore

FORMATS = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
RESOURCE = "id/a-73-l-66/en/annex/para/23"


def cases(base: str) -> dict[str, str]:
    """Small answers (the benchmark's cheap ad-hoc queries) and large ones (under the row cap)."""
    gcm = f"PREFIX gcm: <{base}ontology#>\nPREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
    return {
        "lookup": f"SELECT ?p ?o WHERE {{ <{base}{RESOURCE}> ?p ?o }}",
        "join": gcm + "SELECT ?objective ?number ?heading WHERE { ?objective a gcm:Objective ; gcm:number ?number ; "
        "gcm:heading ?heading ; gcm:inDocument ?d . ?d gcm:status gcm:status-final } ORDER BY xsd:integer(?number)",
        "regex": gcm + "SELECT ?action ?text WHERE { ?action a gcm:Action ; gcm:text ?text "
        'FILTER(REGEX(?text, "remittance", "i")) }',
        "texts": gcm + "SELECT ?provision ?text WHERE { ?provision gcm:text ?text }",
        "10k quads": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 10000",
    }


def cpu_ms(write: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.process_time()
        write()
        times.append(time.process_time() - started)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", type=Path, default=Path(__file__).resolve().parents[1] / "build")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    release = args.build_dir / CURRENT
    store = GraphStore.open_read_only(release / "store", (release / "base-iri.txt").read_text().strip())
    limits = Limits()

    def solutions(query: str) -> QuerySolutions:
        result = store.query(query)
        assert isinstance(result, QuerySolutions)
        return result

    def capped(query: str, representation: Representation) -> bytes:
        return serialize_solutions(solutions(query), representation, limits.max_rows, limits.max_bytes)

    def bare(query: str, representation: Representation) -> bytes | None:
        return solutions(query).serialize(format=representation.results_format)

    print(f"max_rows {limits.max_rows}, max_bytes {limits.max_bytes}; CPU ms, fastest of {args.runs} runs")
    print(f"{'query':10} {'rows':>6} {'format':12} {'bytes':>9} {'capped':>8} {'bare':>8} {'capped/bare':>12}")
    for name, query in cases(store.base_iri).items():
        rows = sum(1 for _ in solutions(query))
        runs = args.runs if rows < 1000 else max(3, args.runs // 10)
        for representation in FORMATS:
            size = len(capped(query, representation))
            capped_ms = cpu_ms(partial(capped, query, representation), runs)
            bare_ms = cpu_ms(partial(bare, query, representation), runs)
            print(
                f"{name:10} {rows:6} {representation.name:12} {size:9} {capped_ms:8.2f} {bare_ms:8.2f} "
                f"{capped_ms / bare_ms:12.2f}"
            )


if __name__ == "__main__":
    main()

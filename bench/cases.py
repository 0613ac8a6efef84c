"""The requests the benchmarks send, each as a pair: what gcmkg gets and what Oxigraph gets.

Both servers must give the same answer (checked before anything is timed), so every pair asks
the same question of each server in that server's own terms:

* dereferencing an IRI (``/id/…`` on gcmkg) is, on Oxigraph, the CONSTRUCT of the resource's
  outgoing and incoming statements;
* a saved query (``/queries/{name}?param=…`` on gcmkg, parameters bound as terms) is, on
  Oxigraph, the same query text with the value bound by a ``VALUES`` block;
* an ad-hoc query is the same text on both.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from pyoxigraph import NamedNode, Store

from wrk import Request

ROOT = Path(__file__).resolve().parents[1]
JSON = "application/sparql-results+json"
TURTLE = "text/turtle"


@dataclass(frozen=True)
class Pair:
    kind: str
    ours: Request
    theirs: Request


def absolute_prefixes(text: str, base: str) -> str:
    """Project queries write ``PREFIX gcm: <ontology#>``; another engine gets the absolute IRI."""
    return re.sub(r"PREFIX\s+(\w*):\s*<(?!https?:)([^>]*)>", lambda m: f"PREFIX {m[1]}: <{base}{m[2]}>", text)


def query_path(text: str, endpoint: str = "query") -> str:
    return f"/{endpoint}?{urlencode({'query': text}, quote_via=quote)}"


def provision_iris(store_dir: Path, base: str, count: int, seed: int = 7) -> list[str]:
    """``count`` provision IRIs of the built store, drawn with a fixed seed."""
    store = Store.read_only(str(store_dir))
    reading_order = NamedNode(f"{base}ontology#readingOrder")
    iris = sorted(
        {
            q.subject.value
            for q in store.quads_for_pattern(None, reading_order, None)
            if isinstance(q.subject, NamedNode)
        }
    )
    return random.Random(seed).sample(iris, min(count, len(iris)))


def deref(iri: str, base: str, accept: str = TURTLE) -> Pair:
    construct = (
        f"CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> }} WHERE {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?q <{iri}> }} }}"
    )
    return Pair(
        "deref-html" if "html" in accept else "deref",
        Request("GET", "/" + iri.removeprefix(base), accept),
        Request("GET", query_path(construct), TURTLE),
    )


def saved(name: str, parameter: str, value: str, base: str, *, literal: str | None = None) -> Pair:
    """The saved query ``name`` with ``parameter`` bound to ``value`` (``literal``: its SPARQL form)."""
    text = absolute_prefixes((ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8"), base)
    bound = re.sub(r"WHERE\s*\{", f"WHERE {{\n  VALUES ?{parameter} {{ {literal or value} }}", text, count=1)
    return Pair(
        f"saved:{name}",
        Request("GET", f"/queries/{name}?{urlencode({parameter: value})}", JSON),
        Request("GET", query_path(bound), JSON),
    )


def saved_plain(name: str, base: str) -> Pair:
    """A saved query without parameters (or with its defaults)."""
    text = absolute_prefixes((ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8"), base)
    return Pair(f"saved:{name}", Request("GET", f"/queries/{name}", JSON), Request("GET", query_path(text), JSON))


def adhoc(kind: str, text: str) -> Pair:
    return Pair(kind, Request("GET", query_path(text, "sparql"), JSON), Request("GET", query_path(text), JSON))


def lookup(iri: str) -> Pair:
    return adhoc("adhoc:lookup", f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}")


def objectives_join(base: str) -> Pair:
    return adhoc(
        "adhoc:join",
        f"PREFIX gcm: <{base}ontology#>\nPREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
        "SELECT ?objective ?number ?heading WHERE { ?objective a gcm:Objective ; gcm:number ?number ; "
        "gcm:heading ?heading ; gcm:inDocument ?d . ?d gcm:status gcm:status-final } ORDER BY xsd:integer(?number)",
    )


def regex_over_actions(base: str, word: str) -> Pair:
    return adhoc(
        "adhoc:regex",
        f"PREFIX gcm: <{base}ontology#>\n"
        f'SELECT ?action ?text WHERE {{ ?action a gcm:Action ; gcm:text ?text FILTER(REGEX(?text, "{word}", "i")) }}',
    )


def pathological(base: str) -> list[Pair]:
    """Queries a hostile or careless client sends: each runs into a limit on an unprotected engine."""
    cross = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"
    path = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?x (<{base}ontology#x>|!<{base}ontology#x>)* ?y }}"
    text_join = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?t . ?b ?q ?u FILTER(STR(?t) = STR(?u)) }"
    return [adhoc("patho:cross", cross), adhoc("patho:path", path), adhoc("patho:join", text_join)]


def nested(depth: int) -> str:
    """A query of ``depth`` nested group patterns (pyoxigraph's parser crashes from about 2,500)."""
    return "SELECT * WHERE " + "{ " * depth + "?s ?p ?o " + "} " * depth

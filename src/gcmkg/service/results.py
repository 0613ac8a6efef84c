"""Query results to bytes, under a row and byte cap, in the thread that ran the query.

pyoxigraph's result iterators must be consumed in the thread that made them (:mod:`gcmkg.store`,
hazard 3) and a response must never be a truncated ``200`` (hazard 4), so a result is
written completely into memory here, counting rows and bytes as it goes, and handed over only
when it fits.  SELECT results are written by this module (pyoxigraph's serializers cannot
count rows); booleans and graphs by pyoxigraph.

Formats (:mod:`gcmkg.representations`): SPARQL 1.1 Query Results JSON, XML, CSV and TSV;
Turtle, N-Triples, JSON-LD, RDF/XML.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, Literal, NamedNode, QueryBoolean, QuerySolutions, RdfFormat, Triple, serialize

from gcmkg.representations import CSV, SPARQL_JSON, SPARQL_XML, TRIPLES, TSV, Representation

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class TooLarge(Exception):
    """The result does not fit the row or byte cap (the message says which and by how much)."""


Row = Sequence[object]


def _json_term(term: object) -> dict[str, object]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(f"not an RDF term: {term!r}")


def _xml_term(term: object) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
            f"</predicate><object>{_xml_term(term.object)}</object></triple>"
        )
    raise TypeError(f"not an RDF term: {term!r}")


def _csv_term(term: object) -> str:
    """SPARQL 1.1 CSV: IRIs and literals as their plain string, blank nodes as ``_:label``."""
    if term is None:
        return ""
    if isinstance(term, NamedNode | Literal):
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return str(term)


def _tsv_term(term: object) -> str:
    """SPARQL 1.1 TSV: terms in Turtle/N-Triples syntax; tabs and newlines escaped."""
    if term is None:
        return ""
    return str(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class _Budget:
    """Counts rows and bytes; raises :class:`TooLarge` as soon as either cap is passed."""

    def __init__(self, max_rows: int, max_bytes: int) -> None:
        self.max_rows, self.max_bytes = max_rows, max_bytes
        self.rows = 0
        self.size = 0

    def row(self) -> None:
        self.rows += 1
        if self.rows > self.max_rows:
            raise TooLarge(
                f"the result has more than {self.max_rows} rows (the per-query cap); "
                "add LIMIT, narrow the pattern, or aggregate"
            )

    def add(self, chunk: str) -> str:
        self.size += len(chunk)  # characters; the final byte length is checked again
        self.check_size(self.size)
        return chunk

    def check_size(self, size: int) -> None:
        if size > self.max_bytes:
            raise TooLarge(
                f"the result is larger than {self.max_bytes} bytes (the per-query cap); "
                "add LIMIT, select fewer variables, or narrow the pattern"
            )


def _cached(convert: Callable[[object], object]) -> Callable[[object], object]:
    cache: dict[object, object] = {}

    def get(term: object) -> object:
        try:
            return cache[term]
        except KeyError:
            value = cache[term] = convert(term)
            return value
        except TypeError:  # unhashable: never for pyoxigraph terms, but be safe
            return convert(term)

    return get


def _solution_rows(solutions: QuerySolutions, budget: _Budget) -> Iterator[Row]:
    for solution in solutions:
        budget.row()
        yield tuple(solution)


def serialize_solutions(
    solutions: QuerySolutions, representation: Representation, max_rows: int, max_bytes: int
) -> bytes:
    """A SELECT result in ``representation``; raises :class:`TooLarge` instead of truncating."""
    names = [v.value for v in solutions.variables]
    return serialize_rows(names, _solution_rows(solutions, _Budget(max_rows, 2**62)), representation, max_bytes)


def serialize_rows(names: Sequence[str], rows: Iterable[Row], representation: Representation, max_bytes: int) -> bytes:
    budget = _Budget(2**62, max_bytes)
    add = budget.add
    out: list[str] = []
    if representation is SPARQL_JSON:
        # One encode of the whole document: rows are already capped, and the byte cap is
        # checked on the result (the worker's memory limit bounds the rest).
        term = _cached(_json_term)
        bindings = [{n: term(t) for n, t in zip(names, row, strict=True) if t is not None} for row in rows]
        document = {"head": {"vars": list(names)}, "results": {"bindings": bindings}}
        out.append(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n")
    elif representation is SPARQL_XML:
        term = _cached(_xml_term)
        out.append(
            add(
                '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
                + "".join(f"<variable name={quoteattr(n)}/>" for n in names)
                + "</head><results>"
            )
        )
        for row in rows:
            cells = "".join(
                f"<binding name={quoteattr(n)}>{term(t)}</binding>"
                for n, t in zip(names, row, strict=True)
                if t is not None
            )
            out.append(add(f"<result>{cells}</result>"))
        out.append("</results></sparql>\n")
    elif representation is CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow([_csv_term(t) for t in row])
            if buffer.tell() > 65536:
                out.append(add(buffer.getvalue()))
                buffer.seek(0)
                buffer.truncate()
        out.append(add(buffer.getvalue()))
    elif representation is TSV:
        term = _cached(_tsv_term)
        out.append(add("\t".join("?" + n for n in names) + "\n"))
        for row in rows:
            out.append(add("\t".join("" if t is None else str(term(t)) for t in row) + "\n"))
    else:
        raise ValueError(f"not a results format for SELECT: {representation.name}")
    data = "".join(out).encode("utf-8")
    budget.check_size(len(data))
    return data


def serialize_boolean(result: QueryBoolean, representation: Representation) -> bytes:
    if representation.results_format is None:
        raise ValueError(f"not a results format for ASK: {representation.name}")
    data = result.serialize(format=representation.results_format)
    assert data is not None
    return data if data.endswith(b"\n") else data + b"\n"


def serialize_triples(
    triples: Iterable[Triple],
    representation: Representation,
    max_rows: int,
    max_bytes: int,
    prefixes: dict[str, str] | None = None,
) -> bytes:
    """A CONSTRUCT or DESCRIBE result, at most ``max_rows`` triples and ``max_bytes`` bytes."""
    if representation not in TRIPLES:
        raise ValueError(f"not a triples format for CONSTRUCT/DESCRIBE: {representation.name}")
    rdf_format = representation.rdf
    budget = _Budget(max_rows, max_bytes)
    collected = []
    for triple in triples:
        budget.row()
        collected.append(triple)
    use_prefixes = None
    if prefixes and rdf_format in (RdfFormat.TURTLE, RdfFormat.RDF_XML, RdfFormat.JSON_LD):
        iris = {t.value for triple in collected for t in (triple.subject, triple.predicate, triple.object)
                if isinstance(t, NamedNode)}  # fmt: skip
        use_prefixes = {p: ns for p, ns in prefixes.items() if any(iri.startswith(ns) for iri in iris)}
    data = serialize(collected, format=rdf_format, prefixes=use_prefixes)
    assert data is not None
    budget.check_size(len(data))
    return data

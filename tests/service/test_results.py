"""SELECT results written by pyoxigraph under exact caps (:mod:`gcmkg.service.results`).

The rows are counted in the bytes pyoxigraph writes, so every test here feeds it the terms that
could fool a count: literals holding line ends, quotes, tabs, commas, backslashes, braces and
the marks a format gives a solution (``,{"``, ``<result>``), non-ASCII text, language tags,
typed literals, blank nodes, and solutions with nothing bound.  Each answer that fits is parsed
back, by pyoxigraph and by rdflib, into the same terms as the query's solutions; one row or one
byte more is refused.
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QuerySolutions, Store, parse_query_results
from rdflib.query import Result

from gcmkg.representations import CSV, SPARQL_JSON, SPARQL_XML, TSV, Representation
from gcmkg.service.results import TooLarge, _rows, serialize_solutions
from gcmkg.service.runner import Limits, QueryLimitExceeded, QueryRunner
from gcmkg.store import GraphStore

FORMATS = [SPARQL_JSON, SPARQL_XML, CSV, TSV]
XSD = "http://www.w3.org/2001/XMLSchema#"

TEXTS = [
    "line\nfeed",
    "carriage\rreturn and\r\nboth",
    'a "quoted" word',
    '"',
    "tab\tin\tit",
    "comma, comma,",
    "trailing backslash \\",
    "\\",
    '\\"',
    'escaped \\" quote \\\\',
    '},{"s":{"type":"uri","value":"x"}},{',
    '[{"s":',
    ",{}",
    "{}",
    "<result></result><results>",
    "</result>\n<result>",
    "ünïcödé – 漢字 😀 مهاجر",
    " leading and trailing ",
    "",
]
LANGUAGES = ["en", "ar", "sv", "en-GB"]
TYPES = [("42", "integer"), ("-1.5", "decimal"), ("1.0E3", "double"), ("true", "boolean"), ("2018-12-19", "date")]


def rows_of(count: int) -> list[tuple[object, object]]:
    """``count`` solutions of ``?s ?o``: every kind of term, and some with ``?s``, ``?o`` or both unbound."""
    kinds: list[tuple[object, object]] = []
    for i, text in enumerate(TEXTS):
        kinds.append((NamedNode(f"http://example.org/r/{i}?q=a&b=%22c%22"), Literal(text)))
        kinds.append((BlankNode(f"b{i}"), Literal(text, language=LANGUAGES[i % len(LANGUAGES)])))
        kinds.append((None, Literal(text, datatype=NamedNode("http://example.org/type#t,1"))))
    for value, name in TYPES:
        kinds.append((NamedNode("http://example.org/typed"), Literal(value, datatype=NamedNode(XSD + name))))
    kinds += [(None, None), (BlankNode("lonely"), None), (None, None)]
    return [kinds[i % len(kinds)] for i in range(count)]


EX = "http://example.org/"
QUERY = f"SELECT ?s ?o WHERE {{ ?row <{EX}n> ?n OPTIONAL {{ ?row <{EX}s> ?s }} OPTIONAL {{ ?row <{EX}o> ?o }} }} ORDER BY ?n"


def store_of(count: int) -> Store:
    """A store whose :data:`QUERY` answers :func:`rows_of` ``count``, in order."""
    store = Store()
    for i, (subject, value) in enumerate(rows_of(count)):
        row = NamedNode(f"{EX}row/{i}")
        store.add(Quad(row, NamedNode(EX + "n"), Literal(i)))
        if subject is not None:
            store.add(Quad(row, NamedNode(EX + "s"), subject))
        if value is not None:
            store.add(Quad(row, NamedNode(EX + "o"), value))
    return store


def solutions(store: Store) -> QuerySolutions:
    result = store.query(QUERY)
    assert isinstance(result, QuerySolutions)
    return result


def read(body: bytes, representation: Representation) -> list[tuple[object, ...]]:
    """The solutions in ``body``, read back by pyoxigraph's parser (CSV: the strings, by :mod:`csv`)."""
    if representation is CSV:
        return [tuple(row) for row in csv.reader(io.StringIO(body.decode("utf-8"), newline=""))][1:]
    assert representation.results_format is not None
    result = parse_query_results(body, representation.results_format)
    assert isinstance(result, QuerySolutions)
    return [tuple(solution) for solution in result]


def expected(store: Store, representation: Representation) -> list[tuple[object, ...]]:
    """The query's solutions as the format carries them (CSV: a term's string, ``_:label``, or nothing)."""
    rows = [tuple(solution) for solution in solutions(store)]
    if representation is CSV:
        return [tuple(csv_string(term) for term in row) for row in rows]
    return rows


def csv_string(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    assert isinstance(term, NamedNode | Literal)
    return term.value


def name(representation: Representation) -> str:
    return representation.name


BIG = 2**30


@pytest.mark.parametrize("representation", FORMATS, ids=name)
@pytest.mark.parametrize("count", [1, 2, 65, 1500])  # 1500 rows: about 40 of pyoxigraph's 8 KiB blocks
def test_the_row_cap_is_exact(representation: Representation, count: int) -> None:
    store = store_of(count)
    body = serialize_solutions(solutions(store), representation, count, BIG)  # rows == max_rows: answered whole
    assert read(body, representation) == expected(store, representation)
    with pytest.raises(TooLarge, match=f"more than {count - 1} rows"):  # rows == max_rows + 1: refused
        serialize_solutions(solutions(store), representation, count - 1, BIG)


@pytest.mark.parametrize("representation", FORMATS, ids=name)
@pytest.mark.parametrize("count", [1, 5000])
def test_the_row_cap_is_exact_on_rows_as_small_as_they_are_written(representation: Representation, count: int) -> None:
    """Solutions with nothing bound (``{}``, ``<result></result>``, an empty line): the most
    rows a result of its size can hold, which is what the sink counts from."""
    store = Store()
    query = "SELECT ?v WHERE { VALUES ?v { " + "UNDEF " * count + "} }"

    def empty() -> QuerySolutions:
        result = store.query(query)
        assert isinstance(result, QuerySolutions)
        return result

    body = serialize_solutions(empty(), representation, count, BIG)
    assert read(body, representation) == [() if representation is CSV else (None,)] * count  # csv reads "" as no field
    with pytest.raises(TooLarge, match=f"more than {count - 1} rows"):
        serialize_solutions(empty(), representation, count - 1, BIG)


@pytest.mark.parametrize("representation", FORMATS, ids=name)
def test_no_rows_is_an_empty_result(representation: Representation) -> None:
    body = serialize_solutions(solutions(Store()), representation, 1, BIG)
    assert read(body, representation) == []


@pytest.mark.parametrize("representation", FORMATS, ids=name)
@pytest.mark.parametrize("count", [1, 65, 1500])
def test_the_byte_cap_is_exact(representation: Representation, count: int) -> None:
    store = store_of(count)
    size = len(serialize_solutions(solutions(store), representation, count, BIG))
    body = serialize_solutions(solutions(store), representation, count, size)  # bytes == max_bytes: answered whole
    assert len(body) == size and read(body, representation) == expected(store, representation)
    with pytest.raises(TooLarge, match=f"larger than {size - 1} bytes"):  # bytes == max_bytes + 1: refused
        serialize_solutions(solutions(store), representation, count, size - 1)


def to_rdflib(term: object, representation: Representation) -> rdflib.term.Node | None:
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    assert isinstance(term, Literal)
    value = term.value
    if representation is SPARQL_XML:  # every XML parser reads a raw CR as LF (XML 1.0 section 2.11)
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if term.language:
        return rdflib.Literal(value, lang=term.language)
    datatype = None if term.datatype.value == XSD + "string" else rdflib.URIRef(term.datatype.value)
    return normal(rdflib.Literal(value, datatype=datatype))


def normal(term: rdflib.term.Node | None) -> rdflib.term.Node | None:
    """rdflib's canonical lexical form of a literal (its TSV parser keeps ``"1000"^^xsd:double``
    as written, its JSON and XML parsers make it ``"1000.0"``)."""
    if isinstance(term, rdflib.Literal):
        return rdflib.Literal(str(term), lang=term.language, datatype=term.datatype)
    return term


@pytest.mark.parametrize(("representation", "parser"), [(SPARQL_JSON, "json"), (SPARQL_XML, "xml"), (TSV, "tsv")])
def test_rdflib_reads_the_same_terms(representation: Representation, parser: str) -> None:
    """A second, independent parser: XML's escapes (``&quot;``, ``&#32;``) and TSV's terms read back."""
    store = store_of(200)
    body = serialize_solutions(solutions(store), representation, 200, BIG)
    variables = [rdflib.Variable("s"), rdflib.Variable("o")]
    got = [
        tuple(normal(binding.get(v)) for v in variables)
        for binding in Result.parse(io.BytesIO(body), format=parser).bindings
    ]
    assert got == [tuple(to_rdflib(t, representation) for t in row) for row in expected(store, representation)]


def solution_starts(body: bytes, representation: Representation) -> list[int]:
    """Where each solution's mark begins (CSV: where each record ends), read byte by byte.

    The slow, plain reading the block counters are checked against: a JSON ``{`` outside
    strings after ``[`` or ``,``; an XML ``<result`` tag; a CSV line feed outside quotes.
    """
    if representation is SPARQL_XML:
        return [m.start() for m in re.finditer(rb"<result[\s/>]", body)]
    starts = []
    inside = escaped = False
    previous = b""
    for i in range(len(body)):
        byte = body[i : i + 1]
        if inside:
            if escaped:
                escaped = False
            elif byte == b"\\" and representation is SPARQL_JSON:
                escaped = True
            elif byte == b'"':
                inside = False
            continue
        if byte == b'"':
            inside = True
        elif representation is SPARQL_JSON and byte == b"{" and previous in (b"[", b","):
            starts.append(i)
        elif representation is CSV and byte == b"\n":
            starts.append(i)
        previous = byte if not byte.isspace() else previous
    return starts[1:] if representation is CSV else starts  # CSV: the header's line end


@pytest.mark.parametrize("representation", [SPARQL_JSON, SPARQL_XML, CSV], ids=name)
def test_rows_are_counted_wherever_the_blocks_end(representation: Representation) -> None:
    """However the bytes are cut into blocks, the count is exact at the end, and never runs
    ahead of the solutions written so far (so the row cap never refuses a result that fits)."""
    store = store_of(130)
    body = solutions(store).serialize(format=representation.results_format)
    assert body is not None
    starts = solution_starts(body, representation)
    assert len(starts) == 130
    cuttings = [[1] * len(body)] + [
        [random.Random(seed).randint(1, 40) for _ in range(len(body))] for seed in range(30)
    ]
    for sizes in cuttings:
        rows = _rows(representation)
        end = 0
        for size in sizes:
            if end >= len(body):
                break
            rows.feed(body[end : end + size])
            end = min(end + size, len(body))
            assert rows.rows <= sum(1 for start in starts if start < end)
        rows.close()
        assert rows.rows == 130


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QueryRunner]:
    path: Path = tmp_path_factory.mktemp("results") / "store"
    GraphStore.create(path, "http://127.0.0.1:9/").flush()
    with QueryRunner(path, "http://127.0.0.1:9/", Limits(timeout_s=10, max_rows=5, max_bytes=4096)) as started:
        yield started


def values(count: int) -> str:
    """``count`` rows whose literal holds a line feed, a quote, a comma and a tab."""
    return "SELECT ?v WHERE { VALUES ?v { " + " ".join(f'"row {i}\\n\\",\\t"@en' for i in range(count)) + " } }"


@pytest.mark.parametrize("representation", FORMATS, ids=name)
def test_a_worker_refuses_past_the_caps_and_answers_within(runner: QueryRunner, representation: Representation) -> None:
    """Through a real query worker: ``TooLarge`` becomes the service's 413, never a cut answer."""
    assert len(read(runner.run(values(5), result_format=representation).body, representation)) == 5
    with pytest.raises(QueryLimitExceeded) as caught:
        runner.run(values(6), result_format=representation)
    assert caught.value.status == 413 and "more than 5 rows" in caught.value.message
    short = len(runner.run('SELECT ?v WHERE { BIND("" AS ?v) }', result_format=representation).body)
    fits = f'SELECT ?v WHERE {{ BIND("{"x" * (4096 - short)}" AS ?v) }}'  # exactly the 4096-byte cap
    assert len(runner.run(fits, result_format=representation).body) == 4096
    with pytest.raises(QueryLimitExceeded) as caught:
        runner.run(fits.replace('"x', '"xx'), result_format=representation)
    assert caught.value.status == 413 and "larger than 4096 bytes" in caught.value.message

"""Query results to bytes, under a row and byte cap, in the thread that ran the query.

pyoxigraph's result iterators must be consumed in the thread that made them (:mod:`gcmkg.store`,
hazard 3) and a response must never be a truncated ``200`` (hazard 4), so a result is
written completely into memory here, counting rows and bytes as it goes, and handed over only
when it fits.  pyoxigraph's own serialisers write booleans, graphs (from the triples counted
here) and SELECT results in JSON, XML and CSV (:func:`serialize_solutions`, into a sink that
holds the caps); SELECT results in TSV are written here (:func:`_tsv` says why).

Formats (:mod:`gcmkg.representations`): SPARQL 1.1 Query Results JSON, XML, CSV and TSV;
Turtle, N-Triples, JSON-LD, RDF/XML.

pyoxigraph cannot count the rows it writes, and it writes them from Rust in blocks of about
8 KiB that end anywhere, so the sink counts them in the bytes, by the one mark each format
gives a solution and no term can contain: a ``[{`` or ``,{`` outside JSON strings, a
``<result`` that is not ``<results`` in XML (``<`` is always escaped), a line end outside
CSV's quoted fields.  The count is exact once the result is written, and never more than the
rows written so far while it is written, so the writer stops as soon as the row cap is passed,
as it does on the byte cap.

pyoxigraph's XML escapes ``"`` and ``'`` in text, and a space at either end of a literal
(``&#32;``); XML parsers read the same characters.  It writes a carriage return raw, which XML
parsers read as a line feed: a client that needs one exactly asks for JSON or TSV.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import IO, cast

from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, RdfFormat, Triple, serialize

from gcmkg.representations import CSV, SPARQL_JSON, SPARQL_XML, TRIPLES, TSV, Representation


class TooLarge(Exception):
    """The result does not fit the row or byte cap (the message says which and by how much)."""


class _Budget:
    """The row and byte caps: :class:`TooLarge` as soon as a count passes one."""

    def __init__(self, max_rows: int, max_bytes: int) -> None:
        self.max_rows, self.max_bytes = max_rows, max_bytes

    def check_rows(self, rows: int) -> None:
        if rows > self.max_rows:
            raise TooLarge(
                f"the result has more than {self.max_rows} rows (the per-query cap); "
                "add LIMIT, narrow the pattern, or aggregate"
            )

    def check_size(self, size: int) -> None:
        if size > self.max_bytes:
            raise TooLarge(
                f"the result is larger than {self.max_bytes} bytes (the per-query cap); "
                "add LIMIT, select fewer variables, or narrow the pattern"
            )


class _Marks:
    """Counts marks (byte strings) in a stream of blocks, a mark split between two blocks once.

    ``minus`` marks are subtracted (a ``<results`` from a ``<result``).  Each block's last
    ``len(longest mark) - 1`` bytes wait for the next one, so every mark counted has all the
    bytes after it that a longer mark starting at the same place needs: :attr:`count` is never
    more than the marks seen so far, and :meth:`close` counts the held bytes.
    """

    def __init__(self, plus: tuple[bytes, ...], minus: tuple[bytes, ...] = ()) -> None:
        self.plus, self.minus = plus, minus
        self.lag = max(len(mark) for mark in plus + minus) - 1
        self.held = b""
        self.count = 0

    def feed(self, block: bytes) -> None:
        data = self.held + block if self.held else block
        end = len(data) - self.lag  # marks starting before ``end`` are counted now
        if end <= 0:
            self.held = data
            return
        self.count += sum(data.count(mark, 0, end + len(mark) - 1) for mark in self.plus)
        self.count -= sum(data.count(mark, 0, end + len(mark) - 1) for mark in self.minus)
        self.held = data[end:]

    def close(self) -> None:
        self.count += sum(self.held.count(mark) for mark in self.plus)
        self.count -= sum(self.held.count(mark) for mark in self.minus)
        self.held = b""


class _Unquoted:
    """The bytes of a stream outside its ``"``-quoted strings, block by block.

    JSON escapes a quote inside a string with a backslash (``backslashes``): escape pairs
    (``\\\\``, then ``\\"``) are dropped first, an escape split between blocks included, so that
    every quote left opens or closes a string.  CSV doubles it (``""``), which closes and
    reopens the field around nothing: counting quotes is enough.  ``blanks``: whitespace outside
    strings is dropped too (JSON may put it between any two tokens; pyoxigraph writes none).
    """

    def __init__(self, *, backslashes: bool, blanks: bool = False) -> None:
        self.backslashes, self.blanks = backslashes, blanks
        self.inside = False  # the stream is inside a string
        self.escaped = False  # the last block ended in a backslash that escapes the next byte

    def __call__(self, block: bytes) -> bytes:
        if self.backslashes:
            if self.escaped and block:
                block, self.escaped = block[1:], False
            if b"\\" in block:
                block = block.replace(b"\\\\", b"")
                if block.endswith(b"\\"):
                    block, self.escaped = block[:-1], True
                block = block.replace(b'\\"', b"")
        parts = block.split(b'"')  # strings and what lies between them, in turn
        unquoted = b"".join(parts[1::2] if self.inside else parts[::2])
        self.inside ^= len(parts) % 2 == 0  # an odd number of quotes
        return unquoted.translate(None, b" \t\r\n") if self.blanks else unquoted


class _Rows:
    """Counts solutions in a result as pyoxigraph writes it: the ``marks`` of one, outside
    quoted strings where the format quotes them, less the header's.  ``smallest``: the fewest
    bytes a solution takes in the format."""

    def __init__(self, marks: _Marks, smallest: int, *, header: int = 0, unquoted: _Unquoted | None = None) -> None:
        self.marks, self.smallest, self.header, self.unquoted = marks, smallest, header, unquoted

    def feed(self, block: bytes) -> None:
        self.marks.feed(self.unquoted(block) if self.unquoted else block)

    def close(self) -> None:
        self.marks.close()

    @property
    def rows(self) -> int:
        return max(self.marks.count - self.header, 0)


def _rows(representation: Representation) -> _Rows:
    if representation is SPARQL_JSON:  # an object in the bindings array: the only "{" after "[" or ","
        return _Rows(_Marks((b"[{", b",{")), len(b"{}"), unquoted=_Unquoted(backslashes=True, blanks=True))
    if representation is SPARQL_XML:  # a <result> element ("<" is escaped in text and attributes)
        return _Rows(_Marks((b"<result",), (b"<results",)), len(b"<result/>"))
    if representation is CSV:  # a record: a line end outside quoted fields, after the header's
        return _Rows(_Marks((b"\n",)), len(b"\n"), header=1, unquoted=_Unquoted(backslashes=False))
    raise ValueError(f"not a results format for SELECT: {representation.name}")


class _Sink:
    """What pyoxigraph writes a result into: the blocks kept, rows and bytes checked on each.

    Up to ``max_rows`` times the smallest solution's size, a result cannot hold more than
    ``max_rows`` solutions, so its rows are counted only once it is larger (the blocks kept so
    far first): most answers are far smaller and are never counted.  :class:`TooLarge` raised
    from :meth:`write` comes out of ``serialize`` unchanged, and stops it (and the query's
    evaluation) there.
    """

    def __init__(self, rows: _Rows, budget: _Budget) -> None:
        self.rows, self.budget = rows, budget
        self.uncounted = budget.max_rows * rows.smallest  # bytes that cannot hold too many rows
        self.blocks: list[bytes] = []
        self.counted = 0  # blocks fed to ``rows``
        self.size = 0

    def write(self, block: bytes) -> int:
        self.size += len(block)
        self.budget.check_size(self.size)
        self.blocks.append(block)
        if self.size > self.uncounted:
            for kept in self.blocks[self.counted :]:
                self.rows.feed(kept)
            self.counted = len(self.blocks)
            self.budget.check_rows(self.rows.rows)
        return len(block)

    def flush(self) -> None:
        """pyoxigraph flushes its writer when it is done; every block is already kept."""

    def finish(self, trailer: bytes) -> bytes:
        """The whole result, ``trailer`` added, once the last rows are counted."""
        if self.counted:
            self.rows.close()
            self.budget.check_rows(self.rows.rows)
        self.budget.check_size(self.size + len(trailer))
        return b"".join([*self.blocks, trailer])


def serialize_solutions(
    solutions: QuerySolutions, representation: Representation, max_rows: int, max_bytes: int
) -> bytes:
    """A SELECT result in ``representation``; raises :class:`TooLarge` instead of truncating.

    The bytes are pyoxigraph's, with a line feed after JSON and XML (which it ends without).
    """
    budget = _Budget(max_rows, max_bytes)
    if representation is TSV:
        return _tsv(solutions, budget)
    sink = _Sink(_rows(representation), budget)
    solutions.serialize(cast(IO[bytes], sink), format=representation.results_format)  # it calls write and flush
    return sink.finish(b"\n" if representation in (SPARQL_JSON, SPARQL_XML) else b"")


def _tsv(solutions: QuerySolutions, budget: _Budget) -> bytes:
    """SPARQL 1.1 TSV, written here: terms in N-Triples syntax, the rows counted as they are read.

    pyoxigraph writes numbers in their short Turtle forms, as the TSV format recommends, but
    rdflib's TSV parser (7.6) fails on a negative decimal written so (``-1.5``).
    """
    term = _cached(_tsv_term)
    lines = ["\t".join("?" + variable.value for variable in solutions.variables) + "\n"]
    size = len(lines[0])
    for rows, solution in enumerate(solutions, 1):
        budget.check_rows(rows)
        lines.append("\t".join(term(value) for value in solution) + "\n")
        size += len(lines[-1])  # characters, never more than the bytes: the bytes are checked last
        budget.check_size(size)
    data = "".join(lines).encode("utf-8")
    budget.check_size(len(data))
    return data


def _tsv_term(term: object) -> str:
    """A term in N-Triples syntax (tab, line feed and return escaped); nothing for an unbound variable."""
    if term is None:
        return ""
    return str(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _cached(convert: Callable[[object], str]) -> Callable[[object], str]:
    """``convert`` remembered per term: a result repeats its IRIs (predicates, types) on many rows."""
    cache: dict[object, str] = {}

    def get(term: object) -> str:
        try:
            return cache[term]
        except KeyError:
            value = cache[term] = convert(term)
            return value

    return get


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
        collected.append(triple)
        budget.check_rows(len(collected))
    use_prefixes = None
    if prefixes and rdf_format in (RdfFormat.TURTLE, RdfFormat.RDF_XML, RdfFormat.JSON_LD):
        iris = {t.value for triple in collected for t in (triple.subject, triple.predicate, triple.object)
                if isinstance(t, NamedNode)}  # fmt: skip
        use_prefixes = {p: ns for p, ns in prefixes.items() if any(iri.startswith(ns) for iri in iris)}
    data = serialize(collected, format=rdf_format, prefixes=use_prefixes)
    assert data is not None
    budget.check_size(len(data))
    return data

"""Every representation the project reads or writes, in one table.

A :class:`Representation` says what a format is called (its ``name``, and the values of the
service's ``format=`` parameter that select it), its media types (the first is the one sent
in ``Content-Type``; the others are accepted in ``Accept``), the pyoxigraph format that writes
it (:class:`~pyoxigraph.RdfFormat` for RDF, :class:`~pyoxigraph.QueryResultsFormat` for SPARQL
results), the file suffix of a download or dump, and the W3C ``formats`` IRI that names it in a
service description or VoID.

Content negotiation (:mod:`gcmkg.service.negotiation`), result writing
(:mod:`gcmkg.service.results`), resource descriptions (:mod:`gcmkg.service.resources`) and
the dumps (``gcmkg.nq``, ``gcmkg.ttl``: :data:`N_QUADS`, :data:`TURTLE`) all take their
formats from here.

>>> TURTLE.media_type, TURTLE.suffix, TURTLE.rdf_format
('text/turtle', '.ttl', <RdfFormat Turtle>)
>>> by_suffix(".nq") is N_QUADS
True
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import QueryResultsFormat, RdfFormat

FORMATS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Representation:
    """One format: what selects it, what writes it, how its files are named."""

    name: str  # unique in the table, e.g. "turtle"
    label: str  # for people: HTML forms, 406 bodies
    media_types: tuple[str, ...]  # the first is canonical; the others are accepted in Accept
    formats: tuple[str, ...]  # values of ``format=`` that select it; the first is the one links use
    suffix: str  # file suffix, with its dot
    rdf_format: RdfFormat | None = None
    results_format: QueryResultsFormat | None = None
    format_iri: str | None = None  # http://www.w3.org/ns/formats/…

    @property
    def media_type(self) -> str:
        return self.media_types[0]

    @property
    def aliases(self) -> tuple[str, ...]:
        """Other media types that select this representation in ``Accept`` (an exact match only)."""
        return self.media_types[1:]

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value (UTF-8 spelled out for textual types)."""
        name = self.media_type
        textual = name.startswith("text/") or name.endswith(("+json", "+xml", "/json", "/xml"))
        textual = textual or name == "application/n-triples"
        return f"{name}; charset=utf-8" if textual else name

    @property
    def rdf(self) -> RdfFormat:
        """The pyoxigraph RDF format (for a representation that is one)."""
        if self.rdf_format is None:
            raise ValueError(f"{self.name} is not an RDF format")
        return self.rdf_format


# SPARQL query results (SELECT, ASK)
SPARQL_JSON = Representation(
    "sparql-json",
    "SPARQL results JSON",
    ("application/sparql-results+json", "application/json"),
    ("json", "srj"),
    ".srj",
    results_format=QueryResultsFormat.JSON,
    format_iri=FORMATS + "SPARQL_Results_JSON",
)
SPARQL_XML = Representation(
    "sparql-xml",
    "SPARQL results XML",
    ("application/sparql-results+xml", "application/xml", "text/xml"),
    ("xml", "srx"),
    ".srx",
    results_format=QueryResultsFormat.XML,
    format_iri=FORMATS + "SPARQL_Results_XML",
)
CSV = Representation(
    "csv",
    "CSV",
    ("text/csv",),
    ("csv",),
    ".csv",
    results_format=QueryResultsFormat.CSV,
    format_iri=FORMATS + "SPARQL_Results_CSV",
)
TSV = Representation(
    "tsv",
    "TSV",
    ("text/tab-separated-values",),
    ("tsv",),
    ".tsv",
    results_format=QueryResultsFormat.TSV,
    format_iri=FORMATS + "SPARQL_Results_TSV",
)

# RDF (CONSTRUCT, DESCRIBE, resource descriptions, graphs, dumps)
TURTLE = Representation(
    "turtle",
    "Turtle",
    ("text/turtle", "application/x-turtle", "text/n3"),
    ("turtle", "ttl", "n3"),
    ".ttl",
    rdf_format=RdfFormat.TURTLE,
    format_iri=FORMATS + "Turtle",
)
N_TRIPLES = Representation(
    "ntriples",
    "N-Triples",
    ("application/n-triples", "text/plain"),
    ("ntriples", "nt", "n-triples"),
    ".nt",
    rdf_format=RdfFormat.N_TRIPLES,
    format_iri=FORMATS + "N-Triples",
)
JSON_LD = Representation(
    "jsonld",
    "JSON-LD",
    ("application/ld+json", "application/json"),
    ("jsonld", "json-ld", "json"),
    ".jsonld",
    rdf_format=RdfFormat.JSON_LD,
    format_iri=FORMATS + "JSON-LD",
)
RDF_XML = Representation(
    "rdfxml",
    "RDF/XML",
    ("application/rdf+xml", "application/xml", "text/xml"),
    ("rdfxml", "rdf+xml", "rdf", "xml"),
    ".rdf",
    rdf_format=RdfFormat.RDF_XML,
    format_iri=FORMATS + "RDF_XML",
)
N_QUADS = Representation(
    "nquads",
    "N-Quads",
    ("application/n-quads",),
    ("nquads", "nq"),
    ".nq",
    rdf_format=RdfFormat.N_QUADS,
    format_iri=FORMATS + "N-Quads",
)
TRIG = Representation(
    "trig",
    "TriG",
    ("application/trig",),
    ("trig",),
    ".trig",
    rdf_format=RdfFormat.TRIG,
    format_iri=FORMATS + "TriG",
)

# Pages and other documents of the service
HTML = Representation("html", "HTML", ("text/html", "application/xhtml+xml"), ("html",), ".html")
JSON = Representation("json", "JSON", ("application/json",), ("json",), ".json")
SPARQL_QUERY = Representation("sparql", "SPARQL query text", ("application/sparql-query",), ("sparql", "rq"), ".rq")
# Spreadsheet downloads of saved-query results (gcmkg.service.downloads): a name column beside each
# IRI column; not the W3C CSV above, so selected by `format=` only (CSV keeps text/csv in Accept)
LABELLED_CSV = Representation("csv-labels", "CSV with names", ("text/csv",), ("csv-labels",), ".labels.csv")
XLSX = Representation(
    "xlsx",
    "Excel workbook",
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
    ("xlsx",),
    ".xlsx",
)

ALL: tuple[Representation, ...] = (
    SPARQL_JSON,
    SPARQL_XML,
    CSV,
    TSV,
    TURTLE,
    N_TRIPLES,
    JSON_LD,
    RDF_XML,
    N_QUADS,
    TRIG,
    HTML,
    JSON,
    SPARQL_QUERY,
    LABELLED_CSV,
    XLSX,
)
QUERY_RESULTS = (SPARQL_JSON, SPARQL_XML, CSV, TSV)  # SELECT and ASK, in the server's order of preference
TRIPLES = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML)  # CONSTRUCT and DESCRIBE (statements without their graph)
DATASETS = (N_QUADS, TRIG)  # statements with the named graph each comes from


def by_name(name: str) -> Representation:
    """The representation called ``name`` (``KeyError`` for none)."""
    for representation in ALL:
        if representation.name == name:
            return representation
    raise KeyError(name)


def by_suffix(suffix: str) -> Representation | None:
    """The representation whose files end in ``suffix`` (``".nq"``), None for an unknown suffix."""
    return next((r for r in ALL if r.suffix == suffix), None)

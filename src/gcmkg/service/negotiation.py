"""Content negotiation: the ``Accept`` header (with q-values) and the ``format`` parameter.

One function, :func:`choose`, used by every router: it picks one of the representations a
resource offers, or raises :class:`NotAcceptable` (→ 406 listing what is offered).

Rules (RFC 9110 §12.5.1): the most specific matching range decides a type's quality
(``text/turtle`` over ``text/*`` over ``*/*``); ``q=0`` excludes; among equal qualities the
server's order wins, so the first offered type is the default (also for no ``Accept`` at all).
A ``format`` parameter, when given, overrides ``Accept``: it may be a short name (``json``,
``ttl``…) or a media type; what a short name means depends on what is offered (``json`` is
SPARQL JSON for a SELECT and JSON-LD for a CONSTRUCT), as SPARQLWrapper and others send it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import overload


@dataclass(frozen=True)
class MediaType:
    """A representation: the media type sent in ``Content-Type``, plus what selects it."""

    name: str  # e.g. "text/turtle"
    short: tuple[str, ...] = ()  # values of the `format` parameter, e.g. ("ttl", "turtle")
    aliases: tuple[str, ...] = ()  # other media types in Accept that select it, e.g. "application/x-turtle"
    label: str = ""  # for humans (HTML forms, 406 bodies)

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value (UTF-8 spelled out for textual types)."""
        textual = self.name.startswith("text/") or self.name.endswith(("+json", "+xml", "/json", "/xml"))
        textual = textual or self.name == "application/n-triples"
        return f"{self.name}; charset=utf-8" if textual else self.name


class NotAcceptable(Exception):
    """Nothing offered fits ``Accept`` / ``format`` (→ 406)."""

    def __init__(self, offered: Sequence[MediaType], asked: str) -> None:
        self.offered = list(offered)
        listing = ", ".join(f"{m.name} (format={m.short[0]})" if m.short else m.name for m in offered)
        self.message = f"cannot produce {asked}; this resource is available as: {listing}"
        super().__init__(self.message)


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    q: float
    params: tuple[tuple[str, str], ...]


def parse_accept(accept: str) -> list[_Range]:
    """The media ranges of an ``Accept`` header (malformed entries skipped).

    >>> [(r.type, r.subtype, r.q) for r in parse_accept("text/html;level=1, application/*;q=0.5, */*;q=0.1")]
    [('text', 'html', 1.0), ('application', '*', 0.5), ('*', '*', 0.1)]
    """
    ranges = []
    for part in accept.split(","):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0] or "/" not in pieces[0]:
            continue
        main, _, sub = pieces[0].lower().partition("/")
        q = 1.0
        params = []
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            key, value = key.strip().lower(), value.strip().strip('"')
            if key == "q":
                try:
                    q = min(1.0, max(0.0, float(value)))
                except ValueError:
                    q = 0.0
            elif key:
                params.append((key, value))
        ranges.append(_Range(main.strip(), sub.strip(), q, tuple(params)))
    return ranges


def _quality(media_type: str, ranges: Sequence[_Range], exact_only: bool = False) -> tuple[float, int]:
    """(quality, specificity) of one media type under the most specific matching range.

    ``exact_only`` is for aliases: ``text/*`` selects ``text/csv`` but not, through its alias
    ``text/xml``, SPARQL XML.
    """
    main, _, sub = media_type.partition("/")
    best: tuple[int, float] | None = None
    for r in ranges:
        if r.type == main and r.subtype == sub:
            specificity = 3 if not r.params else 4
        elif exact_only:
            continue
        elif r.type == main and r.subtype == "*":
            specificity = 2
        elif r.type == "*" and r.subtype == "*":
            specificity = 1
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, r.q)
    return (0.0, 0) if best is None else (best[1], best[0])


@overload
def choose(accept: str | None, format_param: str | None, offered: Sequence[MediaType]) -> MediaType: ...
@overload
def choose(accept: str | None, format_param: str | None, offered: Mapping[str, str]) -> str: ...
def choose(
    accept: str | None, format_param: str | None, offered: Sequence[MediaType] | Mapping[str, str]
) -> MediaType | str:
    """The offered representation that fits best; :class:`NotAcceptable` if none does.

    ``offered`` is a sequence of :class:`MediaType` (returns one of them), or a mapping from
    ``format`` names to media types, e.g. ``{"html": "text/html", "turtle": "text/turtle"}``
    (returns the chosen name).

    >>> ttl = MediaType("text/turtle", ("ttl", "turtle")); html = MediaType("text/html", ("html",))
    >>> choose(None, None, [ttl, html]).name
    'text/turtle'
    >>> choose("text/html,application/xml;q=0.9,*/*;q=0.8", None, [ttl, html]).name
    'text/html'
    >>> choose("text/html", "ttl", [ttl, html]).name
    'text/turtle'
    >>> choose("application/ld+json;q=0.9, text/turtle", None, {"html": "text/html", "turtle": "text/turtle"})
    'turtle'
    """
    if isinstance(offered, Mapping):
        types = [MediaType(media, (key,)) for key, media in offered.items()]
        return choose(accept, format_param, types).short[0]
    if not offered:
        raise ValueError("nothing offered")
    if format_param is not None and format_param.strip():
        wanted = format_param.strip().lower()
        for media_type in offered:
            if wanted in media_type.short or wanted == media_type.name or wanted in media_type.aliases:
                return media_type
        if "/" in wanted:  # a media range in `format`: negotiate with it as if it were Accept
            return choose(wanted, None, offered)
        raise NotAcceptable(offered, f"format={format_param!r}")
    if accept is None or not accept.strip():
        return offered[0]
    ranges = parse_accept(accept)
    if not ranges:
        return offered[0]
    best: tuple[float, int, int] | None = None
    chosen = None
    for index, media_type in enumerate(offered):
        q, specificity = max(
            [_quality(media_type.name, ranges), *(_quality(a, ranges, exact_only=True) for a in media_type.aliases)]
        )
        if q <= 0:
            continue
        key = (q, specificity, -index)
        if best is None or key > best:
            best, chosen = key, media_type
    if chosen is None:
        raise NotAcceptable(offered, f"Accept: {accept}")
    return chosen


# The representations of SPARQL results and of RDF graphs, in the server's order of preference.
SPARQL_JSON = MediaType(
    "application/sparql-results+json", ("json", "srj"), ("application/json",), "SPARQL results JSON"
)
SPARQL_XML = MediaType(
    "application/sparql-results+xml", ("xml", "srx"), ("application/xml", "text/xml"), "SPARQL results XML"
)
CSV = MediaType("text/csv", ("csv",), (), "CSV")
TSV = MediaType("text/tab-separated-values", ("tsv",), (), "TSV")
TURTLE = MediaType("text/turtle", ("turtle", "ttl", "n3"), ("application/x-turtle", "text/n3"), "Turtle")
N_TRIPLES = MediaType("application/n-triples", ("nt", "ntriples", "n-triples"), ("text/plain",), "N-Triples")
JSON_LD = MediaType("application/ld+json", ("jsonld", "json-ld", "json"), ("application/json",), "JSON-LD")
RDF_XML = MediaType(
    "application/rdf+xml", ("rdfxml", "rdf+xml", "rdf", "xml"), ("application/xml", "text/xml"), "RDF/XML"
)
HTML = MediaType("text/html", ("html",), ("application/xhtml+xml",), "HTML")

RESULTS = (SPARQL_JSON, SPARQL_XML, CSV, TSV)  # SELECT and ASK
GRAPHS = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML)  # CONSTRUCT and DESCRIBE, and RDF descriptions

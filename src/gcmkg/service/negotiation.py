"""Content negotiation: the ``Accept`` header (with q-values) and the ``format`` parameter.

One function, :func:`choose`, used by every router: it picks one of the representations a
resource offers (from the table in :mod:`gcmkg.representations`), or raises
:class:`NotAcceptable` (→ 406 listing what is offered).

Rules (RFC 9110 §12.5.1): the most specific matching range decides a type's quality
(``text/turtle`` over ``text/*`` over ``*/*``); ``q=0`` excludes; among equal qualities the
server's order wins, so the first offered type is the default (also for no ``Accept`` at all).
A ``format`` parameter, when given and not empty, overrides ``Accept``: it may be a short name
(``json``, ``ttl``…, in any case, nothing around it) or a media type; what a short name means
depends on what is offered (``json`` is SPARQL JSON for a SELECT and JSON-LD for a CONSTRUCT),
as SPARQLWrapper and others send it.

A ``format`` parameter may be repeated when every value selects the same representation:
SPARQLWrapper sends ``format=tsv&format=text/tab-separated-values`` (a short name and a media
type, for servers that know only one of them), on GET and POST alike.  Values that select
different representations are the client's contradiction: :class:`ConflictingFormats` (→ 400).

What was negotiated is announced (:func:`note`, then :class:`AnnounceAlternates` on the way
out): a ``200`` carries ``Content-Location`` (the URL of the chosen representation, with its
``format=``) and a ``Link`` to each other representation (``rel="alternate"`` with its ``type``),
so a crawler finds the Turtle of a page, and a cache knows what it stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gcmkg.representations import Representation


class NotAcceptable(Exception):
    """Nothing offered fits ``Accept`` / ``format`` (→ 406)."""

    def __init__(self, offered: Sequence[Representation], asked: str) -> None:
        self.offered = list(offered)
        listing = ", ".join(f"{r.media_type} (format={r.formats[0]})" for r in offered)
        self.message = f"cannot produce {asked}; this resource is available as: {listing}"
        super().__init__(self.message)


class ConflictingFormats(ValueError):
    """Repeated ``format`` values that select different representations (→ 400)."""

    def __init__(self, values: Sequence[str], chosen: Sequence[Representation]) -> None:
        shown = ", ".join(f"{v!r} ({r.label})" for v, r in zip(values, chosen, strict=True))
        self.message = f"the format parameters disagree: {shown}; send one format (or repeat the same one)"
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


def choose(
    accept: str | None, format_param: str | Sequence[str] | None, offered: Sequence[Representation]
) -> Representation:
    """The offered representation that fits best; :class:`NotAcceptable` if none does.

    ``format_param`` is the ``format`` value, or every value of a repeated ``format`` (empty
    values ignored): they must agree, else :class:`ConflictingFormats`.

    >>> from gcmkg.representations import HTML, TURTLE
    >>> choose(None, None, [TURTLE, HTML]).name
    'turtle'
    >>> choose("text/html,application/xml;q=0.9,*/*;q=0.8", None, [TURTLE, HTML]).name
    'html'
    >>> choose("text/html", "ttl", [TURTLE, HTML]).name
    'turtle'
    >>> choose("application/ld+json;q=0.9, text/turtle", None, [HTML, TURTLE]).name
    'turtle'
    >>> choose(None, ["ttl", "text/turtle", ""], [HTML, TURTLE]).name
    'turtle'
    """
    if not offered:
        raise ValueError("nothing offered")
    if format_param is not None and not isinstance(format_param, str):
        values = [v for v in format_param if v]
        if not values:
            return choose(accept, None, offered)
        each = [choose(accept, v, offered) for v in values]
        if any(r is not each[0] for r in each):
            raise ConflictingFormats(values, each)
        return each[0]
    if format_param:  # as given: empty means "by Accept", anything else must name a representation
        wanted = format_param.lower()
        for representation in offered:
            if wanted in representation.formats or wanted in representation.media_types:
                return representation
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
    for index, representation in enumerate(offered):
        q, specificity = max(
            [
                _quality(representation.media_type, ranges),
                *(_quality(alias, ranges, exact_only=True) for alias in representation.aliases),
            ]
        )
        if q <= 0:
            continue
        key = (q, specificity, -index)
        if best is None or key > best:
            best, chosen = key, representation
    if chosen is None:
        raise NotAcceptable(offered, f"Accept: {accept}")
    return chosen


# --- announcing what was negotiated ---------------------------------------------------------

_NOTED = "negotiated"  # key in the request's scope["state"]: (offered, chosen)


def note(scope: Scope, offered: Sequence[Representation], chosen: Representation) -> None:
    """Record what a route negotiated, for :class:`AnnounceAlternates` to announce."""
    scope.setdefault("state", {})[_NOTED] = (tuple(offered), chosen)


def alternate_headers(
    path: str, query_string: str, offered: Sequence[Representation], chosen: Representation
) -> dict[str, str]:
    """``Content-Location`` of the chosen representation and ``Link`` to the others.

    The URL of a representation is the request's, with ``format=`` set to its first name.

    >>> from gcmkg.representations import HTML, TURTLE
    >>> headers = alternate_headers("/id/x", "format=ttl&lang=en", [HTML, TURTLE], TURTLE)
    >>> headers["Content-Location"]
    '/id/x?lang=en&format=turtle'
    >>> headers["Link"]
    '</id/x?lang=en&format=html>; rel="alternate"; type="text/html"'
    """
    kept = [(k, v) for k, v in parse_qsl(query_string, keep_blank_values=True) if k != "format"]
    quoted = quote(path, safe="/:@!$&'()*+,;=-._~%")

    def url(representation: Representation) -> str:
        return f"{quoted}?{urlencode([*kept, ('format', representation.formats[0])])}"

    links = [f'<{url(r)}>; rel="alternate"; type="{r.media_type}"' for r in offered if r is not chosen]
    headers = {"Content-Location": url(chosen)}
    if links:
        headers["Link"] = ", ".join(links)
    return headers


class AnnounceAlternates:
    """Adds the headers of :func:`alternate_headers` to a ``200`` whose route called :func:`note`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_alternates(message: Message) -> None:
            noted = scope.get("state", {}).get(_NOTED)
            if message["type"] == "http.response.start" and message["status"] == 200 and noted:
                out = MutableHeaders(scope=message)
                query = scope.get("query_string", b"").decode("latin-1")
                path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")  # as the client wrote it
                for name, value in alternate_headers(path, query, *noted).items():
                    if name.lower() == "link" and "link" in out:
                        value = f"{out['link']}, {value}"
                    out[name] = value
            await send(message)

        await self.app(scope, receive, send_with_alternates)

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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gcmkg.representations import Representation


class NotAcceptable(Exception):
    """Nothing offered fits ``Accept`` / ``format`` (→ 406)."""

    def __init__(self, offered: Sequence[Representation], asked: str) -> None:
        self.offered = list(offered)
        listing = ", ".join(f"{r.media_type} (format={r.formats[0]})" for r in offered)
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


def choose(accept: str | None, format_param: str | None, offered: Sequence[Representation]) -> Representation:
    """The offered representation that fits best; :class:`NotAcceptable` if none does.

    >>> from gcmkg.representations import HTML, TURTLE
    >>> choose(None, None, [TURTLE, HTML]).name
    'turtle'
    >>> choose("text/html,application/xml;q=0.9,*/*;q=0.8", None, [TURTLE, HTML]).name
    'html'
    >>> choose("text/html", "ttl", [TURTLE, HTML]).name
    'turtle'
    >>> choose("application/ld+json;q=0.9, text/turtle", None, [HTML, TURTLE]).name
    'turtle'
    """
    if not offered:
        raise ValueError("nothing offered")
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

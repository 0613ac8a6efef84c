"""Looking at a SPARQL request's text before anything evaluates it.

pyoxigraph exposes no algebra to Python, and its ``Store.query`` *executes* (``SERVICE`` over
HTTP, ``ORDER BY`` and ``ASK`` eagerly), so the endpoint cannot ask it "what is this?" safely.
This module answers the few questions the endpoint must answer first — which form (``SELECT``,
``ASK``, ``CONSTRUCT``, ``DESCRIBE``, or an update), does it use ``SERVICE``, does it name its
own dataset (``FROM``) — with a tokenizer that follows the SPARQL 1.1 grammar's terminals
(§19.8): strings (four kinds, with escapes), IRIs, comments, variables, prefixed names and
blank-node labels are single tokens, so ``"SERVICE"``, ``<http://x/service>``, ``# SERVICE``,
``?service`` and ``ex:SERVICE`` are never mistaken for the keyword.

The tokenizer is deliberately *conservative* where it could disagree with pyoxigraph's parser:
a character it cannot place becomes a one-character token and scanning goes on, so a keyword
can only hide inside a token that the grammar itself says is a string, IRI or comment.

It also fixes one known disagreement: the grammar tokenizes ``<?a&&?b>`` as an IRI (longest
match), so ``FILTER(?x<?a&&?b>?y)`` is malformed (W3C ``syn-bad-26``), but pyoxigraph reads
the ``<`` as "less than" and accepts it.  :func:`masked_iris` replaces every IRI token by a
same-length relative IRI; the worker parses that text first, so the query is rejected exactly
when the grammar says so, at the same line and column.

When the parser refuses a query, its message lists what it expected at the position, which
misleads for the commonest mistakes ("expected OPTIONAL" for two triple patterns without a
dot between them).  :func:`syntax_hints` reads the tokens and names the mistake: a prefix used
but not declared, brackets that do not balance, a triple pattern with no object, two triple
patterns with no ``.`` between them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

# SPARQL 1.1 grammar terminals (https://www.w3.org/TR/sparql11-query/#terminals), as regexes.
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_LOCAL = f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
_ECHAR_OR_CHAR = r"(?:\\.|[^\\])"


@functools.cache
def _token_pattern() -> re.Pattern[str]:
    """The tokeniser, compiled on first use: compiling its Unicode classes costs tens of
    milliseconds, which a cold start should not pay before its first answer."""
    return re.compile(
        "|".join(
            [
                r"(?P<ws>[ \t\r\n]+)",
                r"(?P<comment>#[^\r\n]*)",
                r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
                r"(?P<string>'''(?:(?:'|'')?(?:\\.|[^'\\]))*'''"
                r'|"""(?:(?:"|"")?(?:\\.|[^"\\]))*"""'
                r"|'(?:\\.|[^'\\\n\r])*'"
                r'|"(?:\\.|[^"\\\n\r])*")',
                f"(?P<var>[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*)",
                f"(?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
                f"(?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)",
                r"(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)",
                r"(?P<number>[+-]?(?:[0-9]+\.?[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?))",
                f"(?P<word>[{_PN_CHARS_BASE}][{_PN_CHARS_U}0-9]*)",
                r"(?P<punct>\^\^|&&|\|\||!=|<=|>=|.)",
            ]
        ),
        re.DOTALL,
    )

QUERY_FORMS = ("select", "ask", "construct", "describe")
UPDATE_KEYWORDS = frozenset(
    {"insert", "delete", "load", "clear", "create", "drop", "copy", "move", "add", "with", "using"}
)


@dataclass(frozen=True)
class Token:
    kind: str  # iri, string, var, bnode, pname, langtag, number, word, punct (ws/comments are dropped)
    text: str
    start: int


def tokens(text: str) -> list[Token]:
    """The significant tokens of a SPARQL text (whitespace and comments dropped)."""
    found = []
    for match in _token_pattern().finditer(text):
        kind = match.lastgroup or "punct"
        if kind not in ("ws", "comment"):
            found.append(Token(kind, match.group(), match.start()))
    return found


@dataclass(frozen=True)
class Screened:
    """What the endpoint needs to know about a request's text before it is evaluated."""

    form: str | None  # "select" | "ask" | "construct" | "describe" | "update" | None (not recognised)
    uses_service: bool
    service_at: int | None  # character offset of the first SERVICE keyword
    has_dataset_clause: bool  # FROM / FROM NAMED in the query itself
    ambiguous_iri: str | None  # the first IRI token where pyoxigraph might read "<" as an operator
    depth: int = 0  # the deepest nesting of { ( [ outside strings, IRIs and comments


def screen(text: str) -> Screened:
    """Classify a request text.

    >>> screen('PREFIX s: <http://x/SERVICE#> SELECT ("SERVICE" AS ?service) { ?s s:SERVICE ?o } # SERVICE')
    Screened(form='select', uses_service=False, service_at=None, has_dataset_clause=False, ambiguous_iri=None, depth=1)
    >>> screen("SELECT * { { ?s ?p ?o FILTER((?o > 1)) } }").depth
    4
    >>> screen("ask { optional { service silent <http://127.0.0.1:9/> { ?s ?p ?o } } }").uses_service
    True
    >>> screen("CLEAR ALL").form
    'update'
    """
    toks = tokens(text)
    words = [t for t in toks if t.kind == "word"]
    service = next((t for t in words if t.text.lower() == "service"), None)
    form = _form(toks)
    ambiguous = None
    for before, previous, token in zip([None, *toks], toks, toks[1:], strict=False):
        if (
            token.kind == "iri"
            and not (before and before.text.lower() == "prefix")
            and (
                previous.kind in ("var", "number", "string", "langtag", "pname", "iri", "bnode")
                or previous.text in (")", "]")
                or previous.text.lower() in ("true", "false")
            )
        ):
            ambiguous = token.text
            break
    return Screened(
        form=form,
        uses_service=service is not None,
        service_at=service.start if service else None,
        has_dataset_clause=any(t.text.lower() == "from" for t in words),
        ambiguous_iri=ambiguous,
        depth=_depth(toks),
    )


def _depth(toks: list[Token]) -> int:
    depth = deepest = 0
    for token in toks:
        if token.kind != "punct":
            continue
        if token.text in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif token.text in "})]":
            depth = max(0, depth - 1)
    return deepest


def _form(toks: list[Token]) -> str | None:
    """The first keyword after the prologue (BASE / PREFIX declarations)."""
    i = 0
    while i < len(toks):
        token = toks[i]
        keyword = token.text.lower() if token.kind == "word" else None
        if keyword == "base":
            i += 2
        elif keyword == "prefix":
            i += 3
        elif keyword in QUERY_FORMS:
            return keyword
        elif keyword in UPDATE_KEYWORDS:
            return "update"
        else:
            return None
    return None


def masked_iris(text: str) -> str:
    """The text with every IRI token outside the prologue replaced by a relative IRI of the same length.

    Parsing the masked text (with a base IRI) accepts exactly the queries in which every
    grammar-level IRI token is used as an IRI; positions in error messages are unchanged.
    ``BASE`` and ``PREFIX`` IRIs are kept (they cannot be misread, and functions such as
    ``xsd:integer(...)`` must keep their names).

    >>> masked_iris('PREFIX x: <http://x/> SELECT * { ?s <http://x/p> "<not an iri>" FILTER(?x<?a&&?b>?y) }')
    'PREFIX x: <http://x/> SELECT * { ?s <aaaaaaaaaa> "<not an iri>" FILTER(?x<aaaaaa>?y) }'
    """
    parts = []
    last = 0
    toks = tokens(text)
    for index, token in enumerate(toks):
        if token.kind != "iri":
            continue
        declared = (index >= 1 and toks[index - 1].text.lower() == "base") or (
            index >= 2 and toks[index - 2].text.lower() == "prefix"
        )
        if declared:
            continue
        parts.append(text[last : token.start])
        parts.append("<" + "a" * (len(token.text) - 2) + ">")
        last = token.start + len(token.text)
    parts.append(text[last:])
    return "".join(parts)


# --- hints for malformed queries ----------------------------------------------------------------

_TERMS = ("iri", "pname", "var", "bnode", "string", "number")
_OPENING = {"{": "}", "(": ")", "[": "]"}


def _is_term(token: Token) -> bool:
    return token.kind in _TERMS or (token.kind == "word" and token.text in ("a", "true", "false"))


def syntax_hints(
    text: str, line: int | None = None, column: int | None = None, predeclared: Mapping[str, str] | None = None
) -> list[str]:
    """What is probably wrong with a query the parser refused at ``line``:``column`` (1-based).

    ``predeclared``: the prefixes the endpoint declares for every query (the project's), which a
    query may use without declaring them.

    >>> syntax_hints("SELECT * WHERE { ?s ex:p ?o }")
    ["the prefix 'ex:' is not declared: add PREFIX ex: <namespace IRI> before it"]
    >>> syntax_hints("SELECT * WHERE { ?s a gcm:Objective }", predeclared={"gcm": "http://x/ontology#"})
    []
    >>> syntax_hints("SELECT * WHERE { ?s ?p ?o ")
    ["1 '{' opened but 0 closed: close each { with }"]
    >>> syntax_hints("SELECT * WHERE { ?s <http://x/p> }", 1, 34)
    ["the triple pattern '?s <http://x/p>' has no object: write subject, predicate and object (?s ?p ?o)"]
    >>> syntax_hints("SELECT * WHERE { ?s ?p ?o ?s ?q ?v }", 1, 27)
    ["no '.' after the triple pattern '?s ?p ?o': end each triple pattern with ' .' before the next one"]
    """
    toks = tokens(text)
    hints = []
    declared = {toks[i + 1].text.rstrip(":") for i, t in enumerate(toks[:-1]) if t.text.lower() == "prefix"}
    used = dict.fromkeys(
        t.text.split(":", 1)[0]
        for i, t in enumerate(toks)
        if t.kind == "pname" and not (i >= 1 and toks[i - 1].text.lower() == "prefix")
    )
    for prefix in used:
        if prefix not in declared and prefix not in (predeclared or {}):
            hints.append(f"the prefix '{prefix}:' is not declared: add PREFIX {prefix}: <namespace IRI> before it")
    for opening, closing in _OPENING.items():
        opened = sum(1 for t in toks if t.kind == "punct" and t.text == opening)
        closed = sum(1 for t in toks if t.kind == "punct" and t.text == closing)
        if opened != closed:
            hints.append(f"{opened} '{opening}' opened but {closed} closed: close each {opening} with {closing}")
    if line is not None and column is not None:
        hint = _pattern_hint(toks, _offset(text, line, column))
        if hint:
            hints.append(hint)
    return hints


def _offset(text: str, line: int, column: int) -> int:
    lines = text.splitlines(keepends=True)
    return sum(len(x) for x in lines[: line - 1]) + column - 1


def _pattern_hint(toks: list[Token], offset: int) -> str | None:
    """A triple pattern cut short (no object) or run on (no dot), from the tokens before ``offset``."""
    at = max((i for i, t in enumerate(toks) if t.start <= offset), default=None)
    if at is None:
        return None
    start = at
    while start > 0 and not (toks[start - 1].kind == "punct" and toks[start - 1].text in "{}.;,"):
        start -= 1
    before = toks[start:at]
    separator = toks[start - 1].text if start > 0 else ""
    stops = toks[at].kind == "punct" and toks[at].text in "}."
    if separator == "," and not before and stops:
        return "nothing follows ',': write the object after it, or remove the ','"
    if not before or not all(_is_term(t) or t.kind == "langtag" or t.text == "^^" for t in before):
        return None
    terms = [t for t in before if _is_term(t)]
    shown = " ".join(t.text for t in before)
    needed = {"{": 2, ".": 2, "}": 2, ";": 1}.get(separator)  # terms before the missing object
    if stops and needed is not None and len(terms) == needed:
        return f"the triple pattern '{shown}' has no object: write subject, predicate and object (?s ?p ?o)"
    if separator in ("{", ".", "}") and len(terms) >= 3 and _is_term(toks[at]):
        shown = " ".join(t.text for t in before[:3])
        return f"no '.' after the triple pattern '{shown}': end each triple pattern with ' .' before the next one"
    return None

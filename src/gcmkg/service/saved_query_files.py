"""Saved-query files: ``queries/*.rq`` and their ``#+`` comment headers, read into :class:`SavedQuery`.

(Not to be confused with the instrument and actor catalogue of ``catalogue/``: this module
knows only the saved queries the service publishes at ``/queries``.)

A saved query is one file; its name (without ``.rq``) is its API name (``/queries/{name}``).
Its metadata sits in ``#+`` comment lines, grlc style, in a small key/value format (documented
with examples in ``queries/README.md``)::

    #+ summary: The actions of an objective
    #+ description: Every lettered action of one objective, in the order of the text.
    #+ tags: objectives, actions
    #+ param: objective
    #+   type: integer
    #+   default: 1
    #+   values: 1..23
    #+   description: The objective's number as printed (1 to 23)

A parameter that declares ``any: <label>`` may be left open: the value ``any`` (and, when it
has no default, an empty or absent value) leaves its variable unbound, so the query answers for
every value at once, and the form offers it as a choice named by the label.  A parameter
without ``any`` always means one value (its default when none is given); the form offers no
"any" choice for it.  ``choices: <class IRI>`` makes the form a select list of the instances of
that class in the graph, with their names (the bound value is still any IRI).

Parameters are bound as RDF terms through pyoxigraph's ``substitutions`` — never spliced into
the query text — and pyoxigraph binds only variables of the SELECT projection (:mod:`gcmkg.store`,
hazard 5), so every parameter must be projected; :func:`parse` refuses a file where it is not.
Errors name the file and line.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from pyoxigraph import Literal, NamedNode

from gcmkg.errors import GcmkgError
from gcmkg.iris import XSD
from gcmkg.service.screening import tokens
from gcmkg.store import Term

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
PARAM_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
LANGUAGE_RE = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")  # used with fullmatch, as the others
INTEGER_RE = re.compile(r"[+-]?[0-9]+")
BOOLEAN_RE = re.compile(r"true|false|1|0")
NOT_BLANK = re.compile(r"[^ \t\r\n]")  # a string value is empty when it has nothing else
# An IRI value: an absolute http(s), urn or mailto IRI, or a reference relative to the base IRI,
# written in ASCII (percent-encode anything else, a literal % as %25).  What matches resolves to
# a valid IRI; the OpenAPI document gives the same pattern, so the two cannot disagree.
_PCT = r"%[0-9A-Fa-f]{2}"
_C = rf"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|{_PCT})"  # path, query and fragment characters
_S = rf"(?:[A-Za-z0-9\-._~!$&'()*+,;=@]|{_PCT})"  # the first segment of a relative reference: no ':'
_HOST = rf"(?:[A-Za-z0-9\-._~!$&'()*+,;=]|{_PCT})+(?::[0-9]*)?"
IRI_RE = re.compile(
    rf"(?:https?://{_HOST}(?:[/?]{_C}*)?|urn:{_C}*|mailto:{_C}*"
    rf"|{_S}+(?:[/?]{_C}*)?|/(?:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@?]|{_PCT}){_C}*)?|\?{_C}*)(?:#{_C}*)?|#{_C}*"
)
RANGE_RE = re.compile(r"^(-?[0-9]+)\s*\.\.\s*(-?[0-9]+)$")
HEADER_KEYS = ("summary", "description", "tags", "param")
PARAM_KEYS = ("type", "default", "values", "description", "required", "any", "choices")
ANY = "any"  # the value that leaves a parameter declaring ``any:`` open (every value at once)
FORM_RE = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


class ParamType(enum.Enum):
    """What a parameter's value becomes when it is bound."""

    IRI = "iri"  # a NamedNode; absolute, or relative to the base IRI (``id/a-73-l-66/en``)
    STRING = "string"  # a plain xsd:string literal
    INTEGER = "integer"  # an xsd:integer literal
    LANGUAGE = "language"  # a BCP 47 language tag as a plain literal ("en", "sv")
    BOOLEAN = "boolean"  # an xsd:boolean literal ("true" / "false")


class SavedQueryError(GcmkgError):
    """A saved query file that cannot be used; the message names the file and line."""


@dataclass
class ParameterError(ValueError):
    """A request gave a bad or missing value for a parameter (HTTP 422).

    Not frozen: raising sets ``__traceback__``, which a frozen dataclass refuses when the error
    passes through a generator-based context manager.
    """

    name: str
    reason: str

    def __str__(self) -> str:
        return f"parameter {self.name!r}: {self.reason}"


@dataclass(frozen=True)
class Parameter:
    """One parameter of a saved query; ``name`` is the SPARQL variable it binds."""

    name: str
    type: ParamType = ParamType.STRING
    description: str = ""
    default: str | None = None
    values: tuple[str, ...] = ()  # allowed values; empty means any value of the type
    required: bool = True
    any: str | None = None  # the label of the "every value" choice, for a parameter that may be left open
    choices: str | None = None  # a class IRI (maybe relative): the form lists its instances by name

    @property
    def optional(self) -> bool:
        """Whether a request may leave the parameter out (it has a default, or may be open)."""
        return self.default is not None or not self.required

    def accepts(self) -> str:
        """What the parameter accepts, in words, for an error message."""
        if self.values:
            shown = ", ".join(self.values[:30]) + (" …" if len(self.values) > 30 else "")
            accepted = f"one of {shown}"
        else:
            accepted = {
                ParamType.IRI: "an IRI (absolute, or relative to the base IRI such as id/a-73-l-66/en)",
                ParamType.STRING: "any text that is not blank",
                ParamType.INTEGER: "a whole number",
                ParamType.LANGUAGE: "a language tag such as en or sv",
                ParamType.BOOLEAN: "true or false",
            }[self.type]
        return accepted + (f", or {ANY} ({self.any})" if self.any else "")

    def to_term(self, raw: str, base_iri: str) -> Term:
        """The RDF term for a value given as text; raises :class:`ParameterError` saying why.

        Only a free string is trimmed (of spaces, tabs and line breaks); any other value must
        match its syntax as given (:data:`SYNTAX`, the patterns the OpenAPI document shows).
        """
        if not NOT_BLANK.search(raw):
            raise ParameterError(self.name, "is empty")
        value = raw.strip(" \t\r\n") if self.type is ParamType.STRING and not self.values else raw
        term = self._term(value, base_iri)
        if self.values:
            normal = str(getattr(term, "value", value)) if self.type is ParamType.INTEGER else value
            allowed = self.values
            if self.type is ParamType.IRI:
                allowed = tuple(urljoin(base_iri, v) for v in self.values)
                normal = str(getattr(term, "value", value))
            if normal not in allowed:
                shown = ", ".join(self.values[:30]) + (" …" if len(self.values) > 30 else "")
                raise ParameterError(self.name, f"{value!r} is not one of the allowed values: {shown}")
        return term

    def _term(self, value: str, base_iri: str) -> Term:
        if self.type is ParamType.IRI:
            if not IRI_RE.fullmatch(value):
                raise ParameterError(self.name, f"{value!r} {_iri_problem(value)}")
            try:  # the IRI grammar itself, as a guard: what matches the pattern is a valid IRI
                return NamedNode(urljoin(base_iri, value))
            except ValueError as error:
                raise ParameterError(self.name, f"{value!r} is not an IRI ({error})") from None
        if self.type is ParamType.INTEGER:
            if not INTEGER_RE.fullmatch(value):
                raise ParameterError(self.name, f"{value!r} is not an integer")
            return Literal(str(int(value)), datatype=NamedNode(XSD + "integer"))
        if self.type is ParamType.LANGUAGE:
            if not LANGUAGE_RE.fullmatch(value):
                raise ParameterError(self.name, f"{value!r} is not a language tag such as 'en' or 'sv'")
            return Literal(value.lower())
        if self.type is ParamType.BOOLEAN:
            if not BOOLEAN_RE.fullmatch(value):
                raise ParameterError(self.name, f"{value!r} is not a boolean (true or false)")
            return Literal("true" if value in ("true", "1") else "false", datatype=NamedNode(XSD + "boolean"))
        return Literal(value)


_IRI_CHARS = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/?#%]")


def _iri_problem(value: str) -> str:
    """What is wrong with a value :data:`IRI_RE` refuses, for the client.

    >>> _iri_problem("has space")
    "contains ' ' (at 3), which is not allowed in an IRI here: percent-encode it"
    >>> _iri_problem("100%")
    'has a % not followed by two hex digits (write a literal % as %25)'
    >>> _iri_problem("ftp:x")[:13]
    'is not an IRI'
    """
    for at, char in enumerate(value):
        if not _IRI_CHARS.fullmatch(char):
            return f"contains {char!r} (at {at}), which is not allowed in an IRI here: percent-encode it"
    if re.search(r"%(?![0-9A-Fa-f]{2})", value):
        return "has a % not followed by two hex digits (write a literal % as %25)"
    return (
        "is not an IRI this service takes: give an absolute http(s), urn or mailto IRI, or one relative to the "
        "base IRI such as id/a-73-l-66/en (one # at most)"
    )


# the syntax a value of each non-string type must have (fullmatch); the OpenAPI document shows it
SYNTAX = {
    ParamType.IRI: IRI_RE,
    ParamType.INTEGER: INTEGER_RE,
    ParamType.LANGUAGE: LANGUAGE_RE,
    ParamType.BOOLEAN: BOOLEAN_RE,
}


@dataclass(frozen=True)
class SavedQuery:
    """A query file with its metadata."""

    name: str
    path: Path
    summary: str
    text: str
    form: str  # select | ask | construct | describe
    description: str = ""
    tags: tuple[str, ...] = ()
    params: tuple[Parameter, ...] = field(default_factory=tuple)

    def portable_text(self, base_iri: str) -> str:
        r"""The query text with every relative IRI resolved against ``base_iri``, so any engine can run it.

        The files write the vocabulary as ``PREFIX gcm: <ontology#>`` (:mod:`gcmkg.iris`), which only
        an engine given the base IRI can resolve; what is served to clients and editors is absolute.
        Only IRI tokens change (strings and comments are left alone), so lines and columns stay put
        except on the lines of the IRIs themselves.

        >>> text = 'PREFIX gcm: <ontology#>\nSELECT * { ?s a gcm:X ; gcm:p "<ontology#>" }'
        >>> query = SavedQuery("q", Path("q.rq"), "Q", text, "select")
        >>> print(query.portable_text("http://example.org/"))
        PREFIX gcm: <http://example.org/ontology#>
        SELECT * { ?s a gcm:X ; gcm:p "<ontology#>" }
        """
        return _absolute(self.text, base_iri)

    def bind(self, given: Mapping[str, str | None], base_iri: str) -> dict[str, Term]:
        """Substitutions for the given values (defaults filled in); raises :class:`ParameterError`.

        A parameter left open (``any``, or nothing given for one without a default that may be
        open) is not in the substitutions: its variable stays unbound.
        """
        bound: dict[str, Term] = {}
        for param in self.params:
            raw = given.get(param.name)
            if param.any is not None and raw == ANY:
                continue
            if raw is None or raw == "":
                if param.default is not None:
                    raw = param.default
                elif param.required:
                    raise ParameterError(param.name, f"is required ({param.type.value}) and was not given")
                else:
                    continue
            bound[param.name] = param.to_term(raw, base_iri)
        return bound


@functools.lru_cache(maxsize=1024)  # pages and descriptions ask for the same few texts again and again
def _absolute(text: str, base_iri: str) -> str:
    parts, last = [], 0
    for token in tokens(text):
        if token.kind == "iri":
            reference = token.text[1:-1]
            # urljoin drops an empty fragment, which a hash namespace such as <ontology#> needs
            absolute = urljoin(base_iri, reference) + ("#" if reference.endswith("#") else "")
            parts += [text[last : token.start], f"<{absolute}>"]
            last = token.start + len(token.text)
    return "".join(parts) + text[last:]


def _projection(text: str) -> str | None:
    """The projection of the first SELECT (``*`` or the variables), comments stripped."""
    body = "\n".join(
        line.split("#", 1)[0] if not line.lstrip().startswith("PREFIX") else "" for line in text.splitlines()
    )
    match = re.search(r"\bSELECT\b(.*?)(\bWHERE\b|\bFROM\b|\{)", body, re.IGNORECASE | re.DOTALL)
    return match.group(1) if match else None


def _values(spec: str, where: str) -> tuple[str, ...]:
    spec = spec.strip()
    match = RANGE_RE.match(spec)
    if match:
        low, high = int(match.group(1)), int(match.group(2))
        if high < low:
            raise SavedQueryError(f"{where}: empty range {spec!r}")
        return tuple(str(n) for n in range(low, high + 1))
    return tuple(v.strip() for v in spec.split(",") if v.strip())


def parse(path: Path) -> SavedQuery:
    """Read one ``.rq`` file; raises :class:`SavedQueryError` naming the file and line."""
    name = path.stem
    if not NAME_RE.match(name):
        raise SavedQueryError(f"{path}: file name {name!r} is not a usable API name (use [a-z0-9_-])")
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    params: list[dict[str, str]] = []
    param_lines: list[int] = []
    current: dict[str, str] | None = None
    last_key: tuple[dict[str, str], str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#+"):
            continue
        where = f"{path}:{number}"
        rest = line[2:]
        indented = rest.startswith("   ") or rest.startswith("\t")
        content = rest.strip()
        if not content:
            continue
        key, sep, value = content.partition(":")
        key = key.strip().lower()
        value = value.strip()
        if not sep or " " in key:
            # a continuation of the previous value (a long description)
            if last_key is None:
                raise SavedQueryError(f"{where}: expected 'key: value' in the #+ header, got {content!r}")
            target, previous = last_key
            target[previous] = f"{target[previous]} {content}".strip()
            continue
        if indented:
            if current is None:
                raise SavedQueryError(f"{where}: indented {key!r} outside a 'param:' block")
            if key not in PARAM_KEYS:
                raise SavedQueryError(f"{where}: unknown parameter key {key!r} (known: {', '.join(PARAM_KEYS)})")
            current[key] = value
            last_key = (current, key)
            continue
        if key not in HEADER_KEYS:
            raise SavedQueryError(f"{where}: unknown header key {key!r} (known: {', '.join(HEADER_KEYS)})")
        if key == "param":
            if not PARAM_NAME_RE.match(value):
                raise SavedQueryError(f"{where}: parameter name {value!r} is not a SPARQL variable name")
            current = {"name": value}
            params.append(current)
            param_lines.append(number)
            last_key = None
        else:
            current = None
            header[key] = f"{header[key]} {value}".strip() if key in header else value
            last_key = (header, key)
    if not header.get("summary"):
        raise SavedQueryError(f"{path}: no '#+ summary:' line (every saved query needs a title)")
    match = FORM_RE.search("\n".join(line.split("#", 1)[0] for line in text.splitlines()))
    if not match:
        raise SavedQueryError(f"{path}: not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    form = match.group(1).lower()
    parsed_params = []
    projection = _projection(text) if form == "select" else None
    for spec, line_number in zip(params, param_lines, strict=True):
        where = f"{path}:{line_number}"
        try:
            ptype = ParamType(spec.get("type", "string").lower())
        except ValueError:
            known = ", ".join(t.value for t in ParamType)
            raise SavedQueryError(
                f"{where}: parameter {spec['name']!r} has unknown type {spec.get('type')!r} ({known})"
            ) from None
        required_text = spec.get("required", "").lower()
        if required_text not in ("", "true", "false"):
            raise SavedQueryError(f"{where}: 'required' must be true or false")
        any_label = spec.get("any") or None
        if required_text == "true" and any_label:
            raise SavedQueryError(f"{where}: a parameter that may be left open ('any') cannot be required")
        param = Parameter(
            name=spec["name"],
            type=ptype,
            description=spec.get("description", ""),
            default=spec.get("default") or None,
            values=_values(spec["values"], where) if spec.get("values") else (),
            required=required_text != "false" and any_label is None,
            any=any_label,
            choices=spec.get("choices") or None,
        )
        if any_label and ANY in param.values:
            raise SavedQueryError(f"{where}: {ANY!r} is one of the values, so it cannot also mean every value")
        if param.default is not None:
            try:
                param.to_term(param.default, "http://example.org/")
            except ParameterError as error:
                raise SavedQueryError(f"{where}: default of {error}") from None
        if form != "select":
            raise SavedQueryError(f"{where}: parameters are only supported in SELECT queries")
        if projection is None or not (
            projection.strip() == "*" or re.search(rf"[?$]{re.escape(param.name)}\b", projection)
        ):
            raise SavedQueryError(
                f"{where}: parameter ?{param.name} must be in the SELECT projection to be bound "
                "(pyoxigraph binds only projected variables; gcmkg.store, hazard 5)"
            )
        parsed_params.append(param)
    names = [p.name for p in parsed_params]
    if len(set(names)) != len(names):
        raise SavedQueryError(f"{path}: a parameter is declared twice ({', '.join(names)})")
    tags = tuple(t.strip() for t in header.get("tags", "").split(",") if t.strip())
    return SavedQuery(
        name=name,
        path=path,
        summary=header["summary"],
        description=header.get("description", ""),
        tags=tags,
        params=tuple(parsed_params),
        text=text,
        form=form,
    )


def load_catalog(folder: Path) -> dict[str, SavedQuery]:
    """Every ``*.rq`` in ``folder`` by name, in name order (a new file is picked up at start-up)."""
    if not folder.is_dir():
        raise SavedQueryError(f"{folder}: no saved-query folder")
    return {query.name: query for query in (parse(path) for path in sorted(folder.glob("*.rq")))}

"""SHACL Core on the store itself: the shapes of ``shapes/*.ttl`` compiled into SPARQL (stage ⑤).

The reference engine, pyshacl, needs the graph copied into rdflib and the ontology mixed into
that copy (11 s of a 19 s build).  This module checks the shapes where the graph is, in two steps
per constraint:

1. **SPARQL selects candidates.**  For a constraint on values, a query returns the (focus node,
   value node) pairs that a conservative filter cannot clear: what the filter clears surely
   conforms (a well-formed ``xsd:integer`` ≥ 1 conforms to ``sh:minInclusive 1``), what it does
   not clear may still conform (``" 1"^^xsd:integer``, which rdflib reads as 1).  Counts (``sh:minCount``,
   ``sh:maxCount``, ``sh:uniqueLang``) are exact in SPARQL.  On a conforming graph every query
   returns nothing, so nothing is copied into Python.
2. **Python judges each candidate** by the constraint's definition in the SHACL spec, on rdflib
   terms, as pyshacl does (so ill-typed literals, regular expressions and comparisons behave as
   in the reference); each candidate it confirms is one validation result.

Which SHACL Core features are compiled is :data:`COMPILED` (the ones our shapes use); a shape
that uses anything else makes :func:`load_shapes` raise :class:`UnsupportedShape` naming the
feature, so no rule passes because it was not understood.  The equivalence with pyshacl is
tested on the real graph and on every broken graph of the shape tests (``tests/shapes``).

Class membership (targets and ``sh:class``) follows ``rdf:type/rdfs:subClassOf*`` over the store
and the ontology passed in, as pyshacl's ``ont_graph`` does; the closure of each class is computed
once and sent to SPARQL as a list of classes.  The data graph is the union of the store's named
graphs, as a set: counts are of distinct values, since a triple two graphs hold is one triple.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import rdflib
from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions, RdfFormat, parse

from gcmkg.store import GraphStore

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = NamedNode(RDF + "type")
SUBCLASS_OF = NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")

Node = NamedNode | BlankNode
Term = NamedNode | BlankNode | Literal
Row = dict[str, Any]  # a query row: variable name → term

#: The SHACL Core parameters this compiler understands; any other ``sh:`` predicate on a shape
#: is refused.  (Targets, the shape's structure, and the constraint components.)
TARGETS = ("targetClass", "targetSubjectsOf", "targetObjectsOf")
STRUCTURE = ("property", "path", "message", "sparql", "name", "description")
COMPONENTS = (
    "minCount",
    "maxCount",
    "datatype",
    "class",
    "nodeKind",
    "pattern",
    "minLength",
    "minInclusive",
    "maxInclusive",
    "lessThan",
    "lessThanOrEquals",
    "in",
    "or",
    "uniqueLang",
    "qualifiedValueShape",
)
COMPILED = TARGETS + STRUCTURE + COMPONENTS + ("flags", "qualifiedMinCount")

NODE_KINDS: dict[str, Callable[[Term], bool]] = {
    "IRI": lambda t: isinstance(t, NamedNode),
    "BlankNode": lambda t: isinstance(t, BlankNode),
    "Literal": lambda t: isinstance(t, Literal),
    "BlankNodeOrIRI": lambda t: not isinstance(t, Literal),
    "BlankNodeOrLiteral": lambda t: not isinstance(t, NamedNode),
    "IRIOrLiteral": lambda t: not isinstance(t, BlankNode),
}
NODE_KIND_SPARQL = {
    "IRI": "isIRI({v})",
    "BlankNode": "isBlank({v})",
    "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "!isLiteral({v})",
    "BlankNodeOrLiteral": "!isIRI({v})",
    "IRIOrLiteral": "!isBlank({v})",
}
# pyshacl's own message where a shape has no sh:message (only for the components that need one).
GENERIC_MESSAGES = {"nodeKind": "Value is not of Node Kind {parameter}"}
REGEX_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}

# Literals that rdflib surely reads as a value of their datatype (so pyshacl's sh:datatype and
# comparisons accept them): Oxigraph keeps a valid number or boolean as its value, in canonical
# form, and an invalid one as text, which isNumeric rejects.  Any other literal of these
# datatypes goes to the Python judge.
WELL_FORMED = {
    XSD + "integer": "isNumeric({v})",
    XSD + "decimal": "isNumeric({v})",
    XSD + "boolean": "(sameTerm({v}, true) || sameTerm({v}, false))",
}
# Datatypes rdflib gives no Python value and pyshacl does not check: the datatype alone decides.
UNCHECKED = {XSD + "gYear", XSD + "gYearMonth", XSD + "language"}
NUMERIC = (XSD + "integer", XSD + "decimal")


class UnsupportedShape(ValueError):
    """A shape uses a SHACL feature this compiler does not implement."""


@dataclass(frozen=True)
class Result:
    """One validation result: the shape that reports it, its focus node and its message."""

    shape: str  # the IRI of the shape, or its blank node's id
    focus: str  # the IRI of the focus node, or its blank node's id
    message: str
    component: str  # the SHACL constraint component, e.g. "minCount" or "sparql"


@dataclass
class Shape:
    node: Node
    path: NamedNode | None = None
    message: str | None = None
    targets: list[tuple[str, NamedNode]] = field(default_factory=list)
    constraints: list[tuple[str, Any]] = field(default_factory=list)  # (component, parameter)
    properties: list[Shape] = field(default_factory=list)
    sparql: list[tuple[str, str]] = field(default_factory=list)  # (SELECT text, message)

    @property
    def name(self) -> str:
        return self.node.value


@dataclass
class Shapes:
    """The compiled shapes graph: the shapes with targets, and the prefixes its files declare."""

    shapes: list[Shape]
    prefixes: dict[str, str]

    def display(self, iri: NamedNode) -> str:
        """An IRI as the report shows a path: ``gcm:text`` where a prefix covers it."""
        namespace, local = re.fullmatch(r"(.*[#/])([^#/]*)", iri.value).groups()  # type: ignore[union-attr]
        prefix = next((p for p, ns in self.prefixes.items() if ns == namespace), None)
        return f"{prefix}:{local}" if prefix is not None and local else f"<{iri.value}>"


# ------------------------------------------------------------------------------------------
# Reading the shapes graph
# ------------------------------------------------------------------------------------------


class _Graph:
    def __init__(self) -> None:
        self.triples: dict[Term, dict[str, list[Term]]] = {}

    def add(self, subject: Term, predicate: NamedNode, obj: Term) -> None:
        self.triples.setdefault(subject, {}).setdefault(predicate.value, []).append(obj)

    def objects(self, subject: Term, predicate: str) -> list[Term]:
        return self.triples.get(subject, {}).get(predicate, [])

    def one(self, subject: Term, predicate: str) -> Term | None:
        values = self.objects(subject, predicate)
        if len(values) > 1:
            raise UnsupportedShape(f"{subject}: several values of <{predicate}> (one is compiled)")
        return values[0] if values else None

    def items(self, head: Term) -> list[Term]:
        """The members of an RDF list."""
        found = []
        while head != NamedNode(RDF + "nil"):
            first = self.one(head, RDF + "first")
            if first is None:
                raise UnsupportedShape(f"{head}: not a well-formed RDF list")
            found.append(first)
            head = self.one(head, RDF + "rest") or NamedNode(RDF + "nil")
        return found


def load_shapes(shapes_dir: Path, base_iri: str) -> Shapes:
    """Read and compile every ``*.ttl`` of ``shapes_dir`` (relative IRIs against the base IRI)."""
    graph = _Graph()
    prefixes: dict[str, str] = {}
    for path in sorted(shapes_dir.glob("*.ttl")):
        parser = parse(path=str(path), format=RdfFormat.TURTLE, base_iri=base_iri)
        for quad in parser:
            graph.add(quad.subject, quad.predicate, quad.object)
        prefixes.update(parser.prefixes)
    targeted = [s for s, predicates in graph.triples.items() if any(SH + t in predicates for t in TARGETS)]
    return Shapes([_shape(graph, s) for s in targeted], prefixes)


def _shape(graph: _Graph, node: Any, *, reports: bool = True) -> Shape:
    """The shape at ``node``; one that ``reports`` its own results must carry its sh:message."""
    shape = Shape(node)
    for predicate in graph.triples.get(node, {}):
        name = predicate.removeprefix(SH)
        if predicate.startswith(SH) and name not in COMPILED:
            raise UnsupportedShape(f"{node}: sh:{name} is not compiled (gcmkg.shacl.COMPILED lists what is)")
    message = graph.one(node, SH + "message")
    shape.message = message.value if isinstance(message, Literal) else None
    path = graph.one(node, SH + "path")
    if path is not None and not isinstance(path, NamedNode):
        raise UnsupportedShape(f"{node}: only predicate paths are compiled, not {path}")
    shape.path = path
    for target in TARGETS:
        shape.targets += [(target, _iri(node, t)) for t in graph.objects(node, SH + target)]
    shape.properties = [_shape(graph, p) for p in graph.objects(node, SH + "property")]
    for constraint in graph.objects(node, SH + "sparql"):
        select, text = graph.one(constraint, SH + "select"), graph.one(constraint, SH + "message")
        extra = set(graph.triples.get(constraint, {})) - {SH + "select", SH + "message", RDF + "type"}
        if extra or not isinstance(select, Literal):
            raise UnsupportedShape(f"{node}: an sh:sparql constraint with {sorted(extra) or 'no sh:select'}")
        shape.sparql.append((select.value, _message(node, text, shape.message)))
    for component in COMPONENTS:
        value = graph.one(node, SH + component)
        if value is not None:
            shape.constraints.append((component, _parameter(graph, node, component, value)))
    unexplained = {c for c, _ in shape.constraints} - set(GENERIC_MESSAGES)
    if reports and unexplained and shape.message is None:
        raise UnsupportedShape(f"{node}: a shape with constraints needs its sh:message (the GCM rule)")
    if shape.properties and shape.path is not None:
        raise UnsupportedShape(f"{node}: sh:property on a property shape is not compiled")
    return shape


def _message(node: Node, text: Term | None, default: str | None) -> str:
    if isinstance(text, Literal):
        if re.search(r"\{[$?]", text.value):
            raise UnsupportedShape(f"{node}: message templates ({{$this}}, {{?value}}) are not compiled")
        return text.value
    if default is None:
        raise UnsupportedShape(f"{node}: an sh:sparql constraint needs an sh:message")
    return default


def _iri(node: Node, term: Term) -> NamedNode:
    if not isinstance(term, NamedNode):
        raise UnsupportedShape(f"{node}: expected an IRI, found {term}")
    return term


def _integer(node: Node, term: Term) -> int:
    if not (isinstance(term, Literal) and term.datatype == NamedNode(XSD + "integer")):
        raise UnsupportedShape(f"{node}: expected an xsd:integer, found {term}")
    return int(term.value)


def _parameter(graph: _Graph, node: Node, component: str, value: Term) -> object:
    if component in ("minCount", "maxCount", "minLength"):
        return _integer(node, value)
    if component in ("datatype", "class", "lessThan", "lessThanOrEquals"):
        return _iri(node, value)
    if component == "nodeKind":
        kind = _iri(node, value).value.removeprefix(SH)
        if kind not in NODE_KINDS:
            raise UnsupportedShape(f"{node}: unknown sh:nodeKind {value}")
        return kind
    if component == "pattern":
        flags = graph.one(node, SH + "flags")
        letters = flags.value if isinstance(flags, Literal) else ""
        if set(letters) - set(REGEX_FLAGS) or not isinstance(value, Literal):
            raise UnsupportedShape(f"{node}: sh:pattern {value} with flags {letters!r}")
        return (value.value, letters)
    if component in ("minInclusive", "maxInclusive"):
        if not isinstance(value, Literal):
            raise UnsupportedShape(f"{node}: sh:{component} needs a literal")
        return value
    if component == "in":
        return graph.items(value)
    if component == "or":
        return [_shape(graph, member, reports=False) for member in graph.items(value)]
    if component == "uniqueLang":
        if not (isinstance(value, Literal) and value.value in ("true", "1")):
            raise UnsupportedShape(f"{node}: sh:uniqueLang {value} (only true is compiled)")
        return True
    if component == "qualifiedValueShape":
        minimum = graph.one(node, SH + "qualifiedMinCount")
        if minimum is None:
            raise UnsupportedShape(f"{node}: sh:qualifiedValueShape without sh:qualifiedMinCount")
        return (_shape(graph, value, reports=False), _integer(node, minimum))
    raise AssertionError(component)


# ------------------------------------------------------------------------------------------
# Class membership: rdf:type/rdfs:subClassOf* over the store and the ontology
# ------------------------------------------------------------------------------------------


class _Classes:
    def __init__(self, store: GraphStore, ontology: rdflib.Graph | None) -> None:
        self.store = store
        edges: list[tuple[Any, Any]] = [(q.subject, q.object) for q in store.match(None, SUBCLASS_OF, None)]
        self.ontology_types: dict[Any, set[NamedNode]] = {}
        if ontology is not None:
            for sub, sup in ontology.subject_objects(rdflib.RDFS.subClassOf):
                if isinstance(sub, rdflib.URIRef) and isinstance(sup, rdflib.URIRef):
                    edges.append((NamedNode(str(sub)), NamedNode(str(sup))))
            for instance, cls in ontology.subject_objects(rdflib.RDF.type):
                if isinstance(instance, rdflib.URIRef) and isinstance(cls, rdflib.URIRef):
                    self.ontology_types.setdefault(NamedNode(str(instance)), set()).add(NamedNode(str(cls)))
        self.subclasses: dict[Any, set[Any]] = {}
        for sub, sup in edges:
            self.subclasses.setdefault(sup, set()).add(sub)
        self._closures: dict[NamedNode, frozenset[NamedNode]] = {}

    def closure(self, cls: NamedNode) -> frozenset[NamedNode]:
        """The class and all its subclasses."""
        if cls not in self._closures:
            found, todo = {cls}, [cls]
            while todo:
                for sub in self.subclasses.get(todo.pop(), ()):
                    if isinstance(sub, NamedNode) and sub not in found:
                        found.add(sub)
                        todo.append(sub)
            self._closures[cls] = frozenset(found)
        return self._closures[cls]

    def values(self, cls: NamedNode) -> str:
        """The closure as a SPARQL list (for ``IN``)."""
        return ", ".join(sorted(str(c) for c in self.closure(cls)))

    def is_instance(self, term: Any, cls: NamedNode) -> bool:
        if isinstance(term, Literal):
            return False
        types = {q.object for q in self.store.match(term, RDF_TYPE, None)} | self.ontology_types.get(term, set())
        return not types.isdisjoint(self.closure(cls))

    def check_ontology(self, shapes: list[Shape]) -> None:
        """Refuse an ontology that holds focus nodes: only its classes and types reach the queries.

        (Ours describes vocabulary terms, which no shape targets.)
        """
        targeted: set[NamedNode] = set()
        for shape in shapes:
            for kind, term in shape.targets:
                if kind == "targetClass":
                    targeted |= self.closure(term)
        for term, types in self.ontology_types.items():
            if not types.isdisjoint(targeted):
                raise UnsupportedShape(f"the ontology declares {term}, an instance of a targeted class")


# ------------------------------------------------------------------------------------------
# The Python judge: SHACL's definitions on rdflib terms, as pyshacl evaluates them
# ------------------------------------------------------------------------------------------


def _rdflib(term: Term) -> rdflib.term.Identifier:
    """The term as the reference sees it after the N-Triples round trip."""
    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype == NamedNode(XSD + "string"):
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def _has_datatype(term: Term, datatype: NamedNode) -> bool:
    value = _rdflib(term)
    if not isinstance(value, rdflib.Literal):
        return False
    wanted = rdflib.URIRef(datatype.value)
    if value.datatype == wanted:
        return value.ill_typed is not True and _value_fits(value, wanted)
    if value.datatype is None and value.language is None and wanted == rdflib.XSD.string:
        return True
    return wanted == rdflib.RDF.langString and bool(value.language)


def _value_fits(value: rdflib.Literal, datatype: rdflib.URIRef) -> bool:
    """Whether rdflib read the literal as a value of the datatype (pyshacl's test of sh:datatype)."""
    python = {
        rdflib.XSD.string: str,
        rdflib.RDF.langString: str,
        rdflib.XSD.integer: int,
        rdflib.XSD.float: float,
        rdflib.XSD.decimal: Decimal,
        rdflib.XSD.boolean: bool,
        rdflib.XSD.date: datetime.date,
        rdflib.XSD.time: datetime.time,
        rdflib.XSD.dateTime: datetime.datetime,
    }.get(datatype)
    return python is None or isinstance(value.value, python)


def _compare(left: rdflib.Literal, right: rdflib.Literal) -> int:
    """-1, 0 or 1 as pyshacl orders two literals (times by their Python values)."""
    if left.eq(right):
        return 0
    if isinstance(left.value, (datetime.datetime, datetime.time)):
        return 0 if left.value == right.value else (1 if left.value > right.value else -1)
    return 1 if left > right else -1


def _in_range(term: Term, bound: Literal, component: str) -> bool:
    value, limit = _rdflib(term), _rdflib(bound)
    if not isinstance(value, rdflib.Literal):
        return False
    assert isinstance(limit, rdflib.Literal)
    if isinstance(value.value, str) != isinstance(limit.value, str):
        return False
    try:
        order = _compare(value, limit)
    except (TypeError, NotImplementedError):
        return False
    return order >= 0 if component == "minInclusive" else order <= 0


def _ordered(term: Term, other: Term, strict: bool) -> bool:
    """``term < other`` (or ``<=``) as sh:lessThan(OrEquals) compares: strings apart from numbers."""
    left, right = _rdflib(term), _rdflib(other)
    if isinstance(left, rdflib.BNode) or isinstance(right, rdflib.BNode):
        raise UnsupportedShape("sh:lessThan on a blank node")

    def plain(node: rdflib.term.Identifier) -> tuple[bool, Any]:
        if isinstance(node, rdflib.URIRef):
            return True, str(node)
        if isinstance(node, rdflib.Literal) and isinstance(node.value, str):
            return True, node.value
        return False, node

    (left_is_string, a), (right_is_string, b) = plain(left), plain(right)
    if left_is_string != right_is_string:
        return False
    return bool(a < b) if strict else bool(a <= b)


class _Judge:
    def __init__(self, classes: _Classes) -> None:
        self.classes = classes
        self.store = classes.store

    def values(self, focus: Any, path: NamedNode) -> list[Any]:
        """The distinct values of ``path`` on ``focus`` (a literal has none)."""
        if isinstance(focus, Literal):
            return []
        return list(dict.fromkeys(q.object for q in self.store.match(focus, path, None)))

    def value_conforms(self, component: str, parameter: Any, value: Term) -> bool:
        """Whether one value node satisfies a constraint that looks at value nodes one by one."""
        if component == "datatype":
            return _has_datatype(value, parameter)
        if component == "class":
            return self.classes.is_instance(value, parameter)
        if component == "nodeKind":
            return NODE_KINDS[parameter](value)
        if component == "pattern":
            pattern, letters = parameter
            flags = 0
            for letter in letters:
                flags |= REGEX_FLAGS[letter]
            return not isinstance(value, BlankNode) and re.search(pattern, str(_rdflib(value)), flags) is not None
        if component == "minLength":
            return not isinstance(value, BlankNode) and len(str(_rdflib(value))) >= parameter
        if component in ("minInclusive", "maxInclusive"):
            return _in_range(value, parameter, component)
        if component == "in":
            return _rdflib(value) in {_rdflib(m) for m in parameter}
        if component == "or":
            return any(self.conforms(alternative, value) for alternative in parameter)
        raise AssertionError(component)

    def results(self, shape: Shape, focus: Term) -> int:
        """How many validation results ``shape`` gives on ``focus`` (for sh:or and qualified shapes)."""
        if shape.sparql:
            raise UnsupportedShape(f"{shape.node}: sh:sparql inside sh:or or sh:qualifiedValueShape")
        values = [focus] if shape.path is None else self.values(focus, shape.path)
        found = 0
        for component, parameter in shape.constraints:
            if component in VALUE_COMPONENTS:
                found += sum(not self.value_conforms(component, parameter, v) for v in values)
            elif component == "minCount":
                found += len(values) < parameter
            elif component == "maxCount":
                found += len(values) > parameter
            elif component in ("lessThan", "lessThanOrEquals"):
                others = self.values(focus, parameter)
                found += sum(not _ordered(v, o, component == "lessThan") for v in values for o in others)
            elif component == "uniqueLang":
                languages = [v.language.lower() for v in values if isinstance(v, Literal) and v.language]
                found += len({lang for lang in languages if languages.count(lang) > 1})
            elif component == "qualifiedValueShape":
                qualified, minimum = parameter
                found += sum(self.conforms(qualified, v) for v in values) < minimum
        for prop in shape.properties:
            found += self.results(prop, focus)
        return found

    def conforms(self, shape: Shape, focus: Term) -> bool:
        return self.results(shape, focus) == 0


VALUE_COMPONENTS = ("datatype", "class", "nodeKind", "pattern", "minLength", "minInclusive", "maxInclusive", "in", "or")


# ------------------------------------------------------------------------------------------
# The SPARQL side: a conservative "surely conforms" expression per constraint
# ------------------------------------------------------------------------------------------


def _string(text: str) -> str:
    return str(Literal(text))


class _Compiler:
    def __init__(self, classes: _Classes) -> None:
        self.classes = classes
        self._fresh = 0

    def variable(self) -> str:
        self._fresh += 1
        return f"?x{self._fresh}"

    def surely(self, component: str, parameter: Any, v: str) -> str:
        """A SPARQL expression true only where the value node ``v`` surely satisfies the constraint."""
        if component == "nodeKind":
            return NODE_KIND_SPARQL[parameter].format(v=v)
        if component == "datatype":
            datatype = parameter.value
            if datatype == RDF + "langString":
                return f'(isLiteral({v}) && LANG({v}) != "")'
            if datatype == XSD + "string" or datatype in UNCHECKED:
                return f"(isLiteral({v}) && DATATYPE({v}) = <{datatype}>)"
            if datatype in WELL_FORMED:
                return f"(isLiteral({v}) && DATATYPE({v}) = <{datatype}> && {WELL_FORMED[datatype].format(v=v)})"
            return "false"
        if component == "class":
            cls = self.variable()
            return f"EXISTS {{ {v} a {cls} FILTER ({cls} IN ({self.classes.values(parameter)})) }}"
        if component == "pattern":
            pattern, letters = parameter
            return f"(!isBlank({v}) && REGEX(STR({v}), {_string(pattern)}, {_string(letters)}))"
        if component == "minLength":
            if parameter == 1:  # no need to read a long text: Oxigraph tells "" from a long string by its id
                return f'(!isBlank({v}) && STR({v}) != "")'
            return f"(!isBlank({v}) && STRLEN(STR({v})) >= {parameter})"
        if component in ("minInclusive", "maxInclusive"):
            bound = parameter
            assert isinstance(bound, Literal)
            if bound.datatype.value not in NUMERIC:
                return "false"
            op = ">=" if component == "minInclusive" else "<="
            return f"({self.number(v)} && {v} {op} {bound})"
        if component == "in":
            return "(" + " || ".join(f"sameTerm({v}, {m})" for m in parameter) + ")" if parameter else "false"
        if component == "or":
            return "(" + " || ".join(self.conforms(alternative, v) for alternative in parameter) + ")"
        raise AssertionError(component)

    def class_alternatives(self, component: str, parameter: Any) -> str | None:
        """The classes (closed under subclasses) a value must be an instance of one of, if that is
        all the constraint asks (``sh:class``, or ``sh:or`` of ``sh:class`` alone), as SPARQL terms."""
        if component == "class":
            wanted = set(self.classes.closure(parameter))
        elif component == "or" and all(
            alternative.path is None
            and not alternative.properties
            and [c for c, _ in alternative.constraints] == ["class"]
            for alternative in parameter
        ):
            wanted = set()
            for alternative in parameter:
                wanted |= self.classes.closure(alternative.constraints[0][1])
        else:
            return None
        return " ".join(sorted(str(c) for c in wanted))

    def number(self, v: str) -> str:
        """True where ``v`` is a valid xsd:integer or xsd:decimal."""
        return f"(isNumeric({v}) && DATATYPE({v}) IN (<{XSD}integer>, <{XSD}decimal>))"

    def conforms(self, shape: Shape, v: str) -> str:
        """True only where ``v`` surely conforms to a shape nested in sh:or (or a qualified shape)."""
        tests = []
        for component, parameter in shape.constraints:
            if shape.path is None and component in VALUE_COMPONENTS:
                tests.append(self.surely(component, parameter, v))
            elif shape.path is not None and component == "minCount" and parameter == 1 and len(shape.constraints) == 1:
                tests.append(f"EXISTS {{ {v} {shape.path} {self.variable()} }}")
            else:
                return "false"
        if shape.properties or shape.sparql:
            return "false"
        return "(" + " && ".join(tests or ["true"]) + ")"

    def ordered(self, v: str, other: str, strict: bool) -> str:
        op = "<" if strict else "<="
        both = " && ".join(f"(isNumeric({t}) && DATATYPE({t}) = <{XSD}integer>)" for t in (v, other))
        return f"({both} && {v} {op} {other})"


# ------------------------------------------------------------------------------------------
# Validation
# ------------------------------------------------------------------------------------------


Handler = Callable[[Row], Iterator[Result]]


def _focus_test(shape: Shape, classes: _Classes) -> str:
    """A SPARQL expression true where ``?this`` is a focus node of the shape's targets."""
    tests = []
    for kind, term in shape.targets:
        if kind == "targetClass":
            tests.append(f"EXISTS {{ ?this a ?target_class FILTER (?target_class IN ({classes.values(term)})) }}")
        elif kind == "targetSubjectsOf":
            tests.append(f"EXISTS {{ ?this {term} ?target_value }}")
        else:
            tests.append(f"EXISTS {{ ?target_subject {term} ?this }}")
    return " || ".join(tests)


def _focus_pattern(shape: Shape, classes: _Classes) -> str:
    """A group pattern binding ``?this`` to each focus node of the shape's targets, once."""
    parts = []
    for kind, term in shape.targets:
        if kind == "targetClass":
            closure = classes.values(term).replace(",", "")
            parts.append(f"{{ VALUES ?target_class {{ {closure} }} ?this a ?target_class }}")
        elif kind == "targetSubjectsOf":
            parts.append(f"{{ ?this {term} ?target_value }}")
        else:
            parts.append(f"{{ ?target_subject {term} ?this }}")
    return f"{{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(parts)} }} }}"


class Validator:
    """The compiled shapes against one store; :meth:`run` gives the validation results.

    Each query is driven by the triples of a path, its focus test last, so that a conforming
    graph reads each path a few times and returns nothing: the value constraints of a property
    shape (one query, an anti-join with the instances for ``sh:class``), each count (a grouping
    of the path's triples by subject), each pair of paths.  Separate queries, not one union of
    them: Oxigraph evaluates the union's branches more slowly together than apart.
    """

    def __init__(self, store: GraphStore, shapes: Shapes, ontology: rdflib.Graph | None = None) -> None:
        self.store = store
        self.shapes = shapes
        self.classes = _Classes(store, ontology)
        self.classes.check_ontology(shapes.shapes)
        self.judge = _Judge(self.classes)
        self.compiler = _Compiler(self.classes)
        self.queries: list[tuple[str, Handler]] = []  # each query, and what turns a row into results
        for shape in shapes.shapes:
            test, pattern = _focus_test(shape, self.classes), _focus_pattern(shape, self.classes)
            counts: list[tuple[Shape, str, Any]] = []
            for member in [shape, *shape.properties]:
                counts += self._compile(member, test, pattern)
            if counts:
                self._compile_counts(counts, test, pattern)

    def _message(self, shape: Shape, component: str) -> str:
        if shape.message is not None:
            message = shape.message
        else:
            parameter = next(p for c, p in shape.constraints if c == component)
            message = GENERIC_MESSAGES[component].format(parameter=self.shapes.display(NamedNode(SH + str(parameter))))
        if shape.path is None:
            return message
        return f"{message} (path {self.shapes.display(shape.path)})"

    def _result(self, shape: Shape, focus: Term, component: str) -> Result:
        return Result(shape.name, focus.value, self._message(shape, component), component)

    def _reporter(self, shape: Shape, component: str) -> Handler:
        """A handler for a query whose every row is a result (an exact query)."""

        def report(row: Row) -> Iterator[Result]:
            yield self._result(shape, row["this"], component)

        return report

    def _compile(self, shape: Shape, test: str, focus: str) -> list[tuple[Shape, str, Any]]:
        """Add the shape's queries; return its counting constraints, checked per focus node."""
        path = shape.path
        values = [(c, p) for c, p in shape.constraints if c in VALUE_COMPONENTS]
        groups: list[tuple[str, list[tuple[str, Any]]]] = []  # (pattern, the constraints it tests)
        if path is None and values:
            surely = " && ".join(self.compiler.surely(c, p, "?this") for c, p in values)
            groups.append((f"{focus} BIND (?this AS ?value) FILTER (!({surely}))", values))
        elif values:
            # A value that must be an instance of some classes is tested by an anti-join with the
            # instances, which reads each class's instances once instead of each value's types.
            rest = []
            for component, parameter in values:
                classes = self.compiler.class_alternatives(component, parameter)
                if classes:
                    instances = f"{{ ?value a ?value_class VALUES ?value_class {{ {classes} }} }}"
                    groups.append((f"?this {path} ?value MINUS {instances} FILTER ({test})", [(component, parameter)]))
                else:
                    rest.append((component, parameter))
            if rest:
                surely = " && ".join(self.compiler.surely(c, p, "?value") for c, p in rest)
                groups.append((f"?this {path} ?value FILTER (!({surely})) FILTER ({test})", rest))
        for pattern, tested in groups:

            def judged(row: Row, tested: list[tuple[str, Any]] = tested) -> Iterator[Result]:
                for component, parameter in tested:
                    if not self.judge.value_conforms(component, parameter, row["value"]):
                        yield self._result(shape, row["this"], component)

            self.queries.append((f"SELECT DISTINCT ?this ?value WHERE {{ {pattern} }}", judged))
        if path is None:
            if shape.sparql:
                for select, message in shape.sparql:
                    self._compile_sparql(shape, focus, select, message)
            unknown = {c for c, _ in shape.constraints} - set(VALUE_COMPONENTS)
            if unknown:
                raise UnsupportedShape(f"{shape.node}: {sorted(unknown)} on a node shape are not compiled")
            return []
        if shape.sparql:
            raise UnsupportedShape(f"{shape.node}: sh:sparql on a property shape is not compiled")
        counts: list[tuple[Shape, str, Any]] = []
        for component, parameter in shape.constraints:
            if component in VALUE_COMPONENTS:
                continue
            report = self._reporter(shape, component)
            if component in ("minCount", "maxCount", "qualifiedValueShape"):
                counts.append((shape, component, parameter))
            elif component in ("lessThan", "lessThanOrEquals"):
                self._compile_pair(shape, component, parameter, test)
            elif component == "uniqueLang":
                tagged = f'?this {path} ?value FILTER (LANG(?value) != "") FILTER ({test})'
                language = "BIND (LCASE(LANG(?value)) AS ?language)"
                per_language = "GROUP BY ?this ?language HAVING (COUNT(DISTINCT ?value) > 1)"
                sparql = f"SELECT ?this ?language WHERE {{ {tagged} {language} }} {per_language}"
                self.queries.append((sparql, report))
            else:
                raise AssertionError(component)
        return counts

    def _compile_counts(self, counts: list[tuple[Shape, str, Any]], test: str, focus: str) -> None:
        """A query per count: exact in SPARQL, as a grouping over the path's triples.

        (Grouping reads the path's triples once; a test per focus node would look each one up.)
        """
        for shape, component, parameter in counts:
            path = shape.path
            report = self._reporter(shape, component)
            grouped = f"SELECT ?this WHERE {{ ?this {path} ?value }} GROUP BY ?this HAVING (COUNT(DISTINCT ?value)"
            if component == "minCount":
                having = f"?this {path} ?value" if parameter == 1 else f"{grouped} >= {parameter})"
                self.queries.append((f"SELECT DISTINCT ?this WHERE {{ {focus} MINUS {{ {having} }} }}", report))
            elif component == "maxCount":
                self.queries.append(
                    (f"SELECT DISTINCT ?this WHERE {{ {{ {grouped} > {parameter}) }} FILTER ({test}) }}", report)
                )
            else:
                qualified, minimum = parameter
                surely = self.compiler.conforms(qualified, "?value")
                having = (
                    f"SELECT ?this WHERE {{ ?this {path} ?value FILTER ({surely}) }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) >= {minimum})"
                )

                def recounted(
                    row: Row, shape: Shape = shape, qualified: Shape = qualified, minimum: int = minimum
                ) -> Iterator[Result]:
                    assert shape.path is not None
                    found = self.judge.values(row["this"], shape.path)
                    if sum(self.judge.conforms(qualified, v) for v in found) < minimum:
                        yield self._result(shape, row["this"], "qualifiedValueShape")

                self.queries.append((f"SELECT DISTINCT ?this WHERE {{ {focus} MINUS {{ {having} }} }}", recounted))

    def _compile_pair(self, shape: Shape, component: str, other: NamedNode, test: str) -> None:
        strict = component == "lessThan"
        surely = self.compiler.ordered("?value", "?other", strict)

        def paired(row: Row) -> Iterator[Result]:
            if not _ordered(row["value"], row["other"], strict):
                yield self._result(shape, row["this"], component)

        sparql = (
            f"SELECT DISTINCT ?this ?value ?other WHERE {{ ?this {shape.path} ?value . ?this {other} ?other "
            f"FILTER (!({surely})) FILTER ({test}) }}"
        )
        self.queries.append((sparql, paired))

    def _compile_sparql(self, shape: Shape, focus: str, select: str, message: str) -> None:
        # pyshacl pre-binds $this to each focus node; pyoxigraph's substitutions do the same.
        def run(row: Row) -> Iterator[Result]:
            seen = set()
            for solution in self.store.select(select, substitutions={"this": row["this"]}):
                key = tuple(sorted((k, str(t)) for k, t in solution.items()))
                if key not in seen:  # the union of named graphs repeats a triple two graphs hold
                    seen.add(key)
                    yield Result(shape.name, row["this"].value, message, "sparql")

        self.queries.append((f"SELECT ?this WHERE {{ {focus} }}", run))

    def _run(self, query: tuple[str, Handler]) -> list[Result]:
        sparql, handler = query
        return [result for row in self.store.select(sparql) for result in handler(row)]

    def run(self, threads: int = 1) -> list[Result]:
        """Every validation result, in no particular order."""
        if threads > 1:
            with ThreadPoolExecutor(threads) as pool:
                batches: Iterable[list[Result]] = list(pool.map(self._run, self.queries))
        else:
            batches = map(self._run, self.queries)
        return [result for batch in batches for result in batch]


def _check_default_graph(store: GraphStore) -> None:
    result = store.query("ASK { ?s ?p ?o }", union_default_graph=False)
    if not isinstance(result, QuerySolutions) and bool(result):
        raise ValueError("the store has triples in its default graph; the shapes are checked on its named graphs")


def validate(store: GraphStore, shapes: Shapes, ontology: rdflib.Graph | None = None, threads: int = 1) -> list[Result]:
    """The validation results of the store's named graphs (their union) against the shapes."""
    _check_default_graph(store)
    return Validator(store, shapes, ontology).run(threads)

"""Fast SHACL validation: the shapes' constraints compiled to SPARQL over a pyoxigraph store.

pyshacl (kg.validate) stays the reference; this module gives the same results on the citykg shapes
much faster on large releases (see bench/validate_bench.py).

    report = validate_store(store, shapes)      # store: pyoxigraph.Store, shapes: rdflib.Graph
    report = validate_file("dataset.nq.gz", shapes)

The data graph is the union of the store's graphs (default and named), which is what the build
validates: ontology + profiles.  Every shape reached from a target (sh:targetClass including implicit
class targets, sh:targetNode, sh:targetSubjectsOf, sh:targetObjectsOf) is evaluated constraint by
constraint: each constraint becomes one SPARQL query that returns the violating (focus node, value
node) pairs over the shape's focus nodes.  Focus nodes are a SPARQL pattern binding ?this (the target
pattern, or the value nodes of a parent shape); small sets are materialised as VALUES.  Shape-based
constraints (sh:node, sh:property on value nodes, sh:qualifiedValueShape, sh:and/or/not/xone) work on
sets: the nested shape is evaluated over the value nodes, the nodes that produced a result do not
conform, and set algebra gives the violations.

Supported (SHACL Core): the four target kinds and implicit class targets; predicate, inverse,
sequence, alternative, zeroOrMore, oneOrMore, zeroOrOne paths; sh:class (rdf:type/rdfs:subClassOf* in
the data), sh:datatype (ill-typed literals are violations, checked as pyshacl/rdflib do),
sh:nodeKind, sh:minCount, sh:maxCount, sh:minExclusive/minInclusive/maxExclusive/maxInclusive,
sh:minLength, sh:maxLength, sh:pattern (+ sh:flags), sh:languageIn, sh:uniqueLang, sh:equals,
sh:disjoint, sh:lessThan, sh:lessThanOrEquals, sh:not, sh:and, sh:or, sh:xone, sh:node, sh:property,
sh:qualifiedValueShape with sh:qualifiedMinCount/MaxCount (not ...Disjoint), sh:closed (+
sh:ignoredProperties), sh:hasValue, sh:in, sh:deactivated, sh:severity, sh:message; SPARQL-based
constraints (sh:sparql with sh:select, $this pre-bound per focus node by SEP-0007 substitution,
$PATH and $currentShape substituted, sh:prefixes/sh:declare).  Anything else in a shape (SPARQL-based
constraint components, sh:target with SPARQL targets, sh:qualifiedValueShapesDisjoint true, ASK
validators, $shapesGraph) raises UnsupportedShapeError: nothing is silently skipped.

Known differences with pyshacl, by construction of the store: oxigraph stores numeric and date
literals in canonical form ("01"^^xsd:integer is "1") and language tags in lower case, so reported
values use those forms, and sh:in / sh:hasValue compare canonical literals; regular expressions run on
oxigraph's (Rust) regex engine, not Python's re.
"""

from __future__ import annotations

import dataclasses
import gzip
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from citykg.uris import SH

from .validate import ValidationReport, Violation

#: Focus/value sets up to this size are inlined as VALUES; larger ones stay SPARQL patterns.
VALUES_LIMIT = 2000

SHAPE_TYPES = (SH.NodeShape, SH.PropertyShape)
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
#: Shape predicates that carry no constraint of their own (or are read with the one they belong to).
IGNORED = {
    RDF.type, RDFS.label, RDFS.comment, RDFS.seeAlso,
    RDFS.isDefinedBy, SH.name, SH.description, SH.message, SH.severity, SH.order, SH.group, SH.defaultValue,
    SH.deactivated, SH.path, *TARGETS, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.flags,
    SH.ignoredProperties, SH.declare, SH.prefixes, OWL.versionInfo, OWL.imports,
}
XSD_NUMERIC_NATIVE = {XSD.integer, XSD.decimal, XSD.float, XSD.double}


class UnsupportedShapeError(ValueError):
    """The shapes use a SHACL feature that the fast path does not implement."""


# ---------------------------------------------------------------------------------------------
# terms
# ---------------------------------------------------------------------------------------------
def _esc(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
            .replace("\t", "\\t"))


def _sparql_term(node: Node) -> str:
    """An rdflib term of the shapes graph as SPARQL text."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        if node.language:
            return f'"{_esc(str(node))}"@{node.language}'
        if node.datatype is not None:
            return f'"{_esc(str(node))}"^^<{node.datatype}>'
        return f'"{_esc(str(node))}"'
    raise UnsupportedShapeError(f"a blank node cannot be used as a constraint value: {node!r}")


def _ox_sparql(term) -> str:
    return str(term)  # pyoxigraph terms print as N-Triples, which is valid SPARQL for IRIs and literals


def _to_rdflib(term) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    raise TypeError(f"unexpected term {term!r}")


def _term_text(term) -> str:
    return term.value


# ---------------------------------------------------------------------------------------------
# focus sets
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Focus:
    """A set of focus nodes: a SPARQL group pattern binding ?this to each node once."""

    pattern: str
    values: frozenset | None = None  # materialised, when known

    @property
    def empty(self) -> bool:
        return self.values is not None and not self.values


def _values_focus(values: Iterable, fallback: str | None = None) -> Focus:
    vals = frozenset(values)
    if not vals:
        return Focus("FILTER(false)", vals)
    if (len(vals) <= VALUES_LIMIT or fallback is None) and not any(isinstance(v, ox.BlankNode) for v in vals):
        body = " ".join(_ox_sparql(v) for v in sorted(vals, key=str))
        return Focus(f"VALUES ?this {{ {body} }}", vals)
    if fallback is None:
        raise UnsupportedShapeError("blank nodes in a focus set that has no SPARQL pattern")
    return Focus(fallback, vals)


# ---------------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Result:
    focus: object  # pyoxigraph term
    component: URIRef
    shape: Node
    path: Node | None
    value: object | None  # pyoxigraph term
    root: object = field(default=None, compare=False)  # the focus node whose evaluation produced it
    detail: bool = False  # a nested result of sh:node (pyshacl links it with sh:detail)

    def __post_init__(self) -> None:
        if self.root is None:
            object.__setattr__(self, "root", self.focus)


@dataclass
class ShapeInfo:
    node: Node
    path: Node | None
    path_sparql: str | None
    severity: Node
    messages: list[Literal] = field(default_factory=list)
    deactivated: bool = False


DEFAULT_MESSAGES = {
    SH.ClassConstraintComponent: "Value is not an instance of the required class",
    SH.DatatypeConstraintComponent: "Value is not a literal with the required datatype",
    SH.NodeKindConstraintComponent: "Value is not of the required node kind",
    SH.MinCountConstraintComponent: "Less than the minimum number of values",
    SH.MaxCountConstraintComponent: "More than the maximum number of values",
    SH.InConstraintComponent: "Value is not in the allowed list",
    SH.HasValueConstraintComponent: "Missing the required value",
    SH.PatternConstraintComponent: "Value does not match the pattern",
    SH.NodeConstraintComponent: "Value does not conform to the required shape",
    SH.OrConstraintComponent: "Value conforms to none of the alternative shapes",
}


class FastValidator:
    """Compiles the shapes of `shapes` to SPARQL and runs them over `store` (union of its graphs)."""

    def __init__(self, store: ox.Store, shapes: Graph) -> None:
        self.store = store
        self.sg = shapes
        self._info: dict[Node, ShapeInfo] = {}
        self._cache: dict[tuple[Node, str], list[Result]] = {}
        self._values: dict[tuple[Node, str], Focus] = {}
        self._fresh = 0
        self.queries = 0

    # -- running queries ---------------------------------------------------------------------
    def select(self, query: str, **kwargs) -> list[tuple]:
        self.queries += 1
        try:
            solutions = self.store.query(query, use_default_graph_as_union=True, **kwargs)
        except SyntaxError as exc:  # a bug in the compiler: show the query
            raise RuntimeError(f"{exc}\n--- query ---\n{query}") from exc
        names = [v.value for v in solutions.variables]
        return [tuple(row[n] for n in names) for row in solutions]

    def fresh(self, stem: str = "x") -> str:
        self._fresh += 1
        return f"?{stem}{self._fresh}"

    # -- shapes graph --------------------------------------------------------------------------
    def list_items(self, node: Node) -> list[Node]:
        return list(Collection(self.sg, node))

    def path_sparql(self, path: Node) -> str:
        sg = self.sg
        if isinstance(path, URIRef):
            return f"<{path}>"
        if (path, RDF.first, None) in sg:
            items = self.list_items(path)
            if len(items) < 2:
                raise UnsupportedShapeError(f"sequence path with fewer than two members: {path!r}")
            return "(" + "/".join(self.path_sparql(i) for i in items) + ")"
        for pred, fmt in ((SH.inversePath, "^({})"), (SH.zeroOrMorePath, "({})*"), (SH.oneOrMorePath, "({})+"),
                          (SH.zeroOrOnePath, "({})?")):
            inner = sg.value(path, pred)
            if inner is not None:
                return fmt.format(self.path_sparql(inner))
        alt = sg.value(path, SH.alternativePath)
        if alt is not None:
            return "(" + "|".join(self.path_sparql(i) for i in self.list_items(alt)) + ")"
        raise UnsupportedShapeError(f"unsupported property path {path!r}")

    def info(self, shape: Node) -> ShapeInfo:
        if shape not in self._info:
            sg = self.sg
            path = sg.value(shape, SH.path)
            deact = sg.value(shape, SH.deactivated)
            self._info[shape] = ShapeInfo(
                node=shape,
                path=path,
                path_sparql=self.path_sparql(path) if path is not None else None,
                severity=sg.value(shape, SH.severity) or SH.Violation,
                messages=[m for m in sg.objects(shape, SH.message) if isinstance(m, Literal)],
                deactivated=isinstance(deact, Literal) and deact.toPython() is True,
            )
        return self._info[shape]

    def top_level_shapes(self) -> list[Node]:
        sg = self.sg
        shapes: set[Node] = set()
        for t in TARGETS:
            shapes.update(sg.subjects(t, None))
        for st in SHAPE_TYPES:
            for s in sg.subjects(RDF.type, st):
                if (s, RDF.type, RDFS.Class) in sg or (s, RDF.type, OWL.Class) in sg:
                    shapes.add(s)
        if any(sg.subjects(SH.target, None)):
            raise UnsupportedShapeError("sh:target (SPARQL-based targets) is not supported")
        return sorted(shapes, key=str)

    def target_focus(self, shape: Node) -> Focus:
        sg = self.sg
        parts: list[str] = []
        classes = list(sg.objects(shape, SH.targetClass))
        if (shape, RDF.type, RDFS.Class) in sg or (shape, RDF.type, OWL.Class) in sg:
            classes.append(shape)
        for c in classes:  # SHACL instances: rdf:type/rdfs:subClassOf*, subclasses looked up in the data
            for sub in self.subclasses(c):
                parts.append(f"?this <{RDF.type}> {_ox_sparql(sub)} .")
        nodes = list(sg.objects(shape, SH.targetNode))
        if nodes:
            parts.append("VALUES ?this { " + " ".join(_sparql_term(n) for n in nodes) + " }")
        for p in sg.objects(shape, SH.targetSubjectsOf):
            parts.append(f"?this {_sparql_term(p)} [] .")
        for p in sg.objects(shape, SH.targetObjectsOf):
            parts.append(f"[] {_sparql_term(p)} ?this .")
        if not parts:
            return Focus("FILTER(false)", frozenset())
        if len(parts) == 1:
            return Focus(parts[0])  # a plain pattern joins best; duplicates are harmless (DISTINCT, sets)
        union = " UNION ".join("{ " + p + " }" for p in parts)
        return Focus(f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}")

    def subclasses(self, cls: Node) -> list:
        rows = self.select(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* {_sparql_term(cls)} }}")
        return sorted((r[0] for r in rows), key=str)

    # -- value nodes ------------------------------------------------------------------------------
    def value_focus(self, info: ShapeInfo, focus: Focus) -> Focus:
        """The value nodes of a shape over `focus`, as a focus set for nested shapes."""
        if info.path_sparql is None:
            return focus
        key = (info.node, focus.pattern)
        if key not in self._values:
            self._values[key] = self._value_focus(info, focus)
        return self._values[key]

    def _value_focus(self, info: ShapeInfo, focus: Focus) -> Focus:
        x = self.fresh("p")
        pattern = (f"{{ SELECT DISTINCT ?this WHERE {{ {{ SELECT ({'?this'} AS {x}) WHERE {{ {focus.pattern} }} }} "
                   f"{x} {info.path_sparql} ?this . }} }}")
        rows = self.select(f"SELECT DISTINCT ?v WHERE {{ {focus.pattern} ?this {info.path_sparql} ?v . }} "
                           f"LIMIT {VALUES_LIMIT + 1}")
        if len(rows) > VALUES_LIMIT:  # many values: keep them as a pattern, never materialised
            return Focus(pattern)
        return _values_focus((r[0] for r in rows), fallback=pattern)

    def pairs(self, info: ShapeInfo, focus: Focus) -> list[tuple]:
        """(focus, value) pairs of a shape over `focus`."""
        if info.path_sparql is None:
            return [(r[0], r[0]) for r in self.select(f"SELECT ?this WHERE {{ {focus.pattern} }}")]
        return self.select(f"SELECT DISTINCT ?this ?v WHERE {{ {focus.pattern} ?this {info.path_sparql} ?v . }}")

    def pairs_with_values_in(self, info: ShapeInfo, focus: Focus, bad: set) -> list[tuple]:
        """(focus, value) pairs whose value is in `bad`."""
        if not bad:
            return []
        if info.path_sparql is None:  # value nodes = focus nodes, and `bad` was computed over them
            return [(v, v) for v in bad]
        if len(bad) <= VALUES_LIMIT and not any(isinstance(v, ox.BlankNode) for v in bad):
            body = " ".join(_ox_sparql(v) for v in sorted(bad, key=str))
            return self.select(f"SELECT DISTINCT ?this ?v WHERE {{ VALUES ?v {{ {body} }} {focus.pattern} "
                               f"?this {info.path_sparql} ?v . }}")
        return [(f, v) for f, v in self.pairs(info, focus) if v in bad]

    # -- evaluation --------------------------------------------------------------------------------
    def nonconforming(self, shape: Node, focus: Focus) -> set:
        return {r.root for r in self.evaluate(shape, focus)}

    def evaluate(self, shape: Node, focus: Focus) -> list[Result]:
        key = (shape, focus.pattern)
        if key in self._cache:
            return self._cache[key]
        info = self.info(shape)
        results: list[Result] = []
        if not info.deactivated and not focus.empty:
            for pred in sorted(set(self.sg.predicates(shape, None)), key=str):
                results.extend(self.constraint(info, pred, focus))
        self._cache[key] = results
        return results

    def constraint(self, info: ShapeInfo, pred: Node, focus: Focus) -> list[Result]:
        sg, s = self.sg, info.node
        objs = list(sg.objects(s, pred))
        handler = CONSTRAINTS.get(pred)
        if handler is not None:
            out: list[Result] = []
            for o in objs:
                out.extend(handler(self, info, o, focus))
            return out
        if pred in IGNORED:
            return []
        if pred in (SH.minInclusive, SH.minExclusive, SH.maxInclusive, SH.maxExclusive):
            return [r for o in objs for r in self.c_range(info, pred, o, focus)]
        if pred == SH.qualifiedValueShapesDisjoint:
            if any(isinstance(o, Literal) and o.toPython() is True for o in objs):
                raise UnsupportedShapeError(f"{s}: sh:qualifiedValueShapesDisjoint true is not supported")
            return []
        if str(pred).startswith(str(SH)):
            raise UnsupportedShapeError(f"{s}: {pred} is not supported by kg.fastshacl")
        # Non-SHACL annotations of a shape (skos:, dct:, ...) carry no constraint; but a parameter of a
        # custom (SPARQL-based) constraint component would: refuse if any is declared.
        for comp in sg.subjects(SH.path, pred):
            if (comp, RDF.type, SH.Parameter) in sg or (None, SH.parameter, comp) in sg:
                raise UnsupportedShapeError(f"{s}: custom constraint component parameter {pred} is not supported")
        return []

    # helpers to make results
    def _val(self, info: ShapeInfo) -> str:
        return "?v" if info.path_sparql is not None else "?this"

    def _vpattern(self, info: ShapeInfo, focus: Focus) -> str:
        if info.path_sparql is None:
            return focus.pattern
        return f"{focus.pattern} ?this {info.path_sparql} ?v ."

    def value_filter(self, info: ShapeInfo, focus: Focus, component: URIRef, condition) -> list[Result]:
        """Results for every value node for which `condition` (on {v}, or a function of the variable) holds."""
        if isinstance(condition, str):
            template = condition
            condition = lambda var: template.replace("{v}", var)  # noqa: E731
        small = self._small_values(info, focus)
        if small is not None:  # check the (few) distinct values, then find their focus nodes
            rows = self.select(f"SELECT ?this WHERE {{ {small.pattern} FILTER({condition('?this')}) }}")
            return self.from_pairs(info, component, self.pairs_with_values_in(info, focus, {r[0] for r in rows}))
        v = self._val(info)
        q = (f"SELECT DISTINCT ?this {self._sel(info)} WHERE {{ {self._vpattern(info, focus)} "
             f"FILTER({condition(v)}) }}")
        return [Result(r[0], component, info.node, info.path, r[-1]) for r in self.select(q)]

    def _small_values(self, info: ShapeInfo, focus: Focus) -> Focus | None:
        """The value nodes as a VALUES focus, when the shape has a path and they are few."""
        if info.path_sparql is None:
            return None
        values = self.value_focus(info, focus)
        return values if values.pattern.startswith("VALUES") or values.empty else None

    def _sel(self, info: ShapeInfo) -> str:
        return "?v" if info.path_sparql is not None else ""

    def from_pairs(self, info: ShapeInfo, component: URIRef, pairs: Iterable[tuple],
                   with_value: bool = True) -> list[Result]:
        return [Result(f, component, info.node, info.path, v if with_value else None) for f, v in pairs]

    # -- constraint components ------------------------------------------------------------------------
    def c_class(self, info, cls, focus):
        small = self._small_values(info, focus)
        if small is not None:
            rows = self.select(f"SELECT ?this WHERE {{ {small.pattern} MINUS "
                               f"{{ ?this <{RDF.type}>/<{RDFS.subClassOf}>* {_sparql_term(cls)} }} }}")
            bad = {r[0] for r in rows}
            return self.from_pairs(info, SH.ClassConstraintComponent, self.pairs_with_values_in(info, focus, bad))
        v = self._val(info)
        q = (f"SELECT DISTINCT ?this {self._sel(info)} WHERE {{ {self._vpattern(info, focus)} MINUS "
             f"{{ {v} <{RDF.type}>/<{RDFS.subClassOf}>* {_sparql_term(cls)} }} }}")
        return [Result(r[0], SH.ClassConstraintComponent, info.node, info.path, r[-1]) for r in self.select(q)]

    def c_datatype(self, info, dt, focus):
        comp = SH.DatatypeConstraintComponent
        if dt == RDFS.Literal:
            return self.value_filter(info, focus, comp, "!isLiteral({v})")
        out = self.value_filter(info, focus, comp, f"!isLiteral({{v}}) || datatype({{v}}) != {_sparql_term(dt)}")
        if dt in (XSD.string, RDF.langString) or not str(dt).startswith(str(XSD)):
            return out  # cannot be ill-typed (or not checked by pyshacl either: unknown datatypes pass)
        v = self._val(info)
        cond = f"isLiteral({v}) && datatype({v}) = {_sparql_term(dt)}"
        if dt in XSD_NUMERIC_NATIVE:
            cond += f" && !isNumeric({v})"  # oxigraph parses well-formed numerics natively
        rows = self.select(f"SELECT DISTINCT {v} WHERE {{ {self._vpattern(info, focus)} FILTER({cond}) }}")
        bad = {r[0] for r in rows if _ill_typed(r[0].value, dt)}
        out.extend(self.from_pairs(info, comp, self.pairs_with_values_in(info, focus, bad)))
        return out

    def c_nodekind(self, info, kind, focus):
        conds = {
            SH.IRI: "!isIRI({v})", SH.BlankNode: "!isBlank({v})", SH.Literal: "!isLiteral({v})",
            SH.BlankNodeOrIRI: "isLiteral({v})", SH.BlankNodeOrLiteral: "isIRI({v})",
            SH.IRIOrLiteral: "isBlank({v})",
        }
        if kind not in conds:
            raise UnsupportedShapeError(f"{info.node}: unknown sh:nodeKind {kind}")
        return self.value_filter(info, focus, SH.NodeKindConstraintComponent, conds[kind])

    def c_min_count(self, info, n, focus):
        self._need_path(info, SH.minCount)
        n = int(n)
        if n <= 0:
            return []
        if n == 1:
            q = f"SELECT ?this WHERE {{ {focus.pattern} MINUS {{ ?this {info.path_sparql} ?v }} }}"
        else:
            q = (f"SELECT ?this WHERE {{ {focus.pattern} OPTIONAL {{ ?this {info.path_sparql} ?v }} }} "
                 f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})")
        return [Result(r[0], SH.MinCountConstraintComponent, info.node, info.path, None) for r in self.select(q)]

    def c_max_count(self, info, n, focus):
        self._need_path(info, SH.maxCount)
        if int(n) == 1:
            q = (f"SELECT DISTINCT ?this WHERE {{ {focus.pattern} ?this {info.path_sparql} ?v . "
                 f"?this {info.path_sparql} ?v2 FILTER(!sameTerm(?v, ?v2)) }}")
        else:
            q = (f"SELECT ?this WHERE {{ {focus.pattern} ?this {info.path_sparql} ?v }} "
                 f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {int(n)})")
        return [Result(r[0], SH.MaxCountConstraintComponent, info.node, info.path, None) for r in self.select(q)]

    def c_range(self, info, pred, bound, focus):
        op = {SH.minInclusive: ">=", SH.minExclusive: ">", SH.maxInclusive: "<=", SH.maxExclusive: "<"}[pred]
        comp = {SH.minInclusive: SH.MinInclusiveConstraintComponent,
                SH.minExclusive: SH.MinExclusiveConstraintComponent,
                SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
                SH.maxExclusive: SH.MaxExclusiveConstraintComponent}[pred]
        return self.value_filter(info, focus, comp, f"!COALESCE({{v}} {op} {_sparql_term(bound)}, false)")

    def c_length(self, info, pred, n, focus):
        op = "<" if pred == SH.minLength else ">"
        comp = SH.MinLengthConstraintComponent if pred == SH.minLength else SH.MaxLengthConstraintComponent
        return self.value_filter(info, focus, comp, f"isBlank({{v}}) || STRLEN(STR({{v}})) {op} {int(n)}")

    def c_pattern(self, info, pattern, focus):
        flags = self.sg.value(info.node, SH.flags)
        flag_arg = f', "{_esc(str(flags))}"' if flags is not None else ""
        regex = _esc(str(pattern))  # may contain "{v}": the condition is built by a function
        return self.value_filter(info, focus, SH.PatternConstraintComponent,
                                 lambda v: f'isBlank({v}) || !REGEX(STR({v}), "{regex}"{flag_arg})')

    def c_language_in(self, info, lst, focus):
        langs = [str(x) for x in self.list_items(lst)]
        if not langs:
            return self.value_filter(info, focus, SH.LanguageInConstraintComponent, "true")
        any_match = " || ".join(f'langMatches(lang({{v}}), "{_esc(tag)}")' for tag in langs)
        return self.value_filter(info, focus, SH.LanguageInConstraintComponent, f"!isLiteral({{v}}) || !({any_match})")

    def c_unique_lang(self, info, flag, focus):
        if not (isinstance(flag, Literal) and flag.toPython() is True):
            return []
        self._need_path(info, SH.uniqueLang)
        q = (f"SELECT ?this ?l WHERE {{ {focus.pattern} ?this {info.path_sparql} ?v "
             f'FILTER(isLiteral(?v) && lang(?v) != "") BIND(LCASE(lang(?v)) AS ?l) }} GROUP BY ?this ?l '
             f"HAVING (COUNT(DISTINCT ?v) > 1)")
        return [Result(r[0], SH.UniqueLangConstraintComponent, info.node, info.path, None) for r in self.select(q)]

    def c_in(self, info, lst, focus):
        items = self.list_items(lst)
        if not items:
            return self.value_filter(info, focus, SH.InConstraintComponent, "true")
        cond = " || ".join(f"sameTerm({{v}}, {_sparql_term(i)})" for i in items)
        return self.value_filter(info, focus, SH.InConstraintComponent, f"!({cond})")

    def c_has_value(self, info, value, focus):
        comp = SH.HasValueConstraintComponent
        if info.path_sparql is None:
            q = f"SELECT ?this WHERE {{ {focus.pattern} FILTER(!sameTerm(?this, {_sparql_term(value)})) }}"
        else:
            q = (f"SELECT ?this WHERE {{ {focus.pattern} MINUS "
                 f"{{ ?this {info.path_sparql} {_sparql_term(value)} }} }}")
        return [Result(r[0], comp, info.node, info.path, None) for r in self.select(q)]

    def c_pair(self, info, pred, other, focus):
        o = _sparql_term(other)
        comp = {SH.equals: SH.EqualsConstraintComponent, SH.disjoint: SH.DisjointConstraintComponent,
                SH.lessThan: SH.LessThanConstraintComponent,
                SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent}[pred]
        v, vp = self._val(info), self._vpattern(info, focus)
        if pred == SH.equals:
            if info.path_sparql is None:
                q = (f"SELECT DISTINCT ?this ?w WHERE {{ {{ {focus.pattern} MINUS {{ ?this {o} ?this }} "
                     f"BIND(?this AS ?w) }} UNION {{ {focus.pattern} ?this {o} ?w FILTER(!sameTerm(?w, ?this)) }} }}")
            else:
                q = (f"SELECT DISTINCT ?this ?w WHERE {{ "
                     f"{{ {vp} MINUS {{ ?this {o} ?v }} BIND(?v AS ?w) }} "
                     f"UNION {{ {focus.pattern} ?this {o} ?w MINUS {{ ?this {info.path_sparql} ?w }} }} }}")
        elif pred == SH.disjoint:
            q = f"SELECT DISTINCT ?this ?w WHERE {{ {vp} ?this {o} {v} BIND({v} AS ?w) }}"
        else:
            self._need_path(info, pred)
            op = "<" if pred == SH.lessThan else "<="
            q = (f"SELECT DISTINCT ?this ?v WHERE {{ {vp} ?this {o} ?w "
                 f"FILTER(!COALESCE(?v {op} ?w, false)) }}")
        return [Result(r[0], comp, info.node, info.path, r[1]) for r in self.select(q)]

    def c_node(self, info, other, focus):
        values = self.value_focus(info, focus)
        nested = self.evaluate(other, values)
        by_root: dict = defaultdict(list)
        for r in nested:
            by_root[r.root].append(r)
        out = []
        for f, v in self.pairs_with_values_in(info, focus, set(by_root)):
            out.append(Result(f, SH.NodeConstraintComponent, info.node, info.path, v))
            # like pyshacl, the results of the nested shape are kept as details of this one
            out.extend(dataclasses.replace(r, root=f, detail=True) for r in by_root[v])
        return out

    def c_property(self, info, prop, focus):
        return list(self.evaluate(prop, self.value_focus(info, focus)))

    def conforms_expr(self, shape: Node, var: str) -> str | None:
        """A SPARQL expression true iff `var` conforms to `shape`, for shapes made only of value tests
        that SPARQL decides exactly (None otherwise: the caller falls back to set evaluation)."""
        sg = self.sg
        if isinstance(sg.value(shape, SH.deactivated), Literal) and sg.value(shape, SH.deactivated).toPython():
            return "true"
        tests = []
        for p, o in sg.predicate_objects(shape):
            if p in (RDF.type, SH.name, SH.description, SH.message, SH.severity, SH.order, SH.group):
                continue
            if p == SH.datatype and o in XSD_NUMERIC_NATIVE:  # oxigraph parses well-formed numerics natively
                tests.append(f"(isLiteral({var}) && datatype({var}) = {_sparql_term(o)} && isNumeric({var}))")
            elif p == SH.datatype and o in (XSD.string, RDF.langString):
                tests.append(f"(isLiteral({var}) && datatype({var}) = {_sparql_term(o)})")
            elif p == SH.nodeKind and o in (SH.IRI, SH.Literal, SH.BlankNode):
                fn = {SH.IRI: "isIRI", SH.Literal: "isLiteral", SH.BlankNode: "isBlank"}[o]
                tests.append(f"{fn}({var})")
            elif p == SH.hasValue:
                tests.append(f"sameTerm({var}, {_sparql_term(o)})")
            else:
                return None
        return "(" + " && ".join(tests) + ")" if tests else "true"

    def c_logical(self, info, pred, arg, focus):
        members = [arg] if pred == SH["not"] else self.list_items(arg)
        exprs = [self.conforms_expr(m, "{v}") for m in members]
        if all(e is not None for e in exprs) and pred != SH.xone:  # one filter query, no set algebra
            comp = {SH["not"]: SH.NotConstraintComponent, SH["and"]: SH.AndConstraintComponent,
                    SH["or"]: SH.OrConstraintComponent}[pred]
            ok = {SH["not"]: f"!{exprs[0]}", SH["and"]: " && ".join(exprs) or "true",
                  SH["or"]: " || ".join(exprs) or "false"}[pred]
            return self.value_filter(info, focus, comp, f"!({ok})")
        values = self.value_focus(info, focus)
        if values.values is None:  # a large set kept as a pattern: materialise it for the set algebra
            values = Focus(values.pattern, frozenset(r[0] for r in self.select(
                f"SELECT ?this WHERE {{ {values.pattern} }}")))
        all_values = set(values.values)
        if pred == SH["not"]:
            bad = all_values - self.nonconforming(arg, values)
            comp = SH.NotConstraintComponent
        else:
            members = self.list_items(arg)
            ncs = [self.nonconforming(m, values) for m in members]
            if pred == SH["and"]:
                bad = set().union(*ncs)
                comp = SH.AndConstraintComponent
            elif pred == SH["or"]:
                bad = set.intersection(*ncs) if ncs else set(all_values)
                comp = SH.OrConstraintComponent
            else:
                counts: dict = defaultdict(int)
                for nc in ncs:
                    for v in all_values - nc:
                        counts[v] += 1
                bad = {v for v in all_values if counts[v] != 1}
                comp = SH.XoneConstraintComponent
        return self.from_pairs(info, comp, self.pairs_with_values_in(info, focus, bad))

    def c_qualified(self, info, qshape, focus):
        self._need_path(info, SH.qualifiedValueShape)
        qmin = self.sg.value(info.node, SH.qualifiedMinCount)
        qmax = self.sg.value(info.node, SH.qualifiedMaxCount)
        values = self.value_focus(info, focus)
        bad = self.nonconforming(qshape, values)
        counts: dict = defaultdict(int)
        foci = {r[0] for r in self.select(f"SELECT ?this WHERE {{ {focus.pattern} }}")}
        for f, v in self.pairs(info, focus):
            if v not in bad:
                counts[f] += 1
        out = []
        for f in foci:
            if qmax is not None and counts[f] > int(qmax):
                out.append(Result(f, SH.QualifiedMaxCountConstraintComponent, info.node, info.path, None))
            if qmin is not None and counts[f] < int(qmin):
                out.append(Result(f, SH.QualifiedMinCountConstraintComponent, info.node, info.path, None))
        return out

    def c_closed(self, info, flag, focus):
        if not (isinstance(flag, Literal) and flag.toPython() is True):
            return []
        allowed = {self.sg.value(p, SH.path) for p in self.sg.objects(info.node, SH.property)}
        allowed = {p for p in allowed if isinstance(p, URIRef)}
        for lst in self.sg.objects(info.node, SH.ignoredProperties):
            allowed.update(self.list_items(lst))
        if info.path_sparql is not None:
            raise UnsupportedShapeError(f"{info.node}: sh:closed on a property shape is not supported")
        cond = " && ".join(f"?p != {_sparql_term(p)}" for p in sorted(allowed)) or "true"
        q = f"SELECT DISTINCT ?this ?p ?o WHERE {{ {focus.pattern} ?this ?p ?o FILTER({cond}) }}"
        return [Result(r[0], SH.ClosedConstraintComponent, info.node, URIRef(r[1].value), r[2])
                for r in self.select(q)]

    def c_sparql(self, info, constraint, focus):
        sg = self.sg
        deact = sg.value(constraint, SH.deactivated)
        if isinstance(deact, Literal) and deact.toPython() is True:
            return []
        select = sg.value(constraint, SH.select)
        if select is None:
            raise UnsupportedShapeError(f"{info.node}: sh:sparql without sh:select is not supported")
        text = str(select)
        if "$shapesGraph" in text or "?shapesGraph" in text:
            raise UnsupportedShapeError(f"{info.node}: $shapesGraph in a SPARQL constraint is not supported")
        prefixes = {}
        for ont in sg.objects(constraint, SH.prefixes):
            for decl in sg.objects(ont, SH.declare):
                prefixes[str(sg.value(decl, SH.prefix))] = str(sg.value(decl, SH.namespace))
        header = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items()))
        if info.path_sparql is not None:
            text = re.sub(r"\$PATH\b", info.path_sparql, text)
        text = re.sub(r"\$currentShape\b", _sparql_term(info.node) if isinstance(info.node, URIRef) else "?_cs", text)
        query = header + text
        foci = [r[0] for r in self.select(f"SELECT ?this WHERE {{ {focus.pattern} }}")]
        out = []
        for f in sorted(foci, key=str):
            sol = self.store.query(query, use_default_graph_as_union=True,
                                   substitutions={ox.Variable("this"): f})
            self.queries += 1
            names = [v.value for v in sol.variables]
            for row in sol:
                rowd = {n: row[n] for n in names}
                if rowd.get("failure") is not None and rowd["failure"].value == "true":
                    raise RuntimeError(f"{info.node}: SPARQL constraint reported a failure")
                path = URIRef(rowd["path"].value) if rowd.get("path") is not None else info.path
                value = rowd.get("value")
                if value is None and info.path_sparql is None:
                    value = f
                out.append(Result(rowd.get("this") or f, SH.SPARQLConstraintComponent, info.node, path, value))
        return out

    def _need_path(self, info: ShapeInfo, param: URIRef) -> None:
        if info.path_sparql is None:
            raise UnsupportedShapeError(f"{info.node}: {param} on a node shape (needs sh:path)")

    # -- the whole run ------------------------------------------------------------------------------
    def run(self) -> ValidationReport:
        results: set[Result] = set()
        for shape in self.top_level_shapes():
            focus = self.target_focus(shape)
            results.update(dataclasses.replace(r, root=None) for r in self.evaluate(shape, focus))
        return self.report(results)

    def report(self, results: set[Result]) -> ValidationReport:
        g = Graph()
        g.bind("sh", SH)
        report = BNode()
        g.add((report, RDF.type, SH.ValidationReport))
        violations: list[Violation] = []
        conforms = True
        for r in sorted(results, key=lambda r: (str(r.focus), str(r.path), str(r.component), str(r.shape),
                                                str(r.value))):
            info = self.info(r.shape)
            node = BNode()
            if not r.detail:
                g.add((report, SH.result, node))
            g.add((node, RDF.type, SH.ValidationResult))
            g.add((node, SH.focusNode, _to_rdflib(r.focus)))
            g.add((node, SH.sourceConstraintComponent, r.component))
            g.add((node, SH.sourceShape, r.shape))
            g.add((node, SH.resultSeverity, info.severity))
            if r.path is not None:
                g.add((node, SH.resultPath, r.path))
                if isinstance(r.path, BNode):
                    self._copy_path(g, r.path)
            if r.value is not None:
                g.add((node, SH.value, _to_rdflib(r.value)))
            messages = [str(m) for m in info.messages] or [DEFAULT_MESSAGES.get(
                r.component, f"Constraint {str(r.component).rsplit('#', 1)[-1]} not met")]
            for m in messages:
                g.add((node, SH.resultMessage, Literal(m)))
            if info.severity == SH.Violation and not r.detail:
                conforms = False
            violations.append(Violation(
                focus=_term_text(r.focus),
                path=str(r.path) if r.path is not None else None,
                component=str(r.component),
                shape=str(r.shape),
                severity=str(info.severity),
                message="; ".join(sorted(messages)),
                value=_term_text(r.value) if r.value is not None else None,
            ))
        # like kg.validate (pyshacl with allow_warnings): only sh:Violation results break conformance
        g.add((report, SH.conforms, Literal(conforms)))
        violations.sort(key=lambda v: (v.focus, v.path or "", v.component))
        return ValidationReport(conforms, g, violations)

    def _copy_path(self, g: Graph, node: Node) -> None:
        todo, seen = [node], set()
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            for p, o in self.sg.predicate_objects(n):
                g.add((n, p, o))
                if isinstance(o, BNode):
                    todo.append(o)


def _ill_typed(lexical: str, datatype: URIRef) -> bool:
    """Does pyshacl (through rdflib) regard this literal as ill-typed for sh:datatype?"""
    from pyshacl.constraints.core.value_constraints import DatatypeConstraintComponent

    lit = Literal(lexical, datatype=datatype)
    if getattr(lit, "ill_typed", None) is True:
        return True
    return not DatatypeConstraintComponent._assert_actual_datatype(None, lit, datatype)


CONSTRAINTS = {
    SH["class"]: FastValidator.c_class,
    SH.datatype: FastValidator.c_datatype,
    SH.nodeKind: FastValidator.c_nodekind,
    SH.minCount: FastValidator.c_min_count,
    SH.maxCount: FastValidator.c_max_count,
    SH.minLength: lambda self, info, o, focus: self.c_length(info, SH.minLength, o, focus),
    SH.maxLength: lambda self, info, o, focus: self.c_length(info, SH.maxLength, o, focus),
    SH.pattern: FastValidator.c_pattern,
    SH.languageIn: FastValidator.c_language_in,
    SH.uniqueLang: FastValidator.c_unique_lang,
    SH["in"]: FastValidator.c_in,
    SH.hasValue: FastValidator.c_has_value,
    SH.equals: lambda self, info, o, focus: self.c_pair(info, SH.equals, o, focus),
    SH.disjoint: lambda self, info, o, focus: self.c_pair(info, SH.disjoint, o, focus),
    SH.lessThan: lambda self, info, o, focus: self.c_pair(info, SH.lessThan, o, focus),
    SH.lessThanOrEquals: lambda self, info, o, focus: self.c_pair(info, SH.lessThanOrEquals, o, focus),
    SH.node: FastValidator.c_node,
    SH.property: FastValidator.c_property,
    SH["not"]: lambda self, info, o, focus: self.c_logical(info, SH["not"], o, focus),
    SH["and"]: lambda self, info, o, focus: self.c_logical(info, SH["and"], o, focus),
    SH["or"]: lambda self, info, o, focus: self.c_logical(info, SH["or"], o, focus),
    SH.xone: lambda self, info, o, focus: self.c_logical(info, SH.xone, o, focus),
    SH.qualifiedValueShape: FastValidator.c_qualified,
    SH.closed: FastValidator.c_closed,
    SH.sparql: FastValidator.c_sparql,
}


# ---------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------
def validate_store(store: ox.Store, shapes: Graph) -> ValidationReport:
    """Validates the union of the store's graphs against `shapes` (same results as kg.validate)."""
    return FastValidator(store, shapes).run()


def _format_for(name: str) -> ox.RdfFormat:
    stem = name[:-3] if name.endswith(".gz") else name
    ext = stem.rsplit(".", 1)[-1].lower()
    formats = {"nq": ox.RdfFormat.N_QUADS, "nt": ox.RdfFormat.N_TRIPLES, "ttl": ox.RdfFormat.TURTLE,
               "trig": ox.RdfFormat.TRIG, "rdf": ox.RdfFormat.RDF_XML, "xml": ox.RdfFormat.RDF_XML,
               "jsonld": ox.RdfFormat.JSON_LD}
    if ext not in formats:
        raise ValueError(f"{name}: unknown RDF file extension")
    return formats[ext]


def load_store(path: str | Path, store: ox.Store | None = None) -> ox.Store:
    """An in-memory store loaded with an RDF file (gzipped if its name ends in .gz)."""
    path = Path(path)
    store = store if store is not None else ox.Store()
    fmt = _format_for(path.name)
    if path.name.endswith(".gz"):
        with gzip.open(path, "rb") as f:
            store.bulk_load(f, format=fmt)
    else:
        store.bulk_load(path=str(path), format=fmt)
    return store


def validate_file(path: str | Path, shapes: Graph) -> ValidationReport:
    """Loads an RDF file into an in-memory pyoxigraph store and validates it."""
    return validate_store(load_store(path), shapes)

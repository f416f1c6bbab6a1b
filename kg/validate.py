"""The SHACL gate: the release is checked against `shapes/`; a violation stops the build.

pyshacl is the reference validator; kg/fastshacl.py compiles the shapes to SPARQL over a pyoxigraph
store and gives the same results much faster.  `validate_store` picks one (`--validator` of
`citykg build` and `citykg validate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from citykg.uris import SH, UriPolicy

#: The packages whose Turtle files are the ontology and the shapes (package data, see pyproject.toml).
ONTOLOGY_PACKAGE = "citykg.ontology"
SHAPES_PACKAGE = "citykg.shapes"

#: The engines `--validator` names: auto is pyshacl up to PYSHACL_LIMIT triples, fast above.
VALIDATORS = ("auto", "fast", "pyshacl")
#: Up to this many triples the reference validator (pyshacl) runs; above, the compiled one.
PYSHACL_LIMIT = 50_000


class MissingTermsError(RuntimeError):
    """The ontology or the shapes are missing or empty: validating against them would pass vacuously."""


class ValidationError(RuntimeError):
    """The data does not conform to the shapes; `report` holds the readable report."""

    def __init__(self, message: str, report: ValidationReport) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class Violation:
    focus: str
    path: str | None
    component: str
    shape: str
    severity: str
    message: str
    value: str | None


@dataclass
class ValidationReport:
    conforms: bool
    graph: Graph
    results: list[Violation]

    @property
    def violations(self) -> list[Violation]:
        return [r for r in self.results if r.severity.endswith("Violation")]

    def text(self, limit: int = 50) -> str:
        if self.conforms:
            return "conforms: no SHACL violations"
        lines = [f"{len(self.violations)} SHACL violation(s):"]
        for v in self.violations[:limit]:
            where = f" {v.path}" if v.path else ""
            value = f" (value {v.value})" if v.value else ""
            lines.append(f"- {v.focus}{where}: {v.message}{value} [{v.component.rsplit('#', 1)[-1]}]")
        if len(self.violations) > limit:
            lines.append(f"... and {len(self.violations) - limit} more (see shacl-report.ttl)")
        return "\n".join(lines)


def turtle_files(source: str | Path, what: str) -> list[Traversable]:
    """The *.ttl files of a package (``citykg.shapes``) or a folder, sorted by name; none is an error."""
    if isinstance(source, Path):
        if not source.is_dir():
            raise MissingTermsError(f"{source}: no such folder, so there is no {what} to build with")
        root: Traversable = source
    else:
        try:
            root = files(source)
        except ModuleNotFoundError:
            raise MissingTermsError(f"the package {source} ({what}) is not installed: reinstall citykg") from None
    found = sorted((f for f in root.iterdir() if f.name.endswith(".ttl") and f.is_file()), key=lambda f: f.name)
    if not found:
        raise MissingTermsError(f"{root}: no Turtle (*.ttl) files, so there is no {what} to build with; "
                                "the installation is incomplete")
    return found


def load_turtle(source: str | Path, what: str, policy: UriPolicy, must_have: URIRef) -> Graph:
    """Parses every *.ttl of `source`, resolving relative IRIs against the base; the result must hold
    at least one thing of type `must_have` (an ontology, a shape), else it is an error."""
    graph = Graph()
    for f in turtle_files(source, what):
        graph.parse(data=f.read_bytes(), format="turtle", publicID=policy.parse_base)
    if (None, RDF.type, must_have) not in graph:
        raise MissingTermsError(f"the {what} ({source}) has no {graph.namespace_manager.normalizeUri(must_have)}: "
                                "validating against it would pass vacuously")
    return graph


def load_shapes(policy: UriPolicy, source: str | Path = SHAPES_PACKAGE) -> Graph:
    return load_turtle(source, "SHACL shapes", policy, SH.NodeShape)


def load_ontology(policy: UriPolicy, source: str | Path = ONTOLOGY_PACKAGE) -> Graph:
    return load_turtle(source, "ontology", policy, OWL.Ontology)


def _result(graph: Graph, node: URIRef) -> Violation:
    def one(p: URIRef) -> str | None:
        v = graph.value(node, p)
        return str(v) if v is not None else None

    messages = [str(m) for m in graph.objects(node, SH.resultMessage) if isinstance(m, Literal)]
    return Violation(
        focus=one(SH.focusNode) or "",
        path=one(SH.resultPath),
        component=one(SH.sourceConstraintComponent) or "",
        shape=one(SH.sourceShape) or "",
        severity=one(SH.resultSeverity) or "",
        message="; ".join(sorted(messages)) or "constraint not met",
        value=one(SH.value),
    )


def validate_graph(data: Graph, shapes: Graph) -> ValidationReport:
    """Validates `data` (ontology and facts together, so sh:class sees concept types)."""
    conforms, report_graph, _text = shacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    results = [_result(report_graph, r) for r in report_graph.subjects(RDF.type, SH.ValidationResult)]
    results.sort(key=lambda v: (v.focus, v.path or "", v.component))
    return ValidationReport(bool(conforms), report_graph, results)


def validate_store(store: ox.Store, shapes: Graph, validator: str) -> ValidationReport:
    """The SHACL gate over the union of the store's graphs."""
    if validator not in VALIDATORS:
        raise ValueError(f"unknown validator {validator!r} ({', '.join(VALIDATORS)})")
    if validator == "auto":
        validator = "pyshacl" if len(store) <= PYSHACL_LIMIT else "fast"
    if validator == "fast":
        from .fastshacl import validate_store as fast

        return fast(store, shapes)
    union = ox.Store()
    union.extend([ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in store])
    data = Graph().parse(data=union.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).decode(),
                         format="nt")
    return validate_graph(data, shapes)

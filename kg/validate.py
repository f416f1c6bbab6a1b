"""The SHACL gate: the release is checked against `shapes/` with pyshacl; a violation stops the build."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from citykg.uris import SH, UriPolicy

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_DIR = ROOT / "ontology"
SHAPES_DIR = ROOT / "shapes"


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


def load_turtle_dir(directory: Path, policy: UriPolicy) -> Graph:
    """Parses every *.ttl of a folder, resolving relative IRIs against the base."""
    graph = Graph()
    for path in sorted(directory.glob("*.ttl")):
        graph.parse(path, format="turtle", publicID=policy.parse_base)
    return graph


def load_shapes(policy: UriPolicy, directory: Path = SHAPES_DIR) -> Graph:
    return load_turtle_dir(directory, policy)


def load_ontology(policy: UriPolicy, directory: Path = ONTOLOGY_DIR) -> Graph:
    return load_turtle_dir(directory, policy)


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

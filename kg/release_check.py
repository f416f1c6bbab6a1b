"""`citykg validate`: checks a published release against its manifest and the shapes."""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Graph

from citykg.manifest import read_manifest, verify_files
from citykg.uris import UriPolicy

from .validate import ValidationReport, load_shapes, validate_graph


def check_release(release: Path) -> ValidationReport:
    """Raises citykg.manifest.ManifestError for a missing, truncated or altered file."""
    manifest = read_manifest(release)
    verify_files(release, manifest)
    policy = UriPolicy(manifest["base"])
    ds = Dataset()
    ds.parse(release / "dataset.nq", format="nquads")
    union = Graph()
    for g in ds.graphs():
        if g.identifier != policy.graph("metadata"):
            for t in g:
                union.add(t)
    return validate_graph(union, load_shapes(policy))

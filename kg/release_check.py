"""`citykg validate`: checks a built release against its manifest and the shapes."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from citykg.manifest import read_manifest, verify_files
from citykg.uris import UriPolicy

from .validate import ValidationReport, load_shapes, validate_store


def check_release(release: Path, validator: str = "auto") -> ValidationReport:
    """Every file against the manifest (citykg.manifest.ManifestError if one is missing, truncated or
    altered), then dataset.nq without its metadata graph against the shapes, as the build validated it."""
    manifest = read_manifest(release)
    verify_files(release, manifest)
    policy = UriPolicy(manifest["base"])
    metadata = ox.NamedNode(str(policy.graph("metadata")))
    store = ox.Store()
    store.bulk_extend(q for q in ox.parse(path=str(release / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
                      if q.graph_name != metadata)
    return validate_store(store, load_shapes(policy), validator)

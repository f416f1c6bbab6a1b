"""Uploading a built release to a SPARQL 1.1 store by the Graph Store HTTP Protocol (`citykg publish`).

Every named graph of the release (dataset.nq, with the metadata graph taken from catalog.ttl
as the server does) is PUT to the store, which replaces that graph; graphs under
`BASE/graph/` that the store still holds from a previous release and that this release no
longer has are DELETEd.  Uploading the same release twice leaves the store as it was.

Tested against Oxigraph server (`/query` + `/store`) and Virtuoso (`/sparql` +
`/sparql-graph-crud-auth`, digest authentication).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from citykg.manifest import ManifestError, read_manifest


class UploadError(RuntimeError):
    """The store refused or could not be reached; the message says which request and why."""


@dataclass
class UploadResult:
    graphs: dict[str, int]  # graph -> triples sent
    removed: list[str]


def graph_store_for(query_url: str) -> str:
    """The Graph Store endpoint that usually goes with a query endpoint."""
    if query_url.endswith("/query"):
        return query_url[: -len("/query")] + "/store"  # Oxigraph server
    if query_url.endswith("/sparql"):
        return query_url + "-graph-crud-auth"  # Virtuoso
    raise UploadError(f"cannot guess the Graph Store endpoint of {query_url}: give --graph-store URL")


def _auth(url: str, user: str | None, password: str | None) -> AuthBase | None:
    if user is None:
        return None
    try:
        probe = requests.head(url, timeout=30)
    except requests.RequestException as exc:
        raise UploadError(f"{url}: unreachable ({exc.__class__.__name__}: {exc})") from None
    challenge = probe.headers.get("WWW-Authenticate", "")
    if challenge.lower().startswith("digest"):
        return HTTPDigestAuth(user, password or "")
    return HTTPBasicAuth(user, password or "")


def _check(response: requests.Response, what: str) -> None:
    if response.status_code in (200, 201, 204):
        return
    text = response.text
    if "html" in response.headers.get("Content-Type", ""):
        text = re.sub(r"<[^>]*>", " ", text)  # an error page: its words only
    body = " ".join(text.split())[:300] or "(empty body)"
    hint = " (wrong --user/--password?)" if response.status_code in (401, 403) else ""
    raise UploadError(f"{what}: HTTP {response.status_code}{hint}: {body}")


def release_manifest(release: Path) -> dict:
    """The release's manifest (it must name the base the release was built with)."""
    try:
        return read_manifest(release, required=("base",))
    except ManifestError as exc:
        raise UploadError(str(exc)) from None


def release_graphs(release: Path, manifest: dict) -> dict[str, bytes]:
    """Each named graph of the release as N-Triples bytes (the metadata graph from catalog.ttl)."""
    metadata = f"{manifest['base']}/graph/metadata"
    lines: dict[str, list[str]] = defaultdict(list)
    for q in ox.parse(path=str(release / "dataset.nq"), format=ox.RdfFormat.N_QUADS):
        if not isinstance(q.graph_name, ox.NamedNode):
            raise UploadError(f"{release}/dataset.nq: a triple outside the named graphs of a release")
        if q.graph_name.value == metadata and (release / "catalog.ttl").is_file():
            continue
        lines[q.graph_name.value].append(f"{q.subject} {q.predicate} {q.object} .")
    if (release / "catalog.ttl").is_file():
        lines[metadata] = [f"{t.subject} {t.predicate} {t.object} ."
                           for t in ox.parse(path=str(release / "catalog.ttl"), format=ox.RdfFormat.TURTLE)]
    return {g: ("\n".join(ls) + "\n").encode("utf-8") for g, ls in sorted(lines.items())}


def remote_graphs(query_url: str, prefix: str, auth: AuthBase | None) -> list[str]:
    query = f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{prefix}")) }}'
    try:
        r = requests.post(query_url, data={"query": query}, auth=auth, timeout=600,
                          headers={"Accept": "application/sparql-results+json"})
    except requests.RequestException as exc:
        raise UploadError(f"{query_url}: unreachable ({exc.__class__.__name__}: {exc})") from None
    _check(r, f"listing the graphs at {query_url}")
    try:
        return sorted(b["g"]["value"] for b in r.json()["results"]["bindings"])
    except (ValueError, KeyError, TypeError):
        raise UploadError(f"{query_url} is not a SPARQL query endpoint (no SPARQL JSON results to "
                           f"SELECT): {' '.join(r.text.split())[:200]}") from None


def upload(release: Path, to: str, graph_store: str | None = None, user: str | None = None,
            password: str | None = None, log: Callable[[str], None] = lambda _m: None) -> UploadResult:
    manifest = release_manifest(release)
    graphs = release_graphs(release, manifest)
    base = manifest["base"]
    store = graph_store or graph_store_for(to)
    auth = _auth(store, user, password)
    before = remote_graphs(to, f"{base}/graph/", auth)
    sent: dict[str, int] = {}
    session = requests.Session()
    for graph, body in graphs.items():
        try:
            # N-Triples is Turtle: every store's Graph Store endpoint takes text/turtle.
            r = session.put(store, params={"graph": graph}, data=body, auth=auth, timeout=3600,
                            headers={"Content-Type": "text/turtle; charset=utf-8"})
        except requests.RequestException as exc:
            raise UploadError(f"PUT {graph} to {store}: {exc.__class__.__name__}: {exc}") from None
        _check(r, f"PUT {graph} to {store}")
        sent[graph] = body.count(b"\n")
        log(f"{graph}: {sent[graph]:,} triples")
    removed = [g for g in before if g not in graphs]
    for graph in removed:
        try:
            r = session.delete(store, params={"graph": graph}, auth=auth, timeout=600)
        except requests.RequestException as exc:
            raise UploadError(f"DELETE {graph} at {store}: {exc.__class__.__name__}: {exc}") from None
        if r.status_code != 404:
            _check(r, f"DELETE {graph} at {store}")
        log(f"{graph}: removed (not in this release)")
    return UploadResult(sent, removed)

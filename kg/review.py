"""`citykg review`: a local page per profile where a reviewer turns an extraction into a correct record.

A build-side tool (it runs the extractor), so it lives beside the pipeline, never in the server. A small
Flask app of its own on 127.0.0.1: the page (``review.html``, plain HTML and JavaScript, nothing from a
network) shows each sentence of the text with its figures highlighted and, beside it, the facts taken
from it, the candidates the extractor left out and the figures nothing took; every decision the
reviewer takes is written at once to the profile's sidecar (``facts:``, kg/curation.py).
"""

from __future__ import annotations

import copy
import datetime as dt
from importlib.resources import files
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, jsonify, request
from markupsafe import escape
from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from citykg.uris import UriPolicy

from .curation import NAMED_KINDS, QUALIFIERS, UNITS, Decision, Facts, ReviewCounts, apply_decisions, decision_of, norm
from .extract import extract, period_in
from .quantities import Quantity, document_style, find_quantities
from .record import Figure, Record
from .sidecar import sidecar_path
from .text import ExtractError, read_text
from .validate import load_ontology

#: shares in words, as a selection may hold them ("a quarter of the land"): value in per cent, qualifier
FRACTIONS = {"half": (50, "exact"), "a half": (50, "exact"), "one half": (50, "exact"), "a quarter": (25, "exact"),
             "one quarter": (25, "exact"), "three quarters": (75, "exact"), "a third": (33.3, "approximately"),
             "one third": (33.3, "approximately"), "two thirds": (66.7, "approximately"),
             "a fifth": (20, "exact"), "one fifth": (20, "exact"), "a tenth": (10, "exact"), "one tenth": (10, "exact")}


def _number(value: Any) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def indicator_scheme() -> list[dict[str, str]]:
    """The indicators of the scheme, to pick from (a new slug is allowed too)."""
    policy = UriPolicy()
    graph = load_ontology(policy)
    out = []
    for c in set(graph.subjects(SKOS.inScheme, policy.scheme("indicator"))):
        if isinstance(c, URIRef):
            label = next((str(o) for o in graph.objects(c, SKOS.prefLabel) if isinstance(o, Literal)), "")
            out.append({"slug": str(c).rsplit("/", 1)[-1], "label": label})
    return sorted(out, key=lambda i: i["slug"])


class Profile:
    """One profile under review: its text, its extraction and the decisions of its sidecar."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.side = sidecar_path(path) or path.with_suffix(".yaml")

    def facts(self) -> Facts:
        return Facts.load(self.side)

    def applied(self, decisions: list[Decision]) -> tuple[Record, Record, ReviewCounts]:
        text = read_text(self.path)
        raw = extract(self.path)
        record = copy.deepcopy(raw)
        counts = apply_decisions(record, decisions, text, self.side)
        return raw, record, counts

    def state(self) -> dict[str, Any]:
        facts = self.facts()
        text = read_text(self.path)
        error = None
        try:
            raw, record, counts = self.applied(facts.decisions)
        except ExtractError as exc:
            error = str(exc)
            raw = extract(self.path)
            record, counts = copy.deepcopy(raw), ReviewCounts(extracted=len(raw.figures))
        style = document_style(text)
        sentences = []
        for i, report in enumerate(record.report):
            sentences.append(self.sentence(i, report.sentence, raw, record, facts.decisions, style))
        return {
            "profile": self.path.stem,
            "file": self.path.name,
            "sidecar": self.side.name,
            "city": record.city.name,
            "error": error,
            "counts": counts.as_dict(),
            "sentences": sentences,
            "decisions": [{"index": i, "line": d.line, **_plain(d.to_yaml())} for i, d in enumerate(facts.decisions)],
        }

    def sentence(self, i: int, sentence: str, raw: Record, record: Record, decisions: list[Decision],
                 style: bool | None) -> dict[str, Any]:
        words = norm(sentence)
        raw_report = next((r for r in raw.report if norm(r.sentence) == words), None)
        unmapped = raw_report.unmapped if raw_report else []
        figures = [f for f in record.figures if norm(f.source) == words]
        quantities = [q for q in find_quantities(sentence, dot_thousands=style) if q.kind != "year"]

        def decision_for(f: Figure) -> int | None:
            target = self.target(f, decisions, words)
            for n, d in enumerate(decisions):
                if norm(d.sentence) != words or norm(d.quote) != norm(f.stated) or d.named is not None:
                    continue
                if (d.fact is not None and d.fact == target) or (d.fact is None and d.indicator == f.indicator):
                    return n
            return None

        facts = []
        for f in figures:
            facts.append({
                "indicator": f.indicator, "value": _number(f.value), "unit": f.unit, "qualifier": f.qualifier,
                "period": f.period, "stated": f.stated, "industry": f.industry,
                "review": f.review.decision if f.review else None, "by": f.review.by if f.review else None,
                "decision": decision_for(f) if f.review else None,
                "target": self.target(f, decisions, words),
            })
        named = []
        for kind, things in (("landmark", record.landmarks), ("organisation", record.organisations),
                             ("theme", record.themes)):
            for x in things:
                if norm(x.source) == words:
                    named.append({"kind": kind, "name": x.name, "review": x.review.decision if x.review else None})
        rejected = [{"index": n, **_plain(d.to_yaml())} for n, d in enumerate(decisions)
                    if d.decision == "reject" and norm(d.sentence) == words]
        marks, candidates, left = [], [], []
        for q in quantities:
            status = "left"
            reason = ""
            if any(_overlaps(sentence, f.stated, q) for f in figures):
                status = "fact"
            elif any(_overlaps(sentence, r["quote"], q) for r in rejected):
                status = "rejected"
            else:
                entry = next((u for u in unmapped if u.startswith(q.stated)), None)
                if entry is not None:
                    reason = entry.split(" — ", 1)[-1]
                    status = "candidate" if reason.startswith("candidate") else "left"
                else:
                    reason = "no role: nothing took it"
            marks.append({"start": q.start, "end": q.end, "status": status})
            if status in ("candidate", "left"):
                item = {"stated": q.stated, "reason": reason, "value": _number(q.value), "unit": q.unit,
                        "qualifier": q.qualifier, "period": period_in(sentence)}
                (candidates if status == "candidate" else left).append(item)
        # the words of facts no figure of the text covers: a reviewer's "a quarter", a landmark's name
        for words_of in [f.stated for f in figures] + [n["name"] for n in named]:
            at = sentence.find(words_of)
            if at >= 0 and not any(m["start"] < at + len(words_of) and at < m["end"] for m in marks):
                marks.append({"start": at, "end": at + len(words_of), "status": "fact"})
        marks.sort(key=lambda m: m["start"])
        return {"i": i, "text": sentence, "marks": marks, "facts": facts, "named": named, "candidates": candidates,
                "left": left, "rejected": rejected}

    @staticmethod
    def target(f: Figure, decisions: list[Decision], words: str) -> str:
        """The indicator of the extracted fact a figure is (a correction may have renamed it)."""
        for d in decisions:
            if d.decision == "correct" and norm(d.sentence) == words and norm(d.quote) == norm(f.stated) and \
                    (d.indicator or d.fact) == f.indicator and d.fact:
                return d.fact
        return f.indicator

    def decide(self, body: dict[str, Any]) -> None:
        """Adds (or replaces) one decision, after checking that the build can apply it; then saves."""
        facts = self.facts()
        if not body.get("at"):
            body["at"] = dt.date.today().isoformat()
        d = decision_of(self.side, 0, {k: v for k, v in body.items() if v not in (None, "")})
        kept = [old for old in facts.decisions if _key(old) != _key(d)]
        if d.decision == "reject" and d.named is not None:
            # rejecting a thing the reviewer added: the add goes
            added = [old for old in kept if old.decision == "add" and old.named == d.named]
            if added:
                facts.decisions = [old for old in kept if old not in added]
                self.applied(facts.decisions)
                facts.save()
                return
        facts.decisions = [*kept, d]
        self.applied(facts.decisions)  # raises ExtractError when the build could not apply it
        facts.save()

    def undo(self, index: int) -> None:
        facts = self.facts()
        if not 0 <= index < len(facts.decisions):
            abort(404)
        del facts.decisions[index]
        facts.save()


def _key(d: Decision) -> tuple:
    """Decisions on the same thing replace one another."""
    if d.named is not None:
        return ("named", norm(d.sentence), d.named)
    target = d.fact if d.fact is not None else ("added", norm(d.quote))
    return ("figure", norm(d.sentence), norm(d.quote), target)


def _overlaps(sentence: str, stated: str, q: Quantity) -> bool:
    start = sentence.find(stated)
    while start >= 0:
        if start < q.end and q.start < start + len(stated):
            return True
        start = sentence.find(stated, start + 1)
    return False


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()}


def create_review_app(seeds: Path, reviewer: str | None = None) -> Flask:
    folder = seeds / "profiles"
    if not folder.is_dir():
        raise ExtractError(f"{folder}: no such folder (profiles are read from SEEDS/profiles/*.txt)")
    app = Flask(__name__)
    page = files("citykg.kg").joinpath("review.html").read_text(encoding="utf-8")
    indicators = indicator_scheme()

    def profile(name: str) -> Profile:
        path = folder / f"{name}.txt"
        if "/" in name or not path.is_file():
            abort(404)
        return Profile(path)

    @app.get("/")
    def index() -> Response:
        items = "".join(f'<li><a href="/profile/{escape(p.stem)}">{escape(p.stem)}</a></li>'
                        for p in sorted(folder.glob("*.txt")))
        return Response(f'<!doctype html><html lang="en"><meta charset="utf-8"><title>citykg review</title>'
                        f"<h1>Profiles to review</h1><p>{escape(str(folder))}</p><ul>{items}</ul></html>",
                        mimetype="text/html")

    @app.get("/profile/<name>")
    def profile_page(name: str) -> Response:
        profile(name)
        return Response(page, mimetype="text/html")

    @app.get("/api/profile/<name>")
    def state(name: str) -> Response:
        out = profile(name).state()
        out.update(indicators=indicators, units=list(UNITS), qualifiers=list(QUALIFIERS),
                   kinds=list(NAMED_KINDS), reviewer=reviewer)
        return jsonify(out)

    @app.post("/api/profile/<name>/decisions")
    def decide(name: str) -> Response | tuple[Response, int]:
        body = request.get_json(silent=True)  # JSON only: a form on another site cannot post here
        if not isinstance(body, dict):
            return jsonify(error="send the decision as a JSON object"), 400
        try:
            profile(name).decide(body)
        except ExtractError as exc:
            return jsonify(error=str(exc).replace(f"{folder}/", "")), 400
        return state(name)

    @app.delete("/api/profile/<name>/decisions/<int:index>")
    def undo(name: str, index: int) -> Response:
        profile(name).undo(index)
        return state(name)

    @app.post("/api/profile/<name>/parse")
    def parse(name: str) -> Response:
        """What a selection of words says: its first figure's value, unit and qualifier, and the period of its
        sentence (to fill the form of an added fact)."""
        profile(name)
        body = request.get_json(silent=True) or {}
        quote, sentence = str(body.get("quote", "")), str(body.get("sentence", ""))
        found = [q for q in find_quantities(quote) if q.kind != "year"]
        out: dict[str, Any] = {"period": period_in(sentence)}
        share = FRACTIONS.get(" ".join(quote.lower().split()).removeprefix("about ").removeprefix("nearly "))
        if found:
            q = found[0]
            out.update(value=_number(q.value), unit=q.unit if q.unit in UNITS else None, qualifier=q.qualifier)
        elif share is not None:
            out.update(value=share[0], unit="PERCENT", qualifier=share[1])
        return jsonify(out)

    return app


def serve(seeds: Path, port: int, reviewer: str | None = None) -> None:
    app = create_review_app(seeds, reviewer)
    app.run(host="127.0.0.1", port=port, threaded=True)

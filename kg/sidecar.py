"""The reviewed sidecar of a profile (`<profile>.yaml`): labels, coordinates, identifiers, source facts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .curation import Decision, parse_decisions
from .text import ExtractError

VERIFIED_ID = re.compile(r"^(https://sws\.geonames\.org/\d+/|http://www\.wikidata\.org/entity/Q\d+)$")
LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")


@dataclass
class Place:
    name: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    same_as: list[str] = field(default_factory=list)
    lat: float | None = None
    lon: float | None = None


@dataclass
class Sidecar:
    path: Path | None = None
    city: Place = field(default_factory=Place)
    province: Place = field(default_factory=Place)
    country: Place | None = None
    landmarks: dict[str, Place] = field(default_factory=dict)
    source_title: str | None = None
    publisher: str | None = None
    issued: str | None = None
    facts: list[Decision] = field(default_factory=list)  # the reviewer's decisions (kg/curation.py)


def sidecar_path(profile: Path) -> Path | None:
    for ext in (".yaml", ".yml"):
        candidate = profile.with_suffix(ext)
        if candidate.exists():
            return candidate
    return None


def load_sidecar(profile: Path) -> Sidecar:
    """Loads the sidecar beside `profile`; a profile without one gets an empty sidecar."""
    path = sidecar_path(profile)
    if path is None:
        return Sidecar()
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ExtractError(f"{path}: not a valid YAML sidecar: {exc}") from exc
    if not isinstance(data, dict):
        raise ExtractError(f"{path}: a sidecar is a mapping (city:, province:, country:, landmarks:, source:, facts:)")
    unknown = set(data) - {"city", "province", "country", "landmarks", "source", "facts"}
    if unknown:
        raise ExtractError(f"{path}: unknown sidecar keys: {', '.join(sorted(unknown))}")

    def place(key: str, value: Any) -> Place:
        if value is None:
            return Place()
        if not isinstance(value, dict):
            raise ExtractError(f"{path}: {key} must be a mapping")
        labels = value.get("labels") or {}
        if not isinstance(labels, dict) or not all(LANG.match(str(k)) for k in labels):
            raise ExtractError(f"{path}: {key}.labels must map language tags to labels")
        same_as = [str(s) for s in value.get("same_as") or []]
        for s in same_as:
            if not VERIFIED_ID.match(s):
                raise ExtractError(
                    f"{path}: {key}.same_as {s!r} is not a GeoNames (https://sws.geonames.org/N/) "
                    "or Wikidata (http://www.wikidata.org/entity/QN) identifier"
                )
        coords = value.get("coordinates") or {}
        lat, lon = coords.get("lat"), coords.get("lon")
        if (lat is None) != (lon is None):
            raise ExtractError(f"{path}: {key}.coordinates needs both lat and lon")
        if lat is not None and not (-90 <= float(lat) <= 90 and -180 <= float(lon) <= 180):
            raise ExtractError(f"{path}: {key}.coordinates out of range: {lat}, {lon}")
        return Place(
            name=value.get("name"),
            labels={str(k): str(v) for k, v in labels.items()},
            same_as=same_as,
            lat=float(lat) if lat is not None else None,
            lon=float(lon) if lon is not None else None,
        )

    source = data.get("source") or {}
    landmarks = data.get("landmarks") or {}
    issued = source.get("issued")
    if issued is not None and not re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", str(issued)):
        raise ExtractError(f"{path}: source.issued must be YYYY, YYYY-MM or YYYY-MM-DD")
    return Sidecar(
        path=path,
        city=place("city", data.get("city")),
        province=place("province", data.get("province")),
        country=place("country", data["country"]) if data.get("country") else None,
        landmarks={str(k): place(f"landmarks.{k}", v) for k, v in landmarks.items()},
        source_title=source.get("title"),
        publisher=source.get("publisher"),
        issued=str(issued) if issued is not None else None,
        facts=parse_decisions(path, text)[0],
    )

"""A loopback CVDPREVENT API serving SYNTHETIC payloads (scripts/generate_synthetic_cvdprevent.py).

payloads = generate_payloads(tmp_path / "api", practices=6)
with LoopbackServer() as server:
    serve_payloads(server, payloads)
    document = walk_sources_document(sources_document, server.base_url)
"""

import copy
import hashlib
import importlib.util
import json
from pathlib import Path

from tests.conftest import PROJECT_ROOT
from tests.support.http_server import LoopbackServer, Scripted

_SPEC = importlib.util.spec_from_file_location(
    "generate_synthetic_cvdprevent", PROJECT_ROOT / "scripts" / "generate_synthetic_cvdprevent.py"
)
generator = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(generator)


def generate_payloads(
    out: Path, *, seed: int = 7, practices: int = 6, indicators: int = 1, periods: int = 2
) -> Path:
    generator.generate(out, seed=seed, practices=practices, indicators=indicators, periods=periods)
    return out


def manifest(payloads: Path) -> dict[str, str]:
    return json.loads((payloads / "manifest.json").read_text(encoding="utf-8"))


def scripted(body: bytes) -> Scripted:
    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
    return Scripted.ok(body, content_type="application/json", etag=etag, honour_conditional=True)


def serve_payloads(server: LoopbackServer, payloads: Path) -> dict[str, str]:
    """Script every request of the manifest (path + query) with its file, honouring If-None-Match."""
    routes = manifest(payloads)
    for request, name in routes.items():
        server.script(request, scripted((payloads / name).read_bytes()))
    return routes


def walk_sources_document(sources_document: dict, base_url: str, **api) -> dict:
    """A sources document holding only ``cvdprevent``, walking the API at ``base_url``."""
    source = copy.deepcopy(next(s for s in sources_document["sources"] if s["id"] == "cvdprevent"))
    source["api"] = {
        "walker": "cvdprevent",
        "base_url": base_url,
        "indicators": ["CVDP001HYP"],
        "system_levels": ["England", "Region", "ICB", "Sub-ICB", "PCN", "Practice"],
        "time_periods": {"latest": 2},
        **api,
    }
    return {"schema_version": 1, "sources": [source]}

"""Digests of the pipeline's own source files: the "code version" every tracked run records."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.util.jsonio import canonical_json, sha256_bytes, sha256_text

PACKAGE_ROOT = Path(__file__).parent


def code_manifest(subset: tuple[str, ...] | None = None) -> dict[str, object]:
    """{files: {relative path: sha256}, digest}; line endings normalised so checkouts agree."""
    files = {}
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        relative = path.relative_to(PACKAGE_ROOT).as_posix()
        if subset is not None and relative not in subset:
            continue
        files[relative] = sha256_bytes(path.read_bytes().replace(b"\r\n", b"\n"))
    return {"files": files, "digest": sha256_text(canonical_json(files))}


def code_digest(*relative: str) -> str:
    return str(code_manifest(tuple(relative))["digest"])

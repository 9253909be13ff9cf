"""PA.4 continuous integration: build a deployment package, integration-test it, security-scan it.

- PA.4.step1 build the package folder (model, transform, serving code, serving config, pinned
  dependencies, MANIFEST.json with every file's digest) and run the integration tests against the
  package as it will be deployed: golden predictions, input schema, latency budget; with
  `explanations` in the config, `check_reason_codes`: every decline in a sample of applications
  carries reason codes from the package's serving code, and they name what drives the score.
- PA.4.step2 the CI pipeline's security scan: model types against the pinned trusted list, no
  pickle/joblib in the package, every dependency pinned, digests consistent.
- PA.4.step3 feedback: the CI report lists every check and every problem; any failed check fails
  the stage (after the report and the event are written).
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import numpy as np
import pandas as pd

from mlops_audit.util.jsonio import atomic_write_bytes, atomic_write_text, sha256_file, write_json

from reference_pipeline import serving, stats
from reference_pipeline.config import ExplanationSettings
from reference_pipeline.context import RunContext, StageFailed
from reference_pipeline.features import SchemaError, TransformSpec
from reference_pipeline.registry import TRUSTED_TYPES, ModelVersion, untrusted_types
from reference_pipeline.stages.experiments import ModelCandidate

STAGE = "integration"
PINNED_PACKAGES = ("scikit-learn", "numpy", "scipy", "pandas", "skops", "pydantic")
PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".sav")
CLEAN_DATA = "data/clean.csv"  # the cleaned applications (PA.2.step3): the reason-code check's sample


@dataclass
class Package:
    """A deployment package that passed CI."""

    name: str  # e.g. bank-credit-default-v1
    path: str  # relative to the run folder
    manifest_sha256: str
    model: ModelVersion
    holdout_scores_path: str
    holdout_features: pd.DataFrame  # features of the held-out split, in holdout_scores order
    reference_features: pd.DataFrame


def build(ctx: RunContext, entry: ModelVersion, spec_path: str) -> tuple[str, str]:
    package = f"deploy/packages/{entry.name}-v{entry.version}"
    root = ctx.run_dir / package
    root.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(root / serving.MODEL_FILE, (ctx.run_dir / "registry" / entry.path).read_bytes())
    atomic_write_bytes(root / serving.TRANSFORM_FILE, (ctx.run_dir / spec_path).read_bytes())
    atomic_write_text(root / "serving.py", inspect.getsource(serving))
    write_json(root / "config.json", {
        "model": entry.name, "version": entry.version, "algorithm": entry.algorithm,
        "feature_version": entry.feature_version, "latency_budget_ms": ctx.config.ci.latency_budget_ms,
        "entry_point": "serving.ScoringService",
    })
    pins = []
    for name in PINNED_PACKAGES:
        try:
            pins.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pins.append(f"{name}  # not installed")
    atomic_write_text(root / "requirements.lock", "\n".join(pins) + "\n")
    files = {p.name: sha256_file(p) for p in sorted(root.iterdir()) if p.name != serving.MANIFEST}
    write_json(root / serving.MANIFEST, {"package": f"{entry.name}-v{entry.version}", "files": files})
    return package, sha256_file(root / serving.MANIFEST)


def integration_tests(ctx: RunContext, package: str, manifest_sha: str, golden_path: str) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    try:
        service = serving.ScoringService(ctx.run_dir / package, manifest_sha)
    except Exception as exc:  # any failure to load is a failed check, reported, never a crash
        return [{"check": "package_loads", "passed": False, "detail": str(exc)}]
    results.append({"check": "package_loads", "passed": True, "detail": "digests verified, model loaded"})

    golden = pd.read_csv(ctx.run_dir / golden_path)
    expected = golden.pop("expected_score").to_numpy()
    got = service.score(golden)
    diff = float(np.max(np.abs(got - expected))) if len(expected) else 0.0
    tolerance = ctx.config.ci.golden_tolerance
    results.append({"check": "golden_predictions", "passed": diff <= tolerance,
                    "detail": f"{len(expected)} rows, max |difference| {diff:.3g} (tolerance {tolerance})"})

    spec: TransformSpec = service.spec
    probes = {"missing column": golden.drop(columns=[spec.input_columns[0]]).head(1)}
    text_values = golden.head(1).astype(object)
    text_values[spec.numeric[0]] = "not a number"
    probes["non-numeric value"] = text_values
    if spec.categorical:
        column = sorted(spec.categorical)[0]
        unknown = golden.head(1).copy()
        unknown[column] = "__undeclared__"
        probes["undeclared category"] = unknown
    rejected = []
    for label, request in probes.items():
        try:
            service.score(request)
        except SchemaError:
            rejected.append(label)
    results.append({"check": "input_schema", "passed": len(rejected) == len(probes),
                    "detail": f"malformed requests rejected: {sorted(rejected)} of {sorted(probes)}"})

    timings = []
    single = golden.head(1)
    for _ in range(3):  # warm-up, untimed: first calls pay for lazy initialisation, not serving
        service.score(single)
    for _ in range(ctx.config.ci.latency_requests):
        start = ctx.timer()
        service.score(single)
        timings.append((ctx.timer() - start) * 1000.0)
    p95 = stats.percentile(timings, 95)
    budget = ctx.config.ci.latency_budget_ms
    results.append({"check": "latency_budget", "passed": p95 <= budget,
                    "detail": f"p95 {p95:.3f} ms over {len(timings)} single-row requests (budget {budget} ms)",
                    "p95_ms": round(p95, 6)})
    return results


def reason_code_check(ctx: RunContext, package: str, manifest_sha: str, settings: ExplanationSettings) -> dict[str, Any]:
    """The package's reason codes on the first `settings.decisions` cleaned applications: every
    decline (score >= decline_at) must carry a reason code, and setting all its reason inputs to
    their reference values must lower its score (the codes name what drives the decision)."""
    service = serving.ScoringService(ctx.run_dir / package, manifest_sha)
    requests = pd.read_csv(ctx.run_dir / CLEAN_DATA).head(settings.decisions)[service.spec.input_columns]
    base, codes = service.reason_codes(requests, top=settings.top_reasons)
    declines = [i for i in range(len(requests)) if base[i] >= settings.decline_at]
    without = [i for i in declines if not codes[i]]
    explained = [i for i in declines if codes[i]]
    reference = service.reference_values()
    inconsistent: list[int] = []
    if explained:
        reverted = requests.iloc[explained].copy()
        for row, i in enumerate(explained):
            for code in codes[i]:
                reverted.iloc[row, reverted.columns.get_loc(code["input"])] = reference[code["input"]]
        after = service.score(reverted)
        inconsistent = [i for row, i in enumerate(explained) if not after[row] < base[i]]
    passed = bool(declines) and not without and not inconsistent
    return {
        "check": "reason_codes",
        "passed": passed,
        "detail": (f"{len(requests)} decisions, {len(declines)} declines at score >= {settings.decline_at}: "
                   f"{len(without)} without a reason code, {len(inconsistent)} whose reasons do not lower the score"
                   + ("" if declines else "; no decline to check")),
        "decisions_checked": len(requests),
        "declines": len(declines),
        "decisions_without_reason": len(without),
        "inconsistent": len(inconsistent),
        "declines_explained": [{"row": i, "score": stats.rounded(float(base[i])), "reason_codes": codes[i]} for i in declines],
    }


def security_scan(ctx: RunContext, package: str) -> list[dict[str, Any]]:
    root = ctx.run_dir / package
    results: list[dict[str, Any]] = []
    found = untrusted_types(root / serving.MODEL_FILE)
    outside = sorted(set(found) - set(TRUSTED_TYPES))
    results.append({"check": "model_types_trusted", "passed": not outside,
                    "detail": f"untrusted types {found}; outside the pinned list: {outside}"})
    pickles = sorted(p.name for p in root.iterdir()
                     if p.suffix in PICKLE_SUFFIXES or p.read_bytes()[:1] == b"\x80")
    results.append({"check": "no_pickle_files", "passed": not pickles, "detail": f"pickle-like files: {pickles}"})
    lines = [line for line in (root / "requirements.lock").read_text(encoding="utf-8").splitlines() if line.strip()]
    unpinned = [line for line in lines if "==" not in line]
    results.append({"check": "dependencies_pinned", "passed": not unpinned and len(lines) == len(PINNED_PACKAGES),
                    "detail": f"{len(lines) - len(unpinned)} of {len(PINNED_PACKAGES)} pinned; unpinned: {unpinned}"})
    listed = json.loads((root / serving.MANIFEST).read_text(encoding="utf-8"))["files"]
    present = {p.name for p in root.iterdir() if p.name != serving.MANIFEST}
    mismatched = sorted(n for n, d in listed.items() if not (root / n).is_file() or sha256_file(root / n) != d)
    unlisted = sorted(present - set(listed))
    results.append({"check": "digests_consistent", "passed": not mismatched and not unlisted,
                    "detail": f"mismatched: {mismatched}; not in manifest: {unlisted}"})
    return results


def run(ctx: RunContext, candidate: ModelCandidate, spec_path: str) -> Package:
    entry, golden_path = candidate.entry, candidate.golden_path
    package, manifest_sha = build(ctx, entry, spec_path)
    files = sorted(p.name for p in (ctx.run_dir / package).iterdir())
    ctx.record(
        "PA.4.step1", "build_deployment_package", "software_engineer", STAGE,
        inputs=[ctx.ref(f"registry/{entry.path}"), ctx.ref(spec_path)],
        outputs=[f"{package}/{name}" for name in files],
        params={"package": package, "model": entry.name, "version": entry.version},
    )
    tests = integration_tests(ctx, package, manifest_sha, golden_path)
    ctx.record(
        "PA.4.step1", "integration_tests", "test_engineer", STAGE,
        inputs=[ctx.ref(f"{package}/{serving.MANIFEST}"), ctx.ref(golden_path)],
        params={"checks": [t["check"] for t in tests]},
        metrics={t["check"]: 1.0 if t["passed"] else 0.0 for t in tests},
        decision={"verdict": "pass" if all(t["passed"] for t in tests) else "fail"},
    )
    explanations = ctx.config.explanations
    if explanations is not None:
        reasons = reason_code_check(ctx, package, manifest_sha, explanations)
        report = ctx.write_json(f"reports/reason_codes-{entry.name}-v{entry.version}.json", reasons)
        ctx.record(
            "PA.4.step1", "check_reason_codes", "test_engineer", STAGE,
            inputs=[ctx.ref(f"{package}/{serving.MANIFEST}"), ctx.ref(CLEAN_DATA)],
            outputs=[report],
            params={"method": "baseline substitution: each input set to its training median or first category",
                    "decline_at": explanations.decline_at, "top_reasons": explanations.top_reasons,
                    "decisions_checked": reasons["decisions_checked"],
                    "decisions_without_reason": reasons["decisions_without_reason"]},
            metrics={"decisions_checked": float(reasons["decisions_checked"]), "declines": float(reasons["declines"]),
                     "decisions_without_reason": float(reasons["decisions_without_reason"]),
                     "inconsistent_reasons": float(reasons["inconsistent"])},
            decision={"verdict": "pass" if reasons["passed"] else "fail"},
        )
        tests.append({k: reasons[k] for k in ("check", "passed", "detail")})
    scan = security_scan(ctx, package)
    ctx.record(
        "PA.4.step2", "security_scan", "mlops_engineer", STAGE,
        inputs=[ctx.ref(f"{package}/{serving.MANIFEST}")],
        params={"trusted_types": list(TRUSTED_TYPES), "checks": [s["check"] for s in scan]},
        metrics={s["check"]: 1.0 if s["passed"] else 0.0 for s in scan},
        decision={"verdict": "pass" if all(s["passed"] for s in scan) else "fail"},
    )
    checks = tests + scan
    problems = [f"{c['check']}: {c['detail']}" for c in checks if not c["passed"]]
    report_path = ctx.write_json(
        f"reports/ci-{entry.name}-v{entry.version}.json",
        {"package": package, "manifest_sha256": manifest_sha, "checks": checks, "problems": problems,
         "verdict": "pass" if not problems else "fail"},
    )
    ctx.record(
        "PA.4.step3", "ci_feedback", "software_engineer", STAGE,
        outputs=[report_path],
        metrics={"checks": float(len(checks)), "failed": float(len(problems))},
        decision={"verdict": "pass" if not problems else "fail", "problems": problems},
    )
    if problems:
        raise StageFailed(f"CI failed for {package} (see {report_path}): " + "; ".join(problems))
    return Package(
        name=f"{entry.name}-v{entry.version}",
        path=package,
        manifest_sha256=manifest_sha,
        model=entry,
        holdout_scores_path=candidate.holdout_scores_path,
        holdout_features=candidate.holdout_features,
        reference_features=candidate.reference_features,
    )

"""The model registry and serving: a model whose digest does not match is never loaded."""

from __future__ import annotations

import json
import operator
import shutil
from pathlib import Path

import numpy as np
import pytest
import skops.io

from mlops_audit.util.jsonio import sha256_file
from reference_pipeline.models import make_estimator
from reference_pipeline.registry import (
    ModelIntegrityError,
    ModelRegistry,
    canonical_skops,
    dump_model,
    load_verified,
)

X = np.random.default_rng(0).normal(size=(200, 4))
Y = (X[:, 0] + X[:, 1] > 0).astype(int)


@pytest.fixture(params=["logistic_regression", "hist_gradient_boosting", "random_forest"])
def model(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    params = {"hist_gradient_boosting": {"max_iter": 10}, "random_forest": {"n_estimators": 5}}.get(request.param, {})
    return make_estimator(request.param, params, seed=0).fit(X, Y)


def test_a_registered_model_loads_back_and_predicts_identically(model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    registry = ModelRegistry(tmp_path)
    entry = registry.register("m", model, probe=X, algorithm="a", params={}, metrics={}, feature_version="f@1",
                              code_digest="0" * 64)
    assert entry.sha256 == sha256_file(tmp_path / entry.path)
    assert np.array_equal(registry.load(entry).predict_proba(X), model.predict_proba(X))


def test_canonical_skops_is_byte_reproducible(model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Two plain skops dumps of one model differ; their canonical forms do not.
    assert canonical_skops(skops.io.dumps(model)) == canonical_skops(skops.io.dumps(model))
    assert dump_model(model, tmp_path / "a.skops") == dump_model(model, tmp_path / "b.skops")


def test_a_model_file_with_another_digest_is_never_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_estimator("logistic_regression", {}, 0).fit(X, Y)
    digest = dump_model(model, tmp_path / "model.skops")
    other = make_estimator("logistic_regression", {"C": 0.01}, 0).fit(X, Y)
    dump_model(other, tmp_path / "model.skops")  # swapped after the digest was recorded

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("skops was asked to load a file whose digest does not match")

    monkeypatch.setattr(skops.io, "load", refuse)
    monkeypatch.setattr(skops.io, "get_untrusted_types", refuse)
    with pytest.raises(ModelIntegrityError, match="does not match the recorded"):
        load_verified(tmp_path / "model.skops", digest)


def test_a_single_flipped_byte_is_refused(tmp_path: Path) -> None:
    model = make_estimator("hist_gradient_boosting", {"max_iter": 5}, 0).fit(X, Y)
    digest = dump_model(model, tmp_path / "model.skops")
    data = bytearray((tmp_path / "model.skops").read_bytes())
    data[len(data) // 2] ^= 0x01
    (tmp_path / "model.skops").write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="refusing to load"):
        load_verified(tmp_path / "model.skops", digest)


def test_types_outside_the_pinned_trusted_list_are_refused(tmp_path: Path) -> None:
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    risky = make_pipeline(FunctionTransformer(operator.neg), make_estimator("logistic_regression", {}, 0)).fit(X, Y)
    with pytest.raises(ModelIntegrityError, match="_operator.neg"):
        dump_model(risky, tmp_path / "risky.skops")
    # Written by someone else with the right digest, it is still refused at load time.
    (tmp_path / "risky.skops").write_bytes(skops.io.dumps(risky))
    with pytest.raises(ModelIntegrityError, match="outside the trusted list"):
        load_verified(tmp_path / "risky.skops", sha256_file(tmp_path / "risky.skops"))


@pytest.mark.slow  # uses the shared full run
def test_serving_refuses_a_package_changed_after_ci(default_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from reference_pipeline.serving import ScoringService

    package = tmp_path / "pkg"
    shutil.copytree(default_run.run_dir / "deploy/packages/bank-credit-default-v2", package)
    manifest_sha = sha256_file(package / "MANIFEST.json")
    ScoringService(package, manifest_sha)  # intact: loads

    spec = json.loads((package / "transform.json").read_text())
    spec["medians"]["income"] = 0.0
    (package / "transform.json").write_text(json.dumps(spec))
    with pytest.raises(ModelIntegrityError, match="transform.json is missing or differs"):
        ScoringService(package, manifest_sha)

    # Rewriting the manifest to match does not help: the deployment pinned the manifest's digest.
    listed = json.loads((package / "MANIFEST.json").read_text())
    listed["files"]["transform.json"] = sha256_file(package / "transform.json")
    (package / "MANIFEST.json").write_text(json.dumps(listed))
    with pytest.raises(ModelIntegrityError, match="differs from the deployed digest"):
        ScoringService(package, manifest_sha)

    # A manifest naming files outside the package is refused before anything is read.
    listed["files"] = {"../../outside.txt": "0" * 64}
    (package / "MANIFEST.json").write_text(json.dumps(listed))
    with pytest.raises(ModelIntegrityError, match="not a file of the package"):
        ScoringService(package)


@pytest.mark.slow  # uses the shared full run
def test_the_ci_security_scan_fails_on_pickles_unpinned_dependencies_and_changed_files(default_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    from reference_pipeline.stages.integration import security_scan

    package = "deploy/packages/bank-credit-default-v1"
    shutil.copytree(default_run.run_dir / package, tmp_path / package)
    ctx = SimpleNamespace(run_dir=tmp_path)
    assert all(check["passed"] for check in security_scan(ctx, package))

    (tmp_path / package / "helper.pkl").write_bytes(b"\x80\x04K\x01.")
    lock = tmp_path / package / "requirements.lock"
    lock.write_text(lock.read_text().replace("numpy==", "numpy>="))
    failed = {c["check"] for c in security_scan(ctx, package) if not c["passed"]}
    assert failed == {"no_pickle_files", "dependencies_pinned", "digests_consistent"}

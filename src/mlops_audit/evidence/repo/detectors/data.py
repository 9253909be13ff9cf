"""Data: validation of training/input data, data versioning, feature store definitions."""

from __future__ import annotations

from mlops_audit.evidence.repo.detectors._python import call_hits, describe, locations, matching
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Confidence, Kind, Location
from mlops_audit.evidence.repo.pysource import Call, PythonSummary
from mlops_audit.evidence.repo.registry import Observation, at, detector

# Libraries whose calls are data checks (import alone proves nothing: the call must be there).
_VALIDATION_PREFIXES = (
    "great_expectations", "gx", "pandera", "deepchecks", "soda.scan",
    # TFDV also loads and draws statistics; only these calls check data against a schema.
    "tensorflow_data_validation.validate_statistics", "tensorflow_data_validation.infer_schema",
    "tensorflow_data_validation.validate_instance", "tensorflow_data_validation.validate_examples_in_tfrecord",
    "tensorflow_data_validation.validate_examples_in_csv", "tensorflow_data_validation.display_anomalies",
    "pointblank", "tfx.components.ExampleValidator", "tfx.v1.components.ExampleValidator",
    "tfx.components.SchemaGen", "tfx.v1.components.SchemaGen", "frictionless.validate", "cerberus.Validator",
)
_VALIDATION_NEEDLES = ("great_expectations", "pandera", "tensorflow_data_validation", "deepchecks", "soda", "pointblank", "ExampleValidator", "SchemaGen", "frictionless", "cerberus")


def _dbt_tests(repo: RepoIndex) -> list[Location]:
    if not repo.named("dbt_project.yml"):
        return []
    hits = []
    for path in repo.glob("**/*.yml", "**/*.yaml"):
        doc = repo.yaml(path)
        if doc is None or not isinstance(doc.data, dict):
            continue
        for section in ("models", "sources", "seeds"):
            for i, model in enumerate(doc.data.get(section) or []):
                if not isinstance(model, dict):
                    continue
                for j, column in enumerate(model.get("columns") or []):
                    if isinstance(column, dict) and (column.get("tests") or column.get("data_tests")):
                        pos = doc.locate((section, i, "columns", j))
                        hits.append(at(path, pos[0] if pos else None))
                if model.get("tests") or model.get("data_tests"):
                    pos = doc.locate((section, i))
                    hits.append(at(path, pos[0] if pos else None))
    return hits


def _expectation_suites(repo: RepoIndex) -> list[Location]:
    hits = []
    for path in repo.glob("**/expectations/**/*.json"):
        data = repo.json(path)
        if isinstance(data, dict) and isinstance(data.get("expectations"), list) and data["expectations"]:
            hits.append(at(path, 1))
    return hits


def _soda_checks(repo: RepoIndex) -> list[Location]:
    hits = []
    for path in repo.glob("**/*.yml", "**/*.yaml"):
        if "check" not in path.lower() and "soda" not in path.lower():
            continue
        doc = repo.yaml(path)
        if doc is not None and isinstance(doc.data, dict) and any(str(k).startswith("checks for ") for k in doc.data):
            key = next(k for k in doc.data if str(k).startswith("checks for "))
            pos = doc.locate((key,))
            hits.append(at(path, pos[0] if pos else None))
    return hits


@detector(
    id="validates_data",
    title="Does the repo validate its training or input data?",
    kind=Kind.data_validation,
    remediation=(
        "Check data before training and serving: a pandera schema or Great Expectations suite on the training "
        "table, TFDV/ExampleValidator in a TFX pipeline, or dbt tests; fail the pipeline when checks fail."
    ),
    needles=_VALIDATION_NEEDLES,
)
def validates_data(repo: RepoIndex) -> Observation:
    hits = call_hits(repo, _VALIDATION_NEEDLES, _VALIDATION_PREFIXES, include_tests=True)
    configs = _expectation_suites(repo) + _dbt_tests(repo) + _soda_checks(repo)
    if hits or configs:
        parts = []
        if hits:
            parts.append(f"calls {describe(hits)}")
        if configs:
            parts.append(f"{len(configs)} declarative data check(s) (expectation suites, dbt tests, Soda checks)")
        return Observation.passed("; ".join(parts), locations(hits) + configs)
    return Observation.failed(
        "no data validation found: no calls to Great Expectations, pandera, TFDV, deepchecks, Soda or similar, "
        "no expectation suites, dbt tests or Soda checks"
    )


def _dvc_tracked(repo: RepoIndex) -> list[Location]:
    hits = []
    for path in repo.glob("**/*.dvc"):
        doc = repo.yaml(path)
        outs = doc.data.get("outs") if doc and isinstance(doc.data, dict) else None
        if isinstance(outs, list) and any(isinstance(o, dict) and o.get("path") for o in outs):
            pos = doc.locate(("outs",)) if doc else None
            hits.append(at(path, pos[0] if pos else None))
    for path in repo.named("dvc.yaml", "dvc.lock"):
        doc = repo.yaml(path)
        stages = doc.data.get("stages") if doc and isinstance(doc.data, dict) else None
        if not isinstance(stages, dict):
            continue
        for name, stage in stages.items():
            if isinstance(stage, dict) and stage.get("outs"):
                pos = doc.locate(("stages", name, "outs")) if doc else None
                hits.append(at(path, pos[0] if pos else None))
    return hits


_VERSIONING_NEEDLES = ("lakefs", "lakefs_client", "lakefs_sdk", "DeltaTable", "deltalake", '"delta"', "'delta'", "dvc.api", "azure.ai.ml")


def _versioning_calls(repo: RepoIndex) -> list[tuple[PythonSummary, Call]]:
    def predicate(summary: PythonSummary) -> list[Call]:
        found = summary.calls_to(
            "lakefs", "lakefs_client", "lakefs_sdk", "delta.tables.DeltaTable", "deltalake.write_deltalake", "deltalake.DeltaTable", "dvc.api"
        )
        # Spark writes in Delta format: `df.write.format("delta")`.
        found += [c for c in summary.calls_named("format") if c.args[:1] == ("delta",)]
        if summary.imports_module("azure.ai.ml"):
            found += [c for c in summary.calls_to("azure.ai.ml.entities.Data") if c.keyword("version") not in (None, Ellipsis)]
        return found

    return matching(repo, _VERSIONING_NEEDLES, predicate)


@detector(
    id="versions_data",
    title="Does the repo version its datasets (DVC, lakeFS, Delta, versioned data assets)?",
    kind=Kind.data_versioning,
    remediation=(
        "Version datasets outside git with content hashes: `dvc add data/raw` (commit the .dvc file and "
        "dvc.lock), a lakeFS branch/commit, Delta tables or versioned cloud data assets."
    ),
    needles=_VERSIONING_NEEDLES,
)
def versions_data(repo: RepoIndex) -> Observation:
    dvc = _dvc_tracked(repo)
    calls = _versioning_calls(repo)
    if dvc or calls:
        parts = []
        if dvc:
            parts.append(f"{len(dvc)} DVC-tracked output(s)")
        if calls:
            parts.append(f"calls {describe(calls)}")
        return Observation.passed("; ".join(parts), dvc + locations(calls))
    if repo.exists(".dvc/config"):
        return Observation.failed("DVC is initialised (.dvc/config) but no data is tracked (no .dvc files or stage outputs)", [at(".dvc/config")])
    return Observation.failed("no data versioning found (no DVC-tracked data, lakeFS, Delta tables or versioned data assets)")


_FEATURE_NEEDLES = ("feast", "tecton", "hsfs", "hopsworks", "create_feature_group", "get_or_create_feature_group", "create_feature_view", "get_or_create_feature_view", "FeatureGroup", "feature_store", "FeatureStore", "Featurestore", "featurestore", "FeatureView", "BatchFeatureView", "StreamFeatureView", "FeatureEngineeringClient", "FeatureSet")
_FEATURE_PREFIXES = (
    "feast.FeatureView", "feast.Entity", "feast.FeatureService", "feast.BatchFeatureView", "feast.StreamFeatureView",
    "feast.on_demand_feature_view", "feast.Field", "feast.FeatureStore.apply",
    "tecton.Entity", "tecton.FeatureView", "tecton.batch_feature_view", "tecton.stream_feature_view", "tecton.FeatureService",
    "sagemaker.feature_store.feature_group.FeatureGroup",
    "google.cloud.aiplatform.Featurestore", "google.cloud.aiplatform.FeatureView", "google.cloud.aiplatform.FeatureGroup",
    "azure.ai.ml.entities.FeatureSet", "azure.ai.ml.entities.FeatureStoreEntity",
)


@detector(
    id="defines_features",
    title="Does the repo define features for a feature store?",
    kind=Kind.feature_store,
    remediation=(
        "Define shared features declaratively in a feature store (Feast FeatureViews with a feature_store.yaml, "
        "SageMaker/Vertex/Databricks feature groups) so training and serving use the same definitions."
    ),
    confidence=Confidence.high,
    needles=_FEATURE_NEEDLES,
)
def defines_features(repo: RepoIndex) -> Observation:
    def predicate(summary: PythonSummary) -> list[Call]:
        found = summary.calls_to(*_FEATURE_PREFIXES) + summary.decorated_by(
            "feast.on_demand_feature_view", "tecton.batch_feature_view", "tecton.stream_feature_view", "tecton.on_demand_feature_view"
        )
        if summary.imports_module("hsfs", "hopsworks"):
            found += summary.calls_named("create_feature_group", "get_or_create_feature_group", "create_feature_view", "get_or_create_feature_view")
        if summary.imports_module("databricks.feature_store", "databricks.feature_engineering"):
            found += summary.calls_named("create_table", "create_feature_table")
        if summary.imports_module("google.cloud.aiplatform"):
            found += summary.calls_named("create_entity_type", "create_feature", "batch_create_features")
        return found

    hits = matching(repo, _FEATURE_NEEDLES, predicate)
    stores = []
    for path in repo.named("feature_store.yaml", "feature_store.yml"):
        doc = repo.yaml(path)
        if doc is not None and isinstance(doc.data, dict) and doc.data.get("project") and ({"provider", "registry"} & set(doc.data)):
            stores.append(at(path, 1))
    if hits:
        return Observation.passed(f"feature definitions: {describe(hits)}", locations(hits) + stores)
    if stores:
        return Observation.failed("a Feast feature_store.yaml exists but no feature views or entities are defined in code", stores)
    return Observation.failed("no feature store definitions found (Feast, Tecton, Hopsworks, SageMaker/Vertex/Databricks/Azure ML feature stores)")

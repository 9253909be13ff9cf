"""Model development: experiment tracking, hyperparameter search, model registry, reproducibility."""

from __future__ import annotations

import re

from mlops_audit.evidence.repo.detectors._python import describe, is_test_path, locations, matching
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Confidence, Kind, Location
from mlops_audit.evidence.repo.pysource import Call, PythonSummary
from mlops_audit.evidence.repo.registry import Observation, at, detector

_TRACKING_NEEDLES = (
    "mlflow", "wandb", "SummaryWriter", "tensorboard", "TensorBoard", "summary.scalar", "dvclive", "comet_ml", "neptune",
    "clearml", "import aim", "from aim", "aiplatform", "sagemaker", "MLFlowLogger", "WandbLogger", "TensorBoardLogger",
    "azureml", "MLflowLoggerCallback", "WandbLoggerCallback", "MLflowCallback",
)
_TRACKING_CALLS = (
    "mlflow.log_param", "mlflow.log_params", "mlflow.log_metric", "mlflow.log_metrics", "mlflow.autolog",
    "mlflow.log_input", "wandb.log", "wandb.init", "wandb.config.update", "dvclive.Live",
    "torch.utils.tensorboard.SummaryWriter", "tensorboardX.SummaryWriter", "tensorflow.summary.scalar",
    "tensorflow.keras.callbacks.TensorBoard", "keras.callbacks.TensorBoard", "comet_ml.Experiment",
    "comet_ml.start", "neptune.init_run", "neptune.init", "clearml.Task.init", "aim.Run",
    "sagemaker.experiments.Run", "sagemaker.experiments.run.Run", "google.cloud.aiplatform.start_run",
    "google.cloud.aiplatform.log_params", "google.cloud.aiplatform.log_metrics",
    "pytorch_lightning.loggers.MLFlowLogger", "pytorch_lightning.loggers.WandbLogger",
    "pytorch_lightning.loggers.TensorBoardLogger", "lightning.pytorch.loggers.MLFlowLogger",
    "lightning.pytorch.loggers.WandbLogger", "lightning.pytorch.loggers.TensorBoardLogger",
    "ray.air.integrations.mlflow.MLflowLoggerCallback", "ray.air.integrations.wandb.WandbLoggerCallback",
    "ray.tune.integration.mlflow.MLflowLoggerCallback", "transformers.integrations.MLflowCallback",
    "azureml.core.Run.get_context",
)


def _mlflow_flavour_autolog(summary: PythonSummary) -> list[Call]:
    return [c for c in summary.calls_to("mlflow") if c.name.endswith(".autolog")]


@detector(
    id="tracks_experiments",
    title="Does the code log experiment parameters and metrics to a tracking system?",
    kind=Kind.experiment_tracking,
    remediation=(
        "Log every training run's parameters, metrics and artefacts to a tracker (mlflow.log_params/log_metrics "
        "or mlflow.autolog(), W&B, dvclive, TensorBoard) so runs can be compared and traced."
    ),
    needles=_TRACKING_NEEDLES,
)
def tracks_experiments(repo: RepoIndex) -> Observation:
    hits = matching(repo, _TRACKING_NEEDLES, lambda s: s.calls_to(*_TRACKING_CALLS) + _mlflow_flavour_autolog(s))
    # A Live object or a dvclive logger only counts when something is logged to it.
    if hits:
        return Observation.passed(f"logs runs with {describe(hits)}", locations(hits))
    dvc_metrics = []
    for path in repo.named("dvc.yaml"):
        doc = repo.yaml(path)
        if doc is not None and isinstance(doc.data, dict) and doc.data.get("metrics"):
            pos = doc.locate(("metrics",))
            dvc_metrics.append(at(path, pos[0] if pos else None))
        elif doc is not None and isinstance(doc.data, dict) and isinstance(doc.data.get("stages"), dict):
            for name, stage in doc.data["stages"].items():
                if isinstance(stage, dict) and stage.get("metrics") and stage.get("params"):
                    pos = doc.locate(("stages", name, "metrics"))
                    dvc_metrics.append(at(path, pos[0] if pos else None))
    if dvc_metrics:
        return Observation.passed("DVC pipeline records params and metrics per run (dvc exp)", dvc_metrics, confidence=Confidence.medium)
    return Observation.failed("no experiment tracking calls found (MLflow, W&B, TensorBoard, dvclive, Comet, Neptune, ClearML, cloud experiments)")


_TUNING_NEEDLES = (
    "GridSearchCV", "RandomizedSearchCV", "HalvingGridSearchCV", "HalvingRandomSearchCV", "BayesSearchCV", "optuna",
    "hyperopt", "Tuner", "tune.run", "keras_tuner", "kerastuner", "skopt", "gp_minimize", "HyperparameterTuner",
    "HyperparameterTuningJob", "sweep", "import nni", "flaml", "katib",
)
_TUNING_CALLS = (
    "sklearn.model_selection.GridSearchCV", "sklearn.model_selection.RandomizedSearchCV",
    "sklearn.model_selection.HalvingGridSearchCV", "sklearn.model_selection.HalvingRandomSearchCV",
    "skopt.BayesSearchCV", "skopt.gp_minimize", "optuna.create_study", "hyperopt.fmin", "ray.tune.Tuner",
    "ray.tune.run", "ray.tune.tune.run", "keras_tuner.RandomSearch", "keras_tuner.Hyperband",
    "keras_tuner.BayesianOptimization", "kerastuner.RandomSearch", "kerastuner.Hyperband",
    "sagemaker.tuner.HyperparameterTuner", "google.cloud.aiplatform.HyperparameterTuningJob", "wandb.sweep",
    "wandb.agent", "nni.get_next_parameter", "flaml.AutoML", "flaml.tune.run",
)


def _katib_or_sweep_configs(repo: RepoIndex) -> list[Location]:
    hits = []
    for path in repo.glob("**/*.yml", "**/*.yaml"):
        if repo.size(path) > 256 * 1024:
            continue
        lowered = path.lower()
        if not any(k in lowered for k in ("sweep", "katib", "tun", "hpo", "hyper", "experiment", "search")):
            continue
        for doc in repo.yaml_documents(path):
            data = doc.data
            if not isinstance(data, dict):
                continue
            if data.get("kind") == "Experiment" and str(data.get("apiVersion", "")).startswith("kubeflow.org/") and isinstance(data.get("spec"), dict) and data["spec"].get("algorithm"):
                hits.append(at(path, doc.locate(("kind",))[0]))  # type: ignore[index]
            elif data.get("method") in ("grid", "random", "bayes") and isinstance(data.get("parameters"), dict):
                hits.append(at(path, doc.locate(("method",))[0]))  # type: ignore[index]
            elif data.get("type") == "sweep" and isinstance(data.get("search_space"), dict):
                hits.append(at(path, doc.locate(("type",))[0]))  # type: ignore[index]
    return hits


@detector(
    id="tunes_hyperparameters",
    title="Does the repo run an automated hyperparameter search?",
    kind=Kind.hyperparameter_tuning,
    remediation=(
        "Replace hand-picked hyperparameters with an automated search (GridSearchCV/RandomizedSearchCV, Optuna, "
        "Ray Tune, Katib or a cloud tuning job) and log each trial."
    ),
    needles=_TUNING_NEEDLES,
)
def tunes_hyperparameters(repo: RepoIndex) -> Observation:
    def predicate(summary: PythonSummary) -> list[Call]:
        found = summary.calls_to(*_TUNING_CALLS)
        if summary.imports_module("azure.ai.ml"):
            found += summary.calls_named("sweep")
        return found

    hits = matching(repo, _TUNING_NEEDLES, predicate)
    configs = _katib_or_sweep_configs(repo)
    if hits or configs:
        detail = f"calls {describe(hits)}" if hits else f"{len(configs)} search configuration(s) (Katib/W&B/Azure ML sweep)"
        return Observation.passed(detail, locations(hits) + configs)
    return Observation.failed("no automated hyperparameter search found (scikit-learn *SearchCV, Optuna, Hyperopt, Ray Tune, Keras Tuner, Katib, cloud tuning jobs)")


_REGISTRY_NEEDLES = (
    "register_model", "registered_model_name", "create_registered_model", "create_model_version",
    "transition_model_version_stage", "set_registered_model_alias", "update_model_version", "RegisterModel",
    "model_package_group_name", "create_model_package", "create_model_package_group", "Model.upload", "models.create_or_update",
    "Model.register", "link_model",
)
_REGISTRY_METHODS = (
    "create_registered_model", "create_model_version", "transition_model_version_stage",
    "set_registered_model_alias", "update_model_version",
)


def _registry_calls(summary: PythonSummary) -> list[Call]:
    found = summary.calls_to("mlflow.register_model")
    if summary.imports_module("mlflow"):
        found += summary.calls_named(*_REGISTRY_METHODS)
        found += [c for c in summary.calls_to("mlflow") if c.name.endswith(".log_model") and c.keyword("registered_model_name") not in (None,)]
    if summary.imports_module("sagemaker"):
        found += summary.calls_to("sagemaker.workflow.step_collections.RegisterModel")
        found += [c for c in summary.calls_named("register") if c.has_keyword("model_package_group_name")]
        found += summary.calls_named("create_model_package", "create_model_package_group")
    if summary.imports_module("boto3"):
        found += summary.calls_named("create_model_package")
    found += summary.calls_to("google.cloud.aiplatform.Model.upload")
    if summary.imports_module("azure.ai.ml"):
        found += [c for c in summary.calls_named("create_or_update") if ".models." in c.name or c.name.startswith("models.")]
    found += summary.calls_to("azureml.core.Model.register", "azureml.core.model.Model.register")
    if summary.imports_module("wandb"):
        found += summary.calls_named("link_model")
    return found


def _gto_declarations(repo: RepoIndex) -> list[Location]:
    """Models declared for GTO: artifacts.yaml / .gto, or dvc.yaml `artifacts:` entries of type model."""
    found = [at(p) for p in ("artifacts.yaml", ".gto") if repo.exists(p)]
    for path in repo.named("dvc.yaml"):
        doc = repo.yaml(path)
        artifacts = doc.data.get("artifacts") if doc and isinstance(doc.data, dict) else None
        if isinstance(artifacts, dict):
            for name, spec in artifacts.items():
                if isinstance(spec, dict) and spec.get("type") == "model":
                    pos = doc.locate(("artifacts", name)) if doc else None
                    found.append(at(path, pos[0] if pos else None))
    return found


@detector(
    id="registers_models",
    title="Does the repo register versioned models in a model registry?",
    kind=Kind.model_registry,
    remediation=(
        "Register each candidate model with a version in a registry (mlflow.register_model or "
        "log_model(registered_model_name=...), SageMaker model packages, Vertex Model.upload, Azure ML models, GTO)."
    ),
    needles=_REGISTRY_NEEDLES,
)
def registers_models(repo: RepoIndex) -> Observation:
    hits = matching(repo, _REGISTRY_NEEDLES, _registry_calls)
    if hits:
        return Observation.passed(f"registers models with {describe(hits)}", locations(hits))
    declared = _gto_declarations(repo)
    git = repo.git_signals()
    if git.present and git.registry_tags:
        return Observation.passed(f"GTO model registry: {git.registry_tags} model version/stage tag(s) in git", declared, confidence=Confidence.medium)
    if declared:
        if git.present:
            return Observation.failed("models are declared for GTO but no model version tags (name@vX.Y.Z) exist in git", declared)
        return Observation.not_applicable("GTO keeps the registry in git tags, and there is no git metadata here to read them from")
    return Observation.failed("no model registration found (MLflow registry, SageMaker model packages, Vertex, Azure ML, GTO)")


_SEED_NEEDLES = (
    "seed", "random_state", "manual_seed", "manual_seed_all", "set_seed", "seed_everything", "set_random_seed", "default_rng",
)
_SEED_CALLS = (
    "random.seed", "numpy.random.seed", "numpy.random.default_rng", "torch.manual_seed", "torch.cuda.manual_seed_all",
    "tensorflow.random.set_seed", "tensorflow.keras.utils.set_random_seed", "keras.utils.set_random_seed",
    "pytorch_lightning.seed_everything", "lightning.seed_everything", "lightning.pytorch.seed_everything",
    "transformers.set_seed", "accelerate.utils.set_seed",
)
_TRAINS = re.compile(r"(^|\.)(fit|fit_transform|train|train_model|fit_generator|Trainer)$")


def _seeded(summary: PythonSummary) -> list[Call]:
    # `random.seed()` without an argument seeds from the clock: it does not count.
    found = [c for c in summary.calls_to(*_SEED_CALLS) if c.args or c.keywords]
    found += [c for c in summary.calls if any(k in ("random_state", "seed") and isinstance(v, int) and not isinstance(v, bool) for k, v in c.keywords)]
    return found


def _trains(summary: PythonSummary) -> bool:
    return any(_TRAINS.search(c.name) for c in summary.calls) or "train" in summary.path.rsplit("/", 1)[-1].lower()


@detector(
    id="is_reproducible",
    title="Is training reproducible (seeded, driven by versioned parameter files, or with recorded lineage)?",
    kind=Kind.reproducibility,
    remediation=(
        "Make training runs repeatable: fix random seeds in the training code, keep hyperparameters in a "
        "versioned params file (params.yaml, Hydra config, MLproject) and record code and data versions per run "
        "(dvc.lock, MLflow run metadata)."
    ),
    confidence=Confidence.medium,
    needles=_SEED_NEEDLES + ("hydra", "tfx"),
)
def is_reproducible(repo: RepoIndex) -> Observation:
    lineage = []
    for path in repo.named("dvc.lock"):
        doc = repo.yaml(path)
        stages = doc.data.get("stages") if doc and isinstance(doc.data, dict) else None
        if isinstance(stages, dict) and any(isinstance(s, dict) and s.get("deps") for s in stages.values()):
            lineage.append(at(path, 1))
    if lineage:
        return Observation.passed("dvc.lock records the code, data and parameter hashes of each pipeline stage", lineage, confidence=Confidence.high)
    # TFX pipelines record every run's artefacts and their lineage in ML Metadata.
    tfx = matching(repo, ("tfx",), lambda s: s.calls_to("tfx.orchestration.pipeline.Pipeline", "tfx.v1.dsl.Pipeline", "tfx.dsl.Pipeline"))
    if tfx:
        return Observation.passed("TFX pipeline: ML Metadata records each run's artefacts and lineage", locations(tfx))
    configs: list[Location] = []
    for path in repo.named("dvc.yaml"):
        doc = repo.yaml(path)
        stages = doc.data.get("stages") if doc and isinstance(doc.data, dict) else None
        if isinstance(stages, dict) and any(isinstance(s, dict) and s.get("params") for s in stages.values()):
            configs.append(at(path, 1))
    for path in repo.named("MLproject"):
        doc = repo.yaml(path)
        if doc is not None and isinstance(doc.data, dict) and isinstance(doc.data.get("entry_points"), dict):
            configs.append(at(path, 1))
    hydra = matching(repo, ("hydra",), lambda s: [d for d in s.decorated_by("hydra.main") if d.keyword("config_path") not in (None, Ellipsis)])
    seeding = matching(repo, _SEED_NEEDLES, _seeded)
    seeded = [(s, c) for s, c in seeding if _trains(s)]
    if not seeded:
        # A project helper (utils.set_seeds) that seeds, called from training code.
        helpers = {c.scope for _, c in seeding if c.scope}
        seeded = [
            (s, c)
            for s in repo.python_scan(*sorted(helpers))
            if _trains(s) and not is_test_path(s.path)
            for c in s.calls_named(*helpers)
        ] if helpers else []
    if configs or hydra or seeded:
        parts = []
        if configs:
            parts.append("training driven by versioned parameter files (dvc.yaml params / MLproject)")
        if hydra:
            parts.append("Hydra configuration")
        if seeded:
            parts.append(f"seeded training code ({describe(seeded)})")
        return Observation.passed("; ".join(parts), configs + locations(hydra) + locations(seeded))
    return Observation.failed("no seeds in training code, no versioned parameter files driving training and no recorded run lineage found")

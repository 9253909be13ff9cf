"""Model development: experiment tracking, hyperparameter search, model registry, reproducibility."""

from __future__ import annotations

import ast
import bisect
import posixpath
import re
from collections.abc import Iterable

from mlops_audit.evidence.repo import casewords, pyfacts
from mlops_audit.evidence.repo.astutil import statements, walk
from mlops_audit.evidence.repo.catalogue import vocabulary
from mlops_audit.evidence.repo.detectors import _inhouse, _rlang
from mlops_audit.evidence.repo.detectors._catalogue import MAX_DEFINITION_BYTES
from mlops_audit.evidence.repo.detectors.data import enclosing_function, in_examples as _in_examples, reached
from mlops_audit.evidence.repo.detectors._python import (
    Hits,
    describe,
    is_test_path,
    locations,
    matching,
)
from mlops_audit.evidence.repo.detectors._rcode import r_calls
from mlops_audit.evidence.repo.detectors.monitoring import node_package_sources
from mlops_audit.evidence.repo.index import RepoIndex, text_test
from mlops_audit.evidence.repo.model import Confidence, Kind, Location
from mlops_audit.evidence.repo.pysource import Call, PythonSummary
from mlops_audit.evidence.repo.registry import MAX_LOCATIONS, Observation, Shape, at, detector, first_passing

# The vocabulary (tools, calls, needles) is data: catalogue/experiments.yaml.
_TRACKING = vocabulary(Kind.experiment_tracking)
_TUNING = vocabulary(Kind.hyperparameter_tuning)
_REGISTRY = vocabulary(Kind.model_registry)


def _mlflow_flavour_autolog(summary: PythonSummary) -> list[Call]:
    return [c for c in summary.calls_to("mlflow") if c.name.endswith(".autolog")]


# Rule `MLflow tracking client`: runs logged through an MLflow client object (`MlflowClient`) rather
# than the fluent `mlflow.log_*` API: a logging method called on a receiver named for MLflow
# (`mlflow_client.log_metric(run_id, ...)`, `self.mlflow.log_batch(...)`), which is how a client
# handed between project functions is called, or `log_batch` (a client-only method) in a file that
# imports mlflow. A `log_metric` on any other object (a project logger) is not counted.
_CLIENT_NEEDLES = ("mlflow_client", "MlflowClient", "log_batch")  # beside the catalogue's `mlflow`
_TARGET_WORDS = ("_target_",)  # a Hydra config naming the class it builds (`_trackers_in_configs`)
_INSTANTIATE = ("instantiate",)
_CLIENT_LOGGING = re.compile(r"(^|\.)\w*mlflow\w*\.(log_metrics?|log_params?|log_batch)$", re.IGNORECASE)


def _mlflow_client_logging(summary: PythonSummary) -> list[Call]:
    found = [c for c in summary.calls if _CLIENT_LOGGING.search(c.name)]
    if summary.imports_module("mlflow"):
        found += [c for c in summary.calls_named("log_batch") if c not in found]
    return found


def _tracking_calls(summary: PythonSummary) -> list[Call]:
    """The catalogue's tracking calls, flavour autologging and MLflow client logging, each call once
    (`mlflow.log_metric` is both a catalogue call and, by its name, client logging)."""
    calls = _TRACKING.code_hits(summary) + _mlflow_flavour_autolog(summary) + _mlflow_client_logging(summary)
    unique: dict[tuple[str, int | None], Call] = {}
    for call in calls:
        unique.setdefault((call.name, call.line), call)
    return list(unique.values())


@detector(
    id="tracks_experiments",
    title="Does the code log experiment parameters and metrics to a tracking system?",
    kind=Kind.experiment_tracking,
    remediation=(
        "Log every training run's parameters, metrics and artefacts to a tracker (mlflow.log_params/log_metrics "
        "or mlflow.autolog(), W&B, dvclive, TensorBoard, or AuditTrail.record(params=..., metrics=...) of the "
        "mlops-audit audit-trail SDK) so runs can be compared and traced."
    ),
    needles=_TRACKING.needles + _CLIENT_NEEDLES + _inhouse.TRAIL_NEEDLES + _INSTANTIATE,
    words=_TARGET_WORDS,
)
def tracks_experiments(repo: RepoIndex) -> Observation:
    hits = matching(repo, _TRACKING.needles + _CLIENT_NEEDLES, _tracking_calls)
    # A Live object or a dvclive logger only counts when something is logged to it.
    scratch_only = _notebooks_only(repo, hits, "runs are logged", "log nothing") if hits else ""
    if scratch_only:
        return Observation.failed(scratch_only, locations(hits))
    if hits:
        return Observation.passed(f"logs runs with {describe(hits)}", locations(hits))
    configured = _trackers_in_configs(repo)
    if configured:
        return Observation.passed(
            "a tracker's logger is configured by Hydra (`_target_` naming it in a config the training code instantiates)",
            configured, confidence=Confidence.medium,
        )
    audit_trail = _audit_trail_tracking(repo)
    if audit_trail is not None:
        return audit_trail
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


# Rule `tracker configured by Hydra` (session 11): Lightning projects built on Hydra name their logger
# in a config (`_target_: lightning.pytorch.loggers.wandb.WandbLogger` in configs/logger/wandb.yaml)
# and build it with `hydra.utils.instantiate`: no call of the tracker is written in Python. The
# `_target_` must name one of the catalogue's tracking calls, in the project's configs (not tests,
# examples or templates' placeholders), and the project's code must instantiate configs.
def _trackers_in_configs(repo: RepoIndex) -> list[Location]:
    wanted = set(_TRACKING.calls)
    found = []
    for path, doc in _inhouse.yaml_mappings(repo, _TARGET_WORDS):
        if _in_examples(path) or "{{" in path:
            continue
        for key_path, value in _inhouse.walk_mapping(doc.data):  # type: ignore[attr-defined]
            if key_path and key_path[-1] == "_target_" and isinstance(value, str) and _under_any(value, wanted):
                pos = doc.locate(key_path)  # type: ignore[attr-defined]
                found.append(at(path, pos[0] if pos else None))
    if not found:
        return []
    builders = [
        at(s.path, c.line) for s in _inhouse.project_code(repo.python_mentioning(*_INSTANTIATE))
        for c in s.calls_named("instantiate") if c.name.startswith("hydra.") or c.name == "instantiate"
    ]
    return found[:MAX_LOCATIONS // 2] + builders[:3] if builders else []


def _under_any(name: str, wanted: set[str]) -> bool:
    """`name` is one of `wanted` or a dotted child of one."""
    parts = name.split(".")
    return any(".".join(parts[:i]) in wanted for i in range(1, len(parts) + 1))


def _notebooks_only(repo: RepoIndex, hits: Iterable[tuple[PythonSummary, Call]], done: str, not_done: str) -> str:
    """Rule `notebooks are scratch` (session 7 for seeds; session 11 for tracking and registering):
    when every call found is in a notebook while the project trains in scripts (Python files named
    for training, tests apart), the notebooks are exploration beside the system, and the practice is
    not on its training path. What the finding says then; empty when the rule does not apply."""
    if not all(summary.is_notebook for summary, _ in hits):  # stops at the first script's call: most projects
        return ""
    found = list(hits)
    scripts = [p for p in repo.with_suffix(".py") if "train" in p.lower() and not is_test_path(p)]
    if not scripts or _executed_notebooks(repo, {s.path for s, _ in found}):
        return ""
    return (
        f"{done} only in notebooks ({', '.join(sorted({s.path for s, _ in found})[:3])}); the training "
        f"script(s) ({', '.join(scripts[:3])}) {not_done}"
    )


# A notebook the project runs unattended is on its training path (session 11): CI executing it
# (`jupyter nbconvert --execute --inplace train.ipynb`), papermill from a script or a Makefile.
_NOTEBOOK_RUNNERS = ("nbconvert", "papermill", "jupyter execute", "nbclient", "runipy")
_RUNNER_FILES = re.compile(r"(^|/)(\.github/workflows/[^/]+\.ya?ml|\.gitlab-ci\.ya?ml|Makefile|[^/]+\.sh|[^/]+\.py)$")


def _runs_notebooks(text: str) -> bool:
    """A text test (`index.text_test`): the text names a notebook runner (`_NOTEBOOK_RUNNERS`)."""
    return any(r in text for r in _NOTEBOOK_RUNNERS)


def _executed_notebooks(repo: RepoIndex, notebooks: set[str]) -> bool:
    """Some file that runs notebooks (a workflow, a Makefile, a shell or Python script) names one of
    `notebooks` by its file name. Whether a Python module names a runner is asked as a text test
    without parameters, so a warm run keeps its yes/no answer and a change to a module that names none
    does not rerun the rule (issue #14); workflows, Makefiles and shell scripts (few) are read as before."""
    names = {p.rsplit("/", 1)[-1] for p in notebooks}
    runs_notebooks = text_test(_runs_notebooks)
    for path in repo.files:
        if not _RUNNER_FILES.search(path) or is_test_path(path):
            continue
        if path.endswith(".py") and not repo.passes(path, runs_notebooks):  # most modules: a kept yes/no, not a size or a read
            continue
        if repo.size(path) > MAX_DEFINITION_BYTES:
            continue
        text = repo.text(path) or ""
        if _runs_notebooks(text) and any(n in text for n in names):
            return True
    return False


def _audit_trail_tracking(repo: RepoIndex) -> Observation | None:
    """Rule `audit-trail run tracking`: runs recorded through the mlops-audit audit-trail SDK, whose
    `AuditTrail.record(..., params=..., metrics=...)` keeps each run's parameters and metrics in a
    hash-chained, verifiable trail. Both the SDK import and record calls with params/metrics are
    needed: a mention, or an import used only to verify trails, is not tracking."""
    imports, calls = _inhouse.audit_trail_use(repo, "params", "metrics")
    if not imports or not calls:
        return None
    direct = any(d for *_, d in calls)
    where = [at(p, line) for p, line, _ in calls] + [at(p, line) for p, line in imports]
    how = "in the same code" if direct else "through a project wrapper the trail is handed to"
    return Observation.passed(
        f"records runs (params and metrics) with the mlops-audit audit-trail SDK (AuditTrail.record, {how})",
        where,
        confidence=Confidence.high if direct else Confidence.medium,
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


_CV_CALLS = (
    "sklearn.model_selection.cross_val_score", "sklearn.model_selection.cross_validate",
    "sklearn.model_selection.cross_val_predict",
)
_CV_NAMES = frozenset({"cross_val_score", "cross_validate", "cross_val_predict"})


def _parameter_grid_search(repo: RepoIndex) -> list[tuple[PythonSummary, Call]]:
    """Rule `sklearn ParameterGrid/ParameterSampler`: grid points enumerated by scikit-learn in code
    that also fits or cross-validates (the points are evaluated, not just listed)."""

    def predicate(summary: PythonSummary) -> list[Call]:
        evaluates = summary.calls_to(*_CV_CALLS) or any(c.name.rsplit(".", 1)[-1] == "fit" for c in summary.calls)
        grids = summary.calls_to("sklearn.model_selection.ParameterGrid", "sklearn.model_selection.ParameterSampler")
        return grids if evaluates else []

    return matching(repo, ("ParameterGrid", "ParameterSampler"), predicate)


# Rule `a point scored by a metric named for itself` (session 13): teams score each setting with a
# helper named for the metric it computes (`_rmse(y, pred)`, `mape(...)`, `compute_auc(...)`,
# `ndcg_at_k(...)`) as often as with scikit-learn's `*_score`/`*_error` functions. Names of
# regression, classification, ranking and forecast metrics only: `map`, `acc` or `precision` alone
# name other things (the builtin `map`, an accumulator, a float type).
_METRIC = r"(?:compute_|calc_|calculate_|get_)?(?:r?mse|rmsle|mae|mape|smape|wape|mase|r2|auc|roc_auc|pr_auc|accuracy|f1|ndcg|mrr|crps|brier|logloss|pinball)(?:_at_k|_at_\d+)?"
# Names ending `_score`/`_error`/`_loss` are one `\w+` run with no `_*` before it: `\w` holds the
# underscore, so `_*` then `\w+` split a name of underscores every way, each split scanning to its
# end (review13: quadratic in a long name's length).
_SCORES = re.compile(r"^(?:_*(?:score|score_\w+|evaluate\w*|eval_\w+|log_loss|objective|" + _METRIC + r")|\w+_score|\w+_error|\w+_loss)$")
# Text tests that every file holding an in-house grid or random search passes (see below).
_SCORE_WORD = re.compile(  # a substring of every name _SCORES matches
    r"score|evaluate|eval_|_error|_loss|objective|mse|rmsle|mae|mape|wape|mase|r2|auc|accuracy|f1|ndcg|mrr|crps|brier|logloss|pinball"
).search
_FIT_WORD = re.compile(r"\bfit\b").search
# How a hand-written search walks its settings: an itertools.product grid, nested loops over literal
# lists (`for alpha in [0.1, 1.0]:`), or trials that each draw a setting (`hp = sample_hp(rng)`).
_SAMPLED = pyfacts.SAMPLER_NAME  # a called name (`sample_hp`, `hparams_sampler`), or an identifier of the text
_LITERAL_FOR = re.compile(r"\bfor\s+([A-Za-z_]\w*)\s+in\s+[\[(]\s*[-\d.'\"]")  # `for alpha in [0.1, ...` / `in ("l1", ...`
# Whole tokens one of those files holds: `product`, a `fit`, or (a random search) the best so far or its budget.
_SEARCH_NEEDLES = ("product", "fit", "best", "n_trials", "n_iter", "num_trials")
_FOR_WORD = re.compile(r"\bfor\b").search
_BEST_WORD = casewords.CaseBlind(r"best|\b(?:max|min|argmax|argmin|idxmax|idxmin|nlargest|nsmallest|sort_values)\b").search


def _samples_settings(text: str) -> bool:
    """The text names a parameter sampler: the identifiers around each `sampl` are tested, not the
    whole text (a regex with `\\w*` over a big library file costs milliseconds, and many say `sample`)."""
    for part in ("sampl", "Sampl", "SAMPL"):
        start = text.find(part)
        while start != -1:
            begin, end = start, start + len(part)
            while begin and (text[begin - 1].isalnum() or text[begin - 1] == "_"):
                begin -= 1
            while end < len(text) and (text[end].isalnum() or text[end] == "_"):
                end += 1
            if end - begin <= pyfacts.MAX_SAMPLER_NAME and _SAMPLED.search(text[begin:end]):
                return True
            start = text.find(part, end)
    return False


def _search_shape(text: str) -> bool:
    """The text may hold a search's loop: itertools or a parameter sampler, a loop over a literal
    list whose item is passed as a keyword somewhere (`for alpha in [...]: ... Ridge(alpha=alpha)`),
    or (session 13) a loop over a collection named as a grid (`for alpha in grid:`, `for params in
    param_grid:`, the names `pyfacts.grid_like` accepts)."""
    if "itertools" in text or _samples_settings(text):
        return True
    if ("in [" in text or "in (" in text) and _literal_grid(text):
        return True
    return _named_grid_loop(text)


def _literal_grid(text: str) -> bool:
    names = sorted(set(_LITERAL_FOR.findall(text)))
    return bool(names) and re.search(r"\w\s*=\s*(?:" + "|".join(names) + r")\b", text) is not None  # one pass for all loop names


def _named_grid_loop(text: str) -> bool:
    """A `for` line whose iterable (after ` in `) names a grid; line by line, one search per line. A
    network's weights (`model.parameters()`) are no settings."""
    if "for " not in text:
        return False
    for line in text.split("\n"):
        start = line.find("for ")
        at = line.find(" in ", start) if start != -1 else -1
        if at != -1 and pyfacts.GRID_ITER.search(line, at + 4) and "parameters(" not in line:
            return True
    return False


def _grid_loop_search(repo: RepoIndex) -> list[Location]:
    """Rule `in-house grid search`: a loop over declared hyper-parameter settings that cross-validates
    each setting (directly or through a project function that calls cross_val_score/cross_validate),
    or fits and scores it (a grid from itertools.product or nested loops over literal lists), or a
    loop over a trial budget that draws each setting from a parameter sampler and scores it (a random
    search), and selects the best (a comparison with the best so far, max/min, or ranking the
    results). A single cross-validation, or a loop over folds or seeds, is not a search."""
    # Each candidate's `grid_loops` fact is computed as it is reached (`_inhouse.asking`), read below.
    with_cv = list(_inhouse.asking(_inhouse.project_code(repo.python_mentioning("cross_val_score", "cross_validate")), "grid_loops"))
    cv_functions = {c.scope for s in with_cv for c in s.calls_to(*_CV_CALLS) if c.scope}
    candidates = {s.path: s for s in with_cv}
    evaluators = _CV_NAMES | cv_functions
    # Loops over itertools.product grids that fit and score each point (no cross-validation). Only a
    # file that names itertools, an evaluation (fit and a score, or an evaluator) and a selection
    # (`best`, max/min) can hold one: the others are not parsed (big trees of library code).
    names_evaluator = re.compile(r"\b(?:" + "|".join(sorted(evaluators)) + r")\b").search

    def may_hit(text: str) -> bool:
        """Every file with a loop below that counts passes: a `for` loop, a selection (the gate of
        `pyfacts.grid_loops`), and an evaluation among the names called in the loop."""
        if "for" not in text or not _FOR_WORD(text) or not _BEST_WORD(text):
            return False
        return bool(names_evaluator(text) or ((_FIT_WORD(text) or _samples_settings(text)) and _SCORE_WORD(text)))

    def may_search(text: str) -> bool:
        return bool(_search_shape(text) and may_hit(text))  # the shape first: it is mostly substring tests

    # Both tests depend on the text, this module and the evaluators' names only: answers cached by those.
    evaluator_names = tuple(sorted(evaluators))
    if cv_functions:
        # Files calling a project function that cross-validates: only those that may hold a
        # counting loop are parsed (the others' `grid_loops` could add no hit).
        callers = _inhouse.project_code(repo.python_scan(*sorted(cv_functions), where=text_test(may_hit, evaluator_names)))
        candidates.update({s.path: s for s in _inhouse.asking(callers, "grid_loops")})
    searches = _inhouse.project_code(repo.python_mentioning(*_SEARCH_NEEDLES, where=text_test(may_search, evaluator_names)))
    candidates.update({s.path: s for s in _inhouse.asking(searches, "grid_loops")})
    hits = []
    for path in sorted(candidates):
        # The grid loops that keep the best setting are a per-file fact of the summary
        # (`pyfacts.grid_loops`): no syntax tree needed, and the parse cache serves it.
        for line, names in candidates[path].grid_loops:
            evaluates = bool(evaluators.intersection(names)) or (
                ("fit" in names or any(_SAMPLED.search(n) for n in names)) and any(_SCORES.search(n) for n in names)
            )
            if evaluates:
                hits.append(at(path, line))
    return hits


# Rule `sweep launcher` (session 10): a script that walks hyper-parameter settings and trains once
# per setting, the comparison left to the tracker or to an analysis script (teams' sweeps: a grid of
# learning rates launching `train.py` per combination in a subprocess, a loop over N configurations
# drawn from a search space calling `train(...)`, a loop over trials drawing `lr = random.uniform(...)`
# and training with it). Candidates: the file's path or text names a sweep or a hyper-parameter
# search; the loop must train (a training call, a subprocess running a training script, or a module
# function that does one of these). Loops over seeds, folds, epochs or batches are not settings.
_SWEEP_PATTERN = r"hyper-?param|hparam|sweep|random[ _-]?search|grid[ _-]?search|search[ _-]?space|param(?:eter)?s?[ _-]?(?:search|sweep|experiments?)"
_SWEEP_WORDS = re.compile(_SWEEP_PATTERN, re.IGNORECASE)
_SWEEP_TEXT = casewords.CaseBlind(_SWEEP_PATTERN)  # the same search of a whole text, in its lowercased form
# Words (whole tokens, comments and docstrings included) of a file that names its sweep or draws
# settings; a file whose path names the sweep is read whatever its words (`_sweep_launchers`).
_SWEEP_NEEDLES = (
    "sweep", "Sweep", "sweeps", "hyperparameter", "hyperparameters", "Hyperparameter", "Hyperparameters", "hparams",
    "hyperparameter_search", "random_search", "grid_search", "search_space", "param_sweep", "uniform", "loguniform",
)
_TRAINING_WORDS = ("train", "training", "fit", "subprocess", "system")
_SETTINGS_ITER = re.compile(r"combo|combination|config|setting|trial|grid|param|product|search_space|sweep|candidate", re.IGNORECASE)
_NOT_SETTINGS = re.compile(r"seed|fold|split|epoch|batch|step|file|path|image|sample(?!r)|row|line|chunk", re.IGNORECASE)
_TRAINING_CALL = re.compile(r"(^|_)(re)?train(ing|er)?(_|$)|^fit$", re.IGNORECASE)
_PROCESS_CALLS = frozenset({"run", "call", "check_call", "check_output", "Popen", "system"})
_RANDOM_DRAW = re.compile(r"(^|\.)(random|rng|np\.random|numpy\.random|trial)\.(uniform|loguniform|choice|randint|integers|random|normal|suggest_\w+)$")


def _launches_training(call: ast.Call) -> bool:
    """`subprocess.run([sys.executable, "train.py", ...])`, `os.system(f"python train.py --lr {lr}")`."""
    owner = _inhouse.dotted(call.func).rsplit(".", 1)[0]
    if _inhouse.call_name(call) not in _PROCESS_CALLS or owner not in ("subprocess", "os", "sp"):
        return False
    for node in walk(call):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search(r"train", node.value, re.IGNORECASE):
            return True
        if isinstance(node, (ast.Name, ast.Attribute)) and re.search(r"train", _inhouse.last_name(node), re.IGNORECASE):
            return True
    return False


def _trains_in(node: ast.AST, local: dict[str, ast.AST], depth: int = 2) -> bool:
    """`node` starts training: a call named for training, a training subprocess, or (up to `depth`
    deep) a function of the module that does."""
    for call in _inhouse.calls_in(node):
        name = _inhouse.call_name(call)
        if _TRAINING_CALL.search(name) or _launches_training(call):
            return True
        if depth and name in local and local[name] is not node and _trains_in(local[name], local, depth - 1):
            return True
    return False


def _drawn_settings(loop: ast.For) -> set[str]:
    """Names the loop body assigns from a random draw (`lr = random.uniform(1e-4, 1e-2)`)."""
    drawn: set[str] = set()
    for node in walk(loop):
        if isinstance(node, ast.Assign) and any(
            isinstance(c, ast.Call) and _RANDOM_DRAW.search(_inhouse.dotted(c.func)) for c in walk(node.value)
        ):
            for target in node.targets:
                drawn |= _inhouse.assigned_names(target)
    return drawn


def _collection_names(node: ast.AST) -> list[str]:
    """Names of what a loop walks: `combos`, `cfg.grid`, `enumerate(configurations)`, `tqdm(range(n_trials))`
    (a literal list is judged by `pyfacts.grid_like`, not by the names inside it)."""
    if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)):
        return [_inhouse.dotted(node)]
    if isinstance(node, ast.Call):
        return [_inhouse.dotted(node.func), *(n for a in node.args for n in _collection_names(a))]
    return []


def _sweep_loop(loop: ast.For, local: dict[str, ast.AST], named_sweep: bool) -> bool:
    walked = " ".join(_collection_names(loop.iter))
    if _NOT_SETTINGS.search(walked) and not pyfacts.grid_like(loop):
        return False
    if not _trains_in(loop, local):
        return False
    drawn = _drawn_settings(loop)
    if drawn:
        passed = {
            n.id for c in _inhouse.calls_in(loop) if _TRAINING_CALL.search(_inhouse.call_name(c)) or _inhouse.call_name(c) in local
            for a in [*c.args, *(k.value for k in c.keywords)] for n in walk(a) if isinstance(n, ast.Name)
        }
        used = drawn & passed
        if len(used) >= 2 or (used and named_sweep):
            return True
    return named_sweep and (pyfacts.grid_like(loop) or bool(_SETTINGS_ITER.search(walked)))


# Substrings every text `_SWEEP_WORDS` matches holds (tested first: most files hold none).
_SWEEP_HINTS = ("uniform", "weep", "yper", "aram", "earch", "HYPER", "SEARCH", "SWEEP", "ARAM")


def _may_sweep(text: str) -> bool:
    """Every file holding a sweep loop passes: a loop, and a sweep named in the text or a random draw
    (the path may name the sweep instead: `param_sweep.py`)."""
    if "for " not in text or not any(h in text for h in _SWEEP_HINTS):
        return False
    return "uniform" in text or _SWEEP_TEXT.search(text)


def _names_sweep(text: str) -> bool:
    """A text test (`index.text_test`): a module whose text names a sweep (`_SWEEP_WORDS`)."""
    return _SWEEP_TEXT.search(text)


def _sweep_launchers(repo: RepoIndex) -> list[Location]:
    hits: list[Location] = []
    named = {p for p in repo.python_files() if _SWEEP_WORDS.search(p.rsplit("/", 1)[-1])}
    for summary in _inhouse.named_or_mentioning(repo, named, _TRAINING_WORDS, _SWEEP_NEEDLES, text_test(_may_sweep)):
        module = _inhouse.tree(repo, summary.path)
        if module is None:
            continue
        named_sweep = bool(_SWEEP_WORDS.search(summary.path)) or (
            _SWEEP_TEXT.search(repo.text(summary.path) or "") if summary.is_notebook else repo.passes(summary.path, text_test(_names_sweep))
        )
        local: dict[str, ast.AST] = {f.name: f for _, f in _inhouse.functions(module)}
        for loop in (n for n in statements(module) if isinstance(n, ast.For)):
            if _sweep_loop(loop, local, named_sweep):
                hits.append(at(summary.path, loop.lineno))
                break  # one loop per file is enough to show it
        if len(hits) >= MAX_LOCATIONS:
            break
    return hits


# In-house searches, tried in order after tool calls, search configurations and parameter-grid classes.
_IN_HOUSE_TUNING: tuple[Shape, ...] = (
    (
        "in-house search: loops over declared hyper-parameter grid points or sampled settings, evaluates each (cross-validation, "
        "or a fit and a score) and keeps the best",
        _grid_loop_search,
    ),
    (
        "in-house sweep: a script walks hyper-parameter settings (a grid, configurations drawn from a search space, "
        "or random draws per trial) and trains once per setting; the comparison of the runs is not judged here",
        _sweep_launchers,
    ),
)


@detector(
    id="tunes_hyperparameters",
    title="Does the repo run an automated hyperparameter search?",
    kind=Kind.hyperparameter_tuning,
    remediation=(
        "Replace hand-picked hyperparameters with an automated search (GridSearchCV/RandomizedSearchCV, Optuna, "
        "Ray Tune, Katib or a cloud tuning job) and log each trial."
    ),
    needles=_TUNING.needles + ("ParameterGrid", "ParameterSampler", "cross_val_score", "cross_validate") + _SEARCH_NEEDLES + _SWEEP_NEEDLES,
)
def tunes_hyperparameters(repo: RepoIndex) -> Observation:
    hits = Hits((s, c) for s, c in matching(repo, _TUNING.needles, _TUNING.code_hits) if not _in_unreached_function(repo, s, c))
    configs = _katib_or_sweep_configs(repo)
    if hits or configs:
        detail = f"calls {describe(hits)}" if hits else f"{len(configs)} search configuration(s) (Katib/W&B/Azure ML sweep)"
        return Observation.passed(detail, locations(hits) + configs)
    sampled = _parameter_grid_search(repo)
    if sampled:
        return Observation.passed(
            f"searches a parameter grid with {describe(sampled)} and fits or cross-validates each point", locations(sampled),
            confidence=Confidence.medium,
        )
    in_house = first_passing(repo, _IN_HOUSE_TUNING, confidence=Confidence.medium)
    if in_house is not None:
        return in_house
    in_r = r_calls(repo, _TUNING.r_calls)  # session 15: R's search functions (catalogue `r_calls`)
    if in_r:
        return Observation.passed(f"R code calls {', '.join(dict.fromkeys(f'{name}()' for _, name in in_r))}", [loc for loc, _ in in_r])
    return Observation.failed("no automated hyperparameter search found (scikit-learn *SearchCV, Optuna, Hyperopt, Ray Tune, Keras Tuner, Katib, cloud tuning jobs)")


def _in_unreached_function(repo: RepoIndex, summary: PythonSummary, call: Call) -> bool:
    """Rule `a search nobody runs` (session 11): a tuning tool's call inside a module-level function
    that the project's code never calls or hands on (`data.reached`: an Optuna study in a helper
    nothing uses) tunes nothing. Calls at module level, in methods, in decorated functions and in
    notebooks are taken as run."""
    if call.scope is None or summary.is_notebook or call.line is None:
        return False
    module = _inhouse.tree(repo, summary.path)
    enclosing = enclosing_function(module, call.line) if module is not None else None
    return enclosing is not None and not reached(repo, summary.path, module, *enclosing)  # type: ignore[arg-type]


def _registry_calls(summary: PythonSummary) -> list[Call]:
    found = _REGISTRY.code_hits(summary)
    if summary.imports_module("azure.ai.ml"):
        found += [c for c in summary.calls_named("create_or_update") if ".models." in c.name or c.name.startswith("models.")]
    return found


# Rule `register step in a pipeline definition` (session 11): a SageMaker pipeline written as its JSON
# definition - in Terraform (`aws_sagemaker_pipeline` with `pipeline_definition = jsonencode({Steps =
# [{Type = "RegisterModel", Arguments = {ModelPackageGroupName = ...}}]})`), CloudFormation or a JSON
# template - registers each trained model in a model package group without any Python call. The step
# type and the group it registers into must both be written; a package group declared alone is an
# empty registry.
_REGISTER_STEP = re.compile(r'\bType["\']?[ \t]*[=:][ \t]*["\']?RegisterModel\b')  # HCL `Type = "RegisterModel"`, JSON, YAML


def _register_steps_in_definitions(repo: RepoIndex) -> list[Location]:
    hits = []
    candidates = repo.with_suffix(".tf") + [p for p in repo.with_suffix(".json", ".yaml", ".yml") if "pipeline" in p.lower()]
    for path in candidates:
        if is_test_path(path) or _in_examples(path) or repo.size(path) > MAX_DEFINITION_BYTES:
            continue
        text = repo.text(path) or ""
        if "RegisterModel" not in text or "ModelPackageGroupName" not in text:
            continue
        match = _REGISTER_STEP.search(text)
        if match:
            hits.append(at(path, text.count("\n", 0, match.start()) + 1))
    return hits[:MAX_LOCATIONS]


# The registry's shapes without a registry call, tried in order (after the catalogue's calls).
_REGISTRY_SHAPES: tuple[Shape, ...] = (
    (
        "in-house model registry: a register function writes versioned model files, records their digest in an "
        "index, and pipeline code calls it",
        lambda repo: _in_house_registry(repo),
    ),
    (
        "a SageMaker pipeline definition kept as infrastructure code registers the trained model in a model "
        "package group (RegisterModel step)",
        lambda repo: _register_steps_in_definitions(repo),
    ),
)


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


_DIGEST_NEEDLES = ("sha256", "hashlib", "sha256_file", "sha256_bytes", "md5", "file_digest")
_REGISTER_FUNCTION = re.compile(r"^(register|promote|publish)\w*$")
_SERIALISERS = re.compile(
    r"^(skops\.io|joblib|pickle|cloudpickle|dill|torch|onnx|safetensors\.\w+)\.(dumps?|save\w*)$|(^|\.)(save_model|dump_model|save_pretrained)$"
)
_DIGEST_CALL = re.compile(r"sha256|sha1|sha512|md5|blake2|hashlib|digest", re.IGNORECASE)
_INDEX_WRITE = re.compile(r"(^|\.)(json\.dumps?|write_json|safe_dump|yaml\.dump|to_json|json_dump|write_text)$")


def _reached(module: ast.Module, func: ast.AST, depth: int = 2) -> list[ast.AST]:
    """`func` and the same-module functions it calls (to `depth` levels): helpers such as a
    `dump_model` that a `register` method delegates to."""
    defined = {f.name: f for _, f in _inhouse.functions(module)}
    seen: list[ast.AST] = [func]
    frontier = [func]
    for _ in range(depth):
        nxt = []
        for node in frontier:
            for call in _inhouse.calls_in(node):
                target = defined.get(_inhouse.call_name(call))
                if target is not None and target not in seen:
                    seen.append(target)
                    nxt.append(target)
        frontier = nxt
    return seen


def _resolved_calls(summary: PythonSummary, nodes: list[ast.AST]) -> set[str]:
    """Import-resolved names (from the summary) of the calls made inside `nodes`."""
    lines = {c.lineno for node in nodes for c in _inhouse.calls_in(node)}
    return {c.name for c in summary.calls if c.line in lines}


def _in_house_registry(repo: RepoIndex) -> list[Location]:
    """Rule `in-house model registry`: a `register`/`promote`/`publish` function that serialises a
    model (skops, joblib, pickle, torch...), records a digest of it, numbers versions and writes an
    index; and project code outside the function calls it. A `joblib.dump(model, "model.pkl")`, or
    a registry class nobody calls, is not a registry in use."""
    hits: list[Location] = []
    for summary in _inhouse.project_code(repo.python_mentioning(*_DIGEST_NEEDLES)):
        if not any(_REGISTER_FUNCTION.match(name) for name in summary.functions):
            continue
        module = _inhouse.tree(repo, summary.path)
        if module is None:
            continue
        for owner, func in _inhouse.functions(module):
            if not _REGISTER_FUNCTION.match(func.name):
                continue
            reached = _reached(module, func)
            names = _resolved_calls(summary, reached)
            words = set().union(*(_inhouse.words(n) for n in reached))
            serialises = any(_SERIALISERS.search(n) for n in names)
            digests = any(_DIGEST_CALL.search(n) for n in names)
            versions = any("version" in w.lower() for w in words)
            indexes = any(_INDEX_WRITE.search(n) for n in names)
            if not (serialises and digests and versions and indexes):
                continue
            callers = _registry_callers(repo, summary.path, func, owner)
            if callers:
                hits.append(at(summary.path, func.lineno))
                hits.extend(callers)
    return hits


def _registry_callers(repo: RepoIndex, path: str, func: ast.FunctionDef | ast.AsyncFunctionDef, owner: str | None) -> list[Location]:
    """Calls of the register function from project code outside its own body, on something named
    like its class or a registry (`registry.register(...)`, `ModelRegistry(root).register(...)`)."""
    found = []
    start, end = func.lineno, getattr(func, "end_lineno", func.lineno) or func.lineno
    for summary in _inhouse.project_code(repo.python_scan(func.name)):
        for call in summary.calls_named(func.name):
            if summary.path == path and call.line is not None and start <= call.line <= end:
                continue
            receiver = call.name.rsplit(".", 1)[0].lower() if "." in call.name else ""
            if owner is None and "." not in call.name.lstrip("."):
                found.append(at(summary.path, call.line))  # a module-level function called by name
            elif "registry" in receiver or (owner is not None and owner.lower() in receiver) or receiver.endswith(path.rsplit("/", 1)[-1][:-3]):
                found.append(at(summary.path, call.line))
    return found


# Rule `a hub release loaded by a pinned revision` (session 18, conventions §16.13 'a model hub as registry'): a
# Hugging Face Hub model repository is the system's registry when the code loads the model from it by a pinned
# revision - `revision=` of `from_pretrained`, `snapshot_download` or `hf_hub_download` (huggingface_hub's
# download reference: 'revision: an optional Git revision id which can be a branch name, a tag, or a commit
# hash') set to a full commit id written in the loading file or kept in the repository's model configuration
# (`commit: <40 hex>` in YAML/JSON/TOML). Loading the default branch, a revision read from the command line, or a
# third-party pretrained model through a pretrained-model library's own loader (transformers, sentence-transformers,
# diffusers, timm, open_clip, PEFT: the provider's checkpoint, not the team's release) is not. Partial: the hub
# gives the unique version; the model's record (metrics, run) is not visible from here.
_HUB_LOADERS = ("from_pretrained", "snapshot_download", "hf_hub_download")
_HUB_LOAD = re.compile(r"(?:^|\.)(?:from_pretrained|snapshot_download|hf_hub_download)$")
_PRETRAINED_LIBRARIES = frozenset({"transformers", "sentence_transformers", "diffusers", "timm", "open_clip", "peft"})
_FULL_COMMIT = re.compile(r"(?<![0-9a-fA-F])[0-9a-f]{40}(?![0-9a-fA-F])")
_PINNED_IN_CONFIG = re.compile(r"(?:commit|revision|version|sha)\w*[\"']?[^\S\n]*[:=][^\S\n]*[\"']?[0-9a-f]{40}(?![0-9a-fA-F])", re.IGNORECASE)
_CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".toml")


def _pins_in_configuration(repo: RepoIndex) -> bool:
    def compute() -> bool:
        for path in repo.with_suffix(*_CONFIG_SUFFIXES):
            if is_test_path(path) or _in_examples(path) or path.startswith(".") or repo.size(path) > MAX_DEFINITION_BYTES:
                continue
            if _PINNED_IN_CONFIG.search(repo.text(path) or ""):
                return True
        return False

    return repo.memo("registry_pins_in_configuration", compute)  # type: ignore[no-any-return]


def _hub_loads_by_pinned_revision(repo: RepoIndex) -> list[Location]:
    hits: list[Location] = []
    for summary in _inhouse.project_code(repo.python_mentioning(*_HUB_LOADERS, where=lambda text: "revision" in text)):
        if _in_examples(summary.path):
            continue
        loads = [
            c for c in summary.calls_with_keyword("revision")
            if _HUB_LOAD.search(c.name) and c.name.split(".", 1)[0] not in _PRETRAINED_LIBRARIES and c.keyword("revision") is not None
        ]
        if loads and (_FULL_COMMIT.search(repo.text(summary.path) or "") or _pins_in_configuration(repo)):
            hits += [at(summary.path, c.line) for c in loads]
        if len(hits) >= MAX_LOCATIONS:
            break
    return hits[:MAX_LOCATIONS]


# Rule `a prompt registry in a Node back end` (session 18, conventions §14 and §16.13 'prompt registries'): the
# chain of a Node/TypeScript package loads the prompt it runs from a prompt registry by name, label or version - the
# Langfuse JS/TS SDK (`langfuse.prompt.get(name, { label })` in @langfuse/client, `getPrompt(...)` in the older
# `langfuse` / `langfuse-node` packages) or LangChain's hub (`pull("owner/name:commit")` from `langchain/hub`, the way
# LangSmith's documentation says TypeScript pulls prompts). Read only in packages whose package.json depends on the
# SDK, tests and build output left out.
_NODE_PROMPT_REGISTRIES = (
    (re.compile(r"^(@langfuse/client|langfuse|langfuse-node)$"), re.compile(r"\.(?:prompt\.get|getPrompt)[^\S\n]*\(")),
    (re.compile(r"^langchain$"), re.compile(r"""from[^\S\n]*["']langchain/hub(?:/node)?["'][\s\S]{0,4000}?\bpull[^\S\n]*(?:<[^<>\n]*>)?\(""")),
)


def _node_prompt_registry_loads(repo: RepoIndex) -> list[Location]:
    found: list[Location] = []
    for manifest in repo.named("package.json"):
        if is_test_path(manifest) or _in_examples(manifest) or "node_modules/" in manifest:
            continue
        data = repo.json(manifest)
        deps = data.get("dependencies") if isinstance(data, dict) else None
        names = [str(n) for n in deps] if isinstance(deps, dict) else []
        loads = [use for package, use in _NODE_PROMPT_REGISTRIES if any(package.match(n) for n in names)]
        if not loads:
            continue
        folder = manifest.rsplit("/", 1)[0] + "/" if "/" in manifest else ""
        for path, text in node_package_sources(repo, folder):
            match = next((m for use in loads if (m := use.search(text))), None)
            if match:
                found.append(at(path, text.count("\n", 0, match.start()) + 1))
                break  # one file per package is enough
    return found[:MAX_LOCATIONS]


@detector(
    id="registers_models",
    title="Does the repo register versioned models in a model registry?",
    kind=Kind.model_registry,
    remediation=(
        "Register each candidate model with a version in a registry (mlflow.register_model or "
        "log_model(registered_model_name=...), SageMaker model packages, Vertex Model.upload, Azure ML models, GTO)."
    ),
    needles=_REGISTRY.needles + _DIGEST_NEEDLES + _HUB_LOADERS,
    reads_history=True,  # GTO registry tags
)
def registers_models(repo: RepoIndex) -> Observation:
    hits = matching(repo, _REGISTRY.needles, _registry_calls)
    scratch_only = _notebooks_only(repo, hits, "models are logged or registered", "register nothing") if hits else ""
    if scratch_only:
        return Observation.failed(scratch_only, locations(hits))
    if hits:
        return Observation.passed(f"registers models with {describe(hits)}", locations(hits))
    in_house = first_passing(repo, _REGISTRY_SHAPES, confidence=Confidence.medium)
    if in_house is not None:
        return in_house
    prompts = _node_prompt_registry_loads(repo)
    if prompts:
        return Observation.passed(
            f"the LLM chain of {len({loc.path for loc in prompts})} Node package(s) loads the prompts it runs from a prompt "
            "registry by name and label or version (Langfuse prompt management, LangChain hub)",
            prompts,
        )
    pinned = _hub_loads_by_pinned_revision(repo)
    if pinned:
        return Observation.partly(
            f"the model is loaded from a model hub by a pinned commit revision ({len(pinned)} place(s)): the hub release is "
            "the registry's unique version; missing: a registry record of the version (its metrics or training run)",
            pinned, confidence=Confidence.medium,
        )
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
) + tuple(sorted(pyfacts.SEED_KEYS - {"seed", "random_state"}))  # needles are whole identifiers: `random_seed: int = 0` holds no `seed`
_SEED_CALLS = (
    "random.seed", "numpy.random.seed", "numpy.random.default_rng", "torch.manual_seed", "torch.cuda.manual_seed_all",
    "tensorflow.random.set_seed", "tensorflow.keras.utils.set_random_seed", "keras.utils.set_random_seed",
    "pytorch_lightning.seed_everything", "lightning.seed_everything", "lightning.pytorch.seed_everything",
    "transformers.set_seed", "accelerate.utils.set_seed",
)
_TRAINS = re.compile(r"(^|\.)(fit|fit_transform|train|train_model|fit_generator|Trainer)$")


# A seed given to a synthetic-data generator (`make_classification(random_state=0)`) makes the data
# repeatable, not the training: the split and the model draw their own randomness.
_DATA_GENERATOR = re.compile(r"^sklearn\.datasets\.make_\w+$")


def _seeded(summary: PythonSummary) -> list[Call]:
    # `random.seed()` without an argument seeds from the clock: it does not count.
    found = [c for c in summary.calls_to(*_SEED_CALLS) if c.args or c.keywords]
    # A seeded generator object handed to a split or a loader (`generator=torch.Generator().manual_seed(1337)`,
    # `random.Random(42)`): the same repeatable draw, scoped to what it is given to. Asked by last name
    # part first (the same calls, in order): a cached summary with no such call answers from its
    # call index without decoding its calls.
    found += [
        c for c in summary.calls_named("manual_seed", "Random")
        if (c.name.endswith("Generator().manual_seed") or c.name == "random.Random") and c.args[:1] and _int(c.args[0])
    ]
    found += [
        c for c in summary.calls_with_keyword("random_state", "seed")
        if any(k in ("random_state", "seed") and isinstance(v, int) and not isinstance(v, bool) for k, v in c.keywords)
        and not _DATA_GENERATOR.match(c.name)
    ]
    return found


_SEED_KEYS = pyfacts.SEED_KEYS


def _int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_SEED_CONFIG_WORDS = ("seed", "random_state")


def _declared_seeds(repo: RepoIndex) -> dict[str, list[Location]]:
    """Seed values the project fixes: a YAML config key (`seed: 42`), a module or class constant
    (`SEED = 42`, `seed: int = 42`, `SEED = int(os.getenv("SEED", 42))`) or an argparse default
    (`--seed`, default=42), by key name."""
    found: dict[str, list[Location]] = {}
    for path, doc in _inhouse.yaml_mappings(repo, _SEED_CONFIG_WORDS):
        for key_path, value in _inhouse.walk_mapping(doc.data):  # type: ignore[attr-defined]
            key = key_path[-1]
            if isinstance(key, str) and key.lower() in _SEED_KEYS and _int(value):
                pos = doc.locate(key_path)  # type: ignore[attr-defined]
                found.setdefault(key.lower(), []).append(at(path, pos[0] if pos else None))
    for summary in _inhouse.project_code(repo.python_mentioning(*_SEED_NEEDLES)):
        for call in summary.calls_named("add_argument"):
            flag = call.args[0] if call.args else None
            if isinstance(flag, str) and flag.lstrip("-").replace("-", "_").lower() in _SEED_KEYS and _int(call.keyword("default")):
                found.setdefault(flag.lstrip("-").replace("-", "_").lower(), []).append(at(summary.path, call.line))
        for key, line in summary.seed_constants:  # per-file facts (`pyfacts`): no syntax tree needed
            found.setdefault(key, []).append(at(summary.path, line))
        if not summary.is_notebook and repo.passes(summary.path, text_test(_may_map_seeds)):  # most files hold none: a text test
            for key, line in _seeds_in_mappings(repo.text(summary.path) or ""):
                found.setdefault(key, []).append(at(summary.path, line))
    return found


# A configuration mapping written in Python (`ML_CONFIG = {"data_split": {"train": 0.6, "seed": 42}}`)
# fixes a seed as a YAML config does (session 11): the key is a seed key, the value an integer literal.
_SEED_IN_MAPPING = re.compile(r"""["'](%s)["'][ \t]*:[ \t]*(\d{1,12})\b""" % "|".join(sorted(pyfacts.SEED_KEYS)), re.IGNORECASE)


def _may_map_seeds(text: str) -> bool:
    """A text test (`index.text_test`): whether `_seeds_in_mappings` can find anything in the text."""
    return _SEED_IN_MAPPING.search(text) is not None


def _seeds_in_mappings(text: str) -> list[tuple[str, int]]:
    """(lower-case key, line) of each `"seed": 42` entry of a dict literal in Python code."""
    found: list[tuple[str, int]] = []
    line, counted = 1, 0
    for match in _SEED_IN_MAPPING.finditer(text):
        line += text.count("\n", counted, match.start())  # counted once over the text: linear
        counted = match.start()
        found.append((match.group(1).lower(), line))
    return found


# Rule `seed in the model's parameters` (session 14): a training file's parameter mapping fixes the
# estimator's seed with a literal (`params = {"n_estimators": 100, "random_state": 42}`, then
# `XGBClassifier(**params)`; LightGBM's `{"seed": 42}` handed to `lgb.train`): the keys estimators
# take their seed by. Seeds of other settings (a data generator's mapping outside training code) are
# not read: only files that fit or train.
_MODEL_SEED_KEYS = frozenset({"random_state", "seed", "random_seed"})


def _seed_parameter_defaults(repo: RepoIndex, path: str, uses: list[tuple[int, str]]) -> list[tuple[str, int]]:
    """Rule `seed as a parameter default` (session 14): (key, line) of each training function whose
    seed parameter defaults to an integer (`def train(X, y, random_state=123)`) and which passes it on
    (a `seed_uses` line inside the function): its callers that pass none get the fixed seed. A
    parameter defaulting to None is not fixed (`seed_uses` leaves it out)."""
    module = _inhouse.tree(repo, path)
    if module is None:
        return []
    found = []
    # Lines of each key's uses, sorted: a function asks for a use inside its own lines by bisection
    # (a test per function and use was quadratic in a module of many functions).
    lines_by_key: dict[str, list[int]] = {}
    for line, k in uses:
        lines_by_key.setdefault(k, []).append(line)
    for lines in lines_by_key.values():
        lines.sort()
    for _, func in _inhouse.functions(module):
        positional = func.args.posonlyargs + func.args.args
        defaults = list(zip(positional[len(positional) - len(func.args.defaults):], func.args.defaults))
        defaults += [(a, d) for a, d in zip(func.args.kwonlyargs, func.args.kw_defaults) if d is not None]
        end = getattr(func, "end_lineno", None) or func.lineno
        for arg, default in defaults:
            key = arg.arg.lower()
            lines = lines_by_key.get(key, [])
            first = bisect.bisect_left(lines, func.lineno)
            if key in _SEED_KEYS and isinstance(default, ast.Constant) and _int(default.value) \
                    and first < len(lines) and lines[first] <= end:
                found.append((key, func.lineno))
    return found


def _seed_from_declared_value(repo: RepoIndex) -> list[Location]:
    """Rule `seed from a declared value`: training code passes `random_state=`/`seed=` (or seeds a
    generator) with a variable or config attribute named like a seed the project declares with a
    fixed value (a constant, a config key, an argparse default, or the default of the training
    function's own seed parameter), or its parameter mapping fixes the model's seed with a literal.
    A parameter defaulting to None, a call (`np.random.randint()`) or a name no declaration fixes
    does not count: those runs are not repeatable."""
    declared = _declared_seeds(repo)
    hits: list[Location] = []
    for summary in _inhouse.project_code(repo.python_mentioning(*_SEED_NEEDLES)):
        if not _trains(summary):
            continue
        uses = summary.seed_uses  # per-file facts (`pyfacts.seed_uses`): the seed keys each function passes on
        if uses and any(key not in declared for _, key in uses):
            for key, line in _seed_parameter_defaults(repo, summary.path, uses):
                declared.setdefault(key, []).append(at(summary.path, line))
        hits.extend(at(summary.path, line) for line, key in uses if key in declared)
        if repo.passes(summary.path, text_test(_may_map_seeds)):
            hits.extend(at(summary.path, line) for key, line in _seeds_in_mappings(repo.text(summary.path) or "") if key in _MODEL_SEED_KEYS)
    if not hits:
        return []
    used = {loc for loc in hits}
    keys = sorted(declared)
    return sorted(used, key=lambda loc: (loc.path, loc.line or 0)) + [loc for k in keys for loc in declared[k]]


# Rule `unseeded draws` (session 11): a project whose training is driven by a parameter file or a
# Hydra config, but whose code draws randomness with no seed - `random_split(...)` without a seeded
# `generator=`, `train_test_split(...)` shuffling without `random_state=`, a `random_state=None` or
# `seed=None` given to an estimator - gets a different split and model on every run: the settings are
# versioned, the run is not repeatable (teams' systems labelled so: "hyperparameters in a config file,
# but random_split and training unseeded"). Seeds found anywhere on the training path win (checked
# before this rule); a split with `shuffle=False` draws nothing.
_UNSEEDED_NEEDLES = ("random_split", "train_test_split")


def _unseeded(call: Call) -> bool:
    last = call.name.rsplit(".", 1)[-1]
    keywords = dict(call.keywords)
    if last == "random_split":
        return "generator" not in keywords
    if last == "train_test_split":
        return "random_state" not in keywords and keywords.get("shuffle", True) is not False
    return any(key in ("random_state", "seed") and value is None for key, value in call.keywords)


def _unseeded_draws(repo: RepoIndex) -> list[Location]:
    """Where the project's code (not its tests or notebooks) draws randomness without a seed."""
    def draws(summary: PythonSummary) -> list[Call]:
        if summary.is_notebook:
            return []
        calls = summary.calls_named(*_UNSEEDED_NEEDLES) + summary.calls_with_keyword("random_state", "seed")
        return sorted({(c.line or 0, c.name): c for c in calls if _unseeded(c)}.values(), key=lambda c: c.line or 0)

    return locations(matching(repo, _UNSEEDED_NEEDLES + ("random_state", "seed"), draws))


_NOT_WORK = re.compile(r"^(print|pprint|str|repr|format|len|info|debug|warning|log|echo)$")


def _does_work(repo: RepoIndex, path: str, decorator_line: int | None) -> bool:
    """The function under a decorator calls something besides printing and logging: a placeholder
    `main(config)` that only prints its settings is driven by a config but runs nothing."""
    module = _inhouse.tree(repo, path)
    if module is None or decorator_line is None:
        return True  # notebooks and unparsable files: the decorator alone decides, as before
    for _, func in _inhouse.functions(module):
        if any(d.lineno == decorator_line for d in func.decorator_list):
            body = [c for statement in func.body for c in _inhouse.calls_in(statement)]  # not the decorator's own call
            return any(not _NOT_WORK.match(_inhouse.call_name(c)) for c in body)
    return True


def _function_call(summary: PythonSummary, call: Call) -> bool:
    """Rule `seeding helpers are functions` (session 14): a call of a project function - by its bare
    name (`set_seeds()`, a relative import) or through an import (`utils.set_seeds()`) - not a method
    of an object the file made (`model.predict()` is no call of a seeding `predict` helper defined
    elsewhere, which a seeded ARIMA predictor's method would otherwise make of every prediction)."""
    owner = call.name.rpartition(".")[0]
    return not owner or call.name in summary.imports or owner in summary.imports


def _trains(summary: PythonSummary) -> bool:
    return any(_TRAINS.search(name) for name in summary.resolved_names) or "train" in summary.path.rsplit("/", 1)[-1].lower()


# Rule `dvc.lock locks training` (session 15, decoy22): dvc.lock records the hashes of what each stage
# of a DVC pipeline read and wrote, so the runs it locks can be repeated - but it makes *training*
# reproducible only when a locked stage trains. The stages' code is what their `deps` and `cmd` name
# (`python src/train.py`, `python -m pkg.train`, a folder of the repository's code): when those name
# Python code of the repository and none of it trains (calls fit or train, or builds a Trainer), the lock records data
# jobs only (ingestion, preprocessing) and is no lineage of training. When they name no Python code
# of the repository (a shell script, an image), the lock is taken as before.
_LOCKED_MODULE = re.compile(r"-m[^\S\n]+([A-Za-z_][\w.]*)")
_LOCKED_SCRIPT = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w.-]+\.py)\b")
MAX_LOCKED_CODE = 200  # Python files of a lock's stages parsed to find the one that trains


def _locked_stages_train(repo: RepoIndex, path: str, stages: dict[object, object]) -> bool | None:
    """Whether a stage of the lock at `path` runs training code (the rule above); None when its stages
    name no Python code of the repository."""
    base = path.rpartition("/")[0]
    named: set[str] = set()
    for stage in stages.values():
        if not isinstance(stage, dict):
            continue
        deps = stage.get("deps")
        for dep in deps if isinstance(deps, list) else []:
            dep_path = dep.get("path") if isinstance(dep, dict) else dep
            if isinstance(dep_path, str):
                named.add(dep_path)
        command = stage.get("cmd")
        for text in command if isinstance(command, list) else [command]:
            if isinstance(text, str):
                named.update(m.group(1).replace(".", "/") + ".py" for m in _LOCKED_MODULE.finditer(text))
                named.update(m.group(1) for m in _LOCKED_SCRIPT.finditer(text))
    prefixes = {posixpath.normpath(posixpath.join(base, n.strip().rstrip("/"))) for n in named if n.strip() and not n.startswith(("/", "$"))}
    prefixes.discard(".")
    folders = tuple(f"{p}/" for p in prefixes)
    code = [f for f in repo.python_files() if f in prefixes or f.startswith(folders)]
    if not code:
        return None
    # by its calls (fit, train, a Trainer), not by a file name ("config_trains.py" of a railway forecaster)
    return any(summary is not None and any(_TRAINS.search(n) for n in summary.resolved_names) for summary in (repo.python(f) for f in code[:MAX_LOCKED_CODE]))


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
    needles=_SEED_NEEDLES + ("hydra", "tfx") + _inhouse.TRAIL_NEEDLES + _UNSEEDED_NEEDLES,
    words=_SEED_CONFIG_WORDS,
)
def is_reproducible(repo: RepoIndex) -> Observation:
    lineage = []
    for path in repo.named("dvc.lock"):
        doc = repo.yaml(path)
        stages = doc.data.get("stages") if doc and isinstance(doc.data, dict) else None
        if isinstance(stages, dict) and any(isinstance(s, dict) and s.get("deps") for s in stages.values()) and _locked_stages_train(repo, path, stages) is not False:
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
    hydra = matching(
        repo, ("hydra",),
        lambda s: [d for d in s.decorated_by("hydra.main") if d.keyword("config_path") not in (None, Ellipsis) and _does_work(repo, s.path, d.line)],
    )
    seeding = matching(repo, _SEED_NEEDLES, _seeded)
    seeded: Hits[tuple[PythonSummary, Call]] | list[tuple[PythonSummary, Call]] = Hits((s, c) for s, c in seeding if _trains(s))
    # Rule `seeds on the training path`: seeds set only in notebooks do not make the project's
    # training scripts (train.py, training/...) repeatable when those set none.
    scratch_only = _notebooks_only(repo, seeded, "seeds are set", "set none") if seeded else ""
    if scratch_only:
        seeded = []
    if not seeded:
        # A project helper (utils.set_seeds) that seeds, called from training code. A helper defined in
        # a notebook (session 14) is called from that notebook only: when the seeds are in notebooks
        # alone beside training scripts, the notebook calling its own split helper is no training path.
        helpers = {c.scope for s, c in seeding if c.scope and not (scratch_only and s.is_notebook)}
        seeded = [
            (s, c)
            for s in repo.python_scan(*sorted(helpers))
            if _trains(s) and not is_test_path(s.path)
            for c in s.calls_named(*helpers) if _function_call(s, c)
        ] if helpers else []
    declared_seed = _seed_from_declared_value(repo) if not seeded else []
    lineage_calls: list[Location] = []
    trail_imports, trail_calls = _inhouse.audit_trail_use(repo, "inputs", "outputs")
    if trail_imports and trail_calls:
        lineage_calls = [at(p, line) for p, line, _ in trail_calls] + [at(p, line) for p, line in trail_imports]
    if (configs or hydra) and not (seeded or declared_seed or lineage_calls):
        draws = _unseeded_draws(repo)
        if draws:
            return _settings_without_seeds("training is driven by " + ("versioned parameter files" if configs else "a Hydra configuration"), draws, configs + locations(hydra))
    r_seeded = _rlang.seeded_training(repo) if not (configs or hydra or seeded or declared_seed or lineage_calls) else []  # session 15 (poly22)
    if configs or hydra or seeded or declared_seed or lineage_calls or r_seeded:
        parts = []
        if configs:
            parts.append("training driven by versioned parameter files (dvc.yaml params / MLproject)")
        if hydra:
            parts.append("Hydra configuration")
        if seeded:
            parts.append(f"seeded training code ({describe(seeded)})")
        if declared_seed:
            parts.append(
                "training seeded from a declared seed value (config key, constant or parameter default passed as "
                "random_state/seed, or a literal seed in the model's parameter mapping)"
            )
        if lineage_calls:
            parts.append("per-step lineage recorded with the mlops-audit audit-trail SDK (inputs and outputs hashed per event)")
        if r_seeded:
            parts.append(f"{len(r_seeded)} R training script(s) set the random seed (set.seed / withr::with_seed)")
        return Observation.passed("; ".join(parts), configs + locations(hydra) + locations(seeded) + declared_seed + lineage_calls + r_seeded)
    read_params = _parameter_files_read_by_training(repo)
    if read_params:
        draws = _unseeded_draws(repo)
        if draws:
            return _settings_without_seeds("training reads its hyperparameters from versioned parameter files", draws, read_params)
        return Observation.passed(
            "training reads its hyperparameters from versioned parameter files kept in the repository (no seed found)",
            read_params, confidence=Confidence.low,
        )
    return Observation.failed(
        (f"{scratch_only}; " if scratch_only else "")
        + "no seeds in training code, no versioned parameter files driving training and no recorded run lineage found"
    )


def _settings_without_seeds(driven: str, draws: list[Location], found: list[Location]) -> Observation:
    shown = ", ".join(f"{loc.path}:{loc.line}" for loc in draws[:3])
    return Observation.failed(
        f"{driven}, but the code draws randomness without a seed ({shown}"
        + (f" and {len(draws) - 3} more" if len(draws) > 3 else "")
        + "): no seed is set, so runs are not repeatable",
        draws[:MAX_LOCATIONS // 2] + found[:MAX_LOCATIONS // 2],
    )


_PARAM_FILE = re.compile(r"(^|/)[^/]*(param|hparam|hyperparam|config|settings)[^/]*\.(ya?ml|json|toml)$", re.IGNORECASE)
_LOADERS = frozenset({"safe_load", "load", "full_load", "loads", "load_yaml", "read_yaml", "OmegaConf.load"})


def _parameter_files_read_by_training(repo: RepoIndex) -> list[Location]:
    """Rule `parameter file read by training`: training code (a file that fits or trains) loads a
    YAML/JSON/TOML file named like parameters or configuration (params.yaml, config/train.json,
    hparams.toml) that is in the repository, and passes values from it on: the run's settings are
    versioned with the code. A params file nobody reads does not count."""
    files = {p for p in repo.files if _PARAM_FILE.search(p) and not is_test_path(p)}
    if not files:
        return []
    names = {p.rsplit("/", 1)[-1] for p in files}
    hits = []
    # A fallback rule: the files naming a parameter file are found by reading the code again
    # (`python_scan`), not with needles every scan would test ("json" is in most modules).
    for summary in _inhouse.project_code(repo.python_scan(*sorted(names))):
        if not _trains(summary):
            continue
        module = _inhouse.tree(repo, summary.path)
        if module is None:
            continue
        literals = [n for n in walk(module) if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.rsplit("/", 1)[-1] in names]
        loads = any(_inhouse.call_name(c) in _LOADERS or _inhouse.dotted(c.func).endswith(("yaml.safe_load", "json.load", "tomllib.load", "OmegaConf.load")) for c in _inhouse.calls_in(module))
        if literals and loads:
            hits.append(at(summary.path, literals[0].lineno))
            hits.extend(at(p) for p in sorted(files) if p.rsplit("/", 1)[-1] == literals[0].value.rsplit("/", 1)[-1])
    return hits

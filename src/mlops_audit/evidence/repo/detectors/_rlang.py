"""Serving written in R (session 15, conventions §8): three rules of `serves_model`.

- **R model API**: a plumber API - endpoints declared by plumber's `#* @post /path` annotations or
  built in code (`pr() |> pr_post("/path", handler)`) - in a file that reads a trained model
  (`readRDS`, `load`, pins' `pin_read`, `bundle::unbundle`, xgboost/lightgbm/keras/h2o/mlflow loaders)
  and predicts with it (`predict`, tidymodels' `augment`); or a vetiver API (`vetiver_api(pr, v)`
  serves a vetiver model by construction). A file `source()`d by the API file counts as part of it.
- **R batch scoring job**: an R script that reads a trained model, predicts, does not fit, and writes
  the predictions to a store (DBI `dbWriteTable`/`dbAppendTable`, aws.s3/paws `put_object`,
  `s3write_using`, bigrquery uploads, googleCloudStorageR `gcs_upload`, pins `pin_write`,
  AzureStor uploads, sparklyr table writes, arrow writes to an `s3://`/`gs://` URL), run by the
  system itself: `Rscript` in a cron table, a container image's CMD/ENTRYPOINT, a compose service,
  a Kubernetes CronJob, or a GitHub workflow started on a schedule or by dispatch (the schedule
  finders of `_workflowsteps`/`_batchscoring`, read only).
- **scoring stage of an R pipeline** (DVC): a stage of `dvc.yaml` whose R script predicts (and neither
  fits nor computes metrics) with what a training stage output (its `deps` hold an `outs` of a stage
  whose script fits), on data that training stage does not read (new data, not the training stage's
  own split), and whose predictions reach a store - its script writes to one, or a later stage that
  depends on its outputs does - in a pipeline the system runs (`dvc repro` in an image's
  CMD/ENTRYPOINT, a cron table, a compose service, a CronJob or a scheduled/dispatched workflow).
  DVC states the data flow between stages, so the trained model and the new data are read from the
  stages' declared inputs and outputs, not from file names.

Not read: tests (`tests/testthat`), examples, demos and tutorials, vignettes, vendored package
libraries (`renv/`, `packrat/`). Nothing is run.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator

from mlops_audit.evidence.repo.detectors import _batchscoring, _workflowsteps
from mlops_audit.evidence.repo.detectors._python import is_test_path
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Location
from mlops_audit.evidence.repo.registry import MAX_LOCATIONS, at

MAX_FILE_BYTES = 512 * 1024
MAX_SOURCED = 20  # files `source()`d by one API file that are read

_NOT_SOURCE = re.compile(r"(^|/)(renv|packrat|vignettes|examples?|demos?|samples?|tutorials?|playground|sandbox|scratch|testthat)/", re.IGNORECASE)
_PLUMBER_ANNOTATION = re.compile(r"^#['*][^\S\n]*@(?:get|post|put|patch|delete)[^\S\n]+/", re.MULTILINE | re.IGNORECASE)
_PLUMBER_CODE = re.compile(r"\bpr_(?:get|post|put|patch|delete|handle)\s*\(")
_VETIVER_API = re.compile(r"\bvetiver_api\s*\(")
_LOADS_MODEL = re.compile(
    r"\b(?:readRDS|read_rds|load|unbundle|pin_read|vetiver_pin_read|xgb\.load|lgb\.load|load_model_tf|load_model_hdf5|load_model|"
    r"h2o\.loadModel|mlflow_load_model|torch_load)\s*\("
)
_PREDICTS = re.compile(r"\b(?:predict|augment)\s*\(")
_FITS = re.compile(
    r"\b(?:fit|fit_xy|fit_resamples|last_fit|train|lgb\.train|xgb\.train|xgboost|randomForest|ranger|glm|lm|gam|tune_grid|tune_bayes|"
    r"h2o\.automl|auto\.arima|nnet|svm|rpart)\s*\("
)
_METRICS = re.compile(r"\b(?:rmse|mae|mape|rsq|metrics|metric_set|conf_mat|accuracy|roc_auc|collect_metrics|confusionMatrix|postResample)\s*\(")
_STORE_WRITE = re.compile(
    r"\b(?:dbWriteTable|dbAppendTable|dbxInsert|dbxUpsert|put_object|s3write_using|s3saveRDS|bq_table_upload|bq_perform_upload|"
    r"gcs_upload|pin_write|pin_upload|storage_upload|upload_blob|spark_write_table|sheet_write|write_sheet)\s*\(|"
    r"\bwrite_(?:parquet|dataset|csv_arrow|feather)\s*\([^)\n]{0,300}[\"'](?:s3|gs|abfss?)://|\$insert\s*\("
)
_SOURCE = re.compile(r"""\bsource\s*\(\s*["']([^"'\n]{1,300}\.[Rr])["']""")
_R_SCRIPT = re.compile(r"(?<![\w./-])([\w./-]{1,300}\.[Rr])(?![\w.])")
_RUNS_R = re.compile(r"\bRscript\b|\bR\s+(?:-f|--file|CMD\s+BATCH)\b|\blittler\b")
_DVC_RUN = re.compile(r"\bdvc\s+(?:repro|exp\s+run)\b")


def _sources(repo: RepoIndex) -> list[str]:
    return [p for p in repo.with_suffix(".r") if not (is_test_path(p) or _NOT_SOURCE.search(p)) and repo.size(p) <= MAX_FILE_BYTES]


def _line(text: str, pattern: re.Pattern[str]) -> int | None:
    match = pattern.search(text)
    return None if match is None else text.count("\n", 0, match.start()) + 1


def _code(repo: RepoIndex, path: str) -> str:
    """The file's text without comment lines (plumber's `#*` annotations are read apart)."""
    return "\n".join("" if line.lstrip().startswith("#") else line for line in (repo.text(path) or "").split("\n"))


def _sourced(repo: RepoIndex, path: str, text: str) -> Iterator[str]:
    folder = posixpath.dirname(path)
    for match in list(_SOURCE.finditer(text))[:MAX_SOURCED]:
        for candidate in (posixpath.normpath(posixpath.join(folder, match.group(1))), posixpath.normpath(match.group(1))):
            if not candidate.startswith("..") and repo.exists(candidate):
                yield candidate
                break


def model_apis(repo: RepoIndex) -> list[Location]:
    """Rule `R model API`: [endpoint, prediction] of each plumber/vetiver API serving a trained model."""
    found: list[Location] = []
    for path in _sources(repo):
        raw = repo.text(path) or ""
        if not ("@" in raw or "pr_" in raw or "vetiver_api" in raw):
            continue
        code = _code(repo, path)
        vetiver = _line(code, _VETIVER_API)
        if vetiver is not None:
            found.append(at(path, vetiver))
            continue
        endpoint = _line(raw, _PLUMBER_ANNOTATION) or _line(code, _PLUMBER_CODE)
        if endpoint is None:
            continue
        texts = [(path, code)] + [(p, _code(repo, p)) for p in _sourced(repo, path, code)]
        loads = any(_LOADS_MODEL.search(t) for _, t in texts)
        predicts = next(((p, line) for p, t in texts if (line := _line(t, _PREDICTS)) is not None), None)
        if loads and predicts is not None:
            found += [at(path, endpoint), at(*predicts)]
        if len(found) >= MAX_LOCATIONS:
            break
    return found[:MAX_LOCATIONS]


# --- what the system runs on its own ---------------------------------------------------------------


def _image_commands(repo: RepoIndex) -> list[tuple[str, Location]]:
    found = []
    for path in repo.dockerfiles():
        for number, line in repo.meaningful_lines(path):
            keyword, _, rest = line.partition(" ")
            if keyword.upper() in ("CMD", "ENTRYPOINT"):
                found.append((rest, at(path, number)))
    return found


_TRIGGERS: tuple[tuple[str, Callable[[RepoIndex], list[tuple[str, Location]]]], ...] = (
    ("the entry point of a container image", _image_commands),
    ("a cron table's schedule", _workflowsteps.cron_commands),
    ("a docker compose service's command", _workflowsteps.compose_commands),
    ("a Kubernetes CronJob", _batchscoring._cronjob_commands),  # noqa: SLF001 - the schedule finder, read only
    ("a scheduled or dispatched CI workflow", _workflowsteps.operated_workflow_commands),
)


def _triggered_commands(repo: RepoIndex) -> list[tuple[str, str, Location]]:
    """(how, command, where) of every command the system's triggers run, memoised per scan."""
    return repo.memo("rlang.triggered", lambda: [(how, c, where) for how, find in _TRIGGERS for c, where in find(repo)])  # type: ignore[no-any-return]


def _by_tail(paths: list[str]) -> dict[str, list[str]]:
    tails: dict[str, list[str]] = {}
    for path in paths:
        parts = path.split("/")
        for n in (1, 2):
            if len(parts) >= n:
                tails.setdefault("/".join(parts[-n:]), []).append(path)
    return tails


def _scripts_run(command: str, tails: dict[str, list[str]]) -> list[str]:
    """The repository's R files an R command line runs (`Rscript jobs/score.R`, `R -f /app/score.R`)."""
    if not _RUNS_R.search(command):
        return []
    found = []
    for match in _R_SCRIPT.finditer(command):
        parts = [p for p in match.group(1).split("/") if p and p != "."]
        key = "/".join(parts[-2:])
        hits = tails.get(key) or tails.get(parts[-1], [])
        found += [min(hits, key=len)] if hits else []
    return found


def _scores(text: str, reads_model: bool = False) -> int | None:
    """The line of the prediction of a script that reads a trained model, predicts, and neither fits nor
    evaluates (`reads_model`: the caller knows the model reaches it, as a DVC stage's declared input)."""
    if _FITS.search(text) or _METRICS.search(text) or not (reads_model or _LOADS_MODEL.search(text)):
        return None
    return _line(text, _PREDICTS)


def batch_scoring_jobs(repo: RepoIndex) -> list[Location]:
    """Rule `R batch scoring job`: [prediction, store write, trigger] of the first scheduled R scoring script."""
    sources = _sources(repo)
    if not sources:
        return []
    tails = _by_tail(sources)
    for _, command, where in _triggered_commands(repo):
        for path in _scripts_run(command, tails):
            code = _code(repo, path)
            predicts, writes = _scores(code), _line(code, _STORE_WRITE)
            if predicts is not None and writes is not None:
                return [at(path, predicts), at(path, writes), where]
    return []


# --- rule `scoring stage of an R pipeline` (DVC) ----------------------------------------------------


def _paths(value: object) -> list[str]:
    """A stage's `deps`/`outs`: strings, or one-key mappings `{path: options}`."""
    items = value if isinstance(value, list) else []
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(posixpath.normpath(item))
        elif isinstance(item, dict) and len(item) == 1:
            out.append(posixpath.normpath(str(next(iter(item)))))
    return out


def _overlap(a: list[str], b: list[str]) -> bool:
    """Whether a path of `a` is one of `b`, or inside one (a folder output), or holds one."""
    return any(x == y or x.startswith(y + "/") or y.startswith(x + "/") for x in a for y in b)


def pipeline_scoring_stages(repo: RepoIndex) -> list[Location]:
    """Rule `scoring stage of an R pipeline`: [the scoring stage, its prediction, the publication, the trigger]."""
    runs = next(((how, where) for how, command, where in _triggered_commands(repo) if _DVC_RUN.search(command)), None) if repo.named("dvc.yaml") else None
    if runs is None:
        return []
    tails = _by_tail(_sources(repo))
    for path in repo.named("dvc.yaml"):
        if is_test_path(path) or _NOT_SOURCE.search(path):
            continue
        doc = repo.yaml(path)
        stages = doc.data.get("stages") if doc is not None and isinstance(doc.data, dict) else None
        if not isinstance(stages, dict):
            continue
        parsed = []
        for name, stage in stages.items():
            if isinstance(stage, dict):
                command = " ".join(stage["cmd"]) if isinstance(stage.get("cmd"), list) else str(stage.get("cmd") or "")
                scripts = _scripts_run(command, tails)
                texts = [_code(repo, s) for s in scripts]
                parsed.append((str(name), scripts, texts, _paths(stage.get("deps")), _paths(stage.get("outs"))))
        for name, scripts, texts, deps, outs in parsed:
            trainers = [t for t in parsed if t[0] != name and any(_FITS.search(x) for x in t[2]) and _overlap(deps, t[4])]
            predicts = next(((s, line) for s, t in zip(scripts, texts) if (line := _scores(t, reads_model=True)) is not None), None) if trainers else None
            if predicts is None:
                continue
            data = [d for d in deps if not d.lower().endswith((".r", ".py", ".sh")) and not any(_overlap([d], t[4]) for t in trainers)]
            new_data = [d for d in data if all(not _overlap([d], t[3]) for t in trainers)]
            if not new_data:
                continue
            writes = next(((s, line) for s, t in zip(scripts, texts) if (line := _line(t, _STORE_WRITE)) is not None), None)
            if writes is None and outs:
                writes = next(
                    ((s, line) for other in parsed if other[0] != name and _overlap(other[3], outs) for s, t in zip(other[1], other[2]) if (line := _line(t, _STORE_WRITE)) is not None),
                    None,
                )
            if writes is not None:
                stage_line = doc.locate(("stages", name)) if doc is not None else None
                return [at(path, stage_line[0] if stage_line else None), at(*predicts), at(*writes), runs[1]]
    return []


# Rule `seeded R training` (is_reproducible): an R script of the project that fits a model (`_FITS`)
# sets the random seed its draws use - base R's `set.seed(...)`, or withr's `with_seed`/`local_seed`
# around the work - as `random_state`/`torch.manual_seed` do in Python training code.
_SETS_SEED = re.compile(r"\b(?:set\.seed|with_seed|local_seed)\s*\(")


def seeded_training(repo: RepoIndex) -> list[Location]:
    """[the seed] of each R training script that sets one (tests, examples and vendored libraries apart)."""
    found = []
    for path in _sources(repo):
        raw = repo.text(path) or ""
        if "seed" not in raw:
            continue
        code = _code(repo, path)
        seed = _line(code, _SETS_SEED)
        if seed is not None and _FITS.search(code):
            found.append(at(path, seed))
            if len(found) >= MAX_LOCATIONS:
                break
    return found


# Rule `R targets pipeline` (orchestrates_pipeline): the targets package runs a pipeline declared in
# `_targets.R` (its documented entry file, run by `tar_make()`): a list of targets - `tar_target()`,
# tarchetypes' target factories (`tar_file`, `tar_render`, `tar_quarto`, `tar_map` ...) or the
# `name = command` entries of `tar_plan()` - each rebuilt when what it depends on changes, as DVC
# stages and Snakemake rules are. Two or more targets are a multi-step pipeline.
_TARGET_FACTORY = re.compile(r"\btar_(?!option|source|config|make|read|load|visnetwork|manifest|script|plan\b|hook|cue\b|resources|meta|outdated|destroy|invalidate|prune)\w+\s*\(")
_PLAN_ENTRY = re.compile(r"^[^\S\n]*[A-Za-z.][\w.]*[^\S\n]*=[^=]", re.MULTILINE)
MIN_TARGETS = 2


def targets_pipelines(repo: RepoIndex) -> list[Location]:
    """[the pipeline file] of each `_targets.R` declaring two or more targets."""
    found = []
    for path in repo.named("_targets.R", "_targets.r"):
        if is_test_path(path) or _NOT_SOURCE.search(path) or repo.size(path) > MAX_FILE_BYTES:
            continue
        code = _code(repo, path)
        count = len(_TARGET_FACTORY.findall(code)) + (len(_PLAN_ENTRY.findall(code)) if "tar_plan" in code else 0)
        if count >= MIN_TARGETS:
            found.append(at(path, _line(code, _TARGET_FACTORY) or _line(code, _PLAN_ENTRY)))
    return found[:MAX_LOCATIONS]


SHAPES = (
    ("an R model API (plumber endpoint or vetiver API) predicts with a trained model it reads", model_apis),
    ("an R batch scoring job: a script the system runs on its own (schedule, image, workflow) predicts with a trained model and writes the predictions to a store", batch_scoring_jobs),
    (
        "a scoring stage of an R DVC pipeline the system runs: it predicts new data with what the training stage output, and its predictions are written to a store",
        pipeline_scoring_stages,
    ),
)

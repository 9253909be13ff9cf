"""Rule `batch scoring job` of `serves_model` (conventions §8, production batch scoring, session 10).

A job of the project that uses its trained model and writes the predictions where others read
them, and that the system runs itself rather than a person:
- **uses the model**: the file calls a model's prediction (`model.predict(X)`, `forecaster.predict(batch)`,
  `predict_proba`, `batch_predict`, a helper named for it: `run_inference`, `classify_documents`) or
  loads a trained model to run (`load_model`, `from_pretrained`, `load_from_checkpoint`);
- **writes predictions to a store**: a write to a database, table, bucket or queue (the catalogue's
  `batch scoring job` methods: `to_sql`, `to_gbq`, `insert_rows_json`, `put_object`, `upload_file`,
  `bulk_save_objects`, `insert_many`, `saveAsTable`, `publish` ..., in a file importing one of its
  clients: pandas, SQLAlchemy, boto3, Google Cloud, ...), or a project helper named for
  one (`save_forecast_to_dataplatform`, `save_to_database`, `write_predictions`, `upload_scores`);
- **runs on its own**: the file is the entry point of a container image of the repository (a
  Dockerfile's CMD/ENTRYPOINT runs it as a path, a `-m` module or a console script of the project's
  pyproject.toml), a task or flow of an orchestrator (Prefect, Dagster, Airflow's TaskFlow,
  Kubeflow, ZenML, Flyte, Metaflow), or a cloud function's event handler.

Not serving: a job in a demo, example or tutorial folder, a file that also trains (`fit`, `train`: a training job that checks its model), an
evaluation (its functions named for evaluation, or metric calls: `accuracy_score`, `classification_report`),
a predict script run by hand (nothing runs it) or writing a local CSV (no store), tests and notebooks.
"""

from __future__ import annotations

import ast
import bisect
import posixpath
import re
import shlex
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from mlops_audit.evidence.repo.catalogue import judged_by, vocabulary
from mlops_audit.evidence.repo.detectors import _deployers, _inhouse, _modeluse, _workflowsteps
from mlops_audit.evidence.repo.detectors._python import is_test_path
from mlops_audit.evidence.repo.index import RepoIndex, text_test
from mlops_audit.evidence.repo.model import Kind, Location
from mlops_audit.evidence.repo.pysource import Call, PythonSummary
from mlops_audit.evidence.repo.registry import MAX_LOCATIONS, at
from mlops_audit.util.safeyaml import LocatedDocument

_ENTRY = judged_by(Kind.model_serving, "batch scoring job")
_STORE_WRITES = frozenset(_ENTRY.methods)
NEEDLES = tuple(_ENTRY.needles)  # declared to the scan
# A candidate file names the model's use: a prediction or load, or (session 16) a library's model interface.
_MODEL_USE = tuple(dict.fromkeys([*(n for n in NEEDLES if n not in _STORE_WRITES), *_modeluse.NEEDLES]))
_STORE_CLIENTS = tuple(next(tool.imports for tool, ev in vocabulary(Kind.model_serving, None).entries if ev is _ENTRY))
_STORE_WORDS = tuple(sorted(_STORE_WRITES))

# A call using the model: a prediction method, or a helper named for prediction (verb first).
_PREDICTION = re.compile(r"^(predict|predict_proba|predict_log_proba|batch_predict|decision_function)$")
_PREDICT_HELPER = re.compile(r"^_*(predict|infer|inference|classify|score|forecast|run_inference|run_model|run_classifier)(_|$)|(^|_)(predict|forecast|inference)(_|$)", re.IGNORECASE)
_LOADS_MODEL = re.compile(r"^(load_model|load_models|from_pretrained|load_from_checkpoint|load_learner)$")
# A project helper writing results to a store: a write verb, and predictions or a store named after it.
_WRITE_HELPER = re.compile(
    r"^_*(save|write|store|upload|insert|push|publish|persist|export|send|put|upsert)_\w*?"
    r"(forecast|prediction|predictions|score|scores|inference|inferences|result|results|output|outputs|"
    r"database|db|table|bigquery|bq|s3|gcs|bucket|blob|postgres|sql|warehouse|dataplatform|data_platform|queue|kafka|pubsub|"
    r"snowflake|redshift|dynamo|dynamodb|mongo|cosmos|lake|delta)(_|$)",
    re.IGNORECASE,
)
_TRAINS = re.compile(r"^(fit|fit_generator|partial_fit|train|train_model|fit_model|train_and_evaluate|tune|optimize)$")
_EVALUATES = re.compile(r"^(accuracy_score|f1_score|roc_auc_score|precision_score|recall_score|mean_squared_error|mean_absolute_error|r2_score|classification_report|confusion_matrix)$")
_EVALUATION_SCOPE = re.compile(r"^_*(evaluate|eval|test|validate|benchmark|backtest)(_|$)", re.IGNORECASE)
_ORCHESTRATED = (
    "prefect.flow", "prefect.task", "dagster.op", "dagster.asset", "dagster.job", "airflow.decorators.task", "airflow.decorators.dag",
    "airflow.sdk.task", "airflow.sdk.dag", "kfp.dsl.component", "kfp.components.create_component_from_func", "zenml.step", "zenml.pipeline",
    "flytekit.task", "flytekit.workflow", "metaflow.step",
)
_WRITE_TEXT = re.compile("|".join(sorted({re.escape(w) for w in _STORE_WORDS} | {r"(save|write|store|upload|insert|push|publish|persist|export|upsert)_"})))


def _may_score(text: str) -> bool:
    """Text test before parsing: a store write (or a helper named for one) must be written in the file."""
    return _WRITE_TEXT.search(text) is not None


def _last(name: str) -> str:
    return name.rsplit(".", 1)[-1]


# A helper that reads, saves or plots forecasts handles predictions made elsewhere (`save_forecast_data`).
_HANDLES_STORED = re.compile(r"^_*(get|read|load|fetch|save|write|store|upload|insert|push|publish|persist|export|plot|show|log|delete|post|process|postprocess|prepare)_", re.IGNORECASE)


def _uses_model(summary: PythonSummary, calls: Iterable[Call] | None = None) -> list[int | None]:
    found = []
    for call in summary.calls if calls is None else calls:
        last = _last(call.name)
        helper = _PREDICT_HELPER.search(last) is not None and not _HANDLES_STORED.match(last)
        if _PREDICTION.match(last) or helper or _LOADS_MODEL.match(last) or _modeluse.library_model(call.name):
            found.append(call.line)
    return found


# A write function of a storage module (`from nowcasting_datamodel.save.save import save`, `db.upsert(...)`).
_STORAGE_MODULE = re.compile(r"^(save|saving|database|db|storage|store|crud|persistence|repository|datamodel|sink|sinks)$", re.IGNORECASE)
_PLAIN_WRITE = re.compile(r"^(save|write|upsert|insert|store|persist|push)$")


def _storage_write(name: str) -> bool:
    module, _, function = name.rpartition(".")
    return bool(module) and _PLAIN_WRITE.match(function) is not None and any(_STORAGE_MODULE.match(part) for part in module.split("."))


def _writes(summary: PythonSummary, calls: Iterable[Call] | None = None) -> list[int | None]:
    found = []
    client = summary.imports_module(*_STORE_CLIENTS)
    remote = summary.imports_module(*_REMOTE_FILESYSTEMS)
    for call in summary.calls if calls is None else calls:
        last = _last(call.name)
        if (client and last in _STORE_WRITES and "." in call.name) or _WRITE_HELPER.match(last) or (
            _storage_write(call.name) and call.name.rsplit(".", 1)[0] in summary.imports
        ) or (remote and last in _GRIDDED_WRITES and "." in call.name):
            found.append(call.line)
    return found


# Session 12: a job that opens its output location through a remote filesystem layer (fsspec and its
# S3/GCS/Azure implementations: the location is a bucket URL from the job's configuration) and writes
# array or table files there (`ds.to_zarr(f"{out_dir}/latest.zarr")`) publishes its predictions to a
# bucket others read, as a `put_object` does. A local CSV written by a script is still not one.
_REMOTE_FILESYSTEMS = ("fsspec", "s3fs", "gcsfs", "adlfs")
_GRIDDED_WRITES = frozenset({"to_zarr", "to_netcdf", "to_parquet", "to_csv"})


def trains_or_evaluates(summary: PythonSummary) -> bool:
    """Whether the file trains or evaluates (see `_trains_or_evaluates`)."""
    return _trains_or_evaluates(summary)


def _trains_or_evaluates(summary: PythonSummary) -> bool:
    if any(_TRAINS.match(_last(c.name)) or _EVALUATES.match(_last(c.name)) for c in summary.calls):
        return True
    return any(_EVALUATION_SCOPE.match(name) for name in summary.functions)


# Session 16: in a file an orchestrator runs task by task, the unit that runs is the task, not the file
# (Airflow runs each operator's `python_callable` or TaskFlow `@task` as its own task instance; Prefect
# `@task`s, Dagster `@op`/`@asset`s, Kubeflow components and Flyte tasks likewise). A task that uses the
# model and writes the predictions to a store is a scoring job whatever the file's other tasks do
# (validate the inputs, train, evaluate) - as long as the task itself, with the same-file functions it
# calls, neither trains nor evaluates and is not named for evaluation.
def _task_units(repo: RepoIndex, summary: PythonSummary) -> list[str]:
    """The functions of the file an orchestrator runs as tasks: those decorated as tasks, ops or steps,
    and in an Airflow DAG file every function (the operators' callables)."""
    if summary.imports_module("airflow") and _AIRFLOW_DAG.search(repo.text(summary.path) or ""):
        return sorted(summary.functions, key=lambda name: summary.functions[name] or 0)
    defs = sorted((line, name) for name, line in summary.functions.items() if line is not None)
    lines = [line for line, _ in defs]
    units = []
    for decorator in summary.decorated_by(*_ORCHESTRATED):
        after = bisect.bisect_right(lines, decorator.line) if decorator.line is not None else len(defs)
        if after < len(defs):
            units.append(defs[after][1])
    return list(dict.fromkeys(units))


def _scoring_task(repo: RepoIndex, summary: PythonSummary) -> tuple[list[int | None], list[int | None]] | None:
    """(model use, writes) of the first task of the file that scores (see above), or None."""
    by_scope: dict[str, list[Call]] = {}
    for call in summary.calls:
        if call.scope:
            by_scope.setdefault(call.scope, []).append(call)
    for unit in _task_units(repo, summary):
        if _EVALUATION_SCOPE.match(unit):
            continue
        scopes, todo = {unit}, [unit]
        while todo:
            for call in by_scope.get(todo.pop(), []):
                local = call.name[1:] if call.name.startswith(".") and call.name.count(".") == 1 else call.name
                if local in summary.functions and local not in scopes:
                    scopes.add(local)
                    todo.append(local)
        calls = [c for scope in scopes for c in by_scope.get(scope, [])]
        if any(_EVALUATION_SCOPE.match(scope) for scope in scopes) or any(_TRAINS.match(_last(c.name)) or _EVALUATES.match(_last(c.name)) for c in calls):
            continue
        uses, writes = _uses_model(summary, calls), _writes(summary, calls)
        if uses and writes:
            return sorted(uses, key=lambda line: line or 0), sorted(writes, key=lambda line: line or 0)
    return None


def _orchestrated(summary: PythonSummary) -> bool:
    return bool(summary.decorated_by(*_ORCHESTRATED)) or any(
        "metaflow.FlowSpec" in bases for _, bases, _, _ in summary.classes
    )


def _handler(repo: RepoIndex, summary: PythonSummary) -> bool:
    for _, func in _inhouse.functions_of(repo, summary.path):
        names = {d.name for d in summary.decorators if d.line in {x.lineno for x in func.decorator_list}}
        if _inhouse.event_handler(func, names):
            return True
    return False


# --- entry points of the repository's container images ---------------------------------------

_EXEC_FORM = re.compile(r"^\s*\[(.*)\]\s*$")


def _shell_words(command: str) -> list[str]:
    """The words of a shell command line, its operators (`&&`, `;`, `|`) apart from the words."""
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        return list(lexer)
    except ValueError:
        return command.split()


MAX_COMMAND_CHARS = 4096  # a CMD's inner shell script longer than this is not split again


def _command_words(instruction: str) -> list[str]:
    """The words of a CMD/ENTRYPOINT argument, exec form (`["python", "app.py"]`) or shell form. A
    word that is itself a shell script (`["sh", "-c", "... && uv run make_forecast.py; ..."]`) is
    split again: the commands it runs are the image's entry points (session 11)."""
    exec_form = _EXEC_FORM.match(instruction)
    words = re.findall(r'"((?:[^"\\]|\\.)*)"', exec_form.group(1)) if exec_form else _shell_words(instruction)
    found: list[str] = []
    for word in words:
        if any(c.isspace() for c in word) and len(word) <= MAX_COMMAND_CHARS:
            found += _shell_words(word.replace('\\"', '"'))
        else:
            found.append(word)
    return found


# A console script declared in setup.cfg (`[options.entry_points]` `console_scripts =` then
# `fbo_scraper = fbo_scraper.main:actual_main`) or setup.py (`entry_points={"console_scripts":
# ["fbo_scraper=fbo_scraper.main:main"]}`): setuptools' two other places for them (session 14).
_SCRIPT_DECLARATION = re.compile(r"""(?:^|["'\s])([A-Za-z_][\w.-]{0,100})[ \t]*=[ \t]*([A-Za-z_][\w.]{0,200})[ \t]*:[ \t]*[A-Za-z_]\w{0,100}""", re.MULTILINE)
MAX_SETUP_BYTES = 256 * 1024


def _setuptools_scripts(repo: RepoIndex) -> Iterator[tuple[str, str]]:
    for path in repo.named("setup.cfg", "setup.py"):
        text = repo.text(path) or "" if repo.size(path) <= MAX_SETUP_BYTES else ""
        start = text.find("console_scripts")
        if start >= 0:
            # the declarations follow the key; another section or argument ends them soon after
            for match in _SCRIPT_DECLARATION.finditer(text, start, start + 4096):
                yield match.group(1), match.group(2)


def _console_scripts(repo: RepoIndex) -> dict[str, str]:
    """Console scripts of the project's pyproject.toml files (and setuptools' setup.cfg/setup.py):
    name -> module (`pvnet-app` -> `pvnet_app.app`)."""
    return repo.memo("batchscoring.console_scripts", lambda: _find_console_scripts(repo))  # type: ignore[no-any-return]


def _find_console_scripts(repo: RepoIndex) -> dict[str, str]:
    scripts: dict[str, str] = {}
    for path in repo.named("pyproject.toml"):
        data = repo.toml(path) or {}
        project = data.get("project")
        table = project.get("scripts") if isinstance(project, dict) else None
        poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
        for source in (table, poetry.get("scripts") if isinstance(poetry, dict) else None):
            for name, target in source.items() if isinstance(source, dict) else []:
                if isinstance(target, str) and ":" in target:
                    scripts.setdefault(str(name), target.split(":", 1)[0].strip())
    for name, module in _setuptools_scripts(repo):
        scripts.setdefault(name, module)
    return scripts


def command_targets(repo: RepoIndex, command: str) -> list[str]:
    """The Python files a command line runs, as path tails: the files it names (`python predict.py`,
    `-m pkg.score`) and the modules of the project's console scripts it calls by name or path
    (`/usr/local/bin/fbo_scraper` in a crontab, `.venv/bin/cloudcasting-inference`: session 14)."""

    def find() -> list[str]:
        found = _workflowsteps.scripts_named(command)
        scripts = _console_scripts(repo)
        for word in _shell_words(command) if scripts else ():
            module = scripts.get(word.rsplit("/", 1)[-1])
            if module:
                found.append(module.replace(".", "/") + ".py")
        return found

    # One value per command: the rule memo follows what computing each asked (a shared dict filled by its
    # users could not be followed, and kept `serves_model` from being stored wherever a command was read).
    return repo.memo(f"batchscoring.command_targets {command}", find)  # type: ignore[no-any-return]


def _entry_targets(repo: RepoIndex) -> list[tuple[str, Location]]:
    """What the repository's Dockerfiles run (CMD/ENTRYPOINT): a Python file's path tail
    (`site_forecast_app/app.py`) or a module as a path (`forecast_inference/app.py`), where."""

    def find() -> list[tuple[str, Location]]:
        scripts: dict[str, str] | None = None
        found = []
        for path in repo.dockerfiles():
            heredoc = False
            for number, line in repo.meaningful_lines(path):
                keyword, _, rest = line.partition(" ")
                if heredoc and line.strip() != "EOF":
                    # Session 14: an entry script the image writes with a heredoc (`COPY <<EOF
                    # /opt/app/entrypoint.sh`) runs the project's console scripts by path.
                    found += [(t, at(path, number)) for t in command_targets(repo, line)]
                    continue
                heredoc = keyword.upper() == "COPY" and "<<" in rest
                if keyword.upper() not in ("CMD", "ENTRYPOINT"):
                    continue
                words = _command_words(rest)
                for i, word in enumerate(words):
                    if word.endswith(".py"):
                        found.append((word.lstrip("./"), at(path, number)))
                    elif word == "-m" and i + 1 < len(words):
                        found.append((words[i + 1].replace(".", "/") + ".py", at(path, number)))
                    elif i == 0 or (i == 1 and words[0] in ("uv", "poetry", "pdm")):
                        if scripts is None:
                            scripts = _console_scripts(repo)
                        module = scripts.get(word.rsplit("/", 1)[-1])
                        if module:
                            found.append((module.replace(".", "/") + ".py", at(path, number)))
        return found

    return repo.memo("batchscoring.entry_targets", find)  # type: ignore[no-any-return]


def _tail(target: str) -> str:
    """The part of a command's file name a repository path must end with: its last two parts (a path
    is the file a command names when they agree: `app/site_forecast_app/app.py` in the image is
    `site_forecast_app/app.py` here)."""
    parts = [p for p in target.split("/") if p and p != "."]
    return "/".join(parts[-2:]) if len(parts) >= 2 else (parts[0] if parts else "")


_T = TypeVar("_T")


def _first_by_tail(repo: RepoIndex, key: str, runs: Callable[[], Iterable[tuple[Iterable[str], _T]]]) -> Callable[[str], _T | None]:
    """`runs`' value for a path: that of the first (targets, value) pair, in `runs`' order, one of
    whose targets names the path (its `_tail` is the path's last parts). The tails are indexed once per scan (`key`), so
    each candidate file costs two look-ups, not a pass over every command."""

    def build() -> dict[str, tuple[int, _T]]:
        first: dict[str, tuple[int, _T]] = {}
        for order, (targets, value) in enumerate(runs()):
            for target in targets:
                tail = _tail(target)
                if tail:
                    first.setdefault(tail, (order, value))
        return first

    first: dict[str, tuple[int, _T]] = repo.memo(f"batchscoring.by_tail.{key}", build)

    def of(path: str) -> _T | None:
        parts = path.split("/")
        hits = [first[k] for k in (parts[-1], "/".join(parts[-2:]) if len(parts) >= 2 else None) if k is not None and k in first]
        return min(hits, key=lambda hit: hit[0])[1] if hits else None

    return of


def _commands_run(repo: RepoIndex, key: str, commands: Callable[[RepoIndex], list[tuple[str, Location]]], path: str) -> Location | None:
    """Where the first of the `commands` (command line, where) running `path` is."""
    return _first_by_tail(repo, key, lambda: ((command_targets(repo, command), where) for command, where in commands(repo)))(path)


def _entry_of(repo: RepoIndex, path: str) -> Location | None:
    return _first_by_tail(repo, "entry", lambda: (((target,), where) for target, where in _entry_targets(repo)))(path)


def _project_yaml_documents(repo: RepoIndex, words: tuple[str, ...]) -> Iterator[tuple[str, LocatedDocument]]:
    """(path, document) of the YAML files naming one of `words`, outside tests, examples and demos."""
    for path in repo.yaml_files():
        if not (is_test_path(path) or DEMO_FOLDER.search(path)) and repo.mentions(path, words):
            for doc in repo.yaml_documents(path):
                yield path, doc


# Rule `Kubernetes CronJob runs the scoring job` (session 14): a CronJob (or an Argo CronWorkflow)
# of the project whose container's command and arguments run the file (`command: ["python",
# "jobs/score.py"]`, `args: ["-m", "jobs.score"]`) runs it on the cluster's schedule, as a cron
# table's line does. Example, demo and test folders are not the system's.
CRONJOB_WORDS = ("cronjob", "cronworkflow")
_CRON_KINDS = frozenset({"CronJob", "CronWorkflow"})


def _cronjob_commands(repo: RepoIndex) -> list[tuple[str, Location]]:
    def find() -> list[tuple[str, Location]]:
        found = []
        for path, doc in _project_yaml_documents(repo, CRONJOB_WORDS):
            if not isinstance(doc.data, dict) or doc.data.get("kind") not in _CRON_KINDS:
                continue
            for key_path, value in _inhouse.walk_mapping(doc.data):
                if key_path and key_path[-1] == "containers" and isinstance(value, list):
                    for container in value:
                        parts = [container.get(k) for k in ("command", "args")] if isinstance(container, dict) else []
                        words = [str(w) for part in parts for w in (part if isinstance(part, list) else [part] if part else [])]
                        if words:
                            pos = doc.locate(key_path)
                            found.append((" ".join(words), at(path, pos[0] if pos else None)))
        return found

    return repo.memo("batchscoring.cronjob_commands", find)  # type: ignore[no-any-return]


# Rule `deployment declaration runs the scoring job` (session 15: any deployment declaration is a
# deployer): a long-running Kubernetes workload of the project (Deployment, StatefulSet, DaemonSet, Argo
# Rollout: a worker scoring what arrives) whose container's command/args run the file, and the processes
# a platform descriptor starts (a Procfile process other than the one-off `release:`, a Render worker or
# cron job's `startCommand`, Fly.io processes, App Engine's entrypoint, Railway's start command) run it
# as the platform keeps them running or on their schedule. A one-off Kubernetes Job is not one (session 14).
_DEPLOYED = "a deployment declaration (a long-running Kubernetes workload or a platform descriptor's process)"
WORKLOAD_WORDS = ("kind: deployment", "kind: statefulset", "kind: daemonset", "kind: rollout")
_LONG_RUNNING = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Rollout"})


def _deployed_commands(repo: RepoIndex) -> list[tuple[str, Location]]:
    def find() -> list[tuple[str, Location]]:
        found = []
        for path, doc in _project_yaml_documents(repo, WORKLOAD_WORDS):
            if isinstance(doc.data, dict) and doc.data.get("kind") in _LONG_RUNNING and not _deployers.TEMPLATE_SEGMENT.search(path):
                pos = doc.locate(("kind",))
                found += [(line, at(path, pos[0] if pos else None)) for line, _ in _deployers.kubernetes_launches(doc.data) if line]
        found += [(command, where) for _, where, command in _deployers.platform_launches(repo, web_only=False)]
        return found

    return repo.memo("batchscoring.deployed_commands", find)  # type: ignore[no-any-return]


# Rule `task of a Databricks job` (session 14): a Databricks Asset Bundle (or Jobs API) job the
# repository declares (`resources: jobs: <name>: tasks:`) runs each task's `spark_python_task:
# python_file:` (or a `.py` `notebook_task: notebook_path:`) as a step of the deployed job, on its
# schedule or trigger or when the pipeline before it finishes: the file runs on its own.
DATABRICKS_WORDS = ("python_file", "notebook_path")
_DATABRICKS_TASK_FILE = frozenset({"python_file", "notebook_path"})


def _databricks_task_commands(repo: RepoIndex) -> list[tuple[str, Location]]:
    def find() -> list[tuple[str, Location]]:
        found = []
        for path, doc in _project_yaml_documents(repo, DATABRICKS_WORDS):
            resources = doc.data.get("resources") if isinstance(doc.data, dict) else None
            jobs = resources.get("jobs") if isinstance(resources, dict) else None
            for key_path, value in _inhouse.walk_mapping(jobs) if isinstance(jobs, dict) else ():
                if key_path and key_path[-1] in _DATABRICKS_TASK_FILE and isinstance(value, str) and value.endswith(".py"):
                    pos = doc.locate(("resources", "jobs", *key_path))
                    found.append((value, at(path, pos[0] if pos else None)))
        return found

    return repo.memo("batchscoring.databricks_task_commands", find)  # type: ignore[no-any-return]


def python_tails(repo: RepoIndex) -> dict[str, list[str]]:
    """Python files by the tails of their paths (last one, two and three parts), built once per scan."""
    def build() -> dict[str, list[str]]:
        tails: dict[str, list[str]] = {}
        for path in repo.python_files():
            parts = path.split("/")
            for n in (1, 2, 3):
                if len(parts) >= n:
                    tails.setdefault("/".join(parts[-n:]), []).append(path)
        return tails

    return repo.memo("deployment.python_tails", build)  # type: ignore[no-any-return]


def resolve_file(repo: RepoIndex, target: str) -> str | None:
    """The repository's Python file a command or module names (`src/interface/app.py`, `pkg/mod.py`):
    the one whose path ends with the name's last three parts, the shortest when several do."""
    parts = [p for p in target.split("/") if p and p != "."]
    matches = python_tails(repo).get("/".join(parts[-3:]), []) if parts else []
    return min(matches, key=lambda m: (len(m), m)) if matches else None


# Rule `scoring module a scheduled job imports` (session 14): the file a schedule, an image or an
# orchestrator runs is often only the job's entry - an Airflow DAG whose PythonOperator calls
# `BatchPredictionPipeline().run_pipeline()`, a console script's `main()` that builds a `Predict`
# object and inserts what it returns - while the module that loads the model, predicts and writes
# the predictions to the store is one or two project imports away. Such a module runs on the
# entry's trigger. Followed: absolute imports of project modules (relative ones name the same
# package and are rare in entries), at most MAX_IMPORT_HOPS deep and MAX_IMPORTED_MODULES in all.
MAX_IMPORT_HOPS = 2
MAX_IMPORTED_MODULES = 60
_AIRFLOW_DAG = re.compile(r"\bDAG\s*\(|@dag\b|\bdag\s*\(")


def _scheduled_entries(repo: RepoIndex) -> list[tuple[PythonSummary, str, list[Location]]]:
    """(entry file, how it runs, where) for the files triggers run: the image entries, cron tables,
    compose services, scheduled or dispatched workflows, and Airflow DAG files (classic operators)."""
    found: list[tuple[PythonSummary, str, list[Location]]] = []
    commands = [("the entry point of a container image", t, where) for t, where in _entry_targets(repo)]
    commands += [("a cron table's schedule", t, where) for c, where in _workflowsteps.cron_commands(repo) for t in command_targets(repo, c)]
    commands += [("a Databricks job's task", t, where) for c, where in _databricks_task_commands(repo) for t in command_targets(repo, c)]
    commands += [("a Kubernetes CronJob", t, where) for c, where in _cronjob_commands(repo) for t in command_targets(repo, c)]
    commands += [(_DEPLOYED, t, where) for c, where in _deployed_commands(repo) for t in command_targets(repo, c)]
    commands += [("a docker compose service's command", t, where) for c, where in _workflowsteps.compose_commands(repo) for t in command_targets(repo, c)]
    commands += [
        ("a scheduled or dispatched CI workflow", t, where) for c, where in _workflowsteps.operated_workflow_commands(repo) for t in command_targets(repo, c)
    ]
    seen: set[str] = set()
    for how, target, where in commands:
        path = resolve_file(repo, target)
        summary = repo.python(path) if path is not None and path not in seen else None
        if summary is not None:
            seen.add(summary.path)
            found.append((summary, how, [where]))
    for summary in _inhouse.project_code(repo.python_mentioning("airflow")):
        if summary.path not in seen and summary.imports_module("airflow") and _AIRFLOW_DAG.search(repo.text(summary.path) or ""):
            seen.add(summary.path)
            found.append((summary, "an Airflow DAG's task", [at(summary.path, 1)]))
    return found


def _imported_by_entries(repo: RepoIndex) -> dict[str, tuple[str, list[Location]]]:
    """Project modules the scheduled entries import (up to MAX_IMPORT_HOPS): path -> (how, where)."""

    def find() -> dict[str, tuple[str, list[Location]]]:
        reached: dict[str, tuple[str, list[Location]]] = {}
        entries = _scheduled_entries(repo)
        frontier: list[tuple[PythonSummary | str, str, list[Location]]] = [(s, how, where) for s, how, where in entries]
        done = {s.path for s, _, _ in entries}
        for _ in range(MAX_IMPORT_HOPS):
            following: list[tuple[PythonSummary | str, str, list[Location]]] = []
            for item, how, where in frontier:
                # A module is parsed only when its own imports are followed (not at the last hop).
                summary = repo.python(item) if isinstance(item, str) else item
                for module in summary.imports if summary is not None else ():
                    if len(done) >= MAX_IMPORTED_MODULES:
                        break
                    path = resolve_file(repo, module.replace(".", "/") + ".py") if "." in module else None
                    if path is None or path in done or is_test_path(path):
                        continue
                    done.add(path)
                    reached[path] = (f"a project module imported by what {how} runs", [*where, at(summary.path, summary.imports[module])])
                    following.append((path, how, where))
            frontier = following
        return reached

    return repo.memo("batchscoring.imported_by_entries", find)  # type: ignore[no-any-return]


def runs_on_its_own(repo: RepoIndex, summary: PythonSummary) -> tuple[str, list[Location]] | None:
    """How the system runs the file on its own (an image's entry, a compose service, a deployment, a schedule, an
    orchestrator, a cloud function's event), with where; None when nothing does (session 16: also asked by the
    stream-consumer rule of `deployment`)."""
    return _runs_on_its_own(repo, summary)


def _runs_on_its_own(repo: RepoIndex, summary: PythonSummary) -> tuple[str, list[Location]] | None:
    entry = _entry_of(repo, summary.path)
    if entry is not None:
        return "the entry point of a container image", [entry]
    if _orchestrated(summary):
        return "a task or flow of an orchestrator", []
    if summary.imports_module("airflow") and _AIRFLOW_DAG.search(repo.text(summary.path) or ""):
        return "an Airflow DAG's task", [at(summary.path, 1)]  # session 16: the DAG file's own callables
    if _handler(repo, summary):
        return "a cloud function's event handler", []
    service = _commands_run(repo, "compose", _workflowsteps.compose_commands, summary.path)
    if service is not None:
        return "a docker compose service's command", [service]
    cron = _commands_run(repo, "cron", _workflowsteps.cron_commands, summary.path)
    if cron is not None:
        return "a cron table's schedule", [cron]
    cronjob = _commands_run(repo, "cronjob", _cronjob_commands, summary.path)
    if cronjob is not None:
        return "a Kubernetes CronJob", [cronjob]
    deployed = _commands_run(repo, "deployed", _deployed_commands, summary.path)
    if deployed is not None:
        return _DEPLOYED, [deployed]
    task = _commands_run(repo, "databricks", _databricks_task_commands, summary.path)
    if task is not None:
        return "a Databricks job's task", [task]
    step = _workflow_step(repo, summary.path)
    if step is not None:
        return "a step of a Snakemake workflow", [at(step.path, step.line)]
    imported = _imported_by_entries(repo).get(summary.path)
    if imported is not None:
        return imported
    operated = _commands_run(repo, "operated", _workflowsteps.operated_workflow_commands, summary.path)
    if operated is not None:
        return "a scheduled or dispatched CI workflow", [operated]
    return None


def _workflow_step(repo: RepoIndex, path: str) -> _workflowsteps.WorkflowRule | None:
    """The Snakemake rule whose command runs the file (`shell: "python predict.py {input}"`)."""
    rules = _first_by_tail(repo, "snakemake", lambda: ((_workflowsteps.scripts_named(r.command), r) for r in _workflowsteps.acting(_workflowsteps.snakemake_rules(repo))))
    return rules(path)


# Rule `scoring step of a publishing workflow` (session 11): a Snakemake workflow whose steps score new
# data with a trained model and then publish what they made (a rule that uploads, pushes, syncs or
# deploys its outputs: `upload_mapbox`, `git push` of the predictions) is production batch scoring
# even though its scoring step writes a file: the workflow moves it to where others read it. A
# workflow with a rule named for training or evaluation is an experiment (train -> predict on the
# test set -> evaluate), and one that publishes nothing keeps its predictions to itself.
_PUBLISHES = re.compile(r"upload|publish|push|sync|deploy|release|archive", re.IGNORECASE)
_EXPERIMENT_RULE = re.compile(r"(^|_)(re)?(train\w*|fit|tune|evaluat\w*|eval|test\w*|benchmark\w*|metrics?|cross_?val\w*|cv)($|_)", re.IGNORECASE)
_FILE_WRITES = frozenset({"to_file", "to_csv", "to_parquet", "to_json", "to_feather", "to_netcdf", "to_zarr", "savetxt", "imwrite", "save", "dump", "write"})


def _publishing_workflow(repo: RepoIndex) -> bool:
    rules = _workflowsteps.acting(_workflowsteps.snakemake_rules(repo))
    if any(_EXPERIMENT_RULE.search(r.name) for r in _workflowsteps.snakemake_rules(repo)):
        return False
    return any(_PUBLISHES.search(r.name) or _PUBLISHES.search(r.command) for r in rules)


def _file_writes(summary: PythonSummary) -> list[int | None]:
    return [c.line for c in summary.calls if "." in c.name and _last(c.name) in _FILE_WRITES]


def batch_scoring_jobs(repo: RepoIndex) -> list[tuple[str, list[Location]]]:
    """(how the job runs, where: the prediction, the write, the trigger) for each batch scoring job."""
    found = []
    for summary in _candidates(repo):
        uses, writes = _uses_model(summary), _writes(summary)
        if not uses:
            continue
        if _trains_or_evaluates(summary):
            task = _scoring_task(repo, summary)
            if task is None:
                continue
            uses, writes = task
        if not writes:
            # A scoring step of a publishing workflow, or of a SageMaker pipeline, writes files that the
            # workflow publishes or the platform uploads (rules above).
            file_writes = _file_writes(summary)
            step = _workflow_step(repo, summary.path) if file_writes and _publishing_workflow(repo) else None
            sagemaker = _sagemaker_step(repo, summary.path) if file_writes and step is None and _PROCESSING_OUTPUT in (repo.text(summary.path) or "") else None
            if step is not None:
                how, where = "a step of a Snakemake workflow that publishes its outputs", [at(step.path, step.line)]
            elif sagemaker is not None:
                how, where = "a processing step of a SageMaker pipeline (outputs uploaded to S3)", [sagemaker]
            else:
                continue
            writes = file_writes
        else:
            runs = _runs_on_its_own(repo, summary)
            if runs is None:
                continue
            how, where = runs
        found.append((how, [at(summary.path, uses[0]), at(summary.path, writes[0]), *where]))
        if len(found) * 3 >= MAX_LOCATIONS:
            break
    return found


# Rule `scoring step of a sagemaker pipeline` (session 11): a SageMaker pipeline runs a processing
# script per step (`ProcessingStep(code=f"{src_uri}/processing.py")`, `processor.run(code="scripts/infer.py")`);
# the step's outputs under /opt/ml/processing are uploaded to S3 by the platform, so a script there
# that uses the trained model (and neither trains nor evaluates) is a scoring step of the deployed
# pipeline. Paths built with f-strings are matched by their constant file name.
_STEP = judged_by(Kind.model_serving, "scoring step of a sagemaker pipeline")
_STEP_IMPORTS = tuple(next(tool.imports for tool, ev in vocabulary(Kind.model_serving, None).entries if ev is _STEP))
_PROCESSING_OUTPUT = "/opt/ml/processing"


def _constant_text(node: object) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "\0" for v in node.values)
    return None


def _step_scripts(repo: RepoIndex) -> list[tuple[str, Location]]:
    """(script file name, where) for each `code=` a SageMaker pipeline module passes to a step or processor."""

    def find() -> list[tuple[str, Location]]:
        found = []
        for summary in _inhouse.project_code(repo.python_mentioning(*_STEP.needles)):
            if summary.is_notebook or not summary.imports_module(*_STEP_IMPORTS) or DEMO_FOLDER.search(summary.path):
                continue
            module = _inhouse.tree(repo, summary.path)
            for call in _inhouse.calls_in(module) if module is not None else []:
                for keyword in call.keywords:
                    text = _constant_text(keyword.value) if keyword.arg == "code" else None
                    name = text.rsplit("/", 1)[-1] if text else ""
                    if name.endswith(".py") and "\0" not in name and len(name) > 3:
                        found.append((name, at(summary.path, call.lineno)))
        return found

    return repo.memo("batchscoring.step_scripts", find)  # type: ignore[no-any-return]


_EVALUATION_FILE = re.compile(r"^_*(evaluat\w*|eval|test\w*|validat\w*|benchmark\w*|metrics?)(_|\.py$)", re.IGNORECASE)


def _sagemaker_step(repo: RepoIndex, path: str) -> Location | None:
    """The pipeline step running the script (the one in the nearest folder when several name a file so
    called); None for a script named for evaluation (`evaluation.py` of the training pipeline)."""
    name = path.rsplit("/", 1)[-1]
    if _EVALUATION_FILE.match(name):
        return None
    steps = [where for step, where in _step_scripts(repo) if step == name]
    return max(steps, key=lambda where: len(posixpath.commonpath([path, where.path])), default=None)


# A demo's, example's or tutorial's job shows how scoring could run; nobody's system runs it (§8: a
# demo nobody deploys is not serving).
DEMO_FOLDER = re.compile(r"(^|/)(demos?|examples?|samples?|tutorials?|playground|sandbox|scratch)/", re.IGNORECASE)
DEMO_WORDS = ("demo", "example", "sample", "tutorial", "playground", "sandbox", "scratch")  # one is in each path DEMO_FOLDER finds


def _candidates(repo: RepoIndex) -> Iterator[PythonSummary]:
    """The files the container images, Snakemake rules and cron tables run (whatever words they use:
    `general_forecast_run_all_batches`), then the files naming the model's use and a store write."""
    targets = [target for target, _ in _entry_targets(repo)]
    targets += [t for r in _workflowsteps.acting(_workflowsteps.snakemake_rules(repo)) for t in _workflowsteps.scripts_named(r.command)]
    targets += [
        t for command, _ in _workflowsteps.cron_commands(repo) + _workflowsteps.compose_commands(repo) + _cronjob_commands(repo) + _databricks_task_commands(repo)
        for t in command_targets(repo, command)
    ]
    targets += [name for name, _ in _step_scripts(repo)]
    tails = python_tails(repo)  # a target's tail names the files whose last parts it is: looked up, not tested on every file
    entries = sorted({p for target in targets if (tail := _tail(target)) for p in tails.get(tail, ())})
    summaries = [s for s in (repo.python(p) for p in entries) if s is not None]
    seen = {s.path for s in summaries}
    rest = (s for s in _inhouse.project_code(repo.python_mentioning(*_MODEL_USE, where=text_test(_may_score))) if s.path not in seen)
    for summary in (*_inhouse.project_code(summaries), *rest):
        if not DEMO_FOLDER.search(summary.path):
            yield summary

"""Which side of the training/deployment split a path changed in the history lies on (conventions §6).

The criterion is "different people change the training code and the deployment configuration", so
each path the history changed is put on one side, or on none, by what the file is and does:

- **deployment**: the deployment configuration of the system: container builds (Dockerfiles,
  Containerfiles, `.dockerignore`), compose files, Kubernetes/Helm/Kustomize manifests, infrastructure
  code (Terraform, Bicep, Pulumi/CDK programs), platform specs (`serverless.yml`, Procfile, Cloud
  Build, Skaffold, Fly), deploy scripts, and CI workflows whose steps deliver something (push an
  image, apply infrastructure, deploy to a platform, publish a package). Not serving code: a web
  route that loads a model is the application, whoever changes it does not configure deployment.
- **training**: code that prepares data or trains models. A Python file or notebook still in the
  tree is judged by its code: it trains (`fit`, `train`, `backward`, a `Trainer`, a search over
  hyper-parameters), or it prepares data (`train_test_split`, `fit_transform`, a `Dataset` class,
  writing TFRecords, text splitting or document embedding that builds a retrieval index). A file that
  only defines a model class, loads one to predict, evaluates or plots is on neither side. Training
  configuration (`params.yaml`, a DVC pipeline naming a training stage, files under a `training/`
  folder) is judged by its path.
- Tests are on neither side (they check code; the label reads who changes the code itself), and
  neither are evaluation code and documentation unless named for training (a metric's label
  binariser `fit`s; a documentation notebook illustrates).

Files no longer in the tree (or not readable in it: learning material) cannot be read, so their path
decides, with narrower patterns than a folder name like `models/` or `notebooks/` (which hold serving
wrappers and analyses as often as training).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from mlops_audit.evidence.repo import casewords
from mlops_audit.evidence.repo.detectors._batchscoring import DEMO_FOLDER, DEMO_WORDS
from mlops_audit.evidence.repo.detectors._python import is_test_path
from mlops_audit.evidence.repo.index import RepoIndex, text_test
from mlops_audit.evidence.repo.needles import any_word
from mlops_audit.evidence.repo.pysource import PythonSummary

TRAINING, DEPLOYMENT = "training", "deployment"

# Test code by name; a `testing/` folder is test code when it holds tests (`_python.is_test_path`, session 15).
_TEST = re.compile(r"(^|/)(tests?|__tests__)/|(^|/)(test_[^/]*|[^/]*_tests?\.py|conftest\.py)$", re.IGNORECASE)
# Code that evaluates a model or documents the project: its `fit` is a label binariser's, its
# training an illustration (a file there named for training is still training).
_EVALUATION_OR_DOCS = re.compile(r"(^|/)(evals?|evaluations?|metrics|benchmarks?|docs?|documentation)/|(^|/)[^/]*(eval|metric)[^/]*\.(py|ipynb)$", re.IGNORECASE)

# Demonstrations, examples and tutorials (session 12): a fine-tuning notebook in `models/demo/`, an
# example's Dockerfile show a practice, they are not the system's training code or deployment
# (conventions §2: examples are examples), so paths in DEMO_FOLDER are on neither side.

# Deployment configuration by its file name or folder: what the file is says what it does.
_DEPLOY_FILE = re.compile(
    r"(^|/)(Dockerfile|Containerfile)[^/]*$|[^/]\.dockerfile$|(^|/)\.dockerignore$"
    r"|(^|/)(docker-)?compose[^/]*\.ya?ml$"
    r"|\.(tf|tfvars|bicep)$|(^|/)Pulumi[^/]*\.ya?ml$|(^|/)cdk\.json$"
    r"|(^|/)(serverless|skaffold|cloudbuild|kustomization|helmfile|Chart|fly|render|app-?spec)\.(ya?ml|toml|json)$"
    r"|(^|/)Procfile$|(^|/)deploy[^/]*\.(sh|bash|ps1|py)$"
    # Session 12: platform specs of Elastic Beanstalk, ECS, App Runner and SAM deployments, kept by their names
    # (`app.yaml` and `template.yaml` are left out: as often an application's settings or a prompt template).
    r"|(^|/)apprunner\.ya?ml$|(^|/)\.ebextensions/|(^|/)[^/]*task[-_]?definition[^/]*\.json$|(^|/)samconfig\.toml$",
    re.IGNORECASE,
)
_DEPLOY_FOLDER = re.compile(
    r"(^|/)(k8s|kubernetes|kube|helm|charts?|kustomize|manifests?|terraform|iac|infra|infrastructure|deploy|deployments?|deployment_configs?"
    # Session 12: configuration management and GitOps folders (Ansible playbooks, Argo CD applications).
    r"|ansible|playbooks?|argocd|argo-cd|gitops)/",
    re.IGNORECASE,
)
# Python in a deployment folder is deployment configuration when it is infrastructure code.
_IAC_MODULES = ("pulumi", "pulumi_aws", "pulumi_gcp", "pulumi_azure_native", "aws_cdk", "cdktf", "constructs", "troposphere")

# CI configurations (their steps decide) and, for one that is gone, the words its name needs.
_CI_FILE = re.compile(
    r"(^|/)\.github/(workflows/[^/]+\.ya?ml|actions/.+\.ya?ml)$|(^|/)\.gitlab-ci\.ya?ml$|(^|/)azure-pipelines[^/]*\.ya?ml$"
    r"|(^|/)\.azure-pipelines/|(^|/)Jenkinsfile[^/]*$|(^|/)bitbucket-pipelines\.ya?ml$|(^|/)\.circleci/|(^|/)buildspec[^/]*\.ya?ml$",
    re.IGNORECASE,
)
_CI_NAMED_FOR_DELIVERY = re.compile(r"deploy|release|publish|docker|image|container|push|deliver|\bcd\b|[-_.]cd[-_.]|terraform|helm|k8s|infra", re.IGNORECASE)
# Steps that deliver: build and push an image, apply infrastructure, deploy to a platform, publish a package.
# A documentation site published to GitHub Pages is not the system's deployment.
# Each branch starts with a literal word (`casewords.CaseBlindBranches`: a CI file is searched only where one stands).
_DELIVERS_BRANCHES = (
    r"\bdocker(?:/build-push-action|\s+(?:image\s+)?push|\s+buildx\s+build[^\n]{0,300}--push)", r"build-push-action", r"\bpodman\s+push",
    r"\bkubectl\s+(?:apply|set|rollout|create|replace)", r"\bhelm\s+(?:upgrade|install)", r"azure/k8s-deploy", r"\bkustomize\s+build",
    r"\bterraform\s+(?:apply|plan|init)", r"hashicorp/setup-terraform", r"\bpulumi\s+(?:up|preview)", r"pulumi/actions", r"\bcdk\s+deploy",
    r"\bgcloud\s+(?:beta\s+)?(?:run|app|functions|builds|container|ai|ai-platform|compute|deploy)\b", r"google-github-actions/deploy",
    r"azure/(?:webapps|functions|container-apps|aci|arm|aks|k8s)-deploy", r"\baz\s+(?:webapp|containerapp|ml|acr|aks|functionapp|container|deployment)\s",
    r"\baws\s+(?:ecs|ecr|lambda|cloudformation|eks|sagemaker|elasticbeanstalk|deploy)\s", r"aws-actions/amazon-(?:ecr|ecs)", r"\bsam\s+deploy",
    r"\bserverless\s+deploy", r"\bsls\s+deploy",
    r"\bfly(?:ctl)?\s+deploy", r"superfly/flyctl", r"\bheroku\b", r"\bmodal\s+deploy", r"\brailway\s+up",
    r"\btwine\s+upload", r"gh-action-pypi-publish", r"\bpoetry\s+publish", r"\buv\s+publish", r"\bflit\s+publish", r"\bhatch\s+publish",
    r"\bdeploy[\w-]{0,100}\.(?:sh|py)\b", r"\bmake\s+(?:deploy|push)\b",
)
_DELIVERS_PATTERN = "|".join(_DELIVERS_BRANCHES)
_DELIVERS = re.compile(_DELIVERS_PATTERN, re.IGNORECASE)
_DELIVERS_TEXT = casewords.CaseBlindBranches(_DELIVERS_BRANCHES)  # the same search of a whole CI file, in its lowercased form

# Training code by its name, trusted whether or not the file can be read (`train.py`,
# `model_training.py`, `retrain/`, `finetuning.ipynb`; not `pretrained` or `constraint`).
_NAMED_FOR_TRAINING = re.compile(
    r"(^|/)((re)?train(ing|er|s)?|finetun\w*|fine_tun\w*)([_-]\w*)?/"
    r"|(^|/)[^/]*?(?<![a-z])(re)?train(ing|er|s)?(?![a-z])[^/]*\.(py|ipynb|r|jl)$|(^|/)[^/]*fine_?tun[^/]*\.(py|ipynb)$"
    r"|(^|/)[^/]*(?<![a-z])(hp|hyper_?param\w*)[_-]?tun(e|ing)[^/]*(/|\.(py|ipynb)$)",
    re.IGNORECASE,
)
# Data preparation by its name, for files that cannot be read: only names that say the data is
# prepared for a model (`preprocess` alone also names inference-time text clean-up).
_NAMED_FOR_DATA_PREPARATION = re.compile(
    r"(^|/)(etl|data_prep\w*|ingest\w*)/|(^|/)[^/]*(prepare_data|make_dataset|build_dataset|create_dataset|data_prep|dataset_creation)[^/]*\.(py|ipynb|sql)$",
    re.IGNORECASE,
)
# Configuration of training or data preparation: `params.yaml`, `configs/training.yaml`,
# `generate_instruct_datasets.yaml`, any configuration file in a training folder.
_TRAINING_CONFIG = re.compile(
    r"(^|/)(params|hyperparams?|hyperparameters)\.(ya?ml|json|toml)$|(^|/)(train\w*|training)/[^/]+\.(ya?ml|json|toml|cfg|ini)$"
    r"|(^|/)[^/]*((?<![a-z])(re)?train(ing|er)?(?![a-z])|fine_?tun|(hp|hyper_?param\w*)[_-]?tun|preprocess|etl(?![a-z]))[^/]*\.(ya?ml|json|toml|cfg|ini)$",
    re.IGNORECASE,
)
_CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".toml", ".cfg", ".ini")
_PIPELINE_NAMES = ("dvc.yaml", "mlproject")  # lowercase ends of what _PIPELINE_DEFINITION finds
_PIPELINE_DEFINITION = re.compile(r"(^|/)(dvc\.yaml|MLproject)$")
_NAMES_TRAINING = re.compile(r"(?<![a-z])(re)?train(ing|er)?(?![a-z])|\bfit\b", re.IGNORECASE)

# Calls that train or tune a model, and calls that prepare data for training or retrieval.
TRAINING_CALLS = frozenset({
    "fit", "fit_generator", "partial_fit", "train", "train_model", "fit_model", "backward", "Trainer", "SFTTrainer", "Seq2SeqTrainer",
    "TrainingArguments", "GridSearchCV", "RandomizedSearchCV", "cross_val_score", "cross_validate", "learn", "finetune", "fine_tune",
    "train_on_batch",
})
DATA_PREPARATION_CALLS = frozenset({
    "train_test_split", "fit_transform", "to_tfrecord", "TFRecordWriter",
    "split_documents", "split_text", "create_documents", "from_documents", "add_documents", "embed_documents",
    "RecursiveCharacterTextSplitter", "CharacterTextSplitter", "TokenTextSplitter", "SentenceSplitter",
})
NEEDLES = tuple(sorted(TRAINING_CALLS | DATA_PREPARATION_CALLS | {"Dataset"}))
_DATASET_BASES = ("Dataset", "IterableDataset")
# The same calls as written in the text (and a class deriving from a Dataset), as plain substrings
# (a search for each is far cheaper than one pattern over the text): only files that hold one are
# parsed, since most files naming `train` or `fit` only name the data split (`X_train`). The parse
# then decides (`refit(` holds `fit(`).
_CALL_TEXTS = tuple(sorted(f"{name}(" for name in TRAINING_CALLS | DATA_PREPARATION_CALLS)) + ("Dataset)", "Dataset,")


def _may_prepare_or_train(text: str) -> bool:
    return any(call in text for call in _CALL_TEXTS)


def _prepares_or_trains(summary: PythonSummary) -> bool:
    names = set(summary.call_names)
    if names & TRAINING_CALLS or names & DATA_PREPARATION_CALLS:
        return True
    return any(base.rsplit(".", 1)[-1] in _DATASET_BASES for _, bases, _, _ in summary.classes for base in bases)


def training_code(repo: RepoIndex, paths: Collection[str]) -> set[str]:
    """The Python files and notebooks among `paths` (present in the tree) whose code trains or prepares data."""
    wanted = frozenset(paths)
    found = repo.python_mentioning(*NEEDLES, where=text_test(_may_prepare_or_train)).keeping(lambda rel: rel in wanted and not _EVALUATION_OR_DOCS.search(rel))
    return {summary.path for summary in found if _prepares_or_trains(summary)}


def _ci_delivers(repo: RepoIndex, path: str) -> bool:
    text = repo.text(path)
    return bool(text and _DELIVERS_TEXT.search(text))


# Words (lowercase) of which every path a pattern finds holds one: the patterns run only on such
# paths (a history lists thousands; a substring test costs a fraction of a search). Checked against
# the patterns alone by a test.
HINTS: dict[str, tuple[str, ...]] = {
    "_TEST": ("test",),
    "_CI_FILE": (".github/", "gitlab-ci", "azure-pipelines", "jenkinsfile", "bitbucket-pipelines", ".circleci/", "buildspec"),
    "_DEPLOY_FILE": (
        "dockerfile", "containerfile", ".dockerignore", "compose", ".tf", ".bicep", "pulumi", "cdk.json", "serverless", "skaffold",
        "cloudbuild", "kustomization", "helmfile", "chart", "fly", "render", "appspec", "app-spec", "procfile", "deploy",
        "apprunner.y", ".ebextensions/", "definition", "samconfig.",
    ),
    "_DEPLOY_FOLDER": ("k8s", "kube", "helm", "chart", "kustomize", "manifest", "terraform", "iac/", "infra", "deploy", "ansible",
                       "playbook", "argocd/", "argo-cd/", "gitops/"),
    "_NAMED_FOR_TRAINING": ("train", "tun"),
    "_NAMED_FOR_DATA_PREPARATION": ("etl", "data_prep", "ingest", "prepare_data", "make_dataset", "build_dataset", "create_dataset", "dataset_creation"),
    "_TRAINING_CONFIG": ("param", "train", "tun", "preprocess", "etl"),
}


_HINTED: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {}


def _finds(name: str, path: str, lowered: str) -> bool:
    hinted = _HINTED.get(name)
    if hinted is None:
        hinted = _HINTED[name] = (any_word(HINTS[name]), globals()[name])
    return hinted[0].search(lowered) is not None and hinted[1].search(path) is not None


def sides(repo: RepoIndex, paths: Iterable[str]) -> dict[str, str]:
    """path -> TRAINING or DEPLOYMENT, for the paths on one side (the others are left out)."""
    present = set(repo.files)
    side: dict[str, str] = {}
    python_present: list[str] = []
    any_hint = any_word(h for hints in HINTS.values() for h in hints)
    folder_hinted: dict[str, bool] = {}  # a hint in the folder (searched once per folder) or in the name
    for path in paths:
        lowered = path.lower()
        if casewords.may_hold(path, DEMO_WORDS) and DEMO_FOLDER.search(path):  # most paths are settled by the words
            continue
        here = path in present
        is_code = lowered.endswith((".py", ".ipynb"))
        folder, _, name = lowered.rpartition("/")
        hinted = folder_hinted.get(folder)
        if hinted is None:
            hinted = folder_hinted[folder] = any_hint.search(folder + "/") is not None
        if not hinted and any_hint.search(name) is None and not lowered.endswith(_PIPELINE_NAMES):
            if is_code and here:  # no pattern can find it: only its code can put it on a side
                python_present.append(path)
            continue
        if _finds("_TEST", path, lowered) or ("testing/" in lowered and is_test_path(path)):
            continue
        if _finds("_CI_FILE", path, lowered):
            if (_ci_delivers(repo, path) if here else bool(_CI_NAMED_FOR_DELIVERY.search(path.rsplit("/", 1)[-1]))):
                side[path] = DEPLOYMENT
            continue
        if _finds("_DEPLOY_FILE", path, lowered):
            side[path] = DEPLOYMENT
            continue
        if _finds("_DEPLOY_FOLDER", path, lowered):
            if not is_code:
                if not lowered.endswith((".md", ".rst", ".txt")):
                    side[path] = DEPLOYMENT
                continue
            if not here or (lowered.endswith(".py") and _iac(repo, path)):
                side[path] = DEPLOYMENT
                continue
        if is_code:
            if _finds("_NAMED_FOR_TRAINING", path, lowered):
                side[path] = TRAINING
            elif here:
                python_present.append(path)
            elif _finds("_NAMED_FOR_DATA_PREPARATION", path, lowered):
                side[path] = TRAINING
            continue
        if lowered.endswith(_CONFIG_SUFFIXES) and _finds("_TRAINING_CONFIG", path, lowered):
            side[path] = TRAINING
        elif _PIPELINE_DEFINITION.search(path) and (not here or _NAMES_TRAINING.search(repo.text(path) or "")):
            side[path] = TRAINING
    for path in training_code(repo, python_present):
        side[path] = TRAINING
    return side


def _iac(repo: RepoIndex, path: str) -> bool:
    summary = repo.python(path)
    return summary is not None and summary.imports_module(*_IAC_MODULES)

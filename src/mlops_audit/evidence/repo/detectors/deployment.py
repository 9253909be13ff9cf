"""Delivery: containers, deployment manifests, progressive delivery, model serving code."""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Callable, Iterator
from typing import Any

from mlops_audit.evidence.repo import casewords
from mlops_audit.evidence.repo.astutil import walk
from mlops_audit.evidence.repo.catalogue import (
    Evidence,
    Tool,
    action_pattern,
    command_pattern,
    judged_by,
    resource_type_pattern,
    vocabulary,
)
from mlops_audit.evidence.repo.ciconfig import CLOUD_BUILD_WORDS, ci_commands, ci_file_paths, ci_run_commands, cloud_build_configs
from mlops_audit.evidence.repo.detectors import _batchscoring, _deployers, _dotnet, _golang, _handlers, _inhouse, _jsroutes, _jvm, _lambdas, _modelapi, _modeluse, _pulumi, _rlang, _ruby, _rust
from mlops_audit.evidence.repo.detectors._catalogue import definition_files
from mlops_audit.evidence.repo.detectors._compose import build_file, command_text, compose_project_workloads
from mlops_audit.evidence.repo.detectors._python import (
    describe,
    is_test_path,
    locations,
    matching,
)
from mlops_audit.evidence.repo.index import HELM_PLACEHOLDER, RepoIndex, text_test
from mlops_audit.evidence.repo.model import Confidence, Kind, Location
from mlops_audit.evidence.repo.pysource import Call, PythonSummary
from mlops_audit.evidence.repo.registry import MAX_LOCATIONS, Observation, Shape, at, detector, first_passing
from mlops_audit.evidence.repo.treememo import per_tree
from mlops_audit.errors import InputError
from mlops_audit.evidence.repo import templated
from mlops_audit.evidence.repo.templated import documents_one_by_one
from mlops_audit.util.safeyaml import LocatedDocument, load_yaml_text

MANIFEST_MAX_BYTES = 512 * 1024


def dockerfiles(repo: RepoIndex) -> list[str]:
    return repo.dockerfiles()  # prefixes and suffixes included (`BaseDockerfile`, `Dockerfile.gpu`): see `places`


# Instructions that put something of the project into the image or run it.
_BUILDS = frozenset({"COPY", "ADD", "RUN", "CMD", "ENTRYPOINT"})


@detector(
    id="has_container",
    title="Does the repo build a container image for the project?",
    kind=Kind.containerization,
    remediation="Add a Dockerfile that builds the training or serving image from pinned base images and the project's locked dependencies.",
)
def has_container(repo: RepoIndex) -> Observation:
    found: list[Location] = []
    dev_only: list[Location] = []
    empty: list[Location] = []
    templates: list[Location] = []
    examples: list[Location] = []
    for path in dockerfiles(repo):
        lines = repo.meaningful_lines(path)
        base = next((number for number, line in lines if line.upper().startswith("FROM ")), None)
        if base is None:
            continue
        if not any(line.split(None, 1)[0].upper() in _BUILDS for _, line in lines if line.split()):
            empty.append(at(path, base))  # `FROM scratch` alone: an image with nothing of the project
        elif _packaged_template(repo, path):
            templates.append(at(path, base))
        elif _batchscoring.DEMO_FOLDER.search(path):
            examples.append(at(path, base))  # session 11: an example's image shows the tool, it is not the project's (conventions §2, §5)
        else:
            (dev_only if path.startswith(".devcontainer/") else found).append(at(path, base))
    if found:
        return Observation.passed(f"{len(found)} Dockerfile(s) with a FROM instruction and steps that build or run the project", found)
    if empty:
        return Observation.failed(
            f"{len(empty)} Dockerfile(s) with only a base image (no COPY, ADD, RUN, CMD or ENTRYPOINT): a placeholder, not an image of the project",
            empty,
        )
    if dev_only:
        return Observation.failed("only a development container (.devcontainer/) is defined, not an image of the project", dev_only)
    if templates:
        return Observation.failed(
            f"{len(templates)} Dockerfile(s) kept as templates inside a Python package (a tool writes them into its users' projects), not an image of this project",
            templates,
        )
    if examples:
        return Observation.failed(
            f"only {len(examples)} Dockerfile(s) inside example, demo or tutorial folders: images of the examples, not of the project", examples
        )
    return Observation.failed("no Dockerfile or Containerfile with a FROM instruction found")


# Rule `packaged template`: a Dockerfile in a `template(s)` folder of a Python package
# (`kedro_docker/template/Dockerfile.simple`, beside the package's `__init__.py`) is what a tool
# copies into its users' projects; a Helm chart's `templates/` is not a Python package.
_TEMPLATE_FOLDERS = frozenset({"template", "templates"})


def _packaged_template(repo: RepoIndex, path: str) -> bool:
    parts = path.split("/")
    for depth in range(len(parts) - 1, 0, -1):
        if parts[depth - 1].lower() in _TEMPLATE_FOLDERS:
            package = "/".join(parts[: depth - 1])
            return bool(package) and repo.exists(f"{package}/__init__.py")
    return False


# Top-level keys that make a YAML document worth keeping as a possible manifest.
_MANIFEST_KEYS = frozenset(
    {"apiVersion", "kind", "Resources", "AWSTemplateFormatVersion", "$schema", "groups", "functions", "resources",
     "traffic", "type", "ray_serve_config", "pipelineInfo"}
)


_MANIFEST_TEXT = re.compile(r"^(" + "|".join(re.escape(k) for k in sorted(_MANIFEST_KEYS)) + r")\s*:", re.MULTILINE)


def manifest_documents(
    repo: RepoIndex, must_mention: tuple[str, ...] = (), must_match: Callable[[str, str], bool] | None = None
) -> Iterator[tuple[str, LocatedDocument]]:
    """Parsed YAML documents that may be manifests, in path order, produced lazily (Helm templates
    included, with their template actions replaced by a placeholder).

    `must_mention`: a rule looking for something specific (a canary, an alert) passes words (lowercase,
    case ignored) its manifests cannot lack, and only files whose text holds one are parsed for it;
    `must_match(path, text)`: a finer test of the text, also before parsing.
    """
    for path in repo.yaml_files():  # `*.yaml.j2`, `*.yml.tpl` ... too, read tolerantly
        if must_mention and not repo.mentions(path, must_mention):
            continue  # decided from the word facts, without reading the file here
        # Whether its text has a top-level manifest key, once per path (a value per path: a rule memo follows what each read).
        looks_like = repo.memo(f"manifest_text:{path}", lambda: not (
            path.startswith(".github/") or is_test_path(path) or repo.size(path) > MANIFEST_MAX_BYTES
        ) and bool(_MANIFEST_TEXT.search(repo.text(path) or "")))
        if not looks_like or (must_match is not None and not must_match(path, repo.text(path) or "")):
            continue
        for doc in repo.yaml_documents(path):
            if isinstance(doc.data, dict) and _MANIFEST_KEYS & set(doc.data):
                yield path, doc
    for path, doc in _bare_templates(repo):
        if not must_mention or repo.mentions(path, must_mention):
            if must_match is None or must_match(path, repo.text(path) or ""):
                yield path, doc


# Rule `manifest kept as a bare template` (session 10): Kubernetes manifests kept under a template
# suffix alone (`kubernetes/deployment-production.tmpl`, `deploy/app.tpl`, `k8s/service.j2`), whose
# placeholders (`__IMAGE_TAG__`, `${TAG}`, `{{ tag }}`) CI fills in before `kubectl apply`: the
# documents are manifests like any other. Read only when the text starts documents with both
# `apiVersion:` and `kind:` at the top level (HTML, Go or Jinja templates of anything else are not
# parsed), tolerantly (template holes blanked), outside tests. Names with a YAML suffix before the
# template suffix (`*.yaml.j2`) are read with the YAML files above.
_BARE_TEMPLATE_SUFFIXES = (".tmpl", ".tpl", ".template", ".j2", ".jinja", ".jinja2")
_TOP_API_VERSION = re.compile(r"^apiVersion\s*:", re.MULTILINE)
_TOP_KIND = re.compile(r"^kind\s*:", re.MULTILINE)


def _bare_templates(repo: RepoIndex) -> list[tuple[str, LocatedDocument]]:
    def find() -> list[tuple[str, LocatedDocument]]:
        found = []
        for path in repo.with_suffix(*_BARE_TEMPLATE_SUFFIXES):
            if path.lower().endswith(templated.TEMPLATE_SUFFIXES) or is_test_path(path) or repo.size(path) > MANIFEST_MAX_BYTES:
                continue
            text = repo.text(path) or ""
            if not (_TOP_API_VERSION.search(text) and _TOP_KIND.search(text)):
                continue
            docs, _ = documents_one_by_one(templated.template_as_yaml(text), path, _load_one)
            found += [(path, doc) for doc in docs if isinstance(doc.data, dict) and _MANIFEST_KEYS & set(doc.data)]
        return found

    return repo.memo("deployment.bare_templates", find)  # type: ignore[no-any-return]


# The vocabulary of `has_deployment_manifest` (catalogue/deployment.yaml): Kubernetes kinds that run
# something, kinds that only count beside such a workload, and infrastructure resources that serve.
_DEPLOY_ALL = vocabulary(Kind.deployment_manifest, None)


def _judged(rule: str) -> list[tuple[Tool, Evidence]]:
    found = [(tool, ev) for tool, ev in _DEPLOY_ALL.entries if ev.rule == rule]
    if not found:
        raise LookupError(f"the tool catalogue has no deployment_manifest entry for detector rule '{rule}'")
    return found


_WORKLOADS: dict[str, Evidence] = {k: ev for _, ev in _judged("manifest deploys a workload") for k in ev.kinds}
_SUPPORTING: frozenset[str] = frozenset(k for _, ev in _judged("supporting resource beside a workload") for k in ev.kinds)
_SERVING_TYPES = re.compile(resource_type_pattern(t for _, ev in _judged("serving infrastructure") for t in ev.resource_types))
_ARM_FILES = [rule for _, ev in _judged("serving infrastructure") for rule in ev.files]
_PULUMI = _judged("pulumi program")
_PULUMI_CALLS = tuple(c for _, ev in _PULUMI for c in ev.calls)
_PULUMI_TYPES = re.compile(resource_type_pattern(t for _, ev in _PULUMI for t in ev.resource_types))
_PROCFILE = [rule for _, ev in _judged("process file") for rule in ev.files]
_CDK_CALLS = tuple(c for _, ev in _judged("cdk app") for c in ev.calls)


def _line(doc: LocatedDocument, *key: str | int) -> int | None:
    pos = doc.locate(tuple(key))
    return pos[0] if pos else None


def _k8s(data: dict[str, Any]) -> bool:
    return isinstance(data.get("apiVersion"), str) and isinstance(data.get("kind"), str) and isinstance(data.get("spec"), dict)


def _kubernetes_role(data: dict[str, Any]) -> tuple[str, Evidence | None] | None:
    """('workload', its catalogue entry) or ('supporting', None) for a Kubernetes document of a kind
    the catalogue lists (`group/Kind` first: a Knative Service is a workload, a core Service is not)."""
    version, kind = data["apiVersion"], data["kind"]
    group = version.rsplit("/", 1)[0] if "/" in version else ""
    for key in (f"{group}/{kind}", kind):
        if key in _WORKLOADS:
            return "workload", _WORKLOADS[key]
        if key in _SUPPORTING:
            return "supporting", None
    return None


# Infrastructure that serves something: buckets, IAM roles or notebooks alone are not a deployment.
_TF_SERVING = re.compile(r'resource\s+"' + _SERVING_TYPES.pattern + '"')
_BICEP_SERVING = re.compile(r"resource\s+\w+\s+'" + _SERVING_TYPES.pattern + "@")


def _cfn_resource_types(data: dict[str, Any]) -> list[str]:
    resources = data.get("Resources")
    if not isinstance(resources, dict):
        return []
    return [str(r.get("Type")) for r in resources.values() if isinstance(r, dict) and isinstance(r.get("Type"), str)]


# Text without which no rule of `has_deployment_manifest` can match, tested before parsing: `kind:
# <a serving kind>` (block or flow style, quoted or not), a CloudFormation type, an Azure ML endpoint
# schema, a Serverless `functions:` key or a Ray Serve config. Each regex starts with a literal, which
# Python's `re` finds at C speed (compiled pipeline specs of hundreds of KB are common).
_SERVING_KINDS = sorted({k.rsplit("/", 1)[-1] for k in _WORKLOADS} | {k.rsplit("/", 1)[-1] for k in _SUPPORTING})
_KIND_LINE = re.compile(r"kind[\"']?\s*:\s*[\"']?(" + "|".join(_SERVING_KINDS) + r")\b")
_ENDPOINT_SCHEMA = re.compile(r"Online(Endpoint|Deployment)|batch(Endpoint|Deployment)")
_FUNCTIONS_KEY = re.compile(r"functions[\"']?\s*:")
_KUSTOMIZATION = ("kustomization.yaml", "kustomization.yml")


# Rule `workloads applied by a workflow`: an Argo Workflow (or template) whose resource steps apply
# Kubernetes manifests written inline as strings (`resource: {action: apply, manifest: |...}`, or a
# step parameter whose value is a manifest): the workloads in those strings are deployment
# manifests like any other. A workflow that only runs containers as steps deploys nothing.
_ARGO_KINDS = frozenset({"Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"})
_INLINE_MANIFEST = re.compile(r"^[^\S\n]*kind:\s*\S", re.MULTILINE)
MAX_INLINE_MANIFESTS = 64  # strings parsed per workflow document


def _argo_workflow(data: dict[str, Any]) -> bool:
    version = data.get("apiVersion")
    return isinstance(version, str) and version.startswith("argoproj.io/") and data.get("kind") in _ARGO_KINDS


def _strings(value: object, key: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    stack: list[tuple[tuple[str | int, ...], object]] = [(key, value)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, str):
            yield where, node
        elif isinstance(node, dict):
            stack.extend((where + (k,), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((where + (i,), v) for i, v in enumerate(node))


def _load_one(text: str, source: str) -> list[LocatedDocument]:
    return [load_yaml_text(text, source)]


def _workloads_applied_by_argo(path: str, doc: LocatedDocument) -> list[tuple[str, Location]]:
    found = []
    inline = [(k, v) for k, v in _strings(doc.data) if "apiVersion" in v and _INLINE_MANIFEST.search(v)]
    for key, text in sorted(inline, key=lambda kv: str(kv[0]))[:MAX_INLINE_MANIFESTS]:
        try:
            docs, _ = documents_one_by_one(text, path, _load_one, repairs=4)
        except InputError:
            continue
        for inner in docs:
            data = inner.data
            if not (isinstance(data, dict) and _k8s(data)):
                continue
            role = _kubernetes_role(data)
            if role is not None and role[0] == "workload" and _runs_something(data, role[1]):
                pos = doc.locate(key)
                found.append((f"Kubernetes {data['kind']} applied by an Argo Workflow", at(path, pos[0] if pos else None)))
    return found


def _may_declare_serving(path: str, text: str) -> bool:
    if path.rsplit("/", 1)[-1] in _KUSTOMIZATION or "AWS::" in text or "ray_serve_config" in text:
        return True
    return bool(_KIND_LINE.search(text) or _ENDPOINT_SCHEMA.search(text) or _FUNCTIONS_KEY.search(text))


@detector(
    id="has_deployment_manifest",
    title="Does the repo declare how the model is deployed (Kubernetes/Helm, KServe/Seldon, CloudFormation, Terraform, endpoint specs)?",
    kind=Kind.deployment_manifest,
    remediation=(
        "Describe the serving deployment declaratively and keep it in the repository: Kubernetes manifests or a "
        "Helm chart, a KServe InferenceService, CloudFormation/SAM, Terraform/Bicep, or a managed endpoint spec."
    ),
    needles=_DEPLOY_ALL.needles,
    words=CLOUD_BUILD_WORDS + _deployers.APPSPEC_WORDS + _deployers.PLATFORM_WORDS,
)
def has_deployment_manifest(repo: RepoIndex) -> Observation:
    found: list[tuple[str, Location]] = []
    enough = False
    supporting: list[tuple[str, str, Location]] = []  # (kind, the workload it names, where): kept until a workload is seen
    hollow: list[tuple[str, Location]] = []
    workloads: set[str] = set()
    workload_files: set[str] = set()
    kustomizations: list[tuple[str, LocatedDocument]] = []
    for path, doc in manifest_documents(repo, must_match=_may_declare_serving):
        if len(found) >= MAX_LOCATIONS:
            enough = True  # as many as a finding shows: the remaining manifests are not parsed
            break
        data = doc.data
        role = _kubernetes_role(data) if _k8s(data) else None
        if role is not None:
            where = at(path, _line(doc, "kind"))
            if role[0] == "workload":
                if _runs_something(data, role[1]):
                    found.append((f"Kubernetes {data['kind']}", where))
                    workloads.add(_name(data))
                    workload_files.add(path)
                else:
                    hollow.append((f"Kubernetes {data['kind']} without a container image or model", where))
            else:
                supporting.append((f"Kubernetes {data['kind']}", _target(data), where))
        elif any(_SERVING_TYPES.fullmatch(t) for t in _cfn_resource_types(data)):
            found.append(("CloudFormation/SAM", at(path, _line(doc, "Resources") or 1)))
        elif isinstance(data.get("$schema"), str) and re.search(r"(managed|kubernetes)Online(Endpoint|Deployment)|batch(Endpoint|Deployment)", data["$schema"]):
            found.append(("Azure ML endpoint", at(path, _line(doc, "$schema"))))
        elif isinstance(data.get("functions"), dict) and isinstance(data.get("provider"), dict) and data.get("service"):
            found.append(("Serverless Framework", at(path, _line(doc, "functions"))))
        elif isinstance(data.get("ray_serve_config"), dict):
            found.append(("Anyscale/Ray Serve service", at(path, _line(doc, "ray_serve_config"))))
        elif path.rsplit("/", 1)[-1] in _KUSTOMIZATION:
            kustomizations.append((path, doc))
        elif _argo_workflow(data):
            found += _workloads_applied_by_argo(path, doc)
    found += _kustomize_overlays(repo, kustomizations, workload_files)
    for path in repo.named("Chart.yaml"):
        doc = repo.yaml(path)
        if doc is not None and isinstance(doc.data, dict) and doc.data.get("name") and doc.data.get("apiVersion"):
            folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
            if any(f.startswith(folder + "templates/") for f in repo.files):
                found.append(("Helm chart", at(path, 1)))
    for path in repo.with_suffix(".tf", ".bicep"):
        if repo.size(path) > MANIFEST_MAX_BYTES or is_test_path(path):
            continue
        serving = _TF_SERVING if path.endswith(".tf") else _BICEP_SERVING
        for number, line in repo.meaningful_lines(path, comment="#" if path.endswith(".tf") else "//"):
            if serving.match(line):
                found.append(("Terraform" if path.endswith(".tf") else "Bicep", at(path, number)))
                break
    found += _terraform_service_modules(repo)
    found += _arm_templates(repo) + _pulumi_programs(repo) + _cdk_apps(repo) + _procfiles(repo) + _orchestrator_deployments(repo)
    found += [(tool.name, loc) for tool, loc in definition_files(repo, Kind.deployment_manifest)]
    found += [(f"{service} (docker-compose)", loc) for service, loc in repo.memo("compose_model_services", lambda: compose_model_services(repo))]
    found += _platform_deployments(repo) + _deployers.script_deployments(repo) + _deployers.appspecs(repo) + _deployers.platform_specs(repo)
    found += _deployers.platform_descriptors(repo)
    templates = [(k, loc) for k, loc in found if _TEMPLATE_SEGMENT.search(loc.path)]
    found = [(k, loc) for k, loc in found if not _TEMPLATE_SEGMENT.search(loc.path)]
    # Session 13 (precision13), conventions §9: the manifests of an example, sample, tutorial or demo
    # folder show how to deploy; they deploy nothing of the system (as has_container's images there).
    examples = [(k, loc) for k, loc in found if _batchscoring.DEMO_FOLDER.search(loc.path)]
    found = [(k, loc) for k, loc in found if not _batchscoring.DEMO_FOLDER.search(loc.path)]
    if found:
        # Services, ingresses and autoscalers count beside a workload of this repository (any, when
        # they name theirs through a template hole); alone they route to or scale nothing declared here.
        found += [(k, loc) for k, target, loc in supporting if target in workloads or target == "" or "__helm__" in target]
        kinds = sorted({k for k, _ in found})
        count = f"at least {len(found)} deployment declarations (the scan stopped there)" if enough else f"{len(found)} deployment declaration(s)"
        return Observation.passed(f"{count}: {', '.join(kinds)}", [loc for _, loc in found])
    compose = repo.memo("compose_project_workloads", lambda: compose_project_workloads(repo))
    if compose:
        # Conventions §9: compose declares the project's own services as code, for one host (or a local
        # run of the whole system): deployment configuration under version control, without the
        # orchestrator's or platform's replicas, resources and update strategy - partial.
        return Observation.partly(
            f"{len(compose)} docker compose service(s) run this repository's own workload ({'; '.join(d for d, _ in compose[:3])}"
            f"{'; ...' if len(compose) > 3 else ''}), but no orchestrator, platform or infrastructure manifest declares a deployment "
            "(Kubernetes/Helm, serverless or platform specs, Terraform/Pulumi/CDK/Bicep)",
            [loc for _, loc in compose],
        )
    batch = _deployers.reusable_compute_declarations(repo)
    if batch:
        # Session 15: the workload's compute is declared in committed CI, its definition in a shared
        # action or workflow this repository does not hold - partial.
        return Observation.partly(
            f"{len(batch)} CI job(s) hand a reusable action or workflow the compute to run with ({'; '.join(d for d, _ in batch[:3])}): "
            "a workload declared through a shared action, whose own definition (task, job or service) is not in this repository",
            [loc for _, loc in batch][:MAX_LOCATIONS],
        )
    if examples:
        return Observation.failed(
            f"{len(examples)} deployment declaration(s) only in example, sample, tutorial or demo folders "
            f"({', '.join(sorted({loc.path for _, loc in examples})[:3])}): they show how to deploy, not a deployment of this system",
            [loc for _, loc in examples][:MAX_LOCATIONS],
        )
    if templates:
        return Observation.failed(
            f"{len(templates)} deployment declaration(s) only inside a project template's placeholder folders "
            "(a folder named by a template variable, `{{cookiecutter.app_name}}/`): what generated projects start from, not a deployment of this one",
            [loc for _, loc in templates][:MAX_LOCATIONS],
        )
    if supporting or hollow or kustomizations:
        names = sorted({k for k, _, _ in supporting} | {k for k, _ in hollow} | ({"Kustomization"} if kustomizations else set()))
        return Observation.failed(
            f"{len(supporting) + len(hollow) + len(kustomizations)} Kubernetes document(s) ({', '.join(names)}) but no workload they "
            "could deploy: no Deployment/StatefulSet/Rollout with a container image, no InferenceService/SeldonDeployment with a "
            "model, no Kustomize resources reaching one, in this repository",
            [loc for _, _, loc in supporting][:5] + [loc for _, loc in hollow][:5] + [at(p, _line(d, "resources") or 1) for p, d in kustomizations][:5],
        )
    return Observation.failed("no deployment manifests found (Kubernetes, Helm, KServe/Seldon, CloudFormation/SAM, Terraform, Bicep, ARM, Pulumi, Procfile, App Engine, endpoint specs)")


# Rule `terraform service module` (session 10): the catalogue's service names, as folders of a module's source.
_SERVICE_MODULES = frozenset(t.lower() for _, ev in _judged("terraform service module") for t in ev.resource_types)
_MODULE_START = re.compile(r'^module\s+"([^"]+)"\s*\{')
_MODULE_SOURCE = re.compile(r'^source\s*=\s*"([^"]+)"')
_MODULE_IMAGE = re.compile(r"^(image|image_tag|image_uri|image_url|container_image|docker_image|ecr_repository_uri|ecr_repository_url|container_definitions?)\s*=")


def _remote_source(source: str) -> bool:
    return not source.startswith(("./", "../", "/"))


def _names_a_service(source: str) -> bool:
    address = source.split("?", 1)[0].split("::", 1)[-1]
    return any(part.lower().removesuffix(".git") in _SERVICE_MODULES for part in re.split(r"/+", address))


def _terraform_service_modules(repo: RepoIndex) -> list[tuple[str, Location]]:
    """A Terraform `module` block with a remote source naming a container service (the catalogue's
    `terraform service module` entry) that passes the service a container image: the deployment is
    declared here, its resources live in the shared module."""
    found = []
    for path in repo.with_suffix(".tf"):
        if repo.size(path) > MANIFEST_MAX_BYTES or is_test_path(path) or not repo.mentions(path, ("module",)):
            continue
        block: tuple[int, str | None, bool] | None = None  # (line, source, passes an image) of the open module block
        depth = 0
        for number, line in repo.meaningful_lines(path):
            if line.startswith("//"):
                continue
            if block is None:
                if _MODULE_START.match(line):
                    block, depth = (number, None, False), 0
                else:
                    continue
            line_number, source, image = block
            source_match = _MODULE_SOURCE.match(line) if depth == 1 else None
            if source_match:
                source = source_match.group(1)
            image = image or (depth >= 1 and bool(_MODULE_IMAGE.match(line)))
            depth += line.count("{") - line.count("}")
            block = (line_number, source, image)
            if depth <= 0:
                if source and image and _remote_source(source) and _names_a_service(source):
                    found.append(("Terraform service module", at(path, line_number)))
                block = None
    return found[:MAX_LOCATIONS]


# Rule `project template placeholder tree` (session 10): a folder named by a template variable
# (`unionml/templates/basic-aws-lambda/{{cookiecutter.app_name}}/template.yaml`, at any depth) holds
# what a tool generates into its users' projects.
_TEMPLATE_SEGMENT = re.compile(r"(^|/)[^/]*\{\{[^/]*\}\}[^/]*/")


def _kustomize_overlays(repo: RepoIndex, kustomizations: list[tuple[str, LocatedDocument]], workload_files: set[str]) -> list[tuple[str, Location]]:
    """Rule `kustomize reaches a workload`: a kustomization (a base or an overlay) deploys what its
    `resources`/`bases` reach in this repository - a workload file, or a folder (a base) holding one,
    followed through other kustomizations. Resources pointing nowhere in the repository (a remote
    base, a missing folder) deploy nothing declared here."""
    folders = {path.rsplit("/", 1)[0] if "/" in path else "": path for path, _ in kustomizations}
    reached: dict[str, bool] = {}

    def reaches(path: str, doc: LocatedDocument, seen: frozenset[str]) -> bool:
        if path in reached:
            return reached[path]
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        entries = [e for key in ("resources", "bases") if isinstance(doc.data.get(key), list) for e in doc.data[key] if isinstance(e, str)]
        result = False
        for entry in entries:
            target = _relative(folder, entry)
            if target is None:
                continue  # remote (a URL) or out of the repository
            if target in workload_files:
                result = True
            elif target in folders and target not in seen:
                sub = folders[target]
                result = reaches(sub, next(d for p, d in kustomizations if p == sub), seen | {target})
            elif any(f.startswith(target + "/") for f in workload_files if target):
                result = True
            if result:
                break
        reached[path] = result
        return result

    return [
        ("Kustomize", at(path, _line(doc, "resources") or _line(doc, "bases") or 1))
        for path, doc in kustomizations if reaches(path, doc, frozenset({path.rsplit("/", 1)[0] if "/" in path else ""}))
    ]


def _relative(folder: str, entry: str) -> str | None:
    """`entry` of a kustomization in `folder` as a repository path; None for a URL or a path leaving the repository."""
    if "://" in entry or entry.startswith(("github.com/", "git@", "/")):
        return None
    parts = [p for p in folder.split("/") if p]
    for part in entry.strip().rstrip("/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)


def _arm_templates(repo: RepoIndex) -> list[tuple[str, Location]]:
    """Rule `serving infrastructure` for Azure Resource Manager templates: a JSON file whose `$schema`
    is a deploymentTemplate.json and whose resources (nested ones included) have a serving type."""
    found = []
    for path in repo.glob(*dict.fromkeys(rule.glob for rule in _ARM_FILES)):  # the catalogue's places: most JSON files are data
        if is_test_path(path) or repo.size(path) > MANIFEST_MAX_BYTES or "deploymentTemplate" not in (repo.text(path) or ""):
            continue
        data = repo.json(path)
        if any(rule.accepts(data) for rule in _ARM_FILES) and any(
            _SERVING_TYPES.fullmatch(t) for t in _arm_types(data["resources"])
        ):
            found.append(("ARM template", at(path, 1)))
    return found


def _arm_types(resources: object, parent: str = "") -> Iterator[str]:
    """Resource types of an ARM `resources` list (or mapping, language version 2), child types
    qualified by their parent's (`Microsoft.Web/sites` + `config` -> `Microsoft.Web/sites/config`)."""
    items = resources.values() if isinstance(resources, dict) else resources if isinstance(resources, list) else []
    for resource in items:
        if isinstance(resource, dict) and isinstance(resource.get("type"), str):
            kind = resource["type"] if "/" in resource["type"] or not parent else f"{parent}/{resource['type']}"
            yield kind
            yield from _arm_types(resource.get("resources"), kind)


def _pulumi_programs(repo: RepoIndex) -> list[tuple[str, Location]]:
    """Rule `pulumi program`: in a Pulumi project (a Pulumi.yaml), a Python program creating a serving
    resource (`aws.sagemaker.Endpoint`, `gcp.cloudrun.Service`, `k8s.apps.v1.Deployment`...) or a
    Pulumi YAML program whose `resources:` have a serving type. A Pulumi project creating only
    buckets or networks deploys nothing."""
    projects = repo.named("Pulumi.yaml", "Pulumi.yml")
    if not projects:
        return []
    found = []
    for path in projects:
        doc = repo.yaml(path)
        found += _pulumi_yaml_resources(path, doc)
        runtime = doc.data.get("runtime", "") if doc is not None and isinstance(doc.data, dict) else ""
        runtime = str(runtime.get("name", "") if isinstance(runtime, dict) else runtime)
        folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
        if runtime.startswith("nodejs"):
            found += _pulumi_node_program(repo, folder)
        elif runtime in _PULUMI_LANGUAGES:
            found += _pulumi_compiled_program(repo, folder, runtime)
        elif runtime == "yaml" and not any(k == "Pulumi" and loc.path == path for k, loc in found):
            found += _pulumi_yaml_main(repo, folder)
    hits = matching(repo, _DEPLOY_ALL.needles, lambda summary: summary.calls_to(*_PULUMI_CALLS))
    found += [("Pulumi", loc) for loc in locations(hits)[:MAX_LOCATIONS]]
    return found


def _cdk_apps(repo: RepoIndex) -> list[tuple[str, Location]]:
    """Rule `cdk app`: in an AWS CDK app (a `cdk.json` in the program's folder or above it), a
    Python program whose stack declares a serving resource (a SageMaker endpoint, an ECS/App Runner
    service, an API). The same constructs outside a CDK app are never synthesised."""
    apps = [p.rsplit("/", 1)[0] + "/" if "/" in p else "" for p in repo.named("cdk.json")]
    if not apps:
        return []
    hits = matching(repo, ("aws_cdk",), lambda summary: summary.calls_to(*_CDK_CALLS) if summary.path.startswith(tuple(apps)) else [])
    found = [("AWS CDK", loc) for loc in locations(hits)[:MAX_LOCATIONS]]
    return found or _cdk_node_apps(repo, tuple(apps))


# The same constructs in a TypeScript/JavaScript CDK app: `new sagemaker.CfnEndpoint(this, ...)` in a
# module importing the CDK library (`aws-cdk-lib`, or `@aws-cdk/...` of CDK v1).
_CDK_NEW = re.compile(r"\bnew\s+(?:[\w$]+\.)?(" + "|".join(sorted({re.escape(c.rsplit(".", 1)[-1]) for c in _CDK_CALLS})) + r")\s*\(")
_CDK_IMPORT = re.compile(r"""from\s+['"](aws-cdk-lib|@aws-cdk/)|require\(\s*['"](aws-cdk-lib|@aws-cdk/)""")


def _cdk_node_apps(repo: RepoIndex, apps: tuple[str, ...]) -> list[tuple[str, Location]]:
    for path in repo.with_suffix(".ts", ".js"):
        if not path.startswith(apps) or is_test_path(path) or path.endswith(".d.ts") or repo.size(path) > MANIFEST_MAX_BYTES:
            continue
        if not repo.mentions(path, ("aws-cdk",)) or not _CDK_IMPORT.search(repo.text(path) or ""):
            continue
        for number, line in repo.meaningful_lines(path, comment="//"):
            if _CDK_NEW.search(line):
                return [("AWS CDK", at(path, number))]
    return []


# The catalogue's Pulumi calls as a TypeScript/JavaScript program writes them: `new aws.sagemaker.Endpoint(`
# (the package imported under any name; Python's `lambda_` is `lambda` there).
_PULUMI_NEW = re.compile(
    r"\bnew\s+\w+\.(" + "|".join(sorted({re.escape(c.split(".", 1)[1].replace("lambda_.", "lambda.")) for c in _PULUMI_CALLS})) + r")\s*\("
)


def _pulumi_node_program(repo: RepoIndex, folder: str) -> list[tuple[str, Location]]:
    """A Node.js Pulumi program (TypeScript/JavaScript in the project's folder) creating a serving resource."""
    for path in repo.with_suffix(".ts", ".js"):
        if not path.startswith(folder) or is_test_path(path) or repo.size(path) > MANIFEST_MAX_BYTES:
            continue
        for number, line in repo.meaningful_lines(path, comment="//"):
            if _PULUMI_NEW.search(line):
                return [("Pulumi", at(path, number))]
    return []


# Go, C# and Java programs (`_pulumi`): the same resources as `new`/`NewX` calls in the project's folder.
_PULUMI_RESOURCES = _pulumi.resources(_PULUMI_CALLS)
_PULUMI_LANGUAGES = {"go": (".go",), "dotnet": (".cs",), "java": (".java",)}


def _pulumi_compiled_program(repo: RepoIndex, folder: str, runtime: str) -> list[tuple[str, Location]]:
    """A Go, .NET (C#) or Java Pulumi program in the project's folder creating a serving resource."""
    for path in repo.with_suffix(*_PULUMI_LANGUAGES[runtime]):
        if not path.startswith(folder) or is_test_path(path) or repo.size(path) > MANIFEST_MAX_BYTES or "ulumi" not in (repo.text(path) or ""):
            continue
        lines = list(repo.meaningful_lines(path, comment="//"))
        hits = _pulumi.go_lines(lines, _PULUMI_RESOURCES) if runtime == "go" else _pulumi.object_lines(lines, _PULUMI_RESOURCES)
        if hits:
            return [("Pulumi", at(path, hits[0]))]
    return []


def _pulumi_yaml_main(repo: RepoIndex, folder: str) -> list[tuple[str, Location]]:
    """A Pulumi YAML program kept in `Main.yaml` beside its Pulumi.yaml, with a serving resource."""
    return [hit for path in (folder + "Main.yaml", folder + "Main.yml") if repo.exists(path) for hit in _pulumi_yaml_resources(path, repo.yaml(path))][:1]


def _pulumi_yaml_resources(path: str, doc: LocatedDocument | None) -> list[tuple[str, Location]]:
    """The first of a Pulumi YAML program's `resources:` with a serving type."""
    resources = doc.data.get("resources") if doc is not None and isinstance(doc.data, dict) else None
    for name, resource in resources.items() if isinstance(resources, dict) else []:
        if isinstance(resource, dict) and isinstance(resource.get("type"), str) and _PULUMI_TYPES.fullmatch(resource["type"]):
            return [("Pulumi", at(path, _line(doc, "resources", name)))]  # type: ignore[arg-type]
    return []


_ORCHESTRATOR_DEPLOY = judged_by(Kind.deployment_manifest, "orchestrator deployment of the project's image")
_ORCHESTRATOR_IMPORTS = ("prefect",)
# The settings a module unpacks into the call (`flow.deploy(name=n, **flow_args)`): keys it writes.
_POOL_KEY = re.compile(r"""["']work_pool_name["']\s*:|\bwork_pool_name\s*=""")
_IMAGE_KEY = re.compile(r"""["']image["']\s*:\s*\S""")


def _orchestrator_deployments(repo: RepoIndex) -> list[tuple[str, Location]]:
    """Rule `orchestrator deployment of the project's image` (session 11): a Prefect module calls
    `flow.deploy(...)` with a work pool and an image (keywords, or a settings dict it unpacks whose keys
    the module writes), so the flow's deployment to the pool's platform is declared as code. Without an
    image, the deployment runs on whatever worker someone starts; `flow.serve()` runs in place."""
    found = []
    for summary in _inhouse.project_code(repo.python_mentioning("work_pool_name")):
        if summary.is_notebook or not summary.imports_module(*_ORCHESTRATOR_IMPORTS) or _batchscoring.DEMO_FOLDER.search(summary.path):
            continue
        text = repo.text(summary.path) or ""
        images = summary.calls_to(*_ORCHESTRATOR_DEPLOY.calls)
        # The module's keys count only for a call that unpacks a settings mapping (review11: any
        # `"image":` key of a data row made a deploy call without an image pass).
        module = _inhouse.tree(repo, summary.path)
        unpacking = {node.lineno for node in walk(module) if isinstance(node, ast.Call) and any(k.arg is None for k in node.keywords)} if module else set()
        for call in summary.calls_named("deploy"):
            settings = call.line in unpacking
            pool = call.has_keyword("work_pool_name") or (settings and _POOL_KEY.search(text) is not None)
            image = call.has_keyword("image") or bool(images) or (settings and _IMAGE_KEY.search(text) is not None)
            if pool and image:
                found.append(("Prefect deployment (work pool and image)", at(summary.path, call.line)))
                break
    return found


_PROCESS_LINE = re.compile(r"^([A-Za-z0-9_-]+)\s*:\s*(\S.*)$")


def _procfiles(repo: RepoIndex) -> list[tuple[str, Location]]:
    """Rule `process file`: a Procfile declaring a `web:` process that runs something (not an echo)."""
    found = []
    for path in repo.glob("**/Procfile"):
        if is_test_path(path):
            continue
        processes: dict[str, tuple[str, int]] = {}
        for number, line in repo.meaningful_lines(path):
            match = _PROCESS_LINE.match(line)
            if match and not match.group(2).startswith(("echo ", "true", ":")):
                processes.setdefault(match.group(1), (match.group(2), number))
        if any(rule.accepts({k: v for k, (v, _) in processes.items()}) for rule in _PROCFILE):
            found.append(("Procfile web process", at(path, processes["web"][1])))
    return found


# Rule `manifest deploys a workload`: kinds that run something must say what (a container image,
# a model, or a spec key the catalogue names); the others (Service, Ingress, HorizontalPodAutoscaler,
# VirtualService, HTTPRoute, Canary) only count beside a workload of this repository.
_RUNS = re.compile(r"'(image|storageUri|modelUri|model_uri|storage_uri|implementation|modelFormat)':\s*'[^']", re.IGNORECASE)


def _runs_something(data: dict[str, Any], entry: Evidence | None) -> bool:
    """A workload naming a container image or a model (a Rollout may point at a Deployment instead),
    or, for an entry listing `spec_keys`, a spec with one of them (a RayService's Serve config)."""
    spec = data.get("spec")
    if entry is not None and entry.spec_keys:
        return isinstance(spec, dict) and any(spec.get(key) for key in entry.spec_keys)
    if data.get("kind") == "Rollout" and isinstance(spec, dict) and isinstance(spec.get("workloadRef"), dict):
        return True
    return bool(_RUNS.search(repr(spec)))


def _name(data: dict[str, Any]) -> str:
    meta = data.get("metadata")
    return str(meta.get("name") or "") if isinstance(meta, dict) else ""


def _target(data: dict[str, Any]) -> str:
    """The workload a supporting resource names: an autoscaler's scaleTargetRef; '' when it does not
    name one by name (a Service selects pods by labels, an Ingress routes to services)."""
    spec = data.get("spec")
    ref = spec.get("scaleTargetRef") if isinstance(spec, dict) else None
    if isinstance(ref, dict) and ref.get("name") is not None:
        return str(ref["name"])
    return ""


_DEPLOY = vocabulary(Kind.deployment_manifest)
_DEPLOY_ACTIONS = action_pattern(_DEPLOY.ci_actions)
_DEPLOY_COMMANDS = command_pattern(_DEPLOY.ci_commands)


def _platform_deployments(repo: RepoIndex) -> list[tuple[str, Location]]:
    """Rule `platform deployment from CI`: CI deploys to a platform (App Service, Cloud Run,
    Elastic Beanstalk, ECS, an Azure ML endpoint, kubectl/helm...) with a deploy action or command,
    also through a task runner (`make deploy`). The deploy step declares how the model ships."""
    found = []
    for path, line, key_path, text in ci_commands(repo):
        if key_path and key_path[-1] in ("uses", "task") and _DEPLOY_ACTIONS.match(text.strip()) and not _missing_inputs(repo, path, key_path):
            found.append((f"CI deploy action {text.split('@')[0]}", at(path, line)))
    for command in ci_run_commands(repo):
        match = _DEPLOY_COMMANDS.search(command.text) or _deployers.deploy_command(command.text)
        how = f" via {command.via}" if command.via else ""
        if match:
            found.append((f"CI deploy command `{' '.join(match.group(1).split())}`{how}", at(command.path, command.line)))
        elif _deployers.pushes_to_a_space(command.text):
            found.append((f"CI pushes the app to a Hugging Face Space{how}", at(command.path, command.line)))
    return found + _cloud_build_deploy_steps(repo) + _compose_over_ssh(repo) + _containers_on_deploy_hosts(repo)


# Rule `compose stack deployed over ssh` (session 10): CI starts the repository's compose stack on a
# host: the `script` an SSH action runs there, or a command sending `docker compose up` through `ssh`.
# `docker compose up` on the CI runner itself (a smoke test before a push) deploys nothing.
_SSH_DEPLOY = judged_by(Kind.deployment_manifest, "compose stack deployed over ssh")
_SSH_ACTIONS = action_pattern(_SSH_DEPLOY.ci_actions)
_COMPOSE_UP = command_pattern(_SSH_DEPLOY.ci_commands)
_THROUGH_SSH = re.compile(r"(^|[\s;&|(])ssh\s")


def _compose_over_ssh(repo: RepoIndex) -> list[tuple[str, Location]]:
    if not repo.glob(*(f"**/{pattern}" for pattern in _COMPOSE_FILES)):
        return []
    found = []
    for path, line, key_path, text in ci_commands(repo):
        match = _COMPOSE_UP.search(text)
        if match is None:
            continue
        through = _THROUGH_SSH.search(text[: match.end()]) is not None
        if not through and len(key_path) >= 2 and key_path[-2:] == ("with", "script"):
            step = _node(repo.yaml(path), key_path[:-2])
            through = isinstance(step, dict) and isinstance(step.get("uses"), str) and _SSH_ACTIONS.match(step["uses"].strip()) is not None
        if through:
            found.append((f"compose stack started over SSH by CI (`{' '.join(match.group(1).split())}`)", at(path, line)))
    return found


# Rule `container started on the deploy host` (session 16, role16): a detached container (`docker run -d`
# / `--detach`, `docker compose up -d`) keeps running after the CI job ends only where the job ran. On
# GitHub's hosted runners that machine is discarded (a smoke test); on a self-hosted runner (`runs-on:
# self-hosted`, GitHub's label for runners the team operates) or on a host reached over SSH it is the
# team's server: the service is deployed there by the committed workflow.
_DETACHED = re.compile(
    r"\b(?:docker|podman)[^\S\n]+(?:container[^\S\n]+)?run\b[^\n;&|]{0,300}?[^\S\n](?:-d|--detach(?:=true)?|-[a-zA-Z]*d[a-zA-Z]*)(?=[^\S\n]|$)"
    r"|\bdocker(?:-|[^\S\n]+)compose\b[^\n;&|]{0,300}?[^\S\n]up\b[^\n;&|]{0,300}?[^\S\n](?:-d|--detach)(?=[^\S\n]|$)"
)


def _self_hosted(runs_on: Any) -> bool:
    labels = runs_on.get("labels") if isinstance(runs_on, dict) else runs_on
    labels = [labels] if isinstance(labels, str) else labels if isinstance(labels, list) else []
    return any(isinstance(label, str) and label.strip().lower() == "self-hosted" for label in labels)


def _containers_on_deploy_hosts(repo: RepoIndex) -> list[tuple[str, Location]]:
    found = []
    for path in repo.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"):
        doc = repo.yaml(path)
        jobs = doc.data.get("jobs") if doc is not None and isinstance(doc.data, dict) else None
        for name, job in jobs.items() if isinstance(jobs, dict) else []:
            if not isinstance(job, dict) or not _self_hosted(job.get("runs-on")):
                continue
            for i, step in enumerate(job.get("steps") or [] if isinstance(job.get("steps"), list) else []):
                run = step.get("run") if isinstance(step, dict) else None
                if isinstance(run, str) and _DETACHED.search(run):
                    pos = doc.locate(("jobs", name, "steps", i, "run")) if doc is not None else None
                    found.append(("container started on the self-hosted runner (the deploy host) by CI", at(path, pos[0] if pos else None)))
                    break
    for path, line, key_path, text in ci_commands(repo):
        match = _DETACHED.search(text) if "-d" in text else None
        if match is None or _COMPOSE_UP.search(text):
            continue  # a compose stack over SSH is `_compose_over_ssh`'s
        through = _THROUGH_SSH.search(text[: match.start()]) is not None
        if not through and len(key_path) >= 2 and key_path[-2:] == ("with", "script"):
            step = _node(repo.yaml(path), key_path[:-2])
            through = isinstance(step, dict) and isinstance(step.get("uses"), str) and _SSH_ACTIONS.match(step["uses"].strip()) is not None
        if through:
            found.append(("container started on a host over SSH by CI", at(path, line)))
    return found


def _node(doc: LocatedDocument | None, key_path: tuple[str | int, ...]) -> Any:
    node: Any = doc.data if doc is not None else None
    for key in key_path:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            return None
    return node


# Rule `cloud build step runs a deploy command` (session 10): a Google Cloud Build step runs the
# tool of its builder image with the step's `args` as separate words (`name:
# gcr.io/cloud-builders/gcloud`, `args: [run, deploy, api, --image, ...]`: the step is `gcloud run
# deploy api ...`), or the tool named by its `entrypoint`. The same deploy commands as in other CI
# then count: Cloud Run, Cloud Functions, App Engine, GKE through kubectl. Cloud Build configs are
# found by name (`cloudbuild*.yaml`) and by content (top-level `steps` of builder steps, any name:
# `cloud/clouddeploy.yaml`). A step building or pushing an image deploys nothing.
_BUILDER_TOOLS = {"gcloud": "gcloud", "gcloud-slim": "gcloud", "cloud-sdk": "gcloud", "google-cloud-cli": "gcloud", "kubectl": "kubectl"}
_SHELLS = frozenset({"bash", "sh", "/bin/bash", "/bin/sh"})


def _builder_tool(step: dict[str, Any]) -> str | None:
    entrypoint = step.get("entrypoint")
    if isinstance(entrypoint, str) and entrypoint.strip():
        return None if entrypoint.strip() in _SHELLS else entrypoint.strip()
    image = step.get("name")
    if not isinstance(image, str):
        return None
    tool = image.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]
    return _BUILDER_TOOLS.get(tool)


def _cloud_build_deploy_steps(repo: RepoIndex) -> list[tuple[str, Location]]:
    named = [p for p in ci_file_paths(repo) if p.rsplit("/", 1)[-1].lower().startswith("cloudbuild")]
    configs = named + [c.path for c in cloud_build_configs(repo)]
    found = []
    for path in configs:
        doc = repo.yaml(path)
        steps = doc.data.get("steps") if doc is not None and isinstance(doc.data, dict) else None
        for i, step in enumerate(steps if isinstance(steps, list) else []):
            args = step.get("args") if isinstance(step, dict) else None
            tool = _builder_tool(step) if isinstance(step, dict) else None
            if tool is None or not isinstance(args, list) or not all(isinstance(a, (str, int, float)) for a in args):
                continue
            match = _DEPLOY_COMMANDS.search(" ".join([tool, *map(str, args)]))
            if match:
                found.append((f"Cloud Build step `{' '.join(match.group(1).split())}`", at(path, _line(doc, "steps", i))))  # type: ignore[arg-type]
    return found


_FILE_INPUT = re.compile(r"^(\./)?[\w.\-/]+\.(json|ya?ml|zip|war|jar)$")


def _missing_inputs(repo: RepoIndex, path: str, key_path: tuple[str | int, ...]) -> list[str]:
    """Files the `with:` inputs of a deploy step, or of the steps of its job (a task definition
    rendered first, an app spec), name that are not in the repository: the deployment is declared
    somewhere else, not here."""
    node = _node(repo.yaml(path), key_path[:-2])  # the job's `steps` list
    steps = node if isinstance(node, list) else []
    inputs = [v for step in steps if isinstance(step, dict) and isinstance(step.get("with"), dict) for v in step["with"].values()]
    return [v for v in inputs if isinstance(v, str) and _FILE_INPUT.match(v) and not repo.exists(v.removeprefix("./"))]


_COMPOSE_FILES = ("docker-compose*.yml", "docker-compose*.yaml", "compose.yml", "compose.yaml", "compose.*.yml", "compose.*.yaml")
_MODEL_SERVICE_NAME = re.compile(r"model|predict|inference|serving|scor|classif|recommend|forecast", re.IGNORECASE)


def compose_model_services(repo: RepoIndex) -> list[tuple[str, Location]]:
    """Rule `compose model service`: a docker-compose service that runs a model server (image or
    command the catalogue lists: TF Serving, Triton, TorchServe, `mlflow models serve`, Seldon
    MLServer, BentoML), or a service built from the repository, named like a model service and
    publishing a port. A stack of databases or a notebook service is not a model service."""
    servers = judged_by(Kind.deployment_manifest, "compose model service").images
    model_servers = tuple(i for i in servers if i not in ("uvicorn", "gunicorn"))
    found = []
    for path in repo.glob(*(f"**/{pattern}" for pattern in _COMPOSE_FILES)):
        if not is_test_path(path) and not _batchscoring.DEMO_FOLDER.search(path):  # an example's stack is the example's
            found += _model_services(repo, path, servers, model_servers)
    return sorted(set(found), key=lambda f: (f[1].path, f[1].line or 0))


def _services_of_compose_files(repo: RepoIndex, paths: list[str]) -> Iterator[tuple[str, LocatedDocument, str, dict[str, Any]]]:
    """(compose file, its document, service name, service) of the project's compose files among
    `paths` (tests, dev containers and demo/example/tutorial folders left out)."""
    for path in paths:
        if is_test_path(path) or ".devcontainer/" in path or _batchscoring.DEMO_FOLDER.search(path):
            continue
        doc = repo.yaml(path)
        services = doc.data.get("services") if doc is not None and isinstance(doc.data, dict) else None
        for name, service in services.items() if isinstance(services, dict) and doc is not None else []:
            if isinstance(service, dict):
                yield path, doc, str(name), service


def _build_dockerfile(compose: str, service: dict[str, Any]) -> tuple[str, str] | None:
    """(build context folder, Dockerfile path) of a service's `build:`, as repository paths; None
    without a build or for one leaving the repository."""
    build = service.get("build")
    if not build:
        return None
    base = compose.rsplit("/", 1)[0] if "/" in compose else ""
    context = build if isinstance(build, str) else str(build.get("context") or ".") if isinstance(build, dict) else "."
    dockerfile = str(build.get("dockerfile") or "Dockerfile") if isinstance(build, dict) else "Dockerfile"
    folder = _relative(base, context)
    path = _relative(folder, dockerfile) if folder is not None else None
    return (folder, path) if folder is not None and path is not None else None


def _model_services(repo: RepoIndex, path: str, servers: list[str], model_servers: tuple[str, ...]) -> list[tuple[str, Location]]:
    doc = repo.yaml(path)
    services = doc.data.get("services") if doc is not None and isinstance(doc.data, dict) else None
    found = []
    for name, service in services.items() if isinstance(services, dict) else []:
        if not isinstance(service, dict):
            continue
        command = service.get("command") or service.get("entrypoint") or ""
        text = f"{command_text(service.get('image') or '')} {command_text(command)}"
        runs_server = any(s in text for s in model_servers)
        built_service = bool(service.get("build")) and bool(service.get("ports")) and (
            _MODEL_SERVICE_NAME.search(str(name)) or any(s in text for s in servers)
        )
        if runs_server or built_service:
            pos = doc.locate(("services", name)) if doc is not None else None
            found.append((f"service '{name}'", at(path, pos[0] if pos else None)))
    return found


def _weights(items: Any, key: str) -> list[int | None]:
    """Weights of the destinations that have one; None for a value a Helm template fills in."""
    if not isinstance(items, list):
        return []
    out: list[int | None] = []
    for item in items:
        value = item.get(key) if isinstance(item, dict) else None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out.append(int(value))
        elif value == HELM_PLACEHOLDER:
            out.append(None)
    return out


def _split(weights: list[int | None]) -> bool:
    """Traffic really split: two or more weighted destinations, at least one strictly between 0 and
    100 % (or set by the chart's values)."""
    return len(weights) >= 2 and any(w is None or 0 < w < 100 for w in weights)


def _progressive_in_manifest(data: dict[str, Any]) -> str | None:
    kind, spec = data.get("kind"), data.get("spec")
    if _k8s(data):
        assert isinstance(spec, dict)
        strategy = spec.get("strategy")
        if kind == "Rollout" and isinstance(strategy, dict) and ({"canary", "blueGreen"} & set(strategy)):
            return "Argo Rollouts " + ("canary" if "canary" in strategy else "blue-green")
        if kind == "Canary" and "flagger" in str(data.get("apiVersion")):
            return "Flagger canary"
        if kind == "InferenceService":
            predictor = spec.get("predictor")
            if isinstance(predictor, dict) and isinstance(predictor.get("canaryTrafficPercent"), int) and 0 < predictor["canaryTrafficPercent"] < 100:
                return "KServe canary"
        if kind == "SeldonDeployment":
            predictors = spec.get("predictors")
            if _split(_weights(predictors, "traffic")) or any(isinstance(p, dict) and p.get("shadow") for p in predictors or []):
                return "Seldon traffic split / shadow"
        if kind == "VirtualService":
            for route in spec.get("http") or []:
                if isinstance(route, dict) and (_split(_weights(route.get("route"), "weight")) or route.get("mirror")):
                    return "Istio weighted routing / mirroring"
        if kind == "HTTPRoute":
            for rule in spec.get("rules") or []:
                if isinstance(rule, dict) and _split(_weights(rule.get("backendRefs"), "weight")):
                    return "Gateway API weighted routing"
        if kind == "TrafficSplit" and _split(_weights(spec.get("backends"), "weight")):
            return "SMI TrafficSplit"
    resources = data.get("Resources")
    if isinstance(resources, dict):
        for resource in resources.values():
            if not isinstance(resource, dict) or not isinstance(resource.get("Properties"), dict):
                continue
            props = resource["Properties"]
            variants = props.get("ProductionVariants")
            if resource.get("Type") == "AWS::SageMaker::EndpointConfig" and (
                props.get("ShadowProductionVariants") or (isinstance(variants, list) and len(variants) >= 2)
            ):
                return "SageMaker production/shadow variants"
            deploy = props.get("DeploymentConfig")
            if resource.get("Type") == "AWS::SageMaker::Endpoint" and isinstance(deploy, dict) and deploy.get("BlueGreenUpdatePolicy"):
                return "SageMaker blue/green deployment guardrails"
            preference = props.get("DeploymentPreference")
            if isinstance(preference, dict) and re.match(r"(Canary|Linear)", str(preference.get("Type", ""))):
                return "SAM/CodeDeploy gradual deployment"
    traffic = data.get("traffic")
    if isinstance(data.get("$schema"), str) and "Endpoint" in data["$schema"] and isinstance(traffic, dict):
        weights: list[int | None] = [int(v) for v in traffic.values() if isinstance(v, (int, float))]
        if _split(weights):
            return "Azure ML endpoint traffic split"
    return None


_PROGRESSIVE_NEEDLES = ("traffic", "traffic_split", "traffic_percentage")
# The kinds `_progressive_in_manifest` looks into; with the CloudFormation and Azure ML markers below,
# text without which it finds nothing (tested before parsing: compiled pipeline specs often say
# "weight" or "traffic" and are hundreds of KB).
_PROGRESSIVE_KIND = re.compile(r"kind[\"']?\s*:\s*[\"']?(Rollout|Canary|InferenceService|SeldonDeployment|VirtualService|HTTPRoute|TrafficSplit)\b")


def _may_split_traffic(path: str, text: str) -> bool:
    if "ProductionVariants" in text or "BlueGreenUpdatePolicy" in text or "DeploymentPreference" in text:
        return True
    return ("Endpoint" in text and "traffic" in text) or bool(_PROGRESSIVE_KIND.search(text))


# A word every manifest rule of `_progressive_in_manifest` needs in the file's text.
_PROGRESSIVE_TEXT = ("canary", "bluegreen", "traffic", "shadow", "weight", "mirror", "productionvariants", "deploymentpreference")


def _progressive_calls(summary: PythonSummary) -> list[Call]:
    found = [c for c in summary.calls if isinstance(c.keyword("traffic_percentage"), int) and 0 < c.keyword("traffic_percentage") < 100]  # type: ignore[operator]
    found += [c for c in summary.calls if isinstance(c.keyword("traffic_split"), dict) and c.keyword("traffic_split")["__dict_size__"] >= 2]  # type: ignore[index]
    found += [Call(name, line) for name, size, line in summary.assigned_dicts if name.endswith(".traffic") and size >= 2]
    return found


# Rule `weighted routing in code`: a serving router draws the endpoint or model version of each
# request at random with weights (`numpy.random.choice(canary["endpoints"], p=canary["weights"])`,
# `random.choices(variants, weights=shares)`, `random.random() < canary_probability`): a canary or
# A/B split written by hand. The draw's
# line or its function must name what is routed (endpoint, variant, model version, canary, traffic):
# weighted sampling of rows or augmentations is not routing.
_WEIGHTED_DRAW_NEEDLES = ("choice", "choices")
_WEIGHTED_DRAWS = {"numpy.random.choice": "p", "random.choices": "weights"}
_ROUTED_WORDS = ("canary", "endpoint", "variant", "model_version", "traffic", "champion", "challenger", "shadow")
_ROUTED = re.compile("|".join(_ROUTED_WORDS), re.IGNORECASE)


# The same split drawn against a threshold: `use_canary = random.random() < self._canary_probability`
# (`rng.random() <= traffic_share`): the draw is compared with a share named for what is routed.
# Session 15: the draw as a fraction, scaled to a percentage (`random.random() * 100`) or an integer draw
# (`randint(1, 100)`, `uniform(0, 100)`, `randrange(100)`), on either side of the comparison. Every
# search starts at the draw (a literal), and the share left of a reversed comparison is read from at
# most 80 characters before it: linear however the text is written.
_DRAW = r"\b(?:random(?:\.random)?\(\)(?:[^\S\n]*\*[^\S\n]*\d{1,3}(?:\.\d{1,3})?)?|(?:randint|uniform|randrange)\([^()\n]{0,40}\))"
_SHARE_WORDS = r"(?:canary|traffic|shadow|challenger)"
_DRAW_BELOW = re.compile(rf"{_DRAW}[^\S\n]*<=?[^\S\n]*(?:self\.)?[\w.]{{0,60}}?{_SHARE_WORDS}", re.IGNORECASE)  # not `split`: a data split's share
_DRAW_ABOVE = re.compile(rf">=?[^\S\n]*{_DRAW}", re.IGNORECASE)
_SHARE_BEFORE = re.compile(rf"{_SHARE_WORDS}\w{{0,60}}[^\S\n]*$", re.IGNORECASE)


def _threshold_draw(text: str) -> bool:
    if _DRAW_BELOW.search(text):
        return True
    for match in _DRAW_ABOVE.finditer(text):
        if _SHARE_BEFORE.search(text[max(0, match.start() - 80) : match.start()]):
            return True
    return False


def _may_route(text: str) -> bool:
    draws, threshold = "weights" in text or "p=" in text, "random()" in text or "randint(" in text or "uniform(" in text or "randrange(" in text  # substrings first: big files
    if not (draws or threshold) or not casewords.may_hold(text, _ROUTED_WORDS) or not _ROUTED.search(text):
        return False
    return draws or _threshold_draw(text)


def _weighted_routing(repo: RepoIndex) -> list[Location]:
    hits = []
    for summary in _inhouse.project_code(repo.python_mentioning(*_WEIGHTED_DRAW_NEEDLES, "random", where=text_test(_may_route))):
        lines = (repo.text(summary.path) or "").splitlines() if not summary.is_notebook else []
        for call in summary.calls_to(*_WEIGHTED_DRAWS):
            weighted = call.keyword(_WEIGHTED_DRAWS[call.name]) is not None
            line = lines[call.line - 1] if call.line and 0 < call.line <= len(lines) else ""
            if weighted and (_ROUTED.search(line) or _ROUTED.search(call.scope or "")):
                hits.append(at(summary.path, call.line))
        hits += [at(summary.path, number) for number, line in enumerate(lines, start=1) if _threshold_draw(line)]
    return hits


_CANARY_CONFIG_WORDS = ("canary", "traffic", "rollout", "ramp", "absplit", "ab_split", "a_b")
# Step lists are traffic shares when the key (or a section above it) says canary or traffic, or says
# rollout/ramp inside a deployment section: `rollout_lengths: [16, 32]` of an RL config is not traffic.
_STEP_KEY = re.compile(r"canary|traffic", re.IGNORECASE)
_ROLLOUT_KEY = re.compile(r"rollout|ramp", re.IGNORECASE)
_DEPLOY_SECTION = re.compile(r"deploy|release|promot|serving|canary|traffic", re.IGNORECASE)


def _traffic_steps_key(key_path: tuple[str | int, ...]) -> bool:
    names = [str(k) for k in key_path if isinstance(k, str)]
    if any(_STEP_KEY.search(n) for n in names):
        return True
    return bool(_ROLLOUT_KEY.search(names[-1])) and any(_DEPLOY_SECTION.search(n) for n in names[:-1])
# A single share: an A/B split or the canary's traffic weight (not `canary_share` of a data set).
_SPLIT_KEY = re.compile(r"^(ab|a_b)_?(split|test_share|traffic)\w*$|^(canary_)?traffic_?(split|share|percent\w*|weight)$|^canary_?(percent\w*|weight)$", re.IGNORECASE)


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _partial(values: list[float]) -> bool:
    """Some traffic goes to the new version but not all: a share strictly between none and all
    (fractions when every value is at most 1, else percentages)."""
    full = 1.0 if max(values) <= 1 else 100.0
    return any(0 < v < full for v in values) and all(0 <= v <= full for v in values)


def _traffic_steps_in_config(repo: RepoIndex) -> tuple[list[Location], list[Location]]:
    """Rule `declared canary steps`: a project configuration (YAML) declares a rollout as a list of
    traffic shares (`canary_steps: [0.05, 0.25, 0.5, 1.0]`, `traffic_percent: [10, 50, 100]`) or an
    A/B split share (`ab_split: 0.5`), with some share strictly between 0 and 100 %, AND project code
    reads that key. A single step to 100 %, prose, or a key no code reads do not count.
    Returns (declared and read: config and code locations, declared but never read)."""
    read: list[Location] = []
    unread: list[Location] = []
    checked: dict[str, list[tuple[str, int]]] = {}
    for path, doc in _inhouse.yaml_mappings(repo, _CANARY_CONFIG_WORDS):
        data = doc.data  # type: ignore[attr-defined]
        if _k8s(data) or data.get("Resources"):
            continue  # Kubernetes and CloudFormation manifests have their own rules above
        for key_path, value in _inhouse.walk_mapping(data):
            key = key_path[-1]
            if not isinstance(key, str):
                continue
            steps = (
                isinstance(value, list) and len(value) >= 1 and all(_number(v) for v in value)
                and all(a <= b for a, b in zip(value, value[1:])) and _traffic_steps_key(key_path)  # type: ignore[operator]
            )
            split = _number(value) and _SPLIT_KEY.match(key)
            if not steps and not split:
                continue
            values = [float(v) for v in value] if isinstance(value, list) else [float(value)]  # type: ignore[arg-type]
            if not _partial(values):
                continue
            pos = doc.locate(key_path)  # type: ignore[attr-defined]
            where = at(path, pos[0] if pos else None)
            if key not in checked:
                checked[key] = _inhouse.code_reads_key(repo, key)
            if checked[key]:
                read.append(where)
                read.extend(at(p, line) for p, line in checked[key])
            else:
                unread.append(where)
    return read, unread


@detector(
    id="uses_progressive_delivery",
    title="Does the repo configure progressive delivery (canary, A/B, shadow or blue-green traffic split)?",
    kind=Kind.progressive_delivery,
    remediation=(
        "Roll new models out gradually: a KServe canaryTrafficPercent, Argo Rollouts/Flagger canary, Istio "
        "weighted routes, SageMaker shadow or multi-variant endpoints, or an endpoint traffic split."
    ),
    needles=_PROGRESSIVE_NEEDLES + _WEIGHTED_DRAW_NEEDLES + ("random",),
    words=_PROGRESSIVE_TEXT + _CANARY_CONFIG_WORDS,
)
def uses_progressive_delivery(repo: RepoIndex) -> Observation:
    found: list[tuple[str, Location]] = []
    for path, doc in manifest_documents(repo, _PROGRESSIVE_TEXT, _may_split_traffic):
        what = _progressive_in_manifest(doc.data) if not _batchscoring.DEMO_FOLDER.search(path) else None  # an example's canary (§9)
        if what:
            found.append((what, at(path, _line(doc, "kind") or _line(doc, "Resources") or 1)))
    hits = matching(repo, _PROGRESSIVE_NEEDLES, _progressive_calls)
    if found or hits:
        kinds = sorted({k for k, _ in found}) + ([f"traffic split in code ({describe(hits)})"] if hits else [])
        return Observation.passed("; ".join(kinds), [loc for _, loc in found] + locations(hits))
    declared, unused = _traffic_steps_in_config(repo)
    if declared:
        return Observation.passed(
            "canary traffic steps or an A/B split declared in configuration and read by the deployment code",
            declared, confidence=Confidence.medium,
        )
    routed = _weighted_routing(repo)
    if routed:
        return Observation.passed(
            "weighted routing in code: each request's endpoint or model version is drawn with configured weights (canary/A-B split)",
            routed, confidence=Confidence.medium,
        )
    if unused:
        return Observation.failed(
            "canary steps or a traffic split are declared in configuration, but no project code reads them", unused
        )
    return Observation.failed("no traffic split, canary, shadow or blue-green configuration found; deployments (if any) take 100 % at once")


# Serving frameworks and model servers: catalogue/deployment.yaml; web frameworks and platform
# handler contracts are judged below (a route must call a model).
_SERVING = vocabulary(Kind.model_serving)
_MODEL_SERVERS = re.compile("|".join(r"\s+".join(re.escape(w) for w in image.split()) for image in _SERVING.images))
# The batch rule's words are its own (`_batchscoring`): files mentioning `predict` are not read for web routes.
_SERVING_NEEDLES = tuple(n for n in _SERVING.needles if n not in _batchscoring.NEEDLES) + (
    "fastapi", "flask", "Flask", "FastAPI", "ts.torch_handler", "BaseHandler", "predict_fn", "model_fn", "gradio", "starlette",
    "aiohttp", "sanic", "tornado", "def run(", "litestar", "bottle", "mlserver", "cog", "ts.torch_handler",
    "robyn", "blacksheep", "ninja", "quick_server", "hug", "responder", "emmett", "microdot", "fasthtml", "starlite",
    "aiplatform",
) + _handlers.NEEDLES
# Python web frameworks whose routes are registered by decorators (`@app.post("/x")`): the documented
# HTTP servers of PyPI (session 16: Robyn, BlackSheep, Django Ninja, quick_server, Hug, Responder,
# Emmett, Microdot, FastHTML, Starlite beside the first ten).
_WEB_FRAMEWORKS = (
    "fastapi", "flask", "starlette", "aiohttp", "sanic", "tornado", "quart", "falcon", "litestar", "bottle",
    "robyn", "blacksheep", "ninja", "quick_server", "hug", "responder", "emmett", "microdot", "fasthtml", "starlite",
)
# A route decorator: an HTTP method (or `route`, `websocket`) as the last name, also after a response
# format (session 16: quick_server's `json_post`, `text_get`).
_WEB_ROUTE = re.compile(r"\.(?:[a-z]+_)?(get|post|put|patch|delete|route|api_route|websocket)$")
_PREDICTS = re.compile(r"^(predict\w*|infer\w*|run_inference|classify\w*|generate|forward)$", re.IGNORECASE)  # not transform/score: they are not serving


# Session 12: a model class written to a serving platform's contract serves by construction - the
# platform calls it per request: a TorchServe handler deriving from any of TorchServe's handlers
# (`ImageClassifier`, `VisionHandler`, `TextHandler`...), a Seldon MLServer custom runtime
# (`mlserver.MLModel`), a Cog predictor (Replicate: `cog.BasePredictor`). A project's own class
# named `BasePredictor` is not Cog's (the name must resolve to the package). Session 18: a Vertex AI
# custom prediction routine (`google.cloud.aiplatform.prediction.predictor.Predictor`, whose `load` and
# `predict` the routine's prediction server calls per request, as Vertex AI's documentation describes).
_PLATFORM_PREDICTOR = re.compile(
    r"^(ts\.torch_handler\.\w+(\.\w+)?|mlserver\.(model\.)?MLModel|cog\.(predictor\.)?BasePredictor"
    r"|google\.cloud\.aiplatform\.prediction\.(predictor\.)?Predictor)$"
)


def _serving(summary: PythonSummary) -> list[Call]:
    found: list[Call] = _SERVING.code_hits(summary)
    for name, bases, line, methods in summary.classes:
        if any(b in ("kserve.Model", "kserve.model.Model", "ts.torch_handler.base_handler.BaseHandler", "litserve.LitAPI") for b in bases) and (
            {"predict", "handle", "inference"} & set(methods)
        ):
            found.append(Call(f"{name}({bases[0]})", line))
        elif any(_PLATFORM_PREDICTOR.match(b) for b in bases) and {"predict", "handle", "inference", "preprocess", "postprocess"} & set(methods):
            found.append(Call(f"{name}({next(b for b in bases if _PLATFORM_PREDICTOR.match(b))})", line))
    # A web app or Gradio page written in a notebook's cells is a demo its author runs (conventions §8).
    web = not summary.is_notebook and summary.imports_module(*_WEB_FRAMEWORKS)
    predicts = any(_PREDICTS.search(name.rsplit(".", 1)[-1]) for name in summary.resolved_names)
    if web and predicts:
        found += [d for d in summary.decorators if _WEB_ROUTE.search(d.name)]
    elif web:
        found += _routes_reaching_a_model(summary)
    if not found and not summary.is_notebook:
        found += _handlers_reaching_a_model(summary)
    if not summary.is_notebook and summary.imports_module("gradio") and predicts:
        found += summary.calls_to("gradio.Interface")
    # SageMaker and Azure ML inference-script contracts: functions the platform calls per request.
    # Session 18: SageMaker's serving containers call `model_fn(model_dir)` and, when defined, the
    # handlers overriding their defaults (`input_fn`, `predict_fn`, `output_fn`, or `transform_fn`), so
    # `model_fn` with any of them is the contract; TensorFlow Estimator's `model_fn(features, labels,
    # mode)` (with a training `input_fn`) builds a training graph and is not it.
    handlers = _SAGEMAKER_HANDLERS.intersection(summary.functions) if "model_fn" in summary.functions else set()
    if handlers & {"predict_fn", "transform_fn"} or (handlers and _loads_from_model_dir(summary)):
        found.append(Call("SageMaker inference handler (model_fn/predict_fn)", summary.functions.get("model_fn")))
    if {"init", "run"} <= set(summary.functions) and predicts and "scor" in summary.path.lower():
        found.append(Call("Azure ML scoring script (init/run)", summary.functions.get("run")))
    return found


_SAGEMAKER_HANDLERS = frozenset({"input_fn", "predict_fn", "output_fn", "transform_fn"})
_ESTIMATOR_PARAMETERS = frozenset({"features", "labels", "mode"})


def _loads_from_model_dir(summary: PythonSummary) -> bool:
    """Whether the file's `model_fn` has SageMaker's signature (`model_dir`, maybe `context`), not an
    Estimator's (`features, labels, mode[, params, config]`)."""
    tree = summary.source.tree() if summary.source is not None else None
    parameters = _model_fn_parameters(tree) if tree is not None else None
    return parameters is not None and _ESTIMATOR_PARAMETERS.isdisjoint(parameters)


@per_tree
def _model_fn_parameters(tree: ast.AST) -> tuple[str, ...] | None:
    for node in getattr(tree, "body", ()):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "model_fn":
            return tuple(a.arg for a in [*node.args.posonlyargs, *node.args.args])
    return None


# Rule `web route reaches a model`: the route's handler, or a function of the same file it calls
# (transitively), calls a prediction helper by a name that says so (`make_prediction`, `get_predict`,
# `run_inference`, `create_classification_jobs`; a same-file helper so named counts too), or - for a
# handler named for prediction (`predict`, `post_prediction`) - uses the model object itself
# (`model(x)`, `g.model.anomaly(X)`, `get_model_output(model=...)`). A noun after a storage verb
# (`get_predictions`, `log_prediction`) reads or records stored predictions, and one after a
# training verb (`train_classification_model`) makes the model: neither is serving.
# Session 14: a recommender's prediction is its recommendation (`recommender.recommend(user, n=10)`,
# `recommend_items(...)`): the verb says the model is asked, as `predict` does.
_PREDICT_VERB = re.compile(r"(^|_)(predict|infer|classify|recommend)(_|$)", re.IGNORECASE)
_PREDICT_NOUN = re.compile(r"(^|_)(predictions?|inferences?|classifications?)(_|$)", re.IGNORECASE)
# A noun after a training verb names the model's making, not its use (`train_classification_model`).
_TRAINING_VERB = re.compile(r"^_*(train|fit|tune|evaluate|eval)_", re.IGNORECASE)
_STORAGE_VERB = re.compile(r"^_*(get|list|fetch|load|read|query|save|store|log|write|delete|insert|record|update|show|render|plot)_", re.IGNORECASE)
_MODEL_OBJECT = frozenset({"model", "self.model", "forward"})


def _says_predict(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return bool(_PREDICT_VERB.search(last)) or (
        bool(_PREDICT_NOUN.search(last)) and not _STORAGE_VERB.search(last) and not _TRAINING_VERB.search(last)
    )


# What a handler named for prediction does with the model: calls it (`model(x)`), calls one of its
# methods (`g.model.anomaly(X, y)`, `self.model.decision_function(x)`), or hands it to a helper
# named for the model's output (`get_model_output(model=g.model, X=X)`, `run_model(...)`).
_MODEL_OUTPUT_HELPER = re.compile(r"(^|_)model_(outputs?|results?|response|scores?)($|_)|^_*(run|apply|call|invoke|execute)_model($|_)", re.IGNORECASE)


def _uses_the_model(name: str) -> bool:
    receiver, _, last = name.rpartition(".")
    if name in _MODEL_OBJECT or name.endswith(".model"):
        return True
    return receiver in _MODEL_OBJECT or receiver.endswith(".model") or bool(_MODEL_OUTPUT_HELPER.search(last))


# Rule `web route reaches an LLM chain` (session 8): the handler, or a same-file function it calls,
# calls a method of an object named for a generation chain (`rag_chain.invoke(...)`,
# `agent.arun(q)`, `query_engine.query(q)`, `response_model.direct_message(...)`), or a helper
# named for it (`run_rag_pipeline`, `ask_llm`): the route answers with a model's output, as
# `/predict` does for a classifier. Storage calls on such objects (`chain_store.save`) are not.
# A generation object by its name: one naming RAG/LLM/a query engine, a chain or agent of one
# (`qa_chain`, `agent_executor` is not), a model named for responses or chat; a bare local `chain` or
# `agent` only when it is the whole receiver (not `itertools.chain`, `request.user_agent`, `supply_chain`).
_LLM_RECEIVER = re.compile(
    r"(?:^|_)(?:rag|llm|query_engine|retriever|chatbot)(?:_|$)|(?:^|_)(?:qa|rag|llm|retrieval|conversation|chat)_?(?:chain|agent)$"
    r"|(?:response|llm|chat|language|generation)_?model$",
    re.IGNORECASE,
)
_LOCAL_GENERATOR = re.compile(r"^(?:chain|agent|assistant)$", re.IGNORECASE)
_LLM_HELPER = re.compile(r"(?:^|_)(?:rag|llm)(?:_|$)", re.IGNORECASE)
_NOT_GENERATION = re.compile(r"^_*(?:save|delete|load|get|from_|list|count|add|remove|update|clear|reset|close|connect|commit|refresh|to_|dict|json)\w*$", re.IGNORECASE)


def _reaches_generation(name: str) -> bool:
    receiver, _, method = name.rpartition(".")
    last = receiver.rsplit(".", 1)[-1] if receiver else ""
    named = bool(last) and (_LLM_RECEIVER.search(last) is not None or (receiver == last and _LOCAL_GENERATOR.match(last) is not None))
    if named and not _NOT_GENERATION.match(method):
        return True
    return bool(_LLM_HELPER.search(method)) and not _STORAGE_VERB.search(method) and not _TRAINING_VERB.search(method)


def _route_reaches(summary: PythonSummary) -> Iterator[tuple[Call, str, set[str], list[str]]]:
    """(route decorator, its handler, the same-file helpers it calls transitively, the other names
    they call) for each web route of the file."""
    routes = [d for d in summary.decorators if _WEB_ROUTE.search(d.name) and d.line is not None]
    if not routes:
        return
    defs = sorted((line, name) for name, line in summary.functions.items() if line is not None)
    lines = [line for line, _ in defs]
    walked: dict[str, tuple[set[str], list[str]]] = {}
    by_scope: dict[str, list[Call]] = {}
    for call in summary.calls:
        if call.scope:
            by_scope.setdefault(call.scope, []).append(call)
    for route in routes:
        # The first function defined after the decorator, by bisection (review13: a scan of every
        # definition per route was quadratic in a file of many routes).
        after = bisect.bisect_right(lines, route.line)  # type: ignore[type-var]
        if after == len(defs):
            continue
        handler = defs[after][1]
        if handler not in walked:  # once per name: routes stacked on one function, or functions sharing a name
            seen, reached = _reach(by_scope, summary.functions, handler)
            walked[handler] = (seen - {handler}, reached)
        yield route, handler, *walked[handler]


def _reach(by_scope: dict[str, list[Call]], functions: dict[str, int | None], start: str) -> tuple[set[str], list[str]]:
    """The function `start` and the same-file functions it calls (transitively), and every other name they call."""
    seen, todo, reached = {start}, [start], []
    while todo:
        for call in by_scope.get(todo.pop(), []):
            # A method called on self (`self.process_request(body)` in a class-based view) is summarised
            # as `.process_request`: it is the class's own function.
            local = call.name[1:] if call.name.startswith(".") and call.name.count(".") == 1 else call.name
            if local in functions:
                if local not in seen:
                    seen.add(local)
                    todo.append(local)
            else:
                reached.append(call.name)
    return seen, reached


def _routes_reaching_a_model(summary: PythonSummary) -> list[Call]:
    found = []
    startup: list[frozenset[str]] = []  # names bound to a model at import time, worked out when needed
    judged: dict[str, bool] = {}  # handler name -> reaches the model (its reach is the same for every route of it)
    for route, handler, helpers, reached in _route_reaches(summary):
        if handler not in judged:
            judged[handler] = _reaches_model(summary, handler, helpers, reached, startup)
        if judged[handler]:
            found.append(route)
    return found


def _reaches_model(summary: PythonSummary, handler: str, helpers: set[str], reached: list[str], startup: list[frozenset[str]]) -> bool:
    """Whether a request handler (with the same-file helpers it calls and the other names they call)
    uses the model: the web-route rules above and below. `startup` caches `_startup_models` per file."""
    # A same-file helper named for prediction counts like an imported one (`create_classification_jobs`
    # that queues the work for model workers), whatever its own body calls.
    if any(_says_predict(name) for name in [*reached, *helpers]) or (
        _says_predict(handler) and any(_uses_the_model(name) for name in reached)
    ) or any(_reaches_generation(name) for name in [*reached, *helpers]) or any(_in_prediction_module(name, summary) for name in reached):
        return True
    if any(_EMBEDS.search(name.rsplit(".", 1)[-1]) for name in [*reached, *helpers]) or any(_invokes_endpoint(name) for name in reached):
        return True
    if any(_modeluse.library_model(name) for name in reached):  # session 16: a library's documented model load or run
        return True
    if not startup:
        startup.append(_startup_models(summary))
    if any(_uses_startup_model(name, startup[0]) for name in reached):
        return True
    # Session 16: the model object itself called (`nlp(text)` of a spaCy pipeline, `yolo(image)`), by a
    # handler that is not a health or warm-up probe (which runs the model once on a dummy input).
    if not _PROBE.match(handler) and any(name in startup[0] for name in reached):
        return True
    return _uses_model_from_state(summary, helpers | {handler})


_PROBE = re.compile(r"^_*(?:warm_?up|health\w*|ready|readiness|liveness|live|ping|status)$", re.IGNORECASE)


def _calls_by_scope(summary: PythonSummary) -> dict[str, list[Call]]:
    """The file's calls by the function they are in (module-level calls left out)."""
    by_scope: dict[str, list[Call]] = {}
    for call in summary.calls:
        if call.scope:
            by_scope.setdefault(call.scope, []).append(call)
    return by_scope


def _handlers_reaching_a_model(summary: PythonSummary) -> list[Call]:
    """Rule `request handler without a route decorator` (session 12, `_handlers`): a Django/DRF view,
    a Flask-RESTful resource or MethodView, a Tornado/Starlette endpoint class, a Falcon responder or a
    gRPC servicer method that reaches the model as a decorated route would."""
    handlers = _handlers.request_handlers(summary)
    if not handlers:
        return []
    by_scope = _calls_by_scope(summary)
    found = []
    startup: list[frozenset[str]] = []
    judged: dict[str, bool] = {}  # handler name -> reaches the model: one walk per name (see `_entry_reaches`)
    for owner, handler, line in handlers:
        if handler not in judged:
            seen, reached = _reach(by_scope, summary.functions, handler)
            judged[handler] = _reaches_model(summary, handler, seen - {handler}, reached, startup)
        if judged[handler]:
            found.append(Call(f"{owner}.{handler}" if owner else handler, line))
    return found


# Rule `route uses a model kept in shared state` (session 10): the app puts its model object in shared
# state at start-up (`app.state.model = load()`, `settings.SHARED["IC_MODEL"] = ICModel()` in a
# lifespan hook, maybe in another module) and a route, or a same-file helper it calls, calls a method
# of the object it fetches from there by a name that says model (`settings.SHARED["IC_MODEL"].caption(path)`,
# `request.app.state.classifier.label(text)`, `models.get("detector").detect(img)`). Storage and
# bookkeeping methods are not its use; a key naming something else (`["db"]`, `.state.cache`) is not a model.
_STATE_MODEL_NAME = re.compile(r"(?:^|_)(?:model|models|classifier|detector|predictor|captioner|llm|agent|chain|embedder|forecaster)(?:$|_)", re.IGNORECASE)


def _state_key(node: ast.expr) -> str | None:
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        return node.slice.value
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) and node.value.attr == "state":
        return node.attr
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args:
        first = node.args[0]
        return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
    return None


def _uses_model_from_state(summary: PythonSummary, scopes: set[str]) -> bool:
    tree = summary.source.tree() if summary.source is not None and not summary.is_notebook else None
    if tree is None:
        return False
    return not _state_model_users(tree).isdisjoint(scopes)


@per_tree  # asked per route of a module: the module walked once, not once per route
def _state_model_users(tree: ast.AST) -> frozenset[str]:
    """Names of the functions (at any depth) with a call of a model's method fetched from shared state."""
    names: set[str] = set()
    for node in walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name in names:
            continue
        for call in walk(node):
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
                key = _state_key(call.func.value)
                method = call.func.attr
                if key and _STATE_MODEL_NAME.search(key) and not _NOT_GENERATION.match(method) and not _STORAGE_VERB.search(method):
                    names.add(node.name)
                    break
    return frozenset(names)


# Rule `route reaches a model through a service module` (session 10): layered web apps keep routes
# thin (`routers/chat.py`) and call a project function of another module (`services/chat.py:
# stream_chat`) that uses the model: predicts, loads a model, asks a generation chain or agent, or
# calls a generation library (LangChain, LangGraph, OpenAI, Anthropic, ...). One hop, to a function
# the route's module imports from the project; a service that reads a database is not the model.
_GENERATION_LIBRARIES = (
    "langchain", "langchain_core", "langchain_openai", "langchain_anthropic", "langchain_community", "langgraph", "openai", "anthropic",
    "litellm", "llama_index", "google.generativeai", "google.genai", "vertexai.generative_models", "ollama", "cohere", "mistralai",
)
MAX_SERVICE_MODULES = 50  # project modules followed from routes, per scan


def _calls_the_model(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return bool(_PREDICTS.search(last) or _MODEL_LOADERS.search(name)) or _reaches_generation(name) or _says_predict(name) or _modeluse.library_model(name) or (
        _invokes_endpoint(name)
    )


# Session 18: a managed endpoint's documented inference call - SageMaker Runtime `invoke_endpoint`
# (also `_async`, `_with_response_stream`; boto3's sagemaker-runtime client), Azure ML
# `MLClient.online_endpoints.invoke`, Databricks `WorkspaceClient.serving_endpoints.query`. A route
# or service function making it asks the endpoint's model per request (conventions §16.8: the model
# call may be remote); listing or describing endpoints asks nothing.
_ENDPOINT_INVOCATION = re.compile(r"(?:^|\.)(?:invoke_endpoint(?:_async|_with_response_stream)?|online_endpoints\.invoke|serving_endpoints\.query)$")


def _invokes_endpoint(name: str) -> bool:
    return _ENDPOINT_INVOCATION.search(name) is not None


def _service_uses_model(name: str) -> bool:
    return _calls_the_model(name) or any(name == lib or name.startswith(lib + ".") for lib in _GENERATION_LIBRARIES)


def _builds_a_model(name: str) -> bool:
    """A service function that builds the model object the route then calls (session 11: `load_engine`
    returning `NCFRankingInferenceComponent(k)` of `engines/ncf/inference/`): a model loader, or a
    class of a module named for inference/generation, or one named as a predictor (`SpamClassifier`).
    A class named only `...Model` is not enough here: services build ORM and pydantic models."""
    if _STARTUP_LOADER.search(name):
        return True
    module, _, last = name.rpartition(".")
    if not module or not last[:1].isupper():
        return False
    return (bool(_MODEL_CLASS.search(last)) and not last.endswith("Model")) or any(_MODEL_MODULE.match(part) for part in module.split("."))


# Rule `cloud function runs a model` (conventions §8 online serving, session 10): a serverless
# function's handler, or a same-file function it calls, uses the model itself: predicts, loads a
# model, asks a generation chain, or builds an object of a model class (`NewcastleDetector(...)`, whose
# `detect(image)` follows). Handlers: AWS Lambda / background Cloud Functions `(event,
# context)`, functions-framework, Azure Functions `main(req: func.HttpRequest)`, and a Google
# Cloud Functions HTTP entry point `def name(request)` in a `main.py` when the repository deploys
# Cloud Functions (`gcloud functions deploy`, Terraform `google_cloudfunctions*`). Handler files are
# found by the platforms' conventional names. A function that only moves files or starts a training
# job does not run the model.
_HANDLER_FILES = ("main.py", "handler.py", "handlers.py", "lambda_function.py", "lambda_handler.py", "function_app.py", "app.py", "__init__.py")
_DEPLOYS_FUNCTIONS = re.compile(r"functions\s+deploy\b|google_cloudfunctions2?_function")
MAX_HANDLER_FILES = 200


def _deploys_cloud_functions(repo: RepoIndex) -> bool:
    def find() -> bool:
        paths = [p for p in ci_file_paths(repo)] + repo.with_suffix(".sh", ".tf")[:MAX_HANDLER_FILES] + [
            c.path for c in cloud_build_configs(repo)
        ]
        return any(_DEPLOYS_FUNCTIONS.search(repo.text(p) or "") for p in paths if not is_test_path(p))

    return bool(repo.memo("deployment.deploys_cloud_functions", find))


def _gcf_http_entry(path: str, func: ast.FunctionDef | ast.AsyncFunctionDef, top_level: bool) -> bool:
    params = [a.arg for a in func.args.posonlyargs + func.args.args]
    return top_level and path.rsplit("/", 1)[-1] == "main.py" and params == ["request"]


# A handler's signature or framework in the text, tested before a file is parsed.
_HANDLER_TEXT = re.compile(r"def[ \t]+\w{1,100}\([ \t]*(?:event|data)[ \t]*(?::[^,\n]{0,200})?,[ \t]*context\b|functions_framework|HttpRequest|def[ \t]+\w{1,100}\([ \t]*request[ \t]*\)")


def _may_handle(text: str) -> bool:
    """A text test (`index.text_test`): only a file with a handler's text can be a conventional handler module."""
    return _HANDLER_TEXT.search(text) is not None


def _declared_handler_files(repo: RepoIndex) -> dict[str, set[str]]:
    """Handler modules the repository's function declarations name (`_lambdas`), by file: their functions."""
    declared: dict[str, set[str]] = {}
    for module, function in _lambdas.declared_handlers(repo):
        path = _resolve_file(repo, module)
        if path is not None and not is_test_path(path):
            declared.setdefault(path, set()).add(function)
    return declared


# Session 18: Azure Functions' Python v2 programming model binds each function to its trigger by a
# decorator of the `func.FunctionApp()` or of a `func.Blueprint()` it registers, in any module: an
# HTTP `route` or an event trigger (`queue_trigger`, `blob_trigger`, `event_hub_message_trigger`,
# `service_bus_queue_trigger` ...). A timer trigger runs on a schedule: that is batch scoring's question.
AZURE_FUNCTIONS_NEEDLE = "azure.functions"


def _azure_trigger(names: set[str]) -> bool:
    lasts = {name.rsplit(".", 1)[-1] for name in names if "." in name}
    return "route" in lasts or any(last.endswith("_trigger") and last != "timer_trigger" for last in lasts)


def _serverless_functions_running_a_model(repo: RepoIndex) -> list[Location]:
    declared = _declared_handler_files(repo)
    conventional = [p for p in repo.named(*_HANDLER_FILES) if not is_test_path(p) and not p.endswith(".ipynb") and p not in declared]
    azure = [s.path for s in repo.python_mentioning(AZURE_FUNCTIONS_NEEDLE) if not s.is_notebook and s.imports_module("azure.functions")]
    files = list(dict.fromkeys([*sorted(declared), *conventional, *(p for p in azure if not is_test_path(p))]))[:MAX_HANDLER_FILES]
    for path in files:
        if path not in declared and path not in azure and not repo.passes(path, text_test(_may_handle)):
            continue
        summary = repo.python(path)
        module = _inhouse.tree(repo, path)
        if summary is None or module is None:
            continue
        top = {node.name for node in module.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
        by_scope = _calls_by_scope(summary)
        for _, func in _inhouse.functions_of(repo, path):
            decorator_lines = {d.lineno for d in func.decorator_list}
            names = {d.name for d in summary.decorators if d.line in decorator_lines}
            handler = (func.name in declared.get(path, ()) and func.name in top) or _inhouse.event_handler(func, names) or (
                _gcf_http_entry(path, func, func.name in top) and _deploys_cloud_functions(repo)
            ) or (path in azure and _azure_trigger(names))
            if not handler:
                continue
            scopes, _ = _reach(by_scope, summary.functions, func.name)
            inside = [c for c in summary.calls if c.scope in scopes]
            use = next((c for c in inside if _calls_the_model(c.name)), None) or next((c for c in inside if _model_constructor(c.name)), None)
            if use is None:
                # Session 18: the model loaded once per execution environment, outside the handler (AWS
                # Lambda's best practice: "initialize SDK clients and database connections outside of the
                # function handler"), and called by it: `session.run(...)` of a module-level session.
                startup = _startup_models(summary)
                use = next((c for c in inside if _uses_startup_model(c.name, startup) or c.name in startup), None)
            if use is not None:
                return [at(path, func.lineno), at(path, use.line)]
    return []


def _entry_reaches(summary: PythonSummary) -> Iterator[tuple[int | None, str, list[str]]]:
    """(line, handler, the other names it and its same-file helpers call) of each request entry point
    of the file: decorated web routes, and (session 13) the handlers a framework registers without a
    decorator (`_handlers`: Django/DRF views, Channels consumers, Flask-RESTful resources, gRPC
    servicers...), which reach a service module the same way."""
    # Once per handler name (review13): calls are summarised by the bare name of the function they are
    # in, so every class's `receive` (or `get`) has the same reach, the calls of all of them; a file of
    # n such classes walked n times n calls. The first one's line is the one reported, as before.
    seen: set[str] = set()
    if summary.imports_module(*_WEB_FRAMEWORKS):
        for route, handler, _helpers, reached in _route_reaches(summary):
            if handler not in seen:
                seen.add(handler)
                yield route.line, handler, reached
    handlers = [(handler, line) for _owner, handler, line in _handlers.request_handlers(summary) if handler not in seen]
    if handlers:
        by_scope = _calls_by_scope(summary)
        for handler, line in handlers:
            if handler not in seen:
                seen.add(handler)
                yield line, handler, _reach(by_scope, summary.functions, handler)[1]


def _routes_through_services(repo: RepoIndex) -> list[Location]:
    followed = [0]  # project modules followed, over the whole scan
    judged: dict[tuple[str, str], Location | None] = {}
    needles = (*(n for n in _SERVING_NEEDLES if n.lower() in _WEB_FRAMEWORKS), *_handlers.NEEDLES)
    for summary in _inhouse.project_code(repo.python_mentioning(*needles)):
        injected: dict[str, dict[str, str]] | None = None
        for line, handler, reached in _entry_reaches(summary):
            if any("." in n and n.split(".", 1)[0] not in summary.imports for n in reached):
                if injected is None:
                    injected = _injected_services(summary)
                services = {**injected.get("", {}), **injected.get(handler, {})}  # the handler's parameters shadow module names
                found = _injected_service_use(repo, summary, services, reached, judged)
                if found is not None:
                    return [at(summary.path, line), found]
            if any(_modelapi.sends_a_request(n) for n in reached):  # session 16: the handler posts to a model's API itself
                api = _modelapi.model_api_line(repo.text(summary.path))
                if api is not None:
                    return [at(summary.path, line), at(summary.path, api)]
            queued = _queued_task_use(repo, summary, reached)
            if queued is not None:
                return [at(summary.path, line), queued]
            bound = _start_up_binding_use(repo, summary, handler, reached)
            if bound is not None:
                return [at(summary.path, line), bound]
            if followed[0] < MAX_SERVICE_MODULES:
                use = _service_chain_use(repo, summary, handler, reached, followed)
                if use is not None:
                    return [at(summary.path, line), use]
    return []


# Session 16: the project's own functions between a route and the model are followed across modules,
# a bounded number of hops (a view calls `jobs.start_deduplication`, which queues the Celery task
# `compare_images`, which calls `vision.detector.detect_faces`, which runs the network): at each hop a
# function imported from a project module (or called on one) is read with the same-file functions it
# calls, and the model's use is looked for there as for the first hop. Functions named for training or
# evaluation are not followed further (a route that retrains is not serving), nor tests.
MAX_SERVICE_HOPS = 3
_NOT_FOLLOWED = re.compile(r"^_*(train|fit|retrain|tune|evaluate|eval|test|benchmark|backtest)(_|$)", re.IGNORECASE)
# Calls that hand a function to a queue or a background runner, by reference (documented interfaces):
# FastAPI/Starlette `BackgroundTasks.add_task(func, *args)`, RQ `Queue.enqueue(f, ...)`,
# `enqueue_call(func=f)`, `enqueue_in(delay, f)`, `enqueue_at(when, f)`; the function runs the work.
_HANDOFF_CALLS = {"add_task": 0, "enqueue": 0, "enqueue_call": 0, "enqueue_in": 1, "enqueue_at": 1}
_HANDOFF_KEYWORDS = frozenset({"func", "f"})
_HANDOFF_TEXT = re.compile(r"\b(?:add_task|enqueue(?:_call|_in|_at)?)\b")


def _handed_off(repo: RepoIndex, summary: PythonSummary) -> dict[str, list[str]]:
    """Per function of the module: the functions it hands to a queue or background runner (see above),
    resolved through the module's imports (`score_document` -> `scoring.jobs.score_document`)."""

    def find() -> dict[str, list[str]]:
        if summary.is_notebook or not _HANDOFF_TEXT.search(repo.text(summary.path) or ""):
            return {}
        tree = _inhouse.tree(repo, summary.path)
        found: dict[str, list[str]] = {}
        for func in walk(tree) if tree is not None else ():
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in _own_nodes(func):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _HANDOFF_CALLS):
                    continue
                position = _HANDOFF_CALLS[node.func.attr]
                given = [node.args[position]] if len(node.args) > position else []
                given += [k.value for k in node.keywords if k.arg in _HANDOFF_KEYWORDS]
                for value in given:
                    name = _inhouse.dotted(value) if isinstance(value, (ast.Name, ast.Attribute)) else ""
                    if name:
                        last = name.rsplit(".", 1)[-1]
                        resolved = next((m for m in summary.imports if m.rsplit(".", 1)[-1] == last and "." in m), name)
                        found.setdefault(func.name, []).append(resolved)
        return found

    return repo.memo(f"deployment.handed_off:{summary.path}", find)  # type: ignore[no-any-return]


def _startup_model_call(repo: RepoIndex, module: PythonSummary, inside: list[Call]) -> Call | None:
    """A call of a module global start-up binds to a model: the object itself (`_llm(prompt)`) or one of
    its methods (`session.run(...)`, `_model.transcribe(path)`)."""
    if not inside:
        return None
    startup = repo.memo(f"deployment.startup_models:{module.path}", lambda: _startup_models(module))
    return next((c for c in inside if c.name in startup or _uses_startup_model(c.name, startup)), None)


def _project_function(repo: RepoIndex, summary: PythonSummary, name: str) -> tuple[str, str] | None:
    """(file, function) of the project function a resolved call name designates: a function imported
    from a project module (`from src.services.chat import stream_chat`) or called on an imported module
    (`score.get_scored(...)`), found as the module's file or its package's `__init__.py`."""
    module, _, function = name.rpartition(".")
    if not module or (name not in summary.imports and module not in summary.imports) or module.split(".", 1)[0] in _GENERATION_LIBRARIES:
        return None
    stem = module.replace(".", "/")
    path = _resolve_file(repo, stem + ".py") or _resolve_file(repo, stem + "/__init__.py")
    if path is None or path == summary.path or is_test_path(path):
        return None
    return path, function


def _service_chain_use(repo: RepoIndex, summary: PythonSummary, handler: str, reached: list[str], followed: list[int]) -> Location | None:
    """Where a project function the handler reaches (up to MAX_SERVICE_HOPS modules away) uses the model."""
    handed = _handed_off(repo, summary)
    frontier: list[tuple[PythonSummary, list[str]]] = [(summary, [*reached, *handed.get(handler, [])])]
    seen: set[tuple[str, str]] = set()
    for hop in range(MAX_SERVICE_HOPS):
        following: list[tuple[PythonSummary, list[str]]] = []
        for module, names in frontier:
            for name in dict.fromkeys(_unqueued(n) for n in names):
                target = _project_function(repo, module, name)
                if target is None or target in seen or (hop and _NOT_FOLLOWED.match(target[1])):
                    continue
                seen.add(target)
                followed[0] += 1
                service = repo.python(target[0])
                if service is not None and target[1] in service.functions:
                    scopes, _ = _reach(_calls_by_scope(service), service.functions, target[1])
                    inside = [c for c in service.calls if c.scope in scopes]
                    use = (
                        next((c for c in inside if _calls_the_model(c.name)), None)
                        or next((c for c in inside if _service_uses_model(c.name)), None)
                        or next((c for c in inside if _builds_a_model(c.name)), None)
                        or _startup_model_call(repo, service, inside)
                        or next((c for c in inside if _modelapi.sends_a_request(c.name) and _modelapi.model_api_line(repo.text(target[0]))), None)
                    )
                    if use is not None:
                        return at(target[0], use.line)
                    passed = _handed_off(repo, service)
                    following.append((service, [*(c.name for c in inside), *(n for scope in scopes for n in passed.get(scope, []))]))
                if followed[0] >= MAX_SERVICE_MODULES:
                    return None  # enough modules followed
        frontier = following
    return None


# Rule `route hands the request to a task queue's worker` (session 14, conventions §8 online serving,
# §13): web apps whose model is slow (a chain, transcription, a large classifier) queue each request's
# work and answer from the result: the route calls a task function of the project through the queue
# (Celery `predict_task.delay(x)` / `.apply_async(...)`, taskiq `.kiq(...)`, or
# `celery_app.send_task("process_audio_chunk", ...)` by its registered name) and the worker runs the
# task, which must use the model as a service function must (predicts, loads a model, asks a chain or
# calls a generation library). A route queueing a task that trains, sends mail or reads a database
# does not serve.
# Session 16: also Dramatiq's `actor.send(...)` / `send_with_options`, Celery signatures (`task.s(...)`,
# `.si`, `.signature`, run by a chain or group) and Huey's `task.schedule(...)`, by their documented names.
_QUEUE_CALLS = (".delay", ".apply_async", ".kiq", ".send", ".send_with_options", ".s", ".si", ".signature", ".schedule")
_TASK_DECORATORS = frozenset({"task", "shared_task"})
QUEUE_NEEDLES = ("celery", "arq")
# Calls sending a task by its registered name: Celery `app.send_task("name", ...)`, arq
# `redis.enqueue_job("function_name", ...)` (session 16: arq runs the worker's function of that name).
_SEND_BY_NAME = ("send_task", "enqueue_job")


def _unqueued(name: str) -> str:
    """`app.tasks.predict_task.delay` -> `app.tasks.predict_task`: the task function a queue call runs."""
    return next((name.removesuffix(q) for q in _QUEUE_CALLS if name.endswith(q) and name.count(".") > 1), name)


def _celery_tasks(repo: RepoIndex) -> dict[str, tuple[PythonSummary, str]]:
    """The project's Celery tasks by the names they are sent by (the function's name, or the `name=`
    its decorator registers): name -> (module, function)."""

    def find() -> dict[str, tuple[PythonSummary, str]]:
        tasks: dict[str, tuple[PythonSummary, str]] = {}
        for summary in _inhouse.project_code(repo.python_mentioning(*QUEUE_NEEDLES)):
            if summary.is_notebook:
                continue
            if summary.imports_module("arq"):  # an arq worker module: its functions run by name (`WorkerSettings.functions`)
                for function in summary.functions:
                    tasks.setdefault(function, (summary, function))
            if not summary.imports_module("celery"):
                continue
            defs = sorted((line, name) for name, line in summary.functions.items() if line is not None)
            lines = [line for line, _ in defs]
            for decorator in summary.decorators:
                after = bisect.bisect_right(lines, decorator.line) if decorator.line is not None else len(defs)
                if decorator.name.rsplit(".", 1)[-1] not in _TASK_DECORATORS or after == len(defs):
                    continue
                function = defs[after][1]
                registered = dict(decorator.keywords).get("name")
                for key in (function, registered.rsplit(".", 1)[-1] if isinstance(registered, str) else None):
                    if key:
                        tasks.setdefault(key, (summary, function))
        return tasks

    return repo.memo("deployment.celery_tasks", find)  # type: ignore[no-any-return]


def _queued_task_use(repo: RepoIndex, summary: PythonSummary, reached: list[str]) -> Location | None:
    """Where the task a route sends by name (`send_task("name", ...)`) uses the model, if it does."""
    if not any(name.endswith(_SEND_BY_NAME) for name in reached):
        return None
    # The same for every route of the module: found once per module, each task judged once.
    return repo.memo(f"deployment.queued_task_use:{summary.path}", lambda: _sent_task_use(repo, summary))  # type: ignore[no-any-return]


def _sent_task_use(repo: RepoIndex, summary: PythonSummary) -> Location | None:
    tasks = _celery_tasks(repo)
    judged: set[str] = set()
    for call in summary.calls:
        sent = call.args[0] if call.name.endswith(_SEND_BY_NAME) and call.args else None
        name = sent.rsplit(".", 1)[-1] if isinstance(sent, str) else None
        task = tasks.get(name) if name is not None and name not in judged else None
        if task is not None:
            judged.add(name)  # type: ignore[arg-type]
            module, function = task
            scopes, _ = _reach(_calls_by_scope(module), module.functions, function)
            inside = [c for c in module.calls if c.scope in scopes]
            use = next((c for c in inside if _service_uses_model(c.name) and not _STORAGE_VERB.search(c.name.rsplit(".", 1)[-1])), None) or _startup_model_call(
                repo, module, inside
            )
            if use is not None:
                return at(module.path, use.line)
    return None


# Rule `route calls an injected service` (session 12, conventions §13: an LLM/RAG application's model
# is its chain): layered web apps hand the route its service object by dependency injection - a
# parameter annotated with the service's class (`workflow: ChatWorkflowDep` where `ChatWorkflowDep =
# Annotated[ChatWorkflow, Depends(get_chat_workflow)]`, `use_case: AnswerQueryUseCase =
# Depends(...)`) - and the route calls one of its methods (`workflow.handle_query(q)`). The class is
# imported from a project module; the method (with the methods it calls on `self`) must use the
# model as a service function must (`_calls_the_model`, `_service_uses_model`: predicts, loads a
# model, asks a chain/agent, calls a generation library), directly or through one call on an
# attribute named for generation (`self.llm_service.generate(...)`). A session or repository object
# that reads the database is not the model.
_ANNOTATED = frozenset({"Annotated", "typing.Annotated", "typing_extensions.Annotated"})


def _annotation_class(node: ast.expr | None, aliases: dict[str, str]) -> str | None:
    if node is None:
        return None
    if isinstance(node, ast.Subscript) and _inhouse.dotted(node.value) in _ANNOTATED:
        first = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) and node.slice.elts else node.slice
        return _annotation_class(first, aliases)
    name = _inhouse.dotted(node) if isinstance(node, (ast.Name, ast.Attribute)) else ""
    return aliases.get(name, name) or None


def _injected_services(summary: PythonSummary) -> dict[str, dict[str, str]]:
    """For each function of the module: its parameters annotated with an imported class, as
    {parameter: the class's dotted import name}; under `""`, the module's own names bound at import
    time to an instance of an imported class (session 13: `chat_service = ChatService(settings)`,
    whose methods the routes call as an injected service's)."""
    tree = summary.source.tree() if summary.source is not None and not summary.is_notebook else None
    if tree is None:
        return {}
    by_last = {m.rsplit(".", 1)[-1]: m for m in summary.imports if "." in m}
    aliases: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            target = _annotation_class(node.value, {}) if isinstance(node.value, ast.Subscript) else None
            if target:
                aliases[node.targets[0].id] = target
    found: dict[str, dict[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Call):
            cls = _inhouse.dotted(node.value.func) if isinstance(node.value.func, (ast.Name, ast.Attribute)) else ""
            last = cls.split(".")[-1]
            if last[:1].isupper() and last in by_last:
                found.setdefault("", {})[node.targets[0].id] = by_last[last]
    for node in walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for arg in node.args.args + node.args.kwonlyargs:
                cls = _annotation_class(arg.annotation, aliases)
                if cls and cls[:1].isupper() and cls.split(".")[-1] in by_last:
                    found.setdefault(node.name, {})[arg.arg] = by_last[cls.split(".")[-1]]
            # Session 14: a service object the handler builds itself (`chat = GoogleChat()` then
            # `await chat.handle_event(event)`), as a module builds one at import time.
            for statement in node.body:
                if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name) and isinstance(statement.value, ast.Call):
                    last = _inhouse.dotted(statement.value.func).split(".")[-1] if isinstance(statement.value.func, (ast.Name, ast.Attribute)) else ""
                    if last[:1].isupper() and last in by_last:
                        found.setdefault(node.name, {}).setdefault(statement.targets[0].id, by_last[last])
    return found


MAX_REEXPORTS = 3  # package `__init__.py` files re-exporting a class, followed to where it is defined


def _class_module(repo: RepoIndex, importer: str, dotted: str) -> PythonSummary | None:
    """The project module defining the class `dotted` names (`pkg.usecases.AnswerQueryUseCase`),
    through packages that re-export it (`from .chat import AnswerQueryUseCase` in `__init__.py`)."""
    module, _, cls = dotted.rpartition(".")
    stem = module.replace(".", "/")
    path = _resolve_file(repo, stem + ".py") or _resolve_file(repo, stem + "/__init__.py")
    for _ in range(MAX_REEXPORTS):
        found = repo.python(path) if path is not None and path != importer and not is_test_path(path) else None
        if found is None:
            return None
        if any(c == cls for c, _, _, _ in found.classes):
            return found
        path = _reexported_from(repo, path, cls)
    return None


def _reexported_from(repo: RepoIndex, path: str, cls: str) -> str | None:
    """The file a module imports `cls` from (absolute or relative `from ... import cls`), if in the project."""
    tree = _inhouse.tree(repo, path)
    for node in tree.body if tree is not None else []:
        if not isinstance(node, ast.ImportFrom) or not any(a.name == cls for a in node.names):
            continue
        target = (node.module or "").replace(".", "/")
        if node.level:
            base = path.rsplit("/", 1)[0] if "/" in path else ""
            for _ in range(node.level - 1):
                base = base.rsplit("/", 1)[0] if "/" in base else ""
            stem = "/".join(p for p in (base, target) if p)
            return next((c for c in (stem + ".py", stem + "/__init__.py") if repo.exists(c)), None)
        return _resolve_file(repo, target + ".py") or _resolve_file(repo, target + "/__init__.py")
    return None


def _injected_service_use(
    repo: RepoIndex, summary: PythonSummary, params: dict[str, str], reached: list[str], judged: dict[tuple[str, str], Location | None]
) -> Location | None:
    """`judged`: (service file, method) -> where the method uses the model, kept across the routes and
    files of one scan: every route calling the same service method re-walked the service's calls
    (review12: 2,000 such routes over a service of 2,000 calls took 23 s)."""
    classes: dict[str, PythonSummary | None] = {}
    for name in dict.fromkeys(reached):
        receiver, _, method = name.partition(".")
        if receiver not in params or "." in method:
            continue
        if params[receiver] not in classes:
            classes[params[receiver]] = _class_module(repo, summary.path, params[receiver])
        service = classes[params[receiver]]
        if service is None:
            continue
        key = (service.path, method)
        if key not in judged:
            scopes, _ = _reach(_calls_by_scope(service), service.functions, method)
            inside = [c for c in service.calls if c.scope in scopes]
            use = next((c for c in inside if _service_uses_model(c.name) and not _STORAGE_VERB.search(c.name.rsplit(".", 1)[-1])), None)
            if use is None and not _STORAGE_VERB.search(method):
                use = _bound_attribute_use(repo, service, scopes, inside)
            judged[key] = at(service.path, use.line) if use is not None else None
        if judged[key] is not None:
            return judged[key]
    return None


# Session 15: judge what a name is bound to, not how it is spelled. A route's service object, shared
# state entry or module global is a model when the value start-up binds to it holds one:
# - a value holds a model when the calls that build it (its whole expression, nested arguments
#   included) load or build one (`_model_constructor`: loaders, model classes; a generation library's
#   client such as `Anthropic()`; `XModel.load(path)`), when an argument is a name the same function
#   (or the class's `__init__`, for `self.x`) bound to such a value, or when it is an instance of a
#   project class whose methods call a model (`predict*`, a chain, a generation library);
# - a service class's method that reaches an attribute `__init__` bound to such a value
#   (`self.planner.make_plan(q)` with `self.planner = Planner(self.client)`, `self.client =
#   OpenAI()`; `self.net(image)` with `self.net = torch.jit.load(path)`) uses the model;
# - a route that calls a method of `app.state.X` / `request.app.state.X` uses the model when some
#   start-up code of the project assigns `<app>.state.X` such a value, whatever X is called;
# - a route that calls a method of another project module's global (`boot.SCORER.evaluate(...)`)
#   uses the model when that module binds the global to a model at import time or in a hook
#   (`_startup_models`).
# Storage and bookkeeping methods are not the model's use. One hop each; no tree walk.
_CLASS_LOADER = re.compile(r"(?:^|\.)[A-Z]\w*(?:Model|Predictor|Classifier|Regressor|Pipeline|Ensemble|Forecaster)\.(?:load|from_pretrained|load_model|from_file)$")
MAX_BINDING_DEPTH = 3


def _builds_model(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    if _STORAGE_VERB.search(last) and not _STARTUP_LOADER.search(name):
        return False
    return _model_constructor(name) or bool(_CLASS_LOADER.search(name)) or any(name == lib or name.startswith(lib + ".") for lib in _GENERATION_LIBRARIES)


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _own_nodes(func: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function's body, not those of the functions or classes nested in it (each walked
    as its own scope: walking every function's subtree walked a chain of nested functions n^2/2 times)."""
    todo = list(ast.iter_child_nodes(func))
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, _SCOPES):
            todo.extend(ast.iter_child_nodes(node))


def _function_bindings(func: ast.AST) -> dict[str, ast.expr]:
    """Names (and `self.x` attributes) a function assigns, to the value of their first assignment."""
    bound: dict[str, ast.expr] = {}
    for node in sorted((n for n in _own_nodes(func) if isinstance(n, ast.Assign)), key=lambda n: (n.lineno, n.col_offset)):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            key = target.id if isinstance(target, ast.Name) else _inhouse.dotted(target) if isinstance(target, ast.Attribute) else ""
            if key:
                bound.setdefault(key, node.value)
    return bound


def _holds_model(repo: RepoIndex, summary: PythonSummary, value: ast.expr, bound: dict[str, ast.expr], depth: int = 0) -> bool:
    """Whether the value an expression builds holds a model (see the rule above)."""
    if depth > MAX_BINDING_DEPTH:
        return False
    if isinstance(value, (ast.Name, ast.Attribute)):
        key = _inhouse.dotted(value)
        return key in bound and _holds_model(repo, summary, bound[key], bound, depth + 1)
    if not isinstance(value, ast.Call):
        return False
    # The calls building the value, nested arguments included, by line (one pass over the file's calls).
    builders = repo.memo(f"deployment.model_builder_lines:{summary.path}", lambda: frozenset(c.line for c in summary.calls if _builds_model(c.name)))
    if any(line in builders for line in range(value.lineno, (value.end_lineno or value.lineno) + 1)):
        return True
    arguments = [*value.args, *(k.value for k in value.keywords)]
    if any(_holds_model(repo, summary, a, bound, depth + 1) for a in arguments if isinstance(a, (ast.Name, ast.Attribute))):
        return True
    name = _inhouse.dotted(value.func) if isinstance(value.func, (ast.Name, ast.Attribute)) else ""
    return _project_class_calls_model(repo, summary, name)


def _project_class_calls_model(repo: RepoIndex, summary: PythonSummary, name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    dotted = next((m for m in summary.imports if m.rsplit(".", 1)[-1] == last and "." in m), None) if last[:1].isupper() else None
    if dotted is None:
        return False

    def judge() -> bool:
        module = _class_module(repo, summary.path, dotted)
        if module is None:
            return False
        methods = next((set(m) for c, _, _, m in module.classes if c == last), set())
        return any(c.scope in methods and _service_uses_model(c.name) and not _STORAGE_VERB.search(c.name.rsplit(".", 1)[-1]) for c in module.calls)

    return bool(repo.memo(f"deployment.class_calls_model:{summary.path}:{dotted}", judge))


def _bound_attribute_use(repo: RepoIndex, service: PythonSummary, scopes: set[str], inside: list[Call]) -> Call | None:
    """A call of the method's reach on an attribute `__init__` bound to a model (see the rule above)."""
    attributes = {c.name[1:].split(".", 1)[0]: c for c in inside if c.name.startswith(".") and len(c.name) > 1}
    for methods, bound in _init_bindings(repo, service.path) if attributes else ():
        if not scopes & methods:
            continue
        for attribute, call in attributes.items():
            value = bound.get(f"self.{attribute}")
            if value is not None and _holds_model(repo, service, value, bound):
                return call
    return None


def _init_bindings(repo: RepoIndex, path: str) -> list[tuple[frozenset[str], dict[str, ast.expr]]]:
    """Per class of the module: its method names and what its `__init__` binds (read once per module)."""

    def find() -> list[tuple[frozenset[str], dict[str, ast.expr]]]:
        tree = _inhouse.tree(repo, path)
        found = []
        for node in walk(tree) if tree is not None else ():
            if isinstance(node, ast.ClassDef):
                functions = [f for f in node.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))]
                init = next((f for f in functions if f.name == "__init__"), None)
                found.append((frozenset(f.name for f in functions), _function_bindings(init) if init is not None else {}))
        return found

    return repo.memo(f"deployment.init_bindings:{path}", find)  # type: ignore[no-any-return]


def _state_bindings(repo: RepoIndex) -> dict[str, Location]:
    """Shared-state keys (`<app>.state.X = value`) the project's web code binds to a model, with where."""

    def find() -> dict[str, Location]:
        found: dict[str, Location] = {}
        for summary in _inhouse.project_code(repo.python_mentioning(*(n for n in _SERVING_NEEDLES if n.lower() in _WEB_FRAMEWORKS))):
            text = repo.text(summary.path) or ""
            if ".state." not in text or summary.is_notebook:
                continue
            tree = _inhouse.tree(repo, summary.path)
            for func in walk(tree) if tree is not None else ():
                if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                bound: dict[str, ast.expr] | None = None
                for node in _own_nodes(func):
                    if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Attribute)):
                        continue
                    target = node.targets[0]
                    if not (isinstance(target.value, ast.Attribute) and target.value.attr == "state") or target.attr in found:
                        continue
                    bound = _function_bindings(func) if bound is None else bound
                    if _holds_model(repo, summary, node.value, bound):
                        found[target.attr] = at(summary.path, node.lineno)
        return found

    return repo.memo("deployment.state_bindings", find)  # type: ignore[no-any-return]


def _returns_first_parameter(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A guard or getter that hands back what it was given (`def check(service): if service is None: raise ...; return service`)."""
    params = func.args.posonlyargs + func.args.args
    if not params:
        return False
    returns = [n for n in _own_nodes(func) if isinstance(n, ast.Return) and n.value is not None]
    return bool(returns) and all(isinstance(r.value, ast.Name) and r.value.id == params[0].arg for r in returns)


def _handler_aliases(repo: RepoIndex, summary: PythonSummary) -> dict[str, dict[str, str]]:
    """Per function of the module: its local names bound to a module attribute (`svc = main.service`),
    directly or through a same-file function returning its first argument (`svc = check(main.service)`),
    as {local: the attribute's dotted name, its module resolved through the imports}."""

    def find() -> dict[str, dict[str, str]]:
        tree = _inhouse.tree(repo, summary.path)
        if tree is None or summary.is_notebook:
            return {}
        functions = [n for n in walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        passing = {f.name for f in functions if _returns_first_parameter(f)}
        found: dict[str, dict[str, str]] = {}
        for func in functions:
            for node in _own_nodes(func):
                if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
                    continue
                value = node.value
                if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in passing and value.args:
                    value = value.args[0]
                name = _inhouse.dotted(value) if isinstance(value, ast.Attribute) else ""
                head, _, rest = name.partition(".")
                module = next((m for m in summary.imports if m == head or m.endswith("." + head)), None) if rest else None
                if module is not None:
                    found.setdefault(func.name, {})[node.targets[0].id] = f"{module}.{rest}"
        return found

    return repo.memo(f"deployment.handler_aliases:{summary.path}", find)  # type: ignore[no-any-return]


def _global_holds_model(repo: RepoIndex, module: PythonSummary, name: str) -> int | None:
    """The line where a module binds its global `name` to a value holding a model, at import time or in
    a function declaring it `global` (a lifespan or start-up hook); judged once per module and name."""
    return repo.memo(f"deployment.global_holds_model:{module.path}:{name}", lambda: _judge_global(repo, module, name))  # type: ignore[no-any-return]


def _judge_global(repo: RepoIndex, module: PythonSummary, name: str) -> int | None:
    if name in _startup_models(module):
        return module.functions.get(name) or 1
    tree = _inhouse.tree(repo, module.path)
    if tree is None:
        return None
    top = _function_bindings(ast.Module(body=[n for n in tree.body if isinstance(n, ast.Assign)], type_ignores=[]))
    if name in top and _holds_model(repo, module, top[name], top):
        return top[name].lineno
    for func in tree.body:
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(isinstance(n, ast.Global) and name in n.names for n in _own_nodes(func)):
            bound = _function_bindings(func)
            if name in bound and _holds_model(repo, module, bound[name], bound):
                return bound[name].lineno
    return None


def _start_up_binding_use(repo: RepoIndex, summary: PythonSummary, handler: str, reached: list[str]) -> Location | None:
    """Where start-up binds the shared-state entry or module global a route calls a method of to a model."""
    aliases: dict[str, str] | None = None
    for name in dict.fromkeys(reached):
        receiver, _, method = name.rpartition(".")
        if receiver and name in summary.imports:  # session 16: an imported module global called itself (`yolo(image)`)
            path = _resolve_file(repo, receiver.replace(".", "/") + ".py")
            module = repo.python(path) if path is not None and path != summary.path and not is_test_path(path) else None
            line = _global_holds_model(repo, module, method) if module is not None else None
            if line is not None:
                return at(module.path, line)  # type: ignore[union-attr]
        if not receiver or _STORAGE_VERB.search(method) or _NOT_GENERATION.match(method):
            continue
        if "." not in receiver:
            aliases = _handler_aliases(repo, summary).get(handler, {}) if aliases is None else aliases
            receiver = aliases.get(receiver, receiver)
        head, _, attribute = receiver.rpartition(".")
        if head.endswith("state") and (head == "state" or head.endswith(".state")):
            if ".state." in (repo.text(summary.path) or "") and attribute in _state_bindings(repo):
                return _state_bindings(repo)[attribute]
        elif head and head in summary.imports:
            path = _resolve_file(repo, head.replace(".", "/") + ".py")
            module = repo.python(path) if path is not None and path != summary.path and not is_test_path(path) else None
            line = _global_holds_model(repo, module, attribute) if module is not None else None
            if line is not None:
                return at(module.path, line)  # type: ignore[union-attr]
    return None


# Rule `route encodes the query with an embedding model` (session 10): a search route embeds the
# request (`embed(query_text)`, `embed_query(q)`) before looking up neighbours: the embedding model
# answers each request, as a classifier does. Only `embed` as a verb on text, queries, images or
# documents (not `embed_video` of a page).
_EMBEDS = re.compile(r"^_*embed(?:_(?:query|queries|text|texts|image|images|document|documents|sentence|sentences|batch))?$", re.IGNORECASE)


# Rule `route uses a model built at start-up` (session 10): the web module builds a model object at
# import time (`inquirer = Inquirer(**config)` of `statschat.generative.llm`, `model = joblib.load(...)`,
# `classifier = pipeline("sentiment-analysis")`) and a route calls one of its methods
# (`inquirer.make_query(question)`). A model object: a model loader's result, or an instance of a
# class that a module named for models or generation defines (`*.llm.Inquirer`, `*.inference.Runner`)
# or whose name says so (`CaptionModel`, `SpamClassifier`, `ObjectDetector`, `RAGAgent`). Storage
# and bookkeeping methods (`save`, `get_`, `to_dict`) are not its use.
_STARTUP_LOADER = re.compile(
    r"(^|\.)(load_model|from_pretrained|load_from_checkpoint|load_learner)$|^(joblib|pickle|torch|torch\.jit|dill|cloudpickle)\.load$"
    r"|^transformers\.pipeline$|^sentence_transformers\.SentenceTransformer$|^ultralytics\.YOLO$|^onnxruntime\.InferenceSession$"
)
_MODEL_MODULE = re.compile(r"^(llms?|generative|generation|inference|predictors?|classifiers?|rag|agents?|chains?|serving|nlp)$", re.IGNORECASE)
_MODEL_CLASS = re.compile(r"(Model|Predictor|Classifier|Detector|Captioner|Recognizer|Segmenter|Forecaster|Recommender|Embedder|Agent|Chain|Generator|Inferencer)$")


def _model_constructor(name: str) -> bool:
    if _STARTUP_LOADER.search(name) or _modeluse.library_model(name):
        return True
    module, _, last = name.rpartition(".")
    if not module or not last[:1].isupper():
        return False
    return bool(_MODEL_CLASS.search(last)) or any(_MODEL_MODULE.match(part) for part in module.split("."))


def _startup_models(summary: PythonSummary) -> frozenset[str]:
    """Names the module binds at import time to a model object (see the rule above), and (session 14)
    module globals a top-level function binds to one (`global model` then `model = joblib.load(...)`
    in a FastAPI lifespan or start-up hook, a Flask `before_first_request`, a `load_model()` the
    app calls once): the routes call the same module-level object."""
    tree = summary.source.tree() if summary.source is not None and not summary.is_notebook else None
    if tree is None:
        return frozenset()
    by_line: dict[int | None, list[str]] = {}
    hooks = {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    for call in summary.calls:
        if call.scope is None or call.scope in hooks:
            by_line.setdefault(call.line, []).append(call.name)
    names = set()
    pending: list[ast.stmt] = list(tree.body)
    for hook in hooks.values():
        declared = {name for node in hook.body if isinstance(node, ast.Global) for name in node.names}
        if declared:  # only a hook's assignments to the names it declares global reach the module
            pending += [node for node in walk(hook) if isinstance(node, (ast.Assign, ast.AnnAssign))
                        and all(isinstance(t, ast.Name) and t.id in declared for t in (node.targets if isinstance(node, ast.Assign) else [node.target]))]
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.If, ast.Try)):
            pending.extend(node.body + node.orelse + getattr(node, "finalbody", []) + [s for h in getattr(node, "handlers", []) for s in h.body])
            continue
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        span = range(value.lineno, (value.end_lineno or value.lineno) + 1) if isinstance(value, ast.Call) else range(0)
        if not any(_model_constructor(n) for line in span for n in by_line.get(line, [])):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]  # type: ignore[union-attr]
        names.update(t.id for t in targets if isinstance(t, ast.Name))
    return frozenset(names)


def _uses_startup_model(name: str, startup: frozenset[str]) -> bool:
    receiver, _, method = name.rpartition(".")
    return receiver in startup and not _NOT_GENERATION.match(method) and not _STORAGE_VERB.search(method)


# Rule `route calls a prediction module` (session 10): the handler calls a function of a project
# module named for prediction (`from bajor.batch import predictions` ... `predictions.schedule_job(...)`,
# `inference.run_batch(...)`): the module is the model's use, whatever its functions are called.
# Only a name resolved through an import (a local list called `predictions` is data), and not a
# storage or training verb (`predictions.get_all()` reads stored predictions).
_PREDICTION_MODULE = re.compile(r"^(predictions?|predictors?|inferences?|serving|recommenders?)$", re.IGNORECASE)  # session 14: recommenders


def _in_prediction_module(name: str, summary: PythonSummary) -> bool:
    module, _, function = name.rpartition(".")
    if not module or module not in summary.imports or not _PREDICTION_MODULE.match(module.rsplit(".", 1)[-1]):
        return False
    return not (_STORAGE_VERB.search(function) or _TRAINING_VERB.search(function))


_SELDON_MICROSERVICE = re.compile(r"seldon-core-microservice[\"',\s]+([A-Za-z_][A-Za-z0-9_.]*)")  # shell or exec form
_S2I_MODEL = re.compile(r"^MODEL_NAME\s*=\s*['\"]?([A-Za-z_][A-Za-z0-9_.]*)", re.MULTILINE)


def _wrapped_model_classes(repo: RepoIndex) -> list[Location]:
    """Rule `model class wrapped for a serving image`: a Seldon Python wrapper - the serving image
    names a class (`seldon-core-microservice Churn` in a Dockerfile, `MODEL_NAME=Churn` in
    .s2i/environment) and the project defines that class with a predict/predict_proba method. A
    class with predict that no serving image names is only a model class."""
    named: dict[str, Location] = {}
    for path in dockerfiles(repo):
        for number, line in repo.meaningful_lines(path):
            match = _SELDON_MICROSERVICE.search(line)
            if match:
                named.setdefault(match.group(1).rsplit(".", 1)[-1], at(path, number))
    for path in repo.glob("**/.s2i/environment"):
        text = repo.text(path) or ""
        match = _S2I_MODEL.search(text)
        if match and "SERVICE_TYPE=MODEL" in text.replace(" ", ""):
            named.setdefault(match.group(1).rsplit(".", 1)[-1], at(path, 1))
    hits = []
    for summary in _inhouse.project_code(repo.python_scan(*sorted(named))) if named else []:
        for name, _bases, line, methods in summary.classes:
            if name in named and {"predict", "predict_proba", "predict_raw"} & set(methods):
                hits += [at(summary.path, line), named[name]]
    return hits


# Rule `deployed model UI` (conventions §8, session 10): a Streamlit or Gradio page counts when the
# repository deploys it: a docker-compose service runs it (`streamlit run src_app/app.py` in the
# service's command, in the CMD/ENTRYPOINT of the Dockerfile it builds, or in the shell script that
# Dockerfile copies and starts), and the page reaches a model: it, or a project module it imports,
# predicts (`model.predict`, `pipeline(...)`-style calls named for prediction, a model loader) or
# asks a generation chain or agent (`agent.run(prompt)`, `rag_chain.invoke(q)`). A page nothing
# deploys, or one showing data without a model, is not serving.
# Bounded and unambiguous (an option's characters never include a separator), so a hostile command
# line cannot make the search backtrack without end.
_STREAMLIT_RUN = re.compile(r"""streamlit["',\s\\]{1,20}run["',\s\\]{1,20}(?:["']?--[^\s"',\\]{1,200}["',\s\\]{1,20}){0,30}["']?([\w./-]{1,300}\.py)""")
_GRADIO_RUN = re.compile(r"""(?:^|[\s"'\[,])(?:python3?|uv\s+run\s+python|gradio)["',\s]+([\w./-]+\.py)""")
# Session 15: other page frameworks' run commands (`chainlit run page.py`, `solara run page.py`, `panel
# serve page.py`), and pages a script start runs (`python page.py`) drawn by any page framework the page
# imports (Gradio, Dash, NiceGUI, Panel, Chainlit, Solara, Streamlit).
_PAGE_RUN = re.compile(r"""(?:^|[\s"'\[,])(chainlit|solara|panel)["',\s\\]{1,20}(?:run|serve)["',\s\\]{1,20}(?:["']?--?[^\s"',\\]{1,200}["',\s\\]{1,20}){0,30}["']?([\w./-]{1,300}\.py)""")
_PAGE_IMPORT = re.compile(r"^[^\S\n]*(?:from|import)[^\S\n]+(gradio|dash|nicegui|panel|chainlit|solara|streamlit)\b", re.MULTILINE)
_SCRIPT_WORD = re.compile(r"""([\w./-]+\.sh)\b""")
_MODEL_LOADERS = re.compile(r"(^|\.)(load_model|from_pretrained|load_from_checkpoint|load_learner)$")
MAX_IMPORTED_MODULES = 20  # project modules of a page looked into for the model's use


def _service_commands(repo: RepoIndex, compose: str, service: dict[str, Any], name: str = "") -> list[str]:
    """The texts that may start a compose service: its command/entrypoint, the CMD/ENTRYPOINT of the
    Dockerfile it builds - or, for a service naming only an `image:`, of the repository Dockerfile a
    build command of the repository tags with that image (session 15) - and the shell scripts that
    Dockerfile copies and starts."""
    command = service.get("command") or service.get("entrypoint") or ""
    texts = [command_text(command)]
    built = _build_dockerfile(compose, service)
    if built is None and isinstance(service.get("image"), str):
        path = _deployers.built_dockerfile(repo, service["image"])
        paths = [path] if path else _deployers.named_dockerfiles(repo, service["image"], f"{name} {service.get('container_name') or ''}")
        for path in paths[:3]:
            texts += _image_commands(repo, path.rsplit("/", 1)[0] if "/" in path else "", path)
        return texts
    path = build_file(repo, built[1]) if built is not None else None  # `Dockerfile`, or Docker's lowercase `dockerfile`
    if built is None or path is None:
        return texts
    return texts + _image_commands(repo, built[0], path)


def _image_commands(repo: RepoIndex, folder: str, path: str) -> list[str]:
    """A repository Dockerfile's text (its CMD/ENTRYPOINT start the container) and the shell scripts it
    copies and starts."""
    lines = repo.meaningful_lines(path)
    starts = _deployers.dockerfile_starts(repo, path)
    texts = [repo.text(path) or ""]
    started = {m.group(1).rsplit("/", 1)[-1] for m in _SCRIPT_WORD.finditer(starts)}
    for _, line in lines:
        words = line.split()
        if words and words[0].upper() in ("COPY", "ADD") and len(words) >= 3:
            for source in words[1:-1]:
                if source.endswith(".sh") and source.rsplit("/", 1)[-1] in started:
                    script = _relative(folder, source)
                    if script is not None and repo.exists(script):
                        texts.append(repo.text(script) or "")
    return texts


_resolve_file = _batchscoring.resolve_file


def _reaches_a_model_in(summary: PythonSummary) -> int | None:
    return next((call.line for call in summary.calls if _calls_the_model(call.name)), None)


def _page_reaches_a_model(repo: RepoIndex, path: str) -> Location | None:
    summary = repo.python(path)
    if summary is None:
        return None
    line = _reaches_a_model_in(summary)
    if line is not None:
        return at(path, line)
    modules = sorted(m for m in summary.imports if "." in m or repo.exists(m + ".py"))
    looked = 0
    for module in modules:
        found = _resolve_file(repo, module.replace(".", "/") + ".py")
        if found is None or found == path or is_test_path(found):
            continue
        looked += 1
        imported = repo.python(found)
        line = _reaches_a_model_in(imported) if imported is not None else None
        if line is not None:
            return at(found, line)
        if looked >= MAX_IMPORTED_MODULES:
            break
    return None


def _ui_launches(repo: RepoIndex) -> Iterator[tuple[Location, list[str]]]:
    """(deployment artefact, texts that may start what it runs) for every deployer of the repository
    (session 15: any deployment declaration is a deployer): compose services; Kubernetes workloads
    (container command/args, or the repository Dockerfile their image is built from); container
    services declared in Terraform/Bicep (their command/args); platform descriptors (Procfile, Render,
    App Engine, Railway, Fly.io)."""
    for compose, doc, name, service in _services_of_compose_files(repo, repo.glob(*(f"**/{pattern}" for pattern in _COMPOSE_FILES))):
        pos = doc.locate(("services", name))
        yield at(compose, pos[0] if pos else None), _service_commands(repo, compose, service, name)
    images = bool(_deployers.built_images(repo))
    for path, doc in manifest_documents(repo, must_match=lambda p, text: _may_run_a_script(text, images)):
        if _deployers.DEMO_FOLDER.search(path) or _TEMPLATE_SEGMENT.search(path):
            continue
        for line, image in _deployers.kubernetes_launches(doc.data):
            texts = [line] if line else []
            dockerfile = _deployers.built_dockerfile(repo, image) if not line else None
            if dockerfile:
                texts += _image_commands(repo, dockerfile.rsplit("/", 1)[0] if "/" in dockerfile else "", dockerfile)
            if texts:
                yield at(path, _line(doc, "kind")), texts
    for path in repo.with_suffix(".tf", ".bicep"):
        if repo.size(path) > MANIFEST_MAX_BYTES or not _deployers.kept(path) or not repo.mentions(path, (".py",)):
            continue
        serving = _TF_SERVING if path.endswith(".tf") else _BICEP_SERVING
        if any(serving.match(line) for _, line in repo.meaningful_lines(path, comment="#" if path.endswith(".tf") else "//")):
            for number, command in _deployers.iac_commands(repo, path):
                yield at(path, number), [command]
    for _, where, command in _deployers.platform_launches(repo):
        yield where, [command]


def _may_run_a_script(text: str, images: bool) -> bool:
    """A Kubernetes workload that may start a Python page: its text names a `.py` file, or an image
    of the repository may be named (some build command tags one)."""
    return (images or ".py" in text) and _deployers.WORKLOAD_TEXT.search(text) is not None


def _drawn_by(text: str, framework: str | None) -> bool:
    """Whether a page's text is drawn by the framework its command runs, or (a script start) by any
    page framework it imports."""
    if framework is not None:
        return framework in text
    return _PAGE_IMPORT.search(text) is not None


def _deployed_ui_apps(repo: RepoIndex) -> list[Location]:
    for where, texts in _ui_launches(repo):
        for text in texts:
            pages = [(m.group(1), "streamlit") for m in _STREAMLIT_RUN.finditer(text)]
            pages += [(m.group(2), m.group(1)) for m in _PAGE_RUN.finditer(text)]
            pages += [(m.group(1), None) for m in _GRADIO_RUN.finditer(text)]
            for target, framework in pages:
                page = _resolve_file(repo, target)
                if page is None or is_test_path(page) or not _drawn_by(repo.text(page) or "", framework):
                    continue
                reached = _page_reaches_a_model(repo, page)
                if reached is not None:
                    return [where, reached]
    return _hugging_face_space(repo)


# Rule `Hugging Face Space` (session 14, §8: a UI page counts when a platform deployment of the
# repository runs it): a Space is configured by the YAML block opening the root README.md (`sdk:
# gradio` or `sdk: streamlit`, `app_file:` naming the page, `app.py` by default); the platform runs
# that page for anyone who opens the Space. The page must reach a model as a composed page must.
_SPACE_SDK = re.compile(r"^sdk[ \t]*:[ \t]*['\"]?(gradio|streamlit)['\"]?[ \t]*$", re.MULTILINE)
_SPACE_APP = re.compile(r"^app_file[ \t]*:[ \t]*['\"]?([\w./-]{1,300}\.py)['\"]?[ \t]*$", re.MULTILINE)
MAX_FRONT_MATTER = 4096


def _hugging_face_space(repo: RepoIndex) -> list[Location]:
    text = (repo.text("README.md") or "")[:MAX_FRONT_MATTER] if repo.exists("README.md") else ""
    end = text.find("\n---", 3) if text.startswith("---") else -1
    sdk = _SPACE_SDK.search(text, 0, end) if end > 0 else None
    if sdk is None:
        return []
    app = _SPACE_APP.search(text, 0, end)
    page = app.group(1).removeprefix("./") if app else "app.py"
    if not repo.exists(page) or sdk.group(1) not in (repo.text(page) or ""):
        return []
    reached = _page_reaches_a_model(repo, page)
    return [at("README.md", text.count("\n", 0, sdk.start()) + 1), reached] if reached is not None else []


_ENDPOINT_CALLS = judged_by(Kind.model_serving, "cloud function calls an endpoint")
_ENDPOINT_MODULES = next(tuple(t.imports) for t, ev in vocabulary(Kind.model_serving, None).entries if ev is _ENDPOINT_CALLS)


def _functions_calling_endpoints(repo: RepoIndex) -> list[Location]:
    """Rule `cloud function calls an endpoint`: an event or HTTP handler (Lambda `(event, context)`,
    functions-framework, Azure Functions) of project code whose own body calls a model endpoint
    (`invoke_endpoint` of the SageMaker runtime, `predict` on a Vertex endpoint). A script or
    notebook calling the endpoint to try it out is not serving."""
    hits = []
    for summary in _inhouse.project_code(repo.python_mentioning(*_ENDPOINT_CALLS.needles)):
        if not summary.imports_module(*_ENDPOINT_MODULES):
            continue
        calls = [c for c in summary.calls_named(*_ENDPOINT_CALLS.methods) if c.scope]
        if not calls:
            continue
        callers = {c.scope for c in calls}  # functions calling the endpoint, maybe through a helper
        for _, func in _inhouse.functions_of(repo, summary.path):
            decorator_lines = {d.lineno for d in func.decorator_list}
            names = {d.name for d in summary.decorators if d.line in decorator_lines}
            inside = [c for c in calls if c.scope == func.name] or [
                c for c in summary.calls if c.scope == func.name and c.name.rsplit(".", 1)[-1] in callers
            ]
            if inside and _inhouse.event_handler(func, names):
                hits.append(at(summary.path, func.lineno))
                hits.extend(at(summary.path, c.line) for c in inside)
    return hits


# The rule in a Node.js Lambda (JavaScript/TypeScript): the module defines or exports the `handler`
# the platform calls, and calls the SageMaker runtime's endpoint (v2 `invokeEndpoint(`, v3
# `InvokeEndpointCommand`). Files are read only when their text names the call.
_JS_SUFFIXES = (".js", ".mjs", ".cjs", ".ts")
_JS_ENDPOINT_CALL = re.compile(r"\.invokeEndpoint\s*\(|\bnew\s+InvokeEndpointCommand\s*\(")
_JS_HANDLER = re.compile(
    r"\bexports\.handler\s*=|\bexport\s+(const|let|async\s+function|function)\s+handler\b"
    r"|\b(const|let|var)\s+handler\s*=\s*(async\s*)?(\(|function)|\bmodule\.exports\s*=\s*\{[^}]*\bhandler\b"
)


def _js_functions_calling_endpoints(repo: RepoIndex) -> list[Location]:
    hits = []
    for path in repo.with_suffix(*_JS_SUFFIXES):
        if is_test_path(path) or path.endswith((".d.ts", ".min.js")) or repo.size(path) > MANIFEST_MAX_BYTES:
            continue
        if not repo.mentions(path, ("invokeendpoint",)):
            continue
        calls = [number for number, line in repo.meaningful_lines(path, comment="//") if _JS_ENDPOINT_CALL.search(line)]
        if calls and _JS_HANDLER.search(repo.text(path) or ""):
            hits.append(at(path, calls[0]))
    return hits


def _model_servers_started_by_scripts(repo: RepoIndex) -> list[Location]:
    """Rule `model server started by a script`: a shell script or a Makefile recipe of the project runs
    a model server command the catalogue lists (`mlflow models serve -m models:/churn/2`,
    `torchserve --start`, `tritonserver`), as Dockerfiles and compose services do. A comment or a
    test script does not count."""
    found = []
    for path in sorted(set(repo.with_suffix(".sh")) | set(repo.named("Makefile"))):
        if is_test_path(path):
            continue
        for number, line in repo.meaningful_lines(path):
            if _MODEL_SERVERS.search(line):
                found.append(at(path, number))
                break
    return found[:MAX_LOCATIONS]


# Rule `model server resource` (session 12): a Kubernetes resource of a model-serving operator -
# KServe `InferenceService`, Seldon Core `SeldonDeployment`, Seldon Core 2 `Model` - that names what
# it serves (a model's `storageUri`/`modelUri`, a predictor image or a server `implementation`):
# the operator runs a model server for it (conventions §8: a model server). Resources in example,
# demo, tutorial or sample folders, tests and template placeholder trees show the operator; a
# resource naming no model serves nothing. (has_deployment_manifest judges the same files as
# deployment declarations.)
SERVING_RESOURCE_WORDS = ("inferenceservice", "seldondeployment", "mlops.seldon.io")
_SERVING_RESOURCE_API = re.compile(r"^(serving\.kserve\.io|serving\.kubeflow\.org|machinelearning\.seldon\.io|mlops\.seldon\.io)/")
_SERVING_RESOURCE_KINDS = frozenset({"InferenceService", "SeldonDeployment", "Model"})
_NAMES_A_MODEL = frozenset({"storageuri", "storage_uri", "modeluri", "model_uri", "image", "implementation"})


def _names_a_model(data: object) -> bool:
    return any(
        bool(key) and isinstance(key[-1], str) and key[-1].lower() in _NAMES_A_MODEL and value.strip() for key, value in _strings(data)
    )


# Rule `model server run by a workload` (session 18): a Kubernetes workload (also a Helm template)
# whose container runs a model server's published image or command (TF Serving, Triton, TorchServe,
# MLServer, MLflow's scoring server, BentoML) serves the model it is given, as a compose service or a
# Dockerfile running one does. An operator's controller image (`seldonio/seldon-core-operator`) runs no
# model: Seldon's images count only through the resources that name a model (above).
MODEL_SERVER_WORDS = tuple(sorted({image.split()[0].lower() for image in _SERVING.images}))


def _model_servers_in_workloads(repo: RepoIndex) -> list[Location]:
    found: list[Location] = []
    for path, doc in manifest_documents(repo, must_mention=MODEL_SERVER_WORDS):
        if _batchscoring.DEMO_FOLDER.search(path) or _TEMPLATE_SEGMENT.search(path):
            continue
        for line, image in _deployers.kubernetes_launches(doc.data):
            server = _MODEL_SERVERS.search(f"{image} {line}")
            if server is not None and server.group(0) != "seldonio/":
                found.append(at(path, _line(doc, "kind")))
                break
        if len(found) >= MAX_LOCATIONS:
            break
    return found


# Rule `managed deployment declared as YAML` (session 18): an Azure ML CLI v2 deployment
# (`az ml online-deployment create -f ...`; schemas managedOnlineDeployment, kubernetesOnlineDeployment,
# batchDeployment, modelBatchDeployment) that names the model it serves - by its `$schema`, or by the
# schema's keys (`endpoint_name` with `model` and its compute). An endpoint alone names no model.
AZURE_DEPLOYMENT_WORDS = ("onlinedeployment", "batchdeployment", "endpoint_name")
_AZURE_DEPLOYMENT_SCHEMA = re.compile(r"(?:managed|kubernetes)OnlineDeployment\.schema\.json|BatchDeployment\.schema\.json", re.IGNORECASE)
_AZURE_COMPUTE_KEYS = frozenset({"instance_type", "instance_count", "compute"})


def _azure_ml_deployments(repo: RepoIndex) -> list[Location]:
    found: list[Location] = []
    for path in repo.yaml_files():
        if not repo.mentions(path, AZURE_DEPLOYMENT_WORDS):
            continue
        if path.startswith(".github/") or is_test_path(path) or _batchscoring.DEMO_FOLDER.search(path) or _TEMPLATE_SEGMENT.search(path):
            continue
        for doc in repo.yaml_documents(path):
            data = doc.data
            if not isinstance(data, dict) or not data.get("model"):
                continue
            declared = _AZURE_DEPLOYMENT_SCHEMA.search(str(data.get("$schema") or "")) is not None
            if declared or ("endpoint_name" in data and not _AZURE_COMPUTE_KEYS.isdisjoint(data)):
                found.append(at(path, _line(doc, "model")))
                break
        if len(found) >= MAX_LOCATIONS:
            break
    return found


def _model_server_resources(repo: RepoIndex) -> list[Location]:
    found: list[Location] = []
    for path, doc in manifest_documents(repo, must_mention=SERVING_RESOURCE_WORDS):
        data = doc.data
        if _batchscoring.DEMO_FOLDER.search(path) or _TEMPLATE_SEGMENT.search(path):
            continue
        if data.get("kind") in _SERVING_RESOURCE_KINDS and _SERVING_RESOURCE_API.match(str(data.get("apiVersion") or "")):
            if _names_a_model(data.get("spec")):
                found.append(at(path, _line(doc, "kind")))
                if len(found) >= MAX_LOCATIONS:
                    break
    return found


# Rule `managed endpoint created by code` (session 12; vocabulary: catalogue `managed_online_endpoints`):
# the project's code creates an endpoint serving the model on a managed platform (SageMaker, Vertex
# AI, Azure ML, Databricks). A notebook trying it, a test or an example folder does not count.
_MANAGED = judged_by(Kind.model_serving, "managed endpoint created by code")
_MANAGED_MODULES = next(tuple(t.imports) for t, ev in vocabulary(Kind.model_serving, None).entries if ev is _MANAGED)


def _managed_endpoints(repo: RepoIndex) -> list[Location]:
    found: list[Location] = []
    for summary in _inhouse.project_code(repo.python_mentioning(*_MANAGED.needles)):
        if _batchscoring.DEMO_FOLDER.search(summary.path) or not summary.imports_module(*_MANAGED_MODULES):
            continue
        for rule in _MANAGED.keyword_calls:
            calls = summary.calls_named(rule.method) if rule.method else summary.calls_to(rule.call or "")
            found += [at(summary.path, c.line) for c in calls if c.has_keyword(rule.keyword) and c.keyword(rule.keyword) is not None]
        if len(found) >= MAX_LOCATIONS:
            break
    return sorted(set(found), key=lambda loc: (loc.path, loc.line or 0))[:MAX_LOCATIONS]


# Rule `stream consumer runs the model` (session 16, conventions §8 online serving: "a stream consumer that
# calls the model per request"): a project module consuming a message stream through a documented consumer
# (catalogue entry `stream_consumers`: kafka-python/aiokafka/confluent-kafka consumers, a Pub/Sub
# subscriber, RabbitMQ `basic_consume`, SQS `receive_message`, Redis `xreadgroup`, a Faust app) that uses
# the model - in the module (a prediction, a model load, a library's model interface, a start-up model
# called) or in a project function it calls, up to MAX_SERVICE_HOPS modules away - and that the system runs
# (`_batchscoring.runs_on_its_own`: an image's entry point, a compose service, a deployment, a schedule).
# A consumer that trains or evaluates, one in an example folder, and one nothing runs are not serving.
_STREAM = judged_by(Kind.model_serving, "stream consumer runs the model")
_STREAM_IMPORTS = next(tuple(t.imports) for t, ev in vocabulary(Kind.model_serving, None).entries if ev is _STREAM)
_STREAM_CONSUMERS = frozenset(_STREAM.calls)
_STREAM_METHODS = frozenset(_STREAM.methods)


def _consumes_stream(call: Call) -> bool:
    if call.name in _STREAM_CONSUMERS:
        return True
    return "." in call.name and call.name.rsplit(".", 1)[-1] in _STREAM_METHODS


def _stream_consumers_running_a_model(repo: RepoIndex) -> list[Location]:
    followed = [0]
    for summary in _inhouse.project_code(repo.python_mentioning(*_STREAM.needles)):
        if summary.is_notebook or _batchscoring.DEMO_FOLDER.search(summary.path) or not summary.imports_module(*_STREAM_IMPORTS):
            continue
        consumes = next((c for c in summary.calls if _consumes_stream(c)), None)
        if consumes is None or _batchscoring.trains_or_evaluates(summary):
            continue
        runs = _batchscoring.runs_on_its_own(repo, summary)
        if runs is None:
            continue
        use_call = next((c for c in summary.calls if _calls_the_model(c.name) or _builds_a_model(c.name)), None) or _startup_model_call(repo, summary, summary.calls)
        use = at(summary.path, use_call.line) if use_call is not None else (
            _service_chain_use(repo, summary, "", [c.name for c in summary.calls], followed) if followed[0] < MAX_SERVICE_MODULES else None
        )
        if use is not None:
            return [at(summary.path, consumes.line), use, *runs[1]]
    return []


def _mlserver_model_settings(repo: RepoIndex) -> list[Location]:
    """Session 18: MLServer loads each model from its folder's `model-settings.json`, whose
    `implementation` names the inference runtime that serves it (`mlserver_sklearn.SKLearnModel`, a
    custom `MLModel`), as MLServer's documentation describes; examples, demos and tests serve nothing."""
    found = []
    for path in repo.named("model-settings.json"):
        if _batchscoring.DEMO_FOLDER.search(path) or is_test_path(path):
            continue
        data = repo.json(path)
        if isinstance(data, dict) and isinstance(data.get("implementation"), str) and data["implementation"].strip():
            found.append(at(path, 1))
    return found


# Session 18: a Truss (Baseten's model packaging): a folder whose `config.yaml` is a Truss config (its
# documented keys: `model_name`, `model_class_name`, `resources`, `model_metadata`, `python_version`,
# `requirements`, `secrets`, `system_packages` ...) and whose `model/model.py` (or the `model_module_dir`
# the config names) holds the class the Truss server calls - `load()` once, `predict(model_input)` per request.
_TRUSS_KEYS = frozenset({"model_name", "model_class_name", "model_module_dir", "model_metadata", "python_version", "requirements",
                         "resources", "secrets", "system_packages", "external_package_dirs", "base_image", "environment_variables"})


TRUSS_WORDS = ("model_module_dir",)


def _truss_models(repo: RepoIndex) -> list[Location]:
    found: list[Location] = []
    for config in repo.named("config.yaml"):
        folder = config.rsplit("/", 1)[0] + "/" if "/" in config else ""
        if is_test_path(config) or _batchscoring.DEMO_FOLDER.search(config):
            continue
        if not repo.exists(f"{folder}model/model.py") and not repo.mentions(config, TRUSS_WORDS):
            continue  # neither the default model module nor another one named: no YAML parsed
        doc = repo.yaml(config)
        data = doc.data if doc is not None else None
        if not isinstance(data, dict) or len(_TRUSS_KEYS.intersection(data)) < 2 or not {"model_name", "resources"} & set(data):
            continue
        module_dir = data.get("model_module_dir") if isinstance(data.get("model_module_dir"), str) else "model"
        class_name = data.get("model_class_name") if isinstance(data.get("model_class_name"), str) else "Model"
        summary = repo.python(f"{folder}{module_dir.strip('/')}/model.py")
        if summary is not None:
            found += [at(summary.path, line) for name, _bases, line, methods in summary.classes if name == class_name and "predict" in methods][:1]
    return found


# Azure ML names a deployment's scoring script (`scoring_script:` of a deployment's
# `code_configuration`, `CodeConfiguration(scoring_script=...)`, v1 `InferenceConfig(entry_script=...)`).
_SCRIPT_NAMED = re.compile(r"\b(?:scoring_script|entry_script)[\"']?[^\S\n]*[:=][^\S\n]*[\"']?([\w./-]{1,200}\.py)\b")


def _azure_scoring_scripts(repo: RepoIndex) -> list[Location]:
    """Session 18, Azure ML scoring scripts by the platform's contract rather than by the file's name:
    a module with `init()` and `run()` (the functions the inference server calls once at start and per
    request) that finds its model under `AZUREML_MODEL_DIR` (the variable the deployment sets to the
    registered model's folder) or that a deployment of the repository names as its scoring script."""
    named: set[str] = set()
    for path in repo.yaml_files():
        if repo.mentions(path, ("scoring_script",)):
            named.update(m.group(1).rsplit("/", 1)[-1] for m in _SCRIPT_NAMED.finditer(repo.text(path) or ""))
    for summary in repo.python_mentioning("scoring_script", "entry_script"):
        for call in summary.calls_with_keyword("scoring_script", "entry_script"):
            value = call.keyword("scoring_script") or call.keyword("entry_script")
            if isinstance(value, str) and value.endswith(".py"):
                named.add(value.rsplit("/", 1)[-1])
    candidates = list(repo.python_mentioning("AZUREML_MODEL_DIR"))
    if named:
        candidates += [summary for summary in (repo.python(path) for path in repo.named(*sorted(named))) if summary is not None]
    found: list[Location] = []
    for summary in candidates:
        if summary.is_notebook or is_test_path(summary.path) or _batchscoring.DEMO_FOLDER.search(summary.path):
            continue
        if {"init", "run"} <= set(summary.functions) and at(summary.path, summary.functions["run"]) not in found:
            found.append(at(summary.path, summary.functions["run"]))
    return found


# In-house serving shapes tried in order once no serving code, model server or wrapped model class is found.
_IN_HOUSE_SERVING: tuple[Shape, ...] = (
    ("the project's code creates a managed online endpoint serving the model (SageMaker, Vertex AI, Azure ML, Databricks)", _managed_endpoints),
    ("a cloud function (Lambda / Cloud Function / Azure Function handler) runs the model on each request or event", _serverless_functions_running_a_model),
    ("a web route or request handler calls a project service function that uses a model (predicts, loads a model or asks a generation chain/agent), "
     "or sends the request to a model's published API (OpenAI-compatible, Anthropic, Gemini, Ollama, Hugging Face ...)", _routes_through_services),
    ("a stream consumer the system runs (Kafka, Pub/Sub, RabbitMQ, SQS, Redis streams) uses the model on each message", _stream_consumers_running_a_model),
    (
        "a Streamlit/Gradio/Dash/Chainlit/Panel/Solara/NiceGUI page reaching a model, run by a deployment of the repository - a compose service, a Kubernetes workload, "
        "a Terraform/Bicep container service, a platform descriptor (Procfile, Render, App Engine, Railway, Fly.io) or a Hugging Face "
        "Space (deployed, not a demo its author starts)",
        _deployed_ui_apps,
    ),
    (
        "a JavaScript/TypeScript back-end route (Express, Hono, Next.js ...) reaches the team's chain: a module with its own prompt or retrieval asking a model through an SDK",
        _jsroutes.routes_reaching_a_chain,
    ),
    (
        "a JavaScript/TypeScript back-end route reaches a model loaded by a JavaScript inference runtime (onnxruntime-node, TensorFlow.js, transformers.js)",
        _jsroutes.routes_reaching_a_loaded_model,
    ),
    (
        "a JavaScript/TypeScript back-end route or fetch handler (Workers, Deno, Bun) reaches a module asking a model through its published API "
        "(OpenAI-compatible /chat/completions, Anthropic /v1/messages, Gemini :generateContent, Ollama, Hugging Face, Bedrock/SageMaker runtime) "
        "by fetch/axios or an SDK, with the team's prompt or retrieval on that path",
        _modelapi.routes_reaching_a_model_api,
    ),
    *_ruby.SHAPES,  # session 15: the same serving written in Ruby and R (poly22)
    *_rlang.SHAPES,
    *_jvm.SHAPES,  # session 16: services written for the JVM, Go, .NET and Rust (poly16)
    *_golang.SHAPES,
    *_dotnet.SHAPES,
    *_rust.SHAPES,
)


@detector(
    id="serves_model",
    title="Does the repo contain code that answers prediction requests?",
    kind=Kind.model_serving,
    remediation=(
        "Expose the model behind a prediction interface (a FastAPI/Flask endpoint, BentoML or Ray Serve service, "
        "KServe/TorchServe handler) with input validation, so serving is code you can test and deploy."
    ),
    confidence=Confidence.medium,
    needles=_SERVING_NEEDLES + ("AZUREML_MODEL_DIR", "scoring_script", "entry_script", AZURE_FUNCTIONS_NEEDLE) + tuple(_ENDPOINT_CALLS.needles) + _batchscoring.NEEDLES + tuple(_MANAGED.needles) + QUEUE_NEEDLES + _modeluse.NEEDLES + tuple(_STREAM.needles),
    words=("scoring_script",) + TRUSS_WORDS + MODEL_SERVER_WORDS + AZURE_DEPLOYMENT_WORDS + _lambdas.WORDS + SERVING_RESOURCE_WORDS + _batchscoring.CRONJOB_WORDS + _batchscoring.WORKLOAD_WORDS + _batchscoring.DATABRICKS_WORDS,
)
def serves_model(repo: RepoIndex) -> Observation:
    hits = matching(repo, _SERVING_NEEDLES, _serving)
    fronts = (_functions_calling_endpoints(repo) or _js_functions_calling_endpoints(repo)) if not hits else []
    servers = []
    for path in dockerfiles(repo):
        for number, line in repo.meaningful_lines(path):
            if _MODEL_SERVERS.search(line):
                servers.append(at(path, number))
    servers += [loc for _, loc in repo.memo("compose_model_services", lambda: compose_model_services(repo)) if _MODEL_SERVERS.search(repo.text(loc.path) or "")]
    servers += _model_servers_started_by_scripts(repo)
    for path in repo.named("config.pbtxt"):
        if any(line.startswith(("platform:", "backend:")) for _, line in repo.meaningful_lines(path)):
            servers.append(at(path, 1))
    servers += _mlserver_model_settings(repo) + _truss_models(repo)
    if not hits:
        servers += _azure_scoring_scripts(repo)
    if not hits and not servers:
        servers += _model_server_resources(repo) + _model_servers_in_workloads(repo) + _azure_ml_deployments(repo)
    if hits or servers:
        parts = [f"serving code: {describe(hits)}"] if hits else []
        if servers:
            parts.append(f"{len(servers)} model server configuration(s)")
        return Observation.passed("; ".join(parts), locations(hits) + servers)
    wrapped = _wrapped_model_classes(repo) if not fronts else []
    if wrapped:
        return Observation.passed(
            "a model class with predict wrapped for a Seldon serving image (the image names the class)", wrapped, confidence=Confidence.medium
        )
    if fronts:
        return Observation.passed(
            "a cloud function (Lambda / Cloud Function / Azure Function handler) answers requests by calling a model endpoint",
            fronts, confidence=Confidence.medium,
        )
    in_house = first_passing(repo, _IN_HOUSE_SERVING, confidence=Confidence.medium)
    if in_house is not None:
        return in_house
    jobs = _batchscoring.batch_scoring_jobs(repo)
    if jobs:
        hows = ", ".join(sorted({how for how, _ in jobs}))
        return Observation.passed(
            f"{len(jobs)} production batch scoring job(s): the model's predictions written to a store by {hows}",
            [loc for _, where in jobs for loc in where][:MAX_LOCATIONS], confidence=Confidence.medium,
        )
    return Observation.failed("no prediction-serving code found (web endpoints calling a model, BentoML, Ray Serve, KServe, TorchServe, Triton, SageMaker/Azure ML handlers)")

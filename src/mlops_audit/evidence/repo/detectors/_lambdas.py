"""Handlers that a serverless platform is told to call (session 11), whatever their files are named.

A Lambda's handler is declared where the function is: `handler: src/predict.handler` of a
Serverless Framework function, `Handler: app.lambda_handler` with `CodeUri: inference/` of a SAM or
CloudFormation function, `handler = "predict.handler"` of a Terraform `aws_lambda_function`, or the
`CMD ["predict.handler"]` of a container image built on an AWS Lambda base image, or (session 18) the
`handler` of a `lambda.Function` construct of an AWS CDK app (the app a `cdk.json` names: its
TypeScript/JavaScript `handler: 'app.handler'` or Python `handler="app.handler"`). The module and the
function named there are the handler, as a `lambda_function.py` with `(event, context)` is by
convention. Read as YAML through the safe loader or as text; nothing is imported or run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mlops_audit.evidence.repo.detectors._python import is_test_path
from mlops_audit.evidence.repo.index import RepoIndex

WORDS = ("handler",)  # declared as `words` by the detector reading YAML for handlers
MAX_DECLARATIONS = 200
_HANDLER = re.compile(r"^[A-Za-z_][\w./-]{0,300}\.[A-Za-z_]\w{0,100}$")
_TF_HANDLER = re.compile(r"""^\s*handler\s*=\s*"([^"$]+)"\s*$""")
_LAMBDA_BASE = re.compile(r"^FROM\s+(?:--\S+\s+)?(?:public\.ecr\.aws/lambda/|amazon/aws-lambda-)", re.IGNORECASE)
_CMD = re.compile(r"""^CMD\s*\[\s*"([^"]+)"\s*\]\s*$|^CMD\s+([\w./-]+\.\w+)\s*$""", re.IGNORECASE)


def _split(declared: str, base: str = "") -> tuple[str, str] | None:
    """`src/predict.handler` (relative to `base`) -> (`src/predict.py`, `handler`)."""
    declared = declared.strip()
    if not _HANDLER.match(declared):
        return None
    module, _, function = declared.rpartition(".")
    module = module.removeprefix("./")
    if "/" not in module:
        module = module.replace(".", "/")  # `pkg.predict.handler` names a module path
    folder = base.strip("/").removeprefix("./")
    return (f"{folder}/{module}.py" if folder and folder != "." else f"{module}.py"), function


def _yaml_declarations(repo: RepoIndex) -> Iterator[tuple[str, str]]:
    for path in repo.yaml_files():
        if is_test_path(path) or not repo.mentions(path, WORDS):
            continue
        doc = repo.yaml(path)
        data = doc.data if doc is not None else None
        if not isinstance(data, dict):
            continue
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        functions = data.get("functions")
        if isinstance(functions, dict) and data.get("provider") is not None:  # Serverless Framework
            for spec in functions.values():
                if isinstance(spec, dict) and isinstance(spec.get("handler"), str):
                    yield f"{folder}/{spec['handler']}" if folder else spec["handler"], ""
        resources = data.get("Resources")
        globals_ = data.get("Globals", {}).get("Function", {}) if isinstance(data.get("Globals"), dict) else {}
        for resource in resources.values() if isinstance(resources, dict) else []:
            props = resource.get("Properties") if isinstance(resource, dict) else None
            if not isinstance(props, dict) or not str(resource.get("Type", "")).endswith(("::Function",)):
                continue
            handler = props.get("Handler") or (globals_.get("Handler") if isinstance(globals_, dict) else None)
            code = props.get("CodeUri") or (globals_.get("CodeUri") if isinstance(globals_, dict) else None) or ""
            if isinstance(handler, str):
                yield handler, "/".join(p for p in (folder, code if isinstance(code, str) else "") if p)


def _text_declarations(repo: RepoIndex) -> Iterator[tuple[str, str]]:
    for path in repo.with_suffix(".tf"):
        if is_test_path(path) or not repo.mentions(path, WORDS):
            continue
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        for _, line in repo.meaningful_lines(path):
            match = _TF_HANDLER.match(line)
            if match:
                yield match.group(1), ""  # the package's root is built elsewhere: matched by the module's tail
    for path in repo.dockerfiles():
        lines = repo.meaningful_lines(path)
        if not any(_LAMBDA_BASE.match(line) for _, line in lines):
            continue
        for _, line in lines:
            match = _CMD.match(line)
            if match:
                yield match.group(1) or match.group(2), ""


# AWS CDK: `cdk.json` marks an app's folder; its Lambda constructs name their handlers.
MAX_CDK_FILES = 200
_CDK_HANDLER = re.compile(r"""\bhandler[ \t]*:[ \t]*['"`]([\w./-]{1,300}\.\w{1,100})['"`]""")
_CDK_LAMBDA_MODULE = re.compile(r"""['"](?:aws-cdk-lib/aws-lambda|@aws-cdk/aws-lambda)['"]""")
_SKIPPED_FOLDERS = ("node_modules/", "cdk.out/")


def _cdk_declarations(repo: RepoIndex) -> Iterator[tuple[str, str]]:
    folders = sorted({p.rsplit("/", 1)[0] + "/" if "/" in p else "" for p in repo.named("cdk.json") if not is_test_path(p)})
    if not folders:
        return
    files = [p for p in repo.with_suffix(".ts", ".js", ".py")
             if p.startswith(tuple(folders)) and not is_test_path(p) and not any(f in p for f in _SKIPPED_FOLDERS) and not p.endswith(".d.ts")]
    for path in files[:MAX_CDK_FILES]:
        if path.endswith(".py"):
            summary = repo.python(path)
            if summary is None or not summary.imports_module("aws_cdk"):
                continue
            for call in summary.calls_with_keyword("handler"):
                value = call.keyword("handler")
                if call.name.endswith("Function") and isinstance(value, str):
                    yield value, ""  # the asset folder is built elsewhere: matched by the module's tail
        else:
            text = repo.text(path) or ""
            if _CDK_LAMBDA_MODULE.search(text):
                yield from ((m.group(1), "") for m in _CDK_HANDLER.finditer(text))


def declared_handlers(repo: RepoIndex) -> list[tuple[str, str]]:
    """(module path or path tail, function) of every Lambda handler the repository declares."""

    def find() -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for declared, base in [*_yaml_declarations(repo), *_text_declarations(repo), *_cdk_declarations(repo)]:
            split = _split(declared, base)
            if split is not None and split not in found:
                found.append(split)
            if len(found) >= MAX_DECLARATIONS:
                break
        return found

    return repo.memo("lambdas.declared_handlers", find)  # type: ignore[no-any-return]

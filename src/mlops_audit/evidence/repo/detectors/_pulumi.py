"""Pulumi programs in Go, C# and Java: which lines create a resource the catalogue lists.

The catalogue names Pulumi resources as the Python SDK spells them (`pulumi_aws.sagemaker.Endpoint`,
`pulumi_kubernetes.apps.v1.Deployment`). The other SDKs spell the same resource differently:

- Go: `sagemaker.NewEndpoint(ctx, ...)`, `appsv1.NewDeployment(ctx, ...)` (the package imported
  from `github.com/pulumi/pulumi-<provider>/...`, under its own name or an alias like `appsv1`);
- C#: `new Aws.Sagemaker.Endpoint(...)`, `new Kubernetes.Apps.V1.Deployment(...)`, or `new Endpoint(...)`
  with `using Pulumi.Aws.Sagemaker;`;
- Java: `new Endpoint(...)` with `import com.pulumi.aws.sagemaker.Endpoint;` (or the qualified name).

A resource is matched by its module (the Python module path without dots and underscores, case
ignored: `sagemaker`, `appsv1`, `helmv3`, `cloudrunv2`) and its class name. Pure functions over a
file's meaningful lines; nothing is compiled or run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_GO_NEW = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\.New([A-Z][A-Za-z0-9_]*)\s*\(")
_QUALIFIED_NEW = re.compile(r"\bnew\s+((?:[A-Za-z_][A-Za-z0-9_]*\s*\.\s*)*)([A-Z][A-Za-z0-9_]*)\s*[(<]")
_CSHARP_USING = re.compile(r"^\s*using\s+(?:[A-Za-z_]\w*\s*=\s*)?(Pulumi(?:\.[A-Za-z_]\w*)+)\s*;")
_JAVA_IMPORT = re.compile(r"^\s*import\s+(com\.pulumi(?:\.[A-Za-z_]\w*)+)\.([A-Z]\w*)\s*;")
_VERSION = re.compile(r"v\d+\Z")


def resources(calls: Iterable[str]) -> frozenset[tuple[str, str]]:
    """(module key, class name) of every catalogue call of a Pulumi Python SDK (`pulumi_*`)."""
    found = set()
    for call in calls:
        parts = call.split(".")
        if len(parts) >= 3 and parts[0].startswith("pulumi_"):
            found.add((_key(parts[1:-1]), parts[-1]))
    return frozenset(found)


def _key(parts: Iterable[str]) -> str:
    """A module path as one lowercase word: `apps.v1` -> `appsv1`, `lambda_` -> `lambda`, `helm.sh/v3` -> `helmv3`."""
    return "".join(p.replace("_", "") for p in parts if p.lower() != "sh").lower()


def _module_matches(qualifier: str, key: str) -> bool:
    """A qualifier written in a program (a Go package alias, a C# namespace, a Java package, as one
    lowercase word) names the module `key`: it ends with it (`awssagemaker`, `kubernetesappsv1`), or,
    for a Go alias, it is the module without its version (`helm` for `helmv3`)."""
    return qualifier.endswith(key) or (key.startswith(qualifier) and bool(_VERSION.fullmatch(key[len(qualifier):])))


def go_lines(lines: Iterable[tuple[int, str]], wanted: frozenset[tuple[str, str]]) -> list[int]:
    """Lines of a Go program calling `pkg.NewResource(` for a wanted resource."""
    hits = []
    for number, line in lines:
        for alias, name in _GO_NEW.findall(line):
            if any(name == cls and _module_matches(alias.replace("_", "").lower(), key) for key, cls in wanted):
                hits.append(number)
                break
    return hits


def object_lines(lines: list[tuple[int, str]], wanted: frozenset[tuple[str, str]]) -> list[int]:
    """Lines of a C# or Java program creating a wanted resource: `new Q.Resource(` with a qualifier
    naming its module, or `new Resource(` where a `using` namespace / an `import` names it."""
    imported: dict[str, list[str]] = {}  # class name ('' = any, from a C# using) -> module words in scope
    for _, line in lines:
        if match := _CSHARP_USING.match(line):
            imported.setdefault("", []).append(_key(match.group(1).split(".")))
        elif match := _JAVA_IMPORT.match(line):
            imported.setdefault(match.group(2), []).append(_key(match.group(1).split(".")))
    hits = []
    for number, line in lines:
        for qualifier, name in _QUALIFIED_NEW.findall(line):
            scopes = [_key(re.split(r"\s*\.\s*", qualifier.strip().rstrip(".")))] if qualifier.strip() else imported.get(name, []) + imported.get("", [])
            if any(name == cls and any(_module_matches(scope, key) for scope in scopes) for key, cls in wanted):
                hits.append(number)
                break
    return hits

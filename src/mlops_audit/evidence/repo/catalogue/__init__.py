"""The tool catalogue: the vocabulary of the detectors, kept as data (one YAML file per area here).

Each entry is a tool or tool family and says, per kind of evidence it can give, which Python calls,
decorators and methods, CI actions and commands, pre-commit hooks and files count, and at which
confidence. Detectors keep the judgement (in-house patterns, graded rules); they ask the catalogue
for the words. `vocabulary(kind)` compiles the entries into the needles the one-read-per-file scan
looks for and the call names the detectors match. Declared dependencies are hints, never evidence
(`dependency_hints`). The catalogue is validated when first used (extra keys are refused, every
call must be findable by one of its needles) and its JSON Schema is published in rubrics/schema.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mlops_audit.errors import InputError
from mlops_audit.evidence.repo.model import Confidence, Kind
from mlops_audit.evidence.repo.pysource import Call, PythonSummary

FORMAT = "mlops-audit/tool-catalogue@1"
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
Name = Annotated[str, Field(min_length=1, pattern=r"^\S(.*\S)?$")]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class KeywordCall(_Model):
    """A call that counts only with a keyword argument (set, or equal to `equals`)."""

    call: Name | None = Field(default=None, description="qualified call prefix, resolved through imports")
    method: Name | None = Field(default=None, description="last name of the call, in files importing the tool")
    keyword: Name
    equals: str | bool | int | None = None

    @model_validator(mode="after")
    def _one_target(self) -> KeywordCall:
        if (self.call is None) == (self.method is None):
            raise ValueError("give exactly one of 'call' or 'method'")
        return self


class Grade(StrEnum):
    full = "full"  # alone, enough for the detector to pass
    partial = "partial"  # alone, the practice is only partly there (e.g. telemetry without drift or alerts)


class FileRule(_Model):
    """Files that count when their parsed top level (JSON or YAML) has every one of `keys`."""

    glob: Name
    keys: list[Name] = Field(min_length=1)
    matches: dict[str, str] = Field(default_factory=dict, description="key -> regular expression its (string) value must contain")

    @model_validator(mode="after")
    def _patterns_compile(self) -> FileRule:
        for key, pattern in self.matches.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"matches.{key}: not a regular expression: {exc}") from None
        return self

    def accepts(self, data: object) -> bool:
        return (
            isinstance(data, dict)
            and all(key in data for key in self.keys)
            and all(isinstance(data.get(k), str) and re.search(p, data[k]) for k, p in self.matches.items())
        )


class Evidence(_Model):
    """What counts as evidence of one kind, and how strong it is."""

    kind: Kind
    confidence: Confidence = Confidence.high
    grade: Grade = Grade.full
    rule: Name | None = Field(
        default=None,
        description="the detector rule that judges these calls (e.g. a Prefect flow needs tasks): they are not counted by themselves",
    )
    needles: list[Name] = Field(default_factory=list, description="words of code a file must mention to be parsed for this tool")
    calls: list[Name] = Field(default_factory=list, description="qualified call prefixes (resolved through imports)")
    excluding: list[Name] = Field(default_factory=list, description="call prefixes under `calls` that do not count (graded elsewhere)")
    decorators: list[Name] = Field(default_factory=list, description="qualified decorator prefixes")
    methods: list[Name] = Field(default_factory=list, description="call names counted in files that import the tool")
    keyword_calls: list[KeywordCall] = Field(default_factory=list)
    r_calls: list[Name] = Field(
        default_factory=list,
        description="R functions whose call counts in R code (`.R`, `.Rmd`, `.qmd`), bare or package-qualified (`tune_bayes(`, `tune::tune_bayes(`)",
    )
    ci_actions: list[Name] = Field(default_factory=list, description="CI action prefixes (GitHub `uses:`)")
    ci_commands: list[Name] = Field(default_factory=list, description="commands in command position in CI or task runners")
    precommit_hooks: list[Name] = Field(default_factory=list, description="pre-commit hook ids")
    ci_workflows: list[Name] = Field(
        default_factory=list,
        description=(
            "names of shared CI workflow files that run the tool: a job calling another repository's reusable workflow "
            "(GitHub `jobs.<id>.uses: org/repo/.github/workflows/<file>.yml@ref`) whose file name holds one of them as a word "
            "(case ignored)"
        ),
    )
    ci_templates: list[Name] = Field(
        default_factory=list, description="CI templates a configuration includes (GitLab `include: template:` names; case ignored)"
    )
    images: list[Name] = Field(default_factory=list, description="container images or server commands that run it")
    files: list[FileRule] = Field(default_factory=list, description="definition files (JSON/YAML) recognised by their keys")
    resource_types: list[Name] = Field(
        default_factory=list,
        description=(
            "CloudFormation/Terraform/Azure (ARM, Bicep)/Pulumi resource types, or Kubernetes apiGroup/Kind; "
            "a trailing '*' stands for any rest of the name (a family such as 'AWS::ApiGateway::*')"
        ),
    )
    kinds: list[Annotated[str, Field(pattern=r"^([a-z0-9.-]+/)?[A-Z][A-Za-z0-9]*$")]] = Field(
        default_factory=list,
        description="Kubernetes kinds in manifests: 'Kind' (any API group) or 'apiGroup/Kind' (that group only, e.g. 'serving.knative.dev/Service')",
    )
    spec_keys: list[Name] = Field(
        default_factory=list,
        description="for `kinds`: the spec must have one of these keys to run something (e.g. a RayService's serveConfigV2); else a container image or a model reference",
    )
    note: str | None = None

    @model_validator(mode="after")
    def _has_something(self) -> Evidence:
        if not (self.calls or self.decorators or self.methods or self.keyword_calls or self.r_calls or self.ci_actions or self.ci_commands
                or self.precommit_hooks or self.ci_workflows or self.ci_templates or self.images or self.files or self.resource_types or self.kinds):
            raise ValueError(
                "an evidence entry must say what counts (calls, decorators, methods, keyword_calls, r_calls, ci_actions, ci_commands, "
                "precommit_hooks, ci_workflows, ci_templates, images, files, resource_types or kinds)"
            )
        if self.spec_keys and not self.kinds:
            raise ValueError("'spec_keys' qualify 'kinds': list the Kubernetes kinds they apply to")
        code = self.calls or self.decorators or self.methods or self.keyword_calls
        if code and not self.needles:
            raise ValueError("code evidence needs 'needles': the words a file must mention to be parsed")
        return self


class Tool(_Model):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    name: Name
    family: Name | None = Field(default=None, description="what sort of tool, e.g. 'model store'")
    imports: list[Name] = Field(default_factory=list, description="modules the tool's Python API lives under (gate `methods`)")
    dependencies: list[Name] = Field(default_factory=list, description="package names: hints for --prefill, never evidence")
    evidence: list[Evidence] = Field(min_length=1)

    @model_validator(mode="after")
    def _needles_cover_code(self) -> Tool:
        for ev in self.evidence:
            words = {w for n in ev.needles for w in _IDENT.findall(n)}
            targets = [(t, ()) for t in ev.calls + ev.decorators] + [(k.call, (k.keyword,)) for k in ev.keyword_calls if k.call]
            for target, keyword in targets:
                if not words & (set(target.split(".")) | set(keyword)):
                    raise ValueError(f"{ev.kind.value}: no needle names a part of '{target}', so no file would be parsed for it")
            methods = [(m, m) for m in ev.methods] + [(k.method, k.keyword) for k in ev.keyword_calls if k.method]
            if methods and not self.imports:
                raise ValueError(f"{ev.kind.value}: 'methods' count only in files importing the tool: list its 'imports'")
            imported = {part for module in self.imports for part in module.split(".")}
            for method, word in methods:
                if not words & (imported | {method, word}):
                    raise ValueError(f"{ev.kind.value}: no needle names the method '{method}' or the tool's imports")
        return self


class CatalogueFile(_Model):
    format: Literal["mlops-audit/tool-catalogue@1"]
    tools: list[Tool]


def _pydantic_problem(source: str, doc: object, exc: ValidationError) -> list[str]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        where = doc.where(loc) if hasattr(doc, "where") else source
        msg = "unknown key (check the spelling)" if err["type"] == "extra_forbidden" else err["msg"]
        problems.append(f"{where}: {'.'.join(str(p) for p in loc)}: {msg}")
    return problems


def catalogue_files() -> list[tuple[str, str]]:
    """(name, text) of every catalogue YAML file, in name order."""
    folder = resources.files(__name__)
    return sorted((f.name, f.read_text(encoding="utf-8")) for f in folder.iterdir() if f.name.endswith(".yaml"))


def parse_catalogue(files: Iterable[tuple[str, str]]) -> list[Tool]:
    """Validate catalogue files; every problem is reported as file:line:column with the key path."""
    from mlops_audit.util.safeyaml import load_yaml_text

    tools: list[Tool] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for name, text in files:
        try:
            doc = load_yaml_text(text, name)
            parsed = CatalogueFile.model_validate(doc.data)
        except InputError as exc:
            problems.append(exc.message)
            continue
        except ValidationError as exc:
            problems += _pydantic_problem(name, doc, exc)
            continue
        for i, tool in enumerate(parsed.tools):
            if tool.id in seen:
                problems.append(f"{doc.where(('tools', i, 'id'))}: tool id '{tool.id}' is already used in {seen[tool.id]}")
            seen[tool.id] = name
            tools.append(tool)
    if problems:
        raise InputError("tool catalogue problems:\n" + "\n".join(problems))
    return tools


@cache
def tools() -> tuple[Tool, ...]:
    return tuple(parse_catalogue(catalogue_files()))


@dataclass(frozen=True)
class Vocabulary:
    """The catalogue compiled for one kind: what the detectors match and the scan looks for."""

    kind: Kind
    entries: tuple[tuple[Tool, Evidence], ...]
    needles: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()
    decorators: tuple[str, ...] = ()
    r_calls: tuple[str, ...] = ()
    ci_actions: tuple[str, ...] = ()
    ci_commands: tuple[str, ...] = ()
    precommit_hooks: frozenset[str] = frozenset()
    ci_workflows: tuple[str, ...] = ()
    ci_templates: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    _gated: tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[KeywordCall, ...]], ...] = field(default=(), repr=False)
    _keyword_calls: tuple[KeywordCall, ...] = field(default=(), repr=False)
    _excluding: tuple[str, ...] = field(default=(), repr=False)

    def code_hits(self, summary: PythonSummary) -> list[Call]:
        """Calls and decorators in this file that the catalogue counts for the kind."""
        found = summary.calls_to(*self.calls) + summary.decorated_by(*self.decorators) if self.calls or self.decorators else []
        if self._excluding:
            found = [c for c in found if not any(c.name == x or c.name.startswith(x + ".") for x in self._excluding)]
        for rule in self._keyword_calls:
            found += [c for c in summary.calls_to(rule.call) if _keyword_matches(c, rule)]  # type: ignore[arg-type]
        for modules, methods, keyword_rules in self._gated:
            if not summary.imports_module(*modules):
                continue
            if methods:
                found += summary.calls_named(*methods)
            for rule in keyword_rules:
                found += [c for c in summary.calls_named(rule.method) if _keyword_matches(c, rule)]  # type: ignore[arg-type]
        return list({(c.name, c.line, c.scope): c for c in found}.values())  # each call once, in order found


def _keyword_matches(call: Call, rule: KeywordCall) -> bool:
    if not call.has_keyword(rule.keyword):
        return False
    value = call.keyword(rule.keyword)
    if rule.equals is None:
        return value is not None  # set to something (a variable counts), not to None
    return value == rule.equals


@cache
def vocabulary(kind: Kind, grade: Grade | None = Grade.full) -> Vocabulary:
    """The catalogue for `kind`: entries of `grade` (None: every grade) whose calls count by
    themselves; `needles` always cover every entry of the kind, judged by a detector rule or not,
    so the detector can declare them all to the scan."""
    every = tuple((tool, ev) for tool in tools() for ev in tool.evidence if ev.kind is kind)
    entries = tuple((tool, ev) for tool, ev in every if grade is None or ev.grade is grade)
    counted = tuple((tool, ev) for tool, ev in entries if ev.rule is None)

    def merged(attr: str, source: tuple[tuple[Tool, Evidence], ...] = counted) -> tuple[str, ...]:
        return tuple(dict.fromkeys(x for _, ev in source for x in getattr(ev, attr)))

    gated = tuple(
        (tuple(tool.imports), tuple(ev.methods), tuple(k for k in ev.keyword_calls if k.method))
        for tool, ev in counted if ev.methods or any(k.method for k in ev.keyword_calls)
    )
    return Vocabulary(
        kind=kind,
        entries=entries,
        needles=merged("needles", every),
        calls=merged("calls"),
        decorators=merged("decorators"),
        r_calls=merged("r_calls"),
        ci_actions=merged("ci_actions"),
        ci_commands=merged("ci_commands"),
        precommit_hooks=frozenset(merged("precommit_hooks")),
        ci_workflows=merged("ci_workflows"),
        ci_templates=merged("ci_templates"),
        images=merged("images"),
        _gated=gated,
        _keyword_calls=tuple(k for _, ev in counted for k in ev.keyword_calls if k.call),
        _excluding=merged("excluding"),
    )


def judged_by(kind: Kind, rule: str) -> Evidence:
    """The catalogue's evidence entry for `kind` that a detector rule judges (its calls and words)."""
    found = [ev for tool in tools() for ev in tool.evidence if ev.kind is kind and ev.rule == rule]
    if len(found) != 1:
        raise LookupError(f"the tool catalogue has {len(found)} {kind.value} entries for detector rule '{rule}' (expected 1)")
    return found[0]


def resource_type_pattern(types: Iterable[str]) -> str:
    """A regular expression (no anchors) matching any of `types` exactly, a trailing '*' standing
    for any rest of a name (`AWS::ApiGateway::*`, `google_cloud_run_*`)."""
    ordered = sorted(set(types), key=lambda t: (-len(t), t))
    alternatives = [re.escape(t[:-1]) + r"[\w:./-]*" if t.endswith("*") else re.escape(t) for t in ordered]
    return "(?:" + ("|".join(alternatives) or r"(?!x)x") + ")"


def files_for(kind: Kind, grade: Grade | None = None) -> list[tuple[Tool, FileRule]]:
    return list(_files_for(kind, grade))


@cache  # of the catalogue (`tools`, read once): asked by every rule that reads definition files, in each collection
def _files_for(kind: Kind, grade: Grade | None) -> tuple[tuple[Tool, FileRule], ...]:
    return tuple(
        (tool, rule)
        for tool in tools()
        for ev in tool.evidence
        if ev.kind is kind and ev.rule is None and (grade is None or ev.grade is grade)
        for rule in ev.files
    )


# A command in command position: at a line start, after ; && | ( or a runner (`python -m`, `uv run`...,
# session 15: Ruby's `bundle exec`, npm's `npx`), not a word in an echo; followed by a space or the end.
_COMMAND_POSITION = r"(?:^|\n|[;&|(]|\bpython3? -m|\bpipx run|\buvx|\bpoetry run|\buv run|\bpdm run|\bhatch run|\bbundle exec|\bnpx)\s*"


def command_pattern(commands: Iterable[str]) -> re.Pattern[str]:
    """One regex finding any of `commands` ("safety check": words separated by spaces) in command
    position; group 1 is the command found. Longer commands are tried first."""
    ordered = sorted(set(commands), key=lambda c: (-len(c), c))
    alternatives = "|".join(r"\s+".join(re.escape(w) for w in c.split()) for c in ordered) or r"(?!x)x"
    return re.compile(_COMMAND_POSITION + "(" + alternatives + r")(?=\s|$)")


def action_pattern(actions: Iterable[str]) -> re.Pattern[str]:
    """A regex matching a CI action reference (`owner/name@v1`) that starts with any of `actions`."""
    alternatives = "|".join(re.escape(a) for a in sorted(set(actions), key=lambda a: (-len(a), a))) or r"(?!x)x"
    return re.compile("^(" + alternatives + ")", re.IGNORECASE)


@cache
def tool_roots() -> frozenset[str]:
    """The top-level modules of every tool's calls, decorators and imports (`mlflow`, `evidently`...)."""
    names = {n for tool in tools() for ev in tool.evidence for n in ev.calls + ev.decorators + [k.call for k in ev.keyword_calls if k.call]}
    names |= {m for tool in tools() for m in tool.imports}
    return frozenset(n.split(".", 1)[0] for n in names)


@dataclass(frozen=True)
class DependencyHint:
    """A declared dependency that suggests a practice: a proposal for a person, never evidence."""

    tool: str
    package: str
    kinds: tuple[Kind, ...]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@cache
def _by_package() -> dict[str, Tool]:
    return {_normalise(dep): tool for tool in tools() for dep in tool.dependencies}


def dependency_hints(packages: Iterable[str]) -> list[DependencyHint]:
    """Which catalogue tools the declared package names belong to, in package order."""
    index = _by_package()
    hints = []
    for package in dict.fromkeys(packages):
        tool = index.get(_normalise(package))
        if tool is not None:
            hints.append(DependencyHint(tool.id, package, tuple(dict.fromkeys(ev.kind for ev in tool.evidence))))
    return hints

"""Security scanners recognised by the code-scanning interface they report through (session 16, role16).

A scanner's name is one of hundreds; the place its results go is one of a few, and each is documented:
- GitHub code scanning takes SARIF 2.1.0 from any analysis tool, uploaded by a workflow step
  (`github/codeql-action/upload-sarif`, or an action that uploads its own SARIF), by the REST API
  (`POST /repos/{owner}/{repo}/code-scanning/sarifs`) or by `codeql github upload-results`; every
  route needs the `security_events` scope, which a workflow grants its job as `permissions:
  security-events: write` (GitHub docs, "Uploading a SARIF file to GitHub": "the workflow will need
  to use the upload-sarif action ... needs the security-events: write permission").
- GitLab's security dashboards read the reports a job declares under `artifacts:reports:` - `sast`,
  `dependency_scanning`, `container_scanning`, `secret_detection`, `dast`, `api_fuzzing`,
  `coverage_fuzzing`, `cluster_image_scanning` (GitLab CI/CD YAML reference, "artifacts:reports") -
  also through GitLab's own scanners included as CI/CD components (`components/sast/sast@...`).

So a job allowed to write code-scanning results that runs an analysis step (an action other than
checking out, setting up, caching, moving artifacts or logging in; or a command writing SARIF), a
command sending SARIF to the code-scanning API, and a GitLab job publishing a security report each run
a security scanner, whatever it is called. A permission block copied onto a job that only tests, or a
test report, is none of these. Only CI files are read (already parsed for the other CI rules).
"""

from __future__ import annotations

import re
from typing import Any

from mlops_audit.evidence.repo.ciconfig import JOB_SUPPORT_ACTION, ci_commands, is_run_key
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Location
from mlops_audit.evidence.repo.registry import at

# GitLab `artifacts:reports:` types that security dashboards read (the CI/CD YAML reference).
SECURITY_REPORTS = frozenset(
    {"sast", "dependency_scanning", "container_scanning", "secret_detection", "dast", "api_fuzzing", "coverage_fuzzing", "cluster_image_scanning"}
)
# SARIF sent to GitHub's code-scanning API (REST endpoint, `gh api`, curl) or by the CodeQL CLI.
_SARIF_UPLOAD = re.compile(r"/code-scanning/sarifs\b|\bcodeql[^\S\n]+github[^\S\n]+upload-results\b")
# A command that writes SARIF (`--format sarif`, `-f sarif`, `--sarif`, `-o x.sarif`, `> x.sarif`).
_WRITES_SARIF = re.compile(r"(?:--?[\w-]*format[= ]|-f[= ]?)sarif\b|--sarif\b|\.sarif(?:\.json)?\b", re.IGNORECASE)
# GitLab's security scanners as CI/CD components (`include: - component: $CI_SERVER_FQDN/components/sast/sast@x`),
# the catalogue successors of the `Security/*.gitlab-ci.yml` templates.
_SECURITY_COMPONENT = re.compile(r"(?:^|/)components/(sast|secret-detection|dependency-scanning|container-scanning|dast|api-security)/")
_GITHUB_WORKFLOWS = (".github/workflows/*.yml", ".github/workflows/*.yaml")


def _grants_security_events(permissions: Any) -> bool:
    return isinstance(permissions, dict) and str(permissions.get("security-events", "")).strip().lower() == "write"


def _first_command_word(text: str) -> str:
    words = [w for w in text.replace("\n", " ").split() if not w.startswith(("-", "$", "|", ">"))]
    return words[0].rsplit("/", 1)[-1] if words else "a command"


def _analysis_step(job: dict[str, Any]) -> tuple[str, tuple[str | int, ...]] | None:
    """(what analyses, key path below the job) for a job that runs an analysis: a reusable workflow
    the job calls, an action that is not job support, or a command writing or uploading SARIF."""
    if isinstance(job.get("uses"), str):
        return f"{job['uses'].split('@', 1)[0]} (shared workflow)", ("uses",)
    steps = job.get("steps") if isinstance(job.get("steps"), list) else []
    for i, step in enumerate(steps):
        uses = step.get("uses") if isinstance(step, dict) else None
        if isinstance(uses, str) and not JOB_SUPPORT_ACTION.match(uses.strip()):
            return uses.split("@", 1)[0], ("steps", i, "uses")
    for i, step in enumerate(steps):
        run = step.get("run") if isinstance(step, dict) else None
        if isinstance(run, str) and (_WRITES_SARIF.search(run) or _SARIF_UPLOAD.search(run)):
            return f"{_first_command_word(run)} (SARIF)", ("steps", i, "run")
    return None


def code_scanning_jobs(repo: RepoIndex) -> list[tuple[str, Location]]:
    """(what runs, where) for every scanner the code-scanning interface shows (the rules above)."""
    found: list[tuple[str, Location]] = []
    for path in repo.glob(*_GITHUB_WORKFLOWS):
        doc = repo.yaml(path)
        data = doc.data if doc is not None else None
        jobs = data.get("jobs") if isinstance(data, dict) else None
        if not isinstance(jobs, dict):
            continue
        for name, job in jobs.items():
            if not isinstance(job, dict):
                continue
            granted = _grants_security_events(job["permissions"]) if "permissions" in job else _grants_security_events(data.get("permissions"))
            step = _analysis_step(job) if granted else None
            if step is not None and doc is not None:
                pos = doc.locate(("jobs", name, *step[1]))
                found.append((f"{step[0]} (job with security-events: write)", at(path, pos[0] if pos else None)))
    for path, line, key_path, text in ci_commands(repo):
        keys = [k for k in key_path if isinstance(k, str)]
        if "reports" in keys and keys.index("reports") > 0 and keys[keys.index("reports") - 1] == "artifacts":
            report = keys[keys.index("reports") + 1] if keys.index("reports") + 1 < len(keys) else None
            if report in SECURITY_REPORTS:
                found.append((f"GitLab {report} report ({keys[0]})", at(path, line)))
        elif "include" in keys and (component := _SECURITY_COMPONENT.search(text)) is not None:
            found.append((f"GitLab {component.group(1)} CI/CD component", at(path, line)))
        elif is_run_key(key_path) and _SARIF_UPLOAD.search(text):
            found.append(("SARIF upload to code-scanning", at(path, line)))
    return found

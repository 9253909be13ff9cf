"""Session 16 (role16): tools recognised by the role their published interface gives them, not by name.

- A security scanner is whatever reports into the platform's code-scanning interface: a GitHub job
  granted `security-events: write` (the permission GitHub requires to upload SARIF) that runs an
  analysis action, SARIF sent to the code-scanning API (`.../code-scanning/sarifs`, `codeql github
  upload-results`), a GitLab job publishing a security report (`artifacts:reports:sast`,
  `dependency_scanning`, `container_scanning`, `secret_detection`, `dast`, ...). Whatever the tool is
  called. A scanner in a workflow only started by hand runs on nothing automatically (conventions §4).
"""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

PASSED = (FindingOutcome.pass_, FindingOutcome.partial)

# --- scans_security: the code-scanning interface -------------------------------------------------------

# An analysis action no catalogue lists, in a job allowed to write code-scanning results.
JOB_PERMISSION = """\
name: workflow audit
on:
  push:
    branches: [main]
  pull_request:
permissions: {}
jobs:
  audit:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      security-events: write
    steps:
      - uses: actions/checkout@v4
      - name: Audit the workflows
        uses: example-org/pipeline-linter-action@v2
"""

# Another tool, run as a command, its SARIF sent to the code-scanning REST API; the permission is
# granted to the whole workflow, and the workflow runs on a schedule.
API_UPLOAD = """\
on:
  schedule:
    - cron: '0 3 * * 1'
permissions:
  security-events: write
jobs:
  analyse:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: ./tools/analyzer --output report.sarif src/
      - run: |
          gzip -c report.sarif | base64 -w0 > payload
          gh api repos/${{ github.repository }}/code-scanning/sarifs -f commit_sha=${{ github.sha }} -f ref=${{ github.ref }} -F sarif=@payload
"""

# GitLab: a job publishing a dependency-scanning report, whatever scanner wrote it.
GITLAB_REPORT = """\
stages: [test]
deps-audit:
  stage: test
  image: python:3.12
  script:
    - pip install some-auditor
    - some-auditor --gitlab-json > gl-dependency-scanning-report.json
  artifacts:
    reports:
      dependency_scanning: gl-dependency-scanning-report.json
"""


def test_a_job_allowed_to_write_code_scanning_results_runs_a_scanner(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {".github/workflows/audit.yml": JOB_PERMISSION}), "scans_security")
    assert outcome is FindingOutcome.pass_
    assert "example-org/pipeline-linter-action" in message


def test_sarif_sent_to_the_code_scanning_api_is_a_scanner(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {".github/workflows/weekly.yaml": API_UPLOAD}), "scans_security")
    assert outcome is FindingOutcome.pass_
    assert "code-scanning" in message


def test_a_gitlab_job_publishing_a_security_report_is_a_scanner(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {".gitlab-ci.yml": GITLAB_REPORT}), "scans_security")
    assert outcome is FindingOutcome.pass_
    assert "dependency_scanning" in message


def test_the_permission_without_an_analysis_step_is_no_scanner(tmp_path: Path) -> None:
    # A copied permission block on a test job: nothing reports to code scanning.
    workflow = JOB_PERMISSION.replace("        uses: example-org/pipeline-linter-action@v2\n", "        run: pytest -q\n")
    outcome, _ = _outcome(_tree(tmp_path, {".github/workflows/ci.yml": workflow}), "scans_security")
    assert outcome is FindingOutcome.fail


def test_a_gitlab_test_report_is_no_security_report(tmp_path: Path) -> None:
    pipeline = GITLAB_REPORT.replace("dependency_scanning: gl-dependency-scanning-report.json", "junit: report.xml")
    outcome, _ = _outcome(_tree(tmp_path, {".gitlab-ci.yml": pipeline}), "scans_security")
    assert outcome is FindingOutcome.fail


# --- scans_security: SonarQube / SonarCloud -----------------------------------------------------------

SONAR_GITHUB = """\
on: [push, pull_request]
jobs:
  quality:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: {fetch-depth: 0}
      - uses: SonarSource/sonarqube-scan-action@v5
        env: {SONAR_TOKEN: "${{ secrets.SONAR_TOKEN }}"}
"""

SONAR_AZURE = """\
trigger: [main]
pool: {vmImage: ubuntu-latest}
steps:
  - task: SonarCloudPrepare@3
    inputs: {SonarCloud: sc, organization: acme, scannerMode: CLI}
  - script: python -m pytest
  - task: SonarCloudAnalyze@3
"""

SONAR_GRADLE = """\
analyse:
  image: gradle:8-jdk17
  script:
    - ./gradlew build sonar -Dsonar.host.url=$SONAR_HOST_URL
"""


def test_sonarqube_scan_action_is_a_scanner(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {".github/workflows/quality.yml": SONAR_GITHUB}), "scans_security")
    assert outcome is FindingOutcome.pass_
    assert "sonar" in message.lower()


def test_sonarcloud_azure_pipelines_task_is_a_scanner(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"azure-pipelines.yml": SONAR_AZURE}), "scans_security")
    assert outcome is FindingOutcome.pass_
    assert "sonar" in message.lower()


def test_sonar_through_the_build_tool_is_a_scanner(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {".gitlab-ci.yml": SONAR_GRADLE}), "scans_security")
    assert outcome is FindingOutcome.pass_
    assert "sonar" in message.lower()


def test_a_sonar_properties_file_alone_runs_nothing(tmp_path: Path) -> None:
    files = {"sonar-project.properties": "sonar.projectKey=acme_app\nsonar.sources=src\n", "src/app.py": "x = 1\n"}
    outcome, _ = _outcome(_tree(tmp_path, files), "scans_security")
    assert outcome is FindingOutcome.fail


# --- scans_security: only what runs --------------------------------------------------------------------

MANUAL_SCAN = """\
on:
  workflow_dispatch:
jobs:
  scan:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: aquasecurity/trivy-action@0.28.0
        with: {scan-type: fs}
"""


def test_a_scanner_in_a_workflow_started_only_by_hand_runs_on_nothing(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {".github/workflows/scan.yml": MANUAL_SCAN}), "scans_security")
    assert outcome is FindingOutcome.fail
    assert "by hand" in message


def test_the_same_scanner_on_pull_requests_runs(tmp_path: Path) -> None:
    workflow = MANUAL_SCAN.replace("  workflow_dispatch:\n", "  workflow_dispatch:\n  pull_request:\n")
    outcome, _ = _outcome(_tree(tmp_path, {".github/workflows/scan.yml": workflow}), "scans_security")
    assert outcome is FindingOutcome.pass_


def test_a_manual_scanner_beside_one_that_runs_passes(tmp_path: Path) -> None:
    files = {".github/workflows/scan.yml": MANUAL_SCAN, ".github/workflows/quality.yml": SONAR_GITHUB}
    outcome, message = _outcome(_tree(tmp_path, files), "scans_security")
    assert outcome is FindingOutcome.pass_
    assert "trivy" not in message.lower()


# --- has_ci_pipeline: hosted CI services by the files they run by convention (conventions §4, §16.5) -----

WOODPECKER = """\
when:
  - event: [push, pull_request]
steps:
  - name: test
    image: python:3.12
    commands:
      - pip install -e .[dev]
      - pytest -q
"""

APPVEYOR = """\
image: Ubuntu2204
install:
  - pip install -r requirements.txt
test_script:
  - python -m unittest discover
"""

SEMAPHORE = """\
version: v1.0
name: Pipeline
agent:
  machine: {type: e1-standard-2, os_image: ubuntu2004}
blocks:
  - name: Lint
    task:
      jobs:
        - name: ruff
          commands: [checkout, pip install ruff, ruff check .]
"""

TEKTON_PAC = """\
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: checks
  annotations:
    pipelinesascode.tekton.dev/on-event: "[pull_request, push]"
    pipelinesascode.tekton.dev/on-target-branch: "[main]"
spec:
  pipelineSpec:
    tasks:
      - name: unit
        taskSpec:
          steps:
            - name: pytest
              image: python:3.12
              script: pytest -q
"""


def test_a_woodpecker_pipeline_is_ci(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {".woodpecker/test.yaml": WOODPECKER}), "has_ci_pipeline")
    assert outcome is FindingOutcome.pass_
    assert "Woodpecker" in message


def test_an_appveyor_configuration_is_ci(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {".appveyor.yml": APPVEYOR}), "has_ci_pipeline")
    assert outcome is FindingOutcome.pass_
    assert "AppVeyor" in message


def test_a_semaphore_pipeline_is_ci(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {".semaphore/semaphore.yml": SEMAPHORE}), "has_ci_pipeline")
    assert outcome is FindingOutcome.pass_
    assert "Semaphore" in message


def test_a_tekton_pipeline_run_started_on_events_is_ci(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {".tekton/checks.yaml": TEKTON_PAC}), "has_ci_pipeline")
    assert outcome is FindingOutcome.pass_
    assert "Tekton" in message


def test_gitea_actions_workflows_are_ci(tmp_path: Path) -> None:
    workflow = "on: [push]\njobs:\n  test:\n    runs-on: docker\n    steps:\n      - uses: actions/checkout@v4\n      - run: go test ./...\n"
    outcome, message = _outcome(_tree(tmp_path, {".forgejo/workflows/test.yml": workflow}), "has_ci_pipeline")
    assert outcome is FindingOutcome.pass_


def test_a_tekton_pipeline_run_without_an_event_is_not_started_by_changes(tmp_path: Path) -> None:
    manual = TEKTON_PAC.replace('    pipelinesascode.tekton.dev/on-event: "[pull_request, push]"\n', "")
    outcome, _ = _outcome(_tree(tmp_path, {".tekton/checks.yaml": manual}), "has_ci_pipeline")
    assert outcome is FindingOutcome.fail


def test_a_woodpecker_file_elsewhere_is_not_run(tmp_path: Path) -> None:
    outcome, _ = _outcome(_tree(tmp_path, {"examples/ci/woodpecker.yaml": WOODPECKER}), "has_ci_pipeline")
    assert outcome is FindingOutcome.fail


# --- has_ci_pipeline: a workflow whose work runs on another host is a deployment, not CI (§16.5) ---------

SSH_ACTION_DEPLOY = """\
name: deploy
on:
  push:
    branches: [main]
jobs:
  ship:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Update the server
        uses: appleboy/ssh-action@v1.0.3
        with:
          host: ${{ secrets.HOST }}
          username: deploy
          key: ${{ secrets.KEY }}
          script: |
            cd /srv/app && git pull
            docker compose up -d --build
"""

SSH_COMMAND_DEPLOY = """\
on:
  pull_request:
    types: [closed]
jobs:
  release:
    if: github.event.pull_request.merged
    runs-on: ubuntu-latest
    steps:
      - run: echo "releasing"
      - uses: webfactory/ssh-agent@v0.9.0
        with: {ssh-private-key: "${{ secrets.SSH_KEY }}"}
      - run: |
          ssh -o StrictHostKeyChecking=no ops@${{ secrets.SERVER }} "cd ~/service && git fetch && git reset --hard origin/main && sudo systemctl restart service"
"""


def test_a_push_workflow_that_only_runs_a_script_on_a_server_is_no_ci(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {".github/workflows/deploy.yml": SSH_ACTION_DEPLOY}), "has_ci_pipeline")
    assert outcome is FindingOutcome.fail
    assert "another host" in message


def test_a_merge_workflow_that_only_sends_commands_over_ssh_is_no_ci(tmp_path: Path) -> None:
    outcome, _ = _outcome(_tree(tmp_path, {".github/workflows/release.yml": SSH_COMMAND_DEPLOY}), "has_ci_pipeline")
    assert outcome is FindingOutcome.fail


def test_the_same_deploy_after_a_test_step_is_ci(tmp_path: Path) -> None:
    workflow = SSH_ACTION_DEPLOY.replace("      - name: Update the server\n", "      - run: pip install -e . && pytest\n      - name: Update the server\n")
    outcome, _ = _outcome(_tree(tmp_path, {".github/workflows/deploy.yml": workflow}), "has_ci_pipeline")
    assert outcome is FindingOutcome.pass_


def test_a_deploy_workflow_beside_a_test_workflow_leaves_ci(tmp_path: Path) -> None:
    tests = "on: [pull_request]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pytest\n"
    files = {".github/workflows/deploy.yml": SSH_ACTION_DEPLOY, ".github/workflows/test.yml": tests}
    outcome, message = _outcome(_tree(tmp_path, files), "has_ci_pipeline")
    assert outcome is FindingOutcome.pass_
    assert "test.yml" in message


# --- has_ci_pipeline: pre-commit.ci, read from its commits (conventions §16.5) ----------------------------

PRECOMMIT_CONFIG = """\
repos:
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.6.9
    hooks:
      - id: ruff
      - id: ruff-format
"""
PRECOMMIT_BOT = "66853113+pre-commit-ci[bot]"
PRECOMMIT_BOT_EMAIL = "66853113+pre-commit-ci[bot]@users.noreply.github.com"


def _history(root: Path, config: str, bot_commits: int) -> Path:
    from tests.repo import gitreplay

    gitreplay.init(root)
    (root / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    gitreplay.commit(root, "alice", [".pre-commit-config.yaml", "src/model.py"], 1)
    for number in range(bot_commits):
        gitreplay.commit(root, PRECOMMIT_BOT, ["src/model.py"], 2 + number, email=PRECOMMIT_BOT_EMAIL)
    return root


def test_pre_commit_ci_commits_show_the_hosted_service_runs_the_hooks(tmp_path: Path) -> None:
    config = PRECOMMIT_CONFIG + "ci:\n  autofix_prs: true\n  autoupdate_schedule: monthly\n"
    outcome, message = _outcome(_history(tmp_path, config, 2), "has_ci_pipeline")
    assert outcome is FindingOutcome.pass_
    assert "pre-commit.ci" in message and "2 commit" in message


def test_pre_commit_ci_commits_count_without_a_ci_section(tmp_path: Path) -> None:
    outcome, _ = _outcome(_history(tmp_path, PRECOMMIT_CONFIG, 1), "has_ci_pipeline")
    assert outcome is FindingOutcome.pass_


def test_a_ci_section_from_a_template_without_the_service_s_commits_is_not_ci(tmp_path: Path) -> None:
    config = PRECOMMIT_CONFIG + "ci:\n  autofix_prs: true\n"
    outcome, _ = _outcome(_history(tmp_path, config, 0), "has_ci_pipeline")
    assert outcome is FindingOutcome.fail


# --- has_deployment_manifest: platform CLIs' documented deploy commands in CI ------------------------------

def _ci_step(command: str, runner: str = "ubuntu-latest") -> str:
    return (
        "on:\n  push:\n    branches: [main]\njobs:\n  deploy:\n"
        f"    runs-on: {runner}\n    steps:\n      - uses: actions/checkout@v4\n      - run: |\n          {command}\n"
    )


DEPLOY_COMMANDS = {
    "workers": "npx wrangler deploy --env production",
    "pages": "pnpm exec wrangler pages deploy dist --project-name site",
    "vercel": "vercel deploy --prebuilt --prod --token=${{ secrets.VERCEL_TOKEN }}",
    "netlify": "npx netlify-cli deploy --dir=build --prod",
    "heroku-container": "heroku container:release web --app acme-api",
    "heroku-git": "git push https://heroku:${{ secrets.HEROKU_API_KEY }}@git.heroku.com/acme-api.git HEAD:main",
    "firebase": "firebase deploy --only functions --project acme",
    "kamal": "kamal deploy -d production",
    "knative": "kn service update scorer --image ghcr.io/acme/scorer:${{ github.sha }}",
    "render-hook": "curl -fsS -X POST \"https://api.render.com/deploy/srv-abc123?key=${{ secrets.RENDER_KEY }}\"",
}


def test_documented_deploy_commands_of_platform_clis_declare_a_deployment(tmp_path: Path) -> None:
    for name, command in DEPLOY_COMMANDS.items():
        root = _tree(tmp_path / name, {".github/workflows/deploy.yml": _ci_step(command), "src/app.ts": "export default {}\n"})
        outcome, message = _outcome(root, "has_deployment_manifest")
        assert outcome in PASSED, (name, message)


def test_the_clis_other_verbs_deploy_nothing(tmp_path: Path) -> None:
    for name, command in {"dev": "npx wrangler dev", "preview": "vercel build", "login": "netlify status", "logs": "heroku logs --tail",
                          "emulate": "firebase emulators:start", "push-branch": "git push origin main"}.items():
        root = _tree(tmp_path / name, {".github/workflows/deploy.yml": _ci_step(command), "src/app.ts": "export default {}\n"})
        outcome, message = _outcome(root, "has_deployment_manifest")
        assert outcome is FindingOutcome.fail, (name, message)


# --- has_deployment_manifest: a container started on the deploy host ---------------------------------------

def test_a_detached_container_started_by_a_self_hosted_runner_is_a_deployment(tmp_path: Path) -> None:
    command = "docker run -d --name fraud-api -p 5000:5000 $ECR_REGISTRY/fraud:latest"
    workflow = _ci_step(command, runner="self-hosted")
    outcome, message = _outcome(_tree(tmp_path, {".github/workflows/cd.yml": workflow, "Dockerfile": "FROM python:3.12\n"}), "has_deployment_manifest")
    assert outcome in PASSED
    assert "self-hosted" in message


def test_a_detached_container_started_over_ssh_is_a_deployment(tmp_path: Path) -> None:
    command = 'ssh ubuntu@$HOST "docker pull ghcr.io/acme/scorer:latest && docker rm -f scorer; docker run --detach --name scorer -p 80:8080 ghcr.io/acme/scorer:latest"'
    outcome, message = _outcome(_tree(tmp_path, {".github/workflows/release.yml": _ci_step(command), "Dockerfile": "FROM python:3.12\n"}), "has_deployment_manifest")
    assert outcome in PASSED
    assert "ssh" in message.lower()


def test_a_detached_container_on_a_hosted_runner_is_a_smoke_test(tmp_path: Path) -> None:
    command = "docker run -d -p 8000:8000 scorer:test && sleep 5 && curl -f localhost:8000/health"
    outcome, _ = _outcome(_tree(tmp_path, {".github/workflows/ci.yml": _ci_step(command), "Dockerfile": "FROM python:3.12\n"}), "has_deployment_manifest")
    assert outcome is FindingOutcome.fail


# --- has_deployment_manifest: platform descriptors a platform deploys from ---------------------------------

PLATFORM_FILES = {
    "workers": ("wrangler.toml", 'name = "chat-api"\nmain = "src/index.ts"\ncompatibility_date = "2025-01-01"\n[ai]\nbinding = "AI"\n'),
    "workers-json": ("api/wrangler.jsonc", '{\n  // the API worker\n  "name": "api",\n  "main": "src/worker.ts",\n  "compatibility_date": "2025-01-01"\n}\n'),
    "fly": ("fly.toml", 'app = "scorer"\nprimary_region = "ams"\n[http_service]\n  internal_port = 8080\n  force_https = true\n'),
    "render": ("render.yaml", "services:\n  - type: web\n    name: api\n    runtime: python\n    buildCommand: pip install -r requirements.txt\n    startCommand: uvicorn app:app --host 0.0.0.0\n"),
    "digitalocean": (".do/app.yaml", "name: scorer\nservices:\n  - name: api\n    github: {repo: acme/scorer, branch: main}\n    run_command: gunicorn app:app\n"),
    "vercel-functions": ("vercel.json", '{"functions": {"api/**/*.ts": {"maxDuration": 60}}, "crons": [{"path": "/api/refresh", "schedule": "0 3 * * *"}]}\n'),
    "railway": ("railway.toml", '[build]\nbuilder = "DOCKERFILE"\n[deploy]\nstartCommand = "python serve.py"\n'),
}


def test_platform_descriptors_declare_the_deployment(tmp_path: Path) -> None:
    for name, (path, text) in PLATFORM_FILES.items():
        root = _tree(tmp_path / name, {path: text, "src/index.ts": "export default {}\n"})
        outcome, message = _outcome(root, "has_deployment_manifest")
        assert outcome in PASSED, (name, message)


def test_platform_files_that_declare_no_running_service_are_not_deployments(tmp_path: Path) -> None:
    cases = {
        "vercel-rewrites": ("vercel.json", '{"rewrites": [{"source": "/(.*)", "destination": "/"}]}\n'),
        "wrangler-example": ("examples/worker/wrangler.toml", 'name = "demo"\nmain = "index.js"\n'),
        "render-database-only": ("render.yaml", "databases:\n  - name: db\n    plan: free\n"),
    }
    for name, (path, text) in cases.items():
        root = _tree(tmp_path / name, {path: text, "src/index.ts": "export default {}\n"})
        outcome, message = _outcome(root, "has_deployment_manifest")
        assert outcome is FindingOutcome.fail, (name, message)


# --- serves_model: a route reaching a model through a published model API (any client) ---------------------
# OpenAI-compatible `/chat/completions`, Anthropic `/v1/messages`, Ollama `/api/chat` on its port, Gemini
# `:generateContent`, Hugging Face's inference router: a back-end route whose request path reaches a module
# sending requests there, with the team's prompt or retrieval somewhere on that path (conventions §13).

HONO_APP = """\
import { Hono } from "hono";
import { answerQuestion } from "./services/assistant";

const app = new Hono();
app.post("/ask", async (c) => c.json(await answerQuestion((await c.req.json()).question)));
export default app;
"""
HONO_ASSISTANT = """\
import { complete } from "../lib/llm";

const SYSTEM_PROMPT = "You answer questions about the council's bin collection rules.";

export async function answerQuestion(question: string) {
  return complete([{ role: "system", content: SYSTEM_PROMPT }, { role: "user", content: question }]);
}
"""
HONO_LLM = """\
import axios from "axios";

export async function complete(messages: object[]) {
  const { data } = await axios.post(`${process.env.LLM_BASE_URL}/v1/chat/completions`, { model: "gpt-4o-mini", messages });
  return data.choices[0].message.content;
}
"""

WORKER_ENTRY = """\
import { reply } from "./chat/reply";

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (new URL(request.url).pathname === "/chat") return reply(request, env);
    return new Response("not found", { status: 404 });
  },
};
"""
WORKER_REPLY = """\
import { callClaude } from "../clients/claude";
import { searchPolicies } from "./retrieve";

export async function reply(request: Request, env: Env) {
  const { message } = await request.json();
  const context = await searchPolicies(env, message);
  const system = `Answer using only these policy extracts:\\n${context}`;
  return Response.json(await callClaude(env, system, message));
}
"""
WORKER_CLAUDE = """\
export async function callClaude(env: Env, system: string, message: string) {
  const res = await fetch("https://api.anthropic.com/v1/messages", {
    method: "POST",
    headers: { "x-api-key": env.ANTHROPIC_KEY, "anthropic-version": "2023-06-01", "content-type": "application/json" },
    body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 512, system, messages: [{ role: "user", content: message }] }),
  });
  return res.json();
}
"""


def test_a_hono_route_reaching_an_openai_compatible_endpoint_through_axios_serves(tmp_path: Path) -> None:
    files = {"src/index.ts": HONO_APP, "src/services/assistant.ts": HONO_ASSISTANT, "src/lib/llm.ts": HONO_LLM}
    outcome, message = _outcome(_tree(tmp_path, files), "serves_model")
    assert outcome in PASSED, message
    assert "published API" in message


def test_a_worker_fetch_handler_reaching_the_messages_api_by_fetch_serves(tmp_path: Path) -> None:
    files = {"worker/index.ts": WORKER_ENTRY, "worker/chat/reply.ts": WORKER_REPLY, "worker/chat/retrieve.ts": "export async function searchPolicies(env, q) { return '' }\n",
             "worker/clients/claude.ts": WORKER_CLAUDE}
    outcome, message = _outcome(_tree(tmp_path, files), "serves_model")
    assert outcome in PASSED, message


def test_a_pass_through_to_a_hosted_model_with_nothing_of_the_team_is_not_serving(tmp_path: Path) -> None:
    thin = HONO_ASSISTANT.replace('const SYSTEM_PROMPT = "You answer questions about the council\'s bin collection rules.";\n', "").replace(
        '[{ role: "system", content: SYSTEM_PROMPT }, { role: "user", content: question }]', '[{ role: "user", content: question }]')
    files = {"src/index.ts": HONO_APP, "src/services/assistant.ts": thin, "src/lib/llm.ts": HONO_LLM}
    outcome, _ = _outcome(_tree(tmp_path, files), "serves_model")
    assert outcome is FindingOutcome.fail


def test_a_front_end_page_posting_to_its_own_chat_route_asks_no_model(tmp_path: Path) -> None:
    page = (
        "const SYSTEM = 'be brief';\nexport function Chat() {\n  async function send(q: string) {\n"
        "    return fetch('/api/chat', { method: 'POST', body: JSON.stringify({ q, system: SYSTEM }) });\n  }\n  return null;\n}\n"
    )
    outcome, _ = _outcome(_tree(tmp_path, {"web/src/Chat.tsx": page, "web/src/main.tsx": "import { Chat } from './Chat';\n"}), "serves_model")
    assert outcome is FindingOutcome.fail


def test_a_model_api_called_by_a_script_no_route_reaches_is_not_serving(tmp_path: Path) -> None:
    script = "import { complete } from '../src/lib/llm';\nconst SYSTEM = 'grade the answers';\ncomplete([{ role: 'system', content: SYSTEM }]);\n"
    outcome, _ = _outcome(_tree(tmp_path, {"scripts/grade.ts": script, "src/lib/llm.ts": HONO_LLM}), "serves_model")
    assert outcome is FindingOutcome.fail


# The same in Python: a route (or the service function it calls) sending the request to a model API.
FASTAPI_ROUTE = """\
from fastapi import APIRouter

from app.services.generation import draft_reply

router = APIRouter()


@router.post("/draft")
async def draft(body: dict) -> dict:
    return {"reply": await draft_reply(body["email"])}
"""
GENERATION_SERVICE = """\
import httpx

from app.config import settings


async def draft_reply(email: str) -> str:
    async with httpx.AsyncClient(timeout=60) as client:
        response = await client.post(f"{settings.ollama_url}/api/chat", json={"model": "llama3", "messages": [{"role": "user", "content": email}]})
    return response.json()["message"]["content"]
"""
FLASK_ROUTE = """\
import os

import requests
from flask import Flask, request

app = Flask(__name__)


@app.route("/summarise", methods=["POST"])
def summarise():
    answer = requests.post(
        "https://api.anthropic.com/v1/messages",
        headers={"x-api-key": os.environ["ANTHROPIC_API_KEY"], "anthropic-version": "2023-06-01"},
        json={"model": "claude-sonnet-4-5", "max_tokens": 400, "messages": [{"role": "user", "content": request.json["text"]}]},
        timeout=60,
    )
    return answer.json()
"""


def test_a_route_calling_a_service_that_posts_to_ollama_serves(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/routes.py": FASTAPI_ROUTE, "app/services/__init__.py": "", "app/services/generation.py": GENERATION_SERVICE,
             "app/config.py": "class S:\n    ollama_url = 'http://ollama:11434'\nsettings = S()\n"}
    outcome, message = _outcome(_tree(tmp_path, files), "serves_model")
    assert outcome in PASSED, message


def test_a_flask_route_posting_to_the_messages_api_serves(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"service/app.py": FLASK_ROUTE}), "serves_model")
    assert outcome in PASSED, message


def test_a_route_posting_to_another_internal_service_asks_no_model(tmp_path: Path) -> None:
    internal = FLASK_ROUTE.replace("https://api.anthropic.com/v1/messages", "http://billing:8080/api/invoices")
    outcome, _ = _outcome(_tree(tmp_path, {"service/app.py": internal}), "serves_model")
    assert outcome is FindingOutcome.fail


# --- has_deployment_manifest: Azure Pipelines deploy tasks and Azure CLI inline scripts ---------------------

AZURE_WEBAPP_TASK = """\
trigger: [main]
pool: {vmImage: ubuntu-latest}
steps:
  - script: pip install -r requirements.txt --target .python_packages
  - task: ArchiveFiles@2
    inputs: {rootFolderOrFile: ., archiveFile: app.zip}
  - task: AzureWebApp@1
    inputs:
      azureSubscription: prod-connection
      appName: churn-scoring-api
      package: app.zip
"""

AZURE_CLI_INLINE = """\
on:
  push:
    branches: [main]
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: azure/login@v2
        with: {creds: "${{ secrets.AZURE_CREDENTIALS }}"}
      - uses: azure/cli@v2
        with:
          inlineScript: |
            az containerapp update --name scorer --resource-group ml-prod --image acr.azurecr.io/scorer:${{ github.sha }}
"""


def test_an_azure_pipelines_web_app_deploy_task_declares_a_deployment(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"azure-pipelines.yml": AZURE_WEBAPP_TASK, "app.py": "x = 1\n"}), "has_deployment_manifest")
    assert outcome in PASSED, message
    assert "AzureWebApp" in message


def test_an_azure_cli_inline_script_deploying_a_container_app_declares_a_deployment(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {".github/workflows/release.yml": AZURE_CLI_INLINE, "app.py": "x = 1\n"}), "has_deployment_manifest")
    assert outcome in PASSED, message


def test_an_azure_cli_inline_script_copying_files_to_storage_deploys_nothing(tmp_path: Path) -> None:
    workflow = AZURE_CLI_INLINE.replace(
        "az containerapp update --name scorer --resource-group ml-prod --image acr.azurecr.io/scorer:${{ github.sha }}",
        "az storage blob upload-batch -d '$web' -s site/ --overwrite")
    outcome, _ = _outcome(_tree(tmp_path, {".github/workflows/release.yml": workflow, "app.py": "x = 1\n"}), "has_deployment_manifest")
    assert outcome is FindingOutcome.fail


def test_gitlab_security_ci_components_are_scanners(tmp_path: Path) -> None:
    pipeline = (
        "include:\n  - component: $CI_SERVER_FQDN/components/secret-detection/secret-detection@2.1\n"
        "stages: [test]\nunit:\n  stage: test\n  script: [pytest]\n"
    )
    outcome, message = _outcome(_tree(tmp_path, {".gitlab-ci.yml": pipeline}), "scans_security")
    assert outcome is FindingOutcome.pass_
    assert "secret-detection" in message


def test_other_gitlab_ci_components_are_no_scanners(tmp_path: Path) -> None:
    pipeline = "include:\n  - component: $CI_SERVER_FQDN/components/opentofu/full-pipeline@1.0\nstages: [test]\nunit:\n  script: [pytest]\n"
    outcome, _ = _outcome(_tree(tmp_path, {".gitlab-ci.yml": pipeline}), "scans_security")
    assert outcome is FindingOutcome.fail


# --- has_deployment_manifest: a Hugging Face Space updated by CI ----------------------------------------------
# Hugging Face documents syncing a Space from GitHub Actions with `git push https://USER:$HF_TOKEN@huggingface.co/
# spaces/USER/SPACE main`; `huggingface-cli upload ... --repo-type=space` uploads to one. The Space runs the app.

def test_a_git_push_to_a_space_deploys_the_app(tmp_path: Path) -> None:
    command = ("git remote add space https://acme:$HF_TOKEN@huggingface.co/spaces/acme/churn-demo\n"
               "          git push --force space HEAD:main")
    outcome, message = _outcome(_tree(tmp_path, {".github/workflows/sync.yml": _ci_step(command), "app.py": "import gradio\n"}), "has_deployment_manifest")
    assert outcome in PASSED, message
    assert "Space" in message


def test_an_upload_to_a_space_deploys_the_app(tmp_path: Path) -> None:
    command = "huggingface-cli upload acme/scorer-space ./space --repo-type=space"
    outcome, message = _outcome(_tree(tmp_path, {".github/workflows/sync.yml": _ci_step(command), "space/app.py": "import streamlit\n"}), "has_deployment_manifest")
    assert outcome in PASSED, message


def test_an_upload_to_a_model_repository_deploys_nothing(tmp_path: Path) -> None:
    command = "huggingface-cli upload acme/churn-model ./artifacts"
    outcome, _ = _outcome(_tree(tmp_path, {".github/workflows/publish.yml": _ci_step(command), "train.py": "x = 1\n"}), "has_deployment_manifest")
    assert outcome is FindingOutcome.fail


# --- has_ci_pipeline: a job started by a timer or an outside dispatch runs no check of a change -------------

RETRAIN_JOB = """\
on:
  schedule:
    - cron: '0 4 * * 1'
  repository_dispatch:
    types: [new-data]
jobs:
  retrain:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
      - run: pip install -r requirements.txt
      - run: python -m pipeline.retrain --register
"""


def test_a_retraining_job_on_a_timer_or_an_outside_dispatch_is_not_ci(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {".github/workflows/retrain.yml": RETRAIN_JOB}), "has_ci_pipeline")
    assert outcome is FindingOutcome.fail
    assert "dispatch" in message


def test_a_scoring_job_started_by_dispatches_a_script_sends_is_not_ci(tmp_path: Path) -> None:
    workflow = RETRAIN_JOB.replace("  schedule:\n    - cron: '0 4 * * 1'\n", "").replace("pipeline.retrain --register", "pipeline.score --write-table")
    sender = "import requests\n\ndef notify():\n    requests.post('https://api.github.com/repos/acme/x/dispatches', json={'event_type': 'new-data'})\n"
    outcome, _ = _outcome(_tree(tmp_path, {".github/workflows/score.yml": workflow, "ingest/notify.py": sender}), "has_ci_pipeline")
    assert outcome is FindingOutcome.fail


def test_the_same_triggers_running_the_tests_are_ci(tmp_path: Path) -> None:
    workflow = RETRAIN_JOB.replace("python -m pipeline.retrain --register", "pytest -q tests/")
    outcome, _ = _outcome(_tree(tmp_path, {".github/workflows/nightly.yml": workflow}), "has_ci_pipeline")
    assert outcome is FindingOutcome.pass_

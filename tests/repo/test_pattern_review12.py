"""Review of session 12's patterns over untrusted files (review12): each open run stops where the next
match could start, so a search stays linear in the file's size. Structural checks, never timed."""

from __future__ import annotations

import re

from mlops_audit.evidence.repo.detectors import governance


def test_an_image_alt_text_run_stops_at_the_next_image_opener():
    # The run crossing `![` made each opener of `![![![...` scan to the end of the file.
    assert re.fullmatch(governance._ALT_TEXT, "C4 containers (v2) ! done") is not None
    assert re.fullmatch(governance._ALT_TEXT, "a ![b") is None


def test_an_img_tag_attribute_run_stops_at_the_next_tag():
    assert re.fullmatch(governance._TAG_ATTRIBUTES, 'alt="x" width="600" ') is not None
    assert re.fullmatch(governance._TAG_ATTRIBUTES, "width=1 <img ") is None


def test_embedded_diagrams_are_still_found_after_hostile_openers():
    page = "![![![ <img <img \n\n![C4 view](img/c4-containers.svg)\n"
    assert governance._architecture_diagram(page) == 3
    assert governance._architecture_diagram('x\n<img width="600" src="docs/architecture.png">\n') == 2
    assert governance._architecture_diagram("x\n.. image:: _static/architecture_diagram.png\n") == 2
    assert governance._architecture_diagram("![a ![b](img/architecture.png)\n") == 1  # the inner opener's target
    assert governance._architecture_diagram("![logo](img/logo.png)\n<img src='team.jpg'>\n") is None


def test_a_diagram_name_is_judged_without_a_run_between_word_and_suffix():
    # The name's words are searched before the suffix: no pattern spans both with an open run.
    assert not re.search(r"(?<!\\)[*+]|\{\d*,\}", governance._DIAGRAM_WORD.pattern)
    assert governance._diagram_name("architecture_v2.png") and governance._diagram_name("C4-Containers.SVG")
    assert governance._diagram_name("system overview.jpeg") and governance._diagram_name("dataflow.drawio")
    assert not governance._diagram_name("xc4.png") and not governance._diagram_name("design.txt")
    assert not governance._diagram_name("logo.png") and not governance._diagram_name("png.design")


def test_the_constant_assert_prefilter_keeps_its_runs_on_the_line_and_apart():
    from mlops_audit.evidence.repo.pyfacts import CONSTANT_ASSERT_LINE

    # No non-letter run crosses a line end, and no two of them sit side by side (every split of a
    # long run of digits was tried).
    assert r"[^A-Za-z_]*" not in CONSTANT_ASSERT_LINE.pattern and r"[^A-Za-z_\n]*" in CONSTANT_ASSERT_LINE.pattern
    assert "*(?:(?:True|False|None)[^A-Za-z_\\n]*)?$" in CONSTANT_ASSERT_LINE.pattern
    for line in ("assert True\n", "  assert 1 + 1 == 2\n", "assert (\n  True)\n", "assert\n  None\n", "assert\tFalse", "x = 1\n    assert (1,\n2)\n"):
        assert CONSTANT_ASSERT_LINE.search(line), line
    for line in ("assert x\n", "assert f(1)\n", "assert 1 == 1, 'msg'\n", "assert True and False\n", "assert " + "1" * 500 + "x\n"):
        assert not CONSTANT_ASSERT_LINE.search(line), line


def test_each_api_view_names_the_function_it_decorates_among_many():
    # The decorated function is found by bisection over the file's functions (was one scan of every
    # function per decorator); each decorator still names the first function defined after it.
    from mlops_audit.evidence.repo.detectors._handlers import request_handlers
    from mlops_audit.evidence.repo.pysource import summarise

    views = "".join(f"@api_view(['POST'])\n@permission_classes([])\ndef view{i}(request):\n    return {i}\n\n" for i in range(300))
    code = "from rest_framework.decorators import api_view, permission_classes\n\n" + views + "def helper():\n    pass\n"
    found = [(cls, name) for cls, name, _ in request_handlers(summarise("views.py", [code]))]
    assert found == [("", f"view{i}") for i in range(300)]  # not the undecorated helper


def test_training_split_names_are_removed_token_by_token(monkeypatch):
    from mlops_audit.evidence.repo.detectors import monitoring

    text = "python train.py --input data/train.parquet --output-train out/\nX_train, y_train = train_test_split(df)\nmodel.fit(X_train)\n"
    expected = monitoring._TRAIN_SPLIT.sub(" ", text)
    assert monitoring.without_split_names(text) == expected
    assert "train.py" in expected and "parquet" not in expected and "X_train" not in expected

    # Structural: the pattern only ever sees one short token that mentions "train", never a whole file
    # or a long run (its open leading runs were retried from every position of one).
    seen: list[str] = []
    real = monitoring._TRAIN_SPLIT

    class Recording:
        def sub(self, repl: str, token: str) -> str:
            seen.append(token)
            return real.sub(repl, token)

    monkeypatch.setattr(monitoring, "_TRAIN_SPLIT", Recording())
    hostile = "-" * 5000 + " " + "a/" * 3000 + "train.py " + text
    result = monitoring.without_split_names(hostile)
    assert seen == ["train.py", "data/train.parquet", "--output-train", "X_train", "y_train", "train_test_split", "X_train"]
    assert "-" * 5000 in result and "a/a/a/train.py" not in result  # the over-long token mentioning train is left out


def test_scripts_named_by_commands_are_found_from_one_pass_over_the_listing(tmp_path, monkeypatch):
    from mlops_audit.evidence.repo.collect import build_index
    from mlops_audit.evidence.repo.detectors import monitoring

    files = ["run.py", "pipeline/run.py", "a/pipeline/run.py", "b/pipeline/run.py", "c/pipeline/run.py", "pipeline/steps.py", "xpipeline/run.py"]
    for rel in files:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x = 1\n", encoding="utf-8")
    repo = build_index(tmp_path)
    listing = list(repo.python_files())
    for tail in ("run.py", "pipeline/run.py", "a/pipeline/run.py", "steps.py", "missing.py", "", "pipeline//run.py", "ipeline/run.py"):
        expected = [p for p in listing if p == tail or p.endswith("/" + tail)][: monitoring.MAX_SCRIPTS_PER_TAIL]
        assert monitoring.python_files_ending(repo, tail) == expected, tail
    # Structural: the listing is read once per index, not once per command (was quadratic).
    calls = []
    fresh = build_index(tmp_path)
    real = fresh.python_files
    monkeypatch.setattr(fresh, "python_files", lambda: calls.append(1) or real())
    for i in range(50):
        monitoring._script_trains(fresh, f"python scripts/job{i}.py && python -m pipeline.run")
    assert len(calls) == 1


CRON = "---\napiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\nmetadata:\n  name: {cron}\nspec:\n  schedule: '0 3 * * *'\n  workflowSpec:\n    workflowTemplateRef:\n      name: {template}\n"
TEMPLATE = ("---\napiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata:\n  name: {name}\nspec:\n  templates:\n  - name: main\n"
            "    container:\n      image: app\n      command: [python, {script}]\n")


def test_cron_workflows_find_their_templates_from_one_pass_over_the_manifests(tmp_path, monkeypatch):
    from mlops_audit.evidence.repo.collect import build_index
    from mlops_audit.evidence.repo.detectors import monitoring

    crons = "".join(CRON.format(cron=f"nightly-{i}", template="weekly-refit" if i % 2 else "missing") for i in range(40))
    (tmp_path / "argo").mkdir()
    (tmp_path / "argo" / "crons.yaml").write_text(crons, encoding="utf-8")
    (tmp_path / "argo" / "templates.yaml").write_text(
        TEMPLATE.format(name="weekly-refit", script="jobs/refit.py") + TEMPLATE.format(name="weekly-refit", script="jobs/score.py"), encoding="utf-8")
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "refit.py").write_text("from model import train_model\n\ntrain_model()\n", encoding="utf-8")
    (tmp_path / "jobs" / "score.py").write_text("from model import load\n\nload().predict([])\n", encoding="utf-8")
    passes = []
    real = monitoring.manifest_documents
    monkeypatch.setattr(monitoring, "manifest_documents", lambda *a, **k: passes.append(1) or real(*a, **k))
    found = monitoring._scheduled_manifests(build_index(tmp_path))
    assert [why for why, _ in found] == ["Kubernetes CronWorkflow"] * 20  # the first template of the name decides: it trains
    assert len(passes) == 2  # one pass for the CronWorkflows, one for the templates (was one per CronWorkflow)


def test_routes_calling_one_injected_service_method_walk_the_service_once(tmp_path, monkeypatch):
    from mlops_audit.evidence.repo.collect import build_index
    from mlops_audit.evidence.repo.detectors import deployment

    head = ("from typing import Annotated\nfrom fastapi import APIRouter, Depends\nfrom app.deps import get_w\nfrom app.workflow.chat import ChatWorkflow\n"
            "router = APIRouter()\nDep = Annotated[ChatWorkflow, Depends(get_w)]\n")
    routes = head + "".join(f"@router.post('/r{i}')\nasync def r{i}(q: str, workflow: Dep):\n    return workflow.handle_query(q)\n" for i in range(30))
    service = "class ChatWorkflow:\n    def handle_query(self, q):\n        self.log(q)\n        return q\n"
    files = {"app/api.py": routes, "app/workflow/chat.py": service, "app/deps.py": "def get_w():\n    pass\n", "app/__init__.py": "", "app/workflow/__init__.py": ""}
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    walks = []
    real = deployment._calls_by_scope
    monkeypatch.setattr(deployment, "_calls_by_scope", lambda summary: walks.append(summary.path) or real(summary))
    assert deployment._routes_through_services(build_index(tmp_path)) == []  # the service only logs: no model
    assert walks == ["app/workflow/chat.py"]  # once, not once per route

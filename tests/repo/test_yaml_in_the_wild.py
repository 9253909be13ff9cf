"""YAML as repositories write it: anchors and merge keys, hostile expansions, templated configs."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_audit.evidence.repo.ciconfig import ci_commands, ci_configs
from mlops_audit.evidence.repo.index import HELM_PLACEHOLDER, RepoIndex
from mlops_audit.evidence.repo.templated import MAX_REPAIRS, template_as_yaml
from mlops_audit.util import safeyaml

FIXTURES = Path(__file__).parent / "fixtures"


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# Anchors, aliases, merge keys ----------------------------------------------------------------------
def test_gitlab_jobs_built_from_merged_anchors_are_parsed_not_guessed_from_text(tmp_path: Path) -> None:
    (tmp_path / ".gitlab-ci.yml").write_bytes((FIXTURES / "has_ci_pipeline/pass-gitlab-anchors/.gitlab-ci.yml").read_bytes())
    index = RepoIndex(tmp_path)
    [config] = ci_configs(index)
    assert (config.system, config.note, config.confident, config.line) == ("GitLab CI", "2 job(s)", True, 13)
    # The merged `before_script` is seen in both jobs, at the line where the anchor writes it.
    installs = [(line, key_path[0]) for path, line, key_path, text in ci_commands(index) if "pip install" in text]
    assert installs == [(6, ".python"), (6, "unit-tests"), (6, "package")]
    assert not index.problems


def test_merge_keys_follow_yaml_1_1_written_keys_then_earlier_merges_win() -> None:
    text = "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  x: 0\n"
    doc = safeyaml.load_yaml_text(text, "m.yml", aliases=True)
    assert doc.data["c"] == {"x": 0, "y": 1, "z": 2}
    assert list(doc.data["c"]) == ["y", "z", "x"]  # inherited keys first, then those written
    assert doc.where(("c", "x")) == "m.yml:5:3" and doc.where(("c", "z")) == "m.yml:2:14"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\n<<: [1, 2]\n", "m.yml:2:6: a merge key (<<) takes a mapping or a list of mappings"),
        ("a: &a [*a, *a]\n", "m.yml:1: nesting deeper than 64 levels"),
        ("a: &a {x: 1}\nb:\n  <<: *a\n  y: 1\n  y: 2\n", "m.yml:5:3: duplicate key 'y' at b"),
    ],
    ids=["merge-of-scalars", "recursive-alias", "duplicate-next-to-merge"],
)
def test_bad_anchors_and_merges_are_located_problems(text: str, expected: str) -> None:
    with pytest.raises(safeyaml.YamlProblem) as info:
        safeyaml.load_yaml_text(text, "m.yml", aliases=True)
    assert info.value.message.startswith(expected)


def test_a_wide_fan_of_aliases_is_refused_before_it_is_built(tmp_path: Path) -> None:
    # 20 levels of two aliases each: a million leaves from a file of twenty lines.
    text = "l0: &l0 [x]\n" + "".join(f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}]\n" for i in range(1, 21))
    write(tmp_path, "ci/fan.yml", text)
    write(tmp_path, "ci/ok.yml", "x: 1\n")
    index = RepoIndex(tmp_path)
    assert index.yaml_documents("ci/fan.yml") == [] and index.yaml("ci/ok.yml") is not None
    assert index.problems == [
        f"ci/fan.yml: YAML aliases expand to more than {safeyaml.MAX_ALIAS_NODES:,} nodes (a 'billion laughs' file?); "
        "refused, nothing in it is used"
    ]


def test_our_own_input_still_refuses_anchors_and_merges() -> None:
    with pytest.raises(safeyaml.YamlProblem, match="anchors"):
        safeyaml.load_yaml_text("a: &x {b: 1}\nc: *x\n", "rubric.yaml")
    with pytest.raises(safeyaml.YamlProblem, match="merge keys"):
        safeyaml.load_yaml_text("c:\n  <<: {b: 1}\n", "rubric.yaml")


# Templates ------------------------------------------------------------------------------------------
HELM = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "chart.fullname" . }}
  {{/* a comment
  over two lines */}}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  template:
    spec:
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
"""


def test_a_helm_template_keeps_its_structure_and_lines(tmp_path: Path) -> None:
    write(tmp_path, "chart/templates/deployment.yaml", HELM)
    index = RepoIndex(tmp_path)
    doc = index.yaml("chart/templates/deployment.yaml")
    assert doc is not None and not index.problems
    assert doc.data["kind"] == "Deployment" and doc.data["spec"]["replicas"] == HELM_PLACEHOLDER
    container = doc.data["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == f"{HELM_PLACEHOLDER}:{HELM_PLACEHOLDER}"
    assert doc.where(("spec", "template", "spec", "containers", 0, "image")) == "chart/templates/deployment.yaml:15:11"


def test_jinja_and_envsubst_templates_are_listed_and_read_tolerantly(tmp_path: Path) -> None:
    write(tmp_path, "deploy/service.yaml.j2", (
        "{# rendered by ansible #}\n"
        "apiVersion: v1\n"
        "kind: Service\n"
        "metadata:\n"
        "  name: {{ service_name }}\n"
        "spec:\n"
        "  ports:\n"
        "{% for port in ports %}\n"
        "    - port: {{ port }}\n"
        "{% endfor %}\n"
        "---\n"
        "kind: ConfigMap\n"
        "data: {{ config | to_yaml }} extra: [\n"  # still broken once the hole is blanked: the line is dropped
        "metadata: {name: cfg}\n"
    ))
    write(tmp_path, "ci/pipeline.yml.template", "steps:\n  - name: build\n    image: ${IMAGE}\n")
    write(tmp_path, "notes.j2", "{{ not yaml }}\n")
    index = RepoIndex(tmp_path)
    assert index.yaml_files() == ["ci/pipeline.yml.template", "deploy/service.yaml.j2"]
    service, config_map = index.yaml_documents("deploy/service.yaml.j2")
    assert service.data["spec"] == {"ports": [{"port": HELM_PLACEHOLDER}]}
    assert service.where(("spec", "ports", 0, "port")) == "deploy/service.yaml.j2:9:7"
    assert config_map.data == {"kind": "ConfigMap", "metadata": {"name": "cfg"}}
    assert index.yaml("ci/pipeline.yml.template").data["steps"][0]["image"] == "${IMAGE}"  # type: ignore[union-attr]
    assert not index.problems


def test_a_template_that_cannot_be_repaired_is_a_problem_and_its_other_documents_are_kept(tmp_path: Path) -> None:
    broken = "".join(f"k{i}: [\n" for i in range(MAX_REPAIRS + 2))
    write(tmp_path, "t/x.yaml.tpl", "kind: A\n---\n" + broken)
    index = RepoIndex(tmp_path)
    assert [d.data for d in index.yaml_documents("t/x.yaml.tpl")] == [{"kind": "A"}]
    [problem] = index.problems
    assert problem.startswith("t/x.yaml.tpl:") and "YAML syntax error" in problem


@pytest.mark.parametrize("line", ["{{ " * 50_000, "{% " * 50_000, "{#" * 50_000, "{{/*" * 50_000], ids=["holes", "statements", "comments", "helm-comments"])
def test_unclosed_template_marks_are_kept_as_written(line: str) -> None:
    assert template_as_yaml(line + "\nb: 1\n") == line + "\nb: 1\n"


def test_a_hole_ends_at_its_first_closing_braces() -> None:
    assert template_as_yaml("a: {{ x }}}}\n") == f"a: {HELM_PLACEHOLDER}}}}}\n"

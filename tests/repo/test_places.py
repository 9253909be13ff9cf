"""Files outside the default places: Dockerfile names, CI folders and includes, Sphinx/MkDocs docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_audit.evidence.repo.ciconfig import ci_commands, ci_configs, ci_file_paths
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.places import headings, is_dockerfile


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Dockerfile", True), ("dockerfile", True), ("Dockerfile.gpu", True), ("Dockerfile-dev", True), ("Dockerfile_cuda12", True),
        ("BaseDockerfile", True), ("train.dockerfile", True), ("serve.Dockerfile", True), ("Containerfile", True), ("gpu.Containerfile", True),
        ("dockerfile_lint.py", False), ("Dockerfile.md", False), ("dockerfiles.txt", False), (".dockerignore", False),
        ("docker-compose.yml", False), ("Dockerfile.yaml", False), ("Makefile", False),
    ],
)
def test_dockerfile_names(name: str, expected: bool) -> None:
    assert is_dockerfile(name) is expected


def test_dockerfiles_are_listed_in_listing_order_wherever_they_are(tmp_path: Path) -> None:
    for rel in ("docker/BaseDockerfile", "Dockerfile.gpu", "serve/api.dockerfile", "tools/dockerfile_lint.py", "README.md"):
        write(tmp_path, rel, "FROM python:3.11\n")
    assert RepoIndex(tmp_path).dockerfiles() == ["Dockerfile.gpu", "docker/BaseDockerfile", "serve/api.dockerfile"]


def test_ci_references_are_followed_transitively_and_stay_inside_the_tree(tmp_path: Path) -> None:
    write(tmp_path, ".gitlab-ci.yml", (
        "include:\n"
        "  - local: /ci/test.gitlab-ci.yml\n"
        "  - ci/lint.yml\n"
        "  - project: other/group\n    file: /templates/remote.yml\n"
        "  - remote: https://example.com/ci.yml\n"
        "  - local: ../../outside.yml\n"
    ))
    write(tmp_path, "ci/test.gitlab-ci.yml", "include: {local: /ci/deep.yml}\nunit:\n  script: [pytest -q]\n")
    write(tmp_path, "ci/deep.yml", "include: /.gitlab-ci.yml\n")  # a cycle back to the root
    write(tmp_path, "ci/lint.yml", "lint:\n  script: [ruff check .]\n")
    write(tmp_path, "templates/remote.yml", "x:\n  script: [echo]\n")  # from another project: not this file
    write(tmp_path, "azure-pipelines/build.yml", "trigger: [main]\npool: {vmImage: ubuntu-latest}\nsteps:\n  - template: steps/test.yml\n  - template: steps/x.yml@templates\n")
    write(tmp_path, "azure-pipelines/steps/test.yml", "steps:\n  - script: pytest\n")
    write(tmp_path, ".github/workflows/ci.yml", "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/setup\n")
    write(tmp_path, ".github/actions/setup/action.yml", "runs:\n  using: composite\n  steps:\n    - run: pip install -e .\n      shell: bash\n")
    index = RepoIndex(tmp_path)
    assert index.ci_included_files([".gitlab-ci.yml"]) == ["ci/deep.yml", "ci/lint.yml", "ci/test.gitlab-ci.yml"]
    assert index.ci_included_files(["azure-pipelines/build.yml"]) == ["azure-pipelines/steps/test.yml"]
    assert index.ci_included_files([".github/workflows/ci.yml"]) == [".github/actions/setup/action.yml"]
    assert index.ci_folder_files() == ["azure-pipelines/build.yml", "azure-pipelines/steps/test.yml", "ci/deep.yml", "ci/lint.yml", "ci/test.gitlab-ci.yml"]
    assert ".github/actions/setup/action.yml" in ci_file_paths(index)
    commands = {text for _, _, _, text in ci_commands(index)}
    assert {"pytest -q", "ruff check .", "pytest", "pip install -e ."} <= commands and "echo" not in commands


def test_a_gitlab_root_that_only_includes_is_judged_by_the_included_jobs(tmp_path: Path) -> None:
    write(tmp_path, ".gitlab-ci.yml", "include:\n  - local: /ci/jobs.yml\n")
    write(tmp_path, "ci/jobs.yml", "unit:\n  script: [pytest]\n")
    gitlab = [c for c in ci_configs(RepoIndex(tmp_path)) if c.path == ".gitlab-ci.yml"]
    assert [(c.confident, c.note) for c in gitlab] == [(True, "jobs in included ci/jobs.yml")]
    write(tmp_path, "ci/jobs.yml", "variables: {A: 1}\n")
    gitlab = [c for c in ci_configs(RepoIndex(tmp_path)) if c.path == ".gitlab-ci.yml"]
    assert [(c.confident, c.note) for c in gitlab] == [(False, "jobs come from included files")]


def test_headings_of_markdown_restructuredtext_and_asciidoc() -> None:
    text = (
        "=====\nTitle\n=====\n\nIntro\n\nArchitecture\n------------\n\nText\n\nDetails\n~~~~~~~\n\n"
        "```\n# not a heading\n```\n## Markdown heading ##\n= AsciiDoc title\nSetext\n======\n"
    )
    assert headings(text) == [(2, 1, "Title"), (7, 2, "Architecture"), (12, 3, "Details"), (18, 2, "Markdown heading"), (19, 1, "AsciiDoc title"), (20, 1, "Setext")]


def test_mkdocs_pages_are_found_under_docs_dir_with_their_section_titles(tmp_path: Path) -> None:
    write(tmp_path, "site/mkdocs.yml", (
        "site_name: x\ndocs_dir: pages\nnav:\n  - index.md\n  - Design:\n      - Architecture: arch/overview.md\n      - ops.md\n"
        "  - External: https://example.com/x.md\n  - Missing: gone.md\n"
    ))
    for rel in ("site/pages/index.md", "site/pages/arch/overview.md", "site/pages/ops.md"):
        write(tmp_path, rel, "# x\n")
    assert RepoIndex(tmp_path).mkdocs_pages() == {
        "site/pages/arch/overview.md": "Design / Architecture", "site/pages/index.md": "index.md", "site/pages/ops.md": "Design",
    }

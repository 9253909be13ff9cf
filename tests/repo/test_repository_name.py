"""The repository's name as a sign of learning material (session 11): the owner and name of its git
remote (`reponame`), parsed generically and read bounded, and the classifier's name gate
(`teachingmodel.name_says`, `name_threshold`): a repository named as material (`*-workshop`,
`*-examples`, `aws-samples/*`) is taken whole when its files give at least even odds; a team's system
is never flagged for its name, and a name alone never decides."""

from __future__ import annotations

import math
import os
import subprocess
from pathlib import Path

import pytest

from mlops_audit.evidence.repo import reponame, teachingmodel
from mlops_audit.evidence.repo.collect import collect
from mlops_audit.evidence.repo.index import RepoIndex
from tests.repo.test_coursework import NOW
from tests.repo.test_teaching_model import WEAK_NOTES_README, capstone, notes_course

TEN_TOPICS = ("docker", "k8s", "mlflow", "monitoring", "airflow", "dvc", "feast", "kserve", "bentoml", "evidently")


# --- the remote's URL, parsed generically ----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "names"),
    [
        # a URL with a host: its owner and name
        ("https://github.com/acme/mlops-workshop.git", ("acme", "mlops-workshop")),
        ("https://github.com/acme/mlops-workshop/", ("acme", "mlops-workshop")),
        ("http://gitea.local:3000/acme/churn-service", ("acme", "churn-service")),
        ("https://user:s3cret@gitlab.example.com/group/sub/churn-service.git?ref=x", ("sub", "churn-service")),  # credentials and query dropped
        ("https://user:p@ss@host/acme/churn-service#readme", ("acme", "churn-service")),  # an '@' in a password, a fragment
        ("https://[2001:db8::1]:8443/acme/churn-service.git", ("acme", "churn-service")),  # an IPv6 host
        ("ssh://git@github.com:22/aws-samples/amazon-sagemaker-drift-detection.git", ("aws-samples", "amazon-sagemaker-drift-detection")),
        ("git://git.example.org/acme/churn-service", ("acme", "churn-service")),
        ("git+ssh://git@host/acme/churn-service.git", ("acme", "churn-service")),
        ("hg::https://host/acme/churn-service", ("acme", "churn-service")),  # a remote helper's transport
        ("git@github.com:optuna/optuna-examples.git", ("optuna", "optuna-examples")),  # scp-like
        ("github.com:owner/name", ("owner", "name")),
        ("git@host:churn-service.git", ("churn-service",)),  # a host, but a path of one component
        ("https://host/owner/" + "n" * 300, ("owner",)),  # a component longer than MAX_COMPONENT_CHARS is dropped
        # a local path or a file:// URL: the folders above the repository are the user's, not an owner
        ("file:///srv/git/team/churn-service.git", ("churn-service",)),
        ("file://localhost/home/x/examples/churn-service", ("churn-service",)),
        ("FILE:///home/x/examples/churn-service/.git", ("churn-service",)),
        ("/home/x/examples/churn-service", ("churn-service",)),
        ("/srv/mirror/kubeflow+examples/repo/.git", ("repo",)),  # a local mirror: its last folder only
        ("../sibling/churn-service", ("churn-service",)),
        ("./examples/churn-service/", ("churn-service",)),
        ("C:\\git\\examples\\churn-service", ("churn-service",)),
        ("C:/git/examples/churn-service.git", ("churn-service",)),
        ("/srv/odd://examples/churn-service", ("churn-service",)),  # '://' after a path is no scheme
        ("https:///examples/churn-service", ("churn-service",)),  # no host: not a hosted URL
        ("name-only", ("name-only",)),
        # nothing usable, or hostile
        ("", ()),
        ("   ", ()),
        ("https://github.com/", ()),
        ("file:///", ()),
        ("/", ()),
        ("git@host:", ()),
        ("https://host/" + "a" * 3000, ()),  # longer than MAX_URL_CHARS: no name
        ("/" * 2000, ()),
        ("https://host/" + "x/" * 1100, ()),  # 1100 components: longer than MAX_URL_CHARS
        ("https://host/" + "x/" * 900 + "acme/churn-service", ("acme", "churn-service")),  # deep, within the cap
        ("/home/x/ex\x00amples/churn\tservice", ("churn\tservice",)),  # control characters stay inside the name (words split them)
        ("https://host/ac%20me/ch\u00fcrn-s\u00e9rvice", ("ac%20me", "ch\u00fcrn-s\u00e9rvice")),  # percent-encoding and non-ASCII, never decoded
    ],
)
def test_a_remote_url_gives_its_owner_and_name_only_with_a_host(url: str, names: tuple[str, ...]) -> None:
    assert reponame.names_of_url(url) == names


def test_urls_built_to_make_the_parser_backtrack_give_no_owner() -> None:
    """At the URL cap, runs of the characters the scheme, user and host patterns stop at: each is
    parsed at once (the patterns are linear) and none is read as a hosted URL."""
    n = reponame.MAX_URL_CHARS
    assert reponame.names_of_url("a" * n) == ()  # one component longer than MAX_COMPONENT_CHARS
    assert reponame.names_of_url("a@" * (n // 2)) == ()
    assert reponame.names_of_url("a" * (n - 1) + ":") == ()  # scp-like, an empty path
    assert reponame.names_of_url(":/" * (n // 2)) == (":",)  # a local path of ':' folders: a name with no words
    assert reponame.name_words((":",)) == frozenset()
    assert reponame.names_of_url("x" * 40 + "://" + "y/" * 1000) == ("y",)  # no scheme (too long): a local path
    assert reponame.names_of_url("a:" * 60 + "b/acme/examples") == ("acme", "examples")  # scp-like: host 'a', the rest its path


def test_the_config_gives_origins_url_else_the_first_remotes() -> None:
    both = '[core]\n\tbare = false\n[remote "upstream"]\n\turl = https://github.com/up/stream.git\n[remote "origin"]\n\turl = git@github.com:me/fork.git\n'
    assert reponame.remote_url_of_config(both) == "git@github.com:me/fork.git"
    only = '[remote "upstream"]\n\turl = https://github.com/up/stream.git\n[branch "main"]\n\turl = not-a-remote\n'
    assert reponame.remote_url_of_config(only) == "https://github.com/up/stream.git"
    assert reponame.remote_url_of_config('[branch "main"]\n\tremote = origin\n\turl = x\n') is None  # a url outside a remote section
    assert reponame.remote_url_of_config("[core]\n\tbare = false\n") is None
    assert reponame.remote_url_of_config('[remote "origin"]\n\turl = "https://h/a/b"\n') == "https://h/a/b"
    assert reponame.remote_url_of_config('[remote "origin"]\n\tURL = https://h/a/b.git ; the fork\n') == "https://h/a/b.git"


@pytest.mark.parametrize(
    ("names", "words"),
    [
        (("acme", "MLOps_Workshop-2024"), {"acme", "mlops", "workshop", "2024", "mlopsworkshop", "workshop2024"}),
        (("Paulescu", "hands-on-train"), {"paulescu", "hands", "on", "train", "handson", "ontrain"}),
        (("", "azureMlExamples"), {"azure", "ml", "examples", "azureml", "mlexamples"}),
    ],
)
def test_names_are_split_into_words_and_neighbours_joined(names: tuple[str, ...], words: set[str]) -> None:
    assert reponame.name_words(names) == words


def _git(root: Path, *remotes: tuple[str, str]) -> Path:
    root.mkdir(exist_ok=True)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True, capture_output=True)
    for name, url in remotes:
        subprocess.run(["git", "remote", "add", name, url], cwd=root, check=True, capture_output=True)
    return root


def test_a_checkouts_names_come_from_its_remote_never_its_folder(tmp_path: Path) -> None:
    named = _git(tmp_path / "churn-service", ("origin", "https://github.com/acme/mlops-workshop.git"))
    assert reponame.repository_names(named) == ("acme", "mlops-workshop")
    unnamed = _git(tmp_path / "mlops-workshop")  # a folder named as material, no remote: no name
    assert reponame.repository_names(unnamed) == ()
    (tmp_path / "plain").mkdir()
    assert reponame.repository_names(tmp_path / "plain") == ()  # no .git at all


def test_a_symlinked_or_oversized_config_and_a_gitfile_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.config"
    outside.write_text('[remote "origin"]\n\turl = https://github.com/acme/examples.git\n', encoding="utf-8")
    linked = tmp_path / "linked"
    (linked / ".git").mkdir(parents=True)
    os.symlink(outside, linked / ".git" / "config")
    assert reponame.repository_names(linked) == ()
    gitfile = tmp_path / "worktree"
    gitfile.mkdir()
    (gitfile / ".git").write_text(f"gitdir: {tmp_path / 'linked' / '.git'}\n", encoding="utf-8")
    assert reponame.repository_names(gitfile) == ()  # its configuration lives outside the scanned root
    padded = tmp_path / "padded"
    (padded / ".git").mkdir(parents=True)
    (padded / ".git" / "config").write_text("#" * reponame.MAX_CONFIG_BYTES + '\n[remote "origin"]\n\turl = https://h/acme/examples\n', encoding="utf-8")
    assert reponame.repository_names(padded) == ()  # read up to the cap only


# --- the name gate ------------------------------------------------------------------------------------


def _learning(root: Path):
    index = RepoIndex(root)
    try:
        return index.stats.learning
    finally:
        index.close()


def _workshop(root: Path, url: str | None) -> Path:
    """Ten topic folders of notes, each with a demo script, a weak README (no rule takes it whole):
    the model gives even odds or more but stays below its threshold for an unnamed repository."""
    notes_course(root, WEAK_NOTES_README, topics=TEN_TOPICS)
    return _git(root, ("origin", url)) if url else _git(root)


def test_the_gate_sits_between_even_odds_and_the_threshold() -> None:
    model = teachingmodel.load()
    assert model.name_threshold is not None and 0.5 <= model.name_threshold < model.threshold
    assert {"examples", "samples", "workshop", "tutorial", "template", "cookiecutter"} <= set(model.name_vocabulary)
    assert not {"course", "zoomcamp", "project", "lab", "showcase", "demo"} & set(model.name_vocabulary)  # names of students' and teams' own projects too
    assert model.training["named_projects"] >= 1 and model.training["lobo_projects_flagged"] == 0


def test_a_repository_named_as_a_workshop_with_lesson_folders_is_taken_whole(tmp_path: Path) -> None:
    model = teachingmodel.load()
    learning = _learning(_workshop(tmp_path / "w", "git@github.com:acme/mlops-workshop.git"))
    assert learning.verdict == "course" and learning.probability is not None
    assert model.name_threshold <= learning.probability < model.threshold  # the name decided, with the files' even odds
    (tree,) = learning.trees
    assert "the repository's name says 'workshop' (a named repository's threshold" in tree.why
    assert "mlops-workshop" not in tree.why and "acme" not in tree.why  # only the vocabulary's word is said


def test_the_same_tree_without_a_remote_or_under_a_teams_name_keeps_its_credit(tmp_path: Path) -> None:
    model = teachingmodel.load()
    for name, url in (("bare", None), ("team", "https://github.com/acme/churn-service.git"), ("near", "https://github.com/acme/examplesys.git")):
        learning = _learning(_workshop(tmp_path / name, url))
        assert learning.verdict == "none" and learning.probability is not None and learning.probability < model.threshold, name


def test_a_checkout_cloned_from_a_local_folder_is_not_named_by_the_folders_above_it(tmp_path: Path) -> None:
    """review11: a clone of `/home/x/examples/svc` took the user's folder `examples` as the owner, and
    the gate judged the checkout at the lower threshold. A local path or file:// URL names the repository only."""
    model = teachingmodel.load()
    assert teachingmodel.name_says(model, reponame.names_of_url("/home/x/examples/churn-service")) == ()
    for name, url in (("path", "/home/x/examples/churn-service"), ("file", "file:///srv/workshop/churn-service.git"), ("mirror", "../tutorials/churn-service/.git")):
        learning = _learning(_workshop(tmp_path / name, url))
        assert learning.verdict == "none" and learning.probability is not None and learning.probability < model.threshold, name


def test_a_teams_system_named_as_examples_or_a_template_is_not_flagged_the_name_alone_never_decides(tmp_path: Path) -> None:
    model = teachingmodel.load()
    for name in ("churn-service", "churn-examples", "churn-template"):
        root = tmp_path / name
        capstone(root, modules=8)
        _git(root, ("origin", f"https://github.com/acme/{name}.git"))
        learning = _learning(root)
        assert learning.verdict == "none" and learning.probability is not None and learning.probability < model.name_threshold, name
        assert {f.detector: f for f in collect(root, now=NOW).findings}["serves_model"].outcome.value == "pass", name


def _tiny_model(**update) -> teachingmodel.TeachingModel:
    doc = {
        "format": teachingmodel.FORMAT, "intercept": 0.0, "threshold": 0.8, "clip": 3.0, "vocabulary": {}, "training": {},
        "features": [{"name": "notes_share", "mean": 0.0, "scale": 1.0, "coef": 1.0}],
        "name_vocabulary": ["examples", "workshop"], "name_threshold": 0.5,
    }
    return teachingmodel.TeachingModel.model_validate(doc | update)


def test_judge_uses_the_name_threshold_only_for_a_named_repository() -> None:
    found = {"notes_share": teachingmodel.Feature(math.log(0.6 / 0.4), "some notes")}  # p = 0.6
    model = _tiny_model()
    assert teachingmodel.name_says(model, ("acme", "ml-examples")) == ("examples",)
    assert teachingmodel.name_says(model, ("acme", "churn-service")) == ()
    assert teachingmodel.name_says(model, ()) == ()
    assert teachingmodel.name_says(_tiny_model(name_threshold=None), ("acme", "ml-examples")) == ()  # no gate in the file
    unnamed = teachingmodel.judge(model, found)
    named = teachingmodel.judge(model, found, ("examples",))
    assert unnamed.probability == named.probability == 0.6  # the name never moves the probability
    assert not unnamed.flagged and named.flagged and "the repository's name says 'examples'" in named.reason
    below = {"notes_share": teachingmodel.Feature(math.log(0.4 / 0.6), "few notes")}  # p = 0.4
    assert not teachingmodel.judge(model, below, ("examples",)).flagged


@pytest.mark.parametrize(
    ("update", "said"),
    [
        ({"name_threshold": 0.9}, "may not exceed threshold"),
        ({"name_vocabulary": []}, "needs a name_vocabulary"),
        ({"name_vocabulary": ["Examples"]}, "name_vocabulary: expected lower-case words"),
        ({"name_threshold": 0.0}, "name_threshold"),
    ],
)
def test_a_bad_name_gate_in_the_model_file_is_refused(update: dict, said: str) -> None:
    with pytest.raises(ValueError, match=said):
        _tiny_model(**update)

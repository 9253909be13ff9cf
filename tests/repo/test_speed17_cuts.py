"""Session 17's speed cuts (issue #12's collect-time allowance): the same answers with less work. Each
test holds the former formulation as the specification and checks that the new one answers the same
on texts built from the pieces that decide it (the words in either case, near misses, line breaks),
so what collect reports cannot change."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlops_audit.evidence.repo import casewords, coursework
from mlops_audit.evidence.repo.detectors import _duties, _verdicts, governance

FILLERS = [" ", "\n", "\t", ".", ",", "x", "-", "\u00e9", "\u017f"]


def _texts(pieces: list[str], max_size: int = 16) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces + FILLERS), max_size=max_size).map("".join)


# --- the README's opening: each search made once per text -------------------------------------------


def _teaching_readme_before(opening: tuple[str, str] | None, *, strong_only: bool = False, whole: bool = False) -> str | None:
    """`coursework.teaching_readme` as it was: both searches of the text made on every call."""
    if opening is None:
        return None
    name, text = opening
    if coursework._says_it_is_a_project.__wrapped__(text):
        return None
    for match in coursework._MATERIAL_PHRASES.finditer(text):
        if whole and coursework._GENERIC_MATERIAL.fullmatch(match.group(0)):
            continue
        return f"{name} presents it as teaching material ('{' '.join(match.group(0).split())}')"
    title = next((line.strip("# =*\t") for line in text.splitlines() if line.strip("# =*-\t")), "")
    if (said := coursework._title_said_again(title, text)) is not None:
        return f"{name}'s title names a {said[0]} and its text {said[1]}"
    if strong_only:
        return None
    if (match := next((m for m in coursework._TITLE.finditer(title) if coursework.noun_names_the_repository(title, m.end())), None)) is not None:
        return f"{name}'s title names a {match.group(0).lower()} ('{title[:80]}')"
    if (match := coursework._THIS_COURSE.search(text)) is not None:
        return f"{name} speaks of '{match.group(0).lower()}'"
    return None


OPENING_PIECES = [
    "# MLOps Workshop\n", "# Churn model\n", "This project", "this project is a ", "Our project", "course project", "final project",
    "Capstone", "thesis", "The course ends with a ", "course materials", "Course Repository", "course notebooks", "companion code",
    "hands-on workshop", "Hands-On Lab", "Welcome to the tutorial", "In this lesson, you will", "code for the book", "template",
    "sample app", "starter kit", "this course", "Workshop", "tutorial notebooks", "exercises", "while learning", "is a ",
]


@settings(max_examples=500, deadline=None)
@given(text=_texts(OPENING_PIECES, max_size=14), order=st.permutations([(False, False), (True, False), (True, True), (False, True)]))
def test_teaching_readme_answers_as_when_it_searched_on_every_call(text: str, order: list[tuple[bool, bool]]) -> None:
    opening = ("README.md", text)
    for strong_only, whole in order:  # asked in any order, each flag set answers as before
        assert coursework.teaching_readme(opening, strong_only=strong_only, whole=whole) == _teaching_readme_before(
            opening, strong_only=strong_only, whole=whole
        )
    assert coursework.project_of_a_course(opening) == coursework._says_it_is_a_project.__wrapped__(text)
    assert coursework._material_phrases(text) == tuple(m.group(0) for m in coursework._MATERIAL_PHRASES.finditer(text))


def test_teaching_readme_cases() -> None:
    workshop = ("README.md", "# MLOps Workshop\nHands-on workshop: course materials for the class.")
    assert coursework.teaching_readme(workshop) == _teaching_readme_before(workshop) is not None
    # A generic phrase counts unless the whole repository is asked about.
    generic = ("README.md", "Course notebooks and more.")
    assert coursework.teaching_readme(generic) is not None
    assert coursework.teaching_readme(generic, strong_only=True, whole=True) == _teaching_readme_before(generic, strong_only=True, whole=True)
    # A project made in a course is never material, however often it is asked.
    capstone = ("README.md", "Our capstone: course materials reused.")
    for _ in range(3):
        assert coursework.teaching_readme(capstone) is None
        assert coursework.project_of_a_course(capstone)
    assert coursework.teaching_readme(None) is None


# --- delivery steps in CI files: each branch tried where its leading word stands ---------------------

_DELIVERS_BEFORE = re.compile(
    r"\bdocker(?:/build-push-action|\s+(?:image\s+)?push|\s+buildx\s+build[^\n]{0,300}--push)|build-push-action|\bpodman\s+push"
    r"|\bkubectl\s+(?:apply|set|rollout|create|replace)|\bhelm\s+(?:upgrade|install)|azure/k8s-deploy|\bkustomize\s+build"
    r"|\bterraform\s+(?:apply|plan|init)|hashicorp/setup-terraform|\bpulumi\s+(?:up|preview)|pulumi/actions|\bcdk\s+deploy"
    r"|\bgcloud\s+(?:beta\s+)?(?:run|app|functions|builds|container|ai|ai-platform|compute|deploy)\b|google-github-actions/deploy"
    r"|azure/(?:webapps|functions|container-apps|aci|arm|aks|k8s)-deploy|\baz\s+(?:webapp|containerapp|ml|acr|aks|functionapp|container|deployment)\s"
    r"|\baws\s+(?:ecs|ecr|lambda|cloudformation|eks|sagemaker|elasticbeanstalk|deploy)\s|aws-actions/amazon-(?:ecr|ecs)|\bsam\s+deploy|\b(?:serverless|sls)\s+deploy"
    r"|\bfly(?:ctl)?\s+deploy|superfly/flyctl|\bheroku\b|\bmodal\s+deploy|\brailway\s+up"
    r"|\btwine\s+upload|gh-action-pypi-publish|\b(?:poetry|uv|flit|hatch)\s+publish"
    r"|\bdeploy[\w-]{0,100}\.(?:sh|py)\b|\bmake\s+(?:deploy|push)\b",
    re.IGNORECASE,
)  # `_duties`' delivery pattern as it was written, one alternation searched case-blind

DELIVERY_PIECES = [
    "docker", "docker/build-push-action", " push", " image push", " buildx build ", "--push", "build-push-action", "podman push",
    "kubectl", " apply", " rollout", "helm", " upgrade", "azure/k8s-deploy", "kustomize build", "terraform", " plan", "hashicorp/setup-terraform",
    "pulumi", " up", " preview", "pulumi/actions", "cdk deploy", "gcloud", " beta", " run", " ai-platform", " ai", "google-github-actions/deploy",
    "azure/", "webapps", "-deploy", "az", " ml ", " acr", "aws", " ecs ", " sagemaker ", "aws-actions/amazon-ecr", "sam deploy", "serverless",
    "sls", " deploy", "fly", "flyctl", "superfly/flyctl", "heroku", "modal deploy", "railway up", "twine upload", "gh-action-pypi-publish",
    "poetry", "uv", "flit", "hatch", " publish", "deploy", "deploy-prod", ".sh", ".py", "make", " push", "\u212aubectl", "\u0130",
]


@settings(max_examples=1500, deadline=None)
@given(text=_texts(DELIVERY_PIECES + [p.upper() for p in DELIVERY_PIECES], max_size=12))
def test_delivery_steps_found_where_branches_start_as_the_whole_search_found_them(text: str) -> None:
    assert _duties._DELIVERS_TEXT.search(text) == (_DELIVERS_BEFORE.search(text) is not None)
    assert (_duties._DELIVERS.search(text) is None) == (_DELIVERS_BEFORE.search(text) is None)


def test_delivery_step_cases() -> None:
    for text, found in [
        ("run: docker buildx build -t acme/api . --push", True), ("run: xdocker push", False), ("run: Docker Push", True),
        ("uses: superfly/flyctl-actions", True), ("run: flyctl deploy", True), ("run: fly   deploy", True), ("run: UV publish", True),
        ("run: ./scripts/deploy-prod.sh", True), ("run: ./scripts/undeploy.sh", False), ("run: sls deploy", True), ("aws s3 cp", False),
        ("run: \u212aubectl apply -f k8s/", True),  # the Kelvin sign is a k to a case-blind search: searched as before
    ]:
        assert _duties._DELIVERS_TEXT.search(text) is found, text
        assert (_DELIVERS_BEFORE.search(text) is not None) is found, text


def test_branches_start_with_their_leading_word() -> None:
    """The word a branch is tried at holds only characters every match starts with: not a character a
    quantifier makes optional or repeats, and a branch without one is refused."""
    branches = casewords.CaseBlindBranches((r"\bfly(?:ctl)?\s+deploy", r"dockers?\s+push", r"aws-actions/amazon-(?:ecr|ecs)"))
    assert [word for word, _ in branches.branches] == ["fly", "docker", "aws-actions/amazon-"]
    assert branches.search("DOCKER PUSH") and branches.search("dockers push") and not branches.search("xfly deploy")
    for refused in (r"(?:serverless|sls)\s+deploy", r"a{2}b", r"Docker"):
        with pytest.raises(ValueError):
            casewords.CaseBlindBranches((refused,))


# --- lesson documents: each branch of the heading pattern tried where its first word stands ------------

LESSON_PIECES = ["Exercise", "exercises", "HANDS-ON", "hands on", "hands", "Learning Objectives", "Key takeaways", "Quiz", "assignment",
                 "Homework", "lab 3", "Lab ", "module 2", "Lesson 1", "What you'll learn", "what you will learn", "what you", "\u017f", "\u0130", "\u212a"]


@settings(max_examples=800, deadline=None)
@given(text=_texts(LESSON_PIECES, max_size=12))
def test_lesson_text_search_finds_what_the_heading_pattern_found(text: str) -> None:
    before = casewords.may_hold(text, ("exercise", "hands", "learning objectives", "takeaways", "quiz", "assignment", "homework", "lab ", "module ",
                                       "lesson ", "what you")) and casewords.CaseBlind(governance._LESSON_PATTERN).search(text)  # as it was
    assert governance._LESSON_TEXT.search(text) == before == (governance._LESSON_HEADING.search(text) is not None)


# --- syntax trees walked without ast.walk's two generators per node ----------------------------------

_WALK_CASES = '''
import os, sys as system
from x import (a, b as c)
global_name = {**base, "k": [1, 2.5, -3], None: ...}
def f(p, /, q=1, *args, r, s=2, **kwargs) -> int:
    global g
    nonlocal_holder = lambda: (yield)
    async def inner():
        async with a as b, c:
            async for i in d:
                await e
    try:
        raise ValueError(f"{p!r:>{q}} {q=}") from None
    except* (TypeError, KeyError) as error:
        pass
    else:
        del p[1:2, ::3]
    finally:
        assert q, "message"
    match p:
        case {"k": [1, *rest], **others} if rest:
            return 1
        case Point(x=0, y=_) | None:
            return 2
    return [z for z in range(3) if z for w in z] or {k: v for k, v in q} or (t for t in ()) or {s for s in ()}
@decorator(arg)
class C(Base, metaclass=Meta):
    x: int = 1
    def method(self):
        nonlocal_names = 1
        while self.x < 2 <= 3:
            self.x += 1
            if not self.x: break
            else: continue
'''


def _parents_before(node):  # `astutil.parents` as it was: ast.walk and ast.iter_child_nodes
    import ast

    out = {}
    for parent in ast.walk(node):
        for child in ast.iter_child_nodes(parent):
            out[child] = parent
    return out


def test_walk_meets_the_nodes_ast_walk_meets_in_its_order() -> None:
    import ast
    from pathlib import Path

    from mlops_audit.evidence.repo import astutil

    sources = [_WALK_CASES] + [p.read_text(encoding="utf-8") for p in sorted(Path(astutil.__file__).parent.rglob("*.py"))]
    for source in sources:
        tree = ast.parse(source)
        assert [id(n) for n in astutil.walk(tree)] == [id(n) for n in ast.walk(tree)]
        sub = tree.body[-1]
        assert [id(n) for n in astutil.walk(sub)] == [id(n) for n in ast.walk(sub)]
        before, after = _parents_before(tree), astutil.parents(tree)
        assert list(after.items()) == list(before.items())  # same pairs, same order (a shared `Load` maps to the last parent met)
    # Lists that hold more than nodes (`global` names, a dict's `**` key) and a node missing a field.
    odd = ast.Dict(keys=[None, ast.Constant(1)], values=[ast.Name("a"), ast.Constant(2)])
    assert [type(n) for n in astutil.walk(odd)] == [type(n) for n in ast.walk(odd)]
    bare = ast.Name()  # no `id`, no `ctx`
    assert list(astutil.walk(bare)) == list(ast.walk(bare)) == [bare]


# --- functions collecting problems: settled before the names are followed when too few `if`s append ----


def _collects_problems_before(func) -> bool:
    """`_verdicts.collects_problems` as it was: every name derived from the parameters followed, with no
    early answer from `_appends_under_enough_ifs` (the cut this file pins)."""
    from unittest import mock

    with mock.patch.object(_verdicts, "_appends_under_enough_ifs", return_value=True):
        return _verdicts.collects_problems(func)


PROBLEM_BLOCKS = [  # statements of a function body, each whole
    "problems = []", "errors = []", "problems.append('always')", "rows = df.dropna()", "x = rows.sum()", "total = x",
    "if df.empty:\n    problems.append('empty frame')", "if df[c].isna().any():\n    problems.append(f'{c} has gaps')",
    "if x < 0:\n    problems.append('negative sum')\nelse:\n    errors.append('fine?')", "if total > 9:\n    problems.append('too big')",
    "if password:\n    problems.append('a secret')", "if config.strict:\n    problems.append('strict mode')",
    "if not ok:\n    errors.append('bad value')\n    problems.append('not ok')", "if df.empty:\n    problems.extend(more)",
    "for c in df:\n    if c:\n        problems.append('nested column')", "if df.shape[0] < 2:\n    problems.append('x')",
    "try:\n    v = int(x)\nexcept ValueError:\n    problems.append('not a number')", "def inner(y):\n    if y:\n        problems.append('inner')",
    "return problems", "return not problems", "return errors", "return {'ok': not errors}",
]


@settings(max_examples=1000, deadline=None)
@given(blocks=st.lists(st.sampled_from(PROBLEM_BLOCKS), max_size=9), params=st.sampled_from(["df", "df, x", "config", "self, df", "cfg, df"]))
def test_collects_problems_answers_as_when_it_followed_every_name_first(blocks: list[str], params: str) -> None:
    import ast

    body = "\n".join("    " + line for block in blocks for line in block.split("\n")) or "    pass"
    func = ast.parse(f"def check({params}):\n{body}\n").body[0]
    assert _verdicts.collects_problems(func) == _collects_problems_before(func)


def test_collects_problems_cases() -> None:
    import ast

    two = "def check(df):\n    problems = []\n    if df.empty:\n        problems.append('empty frame')\n    if df.isna().any().any():\n        problems.append('missing values')\n    return problems\n"
    one = "def check(df):\n    problems = []\n    if df.empty:\n        problems.append('empty frame')\n    return problems\n"
    same = two.replace("df.isna().any().any()", "df.empty")  # two `if`s, one test: one test only
    for source, found in [(two, True), (one, False), (same, False)]:
        func = ast.parse(source).body[0]
        assert _verdicts.collects_problems(func) is found is _collects_problems_before(func)


# --- history paths: literal words found by a trie, folders settled by their words first ---------------

FOLDER_PIECES = [
    "data", "DATA", "datasets", "raw_data", "Data_Validation", "great_expectations", "features", "feature_repo", "train", "Training_v2",
    "models", "Modelling", "experiments", "notebooks", "tuning", "deploy_x", "DEPLOY", "serving", "server", "kserve", "inference", "k8s",
    "kubernetes", "Kube", "helm", "charts", "manifests", "infra_live", "terraform", "seldon", "kustomize", "api", "API", "src", "x",
    "\u212a8s", "\u017ferving", "\u0130nfra", "\u00e9", "a.py", "Dockerfile", "dvc.lock", "t.ipynb", "m.tf",
]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.lists(st.sampled_from(FOLDER_PIECES), min_size=1, max_size=4).map("/".join), max_size=12))
def test_history_folders_are_classified_as_a_per_path_search_would(paths: list[str]) -> None:
    from mlops_audit.evidence.repo.git import AREAS, classify_paths

    unique = sorted(set(paths))
    classified = classify_paths(unique)
    for area, pattern in AREAS.items():
        assert classified[area] == {p for p in unique if pattern.search(p)}, area


@settings(max_examples=400, deadline=None)
@given(text=_texts([h for hints in _duties.HINTS.values() for h in hints] + ["tes", "deplo", "k8", ".github"], max_size=8))
def test_any_word_finds_what_the_alternation_of_the_words_found(text: str) -> None:
    from mlops_audit.evidence.repo.needles import any_word

    for words in [*_duties.HINTS.values(), tuple(h for hints in _duties.HINTS.values() for h in hints)]:
        flat = re.compile("|".join(re.escape(w) for w in words))  # the pattern `_duties` built before
        assert (any_word(words).search(text) is None) == (flat.search(text) is None)


def test_definition_file_rules_are_the_catalogue_s_whatever_asks_first() -> None:
    """`catalogue.files_for` keeps its answer per kind and grade: the rules are those the catalogue
    lists, in its order, and each caller gets its own list."""
    from mlops_audit.evidence.repo.catalogue import Grade, files_for, tools
    from mlops_audit.evidence.repo.model import Kind

    for kind in Kind:
        for grade in (None, *Grade):
            before = [
                (tool, rule) for tool in tools() for ev in tool.evidence
                if ev.kind is kind and ev.rule is None and (grade is None or ev.grade is grade) for rule in ev.files
            ]
            assert files_for(kind, grade) == before == files_for(kind, grade)
    assert files_for(Kind.deployment_manifest)  # (the catalogue has such rules)
    mine = files_for(Kind.deployment_manifest)
    mine.clear()
    assert files_for(Kind.deployment_manifest)


# --- CI files found once per index -------------------------------------------------------------------


def test_ci_files_and_cloud_build_configs_are_found_once_as_each_call_found_them(tmp_path) -> None:
    from mlops_audit.evidence.repo import ciconfig
    from mlops_audit.evidence.repo.collect import build_index

    files = {
        ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n",
        ".gitlab-ci.yml": "include:\n  - local: ci/extra.yml\ntest:\n  script: [pytest]\n",
        "ci/extra.yml": "lint:\n  script: [ruff check]\n",
        "Jenkinsfile": "pipeline { stages { stage('t') { steps { sh 'make test' } } } }\n",
        "build/release.yaml": "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: [build, -t, app, .]\n",
        "config/settings.yaml": "steps: 3\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    index, fresh = build_index(tmp_path), build_index(tmp_path)
    paths = ciconfig.ci_file_paths(index)
    assert paths == list(ciconfig._ci_file_paths(fresh)) == [".github/workflows/ci.yml", ".gitlab-ci.yml", "Jenkinsfile", "ci/extra.yml"]
    paths.clear()  # a caller's list is its own
    assert ciconfig.ci_file_paths(index) == list(ciconfig._ci_file_paths(fresh))
    configs = ciconfig.cloud_build_configs(index)
    assert configs == ciconfig.cloud_build_by_content(fresh, set(ciconfig._ci_file_paths(fresh)))
    assert [c.path for c in configs] == ["build/release.yaml"]
    configs.clear()
    assert [c.path for c in ciconfig.cloud_build_configs(index)] == ["build/release.yaml"]


# --- a few needles looked for whole, not by cutting the file into pieces -------------------------------


def _candidates_before(prefilter, data: bytes):
    """`NeedleFilter.candidates` as it was: the data cut into pieces for every query."""
    from mlops_audit.evidence.repo.needles import _TO_PIECES

    found = []
    for key in prefilter.pieces.intersection(data.translate(_TO_PIECES).split()):
        found.extend(prefilter.by_key[key])
    if prefilter.others is not None and prefilter.others.search(data) is not None:
        found.extend(prefilter.keyless)
    return frozenset(found)


NEEDLE_SETS = [("load_model",), ("train", "predict_proba"), ("validate_rows", "schema", "app.run"), ("fit", "a", "b_c", "tune.run"), ("x", "y", "z", "w", "v")]
NEEDLE_PIECES = [b"load_model", b"load_modelx", b"_load_model", b"train", b"trainer", b"predict_proba", b"schema", b"app", b"run", b"app.run",
                 b"fit", b"a", b"b_c", b"tune", b" ", b"\n", b".", b"(", b"1", b"\xc3\xa9", b"_", b"x", b"y"]


@settings(max_examples=1500, deadline=None)
@given(needles=st.sampled_from(NEEDLE_SETS), parts=st.lists(st.sampled_from(NEEDLE_PIECES), max_size=20))
def test_few_needles_found_whole_as_the_pieces_found_them(needles: tuple[str, ...], parts: list[bytes]) -> None:
    from mlops_audit.evidence.repo.needles import NeedleFilter

    prefilter, data = NeedleFilter.of(needles), b"".join(parts)
    assert frozenset(prefilter.candidates(data)) == _candidates_before(prefilter, data)
    assert prefilter.may_mention(data) == bool(_candidates_before(prefilter, data))


def test_a_key_met_often_inside_words_still_settles_as_the_pieces_do() -> None:
    from mlops_audit.evidence.repo.needles import _MAX_OCCURRENCES, NeedleFilter

    prefilter = NeedleFilter.of(["fit"])
    crowded = b"refit " * (_MAX_OCCURRENCES + 5)  # every occurrence inside a word: cut into pieces after all
    assert not prefilter.may_mention(crowded) and prefilter.candidates(crowded) == ()
    assert prefilter.may_mention(crowded + b"fit(x)") and prefilter.candidates(crowded + b"model.fit") == ("fit",)


# --- data checks: names a function derives worked out only once it has an acting test ------------------


def _acting_tests_before(func):
    """`data._acting_tests` as it was: the model's outputs and the derived names worked out first."""
    import ast

    from mlops_audit.evidence.repo.astutil import walk
    from mlops_audit.evidence.repo.detectors._stops import stops
    from mlops_audit.evidence.repo.detectors.data import _derived_tests, _model_outputs, _own_statements, _test_kinds

    found = []
    outputs = _model_outputs(func)
    derived = None
    for node in _own_statements(func):
        if isinstance(node, (ast.Assert, ast.If)) and derived is None:
            derived = _derived_tests(func, outputs)
        if isinstance(node, ast.Assert):
            kinds = _test_kinds(node.test, outputs, *derived)
        elif isinstance(node, ast.If) and any(stops(r) for stmt in node.body for r in walk(stmt)):
            kinds = _test_kinds(node.test, outputs, *derived)
        else:
            continue
        if kinds:
            found.append((node.lineno, kinds))
    return found


CHECK_BLOCKS = [
    "missing = df.isnull().sum()", "latest = df['ts'].max()", "out = model(x)", "preds = net.predict(x)", "valid = x[~np.isnan(x)]",
    "assert not df['age'].isna().any()", "assert missing.sum() == 0", "assert out.isnan().any()", "assert len(df) > 0",
    "if missing.any():\n    raise ValueError('missing values')", "if latest < cutoff:\n    raise ValueError('stale')",
    "if df.duplicated().any():\n    sys.exit(1)", "if preds.isna().any():\n    raise RuntimeError('nan predictions')",
    "if df.empty:\n    print('empty')", "if df['x'].min() < 0:\n    log('negative')", "if not df.columns.isin(cols).all():\n    raise KeyError(cols)",
    "for c in cols:\n    if df[c].isna().all():\n        raise ValueError(c)", "def inner(y):\n    assert y.isna().any()",
    "if loss.isnan():\n    raise FloatingPointError('loss')", "return df",
]


@settings(max_examples=800, deadline=None)
@given(blocks=st.lists(st.sampled_from(CHECK_BLOCKS), max_size=8), name=st.sampled_from(["validate", "check_data", "forward", "load", "_check_model"]))
def test_acting_tests_are_those_found_when_the_names_were_worked_out_first(blocks: list[str], name: str) -> None:
    import ast

    from mlops_audit.evidence.repo.detectors import data

    body = "\n".join("    " + line for block in blocks for line in block.split("\n")) or "    pass"
    func = ast.parse(f"def {name}(df, x, cols, cutoff):\n{body}\n").body[0]
    assert data._acting_tests(func) == _acting_tests_before(func)


def test_acting_tests_cases() -> None:
    import ast

    from mlops_audit.evidence.repo.detectors import data

    source = "def check(df, model, x):\n    out = model(x)\n    missing = df.isnull().sum()\n    if out.isna().any():\n        raise ValueError('nan')\n    if missing.any():\n        raise ValueError('gaps')\n"
    func = ast.parse(source).body[0]
    assert data._acting_tests(func) == _acting_tests_before(func) == [(6, {"missing"})]  # the model's output is no data
    quiet = ast.parse("def check(df):\n    if df.isna().any():\n        print('gaps')\n").body[0]
    assert data._acting_tests(quiet) == _acting_tests_before(quiet) == []


# --- schema checks: a function that reads no frame's columns is passed over ---------------------------


def _schema_checks_before(module, text: str, classes) -> list[int]:
    """`pyfacts.schema_checks` as it was: every function walked for its assignments, then for its tests."""
    import ast

    from mlops_audit.evidence.repo import pyfacts as p
    from mlops_audit.evidence.repo.astutil import assigned_names, call_name, calls_in, dotted, functions, walk

    if not any(needle in text for needle in p.SCHEMA_NEEDLES):
        return []
    row_models = p._row_models(classes)
    mentions_schema = bool(p._SCHEMA_WORD.search(text))
    if not (row_models or mentions_schema):
        return []
    if not row_models and not any(isinstance(n, ast.Attribute) and (n.attr in p._COLUMN_ATTRS or n.attr == "shape") for n in walk(module)):
        return []
    lines: list[int] = []
    for _, func in functions(module):
        loops = []
        if row_models:
            row_names = {
                t.id for n in walk(func) if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
                and call_name(n.value) in p._ROW_ITERATORS for t in n.targets if isinstance(t, ast.Name)
            }
            loops = [n for n in walk(func) if isinstance(n, (ast.For, ast.comprehension)) and p._rows_iterated(n.iter, row_names)]
        for loop in loops:
            body = loop if isinstance(loop, ast.For) else func
            for call in calls_in(body):
                if call_name(call) in row_models or (call_name(call) in p._PYDANTIC_VALIDATE and dotted(call.func).split(".")[0] in row_models):
                    lines.append(call.lineno)
                    break
        if not mentions_schema:
            continue
        derived: set[str] = set()
        for node in walk(func):
            if isinstance(node, ast.Assign) and any(isinstance(s, ast.Attribute) and s.attr in p._COLUMN_ATTRS for s in walk(node.value)):
                for target in node.targets:
                    derived |= assigned_names(target)
        for node in (n for n in walk(func) if isinstance(n, (ast.If, ast.Assert, ast.While))):
            if not p._tests_columns(node.test, derived):
                continue
            if type(node) is ast.If and not node.orelse and p._only_membership(node.test):
                continue
            if isinstance(node, ast.Assert) or p._acts_on_failure(node.body + node.orelse) or p._guard_then_fails(func, node):
                lines.append(node.lineno)
                break
    if lines and not p._declares_a_schema(text, classes):
        return []
    return lines


SCHEMA_BLOCKS = [
    "SCHEMA = {'a': 'int'}", "missing = set(SCHEMA) - set(df.columns)", "cols = list(df.columns)", "n = df.shape[1]", "x = df.dtypes",
    "if missing:\n    raise ValueError(missing)", "if list(df.columns) != list(SCHEMA):\n    raise ValueError('columns')",
    "assert df.shape[1] == 3", "assert len(df) > 0", "if 'a' in df.columns:\n    df['a'] = 1", "while df.shape[1] < 2:\n    log.warning('few columns')",
    "if df.dtypes['a'] != 'int':\n    logger.error('dtype')", "if ok:\n    return True", "raise ValueError('bad schema')",
    "for row in df.to_dict('records'):\n    Row(**row)", "print(df.columns)", "return df", "rows = df.iterrows()", "for i, r in rows:\n    Row(**r)",
    "missing = set(SCHEMA) - set(df.\uff43olumns)", "for row in df.\uff54o_dict('records'):\n    Row.model_validate(row)",  # fullwidth: NFKC-read
]


@settings(max_examples=600, deadline=None)
@given(functions_=st.lists(st.lists(st.sampled_from(SCHEMA_BLOCKS), max_size=6), min_size=1, max_size=3), model=st.booleans(), infer=st.booleans())
def test_schema_checks_are_those_found_walking_every_function(functions_: list[list[str]], model: bool, infer: bool) -> None:
    import ast

    from mlops_audit.evidence.repo import pyfacts

    header = ("from pydantic import BaseModel\nclass Row(BaseModel):\n    a: int\n" if model else "") + ("df = spark.read.option('inferSchema', True)\n" if infer else "")
    body = "".join(
        f"def check_{i}(df, ok):\n" + ("\n".join("    " + line for block in blocks for line in block.split("\n")) or "    pass") + "\n"
        for i, blocks in enumerate(functions_)
    )
    text = header + body
    module = ast.parse(text)
    classes = [("Row", ("pydantic.BaseModel",), 2, ())] if model else []
    assert pyfacts.schema_checks(module, text, classes) == _schema_checks_before(module, text, classes)

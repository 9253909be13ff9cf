"""The repository-level verdict on learning material: in collect's JSON (`stats.learning_material`),
first in its terminal table, in SARIF run properties; and the assessor's override
(`collect --count-learning-material`), recorded in the output."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from click.testing import CliRunner

from mlops_audit.cli import cli
from mlops_audit.evidence.repo.collect import collect, collect_with_index
from mlops_audit.evidence.repo.model import CollectionResult
from mlops_audit.evidence.repo.sarif import to_sarif
from mlops_audit.report.console import collect_summary_lines
from tests.repo.test_coursework import NOW, TRACKED, project_with_a_course_folder, workshop_with_solutions
from tests.repo.test_documentation_code import write


def test_the_verdict_is_in_the_json_with_reasons_and_the_share_of_code_left_out(tmp_path: Path) -> None:
    workshop_with_solutions(tmp_path)
    judged = collect(tmp_path, now=NOW).stats.learning_material
    assert judged.verdict == "course" and not judged.counted
    assert judged.code_share == 1.0 and judged.code_files == 4 and judged.other_files == 1  # solutions/Dockerfile
    assert judged.reasons[0] == "README.md's title names a workshop ('MLOps workshop')"
    # session 13: a course needs two independent signs, and the reasons say which (here the title and the structure)
    assert judged.reasons[1] == (
        "independent signs of learning material: README (README.md's title names a workshop ('MLOps workshop')); "
        "structure (solutions: a reference solution beside its skeleton: 2 of its 2 code files mirror src/)"
    )
    assert judged.reasons[2].startswith("solutions: a reference solution beside its skeleton")


def test_a_partly_verdict_gives_the_share_of_code_left_out(tmp_path: Path) -> None:
    write(tmp_path, {
        "README.md": "# Notes\n", "app/train.py": TRACKED, "app/serve.py": "print(1)\n", "app/util.py": "X = 1\n",
        "vertex_ai_course/train.py": TRACKED,
    })
    judged = collect(tmp_path, now=NOW).stats.learning_material
    assert (judged.verdict, judged.code_share, judged.code_files) == ("partly", 0.25, 1)
    assert judged.reasons == ["vertex_ai_course: a folder named as course material"]


def test_a_project_has_verdict_none_and_no_table_line(tmp_path: Path) -> None:
    write(tmp_path, {"README.md": "# Churn\n", "src/train.py": TRACKED, "requirements.txt": "mlflow==2.9.0\n"})
    result = collect(tmp_path, now=NOW)
    assert result.stats.learning_material.verdict == "none" and result.stats.learning_material.reasons == []
    assert collect_summary_lines(result)[0].startswith("detector")
    properties = to_sarif(result)["runs"][0]["properties"]
    assert properties["learningMaterial"]["verdict"] == "none"


def test_the_verdict_heads_the_terminal_table(tmp_path: Path) -> None:
    workshop_with_solutions(tmp_path)
    lines = collect_summary_lines(collect(tmp_path, now=NOW))
    assert lines[0] == (
        "LEARNING MATERIAL: course - 100% of its Python files and notebooks (4) and 1 other file(s) left out as lessons or exercises "
        "(--count-learning-material to count them)"
    )
    assert lines[1] == "  - README.md's title names a workshop ('MLOps workshop')"
    assert lines[2].startswith("  - independent signs of learning material: README (")
    assert lines[4].startswith("detector")


def test_the_verdict_is_a_sarif_run_property(tmp_path: Path) -> None:
    workshop_with_solutions(tmp_path)
    result, index = collect_with_index(tmp_path, now=NOW)
    properties = to_sarif(result, files=list(index.files))["runs"][0]["properties"]
    assert properties["learningMaterial"]["verdict"] == "course"
    assert properties["learningMaterial"]["code_share"] == 1.0 and properties["learningMaterial"]["counted"] is False


def test_the_override_counts_lesson_code_and_records_itself(tmp_path: Path) -> None:
    workshop_with_solutions(tmp_path)
    result = collect(tmp_path, now=NOW, count_learning_material=True)
    by_id = {f.detector: f for f in result.findings}
    assert by_id["tracks_experiments"].outcome.value == "pass"
    assert by_id["has_container"].outcome.value == "pass"
    judged = result.stats.learning_material
    assert judged.verdict == "course" and judged.counted  # the verdict is still shown
    assert "not credited" not in by_id["tracks_experiments"].message
    assert collect_summary_lines(result)[0].startswith("LEARNING MATERIAL: course - 100% of its Python files and notebooks (4) are lessons or exercises, counted as project code at your request")


def test_a_failure_whose_evidence_is_only_in_learning_material_says_so_and_one_that_is_not_does_not(tmp_path: Path) -> None:
    # a project with a course folder (verdict `partly`): the failed rules run again on the lessons alone
    project_with_a_course_folder(tmp_path)
    by_id = {f.detector: f for f in collect(tmp_path, now=NOW).findings}
    assert by_id["tracks_experiments"].message.endswith(
        "not credited: found only in learning material: W&B_MLOps_Course/lesson2/train.py (--count-learning-material counts it)"
    )
    assert "learning material" not in by_id["monitors_model"].message  # nothing of it anywhere


def test_in_a_course_as_a_whole_a_failure_says_the_lessons_were_not_searched_and_how_to_count_them(tmp_path: Path) -> None:
    # nothing a course holds is credited whichever file shows it, so its lessons are not searched again
    workshop_with_solutions(tmp_path)
    result = collect(tmp_path, now=NOW)
    assert result.stats.learning_material.verdict == "course"
    by_id = {f.detector: f for f in result.findings}
    note = "; not looked for in learning material: the repository is learning material as a whole and its 5 lesson file(s) are left out (--count-learning-material to count them)"
    for detector in ("tracks_experiments", "monitors_model", "has_container"):
        assert by_id[detector].outcome.value == "fail" and by_id[detector].message.endswith(note), by_id[detector].message
    assert "learning material" not in by_id["tags_releases"].message  # a rule reading the history has no lessons to search


def test_the_cli_option_and_the_json_it_writes(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    workshop_with_solutions(repo)
    runner = CliRunner()
    default = runner.invoke(cli, ["collect", str(repo), "--format", "json"])
    counted = runner.invoke(cli, ["collect", str(repo), "--format", "json", "--count-learning-material"])
    assert default.exit_code == 0 and counted.exit_code == 0, default.output + counted.output
    before, after = CollectionResult.model_validate(json.loads(default.output)), CollectionResult.model_validate(json.loads(counted.output))
    assert (before.stats.learning_material.counted, after.stats.learning_material.counted) == (False, True)
    assert {f.detector: f.outcome.value for f in after.findings}["tracks_experiments"] == "pass"
    assert {f.detector: f.outcome.value for f in before.findings}["tracks_experiments"] == "fail"
    table = runner.invoke(cli, ["collect", str(repo), "--format", "table"])
    assert table.output.splitlines()[0].startswith("LEARNING MATERIAL: course")


def test_per_project_collections_leave_exercises_out_unless_counted(tmp_path: Path) -> None:
    from mlops_audit.evidence.repo.projects import collect_projects

    workshop_with_solutions(tmp_path)
    assert [p.path for p in collect_projects(tmp_path, now=NOW).projects] == []
    assert [p.path for p in collect_projects(tmp_path, now=NOW, count_learning_material=True).projects] == ["solutions"]


def test_an_assessment_of_a_course_says_so_on_page_1_and_an_override_is_recorded(tmp_path: Path) -> None:
    """collect → assess → report: the verdict travels into the assessment's repository record and
    becomes a caveat on the report's first page (critical when left out, warning when counted)."""
    repo = tmp_path / "workshop"
    workshop_with_solutions(repo)
    runner = CliRunner()
    for flags, severity in (([], "critical"), (["--count-learning-material"], "warning")):
        evidence = tmp_path / f"evidence{len(flags)}.json"
        out = tmp_path / f"result{len(flags)}"
        collected = runner.invoke(cli, ["collect", str(repo), "--out", str(evidence), *flags])
        assert collected.exit_code == 0, collected.output
        assessed = runner.invoke(cli, ["assess", "--evidence", str(evidence), "--out", str(out), "--report", "html"])
        assert assessed.exit_code == 0, assessed.output
        data = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
        [record] = data["repos"]
        assert record["learning_material"]["verdict"] == "course"
        assert record["learning_material"]["counted"] is bool(flags)
        [caveat] = [c for c in data["caveats"] if c["kind"] == "repo_learning_material"]
        assert caveat["severity"] == severity and caveat["subjects"] == [record["name"]]
        page = next(out.glob("*.html")).read_text(encoding="utf-8")
        stated = caveat["message"]["zh"].split("依据：")[0]  # the reasons that follow quote the README, escaped either way
        assert f'class="caveat sev-{severity}"><strong>' in page and html.escape(stated) in page  # zh: the default language


COURSE_WITH_ITS_OWN_FILES = {
    "README.md": "# MLOps course\n\nMaterials for the MLOps course: labs and exercises. In this course you will learn to ship models.\n",
    "lab1/train.py": TRACKED, "lab2/train.py": TRACKED, "lab3/serve.py": "print(1)\n",
    # what rules keep as the repository's own: a root Dockerfile, a root workflow retraining every night
    "Dockerfile": "FROM python:3.11\nCOPY . /app\nRUN pip install -r requirements.txt\nCMD [\"python\", \"lab3/serve.py\"]\n",
    ".github/workflows/retrain.yml": (
        "on:\n  schedule:\n    - cron: '0 2 * * *'\n  push:\n    branches: [main]\n"
        "jobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
        "      - run: pip install -r requirements.txt\n      - run: python lab1/train.py\n      - run: pytest\n"
    ),
    "requirements.txt": "mlflow==2.9.0\nscikit-learn==1.4.0\n",
}


def test_a_course_as_a_whole_practises_no_ml_practice_but_its_upkeep_is_still_judged(tmp_path: Path) -> None:
    write(tmp_path, COURSE_WITH_ITS_OWN_FILES)
    result = collect(tmp_path, now=NOW)
    assert result.stats.learning_material.verdict == "course"
    by_id = {f.detector: f for f in result.findings}
    retrains = by_id["triggers_retraining"]  # the root workflow is kept as the repository's own CI...
    assert retrains.outcome.value == "not_applicable", retrains.message  # ...but a course retrains no model of a system
    assert retrains.message.startswith("not credited: the repository as a whole is learning material (README.md presents it as teaching material")
    assert "what it shows:" in retrains.message and "(.github/workflows/retrain.yml)" in retrains.message
    assert retrains.message.endswith("(--count-learning-material counts it)")
    # the root Dockerfile was already taken as the course's: in a course as a whole the lessons are not
    # searched (nothing they hold could be credited), and the failure says so, how many, and how to count them
    assert by_id["has_container"].outcome.value == "fail"
    assert re.search(r"; not looked for in learning material: the repository is learning material as a whole and its \d+ lesson file\(s\) are left out \(--count-learning-material to count them\)$", by_id["has_container"].message)
    # how the repository itself is kept is judged as in any repository
    assert by_id["has_ci_pipeline"].outcome.value == "pass"
    assert by_id["pins_dependencies"].outcome.value == "pass"


def test_the_same_files_in_a_project_or_counted_at_the_assessors_request_are_credited(tmp_path: Path) -> None:
    project = {
        ("src/" + path.split("/", 1)[1] if path.startswith("lab") else path): text for path, text in COURSE_WITH_ITS_OWN_FILES.items()
    } | {"README.md": "# Churn model\n\nOur team's churn service.\n", "Dockerfile": COURSE_WITH_ITS_OWN_FILES["Dockerfile"].replace("lab3/", "src/")}
    write(tmp_path / "project", project)
    result = collect(tmp_path / "project", now=NOW)
    assert result.stats.learning_material.verdict == "none"
    by_id = {f.detector: f for f in result.findings}
    assert by_id["has_container"].outcome.value == "pass" and by_id["triggers_retraining"].outcome.value == "pass"
    write(tmp_path / "course", COURSE_WITH_ITS_OWN_FILES)
    counted = {f.detector: f for f in collect(tmp_path / "course", now=NOW, count_learning_material=True).findings}
    assert counted["has_container"].outcome.value == "pass" and counted["triggers_retraining"].outcome.value == "pass"


def test_only_repository_upkeep_detectors_are_marked_as_upkeep() -> None:
    from mlops_audit.evidence.repo.registry import all_detectors

    assert {d.id for d in all_detectors() if d.upkeep} == {
        "has_ci_pipeline", "has_unit_tests", "pins_dependencies", "scans_security", "has_code_owners", "separates_duties_in_git", "tags_releases",
    }


# A complete reference system built to demonstrate (a vendor sample, a best-practice package): nothing in
# its files says nobody runs it, so the assessor declares it.
REFERENCE_SYSTEM = {
    "README.md": "# Churn pipeline\n\nTrains and serves a churn model on Kubernetes.\n",
    "src/churn/__init__.py": "", "src/churn/train.py": TRACKED, "src/churn/serve.py": "print(1)\n",
    "Dockerfile": "FROM python:3.11\nCOPY . /app\nRUN pip install -r requirements.txt\nCMD [\"python\", \"-m\", \"churn.serve\"]\n",
    "requirements.txt": "mlflow==2.9.0\nscikit-learn==1.4.0\n",
    ".github/workflows/ci.yml": "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pytest\n",
}


def test_a_repository_declared_learning_material_is_credited_with_no_ml_practice(tmp_path: Path) -> None:
    # with root tests of its own (kept as upkeep: they do not make it less of a course) and a root
    # workflow retraining on a schedule (kept as its CI: still no retraining of a system)
    write(tmp_path, dict(REFERENCE_SYSTEM, **{
        "tests/test_train.py": "from churn import train\n\n\ndef test_module():\n    assert train.__name__.endswith('train')\n",
        ".github/workflows/retrain.yml": COURSE_WITH_ITS_OWN_FILES[".github/workflows/retrain.yml"].replace("lab1/train.py", "-m churn.train"),
    }))
    found = {f.detector: f for f in collect(tmp_path, now=NOW).findings}
    assert found["tracks_experiments"].outcome.value == "pass" and found["has_container"].outcome.value == "pass"  # as found
    result = collect(tmp_path, now=NOW, declared_learning_material=True)
    judged = result.stats.learning_material
    assert (judged.verdict, judged.declared, judged.counted) == ("course", True, False)
    assert judged.reasons[0] == "declared learning material by the assessor (collect --learning-material)"
    declared = {f.detector: f for f in result.findings}
    for ml in ("tracks_experiments", "has_container"):
        assert declared[ml].outcome.value in ("fail", "not_applicable") and ("not credited" in declared[ml].message or "not looked for in learning material" in declared[ml].message), (ml, declared[ml].message)
    retrains = declared["triggers_retraining"]
    assert retrains.outcome.value == "not_applicable" and retrains.message.endswith("(drop --learning-material to count it)"), retrains.message
    assert "--count-learning-material" not in declared["tracks_experiments"].message  # the flag that would be refused with this one
    for upkeep in ("has_ci_pipeline", "pins_dependencies", "has_unit_tests"):
        assert declared[upkeep].outcome.value == "pass", (upkeep, declared[upkeep].message)
    lines = collect_summary_lines(result)
    assert lines[0].endswith("(drop --learning-material to count them)") and lines[1] == "  - declared learning material by the assessor (collect --learning-material)"
    assert sum(1 for r in judged.reasons if "declared learning material" in r) == 1  # said once


def test_a_capstone_in_a_declared_repository_keeps_its_credit_and_the_verdict_says_partly(tmp_path: Path) -> None:
    write(tmp_path, dict(REFERENCE_SYSTEM, **{"capstone/train.py": TRACKED, "capstone/requirements.txt": "mlflow==2.9.0\n"}))
    result = collect(tmp_path, now=NOW, declared_learning_material=True)
    assert result.stats.learning_material.verdict == "partly" and result.stats.learning_material.declared
    tracked = {f.detector: f for f in result.findings}["tracks_experiments"]
    assert tracked.outcome.value == "pass" and all(loc.path.startswith("capstone/") for loc in tracked.locations)


def test_a_documents_only_repository_can_be_declared_learning_material_too() -> None:
    from mlops_audit.evidence.repo import lessons

    listing = ["README.md", "docs/architecture.md"]
    assert lessons.find_learning_material(listing, lambda rel: b"# Notes\n").verdict == "none"
    declared = lessons.find_learning_material(listing, lambda rel: b"# Notes\n", declared=True)
    assert (declared.verdict, declared.declared, [t.path for t in declared.trees], declared.left_out) == ("course", True, [""], set())


def test_declaring_and_counting_learning_material_at_once_is_refused(tmp_path: Path) -> None:
    write(tmp_path, REFERENCE_SYSTEM)
    runner = CliRunner()
    both = runner.invoke(cli, ["collect", str(tmp_path), "--learning-material", "--count-learning-material", "--format", "json"])
    assert both.exit_code == 2 and "choose one" in both.output
    declared = runner.invoke(cli, ["collect", str(tmp_path), "--learning-material", "--format", "json"], env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert declared.exit_code == 0, declared.output
    document = json.loads(declared.stdout)
    assert document["stats"]["learning_material"]["declared"] is True and document["stats"]["learning_material"]["verdict"] == "course"


def test_a_courses_root_tests_of_its_own_lesson_code_are_tests_of_this_repository(tmp_path: Path) -> None:
    # The lessons leave the listing as learning material; the root tests that exercise them stay (upkeep),
    # and what they import is still this repository's code.
    write(tmp_path, dict(COURSE_WITH_ITS_OWN_FILES, **{
        "lab1/features.py": "def scale(x):\n    return x / 10\n",
        "tests/test_features.py": "from lab1.features import scale\n\n\ndef test_scale():\n    assert scale(10) == 1\n",
    }))
    result, index = collect_with_index(tmp_path, now=NOW)
    assert "lab1/features.py" not in index.files  # left out as a lesson
    tests = {f.detector: f for f in result.findings}["has_unit_tests"]
    assert tests.outcome.value == "pass", tests.message
    assert "1 of 1 test files import or run this repository's code" in tests.message


def test_root_tests_that_import_nothing_of_the_repository_still_test_nothing(tmp_path: Path) -> None:
    write(tmp_path, dict(COURSE_WITH_ITS_OWN_FILES, **{"tests/test_math.py": "import math\n\n\ndef test_pi():\n    assert math.floor(math.pi) == 3\n"}))
    tests = {f.detector: f for f in collect(tmp_path, now=NOW).findings}["has_unit_tests"]
    assert tests.outcome.value == "fail" and "imports or runs this repository's code" in tests.message


def test_a_root_test_importing_a_name_only_a_lesson_folder_shares_does_not_test_the_repository(tmp_path: Path) -> None:
    # `lab1/utils.py` is a lesson's; `import utils` in a root test names some other `utils` (none here)
    write(tmp_path, dict(COURSE_WITH_ITS_OWN_FILES, **{
        "lab1/utils.py": "def f():\n    return 1\n",
        "tests/test_utils.py": "import utils\n\n\ndef test_f():\n    assert utils.f() == 1\n",
    }))
    tests = {f.detector: f for f in collect(tmp_path, now=NOW).findings}["has_unit_tests"]
    assert tests.outcome.value == "fail" and "imports or runs this repository's code" in tests.message


def test_tests_whose_conftest_fixtures_import_the_repositorys_code_reach_it(tmp_path: Path) -> None:
    # a template generator's tests: the fixture in conftest.py bakes the template with the package's API
    write(tmp_path, {
        "README.md": "# Project template\n",
        "ccds/__init__.py": "", "ccds/__main__.py": "def api_main(**kw):\n    return kw\n",
        "tests/conftest.py": "import pytest\nfrom ccds.__main__ import api_main\n\n\n@pytest.fixture\ndef baked():\n    return api_main(name='x')\n",
        "tests/test_creation.py": "def test_baked(baked):\n    assert baked['name'] == 'x'\n",
    })
    tests = {f.detector: f for f in collect(tmp_path, now=NOW).findings}["has_unit_tests"]
    assert tests.outcome.value == "pass" and "1 of 1 test files import or run this repository's code" in tests.message
    write(tmp_path, {"tests/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef baked():\n    return {'name': 'x'}\n"})  # reaches nothing
    tests = {f.detector: f for f in collect(tmp_path, now=NOW).findings}["has_unit_tests"]
    assert tests.outcome.value == "fail"

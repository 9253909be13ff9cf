"""A repository-level classifier of material ABOUT practice: features, the committed model, inference.

The rules of `lessons` and `coursework` recognise courses, workshops, book code, tutorial and example
collections and project templates by shapes and phrases written from a few examples at a time. This
module adds one learnt judgement on the whole repository, from what the rules cannot weigh together:

- **Features** (`features`): pure, bounded functions of the listing (paths only) and of the root
  README's text (its first README_TEXT_CHARS characters, tags and images dropped; untrusted, matched
  as words, never rendered):
  - tree shape: how many code files and what share are notebooks; top-level folders and the share of
    them numbered or named as lessons (`01-intro`, `week-2`); folders named as lessons anywhere;
    folders with their own requirements, build or container file (many small independent projects);
    the share of code under example/demo/tutorial folders and under lesson/exercise/lab folders; a
    package at the root (`pyproject.toml`, `setup.py`, `setup.cfg`), test files, root CI, the share
    of Python files inside packages, the share of documents, how deep code sits, template
    placeholders in paths (`{{ cookiecutter.x }}`);
  - README: its length and how often it uses words of each group of the model's vocabulary (course,
    lesson units, exercises, learners, tutorials, books, templates, examples, lists, operations, team:
    the groups and their words are data in the model file);
  - the rules' own signals: the README presents the repository as teaching material (weakly or in so
    many words), it says the repository is a project made in a course (capstone, thesis), and the
    share of the code the rules already took as lessons.
- **The model** (`teachingmodel.json` beside this module, written by
  `benchmarks/train_learning_classifier.py`): a logistic regression on standardised features (names,
  means, scales, coefficients, intercept, the decision threshold, the vocabulary, a summary of the
  training set and its leave-one-batch-out evaluation). It is validated at load; a broken or edited
  file is an `InputError` naming the file and the key. Never pickled; inference is a dot product and a
  sigmoid in pure Python (no scikit-learn on collect's path). Standardised values are clipped (the
  file's `clip`), so one extreme value of a rare feature cannot decide alone.
- **The explanation** (`explain`): the probability and the features that pushed it up most, in words
  (`README words 'course' x7, 'week' x4; 9 of 12 top folders numbered or named as lessons`).
- **The name** (session 11, `name_says`): the owner and name of the repository's git remote
  (`reponame`: `aws-samples/...`, `mlflow-examples`, `azureml-workshop`, `dvc-template`) are what a
  reader sees first. A repository named with a word of the model file's `name_vocabulary` is
  material when the model, from its files alone, gives at least the file's `name_threshold` (even
  odds or more) instead of `threshold`. The name is a gate, not a weight: it never moves a
  probability, a repository without such a name is judged exactly as before, and a name alone never
  decides (a team's `churn-template` whose files look like a system stays below `name_threshold`).

The hook is in `lessons.find_learning_material`: when the signs found so far do not decide, the
model's probability at its threshold (never below THRESHOLD_FLOOR) is one sign of learning material
(session 13: a whole-repository verdict needs two independent ones; CERTAIN and PAIRED below say when
the model counts twice, and when beside a README claim). Taken whole, the repository is taken as rule 9
of `coursework` takes one. The model only adds: it never overrides a `course` the rules decided.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mlops_audit.errors import InputError
from mlops_audit.evidence.repo.coursework import noun_names_the_repository
from mlops_audit.evidence.repo.reponame import name_words
from mlops_audit.evidence.repo.textdecode import decode_text
from mlops_audit.evidence.repo.thirdparty import CI_FOLDERS, CODE_SUFFIXES, ci_folder_owner, is_project_file

MODEL_FILE = Path(__file__).with_name("teachingmodel.json")
FORMAT = "mlops-audit/teaching-model@3"  # @2: the evaluation's batches are rounds named as strings ("12v"); @3: the name gate
README_TEXT_CHARS = 20_000  # how much of the root README's text the word counts read
MAX_EXPLAINED = 4  # features named in a verdict's reason
MIN_CODE = 10  # code files a repository needs to be judged by the model: the size of what it learnt from (smaller trees: the rules alone)
# The lowest threshold the model acts at (session 13), whatever its file says: the trainer's rule ("the
# most course-like project, plus 0.10") follows one repository, and one batch-19 project moved it from
# 0.88 (session 11) to 0.84 - where a held-out team's system stood at 0.85. The floor is session 11's
# threshold, the highest the rule chose on any round in session 12's nested evaluation (0.76-0.88).
THRESHOLD_FLOOR = 0.88
# The model alone is two signs of learning material (`lessons`: a whole-repository verdict needs two)
# only when it is this sure AND still at its threshold with the README's teaching phrase, title and
# the share of lessons the README's rules took counted as absent (`README_SIGN_FEATURES`): then the
# tree's shape and the README's word counts say material by themselves, beside whatever the README says.
CERTAIN = 0.95
# With a README claim beside it, the model is a second, independent sign when - at its threshold with the
# claim - it still gives at least even odds with the claim counted as absent: the files and the README's
# word counts lean to material by themselves. The same bar as the name gate (session 11: a named
# repository's files must give even odds); below it the model only echoes the claim.
PAIRED = 0.5
# The features that carry the README's own claim to be teaching material (its phrases and title), which
# `lessons` also counts as a sign of their own: judged without them, the model is a sign independent of it.
README_SIGN_FEATURES = ("material_title", "teaching_readme", "teaching_readme_strong")
WORDS_PREFIX = "words:"  # a README word-group feature is named words:<group>

_ROOT_PACKAGE = frozenset({"pyproject.toml", "setup.py", "setup.cfg"})
_ROOT_CI = frozenset({"Jenkinsfile", ".gitlab-ci.yml", "azure-pipelines.yml", ".travis.yml", "bitbucket-pipelines.yml", "cloudbuild.yaml", "cloudbuild.yml"})
_DOCUMENT_SUFFIXES = (".md", ".markdown", ".rst", ".txt", ".pdf", ".html", ".htm", ".tex")
_BARE_NUMBER = re.compile(r"^0*\d{1,3}(?:[-_ .]|\Z)")
_EXAMPLE_FOLDER = re.compile(r"^(?:examples?|samples?|demos?|tutorials?|notebooks?|showcase|recipes?|cookbook)(?:[-_ ].*)?\Z", re.IGNORECASE)
_EXERCISE_FOLDER = re.compile(
    r"^(?:exercises?|labs?|lessons?|lectures?|solutions?|homeworks?|hw|assignments?|courses?|workshops?|chapters?|weeks?|modules?|practice|"
    r"sessions?|class(?:es)?|units?|days?)(?:[-_ ]?\d*(?:[-_ ].*)?)?\Z",
    re.IGNORECASE,
)
_NOTES_FOLDER = re.compile(r"(?:^|[-_ ])notes?(?:$|[-_ ])|^notebooks?[-_ ]notes", re.IGNORECASE)
# A README title naming what the repository is as material: "Optuna Examples", "MLOps Tutorials".
_MATERIAL_TITLE = re.compile(
    r"(?<![a-z])(?:tutorials?|courses?|workshops?|examples?|notes|guides?|book|handbook|templates?|cookiecutter|labs?|lessons?|lectures?|"
    r"zoomcamp|bootcamp|demos?|cheat ?sheets?|roadmap|curso|kurs|cours)(?![a-z])",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z]+")
_TAG = re.compile(r"<[^>]{0,2000}>|!\[[^\]]{0,500}\]\([^)]{0,2000}\)|\]\([^)]{0,2000}\)")

LISTING_FEATURES = (
    "code_files", "notebook_share", "top_folders", "numbered_top_share", "lesson_folders", "own_project_folders",
    "example_code_share", "exercise_code_share", "root_package", "test_files", "root_ci", "package_code_share",
    "document_share", "code_depth", "template_placeholders", "notes_share",
)
README_FEATURES = ("readme_chars", "material_title", "teaching_readme", "teaching_readme_strong", "project_of_a_course")
RULE_FEATURES = ("rules_lesson_share",)


@dataclass(frozen=True)
class Feature:
    """One feature's value (what the model reads) and what it says in words (what a reason shows)."""

    value: float
    says: str


@dataclass(frozen=True)
class RuleSignals:
    """What the rules of `lessons` and `coursework` found, as the model reads it."""

    teaching: str | None = None  # why the README presents the repository as teaching material (weak or strong)
    strong: bool = False  # ... in so many words
    project_of_a_course: bool = False  # the README says it is a capstone, a course or final project, a thesis
    lesson_share: float = 0.0  # share of the code the rules took as lessons


def readme_text(listing: Sequence[str], read: Callable[[str], bytes | None], readme_name: re.Pattern[str]) -> str:
    """The root README's text (first README_TEXT_CHARS characters, tags, images and link targets
    dropped), '' when there is none."""
    for rel in listing:
        if "/" not in rel and readme_name.match(rel):
            data = read(rel)
            if data:
                return _TAG.sub(" ", decode_text(data[: README_TEXT_CHARS * 4]) or "")[:README_TEXT_CHARS]
    return ""


def features(listing: Sequence[str], readme: str, signals: RuleSignals, vocabulary: Mapping[str, Sequence[str]]) -> dict[str, Feature]:
    """Every feature of one repository: the listing's shape, the README's words (one feature per
    vocabulary group) and the rules' signals. Pure and bounded: one pass over the listing and its
    folders, one over the README's text."""
    out = _listing_features(listing)
    out.update(_readme_features(readme, signals, vocabulary))
    out["rules_lesson_share"] = Feature(signals.lesson_share, f"{signals.lesson_share:.0%} of the code in lesson trees the rules found")
    return out


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _listing_features(listing: Sequence[str]) -> dict[str, Feature]:
    from mlops_audit.evidence.repo.lessons import lesson_number  # lessons imports this module

    code = notebooks = python = documents = tests = example = exercise = depth = notes = 0
    tops: set[str] = set()
    project_folders: set[str] = set()
    package_folders: set[str] = set()
    python_folders: Counter[str] = Counter()
    # folder -> (under a notes, an example, an exercise folder): decided once per folder, from its parent's
    kinds: dict[str, tuple[bool, bool, bool]] = {"": (False, False, False)}
    root_package = root_ci = placeholders = False
    for rel in listing:
        folder, _, name = rel.rpartition("/")
        if folder and folder not in kinds:
            _folder_kinds(folder, kinds)
            if not rel.startswith("."):
                tops.add(rel[: rel.find("/")])
        in_notes, in_example, in_exercise = kinds[folder]
        if "{{" in rel:
            placeholders = True
        if not folder:
            root_package = root_package or name in _ROOT_PACKAGE
            root_ci = root_ci or name in _ROOT_CI
        elif rel.startswith(CI_FOLDERS):
            root_ci = True
        elif is_project_file(name) and ci_folder_owner(rel) is None:
            project_folders.add(folder)
        if name == "__init__.py":
            package_folders.add(folder)
        if rel.endswith(CODE_SUFFIXES):
            code += 1
            depth += rel.count("/")
            if rel.endswith(".ipynb"):
                notebooks += 1
            else:
                python += 1
                python_folders[folder] += 1
            if name.startswith("test_") or name.endswith("_test.py") or folder.rpartition("/")[2] in ("test", "tests"):
                tests += 1
            example += in_example
            exercise += in_exercise
        elif rel.lower().endswith(_DOCUMENT_SUFFIXES):
            documents += 1
        notes += in_notes
    folders = [f for f in kinds if f]
    numbered = sum(1 for t in tops if lesson_number(t) is not None or _BARE_NUMBER.match(t))
    lessons = sum(1 for f in folders if lesson_number(f[f.rfind("/") + 1:]) is not None)
    packaged = sum(n for f, n in python_folders.items() if f in package_folders)
    mean_depth = depth / code if code else 0.0
    return {
        "code_files": Feature(math.log1p(code), f"{code:,} code files"),
        "notebook_share": Feature(_share(notebooks, code), f"{notebooks:,} of {code:,} code files are notebooks"),
        "top_folders": Feature(math.log1p(len(tops)), f"{len(tops):,} top-level folders"),
        "numbered_top_share": Feature(_share(numbered, len(tops)), f"{numbered:,} of {len(tops):,} top folders numbered or named as lessons"),
        "lesson_folders": Feature(math.log1p(lessons), f"{lessons:,} folders named as lessons (week-2, lab1, chapter_3...)"),
        "own_project_folders": Feature(math.log1p(len(project_folders)), f"{len(project_folders):,} folders with their own requirements, build or container file"),
        "example_code_share": Feature(_share(example, code), f"{example:,} of {code:,} code files under example, demo or tutorial folders"),
        "exercise_code_share": Feature(_share(exercise, code), f"{exercise:,} of {code:,} code files under lesson, exercise or lab folders"),
        "root_package": Feature(float(root_package), "a package build file at the root" if root_package else "no package build file at the root"),
        "test_files": Feature(math.log1p(tests), f"{tests:,} test files"),
        "root_ci": Feature(float(root_ci), "CI at the root" if root_ci else "no CI at the root"),
        "package_code_share": Feature(_share(packaged, python), f"{packaged:,} of {python:,} Python files inside packages"),
        "document_share": Feature(_share(documents, len(listing)), f"{documents:,} of {len(listing):,} files are documents"),
        "code_depth": Feature(mean_depth, f"code {mean_depth:.1f} folders deep on average"),
        "template_placeholders": Feature(float(placeholders), "template placeholders in paths" if placeholders else "no template placeholders in paths"),
        "notes_share": Feature(_share(notes, len(listing)), f"{notes:,} of {len(listing):,} files in notes folders"),
    }


def _folder_kinds(folder: str, kinds: dict[str, tuple[bool, bool, bool]]) -> None:
    """Whether `folder` is (or is below) a notes, an example or an exercise folder, memoised in
    `kinds` with its ancestors (a loop, not recursion: a hostile tree may be thousands deep)."""
    unknown = []
    while folder not in kinds:
        unknown.append(folder)
        folder = folder.rpartition("/")[0]
    above = kinds[folder]
    for folder in reversed(unknown):
        name = folder.rpartition("/")[2]
        above = (
            above[0] or bool(_NOTES_FOLDER.search(name)),
            above[1] or bool(_EXAMPLE_FOLDER.match(name)),
            above[2] or bool(_EXERCISE_FOLDER.match(name)),
        )
        kinds[folder] = above


def _readme_features(readme: str, signals: RuleSignals, vocabulary: Mapping[str, Sequence[str]]) -> dict[str, Feature]:
    counts = Counter(_WORD.findall(readme.lower()))
    title = next((line.strip("# =*-\t") for line in readme.splitlines() if line.strip("# =*-\t")), "")[:200]
    # the noun must name what the repository is, not a domain it qualifies ("Book Recommendation System")
    material = next((m for m in _MATERIAL_TITLE.finditer(title) if noun_names_the_repository(title, m.end())), None)
    out = {
        "readme_chars": Feature(math.log1p(len(readme)), f"a README of {len(readme):,} characters" if readme else "no README"),
        "material_title": Feature(float(material is not None), f"the README's title names {material.group(0).lower()!r}" if material else "the README's title names no material"),
        "teaching_readme": Feature(float(signals.teaching is not None), signals.teaching or "the README does not present it as teaching material"),
        "teaching_readme_strong": Feature(float(signals.strong), "the README says so in so many words" if signals.strong else "no explicit teaching phrase in the README"),
        "project_of_a_course": Feature(
            float(signals.project_of_a_course), "the README calls it a project (course or final project, capstone, thesis)" if signals.project_of_a_course else "the README never calls it a course project"
        ),
    }
    for group, words in vocabulary.items():
        found = sorted(((counts[w], w) for w in words if counts[w]), key=lambda cw: (-cw[0], cw[1]))
        total = sum(n for n, _ in found)
        said = ", ".join(f"'{w}' x{n}" for n, w in found[:2]) if found else "none"
        like = ", ".join(f"'{w}'" for w in words[:3])
        out[WORDS_PREFIX + group] = Feature(math.log1p(total), f"README words {said}" if found else f"no README words like {like}")
    return out


# --- the model ------------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Weight(_Strict):
    name: str
    mean: float
    scale: float = Field(gt=0, description="the training set's standard deviation (1 when it was 0)")
    coef: float


class BatchResult(_Strict):
    """One fold of the leave-one-batch-out evaluation: trained on the other batches, judged on this one."""

    batch: str = Field(pattern=r"^[0-9]+v?$", description="the labelling round judged: its number (7 = 7a and 7b), `v` for rounds labelled only decoy-or-not (verdicts.yaml)")
    repositories: int = Field(ge=0)
    decoys: int = Field(ge=0)
    decoys_caught: int = Field(ge=0)
    decoys_caught_by_rules: int = Field(ge=0, description="decoys the rules already judged `course`")
    decoys_caught_by_name: int = Field(default=0, ge=0, description="decoys caught only because their remote's name says material (`name_threshold`)")
    projects: int = Field(ge=0)
    projects_flagged: int = Field(ge=0)
    highest_project_probability: float | None = Field(default=None, ge=0, le=1)


class TeachingModel(_Strict):
    format: Literal["mlops-audit/teaching-model@3"]
    features: list[Weight] = Field(min_length=1)
    intercept: float
    threshold: float = Field(gt=0, lt=1, description="probability at or above which a repository is material about practice")
    clip: float = Field(gt=0, description="standardised values are clipped to [-clip, clip]: one extreme value of a rare feature cannot decide alone")
    vocabulary: dict[str, list[str]] = Field(description="README word groups: feature words:<group> counts these words (log1p of the total)")
    name_vocabulary: list[str] = Field(
        default_factory=list, description="words of a repository's remote owner or name that say it is material (`mlflow-examples`, `azureml-workshop`); empty: no name gate"
    )
    name_threshold: float | None = Field(
        default=None, gt=0, lt=1, description="probability at or above which a repository named with a name_vocabulary word is material (at most `threshold`); null: no name gate"
    )
    training: dict[str, int | float | str] = Field(description="what the model was trained on and how (for the docs)")
    lobo: list[BatchResult] = Field(default_factory=list, description="leave-one-batch-out evaluation at the threshold")

    @model_validator(mode="after")
    def _features_are_known(self) -> TeachingModel:
        known = set(LISTING_FEATURES + README_FEATURES + RULE_FEATURES) | {WORDS_PREFIX + g for g in self.vocabulary}
        names = [w.name for w in self.features]
        for name in names:
            if name not in known:
                raise ValueError(f"unknown feature '{name}' (known: {', '.join(sorted(known))})")
        if len(set(names)) != len(names):
            raise ValueError("a feature is named twice")
        for group, words in self.vocabulary.items():
            if not re.fullmatch(r"[a-z_]+", group) or not words or any(not re.fullmatch(r"[a-z]+", w) for w in words):
                raise ValueError(f"vocabulary group '{group}': expected a lower-case name and lower-case words (letters only)")
        if any(not re.fullmatch(r"[a-z0-9]{1,40}", w) for w in self.name_vocabulary):
            raise ValueError("name_vocabulary: expected lower-case words of letters and digits (at most 40)")
        if self.name_threshold is not None and (not self.name_vocabulary or self.name_threshold > self.threshold):
            raise ValueError("name_threshold: needs a name_vocabulary and may not exceed threshold")
        return self


@cache
def load(path: Path = MODEL_FILE) -> TeachingModel:
    """The committed model, validated (an `InputError` naming the file and the key if it is not)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the learning-material model ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc}); rebuild it with benchmarks/train_learning_classifier.py") from None
    try:
        return TeachingModel.model_validate(doc)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            where = ".".join(str(p) for p in err["loc"]) or "(document root)"
            msg = "unknown key (check the spelling)" if err["type"] == "extra_forbidden" else err["msg"]
            problems.append(f"{path}: {where}: {msg}")
        raise InputError("the learning-material model does not validate:\n" + "\n".join(problems)) from None


def name_says(model: TeachingModel, names: Sequence[str]) -> tuple[str, ...]:
    """The words of the repository's remote owner and name (`reponame`) that are in the model's name
    vocabulary, sorted; () when it has no name, no such word, or the model no name gate."""
    if not names or model.name_threshold is None:
        return ()
    return tuple(sorted(name_words(tuple(names)) & set(model.name_vocabulary)))


@dataclass(frozen=True)
class Judgement:
    probability: float  # rounded to 3 decimals
    flagged: bool
    reason: str


def judge(model: TeachingModel, found: Mapping[str, Feature], named: Sequence[str] = ()) -> Judgement:
    """The model's probability that the repository is material about practice, whether it reaches
    the threshold (`name_threshold` when `named`: the words of its name that say it is material,
    `name_says`), and why in words (the features that pushed it up most, then the name)."""
    probability, contributions = _probability(model, {name: f.value for name, f in found.items()})
    top = sorted((c for c in contributions if c[0] > 0), key=lambda c: (-c[0], c[1]))[:MAX_EXPLAINED]
    why = "; ".join(found[name].says for _, name in top) or "no feature above its training mean"
    flagged = probability >= threshold(model)
    if named and model.name_threshold is not None and not flagged and probability >= model.name_threshold:
        flagged = True
        why += f"; the repository's name says {', '.join(repr(w) for w in named[:3])} (a named repository's threshold {model.name_threshold:.2f}, else {threshold(model):.2f})"
    return Judgement(probability, flagged, f"classifier: p={probability:.2f} ({why})")


def threshold(model: TeachingModel) -> float:
    """The threshold the model acts at: its file's, never below THRESHOLD_FLOOR."""
    return max(model.threshold, THRESHOLD_FLOOR)


def probability_without(model: TeachingModel, found: Mapping[str, Feature], replaced: Mapping[str, float]) -> float:
    """The model's probability with some features' values replaced (`lessons`: judged without the
    README's own claim, to count the model as a sign independent of it)."""
    values = {name: f.value for name, f in found.items()}
    values.update(replaced)
    return _probability(model, values)[0]


def _probability(model: TeachingModel, values: Mapping[str, float]) -> tuple[float, list[tuple[float, str]]]:
    contributions = []
    logit = model.intercept
    for weight in model.features:
        z = min(max((values[weight.name] - weight.mean) / weight.scale, -model.clip), model.clip)
        part = weight.coef * z
        logit += part
        contributions.append((part, weight.name))
    return round(_sigmoid(logit), 3), contributions


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)

"""Learning material: teaching and learning code is not a team's practice.

A lesson's `mlflow.start_run()` on a toy dataset, a course chapter's seeded GAN, an exercise's
`GridSearchCV` show a reader how a practice looks; they are not a team doing it. So, as for installed
distributions (`thirdparty`) and documentation sites (`documents`), the index leaves the Python files
and notebooks of learning material out of the listing for every detector, and the collection names
them with why (`stats.not_project_code.learning_trees`). Other files (Markdown, YAML manifests,
Dockerfiles, CI files) stay: a workshop's sample Kubernetes manifest is still a manifest.

Two rules here decide it, and six more in `coursework` (learning material that holds full projects:
a reference solution beside its skeleton, course-named folders, a workshop around its exercises,
course materials with only package lists, and what a teaching README changes in rule 1), all from the
repository's structure and its own words, never from a name list of repositories. The decision ends
in a verdict on the repository (`course` / `partly` / `none`, reported by `learning`):

1. **A lesson series** (folder level): at least three sibling folders (or code files) named as
   numbered lessons of one sequence: `day-01`..`day-100`, `week_3_dvc`, `lesson03`, `lecture-2`,
   `chapter_05`, `ch02`, `exercise_2`, `homework1`/`hw1`, `lab1`, `tutorial-4`, `session-3`, `class_2`,
   `01-lesson-intro`, `第二章-…`. A member is *a project* when it holds a project file (build,
   dependency, container, CI: `thirdparty.is_project_file`) at its top or one folder below. When at
   least half of the members are projects, the series is a series of projects (a student's `hw1`..
   `hw4`, a tutorial whose weeks each rebuild one project) and keeps all its code, unless the README
   presents the repository as teaching material (`coursework`: then those small projects, labs each
   with its requirements, are exercises, all but those named as a capstone or final project). Otherwise the
   series is lessons: its code is left out, except below folders that are full projects of their
   own (a build, container or pipeline file: `pyproject.toml`, `setup.py`, `Dockerfile`, `dvc.yaml`...;
   a requirements list alone is a lesson's list of packages, and is left out with the lesson's
   code: it pins no project's dependencies). Bare numbers (`01-intro`,
   `02-eda.ipynb`) and generic words (`module`, `part`, `step`) are not lesson names: a project's
   numbered notebooks are its workflow.
   **1b.** When lesson series hold at least three quarters of the repository's code and nothing
   outside them is a project (no full project file, no CI), the repository is a course: its other
   code (the lessons' shared helpers, a setup check) is learning material too.
2. **A repository that is learning material** (repository level): no project file anywhere (no
   build, dependency, container or CI file at all), and it presents itself as teaching material: its
   root README speaks of a course, workshop, tutorial, lessons, lectures, a book, a curriculum, a
   bootcamp (`课程`, `教程`...), or it holds a Jupyter Book (`_toc.yml` beside `_config.yml`). All
   its code is left out. A repository with a requirements file, a Dockerfile or CI is maintained as a
   project; its lessons are judged by rule 1 (and 1b) only.

Session 7, second round (`coursework`): a repository whose README says it is teaching material and
that holds code is learning material whole (rule 9); a project template's placeholder tree leaves its
containers, manifests, CI and package lists out (rule 10); and a repository of documents only that
presents itself as a course, guide or book gets the verdict `course` (rule 11), which the document
checks read (`has_design_docs`: its pages are lessons, not a system's design).

Session 13: the whole-repository rules (2, 6, 8, 9, 11 and the classifier's verdict) take a repository
only on TWO independent signs - the README's claims, the tree's structure, the remote's name, the
classifier (see "The sources of signs" below for what each is and why they are independent). With one
sign the verdict is `partly`: the reason is reported and only the structural rules' lesson trees are
left out, so a team's system whose README says "you'll learn" keeps its practices.

A real project's `tutorials/` or `examples/` folder is not touched by either rule unless it holds a
lesson series; a repository holding several real projects keeps them (`collect --per-project`).

Pure: the listing and a `read` callback (a listed file's bytes within the index's cap) in, the
decision out. README text is matched as text, never rendered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from mlops_audit.evidence.repo import coursework, teachingmodel
from mlops_audit.evidence.repo.thirdparty import CODE_SUFFIXES, ci_folder_owner, is_project_file, project_folder, under
from mlops_audit.evidence.repo.thirdparty import parent as folder_of

MIN_SERIES = 3  # sibling lessons with distinct numbers that make a series
MOSTLY_LESSONS = 0.75  # share of a repository's code in lesson series that makes the rest of it course material (rule 1b)
README_CHARS = 4000  # how much of the root README is read for the repository's own words

_LESSON_WORDS = r"day|week|lesson|lecture|lec|chapter|chap|ch|exercise|ex|homework|hw|assignment|lab|tutorial|workshop|session|class|seminar|practical"
# `day-01`, `week_3_dvc`, `lesson03.ipynb`, `hw1`; `01-lesson-intro`; `第二章-支持向量机`.
_LESSON_NAME = re.compile(
    rf"^(?:(?:{_LESSON_WORDS})s?[-_ .]?0*(\d{{1,3}})(?!\d)|0*(\d{{1,3}})[-_ .]+(?:{_LESSON_WORDS})s?(?![a-z])|第([一二三四五六七八九十百零〇两\d]+)[章课讲节周天])",
    re.IGNORECASE,
)
# Lesson names that teach by themselves: a book's chapters, a course's lectures and lessons (not a
# student's `hw1`, a project's `week_3`, a `lab2` or a `session-4`).
_TAUGHT_BY_NAME = re.compile(r"^(?:\d{1,3}[-_ .]+)?(?:chapter|chap|ch|lecture|lec)s?(?![a-z])|^第[^/]*?[章讲]", re.IGNORECASE)
# Files that make a member a full project: how it is built, packaged, containerised or run as a pipeline.
_FULL_PROJECT_FILES = frozenset({
    "pyproject.toml", "setup.py", "setup.cfg", "Dockerfile", "docker-compose.yml", "docker-compose.yaml",
    "dvc.yaml", "MLproject", "Jenkinsfile", ".gitlab-ci.yml", "azure-pipelines.yml", "kustomization.yaml",
})
# Rule 7's lessons (1 or 2 lesson folders) are lessons only because the README says it teaches: no sign of their own.
_SHORT_SERIES = "lesson folders of a teaching repository"
# Where a project documents itself (its tutorials, examples and docs): lessons there are a part of the
# project, so they are no sign that the repository as a whole is learning material.
_PROJECT_DOCS = re.compile(r"(?:examples?|samples?|demos?|tutorials?|docs?|documentation)(?:/|\Z)", re.IGNORECASE)
# Builds of programs in languages other than Python: a repository with one of them and no Python is no
# documents-only repository (an ML system written in Go, Java, Scala, Rust, R or C++).
_OTHER_LANGUAGE_BUILDS = frozenset({"go.mod", "pom.xml", "build.gradle", "build.gradle.kts", "build.sbt", "Cargo.toml", "DESCRIPTION", "CMakeLists.txt", "Project.toml"})
_TEACHING_WORDS = re.compile(
    r"\b(?:courses?|workshops?|tutorials?|lessons?|lectures?|curriculum|bootcamp|syllabus|textbook|book|"
    r"homeworks?|self-study|study (?:programme|program|plan))\b|课程|教程|讲义|教材",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class LessonTree:
    """One tree of learning material whose code was left out."""

    path: str  # repository-relative folder ('' = the repository root)
    why: str
    code_files: int = 0
    other_files: int = 0  # non-code files left out with it (a lesson's dependency list; an exercise's Dockerfile, manifests, CI)


COURSE, PARTLY, NONE = "course", "partly", "none"  # the repository-level verdict


@dataclass
class LearningMaterial:
    """What `find_learning_material` decided: the files left out (code, the dependency lists of
    lessons, every non-document file of an exercise), the trees they are in, and the verdict on the
    repository: `course` (it is learning material: a repository-level rule, or all its code is
    lessons), `partly` (some of it is), `none`."""

    left_out: set[str] = field(default_factory=set)
    trees: list[LessonTree] = field(default_factory=list)
    code_total: int = 0  # code files in the listing the decision saw
    verdict: str = NONE
    teaching: str | None = None  # why the README presents the repository as teaching material, if it does
    probability: float | None = None  # the learnt classifier's (`teachingmodel`), when it was asked
    declared: bool = False  # the assessor declared the repository learning material (collect --learning-material)
    signs: dict[str, str] = field(default_factory=dict)  # the independent signs of learning material found: source -> what it saw
    sequence: str | None = None  # the top level is a numbered sequence (`coursework.numbered_top_level`): a sign beside the author's (session 18)
    rules_share: float | None = None  # share of the code the rules took, the README's whole-repository rules included (what the classifier learnt from)
    rules_course: bool = False  # those rules alone said `course` (before session 13's two signs: what the classifier's trainer reads)
    two_signs: bool = False  # taken whole on two independent signs (`signs`)

    @property
    def code_files(self) -> int:
        return sum(t.code_files for t in self.trees)

    @property
    def code_share(self) -> float:
        """Share of the repository's code left out as learning material (0 when it has none)."""
        return round(self.code_files / self.code_total, 3) if self.code_total else 0.0


def lesson_number(name: str) -> str | None:
    """The lesson number a file or folder name carries ('day-007' -> '7'), or None."""
    stem = name.rsplit(".", 1)[0] if name.endswith(CODE_SUFFIXES) else name
    match = _LESSON_NAME.match(stem)
    if match is None:
        return None
    return next(g for g in match.groups() if g is not None).lstrip("0") or "0"


def _children(listing: Sequence[str]) -> dict[str, dict[str, bool]]:
    """folder -> {child name: is a folder} for every folder of the listing (each file's folder,
    then its ancestors up to the first one already known)."""
    children: dict[str, dict[str, bool]] = {}
    for rel in listing:
        folder, _, name = rel.rpartition("/")
        children.setdefault(folder, {})[name] = False
        while folder:
            parent, _, name = folder.rpartition("/")
            siblings = children.setdefault(parent, {})
            if name in siblings:
                break
            siblings[name] = True
            folder = parent
    return children


def _series(children: dict[str, dict[str, bool]], *, teaching: bool = False) -> list[tuple[str, list[str], bool]]:
    """(parent, member names, short) of every lesson series: >= MIN_SERIES lesson-named folders, or
    code files, of distinct numbers under one parent; in a teaching repository (`teaching`) also 1
    or 2 lesson-named folders (`short`: rule 7)."""
    found = []
    for parent, names in children.items():
        for want_folders in (True, False):
            members = [n for n, is_folder in names.items() if is_folder == want_folders and (want_folders or n.endswith(CODE_SUFFIXES))]
            numbered = {n: num for n in members if (num := lesson_number(n)) is not None}
            distinct = len(set(numbered.values()))
            if distinct >= MIN_SERIES or (teaching and want_folders and distinct >= 1):
                found.append((parent, sorted(numbered), distinct < MIN_SERIES))
    return sorted(found)


def _join(parent: str, name: str) -> str:
    return f"{parent}/{name}" if parent else name


def _member_files(listing: Sequence[str], member: str, is_folder: bool) -> list[str]:
    if not is_folder:
        return [member]
    return under(listing, member)


def _near_top(rel: str, member: str) -> bool:
    """`rel` is at the member's top or one folder below it."""
    return rel[len(member) + 1:].count("/") <= 1


def _readme_presents_teaching(listing: Sequence[str], read: Callable[[str], bytes | None]) -> str | None:
    for rel in listing:
        if "/" not in rel and coursework.README_NAME.match(rel):
            data = read(rel)
            text = data[:README_CHARS * 4].decode("utf-8", "replace")[:README_CHARS] if data else ""
            if (match := _TEACHING_WORDS.search(text)) is not None:
                return f"{rel} speaks of a {match.group(0).lower()}"
    return None


def _jupyter_book(names: set[str]) -> str | None:
    for rel in sorted(names):
        if rel.rsplit("/", 1)[-1] in ("_toc.yml", "_toc.yaml"):
            folder = folder_of(rel)
            if any(_join(folder, c) in names for c in ("_config.yml", "_config.yaml")):
                return f"it holds a Jupyter Book ({rel})"
    return None


DECLARED = "declared learning material by the assessor (collect --learning-material)"


def find_learning_material(
    files: Iterable[str], read: Callable[[str], bytes | None], *, classify: bool = True, declared: bool = False, names: Sequence[str] = ()
) -> LearningMaterial:
    """The listed files that are learning material (see the module text and `coursework`).
    `files`: the listing (sorted); `read(rel)`: a listed file's bytes within the per-file cap, or None.
    `classify`: read the model file - the learnt classifier (`teachingmodel`), asked when the signs
    so far do not decide, and its name vocabulary (the NAME sign); False: the rules alone.
    `names`: the owner and name of the repository's remote (`reponame.repository_names`), for the
    NAME sign and the classifier's name gate; () when it has none.
    A whole-repository verdict needs two independent signs (see "The sources of signs" below): with
    one, `partly`, and only the structural rules' lesson trees are left out.
    `declared`: the assessor says the repository is learning material (a course, a tool's examples,
    a template, a reference system built to demonstrate): whatever the rules and the classifier
    decide, it is taken whole as rule 9 takes a teaching repository (capstones, root CI, package
    lists and tests kept). Whether a complete working system is run by a team or only demonstrates
    is not in its files; the assessor knows (docs/collector.md)."""
    listing = files if isinstance(files, list | tuple) else list(files)
    result, whole = _by_rules(listing, read)
    model = teachingmodel.load() if classify else None
    if model is not None and (named := teachingmodel.name_says(model, names)):
        result.signs[NAME] = f"its name says {', '.join(repr(w) for w in named[:3])}"
    _sequence_beside_the_authors_sign(result)
    judged = None
    undecided = not _two_signs(result.signs) and (whole is not None or result.verdict != COURSE)
    if model is not None and result.code_total >= teachingmodel.MIN_CODE and (undecided or (whole is not None and whole.verdict != COURSE)):
        judged = _classified(result, listing, read, model, named)
    if _two_signs(result.signs):
        _taken_whole(result, listing, whole, judged)
    elif result.verdict == NONE and any(source != NAME for source in result.signs):
        result.verdict = PARTLY  # one sign: said and reported, the repository's own practices kept (a name alone says nothing: session 11)
    elif result.verdict == COURSE and STRUCTURE not in result.signs:
        result.verdict = PARTLY  # all its code in lesson folders only the README's words made lessons (rules 5, 7): one sign
    if declared:
        _declared(result, listing)
    return result


def _sequence_beside_the_authors_sign(result: LearningMaterial) -> None:
    """Session 18: a top level numbered as a sequence of stages is a STRUCTURE sign beside a sign the
    author wrote (a README claim of a phrase family or a title said again: not a title word alone, `WEAK`)
    or chose (the remote's name). Not beside the classifier alone, nor the README's echo in it
    (`README_AGAIN`): it reads the share of numbered top folders already, so the two would be one
    observation counted twice."""
    authors = [k for k in result.signs if k == NAME or (k.startswith(README) and k not in (f"{README}:{coursework.WEAK}", README_AGAIN))]
    if result.sequence is not None and STRUCTURE not in result.signs and authors:
        result.signs[STRUCTURE] = result.sequence


def _declared(result: LearningMaterial, listing: Sequence[str]) -> None:
    result.declared = True
    if result.verdict == COURSE:
        return  # the rules or the classifier already took it whole; the reason records the declaration too
    if not result.code_total:  # documents only: nothing to leave out, the verdict tells the document checks
        result.trees.append(LessonTree("", DECLARED))
        result.verdict = COURSE
        return
    taken = [f for f in coursework.taught_files(listing) if f not in result.left_out]
    if taken:
        _take(result, "", f"{DECLARED}: its code, containers and manifests are lessons, exercises and demos (capstones, root CI, package lists and tests kept)", taken)
        result.trees.sort(key=lambda t: t.path)
    _judged_taken_whole(result, listing)


def classifier_features(listing: Sequence[str], read: Callable[[str], bytes | None], ruled: LearningMaterial, vocabulary: Mapping[str, Sequence[str]]) -> dict[str, teachingmodel.Feature]:
    """The learnt classifier's features of a repository whose rules decided `ruled` (what
    `benchmarks/train_learning_classifier.py` trains on, computed exactly as collect does): the
    share of lessons is what the rules took with the README's whole-repository rules (`rules_share`)."""
    opening = coursework.readme_opening(listing, read)
    signals = teachingmodel.RuleSignals(
        teaching=ruled.teaching,
        strong=coursework.teaching_readme(opening, strong_only=True) is not None,
        project_of_a_course=coursework.project_of_a_course(opening),
        lesson_share=ruled.code_share if ruled.rules_share is None else ruled.rules_share,
    )
    return teachingmodel.features(listing, teachingmodel.readme_text(listing, read, coursework.README_NAME), signals, vocabulary)


def _classified(result: LearningMaterial, listing: Sequence[str], read: Callable[[str], bytes | None], model: teachingmodel.TeachingModel, named: Sequence[str] = ()) -> teachingmodel.Judgement:
    """The learnt classifier's judgement as a sign (see the sources of signs below): at its threshold
    one sign; with the name, from `name_threshold`; two when CERTAIN and still at its threshold with
    the README's claim counted as absent. The reason gives the probability and the features that
    pushed it up most."""
    found = classifier_features(listing, read, result, model.vocabulary)
    judged = teachingmodel.judge(model, found, named)
    result.probability = judged.probability
    if not judged.flagged:
        return judged
    # the same repository without the README's claim (when it makes one): its phrases and title absent, the lessons only those its structure shows
    claimed = any(k.startswith(README) for k in result.signs)
    alone = teachingmodel.probability_without(model, found, dict.fromkeys(teachingmodel.README_SIGN_FEATURES, 0.0) | {"rules_lesson_share": result.code_share}) if claimed else judged.probability
    threshold = teachingmodel.threshold(model)
    without = f", {alone:.2f} without the README's claim" if claimed else ""
    if judged.probability >= teachingmodel.CERTAIN and alone >= threshold:
        result.signs[CLASSIFIER_TWICE] = f"p={judged.probability:.2f}{without}, at least {teachingmodel.CERTAIN:.2f}: certain"
    elif judged.probability < threshold:  # the name gate: from name_threshold when the name says material
        result.signs[CLASSIFIER] = f"p={judged.probability:.2f}, at least {model.name_threshold:.2f} with the name"
    elif alone >= (teachingmodel.PAIRED if claimed else threshold):
        result.signs[CLASSIFIER] = f"p={judged.probability:.2f}{without}, threshold {threshold:.2f}"
    else:
        result.signs[README_AGAIN] = f"the classifier's p={judged.probability:.2f} rests on the README's claim ({alone:.2f} without it, below even odds)"
    return judged


# The sources of signs of learning material (session 13). A whole-repository verdict (`course`: every
# ML practice found is set aside) needs TWO independent ones; with one, the verdict is `partly`: the
# reason is reported and the lesson trees the structural rules found are still left out, but what the
# repository does itself is credited. Why these are independent - each looks at something the others
# do not:
# - README (`coursework.readme_signs`): the author's words. Each phrase family is one claim (companion
#   of media, addressed to learners, sample code, a template for your project, course material, a
#   title naming a course that the text speaks of again); two claims of DIFFERENT families count as
#   two (one is easily said of a project - "you'll learn" in a walkthrough, "the lab" in a title -
#   two distinct ones hardly). A title word or 'this course' alone (WEAK) is one sign, never two with
#   another README phrase.
# - STRUCTURE: what the tree's layout says, whatever the README says: a lesson series of 3 or more,
#   a reference solution beside its skeleton, folders named as course material, a template's
#   placeholder tree, a workshop's numbered exercises folder, a Jupyter Book; and a repository of
#   documents with no code, where no system runs (no Python files or notebooks, no build of another
#   language); since session 18 a top level numbered as a sequence of stages, beside a README claim or
#   the name only (`_sequence_beside_the_authors_sign`).
# - NAME (`reponame`): the owner and name of the git remote (`aws-samples/...`, `mlflow-examples`),
#   chosen before any file was written; never read by the classifier.
# - CLASSIFIER (`teachingmodel`): the learnt judgement over the tree's shape and the README's word
#   counts, at its threshold (never below `teachingmodel.THRESHOLD_FLOOR`). It reads the README's claim
#   and the rules' lessons too, so with a README sign it counts as a second one only when, at its
#   threshold, it still gives even odds (`teachingmodel.PAIRED`) with the README's claim (its phrase
#   and title features, and the lessons the README's rules took) counted as absent - otherwise it only
#   echoes the claim; with the name, from even odds (`name_threshold`: the name gate of session 11);
#   alone it is two signs only when it is CERTAIN (p >= 0.95) and no README claim lifts it there.
README, STRUCTURE, NAME, CLASSIFIER = "README", "structure", "name", "classifier"


def _two_signs(signs: Mapping[str, str]) -> bool:
    """At least two independent signs (`CLASSIFIER_TWICE`: the classifier alone, certain; `_CLAIM_AND_CLASSIFIER`)."""
    readme = [k for k in signs if k.startswith(README)]
    strong_readme = [k for k in readme if k not in (f"{README}:{coursework.WEAK}", README_AGAIN)]
    claimed_and_classified = README_AGAIN in signs and any(k.split(":", 1)[1] in _WHAT_IT_IS for k in strong_readme)
    count = (2 if len(strong_readme) >= 2 or claimed_and_classified else len(readme[:1])) + (STRUCTURE in signs) + (NAME in signs)
    count += 2 if CLASSIFIER_TWICE in signs else (CLASSIFIER in signs)
    return count >= 2


CLASSIFIER_TWICE = CLASSIFIER + ":certain"
README_AGAIN = README + ":classifier"  # the classifier at its threshold only with the README's claim: that claim's sign again, not a second one
# Session 15 (decoy22): a README claim that says WHAT THE REPOSITORY IS - course or book material, a
# vendor's sample code, the companion code of a blog series or videos, a starter template, a title
# naming it a course or workshop that the text speaks of again - with the classifier at its threshold
# on that README (`README_AGAIN`: p >= 0.88 with the claim, below even odds without it) is two signs:
# the claim says what the repository is, and the tree and the README's words around the claim do not
# contradict it strongly enough to keep the classifier below its threshold. Not for claims that only
# address a reader ("you'll learn": a team's walkthrough says that, session 12) or a title word alone
# (`coursework.WEAK`). On the spent labels (12 repositories with `README_AGAIN`, 0 of them a team's
# system; 332 projects), every such repository was learning material.
_WHAT_IT_IS = frozenset({"material", "samples", "media", "template", "title"})


def _taken_whole(result: LearningMaterial, listing: Sequence[str], whole: LearningMaterial | None, judged: teachingmodel.Judgement | None) -> None:
    """Two signs: the repository is learning material whole - taken as the README's whole-repository
    rule took it (rules 2, 6, 8, 9, 11), and/or as the classifier takes a repository (rule 9's way:
    when no README rule took it, or on top of one whose take spared a folder it would not spare). A
    tree whose code the structural rules already took entirely keeps their trees."""
    if whole is not None:
        result.left_out, result.trees, result.verdict = whole.left_out, whole.trees, whole.verdict
    flagged = judged is not None and judged.flagged
    if result.verdict != COURSE and (whole is None or flagged):
        why = f"{judged.reason}; " if flagged else ""  # type: ignore[union-attr]
        _take(result, "", f"{why}taken as teaching material whole: its code, containers and manifests are lessons, exercises and demos (capstones, root CI, package lists and tests kept)", coursework.taught_files(listing))
        result.trees.sort(key=lambda t: t.path)
        _judged_taken_whole(result, listing)
    result.two_signs = True


def _by_rules(listing: Sequence[str], read: Callable[[str], bytes | None]) -> tuple[LearningMaterial, LearningMaterial | None]:
    """What the rules decide (rules 1 to 11: this module's text and `coursework`): the lesson trees the
    structural rules find, with the signs seen (README, STRUCTURE); and, when one of the README's
    whole-repository rules (2, 6, 8, 9, 11) takes the repository, what it takes - taken only on two
    independent signs (`find_learning_material`)."""
    code = [f for f in listing if f.endswith(CODE_SUFFIXES)]
    result = LearningMaterial(code_total=len(code))
    opening = coursework.readme_opening(listing, read)
    result.teaching = coursework.teaching_readme(opening)
    result.signs.update({f"{README}:{family}": why for family, why in coursework.readme_signs(opening, result.teaching).items()})
    whole: LearningMaterial | None = None
    if not code:
        # Rule 11: a repository of documents only that presents itself as a course, guide or book
        # is teaching material whole (nothing to leave out; the verdict tells the document checks).
        if result.teaching is not None:
            whole = LearningMaterial(teaching=result.teaching, trees=[LessonTree("", f"teaching material with no code: {result.teaching}")], verdict=COURSE)
            if not any(f.rsplit("/", 1)[-1] in _OTHER_LANGUAGE_BUILDS for f in listing):
                result.signs[STRUCTURE] = "documents only: no Python files or notebooks, no build of a program in another language"
        return _ruled(result, whole)
    strong = coursework.teaching_readme(opening, strong_only=True)
    # Rule 2: the whole repository, no project files at all.
    if not any(project_folder(f) is not None for f in listing):
        words, book = _readme_presents_teaching(listing, read), _jupyter_book(set(listing))
        if book is not None:
            result.signs[STRUCTURE] = book
        if words is not None and not any(k.startswith(README) for k in result.signs):
            result.signs[f"{README}:{coursework.WEAK}"] = words
        if (because := words or book) is not None:
            whole = LearningMaterial(code_total=len(code), teaching=result.teaching, left_out=set(code))
            whole.trees.append(LessonTree("", f"teaching material with no project files: {because}", len(code)))
            _judged(whole, whole=True)
    # Rules 6 and 8 (`coursework`): the whole repository, with its project files.
    if whole is None:
        workshop = coursework.workshop_around_exercises(listing, result.teaching)
        if workshop is not None:
            result.signs[STRUCTURE] = workshop.why.split(", and ", 1)[-1].split(";", 1)[0]  # "exercises/ holds 4 numbered exercises"
        taken = (
            workshop
            or coursework.material_without_builds(listing, strong)
            or coursework.teaching_repository(listing, coursework.teaching_readme(opening, strong_only=True, whole=True))
        )
        if taken is not None:
            whole = LearningMaterial(code_total=len(code), teaching=result.teaching)
            _take(whole, taken.path, taken.why, taken.files)
            _judged_taken_whole(whole, listing)
    # Rules 3 and 4 (`coursework`): exercises with their project files.
    for judged in coursework.named_exercises(listing):
        _take(result, judged.path, judged.why, judged.files)
    # Rule 1: lesson series (rules 5 and 7 in a teaching repository).
    children = _children([f for f in listing if f not in result.left_out] if result.left_out else listing)
    kept_folders: list[str] = []  # full projects inside lesson series
    for parent, members, short in _series(children, teaching=result.teaching is not None):
        folders = children[parent]
        projects = [m for m in members if folders[m] and any(project_folder(f) is not None and _near_top(f, _join(parent, m)) for f in _member_files(listing, _join(parent, m), True))]
        # A book's chapters and a course's lectures teach by their very names (`coursework`, rule 5).
        teaching = result.teaching is not None or 2 * sum(1 for m in members if _TAUGHT_BY_NAME.match(m)) > len(members)
        if not teaching and not short and 2 * len(projects) >= len(members):
            continue  # a series of projects (homework projects, a tutorial rebuilding one project each week)
        if teaching:  # a course's capstone keeps its credit (and is no "rest of a course" either)
            kept_folders.extend(_join(parent, m) for m in members if folders[m] and coursework.capstone_name(m))
            members = [m for m in members if not coursework.capstone_name(m)]
            if not members:
                continue
        # Folders inside the lessons that are full projects of their own keep everything below them
        # (in a teaching repository only a capstone or final project does: rule 5).
        full = sorted({folder_of(f) for m in members if folders[m] for f in _member_files(listing, _join(parent, m), True) if f.rsplit("/", 1)[-1] in _FULL_PROJECT_FILES})
        kept = [k for k in full if not teaching or coursework.capstone_name(k[len(parent):])]
        kept_folders.extend(kept)
        inside_kept = tuple(k + "/" for k in kept)
        count = others = 0
        for member in members:
            for rel in _member_files(listing, _join(parent, member), folders[member]):
                if rel in result.left_out or rel.startswith(inside_kept):
                    continue
                if rel.endswith(CODE_SUFFIXES):
                    result.left_out.add(rel)
                    count += 1
                elif is_project_file(rel.rsplit("/", 1)[-1]) or (teaching and not coursework.is_document(rel)):
                    result.left_out.add(rel)  # a lesson's requirements, environment or Makefile are no project's
                    others += 1
        if count:
            example = members[0] + ("/" if folders[members[0]] else "")
            kind = "lesson series" if not short else _SHORT_SERIES
            why = f"{kind}: {len(members)} numbered lessons ({example}...), {len(projects)} with project files of their own"
            if kept:
                why += f"; {len(kept)} full project folder(s) in them kept"
            if len(full) > len(kept):
                why += f"; {len(full) - len(kept)} full project folder(s) in them taken as exercises ({'a teaching repository' if result.teaching else 'chapters or lectures'})"
            result.trees.append(LessonTree(parent, why, count, others))
    _rest_of_a_course(listing, code, result, kept_folders)
    # Rule 10 (`coursework`): a template's placeholder tree (after 1b: a template is no course), and since
    # session 17 the trees of project generators' templates (Copier, Databricks bundle, Backstage, Yeoman,
    # `dotnet new`, Cookiecutter below the root); a generator's manifest at the root is a structural sign.
    generated, generator = coursework.generator_templates(listing, read)
    for judged in coursework.template_trees(listing) + generated:
        _take(result, judged.path, judged.why, judged.files)
    result.trees.sort(key=lambda t: t.path)
    if generator is not None:
        result.signs[STRUCTURE] = generator
    elif (blog := coursework.blog_site(listing)) is not None:
        result.signs[STRUCTURE] = blog
    result.sequence = coursework.numbered_top_level(listing, code)
    if (shown := next((t for t in result.trees if not t.why.startswith((_SHORT_SERIES, coursework.NESTED_TEMPLATE)) and not _PROJECT_DOCS.match(t.path)), None)) is not None:
        result.signs.setdefault(STRUCTURE, f"{shown.path or '(root)'}: {shown.why}")
    return _ruled(_judged(result, whole=False), whole)


def _ruled(result: LearningMaterial, whole: LearningMaterial | None) -> tuple[LearningMaterial, LearningMaterial | None]:
    """Records what the rules alone decided before two signs were asked (the classifier learnt from it)."""
    decided = whole or result
    result.rules_course, result.rules_share = decided.verdict == COURSE, decided.code_share
    return result, whole


def _take(result: LearningMaterial, path: str, why: str, files: Iterable[str]) -> None:
    """Leave out a judged exercise's code and every non-document file of it."""
    taken = [f for f in files if f not in result.left_out and (f.endswith(CODE_SUFFIXES) or not coursework.is_document(f))]
    result.left_out.update(taken)
    code = sum(1 for f in taken if f.endswith(CODE_SUFFIXES))
    result.trees.append(LessonTree(path, why, code, len(taken) - code))


def _judged_taken_whole(result: LearningMaterial, listing: Sequence[str]) -> LearningMaterial:
    """The verdict on a repository taken whole (rules 6, 8, 9, the classifier, the assessor's
    declaration): `course`, unless a capstone or final project kept code of its own (`partly`: that
    project is a learner's system). The repository's own upkeep it kept - root tests, CI, package
    lists - is code too, but it does not make a course any less a course."""
    kept = any(f.endswith(CODE_SUFFIXES) and f not in result.left_out and not coursework.is_repository_upkeep(f) for f in listing)
    result.verdict = PARTLY if kept else COURSE
    return result


def _judged(result: LearningMaterial, *, whole: bool) -> LearningMaterial:
    """The verdict: `course` when a repository-level rule took it or all its code is learning material."""
    if whole or (result.code_total and result.code_files >= result.code_total):
        result.verdict = COURSE
    elif result.left_out:
        result.verdict = PARTLY
    return result


def _rest_of_a_course(listing: Sequence[str], code: list[str], result: LearningMaterial, kept_folders: list[str]) -> None:
    """Rule 1b: a repository whose code is mostly lessons (MOSTLY_LESSONS of it in lesson series),
    with no project of its own outside them (no full project file, no CI), is a course: its other
    code (the lessons' shared helpers, a setup check) is learning material too."""
    if not result.left_out or not code:
        return
    lesson_code = sum(1 for f in code if f in result.left_out)
    kept = tuple(k + "/" for k in kept_folders)
    if lesson_code < MOSTLY_LESSONS * len(code):
        return
    for rel in listing:
        if rel.startswith(kept) or rel in result.left_out:
            continue
        if rel.rsplit("/", 1)[-1] in _FULL_PROJECT_FILES or ci_folder_owner(rel) is not None:
            return  # the repository builds, ships or checks something of its own
    rest = [f for f in code if f not in result.left_out and not f.startswith(kept)]
    if rest:
        result.left_out.update(rest)
        why = f"the rest of a course: {lesson_code} of {len(code)} code files are lessons and nothing outside them is a project"
        result.trees.append(LessonTree("", why, len(rest)))


def summary_part(trees: int, code_files: int) -> str:
    """The console summary's part for learning material ('' when none was left out)."""
    if not code_files:
        return ""
    return f"{code_files:,} Python files and notebooks of {trees:,} learning-material tree(s) (lesson series, course or workshop material)"

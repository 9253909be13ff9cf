"""Train and evaluate the learning-material classifier (`mlops_audit.evidence.repo.teachingmodel`).

Run by hand (the checkouts are not in this repository; scikit-learn is needed here only, never by collect):
    python benchmarks/train_learning_classifier.py [--root /tmp/mlrepos] [--labels FILE] [--out MODEL.json]
                                                   [--report REPORT.json] [--markdown] [--dry-run]

What it learns: `decoy` of each labelled repository (material ABOUT practice: a course, workshop,
book code, tutorial or example collection, template, guide or list) from the features
`teachingmodel.features` computes - the same function, on the same listing and README, that collect
runs (`lessons.classifier_features` on a `RepoIndex` of the checkout, the rules alone deciding).
Only repositories of the `dev` and `spent` splits are read; `heldout` ones are never opened.

How it is judged: **leave one batch out**. Repositories were fetched and labelled in batches (the
`batch` field: 1, 2, ... 9; `7a` and `7b` are batch 7), each chosen apart from the others, so each
batch in turn is judged by a model trained on all the other batches. The threshold is the lowest
probability (in steps of 0.01, at least 0.5) at which no project of any held-out batch would be turned
into learning material - a project that loses real credit is worse than a decoy missed - and the
decoy recall it costs is printed. The name gate (session 11): a repository whose git remote's owner or
name holds a NAME_VOCABULARY word (`reponame`, read as collect reads it) is judged at a second, lower
threshold - the lowest (at least NAME_FLOOR) at which no project so named is flagged, plus the same
margin - and the table counts what the gate catches; a stress test says how many projects would be
flagged had each one been so named. The threshold RULES are then judged nested (session 12,
`nested_rounds`): each round by the thresholds chosen without it, so a rule that one repository moves
shows as a round flagged or with a small gap. Then the model is trained on every dev and spent
repository and written, with its threshold, vocabulary, training summary and the leave-one-batch-out numbers, to
the model file beside the module (rounded floats: the file is deterministic).

Model: logistic regression with a strong L2 penalty (C below) on standardised features: few
enough features (tens) for about 50 decoys and 100 projects, each explainable in a reason line. Only
repositories with at least `teachingmodel.MIN_CODE` code files are judged (the hook asks the model
about those only: with fewer there is little code to leave out, and a tiny real project looks like a
list); the model learns from all of them, but its decisions are counted only where it acts (the
rules did not already say `course`). C, that population, what it learns from and the feature set
were picked by looking at this leave-one-batch-out evaluation (about 40 settings tried), so its
numbers are somewhat optimistic: the next blind batch is the honest test.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_accuracy import DEFAULT_ROOT, checkout_state, git_head  # noqa: E402
from benchmarks.evidence.labels import LABELS_FILE, load_labels  # noqa: E402
from benchmarks.evidence.verdicts import VERDICTS_FILE, load_verdicts  # noqa: E402
from mlops_audit.errors import InputError  # noqa: E402
from mlops_audit.evidence.repo import lessons, reponame, teachingmodel  # noqa: E402
from mlops_audit.evidence.repo.index import RepoIndex  # noqa: E402
from mlops_audit.util.jsonio import write_json  # noqa: E402

TRAIN_SPLITS = ("dev", "spent")
C = 0.1  # inverse L2 strength: strong, for ~130 repositories and 34 features
DIGITS = 6  # rounding of the model's floats
CLIP = 3.0  # standardised values are clipped to [-CLIP, CLIP] (in training and in collect)
REPORT_FILE = Path(__file__).resolve().parent / "evidence" / "learning_classifier_report.json"
# The test suite's trees where a practice must pass (tests/repo/fixtures/<detector>/pass-*): the model
# must flag none the rules do not already judge a course - they are the near misses written down as
# specifications (a project with tutorial examples, a labs-shaped service...), out of the labelled set.
PASS_FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "repo" / "fixtures"

# README word groups (letters only, lower case): each group is one feature, log1p of its words' count.
VOCABULARY: dict[str, list[str]] = {
    "course": ["course", "courses", "workshop", "workshops", "bootcamp", "curriculum", "syllabus", "zoomcamp", "mooc", "nanodegree", "class", "classes", "instructor", "instructors", "semester", "cohort",
               "curso", "cursos", "kurs", "kurse", "cours", "taller", "instructora", "aprende"],
    "units": ["lesson", "lessons", "lecture", "lectures", "week", "weeks", "module", "modules", "chapter", "chapters", "unit", "units", "session", "sessions", "day", "days"],
    "exercises": ["exercise", "exercises", "homework", "homeworks", "assignment", "assignments", "lab", "labs", "quiz", "quizzes", "solution", "solutions", "practice"],
    "learners": ["learn", "learner", "learners", "student", "students", "participants", "attendees", "beginner", "beginners", "teach", "teaching"],
    "tutorial": ["tutorial", "tutorials", "guide", "guides", "walkthrough", "introduction", "hands"],
    "book": ["book", "books", "edition", "publisher", "packt", "reilly", "manning", "isbn", "author", "authors"],
    "template": ["template", "templates", "cookiecutter", "boilerplate", "scaffold", "scaffolding", "skeleton", "starter"],
    "examples": ["example", "examples", "demo", "demos", "sample", "samples", "showcase", "notebook", "notebooks", "playground"],
    "lists": ["awesome", "curated", "list", "resources", "papers", "links", "notes", "articles", "blog", "talks", "slides"],
    "operations": ["production", "deployed", "users", "customers", "clients", "business", "stakeholders", "company", "latency", "uptime"],
    "team": ["our", "we", "team", "us", "ours"],
    "system": ["system", "platform", "service", "services", "api", "endpoint", "endpoints", "app", "application"],
}
# Words of a repository's owner or name (its git remote: `reponame`) that say what it is as material
# (session 11): example and sample collections (`mlflow-examples`, `aws-samples`),
# workshops and tutorials (`azureml-workshop`, `hands-on-...`, `MLOps-Basics`, `mlops-101`), templates
# and starters (`dvc-template`, `cookiecutter-pyml`, `kedro-starters`, `fastapi-ml-skeleton`), books and
# their kin (`handbook`, `playbook`, `cookbook`). Course words are left out on purpose: a course's
# organisation also holds its students' own projects (`<course-org>/<team>-project`), and the
# README and the tree already say "course" where it is one. Each word is whole (`examples`, never
# `examplesys`); two neighbours are joined (`hands-on` -> `handson`). Left out because labelled teams'
# systems carry them: `demo` (batch 17: one person's live camera system named `mlops-demo`, whose
# README calls it "a small AI demo", p=0.77 - with `demo` in the list the trainer found no safe gate)
# and `showcase` (`ibombonato/mlops-showcase`); and `book` (session 12, batch 19: a team's
# `book-recommendation-platform` - books are the domain of recommenders, stores and booking systems; the
# labelled decoys named `*-book` are all taken by their READMEs' words already).
NAME_VOCABULARY: list[str] = [
    "example", "examples", "sample", "samples",
    "tutorial", "tutorials", "workshop", "workshops", "handson", "walkthrough", "basics", "101", "bootcamp",
    "template", "templates", "cookiecutter", "starter", "starters", "skeleton", "boilerplate", "scaffold",
    "handbook", "playbook", "cookbook", "recipes", "notebooks", "exercises", "cheatsheet", "cheatsheets",
]


@dataclass(frozen=True)
class Row:
    repo: str
    batch: str  # the labelling round: "7" for 7a and 7b, "12v" for the verdict batches 12va, 12vb...
    decoy: bool
    rules_course: bool  # the rules alone already judged the repository `course`
    values: dict[str, float]
    named: bool = False  # its remote's owner or name holds a NAME_VOCABULARY word (`reponame`)


def feature_names() -> list[str]:
    return [*teachingmodel.LISTING_FEATURES, *teachingmodel.README_FEATURES, *teachingmodel.RULE_FEATURES, *(teachingmodel.WORDS_PREFIX + g for g in VOCABULARY)]


class RulesOnlyIndex(RepoIndex):
    """A `RepoIndex` whose learning-material decision is the rules' alone (the model being trained
    must not judge the repositories it learns from)."""

    classify_learning_material = False


def batch_group(batch: str | None, where: str) -> str:
    """The round a batch belongs to: its number, with `v` for verdict batches (7a -> 7, 12va -> 12v)."""
    if batch is None or (m := re.match(r"\d+v?", batch)) is None:
        raise InputError(f"{where}: no batch number (the committed labels must give one)")
    return m.group()


def extract(root: Path, labels_path: Path, verdicts_path: Path | None = VERDICTS_FILE) -> tuple[list[Row], list[str]]:
    """(one row per dev/spent repository with a checkout, the repositories skipped and why): the fully
    labelled ones and, when a verdicts file is given, the spent verdicts that are not uncertain."""
    labels = load_labels(labels_path)
    chosen: list[tuple[str, str, bool, object]] = [
        (r.repo, batch_group(r.batch, f"{labels_path}: {r.repo}"), r.decoy, r) for r in labels.repos if r.split in TRAIN_SPLITS  # held out: never opened
    ]
    if verdicts_path is not None and verdicts_path.exists():
        verdicts = load_verdicts(verdicts_path, labelled={r.repo for r in labels.repos})
        chosen += [(v.repo, batch_group(v.batch, f"{verdicts_path}: {v.repo}"), v.decoy, v) for v in verdicts.repos if v.split in TRAIN_SPLITS and not v.uncertain]
    rows: list[Row] = []
    skipped: list[str] = []
    for name, batch, decoy, repo in chosen:
        folder, reason, _ = checkout_state(repo, root, git_head)  # type: ignore[arg-type]
        if folder is None:
            skipped.append(f"{name}: {(reason or '').replace(str(root), 'ROOT')}")  # no path of this machine in the report
            continue
        index = RulesOnlyIndex(folder, count_learning_material=True)
        try:
            ruled = index.stats.learning
            if ruled.code_total < teachingmodel.MIN_CODE:
                skipped.append(f"{name}: {ruled.code_total} code files (the model judges {teachingmodel.MIN_CODE} or more)")
                continue
            found = lessons.classifier_features(index.files, index.read_bytes, ruled, VOCABULARY)
        finally:
            index.close()
        # the remote's owner and name, read as collect reads them: the checkout's origin must be its
        # public URL (a clone of a local mirror gives a name only, and the model would learn from that)
        names = reponame.repository_names(folder)
        if tuple(n.lower() for n in names) != tuple(name.lower().split("/")):
            raise InputError(
                f"{name}: the checkout's origin gives the name {'/'.join(names) or '(none)'}, expected {name} "
                f"(set it: git -C ROOT/{repo.checkout_name} remote set-url origin https://github.com/{name})"  # type: ignore[attr-defined]
            )
        named = bool(reponame.name_words(names) & set(NAME_VOCABULARY))
        # `rules_course`: what the rules alone said before session 13's two signs (what the model learnt from, and kept)
        rows.append(Row(name, batch, decoy, ruled.rules_course, {k: f.value for k, f in found.items()}, named))
    return sorted(rows, key=lambda r: r.repo.lower()), skipped


def pass_fixture_rows() -> list[Row]:
    """One row per pass fixture the model would be asked about (enough code, not a course by the rules)."""
    rows = []
    for folder in sorted(PASS_FIXTURES.glob("*/pass*")):
        if not folder.is_dir():
            continue
        index = RulesOnlyIndex(folder, count_learning_material=True)
        try:
            ruled = index.stats.learning
            if ruled.code_total < teachingmodel.MIN_CODE or ruled.rules_course:
                continue
            found = lessons.classifier_features(index.files, index.read_bytes, ruled, VOCABULARY)
        finally:
            index.close()
        rows.append(Row(f"{folder.parent.name}/{folder.name}", "0", False, False, {k: f.value for k, f in found.items()}))
    return rows


def fit(rows: Sequence[Row], names: list[str]) -> teachingmodel.TeachingModel:
    """Logistic regression on standardised features, as a model file (threshold 0.5 until chosen)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.array([[r.values[n] for n in names] for r in rows], dtype=float)
    y = np.array([int(r.decoy) for r in rows])
    means = np.round(x.mean(axis=0), DIGITS)
    std = x.std(axis=0)
    scales = np.round(np.where(std > 1e-9, std, 1.0), DIGITS)
    scales = np.where(scales > 0, scales, 1.0)
    z = np.clip((x - means) / scales, -CLIP, CLIP)
    clf = LogisticRegression(C=C, max_iter=10_000).fit(z, y)
    weights = [
        {"name": n, "mean": float(means[i]), "scale": float(scales[i]), "coef": round(float(clf.coef_[0][i]), DIGITS)} for i, n in enumerate(names)
    ]
    return teachingmodel.TeachingModel.model_validate(
        {
            "format": teachingmodel.FORMAT, "features": weights, "intercept": round(float(clf.intercept_[0]), DIGITS), "threshold": 0.5, "clip": CLIP,
            "vocabulary": VOCABULARY, "training": {},
        }
    )


def probability(model: teachingmodel.TeachingModel, row: Row) -> float:
    """The module's own inference (what collect computes) on a row's values."""
    found = {n: teachingmodel.Feature(v, "") for n, v in row.values.items()}
    return teachingmodel.judge(model, found).probability


def learnt_from(rows: Sequence[Row]) -> list[Row]:
    """The repositories a model learns from: all of them (those the rules judged `course` too: they
    teach the model what a course looks like), but it is judged only where it acts."""
    return list(rows)


def leave_one_batch_out(rows: Sequence[Row], names: list[str]) -> dict[str, float]:
    """repo -> probability from the model trained without the repository's batch."""
    out: dict[str, float] = {}
    for batch in sorted({r.batch for r in rows}):
        model = fit(learnt_from([r for r in rows if r.batch != batch]), names)
        for row in rows:
            if row.batch == batch:
                out[row.repo] = probability(model, row)
    return out


# Room above the most course-like project seen: a threshold at the edge of what training saw would flag
# the next project that looks a little more like a course (a flagged project loses real credit). Chosen
# in session 8, after the relabelled set put the highest project at p=0.507 in leave-one-batch-out.
MARGIN = 0.10


def choose_threshold(rows: Sequence[Row], oof: dict[str, float], final: teachingmodel.TeachingModel, fixtures: Sequence[Row] = ()) -> float:
    """The lowest threshold (steps of 0.01, at least 0.5) at which no project the rules did not
    already judge `course` is flagged - neither in leave-one-batch-out nor by the final model - plus
    MARGIN; and above every pass fixture of the test suite (the final model flags none); never below
    `teachingmodel.THRESHOLD_FLOOR` (session 13)."""
    projects = [r for r in rows if not r.decoy and not r.rules_course]
    highest = max([oof[r.repo] for r in projects] + [probability(final, r) for r in projects], default=0.0)
    fixture_highest = max((probability(final, r) for r in fixtures), default=0.0)
    # never below the floor collect acts at (session 13): one training project must not lower it
    return round(max(max(0.5, math.floor(highest * 100 + 1) / 100) + MARGIN, math.floor(fixture_highest * 100 + 1) / 100, teachingmodel.THRESHOLD_FLOOR), 2)


# A name alone never decides: a repository named as material is judged material only when its files
# give at least even odds (see teachingmodel, "The name"); below that floor the name threshold is never set.
NAME_FLOOR = 0.5


def choose_name_threshold(rows: Sequence[Row], oof: dict[str, float], final: teachingmodel.TeachingModel, threshold: float) -> float | None:
    """The threshold for a repository whose remote's name says material: the lowest (steps of 0.01,
    at least NAME_FLOOR) at which no project so named (the rules not saying `course`) is flagged -
    neither in leave-one-batch-out nor by the final model - plus MARGIN; None (no name gate) when that
    reaches `threshold`."""
    named = [r for r in rows if r.named and not r.decoy and not r.rules_course]
    highest = max([oof[r.repo] for r in named] + [probability(final, r) for r in named], default=0.0)
    chosen = max(NAME_FLOOR, round(math.floor(highest * 100 + 1) / 100 + MARGIN, 2))
    return chosen if chosen < threshold else None


def is_flagged(row: Row, p: float, threshold: float, name_threshold: float | None) -> bool:
    """Whether the model (not the rules) turns this repository into learning material."""
    return not row.rules_course and (p >= threshold or (row.named and name_threshold is not None and p >= name_threshold))


def nested_rounds(rows: Sequence[Row], names: list[str], fixtures: Sequence[Row] = ()) -> list[dict[str, object]]:
    """The threshold RULES judged on rounds they never saw (session 12): for each round in turn, the
    whole choice - an inner leave-one-round-out on the other rounds, a model trained on all of them,
    `choose_threshold` and `choose_name_threshold` - is made without it, then applied to it. What a
    threshold chosen on the training data alone cannot say: whether the rule flags the next round's
    projects, and how far the threshold moves with the rounds (one repository moved it 0.80 -> 0.88 in
    session 11). One row per round: the thresholds chosen without it, its decoys caught and projects
    flagged, and the gap between the threshold and its most course-like project (negative: flagged)."""
    out: list[dict[str, object]] = []
    for batch in sorted({r.batch for r in rows}):
        train = [r for r in rows if r.batch != batch]
        if len({r.batch for r in train}) < 2:
            continue
        inner = leave_one_batch_out(train, names)
        model = fit(learnt_from(train), names)
        threshold = choose_threshold(train, inner, model, fixtures)  # 1 or more: the rule flags nothing
        name_threshold = choose_name_threshold(train, inner, model, threshold)
        judged = [(r, probability(model, r)) for r in rows if r.batch == batch]
        decoys = [(r, p) for r, p in judged if r.decoy]
        projects = [p for r, p in judged if not r.decoy and not r.rules_course]
        out.append({
            "batch": batch,
            "threshold": threshold,
            "name_threshold": name_threshold,
            "decoys": len(decoys),
            "decoys_caught": sum(1 for r, p in decoys if r.rules_course or is_flagged(r, p, threshold, name_threshold)),
            "projects": sum(1 for r, _ in judged if not r.decoy),
            "projects_flagged": sum(1 for r, p in judged if not r.decoy and is_flagged(r, p, threshold, name_threshold)),
            "gap": round(threshold - max(projects), 3) if projects else None,
        })
    return out


def batch_table(rows: Sequence[Row], oof: dict[str, float], threshold: float, name_threshold: float | None = None) -> list[teachingmodel.BatchResult]:
    table = []
    for batch in sorted({r.batch for r in rows}):
        group = [r for r in rows if r.batch == batch]
        decoys = [r for r in group if r.decoy]
        projects = [r for r in group if not r.decoy]
        table.append(
            teachingmodel.BatchResult(
                batch=batch,
                repositories=len(group),
                decoys=len(decoys),
                decoys_caught=sum(1 for r in decoys if r.rules_course or is_flagged(r, oof[r.repo], threshold, name_threshold)),
                decoys_caught_by_rules=sum(1 for r in decoys if r.rules_course),
                decoys_caught_by_name=sum(1 for r in decoys if is_flagged(r, oof[r.repo], threshold, name_threshold) and not is_flagged(r, oof[r.repo], threshold, None)),
                projects=len(projects),
                projects_flagged=sum(1 for r in projects if is_flagged(r, oof[r.repo], threshold, name_threshold)),
                highest_project_probability=max((oof[r.repo] for r in projects if not r.rules_course), default=None),
            )
        )
    return table


def sweep(rows: Sequence[Row], oof: dict[str, float]) -> list[dict[str, float | int]]:
    """Decoys caught and projects flagged (beyond the rules) at a few thresholds, the name ignored."""
    out = []
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        out.append({
            "threshold": t,
            "decoys_caught": sum(1 for r in rows if r.decoy and (r.rules_course or oof[r.repo] >= t)),
            "projects_flagged": sum(1 for r in rows if not r.decoy and not r.rules_course and oof[r.repo] >= t),
        })
    return out


def name_sweep(rows: Sequence[Row], oof: dict[str, float], threshold: float) -> list[dict[str, float | int]]:
    """At a few name thresholds (the other at `threshold`): decoys caught, projects so named flagged,
    and a stress test - projects that would be flagged if each one's remote were named as material
    (a team's `churn-template`): what the gate costs the teams whose systems carry such a name."""
    out = []
    projects = [r for r in rows if not r.decoy and not r.rules_course]
    for t in (0.3, 0.4, 0.5, 0.6, 0.7):
        out.append({
            "name_threshold": t,
            "decoys_caught": sum(1 for r in rows if r.decoy and (r.rules_course or is_flagged(r, oof[r.repo], threshold, t))),
            "named_projects_flagged": sum(1 for r in projects if is_flagged(r, oof[r.repo], threshold, t)),
            "projects_flagged_if_named": sum(1 for r in projects if oof[r.repo] >= min(t, threshold)),
        })
    return out


def render(rows: Sequence[Row], oof: dict[str, float], thresholds: tuple[float, float | None], table: list[teachingmodel.BatchResult], final: teachingmodel.TeachingModel, skipped: list[str]) -> str:
    threshold, name_threshold = thresholds
    decoys = [r for r in rows if r.decoy]
    named = "none" if name_threshold is None else f"{name_threshold:.2f}"
    lines = [f"{len(rows)} repositories (dev + spent): {len(decoys)} decoys, {len(rows) - len(decoys)} projects; C={C}; threshold {threshold:.2f}, named as material {named}"]
    lines += [f"  skipped {s}" for s in skipped]
    lines.append("")
    lines.append(render_markdown(table, rows, oof, thresholds))
    lines.append("\nleave-one-batch-out probabilities (dev and spent only):")
    for r in sorted(rows, key=lambda r: (not r.decoy, -oof[r.repo])):
        mark = "rules:course" if r.rules_course else ("FLAGGED" if is_flagged(r, oof[r.repo], threshold, name_threshold) else "")
        lines.append(f"  {'decoy  ' if r.decoy else 'project'} b{r.batch:<3} p={oof[r.repo]:.3f} {'named' if r.named else '     '} {mark:<12} {r.repo}")
    lines.append("\nfinal model (trained on all), largest coefficients:")
    for w in sorted(final.features, key=lambda w: -abs(w.coef))[:12]:
        lines.append(f"  {w.coef:+.3f}  {w.name}")
    return "\n".join(lines)


def render_markdown(table: list[teachingmodel.BatchResult], rows: Sequence[Row], oof: dict[str, float], thresholds: tuple[float, float | None]) -> str:
    threshold, name_threshold = thresholds
    named = "" if name_threshold is None else f", {name_threshold:.2f} when named as material"
    lines = [
        f"| held-out batch | repositories | decoys | caught by the rules | caught in all (threshold {threshold:.2f}{named}) | of them by the name | missed | projects | projects flagged | highest project p |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for b in table:
        high = "-" if b.highest_project_probability is None else f"{b.highest_project_probability:.3f}"
        lines.append(
            f"| {b.batch} | {b.repositories} | {b.decoys} | {b.decoys_caught_by_rules} | {b.decoys_caught} | {b.decoys_caught_by_name} | {b.decoys - b.decoys_caught} | {b.projects} | {b.projects_flagged} | {high} |"
        )
    n_decoys = sum(b.decoys for b in table)
    lines.append(
        f"| **all** | {sum(b.repositories for b in table)} | {n_decoys} | {sum(b.decoys_caught_by_rules for b in table)} | {sum(b.decoys_caught for b in table)} | "
        f"{sum(b.decoys_caught_by_name for b in table)} | {n_decoys - sum(b.decoys_caught for b in table)} | {sum(b.projects for b in table)} | {sum(b.projects_flagged for b in table)} | |"
    )
    lines += ["", "| threshold (name ignored) | decoys caught (rules or model) | projects flagged by the model |", "|---|---|---|"]
    lines += [f"| {s['threshold']:.2f} | {s['decoys_caught']} of {n_decoys} | {s['projects_flagged']} |" for s in sweep(rows, oof)]
    lines += [
        "", f"| threshold when named as material (else {threshold:.2f}) | decoys caught | projects so named flagged | projects flagged if each were so named |", "|---|---|---|---|",
    ]
    lines += [
        f"| {s['name_threshold']:.2f} | {s['decoys_caught']} of {n_decoys} | {s['named_projects_flagged']} | {s['projects_flagged_if_named']} |" for s in name_sweep(rows, oof, threshold)
    ]
    return "\n".join(lines)


def render_nested(nested: Sequence[dict[str, object]]) -> str:
    """The nested evaluation as a Markdown table: each round judged by thresholds chosen without it."""
    lines = [
        "| round judged | threshold chosen without it | named as material | decoys caught | projects flagged | gap to its most course-like project |",
        "|---|---|---|---|---|---|",
    ]
    for n in nested:
        named = "none" if n["name_threshold"] is None else f"{n['name_threshold']:.2f}"
        gap = "-" if n["gap"] is None else f"{n['gap']:+.3f}"
        lines.append(f"| {n['batch']} | {n['threshold']:.2f} | {named} | {n['decoys_caught']} of {n['decoys']} | {n['projects_flagged']} of {n['projects']} | {gap} |")
    caught, decoys = sum(int(n["decoys_caught"]) for n in nested), sum(int(n["decoys"]) for n in nested)  # type: ignore[call-overload]
    flagged, projects = sum(int(n["projects_flagged"]) for n in nested), sum(int(n["projects"]) for n in nested)  # type: ignore[call-overload]
    lines.append(f"| **all** | | | {caught} of {decoys} | {flagged} of {projects} | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="folder holding the checkouts as OWNER+NAME (default %(default)s)")
    parser.add_argument("--labels", type=Path, default=LABELS_FILE, help="labels file (default: benchmarks/evidence/labels.yaml)")
    parser.add_argument("--verdicts", type=Path, default=VERDICTS_FILE, help="decoy-or-not verdicts; its spent ones are learnt from too (default: benchmarks/evidence/verdicts.yaml)")
    parser.add_argument("--out", type=Path, default=teachingmodel.MODEL_FILE, help="model file to write (default: beside the module)")
    parser.add_argument("--report", type=Path, default=REPORT_FILE, help="the evaluation as JSON, for the docs (default %(default)s)")
    parser.add_argument("--markdown", action="store_true", help="print only the Markdown tables for docs/benchmarks.md")
    parser.add_argument("--dry-run", action="store_true", help="evaluate and print; write nothing")
    args = parser.parse_args(argv)
    try:
        rows, skipped = extract(args.root, args.labels, args.verdicts)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if len({r.batch for r in rows}) < 2 or not any(r.decoy for r in rows) or all(r.decoy for r in rows):
        print(f"error: too few checkouts under {args.root} to train (need decoys and projects from 2 batches or more)", file=sys.stderr)
        return 2
    names = feature_names()
    oof = leave_one_batch_out(rows, names)
    final = fit(learnt_from(rows), names)
    fixtures = pass_fixture_rows()
    threshold = choose_threshold(rows, oof, final, fixtures)
    if threshold >= 1.0:
        print(f"error: no threshold below 1 flags no project (the rule gives {threshold:.2f}): the model cannot tell these projects from decoys; nothing written", file=sys.stderr)
        return 2
    name_threshold = choose_name_threshold(rows, oof, final, threshold)
    table = batch_table(rows, oof, threshold, name_threshold)
    nested = nested_rounds(rows, names, fixtures)
    gaps = [float(n["gap"]) for n in nested if n["gap"] is not None]  # type: ignore[arg-type]
    decoys = [r for r in rows if r.decoy]
    caught = sum(1 for r in decoys if r.rules_course or is_flagged(r, oof[r.repo], threshold, name_threshold))
    projects = [r for r in rows if not r.decoy and not r.rules_course]
    training = {
        "repositories": len(rows),
        "learnt_from": len(learnt_from(rows)),
        "decoys": len(decoys),
        "projects": len(rows) - len(decoys),
        "splits": "dev+spent",
        "batches": len({r.batch for r in rows}),
        "model": f"logistic regression, standardised features, L2 C={C}",
        "threshold_rule": f"lowest threshold (>= 0.5, steps of 0.01) flagging no project, in leave-one-batch-out and in sample, plus a margin of {MARGIN:.2f}; and above every pass fixture of the test suite",
        "name_threshold_rule": f"for a repository whose remote's owner or name holds a name_vocabulary word: the lowest threshold (>= {NAME_FLOOR:.2f}, steps of 0.01) flagging no project so named, in leave-one-batch-out and in sample, plus {MARGIN:.2f}",
        "pass_fixtures_judged": len(fixtures),
        "pass_fixture_highest_p": round(max((probability(final, r) for r in fixtures), default=0.0), 3),
        "lobo_decoys_caught": caught,
        "lobo_decoys_caught_by_rules": sum(1 for r in decoys if r.rules_course),
        "lobo_decoys_caught_by_name": sum(b.decoys_caught_by_name for b in table),
        "lobo_projects_flagged": sum(b.projects_flagged for b in table),
        "in_sample_projects_flagged": sum(1 for r in projects if is_flagged(r, probability(final, r), threshold, name_threshold)),
        "named_projects": sum(1 for r in projects if r.named),
        "named_decoys": sum(1 for r in decoys if r.named),
        "nested_rule": "each round judged by the thresholds the rules above choose without it (inner leave-one-round-out on the other rounds)",
        "nested_decoys_caught": sum(int(n["decoys_caught"]) for n in nested),  # type: ignore[call-overload]
        "nested_projects_flagged": sum(int(n["projects_flagged"]) for n in nested),  # type: ignore[call-overload]
        "nested_threshold_min": min(float(n["threshold"]) for n in nested),  # type: ignore[arg-type]
        "nested_threshold_max": max(float(n["threshold"]) for n in nested),  # type: ignore[arg-type]
        "nested_smallest_gap": round(min(gaps), 3) if gaps else 0.0,
    }
    if name_threshold is not None:  # the stress test: every project named as material
        training["lobo_projects_flagged_if_named"] = sum(1 for r in projects if oof[r.repo] >= name_threshold)
        training["in_sample_projects_flagged_if_named"] = sum(1 for r in projects if probability(final, r) >= name_threshold)
    update = {"threshold": threshold, "training": training, "lobo": table, "name_vocabulary": NAME_VOCABULARY if name_threshold is not None else [], "name_threshold": name_threshold}
    model = final.model_copy(update=update)
    model = teachingmodel.TeachingModel.model_validate(model.model_dump())
    if args.markdown:
        print(render_markdown(table, rows, oof, (threshold, name_threshold)))
    else:
        print(render(rows, oof, (threshold, name_threshold), table, model, skipped))
    print("\n" + render_nested(nested))
    if not args.dry_run:
        write_json(args.out, model.model_dump(mode="json"))
        report = {
            "threshold": threshold,
            "name_threshold": name_threshold,
            "training": training,
            "lobo": [b.model_dump(mode="json") for b in table],
            "sweep": sweep(rows, oof),
            "name_sweep": name_sweep(rows, oof, threshold),
            "nested": nested,
            "probabilities": {r.repo: {"batch": r.batch, "decoy": r.decoy, "rules_course": r.rules_course, "named": r.named, "p": oof[r.repo]} for r in rows},
            "skipped": skipped,
        }
        write_json(args.report, report)
        print(f"\nwrote {args.out} and {args.report}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

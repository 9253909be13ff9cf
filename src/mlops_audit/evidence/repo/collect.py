"""Collect evidence from a repository: build the index once, run every detector, map to criteria."""

from __future__ import annotations

import dataclasses
import os
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from mlops_audit import __version__
from mlops_audit.errors import InputError
from mlops_audit.evidence.repo.declared import hints_by_kind
from mlops_audit.evidence.repo.detectors._python import judging
from mlops_audit.evidence.repo.filecache import ParseCache
from mlops_audit.evidence.repo.gcpause import fewer_collections
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import (
    CollectionResult,
    CollectionStats,
    DocumentationTree,
    Finding,
    FindingOutcome,
    LearningMaterialVerdict,
    LearningTree,
    Location,
    NotProjectCode,
)
from mlops_audit.evidence.repo.progress import Progress
from mlops_audit.evidence.repo.rulememo import RuleMemo
from mlops_audit.evidence.repo.thirdparty import MAX_LISTED_FOLDERS
from mlops_audit.evidence.repo.registry import (
    Detector,
    Observation,
    all_detectors,
    all_needles,
    all_words,
)
from mlops_audit.rubric.loader import LoadedRubric


def criteria_by_detector(loaded: LoadedRubric) -> dict[str, list[str]]:
    """detector id -> ids of the criteria that cite it. The rubric is the one source of this link."""
    mapping: dict[str, list[str]] = defaultdict(list)
    for _, _, criterion in loaded.rubric.criteria():
        for detector_id in criterion.detectors:
            mapping[detector_id].append(criterion.id)
    return {k: sorted(set(v)) for k, v in mapping.items()}


def run_detector(det: Detector, index: RepoIndex) -> Observation:
    """Run one detector; a crash becomes an `error` outcome instead of ending the scan. The cyclic
    garbage collector runs less often meanwhile (`gcpause`: syntax trees are many objects, no cycles)."""
    refused_before = index.parse_budget_refusals
    try:
        with fewer_collections(), judging(index):  # `testing/` folders are tests by what they hold (`_python.is_test_path`)
            evidence = det.run(index)
        if not isinstance(evidence, Observation):
            raise TypeError(f"returned {type(evidence).__name__}, not Observation")
        if evidence.outcome is FindingOutcome.fail and index.parse_budget_refusals > refused_before:
            # Files it needed went unparsed: "not found" would be a guess.
            return Observation.not_applicable(
                f"the tree is too large to inspect in full: files this detector needed were not parsed once the "
                f"parsing budget was spent, and nothing was found in those that were ({evidence.message})"
            )
        # Positions in notebooks (code cell, line) become lines of the .ipynb file.
        located = tuple(loc if loc.line is None else Location(path=loc.path, line=index.file_line(loc.path, loc.line)) for loc in evidence.locations)
        return dataclasses.replace(evidence, locations=located) if located != evidence.locations else evidence
    except Exception as exc:  # noqa: BLE001 - any detector bug must not stop the other detectors
        return Observation(FindingOutcome.error, f"detector crashed: {type(exc).__name__}: {exc}")


def execution_order(det: Detector) -> tuple[bool, bool]:
    """Detectors that need neither whole-tree scan run first, while a background scan (if the tree
    is large enough for one) reads the Python and YAML files; those reading git history run last,
    while `git log` runs in the background. Findings keep the registry's order whatever this is."""
    return det.reads_history, bool(det.needles or det.words)


def to_finding(det: Detector, evidence: Observation, criteria: Iterable[str], hints: Iterable[str] = ()) -> Finding:
    return Finding(
        detector=det.id,
        kind=det.kind,
        outcome=evidence.outcome,
        title=det.title,
        locations=list(evidence.locations),
        criteria=list(criteria),
        confidence=evidence.confidence or det.confidence,
        message=evidence.message,
        hints=list(hints),
    )


def build_index(
    repo_path: str | os.PathLike[str],
    *,
    now: datetime | None = None,
    parse_cache: ParseCache | None = None,
    count_learning_material: bool = False,
    declared_learning_material: bool = False,
    rule_memo: bool = False,
) -> RepoIndex:
    return RepoIndex(
        repo_path, needles=all_needles(), words=all_words(), now=now, parse_cache=parse_cache,
        count_learning_material=count_learning_material, declared_learning_material=declared_learning_material,
        rule_memo=rule_memo,
    )


def not_project_code(index: RepoIndex) -> NotProjectCode:
    """The collection's account of what the index left out as other people's code."""
    installed = index.stats.installed
    documentation = index.stats.documentation
    folders = sorted(d.metadata for d in installed.distributions) + sorted(index.stats.vendored)
    return NotProjectCode(
        installed_distributions=len(installed.distributions),
        installed_files=len(installed.left_out),
        installed_python_files=installed.python_files,
        vendored_folders=len(index.stats.vendored),
        folders=folders[:MAX_LISTED_FOLDERS],
        documentation_code_files=len(documentation.left_out),
        documentation_trees=[
            DocumentationTree(path=t.path, config=t.config, why=t.why, code_files=t.code_files) for t in documentation.trees[:MAX_LISTED_FOLDERS]
        ],
        learning_code_files=index.stats.learning.code_files,
        learning_trees=[
            LearningTree(path=t.path, why=t.why, code_files=t.code_files, other_files=t.other_files) for t in index.stats.learning.trees[:MAX_LISTED_FOLDERS]
        ],
    )


def learning_verdict(index: RepoIndex) -> LearningMaterialVerdict:
    """The repository-level verdict on learning material (`lessons`), with the override recorded."""
    from mlops_audit.evidence.repo.learning import verdict

    return verdict(index.stats.learning, counted=index.count_learning_material)


def collect(
    repo_path: str | os.PathLike[str],
    *,
    rubric: LoadedRubric | None = None,
    now: datetime | None = None,
    detectors: list[Detector] | None = None,
    parse_cache: ParseCache | None = None,
    count_learning_material: bool = False,
    declared_learning_material: bool = False,
    rule_memo: bool = True,
) -> CollectionResult:
    """Scan one repository. `rubric` defaults to the bundled one; `now` ends the git activity windows;
    `parse_cache` keeps Python summaries between runs (it never changes the result);
    `count_learning_material`: keep lessons and exercises as project code (the verdict is still reported).
    `declared_learning_material`: the assessor says the repository is learning material (`lessons.find_learning_material`).
    `rule_memo`: with `parse_cache`, rules whose questions get the answers they got before are not run again (`rulememo`)."""
    # The collector's threshold comes back only once the index is gone: the syntax trees, summaries and
    # documents it holds (hundreds of thousands of objects, no cycles) are freed by reference counting,
    # so the young collection that follows does not walk them all once more (`gcpause`).
    with fewer_collections():
        return collect_with_index(
            repo_path, rubric=rubric, now=now, detectors=detectors, parse_cache=parse_cache, count_learning_material=count_learning_material,
            declared_learning_material=declared_learning_material, rule_memo=rule_memo,
        )[0]


def collect_with_index(
    repo_path: str | os.PathLike[str],
    *,
    rubric: LoadedRubric | None = None,
    now: datetime | None = None,
    detectors: list[Detector] | None = None,
    progress: Progress | None = None,
    parse_cache: ParseCache | None = None,
    count_learning_material: bool = False,
    declared_learning_material: bool = False,
    rule_memo: bool = True,
) -> tuple[CollectionResult, RepoIndex]:
    """`collect`, also returning the index (its listing pins file-less SARIF results to a real file).
    `progress`: told what is being done between steps (the CLI's terminal progress line).
    `rule_memo`: with a parse cache, reuse rules' stored results while their questions get the same answers (`rulememo`)."""
    if rubric is None:
        from mlops_audit.rubric.loader import default_rubric

        rubric = default_rubric()
    mapping = criteria_by_detector(rubric)
    if count_learning_material and declared_learning_material:
        raise InputError("--count-learning-material counts lessons as the project's code, --learning-material declares the whole repository lessons: choose one")
    use_memo = parse_cache is not None and rule_memo
    index = build_index(
        repo_path, now=now, parse_cache=parse_cache, count_learning_material=count_learning_material,
        declared_learning_material=declared_learning_material, rule_memo=use_memo,
    )
    chosen = detectors or all_detectors()
    memo = RuleMemo(parse_cache, index) if use_memo else None
    observations = {}
    with fewer_collections():  # once for all detectors: no young collection of what each left behind
        for number, det in enumerate(sorted(chosen, key=execution_order), start=1):
            if progress is not None:
                progress.update(f"collect: {index.stats.files_listed} files listed; detector {number}/{len(chosen)} ({det.id}); {index.stats.files_read} files read")
            observations[det.id] = memo.observe(det, index, run_detector) if memo is not None else run_detector(det, index)
    if progress is not None:
        progress.done()
    judged = learning_verdict(index)
    if not count_learning_material:
        from mlops_audit.evidence.repo.learning import note_learning_evidence, set_aside_in_learning_material

        if index.stats.learning.left_out:
            # Nothing is dropped silently: a practice found only in learning material says so.
            note_learning_evidence(chosen, observations, index, index.learning_only, run_detector, judged)
        set_aside_in_learning_material(chosen, observations, judged)
    from mlops_audit.evidence.repo.library import judge, set_aside_library_features

    # A published library's package features are not practice (docs/libraries.md).
    set_aside_library_features(chosen, observations, judge(index))
    if parse_cache is not None:
        parse_cache.flush()  # entries of new summaries, and of cached ones that gained per-file facts
    hints = hints_by_kind(index)
    if memo is not None and not memo.finish(index):
        # A replayed rule's result might not be what running it gives (`RepoIndex.memo_safe`): again without the memo.
        index.close()
        return collect_with_index(
            repo_path, rubric=rubric, now=now, detectors=detectors, progress=progress, parse_cache=parse_cache,
            count_learning_material=count_learning_material, declared_learning_material=declared_learning_material, rule_memo=False,
        )
    # Hints only where the detector did not find the practice: a declared package is never evidence.
    findings = [
        to_finding(det, observations[det.id], mapping.get(det.id, []), () if observations[det.id].outcome is FindingOutcome.pass_ else hints.get(det.kind, ()))
        for det in chosen
    ]
    stats = index.stats
    result = CollectionResult(
        repo=Path(repo_path).resolve().name,
        tool_version=__version__,
        rubric=rubric.ref,
        findings=findings,
        git=index.git_signals(),
        stats=CollectionStats(
            listing=stats.listing,
            listing_note=stats.listing_note,
            files_listed=stats.files_listed,
            truncated=stats.truncated,
            skipped_links_or_special=stats.skipped_links_or_special,
            files_read=stats.files_read,
            bytes_read=stats.bytes_read,
            skipped_too_large=stats.skipped_too_large,
            unreadable=stats.unreadable,
            parse_problems=stats.parse_problems,
            problems=sorted(index.problems),  # path order: the same whichever detector parsed a file first
            not_project_code=not_project_code(index),
            learning_material=judged,
        ),
    )
    return result, index

"""Questionnaire export and import on the full bundled rubric, per format, and many respondents' files.

Run by hand: python benchmarks/bench_questionnaire.py [--respondents 100] [--runs 3]
Prints, per format, the median time to export a fully answered questionnaire and to read it back
(parse + check against the rubric), and the time to read and merge N respondents' YAML files,
with the per-file cost as a ratio to reading one file.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def _median(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> dict[str, float]:
    from mlops_audit.evidence.answers import Answer, AnswerFile, Organisation, Respondent, RubricRef
    from mlops_audit.evidence.questionnaire.export import FORMATS, make_form, render
    from mlops_audit.evidence.questionnaire.importer import read_answer_file, read_answer_files
    from mlops_audit.evidence.questionnaire.merge import merge_answer_files
    from mlops_audit.rubric.loader import default_rubric

    parser = argparse.ArgumentParser()
    parser.add_argument("--respondents", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    loaded = default_rubric()
    criteria = [c for _, _, c in loaded.rubric.criteria()]

    def model(i: int) -> AnswerFile:
        return AnswerFile(
            rubric=RubricRef(**loaded.ref),
            organisation=Organisation(name="bench"),
            respondent=Respondent(id=f"r{i:04d}", roles=loaded.rubric.role_ids()),
            answers=[Answer(criterion=c.id, value="unknown", comment=f"note {k}") for k, c in enumerate(criteria)],
        )

    result: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        form, _ = make_form(loaded, lang="both", filled=model(0))
        for fmt in FORMATS:
            path = root / f"one.{fmt}"
            export_s = _median(lambda fmt=fmt: render(form, fmt), args.runs)  # type: ignore[misc]
            path.write_bytes(render(form, fmt))
            import_s = _median(lambda path=path: read_answer_file(path, loaded), args.runs)  # type: ignore[misc]
            result[f"{fmt}_export_s"], result[f"{fmt}_import_s"] = export_s, import_s
            print(f"{fmt:5s} {len(criteria)} answers: export {export_s * 1000:7.1f} ms, import {import_s * 1000:7.1f} ms ({path.stat().st_size // 1024} KiB)")
        many = root / "many"
        many.mkdir()
        for i in range(args.respondents):
            f, _ = make_form(loaded, lang="en", filled=model(i))
            (many / f"r{i:04d}.yaml").write_bytes(render(f, "yaml"))
        start = time.perf_counter()
        imported = read_answer_files([many], loaded)
        read_s = time.perf_counter() - start
        start = time.perf_counter()
        merge_answer_files(imported.files, loaded)
        merge_s = time.perf_counter() - start
        ratio = read_s / args.respondents / result["yaml_import_s"]
        result.update({"read_many_s": read_s, "merge_many_s": merge_s})
        print(
            f"{args.respondents} respondents (YAML): read {read_s:.2f} s ({ratio:.2f}x one file's time per file), "
            f"merge {merge_s:.2f} s"
        )
    return result


if __name__ == "__main__":
    main()

"""Scoring 1,000 respondents' answers against the full bundled rubric (target: about a second).

Run: python benchmarks/bench_scoring.py [--respondents 1000] [--runs 3]
Answers are generated (seeded) for every criterion routed to each respondent's roles; the timing
covers the pure engine (reconcile, levels, scores, roles, gaps), not file parsing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import tracemalloc
from datetime import UTC, datetime


def main() -> dict[str, float]:
    from mlops_audit.demo.example_org import ROSTER, value_for
    from mlops_audit.evidence.answers import Answer, AnswerFile, Organisation, Respondent, RubricRef
    from mlops_audit.rubric.loader import default_rubric
    from mlops_audit.rubric.model import Outcome
    from mlops_audit.scoring.engine import AssessmentInputs, assess

    parser = argparse.ArgumentParser()
    parser.add_argument("--respondents", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    loaded = default_rubric()
    rubric = loaded.rubric
    roles = rubric.role_ids()
    rng = random.Random(7)
    files = []
    for i in range(args.respondents):
        mine = rng.sample(roles, k=rng.choice([1, 1, 2]))
        answers = [
            Answer(criterion=c.id, value=value_for(c, rng.choice([Outcome.met, Outcome.partial, Outcome.unmet])))
            for _, _, c in rubric.criteria()
            if set(mine) & set(c.question.roles)
        ]
        files.append((f"r{i}.yaml", AnswerFile(
            rubric=RubricRef(id=rubric.id, version=rubric.version), organisation=Organisation(name="bench"),
            respondent=Respondent(id=f"r{i:04d}", roles=mine), roster=list(ROSTER), answers=answers,
        )))
    total_answers = sum(len(f.answers) for _, f in files)
    at = datetime(2026, 11, 30, tzinfo=UTC)
    samples = []
    for _ in range(args.runs):
        start = time.perf_counter()
        assess(AssessmentInputs(rubric=loaded, answer_files=files), assessed_at=at)
        samples.append(time.perf_counter() - start)
    tracemalloc.start()
    assess(AssessmentInputs(rubric=loaded, answer_files=files), assessed_at=at)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result = {"scoring_median_s": statistics.median(samples), "answers": total_answers, "peak_traced_mib": peak / 2**20}
    print(f"scoring {args.respondents} respondents ({total_answers} answers, {len(rubric.criteria())} criteria): "
          f"median {result['scoring_median_s']:.2f} s over {args.runs} runs; peak traced memory {result['peak_traced_mib']:.0f} MiB")
    return result


if __name__ == "__main__":
    main()

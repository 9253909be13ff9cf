"""The rubric's pipeline steps are real: the default reference run executes every one it cites."""

from mlops_audit.rubric.loader import default_rubric
from mlops_audit.workflow import executed_clauses, verify_trails


def test_every_pipeline_step_the_rubric_cites_is_executed_by_the_default_run(default_run):
    cited = {step for _, _, c in default_rubric().rubric.criteria() for step in c.pipeline_steps}
    done = executed_clauses(verify_trails(default_run.run_dir))
    assert cited, "the rubric cites no pipeline steps"
    assert sorted(cited - done) == []


def test_a_verified_default_run_evidences_criteria_in_every_domain(default_run):
    from mlops_audit.evidence.sources import evidence_from_run

    loaded = default_rubric()
    done = executed_clauses(verify_trails(default_run.run_dir))
    evidence = evidence_from_run(loaded.rubric, "run", sorted(done), {}, None, None)
    domains = {loaded.rubric.criterion_index()[e.criteria[0]][0].id for e in evidence}
    assert domains == {d.id for d in loaded.rubric.domains}

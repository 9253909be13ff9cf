"""Review of session 13's code over untrusted repositories (review13): each search stays linear in
what a hostile file holds. Structural checks (the shape of a pattern, a count of walks), never timed."""

from __future__ import annotations

from mlops_audit.evidence.repo.detectors import experiments


def _top_level_alternatives(pattern: str, opening: str) -> list[str]:
    """The alternatives of the group that starts with `opening` in `pattern`."""
    start = pattern.index(opening) + len(opening)
    depth, parts, current = 0, [], ""
    for i, char in enumerate(pattern[start:], start):
        escaped = i > 0 and pattern[i - 1] == "\\"
        if char == "(" and not escaped:
            depth += 1
        elif char == ")" and not escaped:
            if depth == 0:
                return [*parts, current]
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += char
    raise AssertionError("unclosed group")


def test_a_score_name_pattern_has_no_underscore_run_before_a_word_run():
    # `^_*(...|\w+_score|...)$` split a long name of underscores every way (`_*` and `\w+` both take
    # `_`), each split scanning to the name's end: quadratic in the name's length.
    after_underscores = _top_level_alternatives(experiments._SCORES.pattern, "_*(?:")
    assert after_underscores and not any(alt.startswith("\\w") for alt in after_underscores)


def test_score_names_are_judged_as_before():
    for name in ("score", "__score", "score_fold", "evaluate", "_evaluate_model", "eval_rmse", "cv_score", "___error",
                 "mean_squared_error", "_val_loss", "log_loss", "objective", "_rmse", "compute_auc", "ndcg_at_10", "mape"):
        assert experiments._SCORES.search(name), name
    for name in ("map", "acc", "precision", "_", "scores_table", "error", "loss", "_" * 5000 + "x", "fit"):
        assert not experiments._SCORES.search(name), name

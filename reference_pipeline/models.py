"""The candidate algorithms, built the scikit-learn way: keyword parameters and a fixed random_state."""

from __future__ import annotations

from typing import Any

ALGORITHMS = ("logistic_regression", "hist_gradient_boosting", "random_forest")


def make_estimator(algorithm: str, params: dict[str, Any], seed: int) -> Any:
    if algorithm == "logistic_regression":
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler

        return Pipeline([("scale", StandardScaler()), ("model", LogisticRegression(max_iter=2000, **params))])
    if algorithm == "hist_gradient_boosting":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(random_state=seed, **params)
    if algorithm == "random_forest":
        from sklearn.ensemble import RandomForestClassifier

        return RandomForestClassifier(random_state=seed, n_jobs=1, **params)
    raise ValueError(f"unknown algorithm {algorithm!r}; expected one of {ALGORITHMS}")


def grid_points(grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid, in a stable order (sorted parameter names)."""
    from itertools import product

    names = sorted(grid)
    return [dict(zip(names, values, strict=True)) for values in product(*(grid[n] for n in names))] or [{}]


def scores(model: Any, features: Any) -> Any:
    """Probability of the positive class (column 1)."""
    return model.predict_proba(features)[:, 1]

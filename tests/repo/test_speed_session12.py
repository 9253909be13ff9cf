"""Collect-time cuts of session 12 (docs/benchmarks.md, "Collect time, session 12"): each must give
exactly what the code before gave."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from mlops_audit.evidence.repo import collect as collect_module
from mlops_audit.evidence.repo import gcpause


def _tree(tmp_path: Path) -> Path:
    (tmp_path / "train.py").write_text("import mlflow\n\ndef train(df):\n    mlflow.log_metric('a', 1)\n    return df\n", encoding="utf-8")
    (tmp_path / "requirements.txt").write_text("mlflow==2.0\n", encoding="utf-8")
    return tmp_path


def test_collect_restores_the_threshold_only_once_the_index_is_freed(tmp_path: Path, monkeypatch) -> None:
    """The young collection after a collection must not walk the index's caches: when the collector's
    first threshold comes back, the index is already gone (freed by reference counting)."""
    indexes: list[weakref.ref] = []
    build = collect_module.build_index

    def recording_build(*args, **kwargs):
        index = build(*args, **kwargs)
        indexes.append(weakref.ref(index))
        return index

    restored: list[bool] = []  # per restore: was every index already freed?

    class Shim:
        def __getattr__(self, name):
            return getattr(gc, name)

        def set_threshold(self, *values):
            if values[0] != gcpause.PARSING_THRESHOLD:
                restored.append(all(ref() is None for ref in indexes))
            gc.set_threshold(*values)

    monkeypatch.setattr(collect_module, "build_index", recording_build)
    monkeypatch.setattr(gcpause, "gc", Shim())
    before = gc.get_threshold()
    result = collect_module.collect(_tree(tmp_path))
    assert gc.get_threshold() == before
    assert indexes and restored == [True]
    assert any(f.detector == "tracks_experiments" for f in result.findings)


def _reference_json_depth_ok(value, limit):
    """The walk before session 12: every value pushed with its depth."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return True


def test_json_depth_ok_level_by_level_equals_the_walk_of_every_value() -> None:
    import random

    from mlops_audit.evidence.repo.index import MAX_JSON_DEPTH, json_depth_ok

    rng = random.Random(12)

    def value(depth: int):
        r = rng.random()
        if depth > 7 or r < 0.3:
            return rng.choice([1, "s", None, 2.5, True, ""])
        if r < 0.65:
            return [value(depth + 1) for _ in range(rng.randint(0, 4))]
        return {str(i): value(depth + 1) for i in range(rng.randint(0, 4))}

    values = [value(0) for _ in range(3000)] + [[], {}, [[]], [[1]], {"a": {"b": {}}}, {"a": {"b": {"c": 1}}}, 5, "x"]
    outcomes = set()
    for item in values:
        for limit in range(0, 9):
            outcomes.add(json_depth_ok(item, limit))
            assert json_depth_ok(item, limit) == _reference_json_depth_ok(item, limit), (item, limit)
    assert outcomes == {True, False}
    deep: list = []
    for _ in range(MAX_JSON_DEPTH + 1):
        deep = [deep]
    assert not json_depth_ok(deep) and json_depth_ok(deep[0])


def test_per_tree_computes_once_per_tree_and_keeps_no_tree_alive() -> None:
    import ast

    from mlops_audit.evidence.repo.treememo import per_tree

    calls: list[int] = []

    @per_tree
    def names(tree: ast.AST) -> frozenset[str]:
        calls.append(id(tree))
        return frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name))

    tree = ast.parse("a = b + c\n")
    assert names(tree) == {"a", "b", "c"} and names(tree) == {"a", "b", "c"} and len(calls) == 1
    assert names(ast.parse("a = b + c\n")) == {"a", "b", "c"} and len(calls) == 2  # another tree: computed again
    ref = weakref.ref(tree)
    del tree
    gc.collect()
    assert ref() is None  # the memo does not keep the tree alive (an lru_cache did)


def test_state_model_users_equals_the_per_route_walk() -> None:
    """`_uses_model_from_state` answers from one per-module set: the same answer as walking the module
    for the route's scopes each time (the code before session 12)."""
    import ast

    from mlops_audit.evidence.repo.detectors import deployment

    def reference(tree: ast.AST, scopes: set[str]) -> bool:
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name not in scopes:
                continue
            for call in ast.walk(node):
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
                    key = deployment._state_key(call.func.value)
                    method = call.func.attr
                    if key and deployment._STATE_MODEL_NAME.search(key) and not deployment._NOT_GENERATION.match(method) and not deployment._STORAGE_VERB.search(method):
                        return True
        return False

    code = (
        "def predict(request):\n    return request.app.state.model.predict(request.x)\n\n"
        "async def caption(path):\n    def inner():\n        return settings.SHARED['IC_MODEL'].caption(path)\n    return inner()\n\n"
        "def store(request):\n    request.app.state.model.save('x')\n\n"
        "def cache(request):\n    return request.app.state.cache.get('k')\n\n"
        "class View:\n    def detect(self, img):\n        return models.get('detector').detect(img)\n\n"
        "def predict(request):\n    return 1\n"
    )
    tree = ast.parse(code)
    names = ["predict", "caption", "inner", "store", "cache", "detect", "missing"]
    answers = set()
    for size in range(0, 3):
        for scopes in ({*names[i : i + size]} for i in range(len(names))):
            answers.add(reference(tree, scopes))
            assert (not deployment._state_model_users(tree).isdisjoint(scopes)) == reference(tree, scopes), scopes
    assert answers == {True, False}

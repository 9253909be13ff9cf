"""A value derived from a syntax tree, computed once per tree and kept only while the tree lives.

Rules ask per function or per route what a whole module holds (the names each node uses, the
functions calling a model kept in shared state); walking the module once per question made them
quadratic. `per_tree` keys the answer on the tree object itself, weakly: it goes with the tree (the
index drops trees within its memory bound and with the repository), so nothing is kept alive across
repositories, as `functools.lru_cache` on a tree did. Callers must not change what it returns."""

from __future__ import annotations

import ast
import functools
import weakref
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def per_tree(compute: Callable[[ast.AST], T]) -> Callable[[ast.AST], T]:
    """`compute(tree)`, once per tree object while it lives."""
    memo: weakref.WeakKeyDictionary[ast.AST, T] = weakref.WeakKeyDictionary()

    @functools.wraps(compute)
    def cached(tree: ast.AST) -> T:
        try:
            return memo[tree]
        except KeyError:
            value = memo[tree] = compute(tree)
            return value

    return cached

"""What stops a run when a data check fails (validates_data, conventions §7 "raise, stop the run").

A `raise` is the usual way; a script or pipeline step run as a program stops as surely with
`sys.exit(1)` (`exit(code)`, `os._exit(code)`, `quit(code)`): the scheduler, the shell script's
`set -e` or the CI step sees a non-zero status and goes no further (session 14: a setup pipeline's
`validate_data` collecting issues and `sys.exit(1)`, a driving script running a data test suite and
exiting with its code). `sys.exit()` or `sys.exit(0)` end a run that went well: not a stop on failure.
"""

from __future__ import annotations

import ast

from mlops_audit.evidence.repo.astutil import dotted, walk

_EXITS = frozenset({"sys.exit", "exit", "quit", "os._exit", "_exit"})


def exits_with_failure(node: ast.AST) -> bool:
    """`node` is a call ending the program with a status that is not success (not `sys.exit()`,
    `sys.exit(0)`, `sys.exit(None)`)."""
    if not isinstance(node, ast.Call) or dotted(node.func) not in _EXITS or len(node.args) != 1:
        return False
    status = node.args[0]
    return not (isinstance(status, ast.Constant) and status.value in (0, None, False))


def stops(node: ast.AST) -> bool:
    """A `raise`, or a call ending the program with a failure status (`exits_with_failure`)."""
    return isinstance(node, ast.Raise) or exits_with_failure(node)


def stopping_lines(body: list[ast.stmt]) -> list[int]:
    """Lines of the statements in `body` (at any depth) that stop the run."""
    return [n.lineno for stmt in body for n in walk(stmt) if stops(n)]


# Text prefilters: a file whose text has none of these cannot stop a run on a check.
STOP_WORDS = ("raise", "exit(")

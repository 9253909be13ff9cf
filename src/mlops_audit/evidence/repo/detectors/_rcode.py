"""R code read as text (session 15, a thin layer): calls of a catalogue's R functions in `.R`, `.Rmd`
and `.qmd` files of the project.

R has no reader here; a call is found by its name followed by `(`, bare or package-qualified
(`tune_bayes(`, `tune::tune_bayes(`), outside `#` comments. R names may hold dots (`tune.svm`), so
a name must not follow a word character or a dot. Tests, examples, vendored code and renv's package
library are not the project's code.
"""

from __future__ import annotations

import re
from functools import lru_cache

from mlops_audit.evidence.repo.detectors._batchscoring import DEMO_FOLDER
from mlops_audit.evidence.repo.detectors._python import is_test_path
from mlops_audit.evidence.repo.index import RepoIndex
from mlops_audit.evidence.repo.model import Location
from mlops_audit.evidence.repo.registry import MAX_LOCATIONS, at

R_SUFFIXES = (".R", ".r", ".Rmd", ".rmd", ".qmd")
MAX_R_FILE_BYTES = 512 * 1024
MAX_R_FILES = 500
_NOT_OWN = re.compile(r"(^|/)(renv|packrat|site-packages|node_modules|\.?venv)/")
_COMMENT = re.compile(r"#[^\n]*")  # (a `#` inside a string is rare in calls; a line is cut there)


@lru_cache(maxsize=32)
def _call_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=lambda n: (-len(n), n)))
    return re.compile(r"(?<![\w.])(?:[A-Za-z][\w.]*:::?)?(" + alternatives + r")[^\S\n]*\(")


def r_calls(repo: RepoIndex, names: tuple[str, ...]) -> list[tuple[Location, str]]:
    """(where, name) of the first calls of `names` in the project's R files (at most MAX_LOCATIONS)."""
    if not names:
        return []
    pattern = _call_pattern(names)
    found: list[tuple[Location, str]] = []
    files = [p for p in repo.with_suffix(*R_SUFFIXES) if not (is_test_path(p) or DEMO_FOLDER.search(p) or _NOT_OWN.search(p))]
    for path in files[:MAX_R_FILES]:
        if repo.size(path) > MAX_R_FILE_BYTES:
            continue
        code = _COMMENT.sub("", repo.text(path) or "")
        for match in pattern.finditer(code):
            found.append((at(path, code.count("\n", 0, match.start()) + 1), match.group(1)))
            if len(found) >= MAX_LOCATIONS:
                return found
    return found

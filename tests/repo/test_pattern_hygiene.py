"""Regular expressions run over untrusted files must stay linear in the file's size.

A multi-line pattern that opens with `^\\s*` lets the whitespace run cross line ends: on a file of
blank lines every line start scans to the end of the run, so the search is quadratic (20 KB of blank
lines took 6-12 s per pattern before session 12's mend; a capped file is 100 times that). The line
start's indentation is written `[^\\S\\n]*` (whitespace other than a line end) instead.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import mlops_audit
from mlops_audit.evidence.repo.detectors import governance, monitoring


def _multiline_patterns() -> list[tuple[str, str, re.Pattern[str]]]:
    found = []
    for info in pkgutil.walk_packages(mlops_audit.__path__, "mlops_audit."):
        if ".server" in info.name or ".report" in info.name:
            continue  # optional extras; no scanned text reaches them
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern) and value.flags & re.MULTILINE:
                found.append((info.name, name, value))
    return found


def test_the_package_has_multiline_patterns_to_check():
    names = {name for _, name, _ in _multiline_patterns()}
    assert {"_TIMER_KEYS", "_DIAGRAM_START", "_SERVICE_LINE"} <= names


def test_no_multiline_pattern_lets_line_start_whitespace_cross_lines():
    offenders = [f"{module}.{name}" for module, name, pattern in _multiline_patterns() if r"^\s*" in pattern.pattern]
    assert offenders == []


def test_indented_keys_still_match_after_blank_lines():
    text = "\n\n  \n[Timer]\n   OnCalendar=daily\nUnit=train.service\n"
    assert monitoring._TIMER_KEYS.search(text)
    assert monitoring._UNIT_KEY.search(text).group(1) == "train.service"
    assert governance._DIAGRAM_START.search("\n\n   @startuml\nA -> B\n@enduml\n")


def test_a_line_start_match_begins_on_its_own_line():
    text = "\n\n\n    ExecStart=/usr/bin/python train.py\n"
    match = monitoring._EXEC_START.search(text)
    assert match.group(1) == "/usr/bin/python train.py"
    assert text.count("\n", 0, match.start()) == 3
